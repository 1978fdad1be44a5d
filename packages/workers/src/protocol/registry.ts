/**
 * The registry: the one growable SharedArrayBuffer that ties a shared file
 * system together. Every thread that attaches finds everything else here:
 * the thread table (who is attached, and its request rings; what each
 * thread holds is in its journal, store/journal.ts),
 * the actor table (doorbells), the mount table, and the request rings.
 * Imported by both sides (main/, worker/, client/); imports neither.
 *
 * Layout (Int32 word indexes unless noted):
 *
 *   header        words 0..63
 *   thread table  MAX_THREADS slots of THREAD_WORDS
 *   actor table   MAX_ACTORS slots of ACTOR_WORDS
 *   mount table   MAX_MOUNTS slots of MOUNT_WORDS
 *   heap          bump-allocated bytes: rings, option blobs (never freed:
 *                 a thread slot reuses its rings when a new thread takes it)
 *
 * Tables only grow by claiming free slots under the registry mutex; the
 * heap grows the SharedArrayBuffer, which every thread sees at once.
 */

export const REGISTRY_MAGIC = 0x61767267; // 'avrg'
export const REGISTRY_VERSION = 1;
export const REGISTRY_MAX_BYTES = 1 << 30;

export const MAX_THREADS = 64;
export const MAX_ACTORS = 16;
export const MAX_MOUNTS = 64;

/** Header words. */
export const R = {
  MAGIC: 0,
  VERSION: 1,
  /** Mutex over table changes and the heap. */
  LOCK: 2,
  /** Bumped whenever a thread attaches or leaves (actors rescan their rings). */
  THREADS_GEN: 3,
  /** Bumped whenever the mount table changes (threads resync their mounts). */
  MOUNTS_GEN: 4,
  /** Bytes of the heap in use (offset of the next free byte of the SAB). */
  HEAP_TOP: 5,
  NEXT_MOUNT_ID: 6,
  /** Shared file system is closing: actors exit, calls fail with EIO. */
  CLOSING: 7,
  /** Watch event ring: offset (bytes), capacity (records), head (records written). */
  WATCH_RING: 8,
  WATCH_CAP: 9,
  WATCH_HEAD: 10,
  /** Number of watchers in all threads (events are written only when > 0). */
  WATCHERS: 11,
  /** Shared open file descriptions: table offset (bytes) and capacity. */
  FILES: 12,
  FILES_CAP: 13,
  /** Reclamation epoch (starts at 1): see T.EPOCH and the actor's limbo. */
  EPOCH: 14,
} as const;

export const HEADER_WORDS = 64;

// ------------------------------------------------------------ thread table
export const THREAD_WORDS = 128;
export const T = {
  /** ThreadState. */
  STATE: 0,
  /** Node's threadId of the thread in the slot. */
  NODE_ID: 1,
  KIND: 2,
  /**
   * The global epoch when this thread's current system call began, 0 when it
   * is in none. Inode memory retired at epoch E is freed once no thread shows
   * an epoch <= E: nobody can still hold a handle into it.
   */
  EPOCH: 3,
  /** Byte offset of this thread's ring to each actor (0: none), MAX_ACTORS words. */
  RINGS: 4,
  /** Bytes of each of those rings, MAX_ACTORS words (an actor slot reused with bigger slots gets a new ring). */
  RING_BYTES: 20,
  /** 1 while the thread counts in R.WATCHERS (recovery takes a dead thread's count back). */
  WATCHING: 36,
} as const;

export const enum ThreadState {
  Free = 0,
  Live = 1,
  /** Died; the coordinator is releasing what it held. */
  Dead = 2,
}

/**
 * Ids a thread hands out (context pids, open-file ids: the owners of its
 * advisory locks) carry its slot in their top bits, so the coordinator can
 * tell a dead thread's locks from everyone else's.
 */
export const ID_THREAD_SHIFT = 24;

export const enum ThreadKind {
  Client = 1,
  Actor = 2,
  Coordinator = 3,
}

// ------------------------------------------------------------ actor table
export const ACTOR_WORDS = 32;
export const A = {
  STATE: 0,
  /** Thread slot of the actor's worker. */
  TID: 1,
  /** Doorbell: clients add 1 and notify after posting a request. */
  DOORBELL: 2,
  MOUNT_ID: 3,
  /** Slot payload size in bytes, and slots per ring. */
  SLOT_BYTES: 4,
  RING_SLOTS: 5,
  RESTARTS: 6,
  /** Requests served (statistics). */
  SERVED: 7,
} as const;

export const enum ActorState {
  Free = 0,
  Starting = 1,
  Running = 2,
  /** Dead; the coordinator is recovering and restarting it. */
  Recovering = 3,
  Stopped = 4,
}

// ------------------------------------------------------------ mount table
export const MOUNT_WORDS = 32;
export const M = {
  STATE: 0,
  ID: 1,
  /** Mount this one covers a node of (0: the root mount). */
  PARENT: 2,
  COVERED_INO: 3,
  COVERED_GEN: 4,
  /** MountKind. */
  KIND: 5,
  ACTOR: 6,
  READONLY: 7,
  /** First store region (index into the handle's regions) and how many (tmpfs). */
  REGION_FIRST: 8,
  REGION_COUNT: 9,
  /** Options blob (bytes in the heap, UTF-8 JSON) for remote file systems. */
  OPTIONS_OFF: 10,
  OPTIONS_LEN: 11,
  /** The mount point's path as given to mount(), for messages: heap offset, length. */
  PATH_OFF: 12,
  PATH_LEN: 13,
  ATIME: 14,
  /** Remote file systems: the root's node number and type, written by the actor when it is up. */
  ROOT_INO: 15,
  ROOT_TYPE: 16,
  /** Remote file systems: bumped at every (re)start of the actor; node handles of an older one are stale. */
  INCARNATION: 17,
} as const;

export const enum MountState {
  Free = 0,
  Live = 1,
}

export const enum MountKind {
  /** A tmpfs: shared store, read path local, mutations on its actor. */
  Tmpfs = 1,
  /** A file system served entirely by its actor (hostFs): SharedFsSpec mode 'actor'. */
  Remote = 2,
  /** A file system every thread builds for itself from its spec (portals): mode 'replica'. */
  Replica = 3,
}

/** A remote or replica mount's spec (the options blob in the registry heap). */
export interface SpecBlob {
  type: string;
  module: string;
  export: string;
  options: unknown;
}

export function readSpec(reg: Registry, slot: number): SpecBlob {
  return JSON.parse(reg.readString(reg.i32[slot + M.OPTIONS_OFF]!, reg.i32[slot + M.OPTIONS_LEN]!)) as SpecBlob;
}

// ------------------------------------------------------------ offsets

export function threadBase(tid: number): number {
  return HEADER_WORDS + tid * THREAD_WORDS;
}

export function actorBase(a: number): number {
  return HEADER_WORDS + MAX_THREADS * THREAD_WORDS + a * ACTOR_WORDS;
}

export function mountBase(slot: number): number {
  return HEADER_WORDS + MAX_THREADS * THREAD_WORDS + MAX_ACTORS * ACTOR_WORDS + slot * MOUNT_WORDS;
}

/** First heap byte (after the tables). */
export const HEAP_START = (HEADER_WORDS + MAX_THREADS * THREAD_WORDS + MAX_ACTORS * ACTOR_WORDS + MAX_MOUNTS * MOUNT_WORDS) * 4;

/** A registry as seen by one thread. */
export class Registry {
  /**
   * Fixed-length views (V8 runs length-tracking views of a growable buffer
   * about 6x slower), remade by `refresh()` when the heap has grown.
   */
  i32: Int32Array;
  u8: Uint8Array;

  constructor(readonly sab: SharedArrayBuffer) {
    this.i32 = new Int32Array(sab, 0, sab.byteLength >> 2);
    this.u8 = new Uint8Array(sab, 0, sab.byteLength);
  }

  /** Make sure the views cover byte `end` (another thread may have grown the heap). */
  refresh(end = this.sab.byteLength): void {
    if (end <= this.u8.length) return;
    this.i32 = new Int32Array(this.sab, 0, this.sab.byteLength >> 2);
    this.u8 = new Uint8Array(this.sab, 0, this.sab.byteLength);
  }

  static create(): Registry {
    const sab = new SharedArrayBuffer(HEAP_START, { maxByteLength: REGISTRY_MAX_BYTES });
    const reg = new Registry(sab);
    reg.i32[R.MAGIC] = REGISTRY_MAGIC;
    reg.i32[R.VERSION] = REGISTRY_VERSION;
    reg.i32[R.HEAP_TOP] = HEAP_START;
    reg.i32[R.NEXT_MOUNT_ID] = 1;
    reg.i32[R.EPOCH] = 1;
    return reg;
  }

  static open(sab: SharedArrayBuffer): Registry {
    const reg = new Registry(sab);
    if (reg.i32[R.MAGIC] !== REGISTRY_MAGIC || reg.i32[R.VERSION] !== REGISTRY_VERSION) {
      throw new TypeError('not an actorvfs shared file system handle (bad registry)');
    }
    return reg;
  }

  /** Allocate `bytes` (8-aligned, zeroed) from the heap. => registry mutex held. */
  heapAllocLocked(bytes: number): number {
    const size = (bytes + 7) & ~7;
    const off = this.i32[R.HEAP_TOP]!;
    const end = off + size;
    if (end > this.sab.byteLength) {
      if (end > this.sab.maxByteLength) throw new RangeError('actorvfs registry is full');
      this.sab.grow(Math.min(this.sab.maxByteLength, Math.max(end, this.sab.byteLength * 2)));
      this.refresh(end);
    }
    this.i32[R.HEAP_TOP] = end;
    return off;
  }

  writeString(off: number, s: string): number {
    const bytes = Buffer.from(s, 'utf8');
    this.refresh(off + bytes.length);
    this.u8.set(bytes, off);
    return bytes.length;
  }

  readString(off: number, len: number): string {
    this.refresh(off + len);
    return Buffer.from(this.sab, off, len).toString('utf8');
  }
}
