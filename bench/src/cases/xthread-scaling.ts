/**
 * Throughput with 1 and 2 worker threads. Each measurement is a window of
 * fixed wall time that the threads start together at an Atomics barrier;
 * the figure is the sum of the threads' calls per second, the median of the
 * rounds. The scaling of a subject is its 2-thread figure over its 1-thread
 * figure.
 *
 * Reads: both workers attached to ONE SharedVfs (actorvfs), against each
 * worker with an unshared instance of its own: createVfs() (separate
 * actorvfs instances, the yardstick of the target: shared must scale at
 * least 90% as well), memfs, ZenFS, and Node's fs on a directory per worker.
 *
 * Mutations: workers attached to one SharedVfs, each in a directory of its
 * own (every mutation is a request to the one actor of the mount), against
 * Node's fs in a directory per worker on one tmpfs; and, for reference, the
 * same from the creating thread (svfs.fs) and on an embedded createVfs().
 */

import * as nodeFs from 'node:fs';
import { createVfs } from '@actorvfs/core';
import { SharedVfs } from '@actorvfs/workers';
import type { FsLike } from '../peers.js';
import type { SubjectName } from '../types.js';
import { makeFixture, runWindow } from '../workers/xthread-ops.js';
import type { Fixture, Instance, OpSpec } from '../workers/xthread-protocol.js';
import { entry, inRounds, record, windowFigures, type Cell, type Entry, type XTask } from './xthread-common.js';
import { BIG_FILE } from './xthread-latency.js';
import { XPool } from './xthread-pool.js';

const THREADS = [1, 2] as const;
const BLOCK = 4096;

function subjectOf(instance: Instance): SubjectName {
  return instance === 'shared' || instance === 'embedded' ? 'actorvfs' : instance;
}

/** Each worker's windows: a warm-up window before the first round, then the measured one. */
function windows(t: XTask, pool: XPool, threads: number, instance: Instance, specOf: (worker: number) => OpSpec) {
  return async (round: number): Promise<number> => {
    if (round === 0) await pool.window(threads, instance, specOf, 'sync', 1, Math.min(100, t.b.warmupMs));
    return (await pool.window(threads, instance, specOf, 'sync', 1, t.b.timeMs)).opsPerSec;
  };
}

/** The scaling (2 threads ÷ 1) of one subject as a cell. */
function scalingCell(one: Cell, two: Cell, subject: SubjectName, variant: string, title: string): Cell {
  const ok = one.error === undefined && two.error === undefined && one.value > 0 && two.value > 0;
  return { subject, variant, title, unit: '×', value: ok ? two.value / one.value : NaN, ...(ok ? {} : { error: one.error ?? two.error ?? 'no measurement' }) };
}

const READS: readonly { op: OpSpec['op']; path: string; title: string; unit: string; bytesPerOp?: number }[] = [
  { op: 'stat', path: '/a/b/c/file', title: 'stat', unit: 'ops/s' },
  { op: 'pread-4k', path: '/data/file', title: '4 KiB pread', unit: 'MB/s', bytesPerOp: BLOCK },
];

const SEPARATE: readonly Instance[] = ['embedded', 'memfs', 'zenfs', 'native'];

function readFixtures(root: string): Fixture[] {
  return [
    { kind: 'file-100', path: `${root}/a/b/c/file` },
    { kind: 'file', path: `${root}/data/file`, bytes: BIG_FILE },
  ];
}

export async function readScaling(t: XTask): Promise<void> {
  t.out.beat(t.id, 'actorvfs: preparing');
  const svfs = await SharedVfs.create();
  let pool: XPool | null = null;
  try {
    for (const f of readFixtures('')) makeFixture(svfs.fs as unknown as FsLike, f);
    pool = await XPool.start(2, svfs.handle(), t.requestDeadlineMs);
    for (const w of pool.workers) {
      for (const instance of SEPARATE) {
        t.out.beat(t.id, `${subjectOf(instance)}: preparing worker ${w.index}`);
        if (instance === 'native') for (const f of readFixtures(`${t.hostDir}/w${w.index}`)) makeFixture(nodeFs as unknown as FsLike, f);
        else await w.request({ t: 'fixtures', instance, fixtures: readFixtures('') });
      }
    }
    const p = pool;
    type Point = { instance: Instance; threads: number; e: Entry<number> };
    const byOp = READS.map((r) => {
      const points: Point[] = [];
      for (const instance of ['shared', ...SEPARATE] as const) {
        const specOf = (i: number): OpSpec => ({ op: r.op, path: instance === 'native' ? `${t.hostDir}/w${i}${r.path}` : r.path, size: BIG_FILE, seed: i + 1 });
        for (const threads of THREADS) {
          const name = `${subjectOf(instance)} ${instance === 'shared' ? 'shared' : 'separate'}, ${r.op}, ${threads} thread${threads > 1 ? 's' : ''}`;
          points.push({ instance, threads, e: entry(name, windows(t, p, threads, instance, specOf)) });
        }
      }
      return { r, points };
    });
    await inRounds(
      t,
      byOp.flatMap((o) => o.points.map((x) => x.e)),
    );
    for (const { r, points } of byOp) {
      const cell = (instance: Instance, threads: number, variant: string, title: string): Cell => {
        const e = points.find((x) => x.instance === instance && x.threads === threads)!.e;
        const f = windowFigures(e, r.unit, r.bytesPerOp);
        return { subject: subjectOf(instance), variant, title, unit: r.unit, ...f, extra: { ...f.extra, threads } };
      };
      // Main rows: actorvfs is the shared instance, the peers have one instance per thread.
      const groups: [string, readonly Instance[], string][] = [
        [`${r.op}`, ['shared', 'memfs', 'zenfs', 'native'], ' (actorvfs shared)'],
        [`${r.op}-separate`, ['embedded'], ', separate actorvfs'],
      ];
      const scaling: Partial<Record<Instance, Cell>> = {};
      for (const [variant, instances, who] of groups) {
        const cells = instances.map((instance) => THREADS.map((threads) => cell(instance, threads, `${variant}-${threads}t`, `${r.title}, ${threads} thread${threads > 1 ? 's' : ''}${who}`)));
        for (let k = 0; k < THREADS.length; k++) for (const c of cells) t.out.result(record(t, c[k]!));
        instances.forEach((instance, i) => {
          scaling[instance] = scalingCell(cells[i]![0]!, cells[i]![1]!, subjectOf(instance), `${variant}-scaling`, `${r.title}, scaling 1 → 2 threads${who}`);
          t.out.result(record(t, scaling[instance]!));
        });
      }
      const shared = scaling.shared!;
      const separate = scaling.embedded!;
      const ok = Number.isFinite(shared.value) && Number.isFinite(separate.value) && separate.value > 0;
      t.out.result(
        record(t, {
          subject: 'actorvfs',
          variant: `${r.op}-shared-vs-separate`,
          title: `${r.title}, scaling shared ÷ separate actorvfs`,
          unit: '%',
          value: ok ? (100 * shared.value) / separate.value : NaN,
          ...(ok ? {} : { error: 'a scaling is missing' }),
          extra: { sharedScaling: shared.value, separateScaling: separate.value },
        }),
      );
    }
  } finally {
    await pool?.terminate();
    await svfs.close();
  }
}

const MUTATIONS: readonly { op: OpSpec['op']; leaf: string; title: string }[] = [
  { op: 'create-unlink', leaf: 'file', title: 'create+unlink' },
  { op: 'mkdir-rmdir', leaf: 'sub', title: 'mkdir+rmdir' },
];

export async function mutationScaling(t: XTask): Promise<void> {
  t.out.beat(t.id, 'actorvfs: preparing');
  const svfs = await SharedVfs.create();
  const embedded = createVfs().fs as unknown as FsLike;
  const coordinator = svfs.fs as unknown as FsLike;
  let pool: XPool | null = null;
  try {
    for (const d of ['/m/w0', '/m/w1', '/m/c']) makeFixture(coordinator, { kind: 'mkdir', path: d });
    for (const d of ['/m/w0', '/m/w1']) makeFixture(nodeFs as unknown as FsLike, { kind: 'mkdir', path: `${t.hostDir}${d}` });
    makeFixture(embedded, { kind: 'mkdir', path: '/m/e' });
    pool = await XPool.start(2, svfs.handle(), t.requestDeadlineMs);
    const p = pool;
    const inThisThread = (fs: FsLike, spec: OpSpec) => async (round: number): Promise<number> => {
      if (round === 0) await runWindow(fs, spec, 'sync', 1, Math.min(100, t.b.warmupMs));
      const w = await runWindow(fs, spec, 'sync', 1, t.b.timeMs);
      return (w.ops * 1000) / w.ms;
    };
    const byOp = MUTATIONS.map((m) => {
      const specOf = (instance: Instance) => (i: number): OpSpec => ({ op: m.op, path: `${instance === 'native' ? t.hostDir : ''}/m/w${i}/${m.leaf}` });
      const workers = (['shared', 'native'] as const).flatMap((instance) =>
        THREADS.map((threads) => ({ instance, threads, e: entry(`${subjectOf(instance)} ${m.op}, ${threads} thread${threads > 1 ? 's' : ''}`, windows(t, p, threads, instance, specOf(instance))) })),
      );
      const fromCoordinator = entry(`actorvfs ${m.op}, creating thread`, inThisThread(coordinator, { op: m.op, path: `/m/c/${m.leaf}` }));
      const fromEmbedded = entry(`actorvfs ${m.op}, embedded`, inThisThread(embedded, { op: m.op, path: `/m/e/${m.leaf}` }));
      return { m, workers, fromCoordinator, fromEmbedded };
    });
    await inRounds(
      t,
      byOp.flatMap((o) => [...o.workers.map((x) => x.e), o.fromCoordinator, o.fromEmbedded]),
    );
    for (const { m, workers, fromCoordinator, fromEmbedded } of byOp) {
      const cell = (instance: Instance, threads: number): Cell => {
        const f = windowFigures(workers.find((x) => x.instance === instance && x.threads === threads)!.e, 'ops/s');
        const title = `${m.title}, ${threads} worker thread${threads > 1 ? 's' : ''}`;
        return { subject: subjectOf(instance), variant: `${m.op}-${threads}t`, title, unit: 'ops/s', ...f, extra: { ...f.extra, threads } };
      };
      const cells = (['shared', 'native'] as const).map((instance) => THREADS.map((threads) => cell(instance, threads)));
      for (let k = 0; k < THREADS.length; k++) for (const c of cells) t.out.result(record(t, c[k]!));
      for (const c of cells) t.out.result(record(t, scalingCell(c[0]!, c[1]!, c[0]!.subject, `${m.op}-scaling`, `${m.title}, scaling 1 → 2 threads`)));
      const f1 = windowFigures(fromCoordinator, 'ops/s');
      t.out.result(record(t, { subject: 'actorvfs', variant: `${m.op}-coordinator`, title: `${m.title}, creating thread (svfs.fs)`, unit: 'ops/s', ...f1 }));
      const f2 = windowFigures(fromEmbedded, 'ops/s');
      t.out.result(record(t, { subject: 'actorvfs', variant: `${m.op}-embedded`, title: `${m.title}, embedded createVfs()`, unit: 'ops/s', ...f2 }));
    }
  } finally {
    await pool?.terminate();
    await svfs.close();
  }
}
