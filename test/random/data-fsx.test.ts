/**
 * fsx-js against actorvfs: one file, a shadow copy, random reads, writes,
 * truncates, O_APPEND writes through a second descriptor, readv/writev,
 * close and reopen, whole-file readFile/writeFile/copyFile and fsync, with
 * a byte-exact compare on every read and a size check after every op.
 *
 * Runs per setup, through the sync API, the promise API (FileHandle) and
 * both mixed on the same handles; up to 1 MiB files with and without 4 KiB
 * alignment, and sparse files whose data sits across 2^31 and 2^32
 * (R-OPEN-19: files past 2 GiB work, holes read as zeros).
 *
 * A failure message is the fsx report: the seed, options, the op that failed
 * and the ops before it; `FSRANDOM_SEED=<seed>` reruns with that seed, and
 * `FSRANDOM_SCALE=<n>` multiplies the op counts for a longer soak.
 */

import { expect, test } from 'vitest';
import { forEachSetup } from '../setups.js';
import { runFsx, type FsLike, type FsxOptions } from './fsx.js';
import { seedsFromEnv } from './prng.js';

const scale = Number(process.env['FSRANDOM_SCALE'] ?? 1);

interface Run {
  name: string;
  seeds: number[];
  numOps: number;
  options: Partial<FsxOptions>;
}

const runs: Run[] = [
  { name: 'sync, up to 1 MiB, unaligned', seeds: [1, 2], numOps: 10_000, options: { api: 'sync' } },
  { name: 'sync, up to 1 MiB, 4 KiB aligned', seeds: [3], numOps: 8_000, options: { api: 'sync', align: 4096 } },
  { name: 'promise, up to 1 MiB, unaligned', seeds: [4], numOps: 8_000, options: { api: 'promise' } },
  { name: 'promise, up to 1 MiB, 4 KiB aligned', seeds: [5], numOps: 5_000, options: { api: 'promise', align: 4096 } },
  { name: 'sync and promise mixed on the same handles', seeds: [6], numOps: 8_000, options: { api: 'mixed' } },
  {
    name: 'sparse, data across 2^31',
    seeds: [7],
    numOps: 5_000,
    options: { api: 'mixed', base: 2 ** 31 - (1 << 19) },
  },
  {
    name: 'sparse, data across 2^32, 4 KiB aligned',
    seeds: [8],
    numOps: 5_000,
    options: { api: 'sync', base: 2 ** 32 - (1 << 19), align: 4096 },
  },
  {
    name: 'small file, small ops (page-boundary edges)',
    seeds: [9],
    numOps: 8_000,
    options: { api: 'sync', maxFileLen: 3 * 4096 + 1000, maxOpLen: 5000 },
  },
];

forEachSetup('fsx: data integrity under random I/O', (h) => {
  for (const run of runs) {
    for (const seed of seedsFromEnv(run.seeds)) {
      test(`${run.name} (seed ${seed})`, async () => {
        const { fs, dir } = h();
        const numOps = Math.round(run.numOps * scale);
        const result = await runFsx(fs as unknown as FsLike, {
          path: `${dir}/fsx-${seed}`,
          seed,
          numOps,
          api: 'sync',
          ...run.options,
        });
        expect(result.ops).toBe(numOps);
        expect(result.bytesVerified).toBeGreaterThan(0);
        // Every op kind the run allows was exercised.
        const kinds = ['read', 'readv', 'write', 'writev', 'append', 'truncate', 'reopen', 'fsync', 'fdatasync', 'readPastEof'];
        if (!run.options.base) kinds.push('readFile', 'writeFile', 'copyFile');
        for (const k of kinds) expect(result.counts[k as keyof typeof result.counts], k).toBeGreaterThan(0);
      });
    }
  }
});
