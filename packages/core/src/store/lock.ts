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
//   i+0 state:   0 free, n > 0 held shared by n, -1 - tid held exclusive by
//                thread slot `tid` (the owner is part of the state, so a dead
//                holder's lock can be recognised without a second word)
//   i+1 waiters: readers waiting + WRITER_WAITING per waiting writer
//   i+2 spare
//   i+3 seq:     incremented when a writer takes the lock and again when it
//                lets go: odd while a change is in progress. A reader may
//                read without the lock (seqRead) and keep the result if the
//                sequence was even and unchanged (seqValid); this is how
//                lookups and stat run without writing shared memory.
// A waiting writer holds new readers back, so writers are not starved.

export const RW_STATE = 0;
export const RW_WAITERS = 1;
export const RW_SEQ = 3;
const WRITER_WAITING = 1 << 16;
const READER_MASK = WRITER_WAITING - 1;

export const enum LockMode {
  Shared = 1,
  Exclusive = 2,
}

/** The state word of a lock held exclusively by thread slot `tid`. */
export function exclusiveState(tid: number): number {
  return -1 - tid;
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
  const mine = -1 - tid;
  if (Atomics.compareExchange(w, i, 0, mine) === 0) {
    Atomics.add(w, i + RW_SEQ, 1);
    return;
  }
  for (let spin = 0; spin < SPIN_LIMIT; spin++) {
    if (Atomics.load(w, i) === 0 && Atomics.compareExchange(w, i, 0, mine) === 0) {
      Atomics.add(w, i + RW_SEQ, 1);
      return;
    }
  }
  Atomics.add(w, i + RW_WAITERS, WRITER_WAITING);
  for (;;) {
    const s = Atomics.load(w, i);
    if (s === 0 && Atomics.compareExchange(w, i, 0, mine) === 0) break;
    if (s !== 0) Atomics.wait(w, i, s, 50);
  }
  Atomics.sub(w, i + RW_WAITERS, WRITER_WAITING);
  Atomics.add(w, i + RW_SEQ, 1);
}

export function rwTryEnterExclusive(w: Int32Array, i: number, tid: number): boolean {
  if (Atomics.compareExchange(w, i, 0, -1 - tid) !== 0) return false;
  Atomics.add(w, i + RW_SEQ, 1);
  return true;
}

export function rwExit(w: Int32Array, i: number): void {
  const s = Atomics.load(w, i);
  if (s < 0) {
    Atomics.add(w, i + RW_SEQ, 1);
    Atomics.store(w, i, 0);
  } else {
    Atomics.sub(w, i, 1);
  }
  if (Atomics.load(w, i + RW_WAITERS) !== 0) Atomics.notify(w, i);
}

/** Downgrade exclusive to shared without letting a writer in between. */
export function rwDowngrade(w: Int32Array, i: number): void {
  Atomics.add(w, i + RW_SEQ, 1);
  Atomics.store(w, i, 1);
  if (Atomics.load(w, i + RW_WAITERS) !== 0) Atomics.notify(w, i);
}

export function rwHeld(w: Int32Array, i: number): LockMode | 0 {
  const s = Atomics.load(w, i);
  return s < 0 ? LockMode.Exclusive : s > 0 ? LockMode.Shared : 0;
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

// ------------------------------------------------------- recorded locking
// Shared mode: a thread can be terminated at any point of its JavaScript, so
// every lock it takes is also noted in a *lock record* in its journal
// (store/journal.ts), where the coordinator finds it if the thread dies.
// A record is one word `rec[r]`: RecState, plus flags for a registration as
// a waiter. V8 stops a terminated thread only at a function's entry or a
// loop's back edge, never between two statements of straight-line code, so
// each atomic operation below and the record update that follows it take
// effect together or not at all: the record always tells what the thread
// holds, and whether it counts as a waiter.

export const enum RecState {
  Free = 0,
  /** Trying to take the lock (not held). */
  Pending = 1,
  Held = 2,
  /** Held until the transaction commits (it was let go while the undo log had entries). */
  Deferred = 3,
}

/** Pending and counted in the lock's waiters word as a reader / a writer. */
export const REC_WAIT_READER = 1 << 4;
export const REC_WAIT_WRITER = 1 << 5;
export const REC_STATE_MASK = 0xf;

export function rwEnterSharedRec(w: Int32Array, i: number, rec: Int32Array, r: number): void {
  rec[r] = RecState.Pending;
  for (let spin = 0; ; spin++) {
    const s = Atomics.load(w, i);
    if (s >= 0 && (Atomics.load(w, i + RW_WAITERS) & ~READER_MASK) === 0) {
      if (Atomics.compareExchange(w, i, s, s + 1) === s) {
        rec[r] = RecState.Held;
        return;
      }
      continue;
    }
    if (spin < SPIN_LIMIT) continue;
    Atomics.add(w, i + RW_WAITERS, 1);
    rec[r] = RecState.Pending | REC_WAIT_READER;
    if (s < 0 || (Atomics.load(w, i + RW_WAITERS) & ~READER_MASK) !== 0) Atomics.wait(w, i, s, 50);
    Atomics.sub(w, i + RW_WAITERS, 1);
    rec[r] = RecState.Pending;
    spin = 0;
  }
}

export function rwEnterExclusiveRec(w: Int32Array, i: number, tid: number, rec: Int32Array, r: number): void {
  const mine = -1 - tid;
  rec[r] = RecState.Pending;
  for (let spin = 0; spin < SPIN_LIMIT; spin++) {
    if (Atomics.load(w, i) === 0 && Atomics.compareExchange(w, i, 0, mine) === 0) {
      Atomics.add(w, i + RW_SEQ, 1);
      rec[r] = RecState.Held;
      return;
    }
  }
  Atomics.add(w, i + RW_WAITERS, WRITER_WAITING);
  rec[r] = RecState.Pending | REC_WAIT_WRITER;
  for (;;) {
    const s = Atomics.load(w, i);
    if (s === 0 && Atomics.compareExchange(w, i, 0, mine) === 0) {
      // Owned from here (the state names us); stop counting as a waiter.
      Atomics.sub(w, i + RW_WAITERS, WRITER_WAITING);
      rec[r] = RecState.Pending;
      Atomics.add(w, i + RW_SEQ, 1);
      rec[r] = RecState.Held;
      return;
    }
    if (s !== 0) Atomics.wait(w, i, s, 50);
  }
}

/** Let go of a recorded rwlock (either mode). */
export function rwExitRec(w: Int32Array, i: number, rec: Int32Array, r: number): void {
  const s = Atomics.load(w, i);
  if (s < 0) {
    Atomics.add(w, i + RW_SEQ, 1);
    Atomics.store(w, i, 0);
    rec[r] = RecState.Free;
  } else {
    Atomics.sub(w, i, 1);
    rec[r] = RecState.Free;
  }
  if (Atomics.load(w, i + RW_WAITERS) !== 0) Atomics.notify(w, i);
}

export function mutexEnterRec(w: Int32Array, i: number, rec: Int32Array, r: number): void {
  rec[r] = RecState.Pending;
  if (Atomics.compareExchange(w, i, 0, 1) === 0) {
    rec[r] = RecState.Held;
    return;
  }
  for (let spin = 0; spin < SPIN_LIMIT; spin++) {
    if (Atomics.load(w, i) === 0 && Atomics.compareExchange(w, i, 0, 1) === 0) {
      rec[r] = RecState.Held;
      return;
    }
  }
  for (;;) {
    if (Atomics.exchange(w, i, 2) === 0) {
      rec[r] = RecState.Held;
      return;
    }
    Atomics.wait(w, i, 2);
  }
}

export function mutexExitRec(w: Int32Array, i: number, rec: Int32Array, r: number): void {
  const c = Atomics.exchange(w, i, 0);
  rec[r] = RecState.Free;
  if (c === 2) Atomics.notify(w, i, 1);
}

/**
 * Release, on behalf of a dead thread `tid`, a lock its record `state` says
 * it held or was waiting for. Used only by the coordinator's recovery.
 * => returns true if a hold was released.
 */
export function breakRecorded(w: Int32Array, i: number, kind: 'shared' | 'exclusive' | 'mutex', state: number, tid: number): boolean {
  let released = false;
  if (kind === 'mutex') {
    const st = state & REC_STATE_MASK;
    if (st === RecState.Held || st === RecState.Deferred) {
      Atomics.store(w, i, 0);
      Atomics.notify(w, i);
      released = true;
    }
    return released;
  }
  if ((state & REC_WAIT_READER) !== 0) Atomics.sub(w, i + RW_WAITERS, 1);
  if ((state & REC_WAIT_WRITER) !== 0) Atomics.sub(w, i + RW_WAITERS, WRITER_WAITING);
  if (kind === 'exclusive') {
    // The state word says whether it holds it, whatever the record got to.
    if (Atomics.load(w, i) === -1 - tid) {
      if ((Atomics.load(w, i + RW_SEQ) & 1) !== 0) Atomics.add(w, i + RW_SEQ, 1);
      else Atomics.add(w, i + RW_SEQ, 2);
      Atomics.store(w, i, 0);
      released = true;
    }
  } else {
    const st = state & REC_STATE_MASK;
    if (st === RecState.Held || st === RecState.Deferred) {
      for (;;) {
        const s = Atomics.load(w, i);
        if (s <= 0) break;
        if (Atomics.compareExchange(w, i, s, s - 1) === s) {
          released = true;
          break;
        }
      }
    }
  }
  Atomics.notify(w, i);
  return released;
}
