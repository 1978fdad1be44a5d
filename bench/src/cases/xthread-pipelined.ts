/**
 * Pipelined asynchronous operations from an attached worker: k promise
 * chains in flight (k = 1, 8, 32), each awaiting its call before making the
 * next, for a fixed window; the figure is calls completed per second. A
 * stat runs in the worker itself (no message); mkdir+rmdir is two requests
 * to the mount's actor, which an async caller awaits with
 * Atomics.waitAsync, so k of them can be in flight at once (beyond the
 * ring's slots they queue in the caller). Node's fs.promises in the same
 * worker (libuv's thread pool) is the peer.
 */

import * as nodeFs from 'node:fs';
import { SharedVfs } from '@actorvfs/workers';
import type { FsLike } from '../peers.js';
import { makeFixture } from '../workers/xthread-ops.js';
import type { Instance, OpSpec } from '../workers/xthread-protocol.js';
import { entry, inRounds, record, windowFigures, type Entry, type XTask } from './xthread-common.js';
import { XPool } from './xthread-pool.js';

export const IN_FLIGHT = [1, 8, 32] as const;

const OPS: readonly { op: OpSpec['op']; path: string; title: string }[] = [
  { op: 'stat', path: '/a/b/c/file', title: 'stat, depth 4' },
  { op: 'mkdir-rmdir', path: '/p/sub', title: 'mkdir+rmdir' },
];

export async function pipelined(t: XTask): Promise<void> {
  t.out.beat(t.id, 'actorvfs: preparing');
  const svfs = await SharedVfs.create();
  let pool: XPool | null = null;
  try {
    for (const root of ['', t.hostDir]) {
      const fs = (root === '' ? svfs.fs : nodeFs) as unknown as FsLike;
      makeFixture(fs, { kind: 'file-100', path: `${root}/a/b/c/file` });
      makeFixture(fs, { kind: 'mkdir', path: `${root}/p` });
    }
    pool = await XPool.start(1, svfs.handle(), t.requestDeadlineMs);
    const p = pool;
    const rows: { op: (typeof OPS)[number]; k: number; shared: Entry<number>; native: Entry<number> }[] = [];
    const run = (instance: Instance, spec: OpSpec, k: number) => async (round: number) => {
      if (round === 0) await p.window(1, instance, () => spec, 'promise', k, Math.min(100, t.b.warmupMs));
      return (await p.window(1, instance, () => spec, 'promise', k, t.b.timeMs)).opsPerSec;
    };
    for (const op of OPS) {
      for (const k of IN_FLIGHT) {
        rows.push({
          op,
          k,
          shared: entry(`actorvfs ${op.op}, ${k} in flight`, run('shared', { op: op.op, path: op.path }, k)),
          native: entry(`native ${op.op}, ${k} in flight`, run('native', { op: op.op, path: `${t.hostDir}${op.path}` }, k)),
        });
      }
    }
    await inRounds(
      t,
      rows.flatMap((r) => [r.shared, r.native]),
    );
    for (const r of rows) {
      const title = `${r.op.title}, ${r.k} in flight, from a worker`;
      const variant = `${r.op.op}-k${r.k}`;
      for (const [subject, e] of [['actorvfs', r.shared], ['native', r.native]] as const) {
        const f = windowFigures(e, 'ops/s');
        t.out.result(record(t, { subject, variant, title, unit: 'ops/s', ...f, extra: { ...f.extra, inFlight: r.k } }));
      }
    }
  } finally {
    await pool?.terminate();
    await svfs.close();
  }
}
