/**
 * Operations that may have to wait, written once and run two ways.
 *
 * A syscall that can block (a FIFO with no data, a contended record lock, a
 * mutation that an actor in another thread performs) is a generator. At each
 * point where it must wait it yields a `Wait`: "sleep until this shared word
 * no longer holds this value". The sync driver sleeps with `Atomics.wait`; the
 * async driver awaits `Atomics.waitAsync`, so the event loop keeps running.
 * Nothing is waited for by spinning beyond a short bounded spin (Wait.spin)
 * before a synchronous sleep.
 *
 * A generator must not yield while it holds a vnode lock: another operation
 * of the same thread could need it, and would wait forever.
 */

import { fail } from '../errno.js';

export interface Wait {
  word: Int32Array;
  index: number;
  /** Sleep only while `word[index] === value`. */
  value: number;
  /** Milliseconds; Infinity to wait for a notify. */
  timeoutMs: number;
  /**
   * Only another thread could end this wait (the store has no other thread
   * attached). A synchronous caller would sleep forever, so runSync fails
   * with EDEADLK instead; an async caller can still be woken by this
   * thread's other operations.
   */
  onlyOtherThreads: boolean;
  /**
   * Check the word this many times before sleeping (or, in the async driver,
   * before going back to the event loop). A thread asleep on the other core
   * takes 70-100 us to wake, and an awaited wait costs an event-loop turn; a
   * short spin catches an answer that is a few microseconds away. Keep it
   * small: a long spin starves the thread we are waiting for when both share
   * a core.
   */
  spin?: number;
}

let syncDepth = 0;

/** Is this thread inside runSync (so a wait blocks the whole thread)? */
export function inSyncDriver(): boolean {
  return syncDepth > 0;
}

export type Op<T> = Generator<Wait, T, void>;

/** A reusable Wait, so a yield allocates nothing. */
export function waitFor(w: Wait, word: Int32Array, index: number, value: number, onlyOtherThreads: boolean, timeoutMs = Infinity): Wait {
  w.word = word;
  w.index = index;
  w.value = value;
  w.timeoutMs = timeoutMs;
  w.onlyOtherThreads = onlyOtherThreads;
  return w;
}

export function newWait(): Wait {
  return { word: new Int32Array(new SharedArrayBuffer(4)), index: 0, value: 0, timeoutMs: 0, onlyOtherThreads: false };
}

/** Run an operation to completion, blocking this thread while it waits. */
export function runSync<T>(op: Op<T>): T {
  syncDepth++;
  try {
    let r = op.next();
    while (r.done !== true) {
      const w = r.value;
      if (w.onlyOtherThreads && Atomics.load(w.word, w.index) === w.value) {
        op.return(undefined as T);
        throw fail('EDEADLK');
      }
      let spin = w.spin ?? 0;
      while (spin-- > 0 && Atomics.load(w.word, w.index) === w.value);
      Atomics.wait(w.word, w.index, w.value, w.timeoutMs);
      r = op.next();
    }
    return r.value;
  } finally {
    syncDepth--;
  }
}

/**
 * Atomics.waitAsync does not keep Node's event loop alive: a thread whose
 * only pending work is an async file-system call would simply end. While
 * any async wait is pending, one interval timer holds the loop open.
 */
let asyncWaits = 0;
let keeper: ReturnType<typeof setInterval> | undefined;

async function waitAsyncHeld(w: Wait): Promise<void> {
  // An answer a few microseconds away is cheaper to catch here than after a trip through the event loop.
  let spin = w.spin ?? 0;
  while (spin-- > 0 && Atomics.load(w.word, w.index) === w.value);
  const res = Atomics.waitAsync(w.word, w.index, w.value, w.timeoutMs);
  if (!res.async) return;
  if (asyncWaits++ === 0) keeper = setInterval(() => {}, 0x7fffffff);
  try {
    await res.value;
  } finally {
    if (--asyncWaits === 0) {
      clearInterval(keeper);
      keeper = undefined;
    }
  }
}

/** Run an operation to completion without blocking the thread. */
export async function runAsync<T>(op: Op<T>): Promise<T> {
  let r = op.next();
  while (r.done !== true) {
    await waitAsyncHeld(r.value);
    r = op.next();
  }
  return r.value;
}

/**
 * runAsync for an operation already started: `first` is what its first
 * next() yielded. Lets a caller run the common no-wait case synchronously
 * and pay for async machinery only when the operation really waits.
 */
export async function resumeAsync<T>(op: Op<T>, first: Wait): Promise<T> {
  let w = first;
  for (;;) {
    await waitAsyncHeld(w);
    const r = op.next();
    if (r.done === true) return r.value;
    w = r.value;
  }
}

/** An operation that never waits, as an Op (for uniform call sites). */
// eslint-disable-next-line require-yield
export function* done<T>(value: T): Op<T> {
  return value;
}

/**
 * Answers a remote file system received for one read-path step, kept across
 * the step's restarts (see WouldBlock): the step runs again from the start
 * and finds every answer it waited for so far here. It lives exactly as long
 * as one system call, so nothing is ever served from it to a later call.
 */
export class Replay {
  readonly answers = new Map<string, unknown>();
}

let replay: Replay | null = null;
let stepDepth = 0;

/** The replay of the read-path step running now (null on a first attempt, or outside one). */
export function currentReplay(): Replay | null {
  return replay;
}

/** Is a restartable read-path step running (so a remote op may throw WouldBlock)? */
export function inRestartableStep(): boolean {
  return stepDepth > 0;
}

/** Enter a read-path step attempt under `r`. => what leaveStep restores. */
export function enterStep(r: Replay | null): Replay | null {
  stepDepth++;
  const saved = replay;
  replay = r;
  return saved;
}

export function leaveStep(saved: Replay | null): void {
  replay = saved;
  stepDepth--;
}

/**
 * Thrown by a read-path op of a file system served by another thread (a
 * remote mount) when its answer is not there yet: the request is on its way,
 * `wait` ends when the answer is in `replay`. Read-path system calls have no
 * side effects until they finish, so they simply start again after the wait
 * (`restartable`) under the same replay, and the file system answers from it.
 */
export class WouldBlock {
  constructor(
    readonly wait: Op<void>,
    readonly replay: Replay,
  ) {}
}

/** Run a read-path step, starting it again after each WouldBlock. */
export function* restartable<T>(step: () => T): Op<T> {
  let r: Replay | null = null;
  for (;;) {
    let blocked: WouldBlock;
    const saved = enterStep(r);
    try {
      return step();
    } catch (e) {
      if (!(e instanceof WouldBlock)) throw e;
      blocked = e;
    } finally {
      leaveStep(saved);
    }
    r = blocked.replay;
    yield* blocked.wait;
  }
}
