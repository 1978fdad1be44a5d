import { expect, test } from 'vitest';
import { DIR_EOF, DType, dirInsert, dirLookup, dirNext, dirRemove, dirSeek, direntKey, direntName } from '../../packages/core/src/store/dirtab.js';
import { D_BITS, D_COUNT, iw } from '../../packages/core/src/store/inode.js';
import { SB } from '../../packages/core/src/store/layout.js';
import { nameHash } from '../../packages/core/src/store/names.js';
import { pagesUsed } from '../../packages/core/src/store/pages.js';
import { slabAllocZero, INODE_CLASS } from '../../packages/core/src/store/slab.js';
import { Store } from '../../packages/core/src/store/store.js';

function newDir(st: Store): number {
  return slabAllocZero(st, INODE_CLASS);
}

function names(st: Store, dir: number): string[] {
  const out: string[] = [];
  for (let de = dirSeek(st, dir, 0); de !== 0; de = dirNext(st, dir, de)) out.push(direntName(st, de));
  return out;
}

test('insert, lookup and remove many entries; the table grows and shrinks', () => {
  const st = Store.create({ maxBytes: 256 << 20 });
  const dir = newDir(st);
  const before = pagesUsed(st);
  const N = 50_000;
  for (let i = 0; i < N; i++) dirInsert(st, dir, `f${i}`, `f${i}`.length, i + 1, DType.Reg);
  const w = st.i32s[dir >>> 20]!;
  expect(w[iw(dir) + D_COUNT]).toBe(N);
  expect(w[iw(dir) + D_BITS]).toBeGreaterThanOrEqual(14);
  for (let i = 0; i < N; i += 97) expect(dirLookup(st, dir, `f${i}`, `f${i}`.length)).not.toBe(0);
  expect(dirLookup(st, dir, 'nope', 4)).toBe(0);
  const listed = names(st, dir);
  expect(listed.length).toBe(N);
  expect(new Set(listed).size).toBe(N);
  for (let i = 0; i < N; i++) dirRemove(st, dir, dirLookup(st, dir, `f${i}`, `f${i}`.length));
  expect(w[iw(dir) + D_COUNT]).toBe(0);
  expect(w[iw(dir) + D_BITS]).toBe(0);
  // Every page the table and entries used is back in the pool (slabs may keep one spare page per class).
  expect(pagesUsed(st) - before).toBeLessThanOrEqual(13);
});

test('non-ASCII names hash and compare as UTF-8 bytes', () => {
  const st = Store.create({});
  const dir = newDir(st);
  const list = ['é', 'e\u0301', '日本語', '😀', 'a'.repeat(255)];
  for (const [i, n] of list.entries()) dirInsert(st, dir, n, Buffer.byteLength(n), i + 1, DType.Reg);
  for (const n of list) expect(direntName(st, dirLookup(st, dir, n, Buffer.byteLength(n)))).toBe(n);
  expect(names(st, dir).sort()).toEqual([...list].sort());
});

test('names with the same 32-bit hash both live, in a stable order', () => {
  const st = Store.create({});
  const seed = st.sb[SB.HASH_SEED]!;
  const seen = new Map<number, string>();
  let pair: [string, string] | undefined;
  for (let i = 0; pair === undefined; i++) {
    const n = `n${i}`;
    const h = nameHash(n, seed);
    const prev = seen.get(h);
    if (prev !== undefined) pair = [prev, n];
    else seen.set(h, n);
  }
  const dir = newDir(st);
  for (let i = 0; i < 40; i++) dirInsert(st, dir, `x${i}`, `x${i}`.length, 100 + i, DType.Reg);
  const [a, b] = pair;
  const da = dirInsert(st, dir, a, a.length, 1, DType.Reg);
  const db = dirInsert(st, dir, b, b.length, 2, DType.Reg);
  expect(dirLookup(st, dir, a, a.length)).toBe(da);
  expect(dirLookup(st, dir, b, b.length)).toBe(db);
  expect(direntKey(st, db)).toBe(direntKey(st, da) + 1);
  dirRemove(st, dir, da);
  expect(dirLookup(st, dir, a, a.length)).toBe(0);
  expect(dirLookup(st, dir, b, b.length)).toBe(db);
});

test('readdir positions stay valid while entries come and go', () => {
  const st = Store.create({ maxBytes: 64 << 20 });
  const dir = newDir(st);
  const stable = new Set<string>();
  for (let i = 0; i < 2000; i++) {
    dirInsert(st, dir, `s${i}`, `s${i}`.length, i + 1, DType.Reg);
    stable.add(`s${i}`);
  }
  const seen: string[] = [];
  let pos = 0;
  let churn = 0;
  while (pos < DIR_EOF) {
    let de = dirSeek(st, dir, pos);
    if (de === 0) break;
    // Read a small batch, then change the directory before the next one.
    for (let k = 0; k < 7 && de !== 0; k++) {
      seen.push(direntName(st, de));
      pos = direntKey(st, de) + 1;
      de = dirNext(st, dir, de);
    }
    if (de === 0) pos = DIR_EOF;
    for (let k = 0; k < 20; k++, churn++) dirInsert(st, dir, `c${churn}`, `c${churn}`.length, 1, DType.Reg);
    for (let k = churn - 20; k < churn - 10; k++) dirRemove(st, dir, dirLookup(st, dir, `c${k}`, `c${k}`.length));
  }
  const counts = new Map<string, number>();
  for (const n of seen) counts.set(n, (counts.get(n) ?? 0) + 1);
  for (const n of stable) expect(counts.get(n)).toBe(1);
  for (const [, c] of counts) expect(c).toBe(1);
});
