/**
 * The randomised exercisers checked against Node's own fs on the host
 * (tmpfs when /dev/shm exists). This proves the oracles: the fsx shadow, the
 * namespace model's error predictions (Linux's rules) and the audit agree
 * with a real kernel file system, so a failure against actorvfs points at
 * actorvfs, not at the harness. It also proves the harness catches faults.
 */

import * as fs from 'node:fs';
import * as os from 'node:os';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { auditTree, removeTree } from './audit.js';
import { FsxFailure, replayFsx, runFsx, type FsLike, type FsxOptions } from './fsx.js';
import { runNamespaceModel } from './nsmodel.js';
import { runStress } from './stress.js';
import { iterateWhileChurning } from './churn.js';

const hostTmp = fs.existsSync('/dev/shm') ? '/dev/shm' : os.tmpdir();
let dir = '';

beforeEach(() => {
  dir = fs.mkdtempSync(`${hostTmp}/actorvfs-random-`);
});
afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('harness against node:fs', () => {
  test('fsx keeps its shadow equal to a real file (sync, promise, mixed, sparse)', async () => {
    const variants: Partial<FsxOptions>[] = [
      { api: 'sync' },
      { api: 'promise', align: 4096 },
      { api: 'mixed' },
      { api: 'mixed', base: 2 ** 31 - (1 << 19) },
    ];
    for (const [i, extra] of variants.entries()) {
      const r = await runFsx(fs, { path: `${dir}/f${i}`, seed: 100 + i, numOps: 3000, reportDir: null, api: 'sync', ...extra });
      expect(r.ops).toBe(3000);
    }
  });

  test('fsx reports a corrupted byte with the seed and a replayable log', async () => {
    let grows = 0;
    const faulty = {
      ...fs,
      ftruncateSync(fd: number, len?: number) {
        const old = fs.fstatSync(fd).size;
        fs.ftruncateSync(fd, len);
        // The 20th growing truncate leaves junk in the new tail instead of zeros.
        if (len !== undefined && len > old && ++grows === 20) fs.writeSync(fd, Buffer.from([0x77]), 0, 1, old);
      },
    } as FsLike;
    const options = { path: `${dir}/f`, seed: 7, numOps: 5000, api: 'sync' as const, fullCheckEvery: 1, reportDir: dir };
    const err = await runFsx(faulty, options).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(FsxFailure);
    const message = (err as FsxFailure).message;
    expect(message).toMatch(/got 0x77, want 0x0/);
    expect(message).toMatch(/seed 7/);
    const saved = /saved: (\S+\.fsxops)/.exec(message)?.[1];
    expect(saved).toBeDefined();
    // The saved log replays cleanly on a healthy file system.
    const r = await replayFsx(fs, fs.readFileSync(saved!, 'utf8'), { ...options, path: `${dir}/g`, reportDir: null });
    expect(r.ops).toBe((err as FsxFailure).opNumber);
  });

  test("the namespace model predicts Linux's answer for every op", async () => {
    for (const seed of [1, 2, 3]) {
      const root = `${dir}/ns${seed}`;
      fs.mkdirSync(root);
      const r = await runNamespaceModel(fs, { root, seed, numOps: 3000, api: (['sync', 'promise', 'mixed'] as const)[seed % 3]! });
      expect(r.ops).toBe(3000);
      expect(r.outcomes['rename']?.['EINVAL']).toBeGreaterThan(0);
    }
  });

  test('stress leaves a tree that audits clean', async () => {
    fs.chmodSync(dir, 0o777);
    const workers = [0, 1, 2].map(() => ({ fs: fs as FsLike, uid: 0, gid: 0, groups: [0] }));
    const audits: string[][] = [];
    const r = await runStress({
      root: dir,
      workers,
      seed: 5,
      opsPerWorker: 1000,
      sharedFraction: 0.5,
      checkEvery: 250,
      onCheck: async () => void audits.push((await auditTree(fs, dir)).problems),
    });
    expect(r.unexpected).toEqual([]);
    expect(audits.flat()).toEqual([]);
    const report = await auditTree(fs, dir);
    expect(report.problems).toEqual([]);
    expect(report.files).toBeGreaterThan(0);
    await removeTree(fs, dir, { keepRoot: true });
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  test('the audit finds broken link counts, duplicates and short files', async () => {
    fs.mkdirSync(`${dir}/a/b`, { recursive: true });
    fs.writeFileSync(`${dir}/a/f`, 'hello');
    fs.linkSync(`${dir}/a/f`, `${dir}/a/b/g`);
    expect((await auditTree(fs, dir)).problems).toEqual([]);
    const p = fs.promises;
    const lying = {
      ...fs,
      promises: {
        ...p,
        lstat: async (x: string) => {
          const st = await p.lstat(x);
          if (x.endsWith('/b')) st.nlink = 5;
          return st;
        },
        readdir: async (x: string, o: { withFileTypes: true }) => {
          const r = await p.readdir(x, o);
          if (x.endsWith('/a')) r.push(r[0]!);
          return r;
        },
        readFile: async (x: string) => (await p.readFile(x)).subarray(1),
      },
    } as unknown as FsLike;
    const problems = (await auditTree(lying, dir)).problems.join('\n');
    expect(problems).toMatch(/nlink 5, want 2/);
    expect(problems).toMatch(/returned "b" twice/);
    expect(problems).toMatch(/size 5, but 4 bytes read/);
  });

  test('opendir iteration under churn returns each stable entry once', async () => {
    const r = await iterateWhileChurning(fs as FsLike, `${dir}/d`, { seed: 3, stable: 2000, initialChurn: 2000, addPerStep: 3, removePerStep: 2, bufferSize: 4, api: 'sync' });
    expect(r.problems).toEqual([]);
    expect(r.stableSeen).toBe(2000);
  });
});
