/**
 * A full page pool gives ENOSPC and stays usable (VISION, Reliability).
 *
 * With `createVfs({ maxBytes: 4 MiB })`: fill the pool with file data, and
 * separately with many small files, directories and links, until ENOSPC.
 * The failure must be an ENOSPC error shaped like Node's (never a
 * RangeError, never a crash; a write may come back short first). Everything
 * written before must be intact, the tree must audit clean, deleting must
 * give the space back (statfs), and writes must work again. Fill/free
 * cycles must return statfs to the same numbers each time.
 */

import { describe, expect } from 'vitest';
import { createVfs } from '@actorvfs/core';
import { auditTree, removeTree, spaceSnapshot, type SpaceSnapshot } from './audit.js';
import { isolatedTest } from './isolate.js';
import type { FsLike } from './fsx.js';

const KiB = 1024;
const MiB = 1024 * KiB;
const POOL = 4 * MiB;

function smallVfs(): FsLike {
  return createVfs({ maxBytes: POOL }).fs as unknown as FsLike;
}

/** The byte stored at file offset `off` of the fill files: a function of the offset alone. */
function patternAt(off: number, salt = 0): number {
  return (Math.imul(off + salt, 2654435761) >>> 24) & 0xff;
}

function pattern(off: number, len: number, salt = 0): Buffer {
  const buf = Buffer.allocUnsafe(len);
  for (let i = 0; i < len; i++) buf[i] = patternAt(off + i, salt);
  return buf;
}

function expectEnospc(err: unknown, syscall?: string): void {
  expect(err, 'an error was thrown').toBeInstanceOf(Error);
  expect(err).not.toBeInstanceOf(RangeError);
  const e = err as NodeJS.ErrnoException;
  expect(e.code, `${e.name}: ${e.message}`).toBe('ENOSPC');
  expect(e.errno).toBe(-28);
  expect(e.message).toMatch(/^ENOSPC: no space left on device/);
  if (syscall !== undefined) expect(e.syscall).toBe(syscall);
}

/**
 * Pages a file system may keep after everything is deleted: allocator
 * caches (an empty slab page per size class, say), independent of how much
 * was created. Everything else must come back.
 */
const KEPT_PAGES = 16;

/** Each test runs in a child process: a deadlock fails it instead of hanging the suite. */
const ISOLATED = { timeoutMs: 60_000 };

/** Everything deleted: no inode in use beyond the start, and the blocks back (up to KEPT_PAGES). */
function expectSpaceBack(now: SpaceSnapshot, start: SpaceSnapshot, what: string): void {
  expect(now.files - now.ffree, `${what}: inodes in use`).toBe(start.files - start.ffree);
  expect(now.bfree, `${what}: free blocks (start ${start.bfree}, up to ${KEPT_PAGES} kept)`).toBeGreaterThanOrEqual(start.bfree - KEPT_PAGES);
}

function caught(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  return undefined;
}

/**
 * Append to `fd` from offset `from` until ENOSPC, with write sizes halving
 * from 64 KiB down to 1 byte so the pool ends up exactly full. Returns the
 * new end and the first error.
 */
function fillFile(fs: FsLike, fd: number, from: number, salt = 0): { end: number; firstError: unknown; shortWrites: number } {
  let end = from;
  let firstError: unknown;
  let shortWrites = 0;
  for (let size = 64 * KiB; size >= 1; size >>= 1) {
    for (let guard = 0; guard < 4 * (POOL / size) + 8; guard++) {
      const chunk = pattern(end, size, salt);
      let n: number;
      try {
        n = fs.writeSync(fd, chunk, 0, size, end);
      } catch (err) {
        firstError ??= err;
        expectEnospc(err, 'write');
        break;
      }
      expect(n, 'a write either writes something or fails').toBeGreaterThan(0);
      expect(n).toBeLessThanOrEqual(size);
      end += n;
      if (n < size) shortWrites++;
    }
  }
  return { end, firstError, shortWrites };
}

function verifyFile(fs: FsLike, path: string, size: number, salt = 0): void {
  expect(fs.statSync(path).size).toBe(size);
  const fd = fs.openSync(path, 'r');
  try {
    for (let off = 0; off < size; off += 256 * KiB) {
      const len = Math.min(256 * KiB, size - off);
      const buf = Buffer.alloc(len);
      expect(fs.readSync(fd, buf, 0, len, off)).toBe(len);
      if (!buf.equals(pattern(off, len, salt))) {
        let i = 0;
        while (buf[i] === patternAt(off + i, salt)) i++;
        expect.fail(`${path}: byte ${off + i} is ${buf[i]}, want ${patternAt(off + i, salt)}`);
      }
    }
  } finally {
    fs.closeSync(fd);
  }
}

describe('ENOSPC and recovery with a 4 MiB pool', () => {
  isolatedTest(import.meta.url, 'writes stop with ENOSPC; data written before is intact; deleting gives the space back', async () => {
    const fs = smallVfs();
    const start = await spaceSnapshot(fs, '/');
    expect(start.bsize * start.blocks).toBeLessThanOrEqual(POOL);

    const fd = fs.openSync('/big', 'w+');
    const { end, firstError } = fillFile(fs, fd, 0);
    expectEnospc(firstError, 'write');
    // Most of the pool holds data (metadata overhead is small).
    expect(end).toBeGreaterThan(POOL / 2);
    expect(fs.fstatSync(fd).size).toBe(end);
    verifyFile(fs, '/big', end);
    const full = await spaceSnapshot(fs, '/');
    expect(full.bfree).toBeLessThan(start.bfree);

    // A write that needs a new page fails, and changes nothing.
    const newPage = Math.ceil(end / 4096) * 4096 + 8 * 4096;
    expectEnospc(caught(() => fs.writeSync(fd, Buffer.alloc(4096, 1), 0, 4096, newPage)), 'write');
    expect(fs.fstatSync(fd).size).toBe(end);
    // Through the promise API too: a rejection, not a synchronous throw.
    const fh = await fs.promises.open('/big', 'r+');
    const rejected = await fh.write(Buffer.alloc(4096, 1), 0, 4096, newPage).then(
      () => undefined,
      (e: unknown) => e,
    );
    expectEnospc(rejected, 'write');
    await fh.close();

    // Overwriting bytes that already have pages needs no new space.
    const over = pattern(0, 8192, 99);
    expect(fs.writeSync(fd, over, 0, over.length, 0)).toBe(over.length);
    const back = Buffer.alloc(8192);
    fs.readSync(fd, back, 0, 8192, 0);
    expect(back.equals(over)).toBe(true);
    fs.writeSync(fd, pattern(0, 8192), 0, 8192, 0);

    // Growing with ftruncate makes a hole, which needs no pages either.
    fs.ftruncateSync(fd, end + 3 * MiB);
    const hole = Buffer.alloc(4096, 1);
    expect(fs.readSync(fd, hole, 0, 4096, end + 2 * MiB)).toBe(4096);
    expect(hole.every((b) => b === 0)).toBe(true);
    fs.ftruncateSync(fd, end);
    verifyFile(fs, '/big', end);

    // Creating things while full: ENOSPC or success, never anything else.
    for (const attempt of [
      () => fs.writeFileSync('/small', 'some data'),
      () => fs.mkdirSync('/dir'),
      () => fs.symlinkSync('/big', '/link'),
    ]) {
      const err = caught(attempt);
      if (err !== undefined) expectEnospc(err);
    }
    const audit = await auditTree(fs, '/');
    expect(audit.problems).toEqual([]);

    // Recovery: free everything, the pool is as at the start, and writes work again.
    fs.closeSync(fd);
    for (const p of ['/big', '/small', '/link']) if (caught(() => fs.lstatSync(p)) === undefined) fs.unlinkSync(p);
    if (fs.existsSync('/dir')) fs.rmdirSync('/dir');
    expectSpaceBack(await spaceSnapshot(fs, '/'), start, 'after deleting the full file');
    const again = fs.openSync('/again', 'w');
    const refill = fillFile(fs, again, 0, 5);
    expectEnospc(refill.firstError, 'write');
    expect(refill.end).toBe(end);
    verifyFile(fs, '/again', refill.end, 5);
    fs.closeSync(again);
  }, ISOLATED);

  isolatedTest(import.meta.url, 'many small files, directories and links until ENOSPC; all intact; space comes back', async () => {
    const fs = smallVfs();
    const start = await spaceSnapshot(fs, '/');
    const files = new Map<string, Buffer>();
    const links = new Map<string, string>();
    const dirs: string[] = [];
    let stop: unknown;
    const content = (d: number, f: number): Buffer => Buffer.from(`d${d}f${f}:`.padEnd(((d * 37 + f * 11) % 300) + 1, '#'));

    outer: for (let d = 0; d < 200_000; d++) {
      const dir = `/d${d}`;
      stop = caught(() => fs.mkdirSync(dir));
      if (stop !== undefined) break;
      dirs.push(dir);
      for (let f = 0; f < 40; f++) {
        const path = `${dir}/f${f}`;
        if (f % 10 === 9) {
          stop = caught(() => fs.symlinkSync(`f${f - 1}`, path));
          if (stop !== undefined) break outer;
          links.set(path, `f${f - 1}`);
          continue;
        }
        let fd = -1;
        stop = caught(() => (fd = fs.openSync(path, 'wx')));
        if (stop !== undefined) {
          // A create that failed left no entry behind.
          expect(caught(() => fs.lstatSync(path))).toMatchObject({ code: 'ENOENT' });
          break outer;
        }
        const data = f % 7 === 3 ? Buffer.alloc(0) : content(d, f);
        let n = 0;
        stop = caught(() => (n = fs.writeSync(fd, data)));
        fs.closeSync(fd);
        files.set(path, stop === undefined ? data.subarray(0, n) : Buffer.alloc(0));
        if (stop !== undefined) break outer;
      }
    }
    expectEnospc(stop);
    expect(files.size).toBeGreaterThan(100);

    const checkAll = async (): Promise<void> => {
      for (const [path, data] of files) expect(fs.readFileSync(path).equals(data), path).toBe(true);
      for (const [path, target] of links) expect(fs.readlinkSync(path)).toBe(target);
      const want = new Set([...files.keys(), ...links.keys()]);
      for (const dir of dirs) {
        for (const name of fs.readdirSync(dir)) expect(want.has(`${dir}/${name}`), `${dir}/${name}`).toBe(true);
      }
      let listed = 0;
      for (const dir of dirs) listed += fs.readdirSync(dir).length;
      expect(listed).toBe(want.size);
      expect((await auditTree(fs, '/')).problems).toEqual([]);
    };
    await checkAll();
    const full = await spaceSnapshot(fs, '/');

    // Delete every other directory: space comes back, and creating works again.
    for (let i = 0; i < dirs.length; i += 2) {
      await removeTree(fs, dirs[i]!);
      for (const m of [files, links]) for (const k of m.keys()) if (k.startsWith(`${dirs[i]}/`)) m.delete(k);
    }
    const kept = dirs.filter((_, i) => i % 2 === 1);
    dirs.length = 0;
    dirs.push(...kept);
    const freed = await spaceSnapshot(fs, '/');
    expect(freed.bfree).toBeGreaterThan(full.bfree);
    expect(freed.ffree).toBeGreaterThan(full.ffree);
    fs.mkdirSync('/after');
    dirs.push('/after');
    for (let f = 0; f < 100; f++) {
      const data = content(-1, f);
      fs.writeFileSync(`/after/f${f}`, data);
      files.set(`/after/f${f}`, data);
    }
    await checkAll();

    // Deleting everything returns the pool to where it started.
    for (const dir of dirs) await removeTree(fs, dir);
    expect(fs.readdirSync('/')).toEqual([]);
    expectSpaceBack(await spaceSnapshot(fs, '/'), start, 'after deleting every file');
  }, ISOLATED);

  isolatedTest(import.meta.url, 'fill and free cycles return the pool to the same statfs numbers', async () => {
    const fs = smallVfs();
    const start = await spaceSnapshot(fs, '/');
    const capacities: { files: number; bytes: number }[] = [];
    const snapshots: SpaceSnapshot[] = [];
    for (let cycle = 0; cycle < 5; cycle++) {
      fs.mkdirSync('/w');
      // Half the pool as one big file, the rest as small files and directories.
      const fd = fs.openSync('/w/big', 'w');
      const half = pattern(0, POOL / 2, cycle);
      expect(fs.writeSync(fd, half)).toBe(half.length);
      fs.closeSync(fd);
      let n = 0;
      let stop: unknown;
      for (; n < 200_000 && stop === undefined; n++) {
        if (n % 50 === 0) stop = caught(() => fs.mkdirSync(`/w/d${n / 50}`));
        else stop = caught(() => fs.writeFileSync(`/w/d${Math.floor(n / 50)}/f${n}`, pattern(n, n % 2000, cycle)));
      }
      expectEnospc(stop);
      capacities.push({ files: n, bytes: half.length });
      expect((await auditTree(fs, '/w')).problems).toEqual([]);
      await removeTree(fs, '/w');
      snapshots.push(await spaceSnapshot(fs, '/'));
    }
    // Every cycle ends with the same numbers (nothing leaks per cycle)...
    for (const [i, s] of snapshots.entries()) expect(s, `statfs after cycle ${i}`).toEqual(snapshots[0]);
    // ...what fits does not shrink from cycle to cycle...
    for (const c of capacities) expect(c.files).toBeGreaterThanOrEqual(Math.floor(capacities[0]!.files * 0.95));
    // ...and the pool is back where it started.
    expectSpaceBack(snapshots[0]!, start, 'after the first cycle');
  }, ISOLATED);

  isolatedTest(import.meta.url, 'a failed copyFile or writeFile leaks nothing', async () => {
    const fs = smallVfs();
    fs.writeFileSync('/src', pattern(0, 3 * MiB));
    const before = await spaceSnapshot(fs, '/');
    // Not enough room for a second copy.
    const copyErr = await fs.promises.copyFile('/src', '/dst').then(
      () => undefined,
      (e: unknown) => e,
    );
    expectEnospc(copyErr);
    const writeErr = await fs.promises.writeFile('/w', pattern(0, 2 * MiB)).then(
      () => undefined,
      (e: unknown) => e,
    );
    expectEnospc(writeErr);
    expect((await auditTree(fs, '/')).problems).toEqual([]);
    verifyFile(fs, '/src', 3 * MiB);
    // Whatever the failed calls left behind, removing it gives back every block.
    for (const p of ['/dst', '/w']) if (fs.existsSync(p)) fs.unlinkSync(p);
    expectSpaceBack(await spaceSnapshot(fs, '/'), before, 'after removing what the failed calls left');
  }, ISOLATED);

  isolatedTest(import.meta.url, 'after deleting a pool full of empty files, the space holds data again', async () => {
    // What one big file can hold in a fresh pool.
    const fresh = smallVfs();
    const fd0 = fresh.openSync('/big', 'w');
    const capacity = fillFile(fresh, fd0, 0).end;
    fresh.closeSync(fd0);

    const fs = smallVfs();
    const start = await spaceSnapshot(fs, '/');
    let n = 0;
    let stop: unknown;
    for (; n < 500_000 && stop === undefined; n++) stop = caught(() => fs.closeSync(fs.openSync(`/e${n}`, 'wx')));
    expectEnospc(stop, 'open');
    for (let i = 0; i < n - 1; i++) fs.unlinkSync(`/e${i}`);
    expect(fs.readdirSync('/')).toEqual([]);
    expectSpaceBack(await spaceSnapshot(fs, '/'), start, `after deleting ${n - 1} empty files`);
    const fd = fs.openSync('/big', 'w+');
    const { end } = fillFile(fs, fd, 0);
    verifyFile(fs, '/big', end);
    fs.closeSync(fd);
    expect(end, 'bytes a file holds now, versus in a fresh pool').toBeGreaterThanOrEqual(capacity - KEPT_PAGES * 4096);
  }, ISOLATED);
});
