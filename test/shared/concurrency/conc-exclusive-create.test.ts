/**
 * Exclusive creates of the same names from 2, 4 and 8 threads: for every
 * name exactly one thread wins, every other gets EEXIST (nothing else), and
 * the entry left is the winner's (its contents or symlink target). Four
 * kinds of exclusive create, in sync and promise forms.
 */

import { afterEach, expect, test } from 'vitest';
import type { SharedVfs } from '@actorvfs/workers';
import { THREAD_COUNTS, audit, newSharedVfs, runThreads, terminateAll, total, unexpectedOf, type Tally } from './threads.js';

const NAMES = 2000;
const KINDS = ['open', 'writeFile', 'mkdir', 'symlink'] as const;

let svfs: SharedVfs | undefined;
afterEach(async () => {
  await terminateAll();
  await svfs?.close();
  svfs = undefined;
});

for (const threads of THREAD_COUNTS) {
  test(`${threads} threads creating the same ${NAMES} names: exactly one wins each, the others get EEXIST`, async () => {
    svfs = await newSharedVfs();
    const fs = svfs.fs;
    const dir = '/x';
    fs.mkdirSync(dir);
    const results = await runThreads<{ wins: number[]; tally: Tally }>({ script: 'conc-exclusive-create.mjs', svfs, threads, data: () => ({ dir, names: NAMES }) });

    expect.soft(unexpectedOf(results.map((r) => r.tally)), 'outcomes other than success and EEXIST').toEqual([]);
    const winners = new Map<number, number[]>();
    results.forEach((r, thread) => {
      for (const k of r.wins) winners.set(k, [...(winners.get(k) ?? []), thread]);
    });
    const notExactlyOne = [...Array(NAMES).keys()].filter((k) => winners.get(k)?.length !== 1).map((k) => `n${k}: won by [${winners.get(k)?.join(', ') ?? ''}]`);
    expect(notExactlyOne, 'names not won by exactly one thread').toEqual([]);
    for (const kind of KINDS) {
      const tallies = results.map((r) => r.tally);
      expect(total(tallies, kind, 'ok'), `${kind} successes`).toBe(NAMES / KINDS.length);
      expect(total(tallies, kind, 'EEXIST'), `${kind} EEXIST`).toBe(((threads - 1) * NAMES) / KINDS.length);
    }

    // What is left is the winner's entry, of the right kind.
    expect(fs.readdirSync(dir).sort()).toEqual([...Array(NAMES).keys()].map((k) => `n${k}`).sort());
    const wrong: string[] = [];
    for (let k = 0; k < NAMES; k++) {
      const path = `${dir}/n${k}`;
      const me = `thread ${winners.get(k)![0]}`;
      const st = fs.lstatSync(path);
      const kind = KINDS[k % 4]!;
      if (kind === 'open' || kind === 'writeFile') {
        const text = fs.readFileSync(path, 'utf8');
        if (!st.isFile() || st.nlink !== 1 || text !== me) wrong.push(`${path}: file ${st.isFile()}, nlink ${st.nlink}, ${JSON.stringify(text)}, want ${me}`);
      } else if (kind === 'mkdir') {
        if (!st.isDirectory() || st.nlink !== 2 || fs.readdirSync(path).length !== 0) wrong.push(`${path}: directory ${st.isDirectory()}, nlink ${st.nlink}`);
      } else {
        const target = fs.readlinkSync(path, 'utf8');
        if (!st.isSymbolicLink() || target !== me) wrong.push(`${path}: symlink ${st.isSymbolicLink()} to ${JSON.stringify(target)}, want ${me}`);
      }
    }
    expect(wrong).toEqual([]);

    const report = await audit(svfs, dir);
    expect(report.problems, 'audit').toEqual([]);
    expect([report.dirs, report.files, report.symlinks]).toEqual([1 + NAMES / 4, NAMES / 2, NAMES / 4]);
    expect(fs.statSync(dir).nlink).toBe(2 + NAMES / 4);
  });
}
