import { expect, test } from 'vitest';
import { PAGE_SIZE, SB } from '../../packages/core/src/store/layout.js';
import { pageAlloc, pageAllocMany, pageFree, pagesAvailable, pagesUsed } from '../../packages/core/src/store/pages.js';
import { Store } from '../../packages/core/src/store/store.js';

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    return (e as { code?: string }).code;
  }
  return undefined;
}

test('pages are reused after free, most recent first', () => {
  const st = Store.create({ maxBytes: 1 << 20, initialBytes: 64 * PAGE_SIZE });
  const a = pageAlloc(st);
  const b = pageAlloc(st);
  pageFree(st, a);
  pageFree(st, b);
  expect(pageAlloc(st)).toBe(b);
  expect(pageAlloc(st)).toBe(a);
});

test('the pool grows by segments up to its limit, then answers ENOSPC and stays usable', () => {
  const st = Store.create({ maxBytes: 256 * PAGE_SIZE, initialBytes: 32 * PAGE_SIZE });
  const got: number[] = [];
  let code: string | undefined;
  for (;;) {
    code = codeOf(() => got.push(pageAlloc(st)));
    if (code !== undefined) break;
  }
  expect(code).toBe('ENOSPC');
  expect(st.nsegs).toBeGreaterThan(1);
  expect(st.reservedBytes()).toBe(256 * PAGE_SIZE);
  expect(pagesAvailable(st)).toBe(0);
  // Freed pages come back; the pool keeps working after ENOSPC.
  const used = pagesUsed(st);
  for (const pn of got.splice(0, 10)) pageFree(st, pn);
  expect(pagesUsed(st)).toBe(used - 10);
  for (let i = 0; i < 10; i++) got.push(pageAlloc(st));
  expect(codeOf(() => pageAlloc(st))).toBe('ENOSPC');
});

test('pageAllocMany is all or nothing', () => {
  const st = Store.create({ maxBytes: 64 * PAGE_SIZE, initialBytes: 64 * PAGE_SIZE });
  const free = pagesAvailable(st);
  const out: number[] = [];
  expect(codeOf(() => pageAllocMany(st, free + 1, out))).toBe('ENOSPC');
  expect(out).toEqual([]);
  expect(pagesAvailable(st)).toBe(free);
  pageAllocMany(st, free, out);
  expect(out.length).toBe(free);
  expect(new Set(out).size).toBe(free);
});

test('a second thread view attaches to the same memory', () => {
  const st = Store.create({ maxBytes: 1 << 22, initialBytes: 16 * PAGE_SIZE + 3 * PAGE_SIZE });
  for (let i = 0; i < 100; i++) pageAlloc(st);
  const other = Store.attach(st.image());
  expect(other.nsegs).toBe(st.nsegs);
  expect(other.sb[SB.PAGES_USED]).toBe(st.sb[SB.PAGES_USED]);
  other.u8s[1]![5] = 42;
  expect(st.u8s[1]![5]).toBe(42);
});
