/**
 * createVfs(): an in-memory POSIX file system in this thread, with Node's fs
 * API. The root is a tmpfs whose state lives in SharedArrayBuffers; other
 * file systems can be mounted anywhere in the tree.
 */

import { fail, toVfsError } from './errno.js';
import { createNodeFs, type VfsFs } from './fs/index.js';
import { Tmpfs, type TmpfsOptions } from './tmpfs/tmpfs.js';
import { systemClock, type Clock } from './vfs/clock.js';
import { Kernel } from './vfs/kernel.js';
import type { Mount, MountOptions } from './vfs/mount.js';
import { lookupNode, newContext, type ContextOptions } from './vfs/context.js';
import type { MountedFs, Vnode } from './vnode/vnode.js';


export interface VfsOptions extends Omit<TmpfsOptions, 'clock'> {
  /** Clock for all timestamps (milliseconds since the epoch). Default: the system clock. */
  clock?: Clock;
  /** umask of `vfs.fs`. Default 0o022. */
  umask?: number;
}

export type { ContextOptions };

/** A file system that can be mounted (tmpfs(), hostFs(), portalFs(), ...). */
export type FileSystem = MountedFs;

export class Vfs {
  readonly kernel: Kernel;
  readonly rootFs: Tmpfs;
  /** The file system acting as root (uid 0, gid 0). */
  readonly fs: VfsFs;

  constructor(options: VfsOptions = {}) {
    const clock = options.clock ?? systemClock;
    this.rootFs = Tmpfs.create({ ...options, clock });
    const st = this.rootFs.st;
    this.kernel = new Kernel(this.rootFs, clock, () => st.nextId());
    this.fs = createNodeFs(newContext(this.kernel, { uid: 0, gid: 0, groups: [0], umask: options.umask ?? 0o022 }));
  }

  /** The file system as seen by another user, optionally confined to a subtree. */
  context(options: ContextOptions): VfsFs {
    return createNodeFs(newContext(this.kernel, options));
  }

  /** Mount `fileSystem` on the directory at `path`. */
  mount(path: string, fileSystem: FileSystem, options: MountOptions = {}): void {
    const covered = lookupNode(this.kernel, path, 'mount');
    try {
      this.kernel.mount(covered, fileSystem, options);
    } catch (e) {
      this.release(covered);
      throw toVfsError(e, 'mount', path);
    }
  }

  /** Unmount the file system mounted at `path` (EBUSY while it is in use). */
  unmount(path: string): void {
    const m = this.mountAt(path, 'umount');
    try {
      this.kernel.unmount(m);
    } catch (e) {
      throw toVfsError(e, 'umount', path);
    }
  }

  /** Change a mount's flags, e.g. read-write to read-only. */
  remount(path: string, options: MountOptions): void {
    this.kernel.remount(this.mountAt(path, 'mount'), options);
  }

  private mountAt(path: string, syscall: string): Mount {
    const vp = lookupNode(this.kernel, path, syscall);
    this.release(vp);
    const m = vp.mount as Mount;
    if (m.covered === null || vp.ino !== m.root.ino) throw toVfsError(fail('EINVAL'), syscall, path);
    return m;
  }

  private release(vp: Vnode): void {
    this.kernel.vrele(vp);
  }
}

export function createVfs(options?: VfsOptions): Vfs {
  return new Vfs(options);
}
