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
import { Lookup, Nameidata, namei } from './vfs/namei.js';
import { Proc } from './vfs/proc.js';
import type { Cred } from './vfs/sys.js';
import { runSync } from './vfs/wait.js';
import type { MountedFs, Vnode } from './vnode/vnode.js';
import { VType } from './vnode/vnode.js';

export interface VfsOptions extends Omit<TmpfsOptions, 'clock'> {
  /** Clock for all timestamps (milliseconds since the epoch). Default: the system clock. */
  clock?: Clock;
  /** umask of `vfs.fs`. Default 0o022. */
  umask?: number;
}

export interface ContextOptions {
  uid: number;
  gid: number;
  /** Supplementary groups. Default: [gid]. */
  groups?: readonly number[];
  /** Default 0o022. */
  umask?: number;
  /** The context's root directory: it can never see above it. Default '/'. */
  root?: string;
  /** Working directory, inside root. Default: the root. */
  cwd?: string;
}

/** A file system that can be mounted (tmpfs(), hostFs(), portalFs(), ...). */
export type FileSystem = MountedFs;

export class Vfs {
  readonly kernel: Kernel;
  readonly rootFs: Tmpfs;
  /** The file system acting as root (uid 0, gid 0). */
  readonly fs: VfsFs;
  private readonly admin: Proc;

  constructor(options: VfsOptions = {}) {
    const clock = options.clock ?? systemClock;
    this.rootFs = Tmpfs.create({ ...options, clock });
    const st = this.rootFs.st;
    this.kernel = new Kernel(this.rootFs, clock, () => st.nextId());
    const root = this.kernel.rootMount.root;
    this.admin = this.newProc({ uid: 0, gid: 0, groups: [0] }, options.umask ?? 0o022, root, root);
    this.fs = createNodeFs(this.admin);
  }

  private newProc(cred: Cred, umask: number, root: Vnode, cwd: Vnode): Proc {
    for (const vp of [root, cwd]) {
      this.kernel.vref(vp);
      this.kernel.hold(vp);
    }
    return new Proc(this.kernel, { cred, umask, root, cwd });
  }

  /** The file system as seen by another user, optionally confined to a subtree. */
  context(options: ContextOptions): VfsFs {
    const cred = checkCred(options);
    const root = options.root === undefined ? this.kernel.rootMount.root : this.lookupDir(this.admin, options.root, 'chroot');
    const proc = this.newProc(cred, options.umask ?? 0o022, root, root);
    if (options.root !== undefined) this.release(root);
    if (options.cwd !== undefined) {
      try {
        runSync(proc.chdir(options.cwd));
      } catch (e) {
        throw toVfsError(e, 'chdir', options.cwd);
      }
    }
    return createNodeFs(proc);
  }

  /** Mount `fileSystem` on the directory at `path`. */
  mount(path: string, fileSystem: FileSystem, options: MountOptions = {}): void {
    const covered = this.lookupDir(this.admin, path, 'mount');
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
    const vp = this.lookupDir(this.admin, path, syscall);
    this.release(vp);
    const m = vp.mount as Mount;
    if (m.covered === null || vp.ino !== m.root.ino) throw toVfsError(fail('EINVAL'), syscall, path);
    return m;
  }

  /** Resolve a directory as `proc`; => returns it referenced. */
  private lookupDir(proc: Proc, path: string, syscall: string): Vnode {
    const nd = new Nameidata();
    try {
      namei(proc, path, Lookup.Follow, nd);
    } catch (e) {
      throw toVfsError(e, syscall, path);
    }
    const vp = nd.vp!;
    if (vp.type !== VType.Dir) throw toVfsError(fail('ENOTDIR'), syscall, path);
    try {
      this.kernel.vrefCurrent(vp);
    } catch (e) {
      throw toVfsError(e, syscall, path);
    }
    return vp;
  }

  private release(vp: Vnode): void {
    this.kernel.vrele(vp);
  }
}

function checkCred(o: ContextOptions): Cred {
  const id = (v: unknown, name: string): number => {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 0xffffffff) {
      throw new TypeError(`context: ${name} must be an integer between 0 and 4294967295`);
    }
    return v;
  };
  const uid = id(o.uid, 'uid');
  const gid = id(o.gid, 'gid');
  const groups = (o.groups ?? [gid]).map((g, i) => id(g, `groups[${i}]`));
  return { uid, gid, groups };
}

export function createVfs(options?: VfsOptions): Vfs {
  return new Vfs(options);
}
