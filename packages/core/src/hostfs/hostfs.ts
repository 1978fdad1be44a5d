/**
 * hostfs: the host pass-through file system (rumpfs's "etfs", extra-
 * terrestrial file system), mountable anywhere in the tree:
 *
 *   vfs.mount('/data', hostFs({ path: '/srv/data' }));                  // a directory and its subtree
 *   vfs.mount('/drop', hostFs({ path: '/srv/drop', subtree: false }));  // a directory's own entries
 *   vfs.mount('/etc/motd', hostFs({ path: '/srv/motd' }));              // a file, over a regular file
 *   vfs.mount('/disk.img', hostFs({ path: '/srv/img', offset: 4096, length: 1 << 20 })); // a byte window
 *
 * This file holds the mount-level operations (vfsops): options, the root,
 * node numbers and references, trivial locks, statfs. The vnode operations
 * are in vnops.ts (names and attributes), rename.ts, io.ts (open files) and
 * advlock.ts; how host objects are reached without leaving the root is in
 * resolve.ts, the rules that keep it contained are summed up in README.md.
 *
 * Threads: the host serialises what we ask of it, and every call is made in
 * one thread (the caller in embedded mode, the mount's actor in shared
 * mode), so locks only check that a handle is still current. All state is
 * per instance: the actor rebuilds its own with `hostFs(hostfs.options)`.
 */

import { NAME_MAX } from '../constants.js';
import { fail, toVfsError } from '../errno.js';
import type { StatFs } from '../vfs/sys.js';
import { Vnode, VType, type MountedFs, type SharedFsSpec, type VnodeMount, type VopVector } from '../vnode/vnode.js';
import { noteLock } from '../vnode/vops.js';
import { AdvLocks } from './advlock.js';
import { DirCache } from './dircache.js';
import { O_DIRECTORY, O_NOFOLLOW, O_PATH, at, close, fstat, host, lstat, nodeFs, open, pinned } from './host.js';
import { NodeTable, type HostNode } from './nodes.js';
import { normalizeOptions, type HostFsOptions, type NormalizedHostFsOptions } from './options.js';
import { dirOps, lnkOps, noOps, regOps, specialOps } from './vnops.js';

const ST_RDONLY = 1;

/** A byte window of a host file: node size is `length`, node byte i is host byte offset + i. */
export interface HostWindow {
  readonly offset: number;
  readonly length: number;
}

export class HostFs implements MountedFs {
  readonly type = 'hostfs';
  /** Shared mode: one actor thread rebuilds it from the options and serves every thread. */
  get shared(): SharedFsSpec {
    return { mode: 'actor', module: '@actorvfs/core', export: 'hostFs', options: this.options };
  }
  /** Normalised options: `hostFs(this.options)` maps the same thing (shared mode rebuilds with it). */
  readonly options: Readonly<NormalizedHostFsOptions>;
  /** Refuse every change with EROFS. */
  readonly readonly: boolean;
  /** Directory mapping: subdirectories are visible. */
  readonly subtree: boolean;
  /** File mapping with a byte window, or null. */
  readonly window: HostWindow | null;
  readonly nodes: NodeTable;
  readonly root: HostNode;
  readonly dirCache = new DirCache();
  readonly locks = new AdvLocks();
  /** Host descriptors of open files (closed on unmount if the VFS did not). */
  readonly openFds = new Set<number>();
  private readonly covered = new Set<number>();
  private rootDescriptor: number;

  constructor(options: HostFsOptions) {
    const { options: normalized, kind } = normalizeOptions(options);
    this.options = Object.freeze(normalized);
    this.readonly = normalized.readonly;
    this.subtree = normalized.subtree !== false;
    this.window = normalized.length !== undefined ? { offset: normalized.offset ?? 0, length: normalized.length } : null;
    this.rootDescriptor = openRoot(normalized.path, kind === 'dir');
    this.nodes = new NodeTable((node) => {
      this.dirCache.drop(node);
      this.locks.forget(node.ino);
    });
    try {
      this.root = this.nodes.addRoot(host(() => fstat(this.rootDescriptor)));
    } catch (e) {
      close(this.rootDescriptor);
      throw toVfsError(e, 'hostfs', normalized.path);
    }
  }

  /** The root's O_PATH descriptor; EIO once unmounted (its number may belong to someone else by then). */
  get rootFd(): number {
    if (this.rootDescriptor < 0) throw fail('EIO');
    return this.rootDescriptor;
  }

  rootIno(): number {
    return this.root.ino;
  }

  opsFor(type: VType): Required<VopVector> {
    switch (type) {
      case VType.Dir:
        return dirOps;
      case VType.Reg:
        return regOps;
      case VType.Lnk:
        return lnkOps;
      case VType.Fifo:
      case VType.Sock:
      case VType.Chr:
      case VType.Blk:
        return specialOps;
      default:
        return noOps;
    }
  }

  vget(mount: VnodeMount, ino: number): Vnode | null {
    const node = this.nodes.get(ino);
    if (node === undefined) return null;
    return mount.cache.get(ino, node.gen) ?? mount.cache.put(new Vnode(mount, ino, node.gen, node.type, this.opsFor(node.type)));
  }

  /** The node a handle names. => ENOENT if the handle is stale. */
  nodeOf(vp: Vnode): HostNode {
    const node = this.nodes.get(vp.ino);
    if (node === undefined || node.gen !== vp.gen) throw fail('ENOENT');
    return node;
  }

  /** A handle for node in the mount of `like` (a vnode of this file system). */
  vnodeFor(like: Vnode, node: HostNode): Vnode {
    return this.vget(like.mount, node.ino)!;
  }

  ref(vp: Vnode): void {
    const node = this.nodes.get(vp.ino);
    if (node !== undefined) node.refs++;
  }

  isCurrent(vp: Vnode): boolean {
    return this.nodes.get(vp.ino)?.gen === vp.gen;
  }

  rele(vp: Vnode): boolean {
    const node = this.nodes.get(vp.ino);
    if (node === undefined || node.refs === 0) return false;
    return --node.refs === 0;
  }

  /**
   * The host serialises for us: a lock only checks that the handle is
   * current, and marks the span in which one validation of the node's place
   * serves every op (resolve.ts, rule 5).
   */
  lock(vp: Vnode, exclusive: boolean): void {
    const node = this.nodes.get(vp.ino);
    if (node === undefined || node.gen !== vp.gen) throw fail('ENOENT');
    node.holds++;
    noteLock(vp, exclusive ? 'E' : 'S');
  }

  unlock(vp: Vnode): void {
    noteLock(vp, 'U');
    const node = this.nodes.get(vp.ino);
    if (node !== undefined && node.gen === vp.gen && node.holds > 0 && --node.holds === 0) node.validWhileHeld = false;
  }

  /** No optimistic reads: the VFS always locks (cheap here). */
  readBegin(_vp: Vnode): number {
    return -1;
  }

  readValid(_vp: Vnode, _token: number): boolean {
    return false;
  }

  setMountpoint(ino: number, covered: boolean): void {
    if (covered) this.covered.add(ino);
    else this.covered.delete(ino);
  }

  isMountpoint(ino: number): boolean {
    return this.covered.has(ino);
  }

  statfs(): StatFs {
    const s = host(() => nodeFs.statfsSync(pinned(this.rootFd), { bigint: false }));
    return {
      type: s.type,
      bsize: s.bsize,
      frsize: s.bsize,
      blocks: s.blocks,
      bfree: s.bfree,
      bavail: s.bavail,
      files: s.files,
      ffree: s.ffree,
      namemax: NAME_MAX,
      flags: this.readonly ? ST_RDONLY : 0,
    };
  }

  purgeOwners(test: (owner: number) => boolean): void {
    this.locks.purge(test);
  }

  busy(): boolean {
    return this.openFds.size > 0;
  }

  /** Close every host descriptor. The instance answers EIO afterwards. */
  unmount(): void {
    if (this.rootDescriptor < 0) return;
    this.dirCache.clear();
    for (const fd of this.openFds) close(fd);
    this.openFds.clear();
    for (const node of this.nodes.all()) node.fds.length = 0;
    close(this.rootDescriptor);
    this.rootDescriptor = -1;
  }

  /** Live nodes (statistics and tests). */
  nodeCount(): number {
    return this.nodes.size;
  }
}

/**
 * Open the root as an O_PATH descriptor (never following a symlink: the path
 * is already real) and check that Linux's /proc/self/fd magic links reach it,
 * since every later host call goes through them. Without them hostfs cannot
 * be contained, so it refuses to start (EOPNOTSUPP).
 */
function openRoot(path: string, isDir: boolean): number {
  let fd: number;
  try {
    fd = host(() => open(path, O_PATH | O_NOFOLLOW | (isDir ? O_DIRECTORY : 0)));
  } catch (e) {
    throw toVfsError(e, 'hostfs', path);
  }
  try {
    const own = fstat(fd);
    const seen = isDir ? lstat(at(fd, '.')) : nodeFs.statSync(pinned(fd), { bigint: true });
    const byPath = lstat(path);
    if (seen.ino !== own.ino || seen.dev !== own.dev || byPath.ino !== own.ino || byPath.dev !== own.dev) throw new Error('mismatch');
  } catch {
    close(fd);
    throw toVfsError(fail('EOPNOTSUPP'), 'hostfs', path);
  }
  return fd;
}

/** A file system that maps a host file or directory, for `vfs.mount()`. */
export function hostFs(options: HostFsOptions): HostFs {
  return new HostFs(options);
}

export type { HostFsOptions, NormalizedHostFsOptions };
