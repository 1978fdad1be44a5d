/**
 * What the cross-thread cases (cases/xthread-*.ts, in the benchmark child's
 * main thread) and their worker threads (workers/xthread-worker.ts) say to
 * each other, and the start barrier that makes measurement windows of
 * several threads overlap. Imported by both sides; imports neither.
 *
 * Every request carries an id and gets exactly one reply with that id; the
 * worker answers them in order and holds no descriptor between them, so the
 * coordinator ends a worker by terminating it. The coordinator side gives
 * each request a deadline and fails all pending ones when the worker dies.
 */

import type { SharedVfsHandle } from '@actorvfs/workers';

export const XTHREAD_PROTOCOL = 1;

/**
 * A file system as a worker sees it:
 *   shared    the SharedVfs of the handle, attached in the worker
 *   embedded  the worker's own createVfs() (a separate, unshared instance)
 *   memfs     the worker's own memfs() volume
 *   zenfs     the worker's own @zenfs/core InMemory root
 *   native    Node's fs (paths are absolute host paths)
 */
export type Instance = 'shared' | 'embedded' | 'memfs' | 'zenfs' | 'native';

export type OpName = 'stat' | 'pread-4k' | 'open-read-close' | 'readdir' | 'create-unlink' | 'mkdir-rmdir';

/** One operation on one path; `size` is the file size for pread, `seed` picks its offsets. */
export interface OpSpec {
  op: OpName;
  path: string;
  size?: number;
  seed?: number;
}

/** Files a case needs before it measures. */
export type Fixture =
  /** A 100-byte file, its parent directories made as needed. */
  | { kind: 'file-100'; path: string }
  /** A file of `bytes` bytes (written in 1 MiB chunks). */
  | { kind: 'file'; path: string; bytes: number }
  /** A directory holding `entries` empty files. */
  | { kind: 'dir'; path: string; entries: number }
  /** A directory, with its parents. */
  | { kind: 'mkdir'; path: string };

/** The part of a run's budget the worker's timings need (cases/section.ts Budget). */
export interface TimeBudget {
  timeMs: number;
  warmupMs: number;
  rounds: number;
  iterations: number;
  warmupIterations: number;
  taskDeadlineMs: number;
}

export interface XthreadWorkerData {
  /** This worker's number among the task's workers (0, 1, ...). */
  index: number;
  /** Two Int32 words: READY (arrivals) and GO (the generation released). */
  barrier: SharedArrayBuffer;
  /** The shared file system to attach to, if the task has one. */
  handle: SharedVfsHandle | null;
}

export type XthreadRequest =
  | { t: 'fixtures'; id: number; instance: Instance; fixtures: Fixture[] }
  /** Time one call with tinybench (one round); replies a Measured. */
  | { t: 'time'; id: number; instance: Instance; spec: OpSpec; form: 'sync' | 'promise'; budget: TimeBudget; warmupMs: number }
  /**
   * Wait at the barrier for generation `gen`, then run the operation for
   * `ms` (sync: back to back; promise: `lanes` chains in flight); replies a
   * WindowResult.
   */
  | { t: 'window'; id: number; instance: Instance; spec: OpSpec; form: 'sync' | 'promise'; lanes: number; ms: number; gen: number };

export interface WindowResult {
  ops: number;
  ms: number;
}

export type XthreadReply =
  | { t: 'ready'; protocol: number }
  | { t: 'ok'; id: number; value: unknown }
  | { t: 'error'; id: number; message: string; code?: string };

/** Barrier words. */
export const READY = 0;
export const GO = 1;
export const BARRIER_BYTES = 8;

/** Worker side: count in, then sleep until generation `gen` is released. */
export function arriveAndWait(words: Int32Array, gen: number): void {
  Atomics.add(words, READY, 1);
  Atomics.notify(words, READY);
  for (let v = Atomics.load(words, GO); v < gen; v = Atomics.load(words, GO)) Atomics.wait(words, GO, v);
}

/**
 * Coordinator side: once `count` workers have arrived, release generation
 * `gen` to all of them at once. Waits without blocking the event loop, at
 * most `deadlineMs`, and gives up quietly once `cancel.cancelled` is set (a
 * worker failed before it arrived). The caller resets READY to 0 before it
 * sends the window requests.
 */
export async function releaseWhenReady(words: Int32Array, count: number, gen: number, deadlineMs: number, cancel: { cancelled: boolean }): Promise<void> {
  const until = Date.now() + deadlineMs;
  for (let v = Atomics.load(words, READY); v < count; v = Atomics.load(words, READY)) {
    if (cancel.cancelled) return;
    if (Date.now() > until) throw new Error(`barrier: ${v} of ${count} threads arrived within ${deadlineMs} ms`);
    const w = Atomics.waitAsync(words, READY, v, 200);
    if (w.async) await w.value;
  }
  Atomics.store(words, GO, gen);
  Atomics.notify(words, GO);
}
