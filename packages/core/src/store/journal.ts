/**
 * The journal of one thread in shared mode: what it must undo and what it
 * holds, in shared memory, so that when the thread dies the coordinator can
 * put the store back as it was before the thread's unfinished change and
 * release everything the thread held.
 *
 * A worker can be terminated at almost any point of its JavaScript (V8 stops
 * it at a function's entry or a loop's back edge), so a change to shared
 * metadata is made as a transaction:
 *
 *  - **Undo log.** Before a word of metadata is overwritten, its old value
 *    is appended to the log (`put`, `putF64`, `keep`, `keepRange`). Rolling
 *    back replays the log backwards. File data is not logged: a data write
 *    killed half way has written a prefix of its bytes, exactly what a short
 *    write leaves, and the size and page map around it are logged.
 *  - **Two-phase locking.** A lock let go while the log has entries stays
 *    held (its record turns Deferred) until the transaction commits, so no
 *    other thread can build on a word that might still be rolled back. The
 *    transaction commits (the log is emptied, deferred locks go) when the
 *    thread lets go of its last lock, or, on an actor, when the answer to
 *    the request is marked in the request slot (an explicit transaction,
 *    `begin`/`end`): the Answered flag is the commit record.
 *  - **Reuse within a transaction.** Memory taken from the allocator is
 *    filled in without logging (a rollback gives it back, and free memory
 *    holds nothing), except memory this same transaction freed: a rollback
 *    brings that back to life with its old contents, so it is logged whole
 *    when it is handed out again.
 *  - **Lock records.** Every lock taken goes through a record (store/lock.ts
 *    explains why record and lock cannot disagree), and every reference a
 *    thread keeps (open files, working directories) is counted in its
 *    reference table, so the coordinator can drop them.
 *
 * In embedded mode stores have no journal and none of this costs anything
 * but a null check.
 *
 * Journal layout (Int32 words of the thread's journal SharedArrayBuffer):
 *
 *   0 LEN    words of undo log in use (0: nothing to undo)
 *   1 STORE  id of the store the logged words belong to
 *   2 SLOT   explicit transaction: the request slot it answers (registry byte offset)
 *   3 DEPTH  explicit transaction nesting
 *   4 TID    the thread slot that owns this journal
 *  16 lock records: HELD_MAX records of 4 words (state, kind, store id, index)
 *  LOG      the undo log, growing to the end of the buffer
 *
 * Undo entries are read backwards, so their tag comes last:
 *   word:  old value, index, TAG_WORD | segment
 *   range: n old values, n, first index, TAG_RANGE | segment
 *   add:   delta, index, TAG_ADD | segment (undone by an atomic subtraction:
 *          for words other threads change atomically at the same time)
 */

import { iw, I_LOCK, I_USE, I_NLINK } from './inode.js';
import { PAGE_SHIFT, PAGE_SIZE, SB, SEG_PAGE_BITS, SEG_PAGE_MASK } from './layout.js';
import {
  RecState,
  REC_STATE_MASK,
  breakRecorded,
  mutexEnterRec,
  mutexExitRec,
  rwEnterExclusiveRec,
  rwEnterSharedRec,
  rwExitRec,
} from './lock.js';
import type { Store } from './store.js';

export const J = {
  LEN: 0,
  STORE: 1,
  SLOT: 2,
  DEPTH: 3,
  TID: 4,
  HELD: 16,
} as const;

export const HELD_MAX = 32;
const REC_WORDS = 4;
const LOG = J.HELD + HELD_MAX * REC_WORDS;

export const enum LockKind {
  Shared = 1,
  Exclusive = 2,
  Mutex = 3,
}

const TAG_SHIFT = 24;
const TAG_WORD = 1 << TAG_SHIFT;
const TAG_RANGE = 2 << TAG_SHIFT;
const TAG_ADD = 3 << TAG_SHIFT;
const SEG_MASK = (1 << TAG_SHIFT) - 1;

/** A journal's initial and largest size in bytes. */
export const JOURNAL_BYTES = 64 * 1024;
export const JOURNAL_MAX_BYTES = 256 * 1024 * 1024;

/** A thread's reference table: (store id, ino, count) records; word 0 is the record count. */
export const REFS_BYTES = 16 * 1024;
export const REFS_MAX_BYTES = 64 * 1024 * 1024;

export function newJournalBuffer(): SharedArrayBuffer {
  return new SharedArrayBuffer(JOURNAL_BYTES, { maxByteLength: JOURNAL_MAX_BYTES });
}

export function newRefsBuffer(): SharedArrayBuffer {
  return new SharedArrayBuffer(REFS_BYTES, { maxByteLength: REFS_MAX_BYTES });
}

export class Journal {
  /** Fixed-length view (remade when the buffer grows). */
  private j: Int32Array;
  private len = 0;
  private cap: number;
  /** Records in state Held, and in state Deferred. */
  private active = 0;
  private deferred = 0;
  private depth = 0;
  private refs: Int32Array;
  /** Pages and slab objects freed in this transaction (see "Reuse" above). */
  private readonly freedPages = new Set<number>();
  private readonly freedObjects = new Set<number>();
  private readonly refIndex = new Map<number, number>();
  private readonly freeRefs: number[] = [];

  constructor(
    readonly sab: SharedArrayBuffer,
    readonly refsSab: SharedArrayBuffer,
    /** Thread slot: written into exclusive lock words. */
    readonly tid: number,
  ) {
    this.j = new Int32Array(sab, 0, sab.byteLength >> 2);
    this.cap = this.j.length - LOG;
    this.refs = new Int32Array(refsSab, 0, refsSab.byteLength >> 2);
    // A journal is reused by the next thread in the slot, after recovery.
    this.j.fill(0);
    this.refs.fill(0);
    this.refs[0] = 0;
    this.j[J.TID] = tid;
  }

  // ---------------------------------------------------------------- undo log

  /** Note the current value of word `idx` of segment `seg` (about to change). */
  word(st: Store, seg: number, idx: number): void {
    let n = this.len;
    if (n + 3 > this.cap) this.grow(n + 3);
    const j = this.j;
    if (n === 0) j[J.STORE] = st.id;
    else if (j[J.STORE] !== st.id) throw new Error('actorvfs: one transaction changed two stores');
    const at = LOG + n;
    j[at] = st.i32s[seg]![idx]!;
    j[at + 1] = idx;
    j[at + 2] = TAG_WORD | seg;
    n += 3;
    this.len = n;
    j[J.LEN] = n;
  }

  /** Note words [idx, idx + count) of segment `seg`. */
  range(st: Store, seg: number, idx: number, count: number): void {
    let n = this.len;
    if (n + count + 3 > this.cap) this.grow(n + count + 3);
    const j = this.j;
    if (n === 0) j[J.STORE] = st.id;
    else if (j[J.STORE] !== st.id) throw new Error('actorvfs: one transaction changed two stores');
    const at = LOG + n;
    j.set(st.i32s[seg]!.subarray(idx, idx + count), at);
    j[at + count] = count;
    j[at + count + 1] = idx;
    j[at + count + 2] = TAG_RANGE | seg;
    n += count + 3;
    this.len = n;
    j[J.LEN] = n;
  }

  /** Atomically add `delta` to word `idx` of segment `seg`; a rollback subtracts it again. */
  /** Add `delta` to a word others change atomically, logging the subtraction. => the word's value before. */
  add(st: Store, seg: number, idx: number, delta: number): number {
    let n = this.len;
    if (n + 3 > this.cap) this.grow(n + 3);
    const j = this.j;
    if (n === 0) j[J.STORE] = st.id;
    else if (j[J.STORE] !== st.id) throw new Error('actorvfs: one transaction changed two stores');
    const at = LOG + n;
    j[at] = delta;
    j[at + 1] = idx;
    j[at + 2] = TAG_ADD | seg;
    n += 3;
    this.len = n;
    j[J.LEN] = n;
    return Atomics.add(st.i32s[seg]!, idx, delta);
  }

  private grow(need: number): void {
    let bytes = this.sab.byteLength;
    while ((bytes >> 2) - LOG < need) bytes *= 2;
    if (bytes > this.sab.maxByteLength) throw new Error('actorvfs: transaction too large for its undo log');
    this.sab.grow(bytes);
    this.j = new Int32Array(this.sab, 0, bytes >> 2);
    this.cap = this.j.length - LOG;
  }

  /** Page `pn` went back to the allocator in this transaction. */
  pageFreed(pn: number): void {
    this.freedPages.add(pn);
  }

  /** Slab object `ref` went back to its slab in this transaction. */
  objectFreed(ref: number): void {
    this.freedObjects.add(ref);
  }

  /** Page `pn` is handed out again: if this transaction freed it, note all of it. */
  pageReused(st: Store, pn: number): void {
    if (this.freedPages.size === 0 || !this.freedPages.delete(pn)) return;
    this.range(st, pn >>> SEG_PAGE_BITS, (pn & SEG_PAGE_MASK) << (PAGE_SHIFT - 2), PAGE_SIZE >> 2);
  }

  /**
   * Slab object `ref` of `bytes` is handed out again: if this transaction
   * freed it, note all of it but words [skipFrom, skipTo) (an inode's lock
   * and use words, which other threads change atomically at any time).
   */
  objectReused(st: Store, ref: number, bytes: number, skipFrom = 0, skipTo = 0): void {
    if (this.freedObjects.size === 0 || !this.freedObjects.delete(ref)) return;
    const seg = ref >>> 20;
    const first = (ref & 0xfffff) << 2;
    const words = bytes >> 2;
    if (skipTo <= skipFrom) {
      this.range(st, seg, first, words);
      return;
    }
    this.range(st, seg, first, skipFrom);
    this.range(st, seg, first + skipTo, words - skipTo);
  }

  /** Words of undo log in use. */
  get logLength(): number {
    return this.len;
  }

  // ---------------------------------------------------------------- transactions

  /** Start (or nest) an explicit transaction answering request slot `slot`. */
  begin(slot: number): void {
    if (this.depth++ === 0) this.j[J.SLOT] = slot;
    this.j[J.DEPTH] = this.depth;
  }

  /** End an explicit transaction; the outermost end commits. */
  end(): void {
    if (--this.depth > 0) {
      this.j[J.DEPTH] = this.depth;
      return;
    }
    this.depth = 0;
    this.commit();
    this.j[J.SLOT] = 0;
    this.j[J.DEPTH] = 0;
  }

  /** Make everything logged so far permanent and let deferred locks go. */
  commit(): void {
    const j = this.j;
    j[J.LEN] = 0;
    this.len = 0;
    if (this.freedPages.size > 0) this.freedPages.clear();
    if (this.freedObjects.size > 0) this.freedObjects.clear();
    if (this.deferred === 0) return;
    for (let r = J.HELD; r < LOG; r += REC_WORDS) {
      if ((j[r]! & REC_STATE_MASK) !== RecState.Deferred) continue;
      this.release(r);
      this.deferred--;
    }
  }

  /**
   * Undo everything logged in this transaction (an operation failed half
   * way), then let deferred locks go. => the locks that protect the logged
   * words are still held (two-phase locking guarantees it).
   */
  abort(): void {
    if (this.len > 0) {
      const st = this.stores.get(this.j[J.STORE]!);
      if (st === undefined) throw new Error('actorvfs: abort of a transaction on an unknown store');
      replay(this.j, this.len, st);
    }
    this.commit();
  }

  /** Commit now unless inside an explicit transaction (a long change reaching a consistent point). */
  checkpoint(): void {
    if (this.depth === 0) this.commit();
  }

  /** After an unlock: commit if the thread holds no lock any more (outside explicit transactions). */
  private settle(): void {
    if (this.active === 0 && this.depth === 0) this.commit();
  }

  // ---------------------------------------------------------------- locks

  /** Take a vnode lock of `st` (the word block at `i` of segment `seg`). */
  lockVnode(st: Store, ino: number, exclusive: boolean): void {
    const r = this.reuse(st.id, ino, exclusive ? LockKind.Exclusive : LockKind.Shared);
    if (r >= 0) return;
    const rec = this.newRecord(exclusive ? LockKind.Exclusive : LockKind.Shared, st.id, ino);
    const w = st.i32s[ino >>> 20]!;
    const i = iw(ino) + I_LOCK;
    if (exclusive) rwEnterExclusiveRec(w, i, this.tid, this.j, rec);
    else rwEnterSharedRec(w, i, this.j, rec);
    this.active++;
  }

  /** Let go of a vnode lock (deferred while the transaction has undo entries). */
  unlockVnode(st: Store, ino: number): void {
    const r = this.findActive(st.id, ino, LockKind.Shared, LockKind.Exclusive);
    if (r < 0) throw new Error(`actorvfs: unlock of inode ${ino}, which this thread does not hold`);
    this.letGo(r, st);
  }

  /** Take superblock mutex `idx` (SB.ALLOC_LOCK, SB.ADV_LOCK) of `st`. */
  enterMutex(st: Store, idx: number): void {
    if (this.reuse(st.id, idx, LockKind.Mutex) >= 0) return;
    const rec = this.newRecord(LockKind.Mutex, st.id, idx);
    mutexEnterRec(st.sb, idx, this.j, rec);
    this.active++;
    // The allocator's superblock words change under this mutex only: note
    // them once now instead of at every change.
    if (idx === SB.ALLOC_LOCK) {
      this.range(st, 0, SB.FREE_HEAD, SB.INODES - SB.FREE_HEAD + 1);
      this.range(st, 0, SB.SLAB_HEADS, 13);
      this.range(st, 0, SB.SLAB_INUSE, 13);
      this.range(st, 0, SB.SLAB_SPARE, 13);
      this.range(st, 0, SB.LIMBO, 2);
    }
  }

  exitMutex(st: Store, idx: number): void {
    const r = this.findActive(st.id, idx, LockKind.Mutex, LockKind.Mutex);
    if (r < 0) throw new Error(`actorvfs: exit of mutex ${idx}, which this thread does not hold`);
    this.letGo(r, st);
  }

  /** Does this thread hold superblock mutex `idx` of `st` (held or deferred)? */
  holdsMutex(st: Store, idx: number): boolean {
    const j = this.j;
    for (let r = J.HELD; r < LOG; r += REC_WORDS) {
      const s = j[r]! & REC_STATE_MASK;
      if ((s === RecState.Held || s === RecState.Deferred) && j[r + 1] === LockKind.Mutex && j[r + 2] === st.id && j[r + 3] === idx) return true;
    }
    return false;
  }

  private letGo(r: number, st: Store): void {
    const j = this.j;
    this.active--;
    if (this.len > 0 || this.depth > 0) {
      j[r] = RecState.Deferred;
      this.deferred++;
      this.settle();
      return;
    }
    this.releaseIn(r, st);
    this.settle();
  }

  /** A deferred record for the same lock becomes active again (re-lock within one transaction). */
  private reuse(storeId: number, index: number, kind: LockKind): number {
    if (this.deferred === 0) return -1;
    const j = this.j;
    for (let r = J.HELD; r < LOG; r += REC_WORDS) {
      if ((j[r]! & REC_STATE_MASK) !== RecState.Deferred || j[r + 2] !== storeId || j[r + 3] !== index) continue;
      const held = j[r + 1] as LockKind;
      if (held === kind || held === LockKind.Exclusive) {
        j[r] = RecState.Held;
        this.deferred--;
        this.active++;
        return r;
      }
      throw new Error(`actorvfs: lock of ${index} upgraded within a transaction`);
    }
    return -1;
  }

  private findActive(storeId: number, index: number, k1: LockKind, k2: LockKind): number {
    const j = this.j;
    for (let r = LOG - REC_WORDS; r >= J.HELD; r -= REC_WORDS) {
      if ((j[r]! & REC_STATE_MASK) !== RecState.Held || j[r + 2] !== storeId || j[r + 3] !== index) continue;
      const k = j[r + 1];
      if (k === k1 || k === k2) return r;
    }
    return -1;
  }

  private newRecord(kind: LockKind, storeId: number, index: number): number {
    const j = this.j;
    for (let r = J.HELD; r < LOG; r += REC_WORDS) {
      if (j[r] !== RecState.Free) continue;
      j[r + 1] = kind;
      j[r + 2] = storeId;
      j[r + 3] = index;
      return r;
    }
    throw new Error('actorvfs: too many locks held by one thread');
  }

  /** Stores by id, for releasing deferred records at commit. */
  private readonly stores = new Map<number, Store>();

  /** Make `st` known (every store this thread locks in). */
  adopt(st: Store): void {
    this.stores.set(st.id, st);
  }

  private release(r: number): void {
    const st = this.stores.get(this.j[r + 2]!);
    if (st === undefined) throw new Error(`actorvfs: deferred lock on unknown store ${this.j[r + 2]}`);
    this.releaseIn(r, st);
  }

  private releaseIn(r: number, st: Store): void {
    const j = this.j;
    const kind = j[r + 1] as LockKind;
    const index = j[r + 3]!;
    if (kind === LockKind.Mutex) mutexExitRec(st.sb, index, j, r);
    else rwExitRec(st.i32s[index >>> 20]!, iw(index) + I_LOCK, j, r);
  }

  // ---------------------------------------------------------------- references

  /** Count one reference on inode `ino` of `st` (its use word and this thread's table together). */
  ref(st: Store, ino: number): void {
    const r = this.refRecord(st.id, ino);
    const refs = this.refs;
    Atomics.add(st.i32s[ino >>> 20]!, iw(ino) + I_USE, 1);
    refs[r + 2]!++;
  }

  /** Drop one reference. => returns true if it was the last (the use word reached 0). */
  rele(st: Store, ino: number): boolean {
    const key = st.id * 2 ** 32 + ino;
    const r = this.refIndex.get(key);
    const refs = this.refs;
    if (r === undefined || refs[r + 2]! <= 0) {
      // Not counted here (taken by another thread for us, see adoptRef): just the word.
      return Atomics.sub(st.i32s[ino >>> 20]!, iw(ino) + I_USE, 1) === 1;
    }
    const last = Atomics.sub(st.i32s[ino >>> 20]!, iw(ino) + I_USE, 1) === 1;
    refs[r + 2]!--;
    if (refs[r + 2] === 0) {
      this.refIndex.delete(key);
      this.freeRefs.push(r);
    }
    return last;
  }

  /**
   * Count a reference another thread (the actor) already added to the use
   * word on our behalf, and store 0 into `handoff[index]` (the request slot
   * that carried it goes back) together with it: the coordinator counts a
   * dead thread's reference in one place or the other, never both.
   */
  adoptRef(st: Store, ino: number, handoff: Int32Array, index: number): void {
    const r = this.refRecord(st.id, ino);
    const refs = this.refs;
    Atomics.store(handoff, index, 0);
    refs[r + 2]!++;
  }

  private refRecord(storeId: number, ino: number): number {
    const key = storeId * 2 ** 32 + ino;
    let r = this.refIndex.get(key);
    if (r !== undefined) return r;
    r = this.freeRefs.pop();
    if (r === undefined) {
      const n = this.refs[0]!;
      r = 1 + n * 3;
      if (r + 3 > this.refs.length) {
        const bytes = Math.min(this.refsSab.maxByteLength, this.refsSab.byteLength * 2);
        if (bytes <= this.refsSab.byteLength) throw new Error('actorvfs: reference table full');
        this.refsSab.grow(bytes);
        this.refs = new Int32Array(this.refsSab, 0, bytes >> 2);
      }
      this.refs[r] = storeId;
      this.refs[r + 1] = ino;
      this.refs[r + 2] = 0;
      this.refs[0] = n + 1;
    } else {
      this.refs[r] = storeId;
      this.refs[r + 1] = ino;
    }
    this.refIndex.set(key, r);
    return r;
  }
}

// ------------------------------------------------------------------ logging

/** Write word `idx` of segment `seg`, noting the old value first in shared mode. */
export function put(st: Store, seg: number, idx: number, value: number): void {
  const j = st.journal;
  if (j !== null) j.word(st, seg, idx);
  st.i32s[seg]![idx] = value;
}

/** Add `delta` to word `idx` of segment `seg` (noting it first in shared mode). */
export function bump(st: Store, seg: number, idx: number, delta: number): void {
  const j = st.journal;
  if (j !== null) j.word(st, seg, idx);
  st.i32s[seg]![idx]! += delta;
}

/** Write double `fidx` of segment `seg`. */
export function putF64(st: Store, seg: number, fidx: number, value: number): void {
  const j = st.journal;
  if (j !== null) j.range(st, seg, fidx * 2, 2);
  st.f64s[seg]![fidx] = value;
}

/** Note word `idx` before the caller changes it by other means (an atomic store, a bulk copy). */
export function keep(st: Store, seg: number, idx: number): void {
  const j = st.journal;
  if (j !== null) j.word(st, seg, idx);
}

export function keepRange(st: Store, seg: number, idx: number, count: number): void {
  const j = st.journal;
  if (j !== null) j.range(st, seg, idx, count);
}

// ------------------------------------------------------------------ recovery

export interface RecoveryReport {
  /** Undo words replayed (0 when nothing was in flight or it had committed). */
  undone: number;
  /** Locks released. */
  released: number;
  /** References dropped, and nodes left with no reference and no link (to reclaim). */
  refsDropped: number;
  orphans: { storeId: number; ino: number }[];
}

/**
 * Put back what a dead thread's unfinished transaction changed in `stores`,
 * unless `committed` (its commit record, the Answered flag of the request
 * it was serving, is set). => the thread is dead; nothing else writes its journal.
 */
export function rollbackJournal(sab: SharedArrayBuffer, stores: ReadonlyMap<number, Store>, committed: boolean): number {
  const j = new Int32Array(sab, 0, sab.byteLength >> 2);
  const len = j[J.LEN]!;
  if (len === 0 || committed) {
    j[J.LEN] = 0;
    return 0;
  }
  const st = stores.get(j[J.STORE]!);
  if (st === undefined) throw new Error(`actorvfs recovery: journal names unknown store ${j[J.STORE]}`);
  replay(j, len, st);
  j[J.LEN] = 0;
  return len;
}

/** Put back the `len` words of undo log in `j`, newest first. */
function replay(j: Int32Array, len: number, st: Store): void {
  st.sync();
  let n = len;
  while (n > 0) {
    const tag = j[LOG + n - 1]!;
    const seg = tag & SEG_MASK;
    const idx = j[LOG + n - 2]!;
    const w = st.i32s[seg]!;
    const kind = tag & ~SEG_MASK;
    if (kind === TAG_WORD) {
      w[idx] = j[LOG + n - 3]!;
      n -= 3;
    } else if (kind === TAG_ADD) {
      Atomics.sub(w, idx, j[LOG + n - 3]!);
      n -= 3;
    } else {
      const count = j[LOG + n - 3]!;
      const from = LOG + n - 3 - count;
      w.set(j.subarray(from, from + count), idx);
      n -= count + 3;
    }
  }
}

/** Release every lock a dead thread's records show it held or waited for. => locks released. */
export function releaseJournalLocks(sab: SharedArrayBuffer, stores: ReadonlyMap<number, Store>): number {
  const j = new Int32Array(sab, 0, sab.byteLength >> 2);
  const tid = j[J.TID]!;
  let released = 0;
  for (let r = J.HELD; r < LOG; r += REC_WORDS) {
    const state = j[r]!;
    if (state === RecState.Free) continue;
    const st = stores.get(j[r + 2]!);
    if (st !== undefined) {
      st.sync();
      const kind = j[r + 1] as LockKind;
      const index = j[r + 3]!;
      if (kind === LockKind.Mutex) {
        if (breakRecorded(st.sb, index, 'mutex', state, tid)) released++;
      } else {
        const w = st.i32s[index >>> 20];
        if (w !== undefined && breakRecorded(w, iw(index) + I_LOCK, kind === LockKind.Exclusive ? 'exclusive' : 'shared', state, tid)) released++;
      }
    }
    j[r] = RecState.Free;
  }
  return released;
}

/** The references a (dead) thread's table holds: (store id, ino, count). */
export function journalRefs(refsSab: SharedArrayBuffer): { storeId: number; ino: number; count: number }[] {
  const refs = new Int32Array(refsSab, 0, refsSab.byteLength >> 2);
  const out: { storeId: number; ino: number; count: number }[] = [];
  for (let k = 0; k < refs[0]!; k++) {
    const r = 1 + k * 3;
    if (refs[r + 2]! > 0) out.push({ storeId: refs[r]!, ino: refs[r + 1]!, count: refs[r + 2]! });
  }
  return out;
}

/**
 * Drop every reference a dead thread's table holds. => the nodes left with
 * no reference and no link, which the caller must have reclaimed (by the
 * mount's actor: `inactive`).
 */
export function dropJournalRefs(refsSab: SharedArrayBuffer, stores: ReadonlyMap<number, Store>): { dropped: number; orphans: { storeId: number; ino: number }[] } {
  const refs = new Int32Array(refsSab, 0, refsSab.byteLength >> 2);
  const n = refs[0]!;
  let dropped = 0;
  const orphans: { storeId: number; ino: number }[] = [];
  for (let k = 0; k < n; k++) {
    const r = 1 + k * 3;
    const count = refs[r + 2]!;
    if (count <= 0) continue;
    const st = stores.get(refs[r]!);
    const ino = refs[r + 1]!;
    refs[r + 2] = 0;
    if (st === undefined) continue;
    st.sync();
    const w = st.i32s[ino >>> 20];
    if (w === undefined) continue;
    const left = Atomics.sub(w, iw(ino) + I_USE, count) - count;
    dropped += count;
    if (left <= 0 && w[iw(ino) + I_NLINK] === 0) orphans.push({ storeId: st.id, ino });
  }
  refs[0] = 0;
  return { dropped, orphans };
}
