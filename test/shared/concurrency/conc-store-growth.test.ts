/**
 * Store memory added by other threads, from 2, 4 and 8 threads. The store
 * grows by segments that each thread maps when it notices them; nothing a
 * thread does may trip over a segment it has not mapped yet:
 *
 *  - lookups: every thread has looked at the directory; the test thread
 *    then grows the store and creates names; every thread must stat, list
 *    and read all of them;
 *  - writes: all threads write a big file at once (each write sees the
 *    store grow under it); every write succeeds and every file reads back.
 *
 * No error of any kind is allowed (in particular no exception from inside
 * the library).
 */

import { afterEach, expect, test } from 'vitest';
import type { SharedVfs } from '@actorvfs/workers';
import { THREAD_COUNTS, audit, newSharedVfs, runThreads, terminateAll, unexpectedOf, type Tally } from './threads.js';

const BIG = 8 << 20;
const NAMES = 2000;

let svfs: SharedVfs | undefined;
afterEach(async () => {
  await terminateAll();
  await svfs?.close();
  svfs = undefined;
});

for (const threads of THREAD_COUNTS) {
  test(`${threads} threads looking up entries that live in store memory added after they last looked`, async () => {
    svfs = await newSharedVfs();
    const fs = svfs.fs;
    const dir = '/g';
    fs.mkdirSync(dir);
    const shared = new SharedArrayBuffer(8);
    const words = new Int32Array(shared);
    const grow = async (): Promise<void> => {
      // Once every thread has looked, grow the store and add the names.
      for (let n = Atomics.load(words, 0); n < threads; n = Atomics.load(words, 0)) {
        const w = Atomics.waitAsync(words, 0, n);
        if (w.async) await w.value;
      }
      fs.writeFileSync(`${dir}/big`, Buffer.alloc(BIG, 1));
      for (let k = 0; k < NAMES; k++) fs.writeFileSync(`${dir}/n${k}`, `n${k}`);
      Atomics.store(words, 1, 1);
      Atomics.notify(words, 1);
    };
    const [results] = await Promise.all([
      runThreads<{ seen: number; tally: Tally }>({ script: 'conc-store-growth.mjs', svfs, threads, shared, data: () => ({ mode: 'lookup', dir, bigBytes: BIG, names: NAMES }) }),
      grow(),
    ]);
    expect.soft(unexpectedOf(results.map((r) => r.tally)), 'failed lookups or reads').toEqual([]);
    expect(results.map((r) => r.seen), 'names each thread found').toEqual(results.map(() => NAMES));
    const report = await audit(svfs, dir);
    expect(report.problems, 'audit').toEqual([]);
  });

  test(`${threads} threads each writing a big file while the store grows under them`, async () => {
    svfs = await newSharedVfs();
    const fs = svfs.fs;
    const dir = '/g';
    fs.mkdirSync(dir);
    const results = await runThreads<{ seen: number; tally: Tally }>({
      script: 'conc-store-growth.mjs',
      svfs,
      threads,
      shared: new SharedArrayBuffer(8),
      data: () => ({ mode: 'write', dir, bigBytes: BIG, names: 0 }),
    });
    expect.soft(unexpectedOf(results.map((r) => r.tally)), 'failed or wrong writes').toEqual([]);
    expect(results.map((r) => r.seen), 'big files each thread read back whole').toEqual(results.map(() => threads));
    for (let i = 0; i < threads; i++) expect(fs.statSync(`${dir}/big-${i}`).size, `size of big-${i}`).toBe(BIG);
    const report = await audit(svfs, dir);
    expect(report.problems, 'audit').toEqual([]);
  });
}
