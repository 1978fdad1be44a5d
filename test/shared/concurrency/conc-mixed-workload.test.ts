/**
 * A mixed random workload from 2, 4 and 8 threads on one small namespace
 * (creates, record writes, appends, truncates, mkdir, rmdir, unlink,
 * rename, link, symlink, readdir, reads; sync forms on some threads,
 * fs.promises on the others), then the audit: only the failures a racing
 * caller can get; every invariant of the tree (link counts, directory nlink
 * and `..`, every entry stats, sizes match reads); every file whole
 * records, each intact or zero, none twice anywhere; and removing it all
 * gives every inode back.
 */

import { afterEach, expect, test } from 'vitest';
import type { SharedVfs } from '@actorvfs/workers';
import { removeTree } from '../../random/audit.js';
import type { FsLike } from '../../random/fsx.js';
import { THREAD_COUNTS, audit, fnv1a, newSharedVfs, runThreads, terminateAll, total, unexpectedOf, type Tally } from './threads.js';

const TOTAL_OPS = 12_000;
const TOPS = 3;
const NAMES = 6;
const RECORD = 64;
const MAX_RECORDS = 160;
const OPS = ['create', 'write', 'append', 'truncate', 'mkdir', 'rmdir', 'unlink', 'rename', 'link', 'symlink', 'readdir', 'readFile'];

let svfs: SharedVfs | undefined;
afterEach(async () => {
  await terminateAll();
  await svfs?.close();
  svfs = undefined;
});

/** Check one file's records. => problems found; `seen` collects thread/seq of intact records. */
function checkRecords(path: string, data: Buffer, seen: Map<string, string>): string[] {
  const problems: string[] = [];
  if (data.length % RECORD !== 0) problems.push(`${path}: size ${data.length} is not whole ${RECORD}-byte records`);
  for (let off = 0; off + RECORD <= data.length; off += RECORD) {
    const rec = data.subarray(off, off + RECORD);
    if (rec.every((b) => b === 0)) continue;
    const text = rec.toString('latin1');
    const m = /^F(\d\d):(\d{7}):([a-z]+)([0-9a-f]{8})\n$/.exec(text);
    if (m === null || m[3]!.length !== RECORD - 21 || parseInt(m[4]!, 16) !== fnv1a(rec, 0, RECORD - 9)) {
      problems.push(`${path} at ${off}: not an intact record: ${JSON.stringify(text)}`);
      continue;
    }
    const key = `${m[1]}/${m[2]}`;
    const before = seen.get(key);
    if (before !== undefined) problems.push(`record ${key} at ${path}@${off} and at ${before}`);
    seen.set(key, `${path}@${off}`);
  }
  return problems;
}

for (const threads of THREAD_COUNTS) {
  test(`${threads} threads running a mixed random workload in shared directories: every invariant holds after`, async () => {
    svfs = await newSharedVfs();
    const fs = svfs.fs;
    const root = '/w';
    fs.mkdirSync(root);
    for (let d = 0; d < TOPS; d++) fs.mkdirSync(`${root}/d${d}`);
    const inodesInUse = async (): Promise<number> => {
      const s = await fs.promises.statfs('/');
      return s.files - s.ffree;
    };
    const before = await inodesInUse();
    const results = await runThreads<{ tally: Tally }>({
      script: 'conc-mixed.mjs',
      svfs,
      threads,
      data: () => ({ root, tops: TOPS, names: NAMES, ops: Math.round(TOTAL_OPS / threads), seed: threads, record: RECORD, maxRecords: MAX_RECORDS }),
    });
    const tallies = results.map((r) => r.tally);
    expect.soft(unexpectedOf(tallies), 'failures no racing caller should get').toEqual([]);
    for (const op of OPS) expect.soft(total(tallies, op, 'ok'), `${op} succeeded sometimes`).toBeGreaterThan(0);

    const report = await audit(svfs, root);
    expect(report.problems, 'audit').toEqual([]);
    expect(report.dirs).toBeGreaterThan(TOPS);
    expect(report.files).toBeGreaterThan(0);

    // Every file: whole records, each intact or zero, no record twice (one read per inode).
    const problems: string[] = [];
    const seen = new Map<string, string>();
    const inodes = new Set<number>();
    const walk = (dir: string): void => {
      for (const name of fs.readdirSync(dir)) {
        const path = `${dir}/${name}`;
        const st = fs.lstatSync(path);
        if (st.isDirectory()) walk(path);
        else if (st.isFile() && !inodes.has(st.ino)) {
          inodes.add(st.ino);
          problems.push(...checkRecords(path, fs.readFileSync(path), seen));
        }
      }
    };
    walk(root);
    expect(problems.slice(0, 20), `${problems.length} problems in file contents`).toEqual([]);

    await removeTree(fs as unknown as FsLike, root);
    expect(await inodesInUse(), 'inodes in use after removing everything').toBe(before - 1 - TOPS);
  });
}
