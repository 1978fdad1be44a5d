/**
 * Crash safety, swept deterministically: run journaled operations in this
 * thread and, at every Nth write to the undo log, copy the whole store and
 * the journal, as a thread killed at that instant would leave them. Each
 * copy is then recovered as the coordinator would (roll back, release the
 * recorded locks, drop the references) and must pass fsck and show the tree
 * of the model after the operations finished before the copy, or after one
 * more. store-crash-rollback.test.ts kills real threads at random moments;
 * this covers every logged step of the same operations.
 */

import { createHash } from 'node:crypto';
import { expect, test } from 'vitest';
import { createVfs, type VfsFs } from '@actorvfs/core';
import {
  Journal,
  Kernel,
  Store,
  Tmpfs,
  createNodeFs,
  dropJournalRefs,
  fsck,
  newContext,
  newJournalBuffer,
  newRefsBuffer,
  releaseJournalLocks,
  rollbackJournal,
  systemClock,
} from '@actorvfs/core/internal';
// @ts-expect-error: a plain JavaScript module shared with the crash worker
import { crashOps } from './workers/crash-ops-list.mjs';

type Op = (fs: VfsFs) => void;
const makeOps = crashOps as (seed: number, count: number) => Op[];

interface Shot {
  write: number;
  op: number;
  regions: SharedArrayBuffer[];
  journal: SharedArrayBuffer;
  refs: SharedArrayBuffer;
}

function copy(s: SharedArrayBuffer): SharedArrayBuffer {
  const c = new SharedArrayBuffer(s.byteLength, s.growable ? { maxByteLength: s.maxByteLength } : undefined);
  new Uint8Array(c).set(new Uint8Array(s));
  return c;
}

function tree(fs: VfsFs, dir = '/', out = new Map<string, string>()): Map<string, string> {
  for (const name of (fs.readdirSync(dir) as string[]).sort()) {
    const p = dir === '/' ? `/${name}` : `${dir}/${name}`;
    const st = fs.lstatSync(p);
    let what = `${st.mode.toString(8)} ${st.nlink}`;
    if (st.isDirectory()) {
      out.set(p, `dir ${what}`);
      tree(fs, p, out);
      continue;
    }
    if (st.isSymbolicLink()) what += ` -> ${fs.readlinkSync(p)}`;
    else what += ` ${st.size} ${createHash('sha1').update(fs.readFileSync(p)).digest('hex')}`;
    out.set(p, what);
  }
  return out;
}

function same(a: Map<string, string>, b: Map<string, string>): boolean {
  return a.size === b.size && [...a].every(([k, v]) => b.get(k) === v);
}

function fsOf(t: Tmpfs): VfsFs {
  return createNodeFs(newContext(new Kernel(t, systemClock, () => 1), { uid: 0, gid: 0 }));
}

/** Run `ops` journaled, one transaction each, copying everything at every `every`th undo write. */
function runWithShots(ops: Op[], every: number): Shot[] {
  const fs = Tmpfs.create({ maxBytes: 256 << 20 });
  fs.st.id = 1;
  fs.tid = 5;
  const journalBuf = newJournalBuffer();
  const refsBuf = newRefsBuffer();
  const journal = new Journal(journalBuf, refsBuf, 5);
  fs.st.useJournal(journal);
  let id = 0;
  const vfs = createNodeFs(newContext(new Kernel(fs, systemClock, () => ++id), { uid: 0, gid: 0 }));
  const shots: Shot[] = [];
  let writes = 0;
  let op = 0;
  const proto = Journal.prototype as unknown as Record<'word' | 'range' | 'add', (...a: unknown[]) => void>;
  const saved = { word: proto.word, range: proto.range, add: proto.add };
  for (const m of ['word', 'range', 'add'] as const) {
    const orig = saved[m];
    proto[m] = function (this: Journal, ...a: unknown[]) {
      if (++writes % every === 0) shots.push({ write: writes, op, regions: fs.st.regions.map(copy), journal: copy(journalBuf), refs: copy(refsBuf) });
      return orig.apply(this, a);
    };
  }
  try {
    for (; op < ops.length; op++) {
      journal.begin(0);
      try {
        ops[op]!(vfs);
      } catch (e) {
        if (typeof (e as { code?: unknown }).code !== 'string') throw e;
        journal.abort();
      }
      journal.end();
    }
  } finally {
    Object.assign(proto, saved);
  }
  return shots;
}

for (const [seed, count, every] of [
  [2001, 40, 1],
  [2002, 120, 7],
  [2003, 120, 7],
  [2004, 200, 13],
] as const) {
  test(`seed ${seed}: recovered from a kill at every ${every === 1 ? '' : `${every}th `}logged write of ${count} operations, the store is whole and shows the last change whole or not at all`, () => {
    const ops = makeOps(seed, count);
    const models = new Map<number, Map<string, string>>();
    const model = (n: number): Map<string, string> => {
      let m = models.get(n);
      if (m === undefined) {
        const v = createVfs();
        for (let i = 0; i < n; i++) {
          try {
            ops[i]!(v.fs);
          } catch (e) {
            if (typeof (e as { code?: unknown }).code !== 'string') throw e;
          }
        }
        models.set(n, (m = tree(v.fs)));
      }
      return m;
    };
    const shots = runWithShots(ops, every);
    expect(shots.length).toBeGreaterThan(100);
    let rolledBack = 0;
    for (const s of shots) {
      const st = Store.attach({ regions: s.regions });
      st.id = 1;
      const stores = new Map([[1, st]]);
      if (rollbackJournal(s.journal, stores, false) > 0) rolledBack++;
      releaseJournalLocks(s.journal, stores);
      const t = Tmpfs.attach({ store: { regions: s.regions }, atime: 'noatime' });
      for (const o of dropJournalRefs(s.refs, stores).orphans) t.reclaim(o.ino);
      expect(fsck(st).problems, `write ${s.write}, in operation ${s.op}`).toEqual([]);
      const got = tree(fsOf(t));
      expect(same(got, model(s.op)) || same(got, model(s.op + 1)), `write ${s.write}, in operation ${s.op}: tree matches neither model`).toBe(true);
    }
    expect(rolledBack).toBeGreaterThan(shots.length / 2);
  }, 120_000);
}
