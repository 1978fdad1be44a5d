/**
 * Rename ping-pong from 2, 4 and 8 threads: the same files and directories
 * are moved back and forth between two directories. No entry may be lost or
 * doubled: each ends in exactly one of them, where its successful moves
 * (a->b minus b->a) put it; the only failure is ENOENT; reads through
 * either directory meanwhile find the entry's own contents or nothing; the
 * directories' link counts and every `..` are right afterwards.
 */

import { afterEach, expect, test } from 'vitest';
import type { SharedVfs } from '@actorvfs/workers';
import { THREAD_COUNTS, audit, newSharedVfs, runThreads, terminateAll, total, unexpectedOf, type Tally } from './threads.js';

const ENTRIES = 16;
const TOTAL_OPS = 12_000;

let svfs: SharedVfs | undefined;
afterEach(async () => {
  await terminateAll();
  await svfs?.close();
  svfs = undefined;
});

for (const threads of THREAD_COUNTS) {
  test(`${threads} threads moving ${ENTRIES} entries between two directories: none lost or doubled`, async () => {
    svfs = await newSharedVfs();
    const fs = svfs.fs;
    const [a, b] = ['/a', '/b'];
    fs.mkdirSync(a);
    fs.mkdirSync(b);
    for (let k = 0; k < ENTRIES; k++) {
      if (k % 2 === 0) fs.writeFileSync(`${a}/e${k}`, `e${k}`);
      else {
        fs.mkdirSync(`${a}/e${k}`);
        fs.writeFileSync(`${a}/e${k}/inner`, `e${k}`);
      }
    }
    const results = await runThreads<{ moves: { ab: number[]; ba: number[] }; tally: Tally }>({
      script: 'conc-rename-pingpong.mjs',
      svfs,
      threads,
      data: () => ({ a, b, entries: ENTRIES, ops: Math.round(TOTAL_OPS / threads), seed: threads }),
    });
    const tallies = results.map((r) => r.tally);
    expect.soft(unexpectedOf(tallies), 'failures other than ENOENT, or wrong contents').toEqual([]);
    expect(total(tallies, 'rename', 'ok'), 'renames that succeeded').toBeGreaterThan(0);

    const inA = new Set(fs.readdirSync(a));
    const inB = new Set(fs.readdirSync(b));
    const wrong: string[] = [];
    for (let k = 0; k < ENTRIES; k++) {
      const name = `e${k}`;
      const ab = results.reduce((s, r) => s + r.moves.ab[k]!, 0);
      const ba = results.reduce((s, r) => s + r.moves.ba[k]!, 0);
      const net = ab - ba;
      if (inA.has(name) === inB.has(name)) wrong.push(`${name}: in a ${inA.has(name)}, in b ${inB.has(name)}`);
      else if (net !== (inB.has(name) ? 1 : 0)) wrong.push(`${name}: ${ab} moves a->b and ${ba} b->a, but it is in ${inB.has(name) ? 'b' : 'a'}`);
      const dir = inB.has(name) ? b : a;
      const path = k % 2 === 0 ? `${dir}/${name}` : `${dir}/${name}/inner`;
      if (fs.existsSync(path) && fs.readFileSync(path, 'utf8') !== name) wrong.push(`${path}: wrong contents`);
    }
    expect(wrong, 'entries lost, doubled or misplaced').toEqual([]);
    expect(inA.size + inB.size).toBe(ENTRIES);

    const dirsIn = (set: Set<string>): number => [...set].filter((n) => Number(n.slice(1)) % 2 === 1).length;
    expect(fs.statSync(a).nlink, 'nlink of a').toBe(2 + dirsIn(inA));
    expect(fs.statSync(b).nlink, 'nlink of b').toBe(2 + dirsIn(inB));
    const report = await audit(svfs, '/');
    expect(report.problems, 'audit').toEqual([]);
    expect([report.dirs, report.files]).toEqual([3 + ENTRIES / 2, ENTRIES]);
  });
}
