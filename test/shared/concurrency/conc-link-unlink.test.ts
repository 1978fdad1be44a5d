/**
 * link/unlink races on one inode from 2, 4 and 8 threads: link fails only
 * with EEXIST and unlink only with ENOENT; the link count stays in range
 * while they run; afterwards each name exists exactly when it was linked
 * once more than unlinked, and the inode's nlink is 1 + the surviving names.
 */

import { afterEach, expect, test } from 'vitest';
import type { SharedVfs } from '@actorvfs/workers';
import { THREAD_COUNTS, audit, newSharedVfs, runThreads, terminateAll, total, unexpectedOf, type Tally } from './threads.js';

const NAMES = 12;
const TOTAL_OPS = 16_000;

let svfs: SharedVfs | undefined;
afterEach(async () => {
  await terminateAll();
  await svfs?.close();
  svfs = undefined;
});

for (const threads of THREAD_COUNTS) {
  test(`${threads} threads linking and unlinking ${NAMES} names of one inode: nlink matches the surviving names`, async () => {
    svfs = await newSharedVfs();
    const fs = svfs.fs;
    const dir = '/l';
    const base = `${dir}/base`;
    fs.mkdirSync(dir);
    fs.writeFileSync(base, 'the one inode');
    const ino = fs.statSync(base).ino;
    const results = await runThreads<{ linked: number[]; unlinked: number[]; tally: Tally }>({
      script: 'conc-link-unlink.mjs',
      svfs,
      threads,
      data: () => ({ dir, base, names: NAMES, ops: Math.round(TOTAL_OPS / threads), seed: threads }),
    });
    const tallies = results.map((r) => r.tally);
    expect.soft(unexpectedOf(tallies), 'failures other than EEXIST/ENOENT, or nlink out of range').toEqual([]);
    expect(total(tallies, 'link', 'ok')).toBeGreaterThan(0);
    expect(total(tallies, 'unlink', 'ok')).toBeGreaterThan(0);

    const wrong: string[] = [];
    let surviving = 0;
    for (let k = 0; k < NAMES; k++) {
      const name = `${dir}/h${k}`;
      const linked = results.reduce((n, r) => n + r.linked[k]!, 0);
      const unlinked = results.reduce((n, r) => n + r.unlinked[k]!, 0);
      const exists = fs.existsSync(name);
      if (exists) {
        surviving++;
        if (fs.statSync(name).ino !== ino) wrong.push(`${name} is another inode`);
      }
      if (linked - unlinked !== (exists ? 1 : 0)) wrong.push(`${name}: linked ${linked} times, unlinked ${unlinked} times, exists ${exists}`);
    }
    expect(wrong, 'names whose state disagrees with the successful calls').toEqual([]);
    expect(fs.statSync(base).nlink, 'nlink of the inode').toBe(1 + surviving);
    expect(fs.readdirSync(dir).length).toBe(1 + surviving);
    expect(fs.readFileSync(base, 'utf8')).toBe('the one inode');

    const report = await audit(svfs, dir);
    expect(report.problems, 'audit').toEqual([]);
    expect(report.files).toBe(1);
  });
}
