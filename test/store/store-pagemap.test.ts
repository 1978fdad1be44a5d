import { expect, test } from 'vitest';
import { I_BLOCKS, iw } from '../../packages/core/src/store/inode.js';
import { PAGE_SIZE } from '../../packages/core/src/store/layout.js';
import { pmFreeAll, pmLookup, pmRead, pmTruncate, pmWrite, pmZeroTail } from '../../packages/core/src/store/pagemap.js';
import { pagesUsed } from '../../packages/core/src/store/pages.js';
import { INODE_CLASS, slabAllocZero } from '../../packages/core/src/store/slab.js';
import { Store } from '../../packages/core/src/store/store.js';

function file(st: Store): number {
  return slabAllocZero(st, INODE_CLASS);
}

test('holes cost nothing and read as zeros, even past 2^31', () => {
  const st = Store.create({ maxBytes: 64 << 20 });
  const ino = file(st);
  const before = pagesUsed(st);
  const far = 2 ** 31 + 1;
  expect(pmWrite(st, ino, far, Buffer.from('xyz'), 0, 3, 0)).toBe(3);
  // One data page and the index pages of a tree tall enough for page 2^19.
  expect(pagesUsed(st) - before).toBe(3);
  expect(st.i32s[ino >>> 20]![iw(ino) + I_BLOCKS]).toBe(3);
  const out = Buffer.alloc(8, 0xff);
  pmRead(st, ino, far - 2, out, 0, 5);
  expect([...out.subarray(0, 5)]).toEqual([0, 0, 0x78, 0x79, 0x7a]);
  expect(pmLookup(st, ino, 0)).toBe(0);
  pmFreeAll(st, ino);
  expect(pagesUsed(st)).toBe(before);
});

test('truncate frees whole pages past the end; growing again reads zeros', () => {
  const st = Store.create({ maxBytes: 64 << 20 });
  const ino = file(st);
  const before = pagesUsed(st);
  const data = Buffer.alloc(10 * PAGE_SIZE, 0xab);
  pmWrite(st, ino, 0, data, 0, data.length, 0);
  pmTruncate(st, ino, PAGE_SIZE + 10);
  expect(pmLookup(st, ino, 2)).toBe(0);
  // EOF moves forward again: the old last page is cleared from EOF on.
  pmZeroTail(st, ino, PAGE_SIZE + 10, 3 * PAGE_SIZE);
  const out = Buffer.alloc(PAGE_SIZE);
  pmRead(st, ino, PAGE_SIZE, out, 0, PAGE_SIZE);
  expect(out.subarray(0, 10).every((b) => b === 0xab)).toBe(true);
  expect(out.subarray(10).every((b) => b === 0)).toBe(true);
  pmTruncate(st, ino, 0);
  expect(pagesUsed(st)).toBe(before);
});

test('a new page is zeroed only where it lies inside the file', () => {
  const st = Store.create({ maxBytes: 64 << 20 });
  const ino = file(st);
  // A hole page written in the middle: both sides of the write are inside the file.
  pmWrite(st, ino, 3 * PAGE_SIZE, Buffer.from('end'), 0, 3, 0);
  pmWrite(st, ino, PAGE_SIZE + 100, Buffer.from('mid'), 0, 3, 3 * PAGE_SIZE + 3);
  const out = Buffer.alloc(PAGE_SIZE, 0xff);
  pmRead(st, ino, PAGE_SIZE, out, 0, PAGE_SIZE);
  expect(out.subarray(0, 100).every((b) => b === 0)).toBe(true);
  expect(out.subarray(100, 103).toString()).toBe('mid');
  expect(out.subarray(103).every((b) => b === 0)).toBe(true);
});

test('a long sequential file reads back exactly', () => {
  const st = Store.create({ maxBytes: 256 << 20 });
  const ino = file(st);
  const data = Buffer.alloc(5 * 1024 * 1024 + 123);
  for (let i = 0; i < data.length; i++) data[i] = (i * 31 + (i >> 12)) & 0xff;
  for (let off = 0; off < data.length; off += 65536) pmWrite(st, ino, off, data, off, Math.min(65536, data.length - off), off);
  const out = Buffer.alloc(data.length);
  pmRead(st, ino, 0, out, 0, data.length);
  expect(out.equals(data)).toBe(true);
  const mid = Buffer.alloc(100_000);
  pmRead(st, ino, 1_234_567, mid, 0, mid.length);
  expect(mid.equals(data.subarray(1_234_567, 1_234_567 + 100_000))).toBe(true);
});
