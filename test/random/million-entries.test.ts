/**
 * A million entries in one directory (VISION: "a million files in one
 * directory", "stable readdir positions"). Functional, not timed.
 *
 * 1. Create 1,000,000 empty files in one directory; look up a sample (and
 *    names that are not there); readdir returns exactly the million names;
 *    unlink half in a random order and readdir returns exactly the rest;
 *    unlink the rest; the directory is empty and can be removed.
 * 2. Iterate directories with opendir (small bufferSize) while other names
 *    are added and removed between reads: every name present for the whole
 *    iteration is returned exactly once, nothing twice (see churn.ts).
 *
 * Each test runs isolated (isolate.ts): a deadlock fails instead of hanging.
 */

import { describe, expect } from 'vitest';
import { createVfs } from '@actorvfs/core';
import { iterateWhileChurning } from './churn.js';
import { isolatedTest, traceLine } from './isolate.js';
import type { FsLike } from './fsx.js';
import { Prng } from './prng.js';

const N = 1_000_000;
const name = (i: number): string => `file-${i.toString(36)}`;

describe('a directory with a million entries', () => {
  isolatedTest(import.meta.url, 'create, look up, list, delete 1,000,000 files', () => {
    const fs = createVfs().fs as unknown as FsLike;
    const dir = '/big';
    fs.mkdirSync(dir);
    for (let i = 0; i < N; i++) {
      if (i % 100_000 === 0) traceLine(`creating ${name(i)} (${i})`);
      const path = `${dir}/${name(i)}`;
      if (i % 2 === 0) fs.closeSync(fs.openSync(path, 'wx'));
      else fs.writeFileSync(path, '', { flag: 'wx' });
    }
    const st = fs.statSync(dir);
    expect(st.isDirectory()).toBe(true);
    expect(st.nlink).toBe(2);

    // Lookups: a sample of present names, and absent ones.
    const rng = new Prng(2024);
    for (let k = 0; k < 20_000; k++) {
      const i = rng.below(N);
      const s = fs.statSync(`${dir}/${name(i)}`);
      expect(s.isFile() && s.size === 0, name(i)).toBe(true);
    }
    for (let k = 0; k < 2_000; k++) {
      const err = catchCode(() => fs.statSync(`${dir}/${name(N + rng.below(N))}`));
      expect(err).toBe('ENOENT');
    }
    expect(catchCode(() => fs.openSync(`${dir}/${name(12345)}`, 'wx'))).toBe('EEXIST');

    // The listing: exactly the million names, each once.
    traceLine('readdir of 1,000,000');
    expectListing(fs.readdirSync(dir), () => true);

    // Delete half in a random order; the listing is exactly the other half.
    const order = Array.from({ length: N }, (_, i) => i);
    for (let i = N - 1; i > 0; i--) {
      const j = rng.below(i + 1);
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    const gone = new Uint8Array(N);
    traceLine('unlinking half');
    for (let k = 0; k < N / 2; k++) {
      fs.unlinkSync(`${dir}/${name(order[k]!)}`);
      gone[order[k]!] = 1;
    }
    expectListing(fs.readdirSync(dir), (i) => gone[i] === 0);
    for (let k = 0; k < 5_000; k++) {
      const i = rng.below(N);
      expect(catchCode(() => fs.lstatSync(`${dir}/${name(i)}`))).toBe(gone[i] ? 'ENOENT' : undefined);
    }
    expect(catchCode(() => fs.rmdirSync(dir))).toBe('ENOTEMPTY');

    traceLine('unlinking the rest');
    for (let k = N / 2; k < N; k++) fs.unlinkSync(`${dir}/${name(order[k]!)}`);
    expect(fs.readdirSync(dir)).toEqual([]);
    fs.rmdirSync(dir);
    expect(catchCode(() => fs.statSync(dir))).toBe('ENOENT');
    expect(fs.readdirSync('/')).toEqual([]);
  }, { timeoutMs: 150_000 });
});

describe('stable readdir positions while the directory changes', () => {
  const cases = [
    { name: 'growing through table resizes (sync, bufferSize 4)', seed: 1, stable: 20_000, initialChurn: 2_000, addPerStep: 3, removePerStep: 1, bufferSize: 4, api: 'sync' as const },
    { name: 'shrinking: most names removed during the walk (sync, bufferSize 2)', seed: 2, stable: 5_000, initialChurn: 60_000, addPerStep: 1, removePerStep: 12, bufferSize: 2, api: 'sync' as const },
    { name: 'balanced churn (promise, bufferSize 1)', seed: 3, stable: 10_000, initialChurn: 10_000, addPerStep: 2, removePerStep: 2, bufferSize: 1, api: 'promise' as const },
    { name: 'large batches (sync, bufferSize 128)', seed: 4, stable: 30_000, initialChurn: 0, addPerStep: 4, removePerStep: 3, bufferSize: 128, api: 'sync' as const },
  ];
  for (const c of cases) {
    isolatedTest(import.meta.url, c.name, async () => {
      const fs = createVfs().fs as unknown as FsLike;
      const r = await iterateWhileChurning(fs, '/d', c);
      expect(r.problems).toEqual([]);
      expect(r.stableSeen).toBe(c.stable);
      expect(r.added).toBeGreaterThan(0);
      expect(fs.readdirSync('/')).toEqual([]);
    }, { timeoutMs: 90_000 });
  }
});

function catchCode(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return String((err as { code?: unknown }).code);
  }
  return undefined;
}

/** `names` must be exactly { name(i) : want(i) } with no duplicates. */
function expectListing(names: string[], want: (i: number) => boolean): void {
  const seen = new Uint8Array(N);
  let count = 0;
  for (const n of names) {
    const m = /^file-([0-9a-z]+)$/.exec(n);
    const i = m ? parseInt(m[1]!, 36) : -1;
    if (!(i >= 0 && i < N) || name(i) !== n) expect.fail(`readdir returned an unknown name ${JSON.stringify(n)}`);
    if (seen[i]) expect.fail(`readdir returned ${n} twice`);
    if (!want(i)) expect.fail(`readdir returned ${n}, which was deleted`);
    seen[i] = 1;
    count++;
  }
  let expected = 0;
  for (let i = 0; i < N; i++) if (want(i)) expected++;
  expect(count).toBe(expected);
}
