/**
 * Shared pieces of the hostfs tests: a real temporary host directory mapped
 * into a fresh VFS, and a sentinel tree *outside* the mapped root whose every
 * name, byte, attribute and access time is recorded, so that a test can show
 * that nothing outside the root was read or changed.
 *
 * Layout on the host (under one mkdtemp directory, removed afterwards):
 *   <base>/root                 the mapped directory (tests fill it)
 *   <base>/outside/secret.txt   "SECRET", mode 0600, atime = mtime = 1000 s
 *   <base>/outside/dir/inner    "INNER"
 * With atime equal to mtime, Linux's relatime updates atime on any read, so a
 * read of a sentinel file shows in its atime.
 */

import * as nodeFs from 'node:fs';
import * as os from 'node:os';
import * as nodePath from 'node:path';
import { afterEach, beforeEach, expect } from 'vitest';
import { createVfs, hostFs, type HostFs, type HostFsOptions, type MountOptions, type Vfs, type VfsFs } from '@actorvfs/core';
import { SharedVfs } from '@actorvfs/workers';
import { runSync, vopMutate, type Mount, type Vop } from '@actorvfs/core/internal';

/**
 * AVFS_HOSTFS_SETUP=shared (the hostfs-shared test project): the same tests
 * with the host directory mounted on a SharedVfs, served by its actor thread.
 */
export const SHARED = process.env['AVFS_HOSTFS_SETUP'] === 'shared';

export const SECRET = 'SECRET';
export const MNT = '/mnt/host';

export interface HostSetup {
  vfs: Vfs;
  /** The VFS as root. */
  fs: VfsFs;
  /** The mapped host directory (or file's directory) and its parent. */
  base: string;
  root: string;
  outside: string;
  hostfs: HostFs;
  /** Where it is mounted in the VFS. */
  mnt: string;
  as(uid: number, gid: number, extra?: { groups?: number[]; umask?: number; root?: string; cwd?: string }): VfsFs;
  /** Shared setups: shut the SharedVfs down. */
  close?: () => Promise<void>;
}

/** A fresh base directory with the sentinel tree; `root` is created empty. */
export function makeBase(): { base: string; root: string; outside: string } {
  const base = nodeFs.mkdtempSync(nodePath.join(os.tmpdir(), 'avfs-hostfs-'));
  const root = nodePath.join(base, 'root');
  const outside = nodePath.join(base, 'outside');
  nodeFs.mkdirSync(root);
  nodeFs.mkdirSync(nodePath.join(outside, 'dir'), { recursive: true });
  nodeFs.writeFileSync(nodePath.join(outside, 'secret.txt'), SECRET, { mode: 0o600 });
  nodeFs.writeFileSync(nodePath.join(outside, 'dir', 'inner'), 'INNER', { mode: 0o644 });
  for (const p of [nodePath.join(outside, 'secret.txt'), nodePath.join(outside, 'dir', 'inner')]) nodeFs.utimesSync(p, 1000, 1000);
  return { base, root, outside };
}

export interface MountSpec {
  /** Options for hostFs; `path` defaults to the setup's root. */
  options?: Partial<HostFsOptions>;
  mount?: MountOptions;
  /** Prepare the host tree before mounting. */
  prepare?: (root: string, base: string) => void;
}

/** Build a setup now (callers clean up with `cleanup`). */
export function hostSetup(spec: MountSpec = {}): HostSetup {
  const { base, root, outside } = makeBase();
  spec.prepare?.(root, base);
  const vfs = createVfs();
  vfs.fs.mkdirSync('/mnt');
  const options = { path: root, ...spec.options } as HostFsOptions;
  const hostfs = hostFs(options);
  const isFile = nodeFs.statSync(options.path).isFile();
  if (isFile) vfs.fs.writeFileSync(MNT, 'covered');
  else vfs.fs.mkdirSync(MNT);
  vfs.mount(MNT, hostfs, spec.mount);
  return {
    vfs,
    fs: vfs.fs,
    base,
    root,
    outside,
    hostfs,
    mnt: MNT,
    as: (uid, gid, extra = {}) => vfs.context({ uid, gid, groups: extra.groups ?? [gid], umask: extra.umask ?? 0, ...(extra.root !== undefined ? { root: extra.root } : {}), ...(extra.cwd !== undefined ? { cwd: extra.cwd } : {}) }),
  };
}

/** hostSetup on a SharedVfs: the hostfs is served by an actor thread (`vfs` is the embedded shape only in name). */
export async function sharedHostSetup(spec: MountSpec = {}): Promise<HostSetup> {
  const { base, root, outside } = makeBase();
  spec.prepare?.(root, base);
  const svfs = await SharedVfs.create();
  const fs = svfs.fs;
  fs.mkdirSync('/mnt');
  const options = { path: root, ...spec.options } as HostFsOptions;
  const hostfs = hostFs(options);
  const isFile = nodeFs.statSync(options.path).isFile();
  if (isFile) fs.writeFileSync(MNT, 'covered');
  else fs.mkdirSync(MNT);
  try {
    await svfs.mount(MNT, hostfs, spec.mount);
  } catch (e) {
    await svfs.close();
    throw e;
  }
  return {
    vfs: svfs as unknown as Vfs,
    fs,
    base,
    root,
    outside,
    hostfs,
    mnt: MNT,
    as: (uid, gid, extra = {}) => svfs.context({ uid, gid, groups: extra.groups ?? [gid], umask: extra.umask ?? 0, ...(extra.root !== undefined ? { root: extra.root } : {}), ...(extra.cwd !== undefined ? { cwd: extra.cwd } : {}) }),
    close: () => svfs.close(),
  };
}

/** The mount at MNT as the setup's own thread sees it (embedded: the hostfs itself; shared: the actor's client end). */
export function mountAtMnt(s: HostSetup): Mount {
  const kernel = SHARED ? (s.vfs as unknown as SharedVfs).client.kernel : s.vfs.kernel;
  return kernel.mounts.mounts.find((m) => m.fs.type === 'hostfs') as Mount;
}

/** Run a mutating vnode op the way the VFS does (shared: on the actor, over the ring). */
export function mutate<K extends Parameters<typeof vopMutate>[0]>(name: K, ...args: Parameters<Vop<K>>): unknown {
  return runSync(vopMutate(name, ...args));
}

export function cleanup(s: { base: string; vfs?: Vfs; mnt?: string }): void {
  try {
    if (s.vfs !== undefined && s.mnt !== undefined) s.vfs.unmount(s.mnt);
  } catch {
    // a test may have left it busy or unmounted
  }
  nodeFs.rmSync(s.base, { recursive: true, force: true });
}

/**
 * Declare a fresh setup per test in the current file or describe block.
 * Every test also checks, after it ran, that the sentinel tree outside the
 * root is exactly as it was (nothing read, nothing changed, nothing added).
 */
export function useHostSetup(spec: MountSpec = {}): () => HostSetup {
  let current: HostSetup | undefined;
  let before: OutsideSnapshot | undefined;
  beforeEach(async () => {
    current = SHARED ? await sharedHostSetup(spec) : hostSetup(spec);
    before = snapshotOutside(current);
  });
  afterEach(async () => {
    const s = current;
    current = undefined;
    if (s === undefined) return;
    try {
      expect(snapshotOutside(s), 'the host outside the mapped root must not be read or changed').toEqual(before);
    } finally {
      if (s.close !== undefined) {
        await s.close();
        nodeFs.rmSync(s.base, { recursive: true, force: true });
      } else cleanup(s);
    }
  });
  return () => {
    if (current === undefined) throw new Error('setup used outside a test');
    return current;
  };
}

export interface EntrySnapshot {
  type: string;
  mode: number;
  uid: number;
  gid: number;
  size: bigint;
  atimeNs: bigint;
  mtimeNs: bigint;
  ctimeNs: bigint;
  content?: string;
  target?: string;
}
export type Snapshot = Record<string, EntrySnapshot>;

/** Every entry under `dir` (recursively, never following symlinks), with content, attributes and times. */
export function snapshot(dir: string): Snapshot {
  const out: Snapshot = {};
  const walk = (rel: string): void => {
    const p = nodePath.join(dir, rel);
    // Read the content first and stat afterwards: the read itself may move atime (relatime).
    const pre = nodeFs.lstatSync(p);
    let content: string | undefined;
    let target: string | undefined;
    if (pre.isFile()) content = readNoAtime(p);
    if (pre.isSymbolicLink()) target = nodeFs.readlinkSync(p);
    const st = nodeFs.lstatSync(p, { bigint: true });
    out[rel === '' ? '.' : rel] = {
      type: st.isDirectory() ? 'dir' : st.isSymbolicLink() ? 'symlink' : st.isFile() ? 'file' : 'other',
      mode: Number(st.mode),
      uid: Number(st.uid),
      gid: Number(st.gid),
      size: st.isDirectory() ? 0n : st.size,
      atimeNs: st.isDirectory() ? 0n : st.atimeNs,
      mtimeNs: st.mtimeNs,
      ctimeNs: st.ctimeNs,
      ...(content !== undefined ? { content } : {}),
      ...(target !== undefined ? { target } : {}),
    };
    if (st.isDirectory()) for (const name of nodeFs.readdirSync(p).sort()) walk(nodePath.join(rel, name));
  };
  walk('');
  return out;
}

/** Read without touching atime (O_NOATIME: we are root), so snapshots do not disturb what they watch. */
function readNoAtime(p: string): string {
  const fd = nodeFs.openSync(p, nodeFs.constants.O_RDONLY | nodeFs.constants.O_NOATIME);
  try {
    return nodeFs.readFileSync(fd, 'utf8');
  } finally {
    nodeFs.closeSync(fd);
  }
}

export interface OutsideSnapshot {
  outside: Snapshot;
  base: string[];
}

/** The sentinel tree plus the names directly in the base directory. */
export function snapshotOutside(s: { base: string; outside: string }): OutsideSnapshot {
  return { outside: snapshot(s.outside), base: nodeFs.readdirSync(s.base).sort() };
}

export function codeOf(fn: () => unknown): string {
  try {
    fn();
    return 'ok';
  } catch (e) {
    return (e as { code?: string }).code ?? String(e);
  }
}

export async function codeOfAsync(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'ok';
  } catch (e) {
    return (e as { code?: string }).code ?? String(e);
  }
}

export function hostStat(p: string): nodeFs.BigIntStats {
  return nodeFs.lstatSync(p, { bigint: true });
}

export { nodeFs, nodePath };
