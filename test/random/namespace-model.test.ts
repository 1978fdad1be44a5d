/**
 * Random mkdir, rmdir, create (O_EXCL and O_TRUNC through symlinks), unlink,
 * rename (files and directories, across directories, over existing
 * targets, between links of one inode, into their own subtree), link,
 * symlink, readdir, stat, lstat, readFile and readlink, each checked
 * against a model of the tree with Linux's rules (see nsmodel.ts; the same
 * model is checked against Linux tmpfs in harness-node-fs.test.ts).
 *
 * A failing call must fail with the code the model predicts (ENOENT,
 * EEXIST, ENOTDIR, EISDIR, ENOTEMPTY, EINVAL, EPERM, ELOOP; never EXDEV);
 * after each op the touched directories' listings and each entry's type,
 * nlink and inode number must match.
 */

import { expect, test } from 'vitest';
import { forEachSetup } from '../setups.js';
import type { FsLike } from './fsx.js';
import { runNamespaceModel, type NsOptions } from './nsmodel.js';
import { seedsFromEnv } from './prng.js';

const scale = Number(process.env['FSRANDOM_SCALE'] ?? 1);

const runs: { api: NsOptions['api']; seeds: number[]; names?: string[]; maxDepth?: number }[] = [
  { api: 'sync', seeds: [1, 2] },
  { api: 'promise', seeds: [3] },
  { api: 'mixed', seeds: [4] },
  // More names and depth: bigger trees, deeper renames.
  { api: 'sync', seeds: [5], names: ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'], maxDepth: 5 },
];

forEachSetup('namespace ops agree with a model of the tree', (h) => {
  for (const run of runs) {
    for (const seed of seedsFromEnv(run.seeds)) {
      test(`${run.api} API${run.maxDepth ? ', deep trees' : ''} (seed ${seed})`, async () => {
        const { fs, dir } = h();
        const root = `${dir}/ns`;
        fs.mkdirSync(root);
        const numOps = Math.round(4000 * scale);
        const result = await runNamespaceModel(fs as unknown as FsLike, {
          root,
          seed,
          numOps,
          api: run.api,
          ...(run.names ? { names: run.names } : {}),
          ...(run.maxDepth ? { maxDepth: run.maxDepth } : {}),
        });
        expect(result.ops).toBe(numOps);
        // The interesting outcomes all happened at least once.
        const o = result.outcomes;
        expect(o['rename']?.['ok']).toBeGreaterThan(0);
        expect(o['rename']?.['EINVAL']).toBeGreaterThan(0);
        expect(o['rename']?.['ENOTEMPTY']).toBeGreaterThan(0);
        expect(o['rename']?.['EISDIR']).toBeGreaterThan(0);
        expect(o['rename']?.['ENOTDIR']).toBeGreaterThan(0);
        expect(o['link']?.['ok']).toBeGreaterThan(0);
        expect(o['mkdir']?.['EEXIST']).toBeGreaterThan(0);
        expect(o['rmdir']?.['ENOTEMPTY']).toBeGreaterThan(0);
        expect(o['unlink']?.['EISDIR']).toBeGreaterThan(0);
      });
    }
  }
});
