/**
 * O_APPEND from 2, 4 and 8 threads: fixed-size records, each with its
 * thread, sequence number and checksum, appended with a kept descriptor, a
 * FileHandle, appendFileSync and fs.promises.appendFile. None may be lost,
 * none split or interleaved with another, each thread's records stay in its
 * order, and the size is exactly threads x records x size.
 */

import { afterEach, expect, test } from 'vitest';
import type { SharedVfs } from '@actorvfs/workers';
import { THREAD_COUNTS, audit, fnv1a, newSharedVfs, runThreads, terminateAll, total, unexpectedOf, type Tally } from './threads.js';

const RECORDS = 1000;
/** Not a divisor of any page size: records straddle page boundaries. */
const SIZE = 100;

let svfs: SharedVfs | undefined;
afterEach(async () => {
  await terminateAll();
  await svfs?.close();
  svfs = undefined;
});

/** => [thread, seq] of an intact record, or a description of what is wrong with it. */
function parseRecord(buf: Buffer): [number, number] | string {
  const text = buf.toString('latin1');
  const m = /^R(\d\d):(\d{6}):([a-z]+)([0-9a-f]{8})\n$/.exec(text);
  if (m === null || m[3]!.length !== SIZE - 20) return `malformed ${JSON.stringify(text)}`;
  if (parseInt(m[4]!, 16) !== fnv1a(buf, 0, SIZE - 9)) return `bad checksum ${JSON.stringify(text)}`;
  const thread = Number(m[1]);
  const seq = Number(m[2]);
  if (m[3] !== String.fromCharCode(97 + ((thread * 7 + seq) % 26)).repeat(SIZE - 20)) return `bad body ${JSON.stringify(text)}`;
  return [thread, seq];
}

for (const threads of THREAD_COUNTS) {
  test(`${threads} threads appending ${RECORDS} records of ${SIZE} bytes each: none lost, none split`, async () => {
    svfs = await newSharedVfs();
    const fs = svfs.fs;
    const path = '/log';
    fs.writeFileSync(path, '');
    const results = await runThreads<{ tally: Tally }>({ script: 'conc-append.mjs', svfs, threads, data: () => ({ path, records: RECORDS, size: SIZE }) });
    const tallies = results.map((r) => r.tally);
    expect.soft(unexpectedOf(tallies)).toEqual([]);
    expect(total(tallies, 'append', 'ok')).toBe(threads * RECORDS);

    const data = fs.readFileSync(path);
    expect(fs.statSync(path).size).toBe(threads * RECORDS * SIZE);
    expect(data.length).toBe(threads * RECORDS * SIZE);
    const bad: string[] = [];
    const seen = new Map<string, number>();
    const lastSeq = new Array<number>(threads).fill(-1);
    for (let off = 0; off + SIZE <= data.length; off += SIZE) {
      const r = parseRecord(data.subarray(off, off + SIZE));
      if (typeof r === 'string') {
        if (bad.length < 20) bad.push(`at ${off}: ${r}`);
        continue;
      }
      const [thread, seq] = r;
      const key = `${thread}/${seq}`;
      if (seen.has(key)) bad.push(`record ${key} at ${off} and at ${seen.get(key)}`);
      seen.set(key, off);
      if (thread >= threads || seq >= RECORDS) bad.push(`record ${key} at ${off} was never written`);
      else if (seq <= lastSeq[thread]!) bad.push(`record ${key} at ${off} after record ${thread}/${lastSeq[thread]}`);
      else lastSeq[thread] = seq;
    }
    expect(bad, 'split, doubled or reordered records').toEqual([]);
    const missing: string[] = [];
    for (let thread = 0; thread < threads; thread++) for (let seq = 0; seq < RECORDS; seq++) if (!seen.has(`${thread}/${seq}`)) missing.push(`${thread}/${seq}`);
    expect(missing.slice(0, 20), `${missing.length} records lost`).toEqual([]);

    const report = await audit(svfs, '/');
    expect(report.problems, 'audit').toEqual([]);
    expect(report.files).toBe(1);
  });
}
