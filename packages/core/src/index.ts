/**
 * @actorvfs/core: a POSIX file system in SharedArrayBuffer memory with
 * Node's fs API. See README.md for the tour and docs/ for the design.
 */

export { createVfs, Vfs, type VfsOptions, type ContextOptions, type FileSystem } from './create-vfs.js';
export { tmpfs, Tmpfs, type TmpfsOptions, type AtimePolicy } from './tmpfs/tmpfs.js';
export { hostFs, HostFs, type HostFsOptions, type NormalizedHostFsOptions, type HostWindow } from './hostfs/hostfs.js';
export { VfsError, type ErrnoCode } from './errno.js';
export {
  createNodeFs,
  Stats,
  BigIntStats,
  StatFs,
  Dirent,
  Dir,
  FileHandle,
  FSWatcher,
  StatWatcher,
  type VfsFs,
  type PathLike,
  type ReadStreamOptions,
  type WriteStreamOptions,
  type LockInfo,
  type LockOptions,
} from './fs/index.js';
export type { Clock } from './vfs/clock.js';
export type { MountOptions } from './vfs/mount.js';
export type { MountedFs, SharedFsSpec } from './vnode/vnode.js';
export * as constants from './constants.js';
