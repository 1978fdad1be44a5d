/**
 * The system-call interface: what one process-like context (credentials,
 * root, cwd, umask, descriptor table) can ask of the VFS. The Node `fs`
 * facade is a thin layer over this; so is the shared-mode client.
 *
 * Conventions
 * - Paths are strings (the facade decodes Buffer and URL paths). Relative
 *   paths start at the context's cwd; nothing escapes the context's root.
 * - Failures throw `Errno` (cheap, code only, see errno.ts); the facade turns
 *   them into Node-shaped errors naming the syscall and path.
 * - Calls that may wait return `Op<T>` (run with runSync/runAsync); the rest
 *   return directly. Which is which is part of the contract, so the facade
 *   never guesses. An Op does no work, and so throws nothing, until it is
 *   first driven: argument errors surface from the driver, as rejections for
 *   promise callers.
 * - Numbers follow Linux: flags are O_*, modes S_*, times are seconds plus
 *   nanoseconds, with UTIME_NOW / UTIME_OMIT in the nanosecond slot.
 * - Stat results are written into a caller-owned `StatBuf` (no allocation
 *   on the hot path).
 */

import type { Op } from './wait.js';

/** Indexes into a StatBuf (a Float64Array of STAT_FIELDS). */
export const enum St {
  Dev = 0,
  Ino = 1,
  Mode = 2,
  Nlink = 3,
  Uid = 4,
  Gid = 5,
  Rdev = 6,
  Size = 7,
  Blksize = 8,
  Blocks = 9,
  AtimeSec = 10,
  AtimeNsec = 11,
  MtimeSec = 12,
  MtimeNsec = 13,
  CtimeSec = 14,
  CtimeNsec = 15,
  BirthtimeSec = 16,
  BirthtimeNsec = 17,
  Flags = 18,
}
export const STAT_FIELDS = 19;
export type StatBuf = Float64Array;

export function newStatBuf(): StatBuf {
  return new Float64Array(STAT_FIELDS);
}

/** statfs(2) results. */
export interface StatFs {
  type: number;
  bsize: number;
  frsize: number;
  blocks: number;
  bfree: number;
  bavail: number;
  files: number;
  ffree: number;
  namemax: number;
  flags: number;
}

/** Credentials of a context. `groups` are supplementary groups (gid need not be in it). */
export interface Cred {
  readonly uid: number;
  readonly gid: number;
  readonly groups: readonly number[];
}

/** One directory entry as getdents returns it. */
export interface DirEntry {
  name: string;
  /** DType (libuv's UV_DIRENT_* numbering). */
  type: number;
  ino: number;
}

/** A record lock (fcntl F_GETLK/F_SETLK/F_SETLKW), byte range [start, start+len). len 0 = to EOF. */
export interface RecordLock {
  type: number; // F_RDLCK | F_WRLCK | F_UNLCK
  whence: number; // SEEK_SET | SEEK_CUR | SEEK_END
  start: number;
  len: number;
  /** Filled by getlk: the holder's pid (context id). */
  pid?: number;
}

/** Events for watchers (fs.watch / fs.watchFile). */
export interface WatchEvent {
  /** 'rename' when a name appears or disappears, 'change' when data or attributes change. */
  type: 'rename' | 'change';
  /** The name inside the watched directory, or the watched file's own name. */
  name: string;
}

export interface Watcher {
  close(): void;
}

export interface Sys {
  readonly pid: number;
  readonly cred: Cred;
  umask: number;

  // ---- attributes (read path: restartable; they wait only on remote mounts)
  stat(path: string, out: StatBuf): Op<void>;
  lstat(path: string, out: StatBuf): Op<void>;
  fstat(fd: number, out: StatBuf): Op<void>;
  /** access(2): mode is F_OK or an OR of R_OK/W_OK/X_OK. */
  access(path: string, mode: number): Op<void>;
  /** Like stat but answers false instead of throwing (exists). */
  exists(path: string): Op<boolean>;
  readlink(path: string): Op<string>;
  /** Canonical absolute path (relative to the context's root). */
  realpath(path: string): Op<string>;
  statfs(path: string): Op<StatFs>;
  pathconf(path: string, name: number): Op<number>;
  fpathconf(fd: number, name: number): Op<number>;

  // ---- namespace changes
  mkdir(path: string, mode: number): Op<void>;
  rmdir(path: string): Op<void>;
  unlink(path: string): Op<void>;
  rename(from: string, to: string): Op<void>;
  link(existing: string, newPath: string): Op<void>;
  symlink(target: string, path: string): Op<void>;
  /** mknod(2): type in mode (S_IFREG, S_IFIFO, S_IFCHR, S_IFBLK, S_IFSOCK). */
  mknod(path: string, mode: number, dev: number): Op<void>;

  // ---- attribute changes (-1 keeps an id; UTIME_NOW / UTIME_OMIT in nsec)
  chmod(path: string, mode: number): Op<void>;
  lchmod(path: string, mode: number): Op<void>;
  fchmod(fd: number, mode: number): Op<void>;
  chown(path: string, uid: number, gid: number): Op<void>;
  lchown(path: string, uid: number, gid: number): Op<void>;
  fchown(fd: number, uid: number, gid: number): Op<void>;
  utimes(path: string, atimeSec: number, atimeNsec: number, mtimeSec: number, mtimeNsec: number): Op<void>;
  lutimes(path: string, atimeSec: number, atimeNsec: number, mtimeSec: number, mtimeNsec: number): Op<void>;
  futimes(fd: number, atimeSec: number, atimeNsec: number, mtimeSec: number, mtimeNsec: number): Op<void>;
  truncate(path: string, len: number): Op<void>;
  ftruncate(fd: number, len: number): Op<void>;
  chflags(path: string, flags: number): Op<void>;

  // ---- descriptors
  open(path: string, flags: number, mode: number): Op<number>;
  close(fd: number): Op<void>;
  /** position -1: use and advance the file offset. Returns bytes read (0 at EOF). */
  read(fd: number, buf: Uint8Array, off: number, len: number, position: number): Op<number>;
  write(fd: number, buf: Uint8Array, off: number, len: number, position: number): Op<number>;
  readv(fd: number, bufs: readonly Uint8Array[], position: number): Op<number>;
  writev(fd: number, bufs: readonly Uint8Array[], position: number): Op<number>;
  lseek(fd: number, offset: number, whence: number): Op<number>;
  fsync(fd: number): Op<void>;
  fdatasync(fd: number): Op<void>;
  dup(fd: number): number;
  /** Allocate `len` bytes at `offset` (posix_fallocate): grows the size, never shrinks. */
  fallocate(fd: number, offset: number, len: number): Op<void>;
  /** copy_file_range: copy between two descriptors without a user buffer. */
  copyFileRange(fdIn: number, posIn: number, fdOut: number, posOut: number, len: number): Op<number>;
  /** Open flags of a descriptor (F_GETFL). */
  fdFlags(fd: number): number;
  /** fcntl(F_SETFL): set the O_APPEND and O_NONBLOCK flags of the open file (the others are kept). */
  setFdFlags(fd: number, flags: number): void;
  /** poll(2) on one descriptor: the ready events among `events` (plus POLLERR/POLLHUP), 0 after timeoutMs (Infinity: no limit). */
  poll(fd: number, events: number, timeoutMs: number): Op<number>;

  // ---- directories
  /** Read up to `max` entries of an fd opened on a directory; [] at the end. */
  getdents(fd: number, max: number): Op<DirEntry[]>;
  /** Every entry of a directory at once (readdir), in the directory's order. */
  readdir(path: string): Op<DirEntry[]>;
  chdir(path: string): Op<void>;
  fchdir(fd: number): Op<void>;
  getcwd(): Op<string>;

  // ---- advisory locks
  getlk(fd: number, lock: RecordLock): Op<RecordLock>;
  setlk(fd: number, lock: RecordLock): Op<void>;
  setlkw(fd: number, lock: RecordLock): Op<void>;
  /** flock(2): LOCK_SH | LOCK_EX | LOCK_UN, optionally | LOCK_NB. */
  flock(fd: number, operation: number): Op<void>;

  // ---- watching (same thread now; across threads in shared mode)
  watch(path: string, options: { recursive: boolean }, listener: (ev: WatchEvent) => void): Watcher;
}
