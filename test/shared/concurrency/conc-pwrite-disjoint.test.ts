/**
 * Writers to disjoint ranges of one file from 2, 4 and 8 threads (pwrite,
 * pwritev, FileHandle.write and .writev): chunks are interleaved between
 * threads and not page-aligned, so neighbouring threads write the same
 * pages, and the file grows from empty while they do. Each thread reads its
 * own chunks back after every round; at the end the file is exactly the
 * last round of every thread, and its size is exactly the chunks' total.
 */

import { afterEach, expect, test } from 'vitest';
import type { SharedVfs } from '@actorvfs/workers';
import { THREAD_COUNTS, audit, newSharedVfs, runThreads, terminateAll, total, unexpectedOf, type Tally } from './threads.js';

const CHUNK = 1000;
const CHUNKS = 480;
const ROUNDS = 16;

let svfs: SharedVfs | undefined;
afterEach(async () => {
  await terminateAll();
  await svfs?.close();
  svfs = undefined;
});

function pattern(thread: number, round: number, j: number, len: number): Buffer {
  const buf = Buffer.alloc(len);
  for (let i = 0; i < len; i++) buf[i] = (thread * 53 + round * 29 + j * 7 + i) & 0xff;
  return buf;
}

for (const threads of THREAD_COUNTS) {
  test(`${threads} threads writing interleaved ${CHUNK}-byte chunks of one file: every byte is its owner's last write`, async () => {
    svfs = await newSharedVfs();
    const fs = svfs.fs;
    const path = '/p';
    fs.writeFileSync(path, '');
    const results = await runThreads<{ tally: Tally }>({ script: 'conc-pwrite.mjs', svfs, threads, data: () => ({ path, chunk: CHUNK, chunks: CHUNKS, rounds: ROUNDS }) });
    const tallies = results.map((r) => r.tally);
    expect.soft(unexpectedOf(tallies), 'failed, short or lost writes').toEqual([]);
    expect(total(tallies, 'pwrite', 'ok')).toBe(CHUNKS * ROUNDS);

    expect(fs.statSync(path).size).toBe(CHUNKS * CHUNK);
    const data = fs.readFileSync(path);
    const wrong: string[] = [];
    for (let j = 0; j < CHUNKS; j++) {
      const got = data.subarray(j * CHUNK, (j + 1) * CHUNK);
      const want = pattern(j % threads, ROUNDS - 1, j, CHUNK);
      if (!got.equals(want)) wrong.push(`chunk ${j} (thread ${j % threads}): first wrong byte at ${got.findIndex((b, i) => b !== want[i])}`);
    }
    expect(wrong, 'chunks that are not their owner\'s last write').toEqual([]);

    const report = await audit(svfs, '/');
    expect(report.problems, 'audit').toEqual([]);
    expect(report.bytes).toBe(CHUNKS * CHUNK);
  });
}
