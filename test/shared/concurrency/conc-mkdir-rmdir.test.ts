/**
 * mkdir/rmdir races from 2, 4 and 8 threads on a few shared names, two
 * levels deep: failures are only EEXIST, ENOENT and ENOTEMPTY; every
 * directory that exists was made once more than it was removed (and every
 * one that does not, as often); link counts agree; no directory is orphaned
 * (removing what is left gives back every inode).
 */

import { afterEach, expect, test } from 'vitest';
import type { SharedVfs } from '@actorvfs/workers';
import { THREAD_COUNTS, audit, newSharedVfs, runThreads, terminateAll, total, unexpectedOf, type Tally } from './threads.js';

const TOPS = 4;
const SUBS = 3;
const TOTAL_OPS = 16_000;

let svfs: SharedVfs | undefined;
afterEach(async () => {
  await terminateAll();
  await svfs?.close();
  svfs = undefined;
});

interface Result {
  made: Record<string, number>;
  removed: Record<string, number>;
  tally: Tally;
}

for (const threads of THREAD_COUNTS) {
  test(`${threads} threads racing mkdir and rmdir: only EEXIST, ENOENT, ENOTEMPTY; every directory accounted for`, async () => {
    svfs = await newSharedVfs();
    const fs = svfs.fs;
    const root = '/m';
    fs.mkdirSync(root);
    const inodesInUse = async (): Promise<number> => {
      const s = await fs.promises.statfs('/');
      return s.files - s.ffree;
    };
    const before = await inodesInUse();
    const results = await runThreads<Result>({
      script: 'conc-mkdir-rmdir.mjs',
      svfs,
      threads,
      data: () => ({ root, tops: TOPS, subs: SUBS, ops: Math.round(TOTAL_OPS / threads), seed: threads }),
    });
    const tallies = results.map((r) => r.tally);
    expect.soft(unexpectedOf(tallies), 'failures other than EEXIST, ENOENT, ENOTEMPTY').toEqual([]);
    for (const op of ['mkdir1', 'mkdir2', 'rmdir1', 'rmdir2']) expect(total(tallies, op, 'ok'), `${op} successes`).toBeGreaterThan(0);

    const wrong: string[] = [];
    let existing = 0;
    for (let d = 0; d < TOPS; d++) {
      const top = `${root}/d${d}`;
      for (const path of [top, ...Array.from({ length: SUBS }, (_, s) => `${top}/s${s}`)]) {
        const made = results.reduce((n, r) => n + (r.made[path] ?? 0), 0);
        const removed = results.reduce((n, r) => n + (r.removed[path] ?? 0), 0);
        const exists = fs.existsSync(path);
        if (exists) existing++;
        if (made - removed !== (exists ? 1 : 0)) wrong.push(`${path}: made ${made} times, removed ${removed} times, exists ${exists}`);
      }
      if (fs.existsSync(top)) {
        const subs = fs.readdirSync(top);
        if (fs.statSync(top).nlink !== 2 + subs.length) wrong.push(`${top}: nlink ${fs.statSync(top).nlink} with ${subs.length} subdirectories`);
      }
    }
    expect(wrong, 'directories whose state disagrees with the successful calls').toEqual([]);
    expect(fs.statSync(root).nlink).toBe(2 + fs.readdirSync(root).length);

    const report = await audit(svfs, root);
    expect(report.problems, 'audit').toEqual([]);
    expect(report.dirs).toBe(1 + existing);

    // No directory made inside one being removed survives unseen.
    for (const name of fs.readdirSync(root)) {
      for (const sub of fs.readdirSync(`${root}/${name}`)) fs.rmdirSync(`${root}/${name}/${sub}`);
      fs.rmdirSync(`${root}/${name}`);
    }
    expect(await inodesInUse(), 'inodes in use after removing everything').toBe(before);
  });
}
