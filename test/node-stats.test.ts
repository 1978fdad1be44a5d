/**
 * Stats and BigIntStats carry Node 20's fields and predicates; each call
 * returns a fresh object even though the facade reuses one StatBuf.
 */
import { expect, test } from 'vitest';
import { createVfs } from '@actorvfs/core';

const NUMBER_FIELDS = ['dev', 'mode', 'nlink', 'uid', 'gid', 'rdev', 'blksize', 'ino', 'size', 'blocks', 'atimeMs', 'mtimeMs', 'ctimeMs', 'birthtimeMs'];

function setup() {
  const fs = createVfs().fs;
  fs.writeFileSync('/f', 'hello');
  fs.mkdirSync('/d');
  fs.symlinkSync('/f', '/l');
  fs.mkfifoSync('/p');
  return fs;
}

test('number fields, in Node\'s order, and Dates that agree with them', () => {
  const fs = setup();
  const s = fs.statSync('/f');
  expect(s).toBeInstanceOf(fs.Stats);
  expect(Object.keys(s)).toEqual(NUMBER_FIELDS);
  for (const k of NUMBER_FIELDS) expect(typeof (s as unknown as Record<string, unknown>)[k]).toBe('number');
  expect(s.size).toBe(5);
  expect(s.nlink).toBe(1);
  expect(s.mode & 0o170000).toBe(fs.constants.S_IFREG);
  expect(s.blksize).toBeGreaterThan(0);
  for (const k of ['atime', 'mtime', 'ctime', 'birthtime'] as const) {
    expect(s[k]).toBeInstanceOf(Date);
    expect(s[k].getTime()).toBe(Math.round(s[`${k}Ms`]));
    expect(s[k]).toBe(s[k]); // computed once
  }
  const when = new Date(0);
  s.mtime = when;
  expect(s.mtime).toBe(when);
});

test('type predicates for each node type', () => {
  const fs = setup();
  const f = fs.statSync('/f');
  expect([f.isFile(), f.isDirectory(), f.isSymbolicLink(), f.isFIFO(), f.isSocket(), f.isCharacterDevice(), f.isBlockDevice()]).toEqual([
    true, false, false, false, false, false, false,
  ]);
  expect(fs.statSync('/d').isDirectory()).toBe(true);
  expect(fs.lstatSync('/l').isSymbolicLink()).toBe(true);
  expect(fs.statSync('/l').isFile()).toBe(true);
  expect(fs.statSync('/p').isFIFO()).toBe(true);
  fs.mknodSync('/null', fs.constants.S_IFCHR | 0o666, (1 << 8) | 3);
  const c = fs.statSync('/null');
  expect(c.isCharacterDevice()).toBe(true);
  expect(c.rdev).toBe((1 << 8) | 3);
});

test('bigint stats: bigint fields plus nanosecond times', () => {
  const fs = setup();
  fs.utimesSync('/f', 1.5, 2.25);
  const b = fs.statSync('/f', { bigint: true });
  expect(b).toBeInstanceOf(fs.BigIntStats);
  expect(Object.keys(b)).toEqual([...NUMBER_FIELDS, 'atimeNs', 'mtimeNs', 'ctimeNs', 'birthtimeNs']);
  for (const k of Object.keys(b)) expect(typeof (b as unknown as Record<string, unknown>)[k]).toBe('bigint');
  expect(b.atimeNs).toBe(1500000000n);
  expect(b.atimeMs).toBe(1500n);
  expect(b.mtimeNs).toBe(2250000000n);
  expect(b.mtime.getTime()).toBe(2250);
  expect(b.size).toBe(5n);
  expect(b.isFile()).toBe(true);
  const n = fs.statSync('/f');
  expect(Number(b.ino)).toBe(n.ino);
  expect(n.atimeMs).toBe(1500);
});

test('each call returns a fresh object', () => {
  const fs = setup();
  const a = fs.statSync('/f');
  const b = fs.statSync('/d');
  expect(a).not.toBe(b);
  expect(a.isFile()).toBe(true);
  expect(b.isDirectory()).toBe(true);
  const fd = fs.openSync('/f', 'r');
  const c = fs.fstatSync(fd);
  expect(c.ino).toBe(a.ino);
  expect(fs.fstatSync(fd, { bigint: true }).ino).toBe(BigInt(a.ino));
});

test('throwIfNoEntry: false returns undefined for ENOENT only', () => {
  const fs = setup();
  expect(fs.statSync('/nope', { throwIfNoEntry: false })).toBeUndefined();
  expect(fs.lstatSync('/nope', { throwIfNoEntry: false })).toBeUndefined();
  expect(() => fs.statSync('/f/x', { throwIfNoEntry: false })).toThrow(/ENOTDIR/);
  expect(() => fs.statSync('/nope', {})).toThrow(/ENOENT/);
});

test('the Stats constructor takes Node\'s positional arguments', () => {
  const fs = setup();
  const s = new fs.Stats(1, 0o100644, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14);
  expect(s.isFile()).toBe(true);
  expect(s.ino).toBe(8);
  expect(s.birthtime.getTime()).toBe(14);
});

test('statfs: Node\'s seven fields, number or bigint', async () => {
  const fs = setup();
  const s = fs.statfsSync('/');
  expect(s).toBeInstanceOf(fs.StatFs);
  expect(Object.keys(s)).toEqual(['type', 'bsize', 'blocks', 'bfree', 'bavail', 'files', 'ffree']);
  expect(s.bsize).toBeGreaterThan(0);
  expect(s.blocks).toBeGreaterThanOrEqual(s.bfree);
  const b = await fs.promises.statfs('/', { bigint: true });
  expect(typeof b.bsize).toBe('bigint');
  expect(() => fs.statfsSync('/nope')).toThrow("ENOENT: no such file or directory, statfs '/nope'");
});

test('stat, lstat and fstat in promise and callback forms agree', async () => {
  const fs = setup();
  const sync = fs.statSync('/l');
  const viaPromise = await fs.promises.stat('/l');
  const viaLstat = await fs.promises.lstat('/l');
  expect(viaPromise.ino).toBe(sync.ino);
  expect(viaLstat.isSymbolicLink()).toBe(true);
  const viaCallback = await new Promise<{ ino: bigint }>((resolve, reject) =>
    fs.stat('/l', { bigint: true }, (e, s) => (e ? reject(e) : resolve(s))),
  );
  expect(viaCallback.ino).toBe(BigInt(sync.ino));
});
