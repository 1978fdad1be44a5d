/**
 * hostFs against Node's fs on the same host directory (on tmpfs): stat at
 * depth 4, open + 4 KiB read + close, readdir of 100 entries, and
 * create + write 100 B + close + unlink, each timed call by call
 * (tinybench), the two taking turns in rounds. Embedded mode: a
 * createVfs() with hostFs mounted at /h, in the benchmark child's thread.
 *
 * Shared mode: hostFs mounted on a SharedVfs (served by the mount's actor
 * thread), the same ops from an attached worker, against Node's fs in that
 * worker. The probe checks the host directory's files show through first;
 * if they do not, the case says why in a note instead of timing anything.
 */

import * as nodeFs from 'node:fs';
import { createVfs, hostFs } from '@actorvfs/core';
import { SharedVfs } from '@actorvfs/workers';
import type { FsLike } from '../peers.js';
import type { SubjectName } from '../types.js';
import { bindOp, makeFixture } from '../workers/xthread-ops.js';
import type { Fixture, Instance, OpSpec } from '../workers/xthread-protocol.js';
import { measure, type Measured } from './micro.js';
import { errorText } from './section.js';
import { entry, inRounds, record, timedFigures, warmupMs, type Entry, type XTask } from './xthread-common.js';
import { XPool } from './xthread-pool.js';

const OPS: readonly { variant: string; op: OpSpec['op']; path: string; title: string }[] = [
  { variant: 'stat', op: 'stat', path: '/a/b/c/file', title: 'stat, depth 4' },
  { variant: 'open-read-close', op: 'open-read-close', path: '/r/file', title: 'open+read 4 KiB+close' },
  { variant: 'readdir-100', op: 'readdir', path: '/d', title: 'readdir, 100 entries' },
  { variant: 'create-unlink', op: 'create-unlink', path: '/w/file', title: 'create+write 100 B+close, unlink' },
];

const FIXTURES: readonly Fixture[] = [
  { kind: 'file-100', path: '/a/b/c/file' },
  { kind: 'file', path: '/r/file', bytes: 4096 },
  { kind: 'dir', path: '/d', entries: 100 },
  { kind: 'mkdir', path: '/w' },
];

export async function hostfsCase(t: XTask): Promise<void> {
  const dir = `${t.hostDir}/h`;
  for (const f of FIXTURES) makeFixture(nodeFs as unknown as FsLike, { ...f, path: `${dir}${f.path}` });
  await embedded(t, dir);
  await shared(t, dir);
}

/** Times calls of `spec` on `fs` in this thread, one round. */
function here(t: XTask, fs: FsLike, spec: OpSpec) {
  return async (round: number): Promise<Measured> => {
    const op = await bindOp(fs, spec);
    try {
      const label = `${t.id}/${spec.path}`;
      return t.form === 'sync' ? await measure(label, () => op.sync(), false, t.b, t.b.timeMs, warmupMs(t.b, round)) : await measure(label, () => op.promise(), true, t.b, t.b.timeMs, warmupMs(t.b, round));
    } finally {
      await op.close();
    }
  };
}

async function embedded(t: XTask, dir: string): Promise<void> {
  t.out.beat(t.id, 'actorvfs: preparing');
  const vfs = createVfs();
  vfs.fs.mkdirSync('/h');
  vfs.mount('/h', hostFs({ path: dir }));
  const fs = vfs.fs as unknown as FsLike;
  const rows = OPS.map((o) => ({
    o,
    mine: entry(`actorvfs ${o.variant}`, here(t, fs, { op: o.op, path: `/h${o.path}` })),
    theirs: entry(`native ${o.variant}`, here(t, nodeFs as unknown as FsLike, { op: o.op, path: `${dir}${o.path}` })),
  }));
  try {
    await inRounds(
      t,
      rows.flatMap((r) => [r.mine, r.theirs]),
    );
  } finally {
    vfs.unmount('/h');
  }
  report(t, rows, '', 'hostFs');
}

function report(t: XTask, rows: { o: (typeof OPS)[number]; mine: Entry<Measured>; theirs: Entry<Measured> }[], prefix: string, where: string): void {
  for (const { o, mine, theirs } of rows) {
    const title = `${where}: ${o.title}`;
    for (const [subject, e] of [['actorvfs', mine], ['native', theirs]] as [SubjectName, Entry<Measured>][]) {
      t.out.result(record(t, { subject, variant: `${prefix}${o.variant}`, title, unit: 'ops/s', ...timedFigures(e, 'ops/s') }));
    }
  }
}

/** Mount hostFs on the SharedVfs and check the host directory's files show through. => null if so, else why not. */
async function probeShared(svfs: SharedVfs, dir: string): Promise<string | null> {
  svfs.fs.mkdirSync('/h');
  try {
    await svfs.mount('/h', hostFs({ path: dir }));
  } catch (e) {
    return `SharedVfs.mount() refused hostFs(...): ${errorText(e)}`;
  }
  let seen: string[] = [];
  try {
    seen = svfs.fs.readdirSync('/h');
  } catch {
    // An error reading the mount counts as not working.
  }
  if (seen.includes('a') && seen.includes('d')) return null;
  await svfs.unmount('/h');
  return `SharedVfs.mount() accepted hostFs(...) but the host directory's entries are not visible`;
}

async function shared(t: XTask, dir: string): Promise<void> {
  t.out.beat(t.id, 'actorvfs: shared hostFs probe');
  const svfs = await SharedVfs.create();
  let pool: XPool | null = null;
  try {
    const missing = await probeShared(svfs, dir);
    if (missing !== null) {
      if (t.form === 'sync') {
        t.out.result(
          record(t, {
            subject: 'actorvfs',
            variant: 'shared',
            title: 'hostFs from a worker (shared mode)',
            unit: 'ops/s',
            value: NaN,
            note: `skipped: shared hostFs not available in this build (${missing})`,
          }),
        );
      }
      return;
    }
    pool = await XPool.start(1, svfs.handle(), t.requestDeadlineMs);
    const w = pool.workers[0]!;
    const form = t.form === 'promise' ? 'promise' : 'sync';
    const remote = (instance: Instance, spec: OpSpec) => (round: number) => w.request<Measured>({ t: 'time', instance, spec, form, budget: t.b, warmupMs: warmupMs(t.b, round) });
    const rows = OPS.map((o) => ({
      o,
      mine: entry(`actorvfs shared ${o.variant}`, remote('shared', { op: o.op, path: `/h${o.path}` })),
      theirs: entry(`native ${o.variant} (worker)`, remote('native', { op: o.op, path: `${dir}${o.path}` })),
    }));
    await inRounds(
      t,
      rows.flatMap((r) => [r.mine, r.theirs]),
    );
    report(t, rows, 'shared-', 'hostFs from a worker');
  } finally {
    await pool?.terminate();
    await svfs.close();
  }
}
