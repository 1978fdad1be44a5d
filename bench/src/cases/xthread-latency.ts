/**
 * Latency from another thread: a worker attached to a SharedVfs that the
 * benchmark child's main thread created does a stat, or a random 4 KiB
 * pread, timed call by call (tinybench, in the worker). Node's fs in a
 * worker on a tmpfs directory is the peer (memfs and ZenFS cannot be shared
 * between threads). The Atomics and postMessage round trips are measured in
 * the same child, so the figures can be read against them: a read from
 * another thread needs no message at all.
 */

import * as nodeFs from 'node:fs';
import { Worker } from 'node:worker_threads';
import { SharedVfs } from '@actorvfs/workers';
import type { FsLike } from '../peers.js';
import type { ResultRecord } from '../types.js';
import { makeFixture } from '../workers/xthread-ops.js';
import type { Fixture, Instance, OpSpec } from '../workers/xthread-protocol.js';
import type { LimitsWorkerData } from './limits-worker.js';
import { measure, type Measured } from './micro.js';
import type { Budget } from './section.js';
import { SECTION, entry, inRounds, record, timedFigures, warmupMs, type RoundTrips, type XTask } from './xthread-common.js';
import { XPool } from './xthread-pool.js';

const BLOCK = 4096;
export const BIG_FILE = 64 * 1024 * 1024;

function limitsWorker(data: LimitsWorkerData): Worker {
  return new Worker(new URL('./limits-worker.js', import.meta.url), { workerData: data, execArgv: [] });
}

function limitRecord(name: string, title: string, m: Measured | null, error?: string): ResultRecord {
  const base: ResultRecord = { task: `${SECTION}/${name}/limit/-`, section: SECTION, case: name, title, subject: 'limit', form: '-', unit: 'µs', value: NaN, better: 'lower' };
  if (m === null) return { ...base, error: error ?? 'no measurement' };
  return { ...base, value: 1e6 / m.opsPerSec, opsPerSec: m.opsPerSec, p50Us: m.p50Us, p99Us: m.p99Us, samples: m.samples };
}

/** Atomics wait/notify ping-pong with limits-worker.js (no spin: the library's clients spin briefly, then wait). */
async function atomicsRoundTrip(b: Budget): Promise<Measured> {
  const words = new Int32Array(new SharedArrayBuffer(8));
  const worker = limitsWorker({ kind: 'atomics', sab: words.buffer as SharedArrayBuffer, spin: 0 });
  await new Promise((resolve) => worker.once('online', resolve));
  let seq = 0;
  try {
    return await measure(
      'xthread/atomics-rt',
      () => {
        seq++;
        Atomics.store(words, 0, seq);
        Atomics.notify(words, 0);
        for (let v = Atomics.load(words, 1); v !== seq; v = Atomics.load(words, 1)) Atomics.wait(words, 1, v);
      },
      false,
      b,
      b.timeMs * b.rounds,
    );
  } finally {
    Atomics.store(words, 0, -1);
    Atomics.notify(words, 0);
    await worker.terminate();
  }
}

async function postMessageRoundTrip(b: Budget): Promise<Measured> {
  const worker = limitsWorker({ kind: 'echo' });
  await new Promise((resolve) => worker.once('online', resolve));
  let answered: () => void = () => {};
  worker.on('message', () => answered());
  let i = 0;
  try {
    return await measure(
      'xthread/postmessage-rt',
      () =>
        new Promise<void>((resolve) => {
          answered = resolve;
          worker.postMessage(i++);
        }),
      true,
      b,
      b.timeMs * b.rounds,
    );
  } finally {
    await worker.terminate();
  }
}

export async function measureRoundTrips(b: Budget): Promise<RoundTrips> {
  const one = async (name: string, title: string, run: () => Promise<Measured>): Promise<ResultRecord> => {
    try {
      return limitRecord(name, title, await run());
    } catch (e) {
      return limitRecord(name, title, null, e instanceof Error ? e.message : String(e));
    }
  };
  return {
    atomics: await one('atomics-rt', 'thread round trip, Atomics wait/notify (cross-thread child)', () => atomicsRoundTrip(b)),
    postMessage: await one('postmessage-rt', 'thread round trip, postMessage (cross-thread child)', () => postMessageRoundTrip(b)),
  };
}

interface LatencyCase {
  title: string;
  op: OpSpec['op'];
  /** The file, relative to the file system's (or the native directory's) root. */
  path: string;
  fixture(path: string): Fixture;
  bytesPerOp?: number;
}

export const GETATTR: LatencyCase = { title: 'stat, depth 4, from a worker', op: 'stat', path: '/a/b/c/file', fixture: (path) => ({ kind: 'file-100', path }) };
export const READ_4K: LatencyCase = {
  title: 'random 4 KiB pread (64 MiB), from a worker',
  op: 'pread-4k',
  path: '/data/file',
  fixture: (path) => ({ kind: 'file', path, bytes: BIG_FILE }),
  bytesPerOp: BLOCK,
};

/** One worker; actorvfs (attached to the shared file system) and Node's fs take turns, each timed call by call. */
export async function remoteLatency(t: XTask, c: LatencyCase): Promise<void> {
  await t.roundTrips();
  t.out.beat(t.id, 'actorvfs: preparing');
  const svfs = await SharedVfs.create();
  let pool: XPool | null = null;
  try {
    const nativePath = `${t.hostDir}${c.path}`;
    makeFixture(svfs.fs as unknown as FsLike, c.fixture(c.path));
    makeFixture(nodeFs as unknown as FsLike, c.fixture(nativePath));
    pool = await XPool.start(1, svfs.handle(), t.requestDeadlineMs);
    const w = pool.workers[0]!;
    const timed = (instance: Instance, path: string) => (round: number) =>
      w.request<Measured>({ t: 'time', instance, spec: { op: c.op, path, size: BIG_FILE, seed: 1 }, form: 'sync', budget: t.b, warmupMs: warmupMs(t.b, round) });
    const shared = entry('actorvfs (shared, from a worker)', timed('shared', c.path));
    const native = entry('native (from a worker)', timed('native', nativePath));
    await inRounds(t, [shared, native]);
    for (const [subject, e] of [['actorvfs', shared], ['native', native]] as const) {
      t.out.result(record(t, { subject, variant: c.op, title: c.title, unit: 'ops/s', ...timedFigures(e, 'ops/s', c.bytesPerOp) }));
    }
  } finally {
    await pool?.terminate();
    await svfs.close();
  }
}
