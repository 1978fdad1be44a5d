/**
 * Test side of the real-thread concurrency tests (the worker side is
 * test/shared/workers/conc-common.mjs): start N workers on one shared file
 * system, release them together through an Atomics start barrier, collect
 * one result per thread, and make sure every worker is gone afterwards.
 *
 * A run that does not finish by its deadline is a hang: every worker is
 * terminated and the failure lists how far each thread got. The deadline is
 * a guard against a deadlocked suite, never a measure of speed.
 */

import { Worker } from 'node:worker_threads';
import { SharedVfs } from '@actorvfs/workers';
import { auditTree, type AuditReport } from '../../random/audit.js';
import type { FsLike } from '../../random/fsx.js';

/** The thread counts the issue asks for. */
export const THREAD_COUNTS = [2, 4, 8] as const;

/** Layout of the sync words (conc-common.mjs has the same). */
const READY = 0;
const GO = 1;
const FINISHED = 2;
const PROGRESS = 3;

export interface RunOptions {
  /** Worker script name in test/shared/workers/. */
  script: string;
  svfs: SharedVfs;
  threads: number;
  /** Fields of each thread's workerData besides handle, sync, index, threads. */
  data?: (index: number) => Record<string, unknown>;
  /** Extra shared words the script and the test both see, as workerData.shared. */
  shared?: SharedArrayBuffer;
  /** Hang guard. Default 45 s. */
  deadlineMs?: number;
}

interface WorkerMessage {
  kind: 'result' | 'error';
  value?: unknown;
  code?: string;
  message?: string;
  stack?: string;
}

/** Workers of the current run, for afterEach to terminate whatever a failed test left. */
const live = new Set<Worker>();

export async function terminateAll(): Promise<void> {
  const all = [...live];
  live.clear();
  await Promise.all(all.map((w) => w.terminate()));
}

/** Run `script` in `threads` workers started together; => one result per thread, in thread order. */
export async function runThreads<R>(options: RunOptions): Promise<R[]> {
  const { svfs, threads } = options;
  const syncSab = new SharedArrayBuffer(4 * (PROGRESS + threads));
  const sync = new Int32Array(syncSab);
  const handle = svfs.handle();
  const workers: Worker[] = [];
  const results: R[] = new Array<R>(threads);
  const failures: string[] = [];
  let failed: () => void = () => undefined;
  const firstFailure = new Promise<'failed'>((resolve) => {
    failed = () => resolve('failed');
  });
  const fail = (msg: string): void => {
    failures.push(msg);
    failed();
  };
  const settled: Promise<void>[] = [];
  for (let index = 0; index < threads; index++) {
    const workerData = { ...(options.data?.(index) ?? {}), handle, sync: syncSab, shared: options.shared, index, threads };
    const w = new Worker(new URL(`../workers/${options.script}`, import.meta.url), { workerData, execArgv: [] });
    live.add(w);
    workers.push(w);
    let answered = false;
    settled.push(
      new Promise<void>((resolve) => {
        // A thread is done when it answers (it may keep its event loop alive a while; finally terminates it).
        w.on('message', (m: WorkerMessage) => {
          answered = true;
          if (m.kind === 'result') results[index] = m.value as R;
          else fail(`thread ${index}: ${m.code ?? ''} ${m.message ?? ''}\n${m.stack ?? ''}`);
          resolve();
        });
        w.on('error', (err) => {
          fail(`thread ${index} crashed: ${err.stack ?? String(err)}`);
        });
        w.once('exit', (code) => {
          live.delete(w);
          if (!answered && failures.length === 0) fail(`thread ${index} exited (code ${code}) without an answer`);
          resolve();
        });
      }),
    );
  }

  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<'deadline'>((resolve) => {
    timer = setTimeout(() => resolve('deadline'), options.deadlineMs ?? 45_000);
  });
  try {
    // Start barrier: wait (without blocking this thread) until every worker has attached.
    for (;;) {
      const ready = Atomics.load(sync, READY);
      if (ready >= threads) break;
      const w = Atomics.waitAsync(sync, READY, ready);
      const why = await Promise.race([w.async ? w.value : Promise.resolve('changed'), deadline, firstFailure]);
      if (why === 'deadline') throw new Error(`hang: only ${Atomics.load(sync, READY)} of ${threads} threads reached the start barrier`);
      if (why === 'failed') throw new Error(failures.join('\n'));
    }
    Atomics.store(sync, GO, 1);
    Atomics.notify(sync, GO);
    // A thread that fails may leave the others waiting for it: stop at the first failure.
    const why = await Promise.race([Promise.all(settled).then(() => 'done' as const), deadline, firstFailure]);
    if (why === 'deadline') {
      const progress = workers.map((_, i) => `thread ${i}: ${Atomics.load(sync, PROGRESS + i)} ops`).join(', ');
      throw new Error(`hang: ${Atomics.load(sync, FINISHED)} of ${threads} threads finished by the deadline (${progress})\n${failures.join('\n')}`);
    }
    if (failures.length > 0) throw new Error(failures.join('\n'));
    return results;
  } finally {
    clearTimeout(timer);
    await Promise.all(workers.map((w) => (live.has(w) ? w.terminate() : undefined)));
    for (const w of workers) live.delete(w);
  }
}

/** A fresh shared file system for one test. */
export async function newSharedVfs(): Promise<SharedVfs> {
  return SharedVfs.create({ spareRegions: 2 });
}

/** The invariant audit of test/random/audit.ts, on a quiet tree, from this thread. */
export async function audit(svfs: SharedVfs, root: string): Promise<AuditReport> {
  return auditTree(svfs.fs as unknown as FsLike, root);
}

/** Outcome tallies the workers send back (conc-common.mjs `tally`). */
export interface Tally {
  counts: Record<string, Record<string, number>>;
  /** The first few unexpected outcomes, in full. */
  unexpected: string[];
  /** Every unexpected outcome, counted by kind ('close ENOENT'). */
  kinds: Record<string, number>;
}

/**
 * The unexpected outcomes of every thread: how many of each kind over all
 * threads, then the first few of each thread in full. => [] when none.
 */
export function unexpectedOf(tallies: readonly Tally[]): string[] {
  const kinds = new Map<string, number>();
  for (const t of tallies) for (const [kind, n] of Object.entries(t.kinds)) kinds.set(kind, (kinds.get(kind) ?? 0) + n);
  return [...[...kinds].map(([kind, n]) => `${n} x ${kind}`), ...tallies.flatMap((t, i) => t.unexpected.map((u) => `thread ${i}: ${u}`))];
}

/** Sum of `op`'s count of `code` over all threads. */
export function total(tallies: readonly Tally[], op: string, code: string): number {
  return tallies.reduce((sum, t) => sum + (t.counts[op]?.[code] ?? 0), 0);
}

/** FNV-1a, as conc-common.mjs computes it. */
export function fnv1a(buf: Uint8Array, start = 0, end = buf.length): number {
  let h = 0x811c9dc5;
  for (let i = start; i < end; i++) {
    h ^= buf[i]!;
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}
