/**
 * The page allocator: 4 KiB pages from the store's segments.
 *
 * Free pages form a stack linked through their first word, so a freed page is
 * the next one handed out (it is likely still in cache). Never-used pages come
 * from a bump pointer in the newest segment; when that runs out the store adds
 * a segment, and at the limit the allocator answers ENOSPC. Nothing here ever
 * throws a RangeError: a full pool is an errno, and the pool stays usable.
 *
 * => every function takes and releases the allocator mutex itself, unless its
 *    name ends in `Locked` (caller holds SB.ALLOC_LOCK).
 */

import { mutexEnter, mutexExit } from './lock.js';
import { PAGE_SHIFT, PAGE_SIZE, SB, SEG_PAGE_BITS, SEG_PAGE_MASK, pageRef } from './layout.js';
import type { Store } from './store.js';

/** Pop a free page or take a fresh one. Contents are undefined. => ALLOC_LOCK held. */
export function pageAllocLocked(st: Store): number {
  const sb = st.sb;
  const head = sb[SB.FREE_HEAD]!;
  if (head !== 0) {
    const seg = head >>> SEG_PAGE_BITS;
    sb[SB.FREE_HEAD] = st.i32s[seg]![(head & SEG_PAGE_MASK) << (PAGE_SHIFT - 2)]!;
    sb[SB.FREE_COUNT]!--;
    sb[SB.PAGES_USED]!++;
    return head;
  }
  let pn = sb[SB.BUMP]!;
  let seg = pn >>> SEG_PAGE_BITS;
  if ((pn & SEG_PAGE_MASK) >= st.segPages(seg)) {
    st.grow();
    pn = sb[SB.BUMP]!;
    seg = pn >>> SEG_PAGE_BITS;
  }
  sb[SB.BUMP] = pn + 1;
  sb[SB.PAGES_USED]!++;
  return pn;
}

/** Push a page on the free list. => ALLOC_LOCK held. */
export function pageFreeLocked(st: Store, pn: number): void {
  const sb = st.sb;
  st.i32s[pn >>> SEG_PAGE_BITS]![(pn & SEG_PAGE_MASK) << (PAGE_SHIFT - 2)] = sb[SB.FREE_HEAD]!;
  sb[SB.FREE_HEAD] = pn;
  sb[SB.FREE_COUNT]!++;
  sb[SB.PAGES_USED]!--;
}

/** Allocate one page; returns its page number. Contents undefined. */
export function pageAlloc(st: Store): number {
  mutexEnter(st.sb, SB.ALLOC_LOCK);
  try {
    return pageAllocLocked(st);
  } finally {
    mutexExit(st.sb, SB.ALLOC_LOCK);
  }
}

/** Allocate one zero-filled page. */
export function pageAllocZero(st: Store): number {
  const pn = pageAlloc(st);
  pageZero(st, pn);
  return pn;
}

export function pageFree(st: Store, pn: number): void {
  mutexEnter(st.sb, SB.ALLOC_LOCK);
  pageFreeLocked(st, pn);
  mutexExit(st.sb, SB.ALLOC_LOCK);
}

/**
 * Allocate `n` pages into `out`, all or none.
 * => throws ENOSPC (having allocated nothing) if the pool cannot supply them.
 */
export function pageAllocMany(st: Store, n: number, out: number[]): void {
  mutexEnter(st.sb, SB.ALLOC_LOCK);
  const start = out.length;
  try {
    for (let k = 0; k < n; k++) out.push(pageAllocLocked(st));
  } catch (e) {
    while (out.length > start) pageFreeLocked(st, out.pop()!);
    throw e;
  } finally {
    mutexExit(st.sb, SB.ALLOC_LOCK);
  }
}

export function pageFreeMany(st: Store, pns: ArrayLike<number>): void {
  if (pns.length === 0) return;
  mutexEnter(st.sb, SB.ALLOC_LOCK);
  for (let k = 0; k < pns.length; k++) pageFreeLocked(st, pns[k]!);
  mutexExit(st.sb, SB.ALLOC_LOCK);
}

export function pageZero(st: Store, pn: number): void {
  const off = (pn & SEG_PAGE_MASK) << PAGE_SHIFT;
  st.u8s[pn >>> SEG_PAGE_BITS]!.fill(0, off, off + PAGE_SIZE);
}

/** Pages the pool could still hand out without exceeding its limit. */
export function pagesAvailable(st: Store): number {
  const sb = st.sb;
  return sb[SB.LIMIT_PAGES]! - sb[SB.PAGES_USED]!;
}

export function pagesUsed(st: Store): number {
  return st.sb[SB.PAGES_USED]!;
}

export { pageRef };
