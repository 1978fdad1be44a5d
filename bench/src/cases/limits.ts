/**
 * The physical limits, measured in the same run so that results read as a
 * fraction of them: copying 64 KiB chunks between the heap and
 * SharedArrayBuffer pages (the ceiling of sequential I/O), and a round trip
 * to another thread with Atomics wait/notify (with and without a bounded
 * spin) and with postMessage (the ceiling of anything cross-thread).
 */

import { performance } from 'node:perf_hooks';
import { MessageChannel, Worker } from 'node:worker_threads';
import { selected, type JobPlan, type JobSpec, type ResultRecord, type RunOptions } from '../types.js';
import type { LimitsWorkerData } from './limits-worker.js';
import { measure, type Measured } from './micro.js';
import { budget, errorText, type Budget, type Reporter, type Section } from './section.js';

const CHUNK = 64 * 1024;
const AREA = 64 * 1024 * 1024;
/** Polls before sleeping: about ten microseconds, bounded (a long pure spin starves the other thread). */
const SPIN = 1_000;

interface LimitCase {
  name: string;
  title: string;
  unit: 'MB/s' | 'µs' | 'ops/s';
  /** `b` is the micro budget; cases that do not run in rounds take its rounds back to back. */
  run(b: Budget): Promise<Partial<ResultRecord>>;
}

function long(b: Budget): Budget {
  return { ...b, timeMs: b.timeMs * b.rounds };
}

function startWorker(data: LimitsWorkerData): Worker {
  return new Worker(new URL('./limits-worker.js', import.meta.url), { workerData: data });
}

/**
 * Copy 64 KiB chunks from `src` to `dst`. The side that is 64 MiB streams
 * (each chunk is the next one, so it comes from or goes to memory, not
 * cache); the side that is 64 KiB stays put, like the caller's buffer in a
 * read or write.
 */
async function copy(b: Budget, name: string, src: Uint8Array, dst: Uint8Array): Promise<Partial<ResultRecord>> {
  src.fill(0x5a);
  dst.fill(0);
  const span = Math.max(src.length, dst.length);
  const srcMoves = src.length > CHUNK;
  const dstMoves = dst.length > CHUNK;
  let pos = 0;
  const fn = (): void => {
    const from = srcMoves ? pos : 0;
    dst.set(src.subarray(from, from + CHUNK), dstMoves ? pos : 0);
    pos = (pos + CHUNK) % span;
  };
  // Memory bandwidth on a shared VM swings by 2x from second to second: take the median of short rounds.
  const rounds: Measured[] = [];
  for (let r = 0; r < b.rounds; r++) rounds.push(await measure(name, fn, false, b, b.timeMs, r === 0 ? b.warmupMs : 20));
  rounds.sort((x, y) => x.opsPerSec - y.opsPerSec);
  const m = rounds[rounds.length >> 1]!;
  const mbPerSec = (m.opsPerSec * CHUNK) / 1e6;
  return {
    value: mbPerSec,
    mbPerSec,
    opsPerSec: m.opsPerSec,
    p50Us: m.p50Us,
    p99Us: m.p99Us,
    samples: rounds.reduce((n, x) => n + x.samples, 0),
    extra: { rounds: rounds.length, minMBps: (rounds[0]!.opsPerSec * CHUNK) / 1e6, maxMBps: (rounds[rounds.length - 1]!.opsPerSec * CHUNK) / 1e6 },
  };
}

const heap = (n: number): Uint8Array => new Uint8Array(n);
const shared = (n: number): Uint8Array => new Uint8Array(new SharedArrayBuffer(n));

async function atomicsRoundTrip(b: Budget, name: string, spin: number): Promise<Partial<ResultRecord>> {
  const sab = new SharedArrayBuffer(8);
  const words = new Int32Array(sab);
  const worker = startWorker({ kind: 'atomics', sab, spin });
  await new Promise((resolve) => worker.once('online', resolve));
  let seq = 0;
  try {
    const m = await measure(
      name,
      () => {
        seq++;
        Atomics.store(words, 0, seq);
        Atomics.notify(words, 0);
        let v = Atomics.load(words, 1);
        for (let n = 0; v !== seq && n < spin; n++) v = Atomics.load(words, 1);
        while (v !== seq) {
          Atomics.wait(words, 1, v);
          v = Atomics.load(words, 1);
        }
      },
      false,
      b,
    );
    return { value: 1e6 / m.opsPerSec, opsPerSec: m.opsPerSec, p50Us: m.p50Us, p99Us: m.p99Us, samples: m.samples };
  } finally {
    Atomics.store(words, 0, -1);
    Atomics.notify(words, 0);
    await worker.terminate();
  }
}

async function postMessageRoundTrip(b: Budget, name: string): Promise<Partial<ResultRecord>> {
  const worker = startWorker({ kind: 'echo' });
  await new Promise((resolve) => worker.once('online', resolve));
  let resolveReply: () => void = () => {};
  worker.on('message', () => resolveReply());
  let i = 0;
  try {
    const m = await measure(
      name,
      () =>
        new Promise<void>((resolve) => {
          resolveReply = resolve;
          worker.postMessage(i++);
        }),
      true,
      b,
    );
    return { value: 1e6 / m.opsPerSec, opsPerSec: m.opsPerSec, p50Us: m.p50Us, p99Us: m.p99Us, samples: m.samples };
  } finally {
    await worker.terminate();
  }
}

/** Messages per second to a worker and back with 64 in flight. */
async function postMessagePipelined(b: Budget): Promise<Partial<ResultRecord>> {
  const worker = startWorker({ kind: 'echo' });
  await new Promise((resolve) => worker.once('online', resolve));
  try {
    const run = (ms: number): Promise<number> =>
      new Promise((resolve) => {
        const end = performance.now() + ms;
        let received = 0;
        let sent = 0;
        const t0 = performance.now();
        worker.on('message', function onMessage() {
          received++;
          if (performance.now() < end) {
            worker.postMessage(sent++);
          } else if (received === sent) {
            worker.off('message', onMessage);
            resolve((received * 1000) / (performance.now() - t0));
          }
        });
        for (let k = 0; k < 64; k++) worker.postMessage(sent++);
      });
    await run(b.warmupMs);
    const rate = await run(b.timeMs);
    return { value: rate, opsPerSec: rate };
  } finally {
    await worker.terminate();
  }
}

async function workerStart(b: Budget): Promise<Partial<ResultRecord>> {
  const n = b.timeMs < 500 ? 5 : 20;
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    const w = startWorker({ kind: 'echo' });
    await new Promise((resolve) => {
      w.once('message', resolve);
      w.postMessage(0);
    });
    times.push((performance.now() - t0) * 1000);
    await w.terminate();
  }
  times.sort((x, y) => x - y);
  const mean = times.reduce((x, y) => x + y, 0) / n;
  return { value: mean, opsPerSec: 1e6 / mean, p50Us: times[Math.floor(n / 2)]!, p99Us: times[n - 1]!, samples: n };
}

const cases: readonly LimitCase[] = [
  { name: 'copy-heap-heap', title: 'memcpy: 64 MiB heap → 64 KiB heap buffer', unit: 'MB/s', run: (b) => copy(b, 'heap-heap', heap(AREA), heap(CHUNK)) },
  { name: 'copy-heap-sab', title: 'write bound: 64 KiB heap buffer → 64 MiB SAB', unit: 'MB/s', run: (b) => copy(b, 'heap-sab', heap(CHUNK), shared(AREA)) },
  { name: 'copy-sab-heap', title: 'read bound: 64 MiB SAB → 64 KiB heap buffer', unit: 'MB/s', run: (b) => copy(b, 'sab-heap', shared(AREA), heap(CHUNK)) },
  { name: 'copy-sab-heap-hot', title: 'cache-hot: 64 KiB SAB → 64 KiB heap buffer', unit: 'MB/s', run: (b) => copy(b, 'sab-heap-hot', shared(CHUNK), heap(CHUNK)) },
  { name: 'atomics-rt', title: 'thread round trip, Atomics wait/notify', unit: 'µs', run: (b) => atomicsRoundTrip(long(b), 'atomics', 0) },
  { name: 'atomics-spin-rt', title: `thread round trip, Atomics after a ${SPIN.toLocaleString('en-US')}-poll spin`, unit: 'µs', run: (b) => atomicsRoundTrip(long(b), 'atomics-spin', SPIN) },
  { name: 'postmessage-rt', title: 'thread round trip, postMessage', unit: 'µs', run: (b) => postMessageRoundTrip(long(b), 'postmessage') },
  { name: 'postmessage-64', title: 'postMessage to a worker and back, 64 in flight', unit: 'ops/s', run: (b) => postMessagePipelined(long(b)) },
  {
    name: 'message-channel',
    title: 'new MessageChannel + close',
    unit: 'µs',
    async run(b) {
      const m = await measure(
        'channel',
        () => {
          const ch = new MessageChannel();
          ch.port1.close();
        },
        false,
        long(b),
      );
      return { value: 1e6 / m.opsPerSec, opsPerSec: m.opsPerSec, p50Us: m.p50Us, p99Us: m.p99Us, samples: m.samples };
    },
  },
  { name: 'worker-start', title: 'start a Worker until its first reply', unit: 'µs', run: (b) => workerStart(long(b)) },
];

export const limits: Section = {
  name: 'limits',
  title: 'Physical limits',
  plan(options: RunOptions): JobPlan[] {
    const chosen = cases.filter((c) => selected(options, `limits/${c.name}`));
    if (chosen.length === 0) return [];
    return [{ section: 'limits', key: 'limits', tasks: chosen.map((c) => ({ id: `limits/${c.name}/limit/-`, label: c.title })) }];
  },
  async run(job: JobSpec, out: Reporter): Promise<void> {
    const b = budget(job.options);
    for (const id of job.tasks) {
      const c = cases.find((x) => x.name === id.split('/')[1]);
      if (c === undefined) continue;
      out.start(id, b.taskDeadlineMs);
      const base: ResultRecord = {
        task: id,
        section: 'limits',
        case: c.name,
        title: c.title,
        subject: 'limit',
        form: '-',
        unit: c.unit,
        value: NaN,
        better: c.unit === 'µs' ? 'lower' : 'higher',
      };
      try {
        out.result({ ...base, ...(await c.run(b)) });
      } catch (e) {
        out.result({ ...base, error: errorText(e) });
      }
      out.end(id);
    }
  },
};
