/**
 * tmpfs: the in-memory file system, successor of NetBSD's rumpfs. All of its
 * state is in a Store (SharedArrayBuffers); this object is one thread's
 * window onto it plus its op vectors. Mount-level operations (vfsops) live
 * here; the vnode operations are in vnops.ts (directories and attributes),
 * io.ts (regular-file data), rename.ts, fifo.ts, spec.ts and advlock.ts.
 *
 * Who may touch what: any thread that holds the store may run the read path
 * (lookup, getattr, readdir, read) under shared vnode locks, and write file
 * data under an exclusive lock. Namespace and attribute changes (the
 * `mutate` ops) are made by one thread per mount, the actor, so they never
 * race each other; they lock only to keep readers out while they change
 * things. In embedded mode that one thread is simply the caller.
 */

import { fail } from '../errno.js';
import { S_IFDIR, S_IFMT, S_IFREG, S_IFLNK, S_IFIFO, S_IFSOCK, S_IFCHR, S_IFBLK, NAME_MAX } from '../constants.js';
import { D_PARENT, I_GEN, I_IFLAGS, I_LOCK, I_MODE, I_NLINK, I_USE, IF_MOUNTPOINT, iw } from '../store/inode.js';
import { SB, PAGE_SIZE } from '../store/layout.js';
import { rwEnterExclusive, rwEnterShared, rwExit, rwTryEnterExclusive, rwTryEnterShared, seqRead, seqValid } from '../store/lock.js';
import { pagesAvailable } from '../store/pages.js';
import { Store, type StoreImage, type StoreOptions } from '../store/store.js';
import { systemClock, type Clock } from '../vfs/clock.js';
import type { StatFs } from '../vfs/sys.js';
import { Vnode, VType, type MountedFs, type VnodeMount, type VopVector } from '../vnode/vnode.js';
import { noteLock } from '../vnode/vops.js';
import { nodeAlloc, nodeFree } from './subr.js';
import { dirOps, fifoOps, lnkOps, noOps, regOps, sockOps, specOps } from './vnops.js';

export type AtimePolicy = 'relatime' | 'noatime' | 'strict';

export interface TmpfsOptions extends StoreOptions {
  /** When reads update atime. Default 'relatime' (as Linux). */
  atime?: AtimePolicy;
  /** Root directory mode, owner and group. Default 0o755, 0, 0. */
  rootMode?: number;
  rootUid?: number;
  rootGid?: number;
  /** Clock for timestamps. Default: the VFS's clock. */
  clock?: Clock;
}

/** Per-thread attach info for a tmpfs whose store lives elsewhere. */
export interface TmpfsImage {
  store: StoreImage;
  atime: AtimePolicy;
}

const TMPFS_MAGIC = 0x01021994; // Linux's TMPFS_MAGIC, reported by statfs

export class Tmpfs implements MountedFs {
  readonly type = 'tmpfs';
  readonly st: Store;
  clock: Clock;
  clockSet: boolean;
  readonly atime: AtimePolicy;
  /** Thread slot used as the owner of exclusive locks. */
  tid = 1;

  private constructor(st: Store, atime: AtimePolicy, clock: Clock | undefined) {
    this.st = st;
    this.atime = atime;
    this.clock = clock ?? systemClock;
    this.clockSet = clock !== undefined;
  }

  static create(options: TmpfsOptions = {}): Tmpfs {
    const st = Store.create(options);
    st.sb[SB.HASH_SEED] = (Math.random() * 0x100000000) | 0;
    const fs = new Tmpfs(st, options.atime ?? 'relatime', options.clock);
    const root = nodeAlloc(fs, VType.Dir, S_IFDIR | ((options.rootMode ?? 0o755) & 0o7777), options.rootUid ?? 0, options.rootGid ?? 0, 0);
    const w = st.i32s[root >>> 20]!;
    w[iw(root) + I_NLINK] = 2;
    w[iw(root) + D_PARENT] = root;
    Atomics.add(w, iw(root) + I_USE, 1); // the mount holds the root
    st.sb[SB.ROOT] = root;
    return fs;
  }

  /** Another thread's window onto an existing tmpfs. */
  static attach(image: TmpfsImage): Tmpfs {
    return new Tmpfs(Store.attach(image.store), image.atime, undefined);
  }

  image(): TmpfsImage {
    return { store: this.st.image(), atime: this.atime };
  }

  setClock(clock: Clock): void {
    if (!this.clockSet) this.clock = clock;
  }

  rootIno(): number {
    return this.st.sb[SB.ROOT]!;
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
        return fifoOps;
      case VType.Chr:
      case VType.Blk:
        return specOps;
      case VType.Sock:
        return sockOps;
      default:
        return noOps;
    }
  }

  vget(mount: VnodeMount, ino: number): Vnode | null {
    let w = this.st.i32s[ino >>> 20];
    if (w === undefined) {
      // Perhaps in a segment another thread added since this one last looked.
      this.st.sync();
      w = this.st.i32s[ino >>> 20];
      if (w === undefined) return null;
    }
    const b = iw(ino);
    const gen = Atomics.load(w, b + I_GEN);
    if (gen === 0) return null;
    const cached = mount.cache.get(ino, gen);
    if (cached !== undefined) return cached;
    const type = modeToVType(w[b + I_MODE]!);
    return mount.cache.put(new Vnode(mount, ino, gen, type, this.opsFor(type)));
  }

  ref(vp: Vnode): void {
    const j = this.st.journal;
    if (j !== null) j.ref(this.st, vp.ino);
    else Atomics.add(this.st.i32s[vp.ino >>> 20]!, iw(vp.ino) + I_USE, 1);
  }

  /**
   * A reference taken for the caller of a mutating op (create returns its
   * node referenced). On an actor it is the requesting thread's: it is not
   * counted in the actor's table, and the requester adopts it (adoptRef).
   */
  refForCaller(vp: Vnode): void {
    const j = this.st.journal;
    if (j !== null) j.add(this.st, vp.ino >>> 20, iw(vp.ino) + I_USE, 1);
    else Atomics.add(this.st.i32s[vp.ino >>> 20]!, iw(vp.ino) + I_USE, 1);
  }

  /** Count as this thread's a reference another thread took for it (refForCaller), handing the slot back. */
  adoptRef(vp: Vnode, handoff: Int32Array, index: number): void {
    const j = this.st.journal;
    if (j !== null) j.adoptRef(this.st, vp.ino, handoff, index);
    else Atomics.store(handoff, index, 0);
  }

  isCurrent(vp: Vnode): boolean {
    const w = this.st.i32s[vp.ino >>> 20]!;
    // A negative use count: being freed right now (reclaimIfUnused).
    return Atomics.load(w, iw(vp.ino) + I_GEN) === vp.gen && Atomics.load(w, iw(vp.ino) + I_USE) >= 0;
  }

  rele(vp: Vnode): boolean {
    const j = this.st.journal;
    if (j !== null) return j.rele(this.st, vp.ino);
    return Atomics.sub(this.st.i32s[vp.ino >>> 20]!, iw(vp.ino) + I_USE, 1) === 1;
  }

  lock(vp: Vnode, exclusive: boolean): void {
    const st = this.st;
    st.sync();
    const j = st.journal;
    if (j !== null) {
      j.lockVnode(st, vp.ino, exclusive);
      // Whatever the last holder did is visible now, segments it added included.
      st.sync();
      if (st.i32s[vp.ino >>> 20]![iw(vp.ino) + I_GEN] !== vp.gen) {
        j.unlockVnode(st, vp.ino);
        throw fail('ENOENT');
      }
      noteLock(vp, exclusive ? 'E' : 'S');
      return;
    }
    const w = st.i32s[vp.ino >>> 20]!;
    const i = iw(vp.ino) + I_LOCK;
    if (exclusive ? !rwTryEnterExclusive(w, i, this.tid) : !rwTryEnterShared(w, i)) {
      // With no other thread attached nobody can ever release it: a leaked lock, not a wait.
      if (Atomics.load(st.sb, SB.THREADS) <= 1) throw new Error(`actorvfs: lock of inode ${vp.ino} is held and no other thread is attached (leaked lock)`);
      if (exclusive) rwEnterExclusive(w, i, this.tid);
      else rwEnterShared(w, i);
      st.sync();
    }
    if (w[iw(vp.ino) + I_GEN] !== vp.gen) {
      rwExit(w, i);
      throw fail('ENOENT');
    }
    noteLock(vp, exclusive ? 'E' : 'S');
  }

  unlock(vp: Vnode): void {
    noteLock(vp, 'U');
    const j = this.st.journal;
    if (j !== null) j.unlockVnode(this.st, vp.ino);
    else rwExit(this.st.i32s[vp.ino >>> 20]!, iw(vp.ino) + I_LOCK);
  }

  readBegin(vp: Vnode): number {
    const w = this.st.i32s[vp.ino >>> 20];
    if (w === undefined) return -1;
    const seq = seqRead(w, iw(vp.ino) + I_LOCK);
    // After the sequence: segments added before the last change are mapped.
    this.st.sync();
    return seq;
  }

  readValid(vp: Vnode, seq: number): boolean {
    const w = this.st.i32s[vp.ino >>> 20]!;
    const b = iw(vp.ino);
    return seqValid(w, b + I_LOCK, seq) && Atomics.load(w, b + I_GEN) === vp.gen;
  }

  setMountpoint(ino: number, covered: boolean): void {
    const w = this.st.i32s[ino >>> 20]!;
    const b = iw(ino) + I_IFLAGS;
    w[b] = covered ? w[b]! | IF_MOUNTPOINT : w[b]! & ~IF_MOUNTPOINT;
  }

  isMountpoint(ino: number): boolean {
    return (this.st.i32s[ino >>> 20]![iw(ino) + I_IFLAGS]! & IF_MOUNTPOINT) !== 0;
  }

  statfs(): StatFs {
    const sb = this.st.sb;
    const limit = sb[SB.LIMIT_PAGES]!;
    const free = pagesAvailable(this.st);
    const inodes = sb[SB.INODES]!;
    // Without an inode limit, every free page could hold ~28 inodes.
    const maxInodes = sb[SB.LIMIT_INODES]! || inodes + free * Math.floor(PAGE_SIZE / 144);
    return {
      type: TMPFS_MAGIC,
      bsize: PAGE_SIZE,
      frsize: PAGE_SIZE,
      blocks: limit,
      bfree: free,
      bavail: free,
      files: maxInodes,
      ffree: Math.max(0, maxInodes - inodes),
      namemax: NAME_MAX,
      flags: 0,
    };
  }

  /** Live inodes (for statistics and tests). */
  inodeCount(): number {
    return this.st.sb[SB.INODES]!;
  }

  /** Free a node that has no links and no references (called by inactive). */
  reclaim(ino: number): void {
    nodeFree(this, ino);
  }
}

export function modeToVType(mode: number): VType {
  switch (mode & S_IFMT) {
    case S_IFREG:
      return VType.Reg;
    case S_IFDIR:
      return VType.Dir;
    case S_IFLNK:
      return VType.Lnk;
    case S_IFIFO:
      return VType.Fifo;
    case S_IFSOCK:
      return VType.Sock;
    case S_IFCHR:
      return VType.Chr;
    case S_IFBLK:
      return VType.Blk;
    default:
      return VType.Non;
  }
}

export function vtypeToMode(type: VType): number {
  switch (type) {
    case VType.Reg:
      return S_IFREG;
    case VType.Dir:
      return S_IFDIR;
    case VType.Lnk:
      return S_IFLNK;
    case VType.Fifo:
      return S_IFIFO;
    case VType.Sock:
      return S_IFSOCK;
    case VType.Chr:
      return S_IFCHR;
    case VType.Blk:
      return S_IFBLK;
    default:
      return 0;
  }
}

/** Create an in-memory file system for `vfs.mount()` (or as a VFS root). */
export function tmpfs(options?: TmpfsOptions): Tmpfs {
  return Tmpfs.create(options);
}
