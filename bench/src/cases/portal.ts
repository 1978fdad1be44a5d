/**
 * The portal benchmarks (@actorvfs/portal): what going through a portal
 * costs against doing the same thing directly in this thread.
 *
 *   open-warm   open + close of a tcp portal, provider pool warm
 *               vs net.connect + destroy to the same server
 *   open-cold   the first open of a new portal (its pool starts a worker,
 *               loads the host and the provider) vs the same net.connect
 *   tcp-read    1 MiB read from an endless TCP source, through the portal
 *               vs a net.Socket on the same server
 *   tcp-write   1 MiB written to a TCP sink, through the portal vs a net.Socket
 *   filter      an rfilter `cat %s` of a 4 MiB host file, read to its end
 *               vs child_process.spawn('cat') read to its end
 *
 * Subjects: 'actorvfs' is the portal, 'native' the direct way; the report's
 * ×native column is the ratio (above 1: the portal is faster). The sync
 * form has no native peer (Node has no synchronous sockets). Each case is
 * timed call by call (tinybench), the two subjects taking turns in rounds,
 * the median round reported. The TCP servers run in a worker thread
 * (portal-peer.ts), so a blocking portal call still has a live peer.
 */

import { spawn } from 'node:child_process';
import { once } from 'node:events';
import * as nodeFs from 'node:fs';
import * as net from 'node:net';
import { Worker } from 'node:worker_threads';
import { Bench } from 'tinybench';
import { createVfs, type Vfs } from '@actorvfs/core';
import { portalFs, type PortalFs, type PortalFsOptions } from '@actorvfs/portal';
import { nativeTempPrefix } from '../peers.js';
import { selected, type Form, type JobPlan, type JobSpec, type ResultRecord, type RunOptions, type SubjectName } from '../types.js';
import type { Measured } from './micro.js';
import type { PortalPeerPorts } from './portal-peer.js';
import { budget, errorText, type Budget, type Reporter, type Section } from './section.js';
import { entry, timedFigures, warmupMs, type Entry } from './xthread-common.js';

const SECTION = 'portal';
const MiB = 1 << 20;
const CHUNK = 64 * 1024;
const FILTER_BYTES = 4 * MiB;

interface PTask {
  id: string;
  caseName: string;
  form: Form;
  b: Budget;
  out: Reporter;
  peers: PortalPeerPorts;
  /** A host file of FILTER_BYTES, on tmpfs. */
  file: string;
  /** The task's portal (made on first use, kept across rounds, closed after the task). */
  mounted(config: string): Mounted;
}

/** The timed operation of each subject, set up afresh for each round; a subject absent has no such form. */
type Subjects = Partial<Record<SubjectName, (round: number) => Promise<Measured>>>;

interface PCase {
  name: string;
  title: string;
  forms: readonly Form[];
  unit: 'µs' | 'MB/s';
  bytesPerOp?: number;
  subjects(t: PTask): Subjects;
}

// ------------------------------------------------------------------ timing

interface Hooks {
  beforeEach?: () => void | Promise<void>;
  afterEach?: () => void | Promise<void>;
}

/** Time `fn` (tinybench) for the budget's time after the round's warm-up. */
async function time(t: PTask, round: number, label: string, fn: () => unknown, isAsync: boolean, hooks: Hooks = {}, cold = false): Promise<Measured> {
  const wu = cold ? 0 : warmupMs(t.b, round);
  const bench = new Bench({ time: t.b.timeMs, warmup: wu > 0, warmupTime: wu, iterations: cold ? Math.ceil(t.b.iterations / 2) : t.b.iterations, warmupIterations: t.b.warmupIterations, throws: true });
  bench.add(label, fn, { async: isAsync, ...hooks });
  if (isAsync) await bench.run();
  else bench.runSync();
  const r = bench.tasks[0]!.result;
  if (r.state === 'errored') throw r.error;
  if (r.state !== 'completed') throw new Error(`tinybench task ended ${r.state}`);
  return { opsPerSec: 1000 / r.period, p50Us: r.latency.p50 * 1000, p99Us: r.latency.p99 * 1000, samples: r.latency.samplesCount };
}

// ---------------------------------------------------------------- fixtures

interface Mounted {
  vfs: Vfs;
  portal: PortalFs;
  close(): Promise<void>;
}

function mountPortal(config: string, options: Partial<PortalFsOptions> = {}): Mounted {
  const vfs = createVfs();
  vfs.fs.mkdirSync('/p');
  const portal = portalFs({ filter: { output: 'ignore' }, ...options, config: { text: config } });
  vfs.mount('/p', portal);
  return {
    vfs,
    portal,
    close: async () => {
      await portal.close();
      vfs.unmount('/p');
    },
  };
}

function connect(port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ port, host: '127.0.0.1', noDelay: true });
    s.once('error', reject);
    s.once('connect', () => {
      s.off('error', reject);
      resolve(s);
    });
  });
}

const TCP = 'tcp/ tcp tcp/\n';

// -------------------------------------------------------------------- open

function openWarm(t: PTask): Subjects {
  const path = `/p/tcp/127.0.0.1/${t.peers.sink}`;
  const portalOpen = async (round: number): Promise<Measured> => {
    const fs = t.mounted(TCP).vfs.fs;
    // Warm: the pool's workers are up and the host and tcp provider loaded before timing starts.
    await (await fs.promises.open(path, 'r+')).close();
    return t.form === 'sync'
      ? await time(t, round, 'portal open-warm sync', () => fs.closeSync(fs.openSync(path, 'r+')), false)
      : await time(t, round, 'portal open-warm', async () => (await fs.promises.open(path, 'r+')).close(), true);
  };
  return t.form === 'sync' ? { actorvfs: portalOpen } : { actorvfs: portalOpen, native: (round) => nativeConnect(t, round) };
}

function nativeConnect(t: PTask, round: number): Promise<Measured> {
  return time(t, round, 'net.connect', async () => (await connect(t.peers.sink)).destroy(), true);
}

function openCold(t: PTask): Subjects {
  const path = `/p/tcp/127.0.0.1/${t.peers.sink}`;
  const portalOpen = async (round: number): Promise<Measured> => {
    let m: Mounted | null = null;
    // Each call: a new portal, whose first open starts its pool; it is shut down outside the timing. No warm-up: it would not be cold.
    return time(t, round, 'portal open-cold', async () => (await m!.vfs.fs.promises.open(path, 'r+')).close(), true, {
      beforeEach: () => {
        m = mountPortal(TCP);
      },
      afterEach: async () => {
        await m?.close();
        m = null;
      },
    }, true);
  };
  return { actorvfs: portalOpen, native: (round) => nativeConnect(t, round) };
}

// ----------------------------------------------------------------- streams

function tcpRead(t: PTask): Subjects {
  const portalRead = async (round: number): Promise<Measured> => {
    const buf = Buffer.allocUnsafe(CHUNK);
    const fs = t.mounted(TCP).vfs.fs;
    if (t.form === 'sync') {
      const fd = fs.openSync(`/p/tcp/127.0.0.1/${t.peers.source}`, 'r');
      try {
        return await time(t, round, 'portal tcp-read sync', () => {
          for (let n = 0; n < MiB; ) n += fs.readSync(fd, buf, 0, Math.min(CHUNK, MiB - n), null);
        }, false);
      } finally {
        fs.closeSync(fd);
      }
    }
    const fh = await fs.promises.open(`/p/tcp/127.0.0.1/${t.peers.source}`, 'r');
    try {
      return await time(t, round, 'portal tcp-read', async () => {
        for (let n = 0; n < MiB; ) n += (await fh.read(buf, 0, Math.min(CHUNK, MiB - n), null)).bytesRead;
      }, true);
    } finally {
      await fh.close();
    }
  };
  const socketRead = async (round: number): Promise<Measured> => {
    const s = await connect(t.peers.source);
    s.pause();
    // Bytes that arrived beyond an operation's MiB count toward the next one.
    let have = 0;
    let want = 0;
    let done: (() => void) | null = null;
    s.on('data', (d: Buffer) => {
      have += d.length;
      if (have >= want && done !== null) {
        s.pause();
        const resolve = done;
        done = null;
        resolve();
      }
    });
    try {
      return await time(t, round, 'net.Socket read', () => {
        want = MiB;
        if (have >= want) {
          have -= want;
          return Promise.resolve();
        }
        return new Promise<void>((resolve) => {
          done = () => {
            have -= want;
            resolve();
          };
          s.resume();
        });
      }, true);
    } finally {
      s.destroy();
    }
  };
  return t.form === 'sync' ? { actorvfs: portalRead } : { actorvfs: portalRead, native: socketRead };
}

function tcpWrite(t: PTask): Subjects {
  const chunk = Buffer.alloc(CHUNK, 0x61);
  const portalWrite = async (round: number): Promise<Measured> => {
    const fs = t.mounted(TCP).vfs.fs;
    if (t.form === 'sync') {
      const fd = fs.openSync(`/p/tcp/127.0.0.1/${t.peers.sink}`, 'w');
      try {
        return await time(t, round, 'portal tcp-write sync', () => {
          for (let n = 0; n < MiB; n += CHUNK) fs.writeSync(fd, chunk, 0, CHUNK, null);
        }, false);
      } finally {
        fs.closeSync(fd);
      }
    }
    const fh = await fs.promises.open(`/p/tcp/127.0.0.1/${t.peers.sink}`, 'w');
    try {
      return await time(t, round, 'portal tcp-write', async () => {
        for (let n = 0; n < MiB; n += CHUNK) await fh.write(chunk, 0, CHUNK, null);
      }, true);
    } finally {
      await fh.close();
    }
  };
  const socketWrite = async (round: number): Promise<Measured> => {
    const s = await connect(t.peers.sink);
    try {
      return await time(t, round, 'net.Socket write', async () => {
        for (let n = 0; n < MiB; n += CHUNK) if (!s.write(chunk)) await once(s, 'drain');
      }, true);
    } finally {
      s.destroy();
    }
  };
  return t.form === 'sync' ? { actorvfs: portalWrite } : { actorvfs: portalWrite, native: socketWrite };
}

// ------------------------------------------------------------------ filter

function filter(t: PTask): Subjects {
  const path = `/p/cat/${t.file}`;
  const portalFilter = async (round: number): Promise<Measured> => {
    const fs = t.mounted('cat/ rfilter cat/ cat %s\n').vfs.fs;
    const check = (n: number): void => {
      if (n !== FILTER_BYTES) throw new Error(`read ${n} bytes of ${FILTER_BYTES}`);
    };
    return t.form === 'sync'
      ? await time(t, round, 'portal rfilter cat sync', () => check(fs.readFileSync(path).length), false)
      : await time(t, round, 'portal rfilter cat', async () => check((await fs.promises.readFile(path)).length), true);
  };
  const spawnCat = (round: number): Promise<Measured> =>
    time(t, round, 'spawn cat', async () => {
      const child = spawn('cat', [t.file], { stdio: ['ignore', 'pipe', 'ignore'] });
      let n = 0;
      child.stdout.on('data', (d: Buffer) => (n += d.length));
      await once(child, 'close');
      if (n !== FILTER_BYTES) throw new Error(`read ${n} bytes of ${FILTER_BYTES}`);
    }, true);
  return t.form === 'sync' ? { actorvfs: portalFilter } : { actorvfs: portalFilter, native: spawnCat };
}

const cases: readonly PCase[] = [
  { name: 'open-warm', title: 'open+close of a tcp portal, warm pool (native: net.connect)', forms: ['sync', 'promise'], unit: 'µs', subjects: openWarm },
  { name: 'open-cold', title: 'first open of a new portal, cold pool (native: net.connect)', forms: ['promise'], unit: 'µs', subjects: openCold },
  { name: 'tcp-read', title: 'tcp portal read, 1 MiB per op (native: net.Socket)', forms: ['sync', 'promise'], unit: 'MB/s', bytesPerOp: MiB, subjects: tcpRead },
  { name: 'tcp-write', title: 'tcp portal write, 1 MiB per op (native: net.Socket)', forms: ['sync', 'promise'], unit: 'MB/s', bytesPerOp: MiB, subjects: tcpWrite },
  { name: 'filter', title: 'rfilter cat of a 4 MiB file (native: spawn cat)', forms: ['sync', 'promise'], unit: 'MB/s', bytesPerOp: FILTER_BYTES, subjects: filter },
];

// ---------------------------------------------------------------- section

function record(t: PTask, c: PCase, subject: SubjectName, e: Entry<Measured>): ResultRecord {
  const figures = timedFigures(e, c.unit === 'µs' ? 'ops/s' : c.unit, c.bytesPerOp);
  const base: ResultRecord = { task: `${SECTION}/${c.name}/${subject}/${t.form}`, section: SECTION, case: c.name, title: c.title, subject, form: t.form, unit: c.unit, better: c.unit === 'µs' ? 'lower' : 'higher', value: NaN };
  if (figures.error !== undefined) return { ...base, error: figures.error };
  const value = c.unit === 'µs' ? 1e6 / figures.opsPerSec! : figures.value;
  return { ...base, ...figures, value };
}

async function runCase(t: PTask, c: PCase): Promise<void> {
  const subjects = c.subjects(t);
  const entries = (Object.entries(subjects) as [SubjectName, (round: number) => Promise<Measured>][]).map(([s, run]) => ({ s, e: entry(`${s} ${c.name}`, run) }));
  for (let round = 0; round < t.b.rounds; round++) {
    for (let k = 0; k < entries.length; k++) {
      const { e } = entries[(k + round) % entries.length]!;
      if (e.error !== undefined) continue;
      t.out.beat(t.id, `${e.name}, round ${round + 1}`);
      try {
        e.results.push(await e.run(round));
      } catch (err) {
        e.error = errorText(err);
      }
    }
  }
  const records = entries.map(({ s, e }) => record(t, c, s, e));
  const mine = records.find((r) => r.subject === 'actorvfs');
  const theirs = records.find((r) => r.subject === 'native');
  if (mine !== undefined && theirs !== undefined && mine.error === undefined && theirs.error === undefined) {
    // The ratio, oriented as the report's (above 1: the portal is better), also on the portal's record.
    const ratio = c.unit === 'µs' ? theirs.value / mine.value : mine.value / theirs.value;
    mine.extra = { ...mine.extra, ratioToNative: Number(ratio.toFixed(4)) };
  }
  for (const r of records) t.out.result(r);
}

function startPeers(): Promise<{ ports: PortalPeerPorts; worker: Worker }> {
  const worker = new Worker(new URL('./portal-peer.js', import.meta.url), { execArgv: [] });
  return new Promise((resolve, reject) => {
    worker.once('message', (ports: PortalPeerPorts) => resolve({ ports, worker }));
    worker.once('error', reject);
  });
}

export const portal: Section = {
  name: SECTION,
  title: 'Portals (@actorvfs/portal)',
  plan(options: RunOptions): JobPlan[] {
    const chosen = cases.filter((c) => selected(options, `${SECTION}/${c.name}`));
    if (chosen.length === 0) return [];
    const tasks = chosen.flatMap((c) => c.forms.map((f) => ({ id: `${SECTION}/${c.name}/*/${f}`, label: `${c.title} · ${f}` })));
    return [{ section: SECTION, key: SECTION, tasks }];
  },
  async run(job: JobSpec, out: Reporter): Promise<void> {
    const b = budget(job.options);
    const { ports, worker } = await startPeers();
    const file = `${nodeFs.mkdtempSync(nativeTempPrefix())}/data`;
    nodeFs.writeFileSync(file, Buffer.alloc(FILTER_BYTES, 0x62));
    try {
      for (const id of job.tasks) {
        const [, name, , form] = id.split('/') as [string, string, string, Form];
        const c = cases.find((x) => x.name === name);
        if (c === undefined) continue;
        out.start(id, b.taskDeadlineMs);
        let m: Mounted | null = null;
        const t: PTask = { id, caseName: name, form, b, out, peers: ports, file, mounted: (config) => (m ??= mountPortal(config)) };
        try {
          await runCase(t, c);
        } catch (e) {
          out.result({ task: `${SECTION}/${name}/actorvfs/${form}`, section: SECTION, case: name, title: c.title, subject: 'actorvfs', form, unit: c.unit, better: 'higher', value: NaN, error: errorText(e) });
        } finally {
          await (m as Mounted | null)?.close();
        }
        out.end(id);
      }
    } finally {
      nodeFs.rmSync(file.slice(0, file.lastIndexOf('/')), { recursive: true, force: true });
      await worker.terminate();
    }
  },
};
