/**
 * Rename into place while readers read, from 2, 4 and 8 threads (half
 * writers, half readers): writers write each version of a file in full
 * under a temporary name and rename it over the target; every read of the
 * target (readFileSync, fs.promises.readFile, or a descriptor held while the
 * file is replaced) is one whole version, never torn, never missing, never
 * older than one the same reader saw before. Afterwards only the target is
 * left, holding the last version of one of the writers.
 */

import { afterEach, expect, test } from 'vitest';
import type { SharedVfs } from '@actorvfs/workers';
import { THREAD_COUNTS, audit, fnv1a, newSharedVfs, runThreads, terminateAll, total, unexpectedOf, type Tally } from './threads.js';

const TOTAL_VERSIONS = 1200;
const MIN_READS = 300;
const HEADER = 29;

let svfs: SharedVfs | undefined;
afterEach(async () => {
  await terminateAll();
  await svfs?.close();
  svfs = undefined;
});

interface Result {
  role: 'writer' | 'reader';
  reads: number;
  versionsSeen: number;
  problems: string[];
  tally: Tally;
}

/** The same layout as conc-rename-into-place.mjs writes. */
function version(writer: number, v: number, length: number): Buffer {
  const buf = Buffer.alloc(HEADER + length);
  for (let i = 0; i < length; i++) buf[HEADER + i] = (writer * 31 + v * 7 + i) & 0xff;
  const sum = fnv1a(buf, HEADER);
  buf.write(`V${String(writer).padStart(2, '0')}:${String(v).padStart(6, '0')}:${String(length).padStart(8, '0')}:${sum.toString(16).padStart(8, '0')}\n`, 0, 'latin1');
  return buf;
}

for (const threads of THREAD_COUNTS) {
  const writers = threads / 2;
  test(`${writers} writers renaming new versions into place while ${threads - writers} readers read: never a torn file`, async () => {
    svfs = await newSharedVfs();
    const fs = svfs.fs;
    const dir = '/d';
    const target = `${dir}/target`;
    fs.mkdirSync(dir);
    fs.writeFileSync(target, version(0, 0, 100));
    const versions = Math.round(TOTAL_VERSIONS / writers);
    const results = await runThreads<Result>({
      script: 'conc-rename-into-place.mjs',
      svfs,
      threads,
      shared: new SharedArrayBuffer(4),
      data: () => ({ dir, target, writers, versions, minReads: MIN_READS }),
    });
    const tallies = results.map((r) => r.tally);
    expect(results.flatMap((r, i) => r.problems.map((p) => `reader ${i}: ${p}`)), 'torn or reordered versions').toEqual([]);
    expect.soft(unexpectedOf(tallies), 'failed calls (none may fail: the target always exists)').toEqual([]);
    expect(total(tallies, 'rename', 'ok')).toBe(writers * versions);
    const readers = results.filter((r) => r.role === 'reader');
    for (const r of readers) expect(r.reads).toBeGreaterThanOrEqual(MIN_READS);

    // Only the target is left, and it is the last version of some writer.
    expect(fs.readdirSync(dir)).toEqual(['target']);
    const final = fs.readFileSync(target);
    const head = /^V(\d\d):(\d{6}):(\d{8}):/.exec(final.toString('latin1', 0, HEADER));
    expect(head, 'final header').not.toBeNull();
    expect(Number(head![2])).toBe(versions);
    expect(final.equals(version(Number(head![1]), versions, Number(head![3])))).toBe(true);

    const report = await audit(svfs, '/');
    expect(report.problems, 'audit').toEqual([]);
    expect(report.files).toBe(1);
  });
}
