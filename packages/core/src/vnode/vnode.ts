/**
 * Vnodes: one thread's handle on a node of a mounted file system.
 *
 * The node itself (attributes, lock word, reference count) lives in the file
 * system's store, shared by every thread. A Vnode object is only this
 * thread's cached handle: the mount, the node id, the generation the id had
 * when the handle was made, the type (which never changes) and the op vector
 * for that type. Handles are cheap and unreferenced; a *reference* (vref) is
 * a count in the shared store that keeps the node alive after its last link
 * is removed, which is what open files and working directories hold.
 *
 * Life cycle, as in NetBSD: vref/vrele move the shared use count; when the
 * count drops to zero the file system's `inactive` op runs and frees the node
 * if it has no links left (reclaim). The per-mount VnodeCache forgets handles
 * whose generation moved on.
 */

import type { Errno } from '../errno.js';
import type { Cred, DirEntry, StatBuf } from '../vfs/sys.js';
import type { Op } from '../vfs/wait.js';
import type { VopName } from './vop-table.js';

/** Vnode types; numbered like libuv dirent types (and DType in the store). */
export const enum VType {
  Non = 0,
  Reg = 1,
  Dir = 2,
  Lnk = 3,
  Fifo = 4,
  Sock = 5,
  Chr = 6,
  Blk = 7,
}

/** Attributes for create and setattr. An absent field means "leave as is". */
export interface VAttr {
  type?: VType;
  mode?: number;
  uid?: number;
  gid?: number;
  rdev?: number;
  size?: number;
  flags?: number;
  atimeSec?: number;
  atimeNsec?: number;
  mtimeSec?: number;
  mtimeNsec?: number;
  /** setattr of times: the caller asked for "now" (utimes(NULL)), which needs only write permission. */
  timesNow?: boolean;
}

/** An open file description as ops see it (see vfs/file.ts). */
export interface FileRef {
  readonly flags: number;
  /** Owner id for flock and OFD locks: unique per open file description. */
  readonly id: number;
  /** Credentials of the opener (set-id clearing on write uses them). */
  readonly cred: Cred;
  /** Set by write: the file offset just past the bytes written (O_APPEND needs it). */
  endPos: number;
  /** What the file system keeps per open file (a host descriptor, a stream); set by its open op. */
  data: unknown;
}

export interface AdvlockRequest {
  type: number; // F_RDLCK / F_WRLCK / F_UNLCK
  start: number;
  /** Inclusive end, or Infinity for "to EOF and beyond". */
  end: number;
  pid?: number;
}

export const enum AdvOp {
  GetLk = 1,
  SetLk = 2,
  SetLkW = 3,
}

export const enum AdvFlags {
  /** POSIX record lock, owned by a process (context). */
  Posix = 1,
  /** flock: owned by an open file description, whole file. */
  Flock = 2,
}

/**
 * The op vector of one vnode type of one file system. Signatures follow
 * VOP_TABLE (vop-table.ts): `read` ops are plain calls made under the
 * caller's lock, `io` ops are generators, `mutate` ops are plain calls made
 * by the mount's actor. A missing op means EOPNOTSUPP (see vops.ts).
 */
export interface VopVector {
  lookup?(dvp: Vnode, name: string, nameLen: number): Vnode | null;
  access?(vp: Vnode, mode: number, cred: Cred): void;
  getattr?(vp: Vnode, out: StatBuf): void;
  readlink?(vp: Vnode): string;
  readdir?(vp: Vnode, pos: number, max: number, out: DirEntry[]): number;
  pathconf?(vp: Vnode, name: number): number;
  seekhole?(vp: Vnode, pos: number, whence: number): number;

  open?(vp: Vnode, file: FileRef, cred: Cred): Op<void>;
  close?(vp: Vnode, file: FileRef): Op<void>;
  read?(vp: Vnode, file: FileRef, buf: Uint8Array, off: number, len: number, pos: number): Op<number>;
  write?(vp: Vnode, file: FileRef, buf: Uint8Array, off: number, len: number, pos: number): Op<number>;
  fsync?(vp: Vnode, file: FileRef): Op<void>;
  advlock?(vp: Vnode, owner: number, op: AdvOp, lock: AdvlockRequest, flags: AdvFlags): Op<AdvlockRequest | null>;
  poll?(vp: Vnode, file: FileRef, events: number, timeoutMs: number): Op<number>;

  create?(dvp: Vnode, name: string, nameLen: number, attr: VAttr, cred: Cred): Vnode;
  mkdir?(dvp: Vnode, name: string, nameLen: number, attr: VAttr, cred: Cred): void;
  symlink?(dvp: Vnode, name: string, nameLen: number, target: string, attr: VAttr, cred: Cred): void;
  link?(dvp: Vnode, vp: Vnode, name: string, nameLen: number, cred: Cred): void;
  remove?(dvp: Vnode, name: string, nameLen: number, cred: Cred): void;
  rmdir?(dvp: Vnode, name: string, nameLen: number, cred: Cred): void;
  rename?(fdvp: Vnode, tdvp: Vnode, fname: string, fnameLen: number, tname: string, tnameLen: number, cred: Cred): void;
  setattr?(vp: Vnode, attr: VAttr, cred: Cred): void;
  whiteout?(dvp: Vnode, name: string, nameLen: number, op: WhiteoutOp): void;
  inactive?(vp: Vnode): void;
}

export const enum WhiteoutOp {
  Create = 1,
  Delete = 2,
}

// Compile-time check that the interface and the table name the same ops.
type Missing = Exclude<VopName, keyof VopVector> | Exclude<keyof VopVector, VopName>;
const vopVectorMatchesTable: [Missing] extends [never] ? true : Missing = true;
void vopVectorMatchesTable;

/**
 * How a shared file system (SharedVfs) serves a file system in threads other
 * than the one that made it. The instance itself cannot cross threads: each
 * thread that needs one builds it by calling `module`'s export `export` with
 * `options` (a plain JSON value), so options must say everything.
 *
 * - 'actor': the mount's actor thread builds the one instance and serves
 *   every vnode op of every thread over its request ring (hostfs: one
 *   thread owns the host descriptors; host I/O never blocks a caller's
 *   event loop when called through the promise API).
 * - 'replica': every thread builds its own instance (a portal: a namespace
 *   with no stored state, and open streams that belong to the opener's
 *   thread). The module must load without top-level await: attached threads
 *   load it synchronously on their first lookup under the mount.
 */
export interface SharedFsSpec {
  readonly mode: 'actor' | 'replica';
  /** A package name or absolute file URL, importable from @actorvfs/workers. */
  readonly module: string;
  /** The factory's export name: `(options) => MountedFs`. */
  readonly export: string;
  readonly options: unknown;
}

/** What a mounted file system exposes to the VFS (its vfsops). */
export interface MountedFs {
  readonly type: string;
  /** How SharedVfs shares it across threads; absent: it cannot be mounted on a SharedVfs (tmpfs is built in). */
  readonly shared?: SharedFsSpec;
  /**
   * Lookups in this file system's directories take the whole rest of the
   * path, slashes included (a trailing slash too), as one name, and the
   * result ends the walk (the portal: puffs's LOOKUP_FULLPNBUF with
   * pcn_consume). A leading "." or ".." is still namei's.
   */
  readonly lookupRest?: boolean;
  /**
   * Lookup with its search-permission check (X_OK on `dvp` for `cred`) in one
   * step, for a file system where every op is a round trip to another thread
   * (namei uses it instead of access + lookup when present). Same answers and
   * errors, in the same order, as the two ops.
   */
  lookupChecked?(dvp: Vnode, name: string, nameLen: number, cred: import('../vfs/sys.js').Cred): Vnode | null;
  /** Root node id. */
  rootIno(): number;
  /** A handle for node `ino`, or null if it no longer exists. */
  vget(mount: VnodeMount, ino: number): Vnode | null;
  /** Take/drop a reference on the node (its shared use count). */
  ref(vp: Vnode): void;
  /**
   * Shared mode: count as this thread's a reference another thread (the
   * actor) took for it, and hand the request slot back (store 0 into
   * `handoff[index]`) in the same step.
   */
  adoptRef?(vp: Vnode, handoff: Int32Array, index: number): void;
  /** Does the handle still name a live node (same generation)? */
  isCurrent(vp: Vnode): boolean;
  /** => returns true when the count reached zero (the caller runs inactive). */
  rele(vp: Vnode): boolean;
  /** Lock a node; throws ENOENT if the handle is stale (the node was freed). */
  lock(vp: Vnode, exclusive: boolean): void;
  unlock(vp: Vnode): void;
  /**
   * Optimistic reads (read ops called without the lock): readBegin returns a
   * token, or -1 if a writer is active (then lock instead); after reading,
   * readValid says whether what was read is consistent and the handle still
   * current. A file system without optimistic reads returns -1 always.
   */
  readBegin(vp: Vnode): number;
  readValid(vp: Vnode, token: number): boolean;
  statfs(): import('../vfs/sys.js').StatFs;
  /** Mark/unmark a directory as covered by a mount (speeds up namei). */
  setMountpoint?(ino: number, covered: boolean): void;
  /** Is the directory a mount point? (Fast path for namei; absent = ask the mount table.) */
  isMountpoint?(ino: number): boolean;
  /** Called once when the file system is unmounted or the VFS closes. */
  unmount?(): void;
  /**
   * Release every advisory lock whose owner (context pid or open file id)
   * passes `test`: shared mode, for a dead thread's locks in a file system
   * that keeps them outside the store.
   */
  purgeOwners?(test: (owner: number) => boolean): void;
  /** True if any node of this file system is still referenced (EBUSY on unmount). */
  busy?(): boolean;
}

/** The part of a Mount that vnodes and file systems see. */
export interface VnodeMount {
  readonly id: number;
  readonly fs: MountedFs;
  readonly readonly: boolean;
  readonly cache: VnodeCache;
}

export class Vnode {
  constructor(
    readonly mount: VnodeMount,
    readonly ino: number,
    readonly gen: number,
    readonly type: VType,
    /** Complete vector (vops.ts completeVector): every op present. */
    readonly ops: Required<VopVector>,
  ) {}
}

/**
 * Per-mount, per-thread cache of handles by node id. Entries are validated
 * by generation on use. Two generations bound its size without a pause:
 * new handles go into the young map; when it is full it becomes the old
 * one (the previous old one is dropped), and a hit in the old map moves the
 * handle back to the young one. A handle held elsewhere stays valid either
 * way: a node's identity is (ino, gen), not the object.
 */
export class VnodeCache {
  private young = new Map<number, Vnode>();
  private old = new Map<number, Vnode>();
  constructor(private readonly limit = 1 << 15) {}

  get(ino: number, gen: number): Vnode | undefined {
    let vp = this.young.get(ino);
    if (vp === undefined) {
      vp = this.old.get(ino);
      if (vp === undefined) return undefined;
      this.put(vp);
    }
    return vp.gen === gen ? vp : undefined;
  }

  put(vp: Vnode): Vnode {
    if (this.young.size >= this.limit) {
      this.old = this.young;
      this.young = new Map();
    }
    this.young.set(vp.ino, vp);
    return vp;
  }

  forget(ino: number): void {
    this.young.delete(ino);
    this.old.delete(ino);
  }

  get size(): number {
    return this.young.size + this.old.size;
  }
}

export type { Errno };
