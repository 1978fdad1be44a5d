/**
 * fsstress-js and the invariant audit: several async workers, each acting
 * as a different user, run weighted random ops (creates, writes, renames,
 * links, symlinks, chmod/chown, truncates, held-open and unlinked
 * descriptors...) interleaved at every await, in their own subtrees and in
 * one shared directory. Failures may only be the ones a racing or
 * unprivileged caller can get. Afterwards (and every few hundred ops, with
 * the workers paused) `auditTree` must find every invariant intact. Once
 * everything is deleted and every descriptor closed, no inode may remain in
 * use, and a second identical run must end with exactly the statfs numbers
 * of the first: nothing orphaned. (Whether deleting gives every block back
 * to the pool, up to a few cached pages, is checked here too, and in depth
 * in enospc-recovery.)
 *
 * The stress runs are isolated (isolate.ts): a deadlock fails the test with
 * the last ops traced instead of hanging the suite.
 */

import { expect, test } from 'vitest';
import { forEachSetup, type Harness } from '../setups.js';
import { auditTree, removeTree, spaceSnapshot, type SpaceSnapshot } from './audit.js';
import type { FsLike } from './fsx.js';
import { seedsFromEnv } from './prng.js';
import { isolatedTest, traceLine } from './isolate.js';
import { runStress, type StressWorker } from './stress.js';

const scale = Number(process.env['FSRANDOM_SCALE'] ?? 1);
/** Pages an allocator may keep cached after everything is deleted (an empty slab page per size class). */
const KEPT_PAGES = 16;

function workersOf(h: Harness): StressWorker[] {
  const creds = [
    { uid: 1001, gid: 1001, groups: [1001, 100] },
    { uid: 1002, gid: 1002, groups: [1002, 100] },
    { uid: 1003, gid: 100, groups: [100] },
  ];
  return [
    { fs: h.admin as unknown as FsLike, uid: 0, gid: 0, groups: [0] },
    { fs: h.fs as unknown as FsLike, uid: h.cred.uid, gid: h.cred.gid, groups: h.cred.groups ?? [h.cred.gid] },
    ...creds.map((c) => ({ fs: h.as({ ...c, umask: 0 }) as unknown as FsLike, ...c })),
  ];
}

forEachSetup('stress: invariants hold after concurrent random ops', (h) => {
  const cases = [
    { name: 'separate subtrees', sharedFraction: 0, seeds: [11] },
    { name: 'mostly one shared directory', sharedFraction: 0.7, seeds: [12, 13] },
  ];
  for (const c of cases) {
    for (const seed of seedsFromEnv(c.seeds)) {
      isolatedTest(
        import.meta.url,
        `${c.name} (seed ${seed})`,
        async () => {
          const harness = h();
          const admin = harness.admin as unknown as FsLike;
          const before = await spaceSnapshot(admin, harness.dir);
          // Two identical passes: the second must end exactly where the first did.
          const ends: SpaceSnapshot[] = [];
          for (const pass of [1, 2]) {
            traceLine(`pass ${pass}`);
            await stressPass(harness, seed, c.sharedFraction);
            expect(admin.readdirSync(harness.dir)).toEqual([]);
            ends.push(await spaceSnapshot(admin, harness.dir));
          }
          // No orphaned inodes: everything unlinked and closed was freed.
          expect(ends[0]!.files - ends[0]!.ffree, 'inodes in use after deleting everything').toBe(before.files - before.ffree);
          // No orphaned data: a second identical run leaks nothing more...
          expect(ends[1], 'statfs after the second identical run').toEqual(ends[0]);
          // ...and the free blocks are back to the start, up to a few allocator-cached pages.
          expect(ends[0]!.bfree, `free blocks after deleting everything (start ${before.bfree})`).toBeGreaterThanOrEqual(before.bfree - KEPT_PAGES);
        },
        { timeoutMs: 120_000 },
      );
    }
  }

  async function stressPass(harness: Harness, seed: number, sharedFraction: number): Promise<void> {
    const admin = harness.admin as unknown as FsLike;
    const root = `${harness.dir}/stress`;
    admin.mkdirSync(root, 0o777);
    admin.chmodSync(root, 0o777);
    const midRun: string[] = [];
    const result = await runStress({
      root,
      workers: workersOf(harness),
      seed,
      opsPerWorker: Math.round(1500 * scale),
      sharedFraction,
      checkEvery: 300,
      onCheck: async (n) => {
        const report = await auditTree(admin, root);
        for (const p of report.problems) midRun.push(`after ${n} ops of worker 0: ${p}`);
      },
      trace: traceLine,
    });
    expect(result.unexpected, 'failures no racing caller should see').toEqual([]);
    expect(midRun, 'mid-run audits').toEqual([]);
    const report = await auditTree(admin, root);
    expect(report.problems, 'final audit').toEqual([]);
    expect(report.dirs).toBeGreaterThan(10);
    expect(report.files).toBeGreaterThan(10);
    for (const kind of ['creat', 'write', 'rename', 'link', 'symlink', 'mkdir', 'unlink', 'heldIo']) {
      expect(result.outcomes[kind]?.['ok'], `${kind} succeeded sometimes`).toBeGreaterThan(0);
    }
    await removeTree(admin, root);
  }

  test('an unlinked file keeps its blocks until the last descriptor closes', async () => {
    const { admin, dir } = h();
    const before = await spaceSnapshot(admin as unknown as FsLike, dir);
    const path = `${dir}/held`;
    admin.writeFileSync(path, Buffer.alloc(1 << 20, 7));
    const fd = admin.openSync(path, 'r+');
    const fh = await admin.promises.open(path, 'r');
    admin.unlinkSync(path);
    const whileHeld = await spaceSnapshot(admin as unknown as FsLike, dir);
    expect(whileHeld.bfree).toBeLessThan(before.bfree);
    // Still readable and writable through both.
    admin.writeSync(fd, Buffer.from('x'), 0, 1, 5 << 20);
    expect(admin.fstatSync(fd).size).toBe((5 << 20) + 1);
    const three = Buffer.alloc(3);
    const { bytesRead } = await fh.read(three, 0, 3, 100);
    expect([bytesRead, ...three]).toEqual([3, 7, 7, 7]);
    admin.closeSync(fd);
    expect((await spaceSnapshot(admin as unknown as FsLike, dir)).bfree).toBeLessThan(before.bfree);
    await fh.close();
    expect(await spaceSnapshot(admin as unknown as FsLike, dir)).toEqual(before);
  });
});
