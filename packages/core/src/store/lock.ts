/**
 * Locks in shared memory: a mutex and a reader/writer lock, both on Int32
 * words of a SharedArrayBuffer, with Atomics compare-and-swap and a futex-style
 * wait/notify. They work the same whether the contenders are in one thread
 * (never contended: a syscall never yields while it holds one) or in many.
 *
 * Waiting spins briefly first (a sleeping thread on the other core takes
 * 70-100 us to wake, a short spin 0.2-0.5 us), but never unboundedly: a long
 * pure spin starves the thread we are waiting for when both share a core.
 *
 * Lock order (docs/lock-order.md): vnode locks by rank (directories before
 * files, same rank by ascending inode number), then the advisory-lock mutex,
 * then the allocator mutex. The allocator mutex is a leaf.
 */

const SPIN_LIMIT = 64;

/** Who holds what, so a dead thread's locks can be released by the coordinator. */
export interface LockOwner {
  /** Thread slot number, 1-based; written into exclusive-lock owner words. */
  readonly tid: number;
}

// ---------------------------------------------------------------- mutex
// State: 0 free, 1 held, 2 held with waiters (Drepper, "Futexes Are Tricky").

export function mutexEnter(w: Int32Array, i: number): void {
  let c = Atomics.compareExchange(w, i, 0, 1);
  if (c === 0) return;
  for (let spin = 0; spin < SPIN_LIMIT; spin++) {
    if (Atomics.load(w, i) === 0) {
      c = Atomics.compareExchange(w, i, 0, 1);
      if (c === 0) return;
    }
  }
  if (c !== 2) c = Atomics.exchange(w, i, 2);
  while (c !== 0) {
    Atomics.wait(w, i, 2);
    c = Atomics.exchange(w, i, 2);
  }
}

export function mutexTryEnter(w: Int32Array, i: number): boolean {
  return Atomics.compareExchange(w, i, 0, 1) === 0;
}

export function mutexExit(w: Int32Array, i: number): void {
  if (Atomics.sub(w, i, 1) !== 1) {
    Atomics.store(w, i, 0);
    Atomics.notify(w, i, 1);
  }
}

// ---------------------------------------------------------------- rwlock
// Four consecutive words at i:
//   i+0 state:   0 free, n > 0 held shared by n, -1 held exclusive
//   i+1 waiters: readers waiting + WRITER_WAITING per waiting writer
//   i+2 owner:   tid of the exclusive holder (0 when not exclusive)
//   i+3 seq:     incremented when a writer takes the lock and again when it
//                lets go: odd while a change is in progress. A reader may
//                read without the lock (seqRead) and keep the result if the
//                sequence was even and unchanged (seqValid); this is how
//                lookups and stat run without writing shared memory.
// A waiting writer holds new readers back, so writers are not starved.

export const RW_STATE = 0;
export const RW_WAITERS = 1;
export const RW_OWNER = 2;
export const RW_SEQ = 3;
const WRITER_WAITING = 1 << 16;
const READER_MASK = WRITER_WAITING - 1;

export const enum LockMode {
  Shared = 1,
  Exclusive = 2,
}

export function rwEnterShared(w: Int32Array, i: number): void {
  for (let spin = 0; ; spin++) {
    const s = Atomics.load(w, i);
    if (s >= 0 && (Atomics.load(w, i + RW_WAITERS) & ~READER_MASK) === 0) {
      if (Atomics.compareExchange(w, i, s, s + 1) === s) return;
      continue;
    }
    if (spin < SPIN_LIMIT) continue;
    Atomics.add(w, i + RW_WAITERS, 1);
    // Sleep only while the state is what kept us out; any release notifies.
    if (s < 0 || (Atomics.load(w, i + RW_WAITERS) & ~READER_MASK) !== 0) Atomics.wait(w, i, s, 50);
    Atomics.sub(w, i + RW_WAITERS, 1);
    spin = 0;
  }
}

export function rwTryEnterShared(w: Int32Array, i: number): boolean {
  const s = Atomics.load(w, i);
  return s >= 0 && (Atomics.load(w, i + RW_WAITERS) & ~READER_MASK) === 0 && Atomics.compareExchange(w, i, s, s + 1) === s;
}

export function rwEnterExclusive(w: Int32Array, i: number, tid: number): void {
  if (Atomics.compareExchange(w, i, 0, -1) === 0) {
    w[i + RW_OWNER] = tid;
    Atomics.add(w, i + RW_SEQ, 1);
    return;
  }
  for (let spin = 0; spin < SPIN_LIMIT; spin++) {
    if (Atomics.load(w, i) === 0 && Atomics.compareExchange(w, i, 0, -1) === 0) {
      w[i + RW_OWNER] = tid;
      Atomics.add(w, i + RW_SEQ, 1);
      return;
    }
  }
  Atomics.add(w, i + RW_WAITERS, WRITER_WAITING);
  for (;;) {
    const s = Atomics.load(w, i);
    if (s === 0 && Atomics.compareExchange(w, i, 0, -1) === 0) break;
    if (s !== 0) Atomics.wait(w, i, s, 50);
  }
  Atomics.sub(w, i + RW_WAITERS, WRITER_WAITING);
  w[i + RW_OWNER] = tid;
  Atomics.add(w, i + RW_SEQ, 1);
}

export function rwTryEnterExclusive(w: Int32Array, i: number, tid: number): boolean {
  if (Atomics.compareExchange(w, i, 0, -1) !== 0) return false;
  w[i + RW_OWNER] = tid;
  Atomics.add(w, i + RW_SEQ, 1);
  return true;
}

export function rwExit(w: Int32Array, i: number): void {
  const s = Atomics.load(w, i);
  if (s < 0) {
    w[i + RW_OWNER] = 0;
    Atomics.add(w, i + RW_SEQ, 1);
    Atomics.store(w, i, 0);
  } else {
    Atomics.sub(w, i, 1);
  }
  if (Atomics.load(w, i + RW_WAITERS) !== 0) Atomics.notify(w, i);
}

/** Downgrade exclusive to shared without letting a writer in between. */
export function rwDowngrade(w: Int32Array, i: number): void {
  w[i + RW_OWNER] = 0;
  Atomics.add(w, i + RW_SEQ, 1);
  Atomics.store(w, i, 1);
  if (Atomics.load(w, i + RW_WAITERS) !== 0) Atomics.notify(w, i);
}

export function rwHeld(w: Int32Array, i: number): LockMode | 0 {
  const s = Atomics.load(w, i);
  return s < 0 ? LockMode.Exclusive : s > 0 ? LockMode.Shared : 0;
}

/**
 * Force-release on behalf of a dead thread: drop one shared hold, or the
 * exclusive hold if `tid` owns it. Used only by the coordinator.
 */
export function rwBreak(w: Int32Array, i: number, mode: LockMode, tid: number): void {
  if (mode === LockMode.Exclusive) {
    if (Atomics.load(w, i + RW_OWNER) !== tid) return;
    w[i + RW_OWNER] = 0;
    Atomics.add(w, i + RW_SEQ, 1);
    Atomics.store(w, i, 0);
  } else {
    for (;;) {
      const s = Atomics.load(w, i);
      if (s <= 0) break;
      if (Atomics.compareExchange(w, i, s, s - 1) === s) break;
    }
  }
  Atomics.notify(w, i);
}

/** Start an optimistic read: the sequence, or -1 if a writer is active. */
export function seqRead(w: Int32Array, i: number): number {
  const seq = Atomics.load(w, i + RW_SEQ);
  return (seq & 1) === 0 ? seq : -1;
}

/** Did nothing change since seqRead returned `seq`? */
export function seqValid(w: Int32Array, i: number, seq: number): boolean {
  return Atomics.load(w, i + RW_SEQ) === seq;
}
