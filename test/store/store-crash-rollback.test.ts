/**
 * Crash safety of the store: a real worker thread changes a shared tmpfs
 * store through its journal, one operation per transaction, and is
 * terminated at a random moment. The test then does what the coordinator
 * does (roll the journal back, release the recorded locks, drop the
 * references it held) and checks:
 *   - fsck finds nothing wrong (allocator, slabs, namespace, no lock held);
 *   - the tree is exactly the model's after the operations the worker had
 *     finished, or after one more (the one in flight had committed).
 */

import { Worker } from 'node:worker_threads';
import { createHash } from 'node:crypto';
import { expect, test } from 'vitest';
import { createVfs, type VfsFs } from '@actorvfs/core';
import { Kernel, Tmpfs, createNodeFs, dropJournalRefs, fsck, newContext, systemClock, newJournalBuffer, newRefsBuffer, releaseJournalLocks, rollbackJournal, type Store } from '@actorvfs/core/internal';
// @ts-expect-error: a plain JavaScript module shared with the worker
import { crashOps } from './workers/crash-ops-list.mjs';

type Op = (fs: VfsFs) => void;
const makeOps = crashOps as (seed: number, count: number) => Op[];

const OPS = 400;

/** Every path under `dir`: type, size, mode, and a hash of contents or target. */
function snapshot(fs: VfsFs, dir = '/', out = new Map<string, string>()): Map<string, string> {
  for (const name of (fs.readdirSync(dir) as string[]).sort()) {
    const p = dir === '/' ? `/${name}` : `${dir}/${name}`;
    const st = fs.lstatSync(p);
    let what = `${st.mode.toString(8)} ${st.nlink}`;
    if (st.isDirectory()) {
      out.set(p, `dir ${what}`);
      snapshot(fs, p, out);
      continue;
    }
    if (st.isSymbolicLink()) what += ` -> ${fs.readlinkSync(p)}`;
    else what += ` ${st.size} ${createHash('sha1').update(fs.readFileSync(p)).digest('hex')}`;
    out.set(p, what);
  }
  return out;
}

function model(ops: Op[], n: number): Map<string, string> {
  const vfs = createVfs();
  for (let i = 0; i < n; i++) {
    try {
      ops[i]!(vfs.fs);
    } catch (e) {
      if (typeof (e as { code?: unknown }).code !== 'string') throw e;
    }
  }
  return snapshot(vfs.fs);
}

async function runAndKill(seed: number, delayMs: number): Promise<{ store: Store; done: number; finished: boolean; undone: number; released: number }> {
  const fs = Tmpfs.create({ maxBytes: 256 << 20 });
  fs.st.id = 1;
  const journal = newJournalBuffer();
  const refs = newRefsBuffer();
  const progress = new Int32Array(new SharedArrayBuffer(12));
  const worker = new Worker(new URL('./workers/crash-ops.mjs', import.meta.url), {
    workerData: { image: fs.st.image(), journal, refs, progress, seed, count: OPS },
    execArgv: [],
  });
  const exited = new Promise<number>((resolve) => worker.once('exit', resolve));
  let error: unknown;
  const failed = new Promise<never>((_, reject) =>
    worker.once('error', (e) => {
      error = e;
      reject(e);
    }),
  );
  failed.catch(() => {});
  // Wait until it runs operations, then let it run for a while and kill it.
  const started = Atomics.waitAsync(progress, 1, 0, 30_000);
  if (started.async) await Promise.race([started.value, failed]);
  await new Promise((resolve) => setTimeout(resolve, delayMs));
  await worker.terminate();
  await exited;
  if (error !== undefined) throw error;
  const stores = new Map([[1, fs.st]]);
  const undone = rollbackJournal(journal, stores, false);
  const released = releaseJournalLocks(journal, stores);
  // Files it had open: drop its references, and free what that orphaned.
  const { orphans } = dropJournalRefs(refs, stores);
  for (const o of orphans) fs.reclaim(o.ino);
  return { store: fs.st, done: Atomics.load(progress, 0), finished: Atomics.load(progress, 2) === 1, undone, released };
}

test('a thread killed at random points of journaled changes leaves a consistent store: the last change whole or not at all', async () => {
  let interrupted = 0;
  let rolledBack = 0;
  let locksReleased = 0;
  for (let round = 0; round < 24; round++) {
    const seed = 1000 + round;
    const ops = makeOps(seed, OPS);
    const r = await runAndKill(seed, 2 + ((round * 7) % 23));
    const report = fsck(r.store);
    expect(report.problems, `round ${round}: fsck after ${r.done} operations`).toEqual([]);
    const got = snapshot(viewFs(r.store));
    const before = model(ops, r.done);
    const after = r.done < OPS ? model(ops, r.done + 1) : before;
    const same = mapsEqual(got, before) || mapsEqual(got, after);
    expect(same, `round ${round}: tree after ${r.done} operations matches neither model: ${diff(got, before)} / ${diff(got, after)}`).toBe(true);
    if (!r.finished) interrupted++;
    if (r.undone > 0) rolledBack++;
    locksReleased += r.released;
  }
  // The kills landed inside operations: some had to be rolled back.
  expect(interrupted).toBeGreaterThan(12);
  expect(rolledBack).toBeGreaterThan(0);
  expect(locksReleased).toBeGreaterThan(0);
}, 120_000);

/** A Node-fs view of `store` in this thread (no journal: nothing else uses it now). */
function viewFs(store: Store): VfsFs {
  const tmp = Tmpfs.attach({ store: store.image(), atime: 'noatime' });
  return createNodeFs(newContext(new Kernel(tmp, systemClock, () => 1), { uid: 0, gid: 0 }));
}

function diff(a: Map<string, string>, b: Map<string, string>): string {
  const out: string[] = [];
  for (const [k, v] of a) if (b.get(k) !== v) out.push(`${k}: ${v} vs ${b.get(k) ?? 'absent'}`);
  for (const k of b.keys()) if (!a.has(k)) out.push(`${k}: absent vs ${b.get(k)}`);
  return out.slice(0, 6).join('; ');
}

function mapsEqual(a: Map<string, string>, b: Map<string, string>): boolean {
  if (a.size !== b.size) return false;
  for (const [k, v] of a) if (b.get(k) !== v) return false;
  return true;
}
