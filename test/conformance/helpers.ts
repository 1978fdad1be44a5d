/**
 * Shared pieces of the POSIX conformance suite: node types, callers,
 * long names, error and time assertions. Everything goes through the
 * public fs API of a harness, so the suite runs unchanged against every
 * setup in test/setups.ts.
 *
 * Numbers are Linux's (the profile in docs/posix-profile.md follows Linux).
 */

import { expect } from 'vitest';
import { USER, USER2, type Cred, type Harness, type Setup } from '../setups.js';

export { USER, USER2 };
export type Fs = Harness['fs'];

// ---- numbers (Linux)

export const S_IFMT = 0o170000;
export const S_IFSOCK = 0o140000;
export const S_IFLNK = 0o120000;
export const S_IFREG = 0o100000;
export const S_IFBLK = 0o060000;
export const S_IFDIR = 0o040000;
export const S_IFCHR = 0o020000;
export const S_IFIFO = 0o010000;
export const S_ISUID = 0o4000;
export const S_ISGID = 0o2000;
export const S_ISVTX = 0o1000;

export const O_RDONLY = 0;
export const O_WRONLY = 1;
export const O_RDWR = 2;
export const O_CREAT = 0o100;
export const O_EXCL = 0o200;
export const O_TRUNC = 0o1000;
export const O_APPEND = 0o2000;
export const O_NONBLOCK = 0o4000;
export const O_DIRECTORY = 0o200000;
export const O_NOFOLLOW = 0o400000;

// chflags(2) (the fs's BSD-style extension)
export const UF_IMMUTABLE = 0x00000002;
export const UF_APPEND = 0x00000004;
export const SF_IMMUTABLE = 0x00020000;
export const SF_APPEND = 0x00040000;

export const NAME_MAX = 255;
export const PATH_MAX = 4096;
export const SYMLOOP_MAX = 40;

/** Linux's dev_t encoding (glibc gnu_dev_makedev), which Node reports as `rdev`. */
export function makedev(major: number, minor: number): number {
  return ((major & 0xfff) << 8) | (minor & 0xff) | ((minor & 0xfff00) << 12);
}
export function major(dev: number): number {
  return (dev >>> 8) & 0xfff;
}
export function minor(dev: number): number {
  return (dev & 0xff) | ((dev >>> 12) & 0xfff00);
}

// ---- node types, the way pjdfstest loops over them

export const NODE_TYPES = ['regular', 'dir', 'fifo', 'block', 'char', 'socket', 'symlink'] as const;
export type NodeType = (typeof NODE_TYPES)[number];
/** Everything but a directory (symlinks included). */
export const NON_DIR_TYPES = NODE_TYPES.filter((t) => t !== 'dir');
/** The six types chmod/utimes act on through a path (no symlink). */
export const NON_SYMLINK_TYPES = NODE_TYPES.filter((t) => t !== 'symlink');
/** Types that are neither a directory nor a symlink: a prefix made of one gives ENOTDIR. */
export const FILE_TYPES = NODE_TYPES.filter((t) => t !== 'dir' && t !== 'symlink');

export const TYPE_BITS: Record<NodeType, number> = {
  regular: S_IFREG,
  dir: S_IFDIR,
  fifo: S_IFIFO,
  block: S_IFBLK,
  char: S_IFCHR,
  socket: S_IFSOCK,
  symlink: S_IFLNK,
};

export interface NodeOptions {
  /** Permission bits, set-id and sticky bits included. Default 0644 (0755 for a directory). */
  mode?: number;
  /** Owner; default the setup's credentials. */
  uid?: number;
  gid?: number;
  /** Target of a symlink; default "test", which never exists (a dangling link, as in pjdfstest). */
  target?: string;
}

/**
 * Make one node of `type` at `path`. Root makes it (block and character
 * devices need uid 0), then hands it to the owner and sets the exact mode,
 * the way pjdfstest's create_file does.
 */
export function createNode(h: Harness, type: NodeType, path: string, opts: NodeOptions = {}): void {
  const a = h.admin;
  const mode = opts.mode ?? (type === 'dir' ? 0o755 : 0o644);
  const perm = mode & 0o777;
  switch (type) {
    case 'regular':
      a.closeSync(a.openSync(path, O_CREAT | O_EXCL | O_WRONLY, perm));
      break;
    case 'dir':
      a.mkdirSync(path, perm);
      break;
    case 'fifo':
      a.mkfifoSync(path, perm);
      break;
    case 'block':
      a.mknodSync(path, S_IFBLK | perm, makedev(1, 2));
      break;
    case 'char':
      a.mknodSync(path, S_IFCHR | perm, makedev(1, 2));
      break;
    case 'socket':
      a.mknodSync(path, S_IFSOCK | perm, 0);
      break;
    case 'symlink':
      a.symlinkSync(opts.target ?? 'test', path);
      break;
  }
  a.lchownSync(path, opts.uid ?? h.cred.uid, opts.gid ?? h.cred.gid);
  // After the chown: a chown clears set-id bits of files.
  if (type !== 'symlink') a.chmodSync(path, mode);
}

/** Assert the file type bits of a mode. */
export function expectType(mode: number, type: NodeType): void {
  expect((mode & S_IFMT).toString(8)).toBe(TYPE_BITS[type].toString(8));
}

/** Permission bits (with set-id and sticky) as an octal string, for readable failures. */
export function perms(mode: number): string {
  return (mode & 0o7777).toString(8).padStart(4, '0');
}

// ---- callers

export interface Caller {
  fs: Fs;
  uid: number;
  gid: number;
}

/**
 * An unprivileged caller: the setup's own credentials when they are not
 * root, otherwise pjdfstest's user 65534. Rules about "an unprivileged
 * caller u" use this, so they run with the setup's context when they can.
 */
export function unprivileged(h: Harness, setup: Setup): Caller {
  if (!setup.privileged) return { fs: h.fs, uid: h.cred.uid, gid: h.cred.gid };
  return { fs: h.as(USER), uid: USER.uid, gid: USER.gid };
}

/** Another unprivileged user, distinct from `unprivileged()` in every setup. */
export function otherUser(h: Harness): Caller & { cred: Cred } {
  return { fs: h.as(USER2), uid: USER2.uid, gid: USER2.gid, cred: USER2 };
}

/** A directory at `path` owned by `owner`, made by root. */
export function ownedDir(h: Harness, path: string, owner: { uid: number; gid: number }, mode = 0o755): string {
  createNode(h, 'dir', path, { mode, uid: owner.uid, gid: owner.gid });
  return path;
}

// ---- names and paths

export function longName(len = NAME_MAX, ch = 'x'): string {
  return ch.repeat(len);
}

/**
 * A path under `base` of exactly `total` bytes, made of components of
 * NAME_MAX/2 bytes (as pjdfstest's dirgen_max). `parent` is the directory
 * part, to be created with `mkdirs`.
 */
export function longPath(base: string, total: number): { parent: string; path: string } {
  let path = base;
  let parent = base;
  const comp = Math.floor(NAME_MAX / 2);
  let i = 0;
  while (total - path.length - 1 > NAME_MAX) {
    const letter = String.fromCharCode(97 + (i++ % 26));
    path += '/' + letter.repeat(comp);
    parent = path;
  }
  const rest = total - path.length - 1;
  if (rest < 1) throw new Error(`longPath: cannot build ${total} bytes under ${base}`);
  path += '/' + 'z'.repeat(rest);
  return { parent, path };
}

/** Create every missing directory of `path` (mkdir -p, without relying on `recursive`). */
export function mkdirs(fs: Fs, path: string): void {
  const parts = path.split('/');
  let cur = '';
  for (const part of parts) {
    if (part === '') continue;
    cur += '/' + part;
    try {
      fs.mkdirSync(cur, 0o755);
    } catch (e) {
      if ((e as { code?: string }).code !== 'EEXIST') throw e;
    }
  }
}

// ---- errors

/** Assert that a promise rejects with this error code. */
export async function rejects(p: Promise<unknown>, code: string): Promise<void> {
  await expect(p).rejects.toThrow(expect.objectContaining({ code }));
}

/** Assert that a call throws with this error code. */
export function throws(fn: () => unknown, code: string): void {
  expect(fn).toThrow(expect.objectContaining({ code }));
}

export function errorCode(fn: () => unknown): string | undefined {
  try {
    fn();
    return undefined;
  } catch (e) {
    return (e as { code?: string }).code ?? String(e);
  }
}

export async function errorCodeOf(p: Promise<unknown>): Promise<string | undefined> {
  try {
    await p;
    return undefined;
  } catch (e) {
    return (e as { code?: string }).code ?? String(e);
  }
}

export function exists(fs: Fs, path: string): boolean {
  return errorCode(() => fs.lstatSync(path)) === undefined;
}

// ---- times

export type TimeField = 'atime' | 'mtime' | 'ctime';
export interface Times {
  atime: bigint;
  mtime: bigint;
  ctime: bigint;
}

/** A few milliseconds: long enough for a clock with sub-tick precision to move on. */
export const NAP_MS = 5;
export function nap(ms = NAP_MS): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Full-precision times of a node (lstat unless `follow`). */
export function times(fs: Fs, path: string, follow = false): Times {
  const st = follow ? fs.statSync(path, { bigint: true }) : fs.lstatSync(path, { bigint: true });
  return { atime: st.atimeNs, mtime: st.mtimeNs, ctime: st.ctimeNs };
}

export function ftimes(fs: Fs, fd: number): Times {
  const st = fs.fstatSync(fd, { bigint: true });
  return { atime: st.atimeNs, mtime: st.mtimeNs, ctime: st.ctimeNs };
}

export type TimeSpec = Partial<Record<TimeField, 'changed' | 'same'>>;

/** 'changed' means strictly later (times only move forward here); 'same' means identical to the nanosecond. */
export function expectTimes(before: Times, after: Times, spec: TimeSpec, label = ''): void {
  for (const field of ['atime', 'mtime', 'ctime'] as const) {
    const want = spec[field];
    if (want === 'changed') {
      expect(after[field] > before[field], `${label} ${field} should have changed (${before[field]} -> ${after[field]})`).toBe(true);
    } else if (want === 'same') {
      expect(after[field], `${label} ${field} should not have changed`).toBe(before[field]);
    }
  }
}

export interface Watched {
  path: string;
  follow?: boolean;
  expect: TimeSpec;
  label?: string;
}

/**
 * Snapshot the times of each watched path, nap, run `op`, and check each
 * path's times against its spec. `watcher` reads the times (root, so any
 * path can be stat'ed).
 */
export async function expectTimesAround(watcher: Fs, watched: Watched[], op: () => unknown): Promise<void> {
  const before = watched.map((w) => times(watcher, w.path, w.follow));
  await nap();
  await op();
  watched.forEach((w, i) => expectTimes(before[i]!, times(watcher, w.path, w.follow), w.expect, w.label ?? w.path));
}

// ---- small conveniences

export function writeFile(fs: Fs, path: string, data: string | Uint8Array, mode = 0o644): void {
  const fd = fs.openSync(path, O_WRONLY | O_CREAT | O_TRUNC, mode);
  try {
    fs.writeSync(fd, typeof data === 'string' ? Buffer.from(data) : data);
  } finally {
    fs.closeSync(fd);
  }
}

export function readFile(fs: Fs, path: string): string {
  return fs.readFileSync(path, 'utf8') as string;
}

/** Split "a/b/c" into ["a/b", "c"]. */
export function dirname(path: string): string {
  const i = path.lastIndexOf('/');
  return i <= 0 ? '/' : path.slice(0, i);
}
