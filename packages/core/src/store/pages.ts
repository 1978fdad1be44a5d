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
 *
 * Shared mode: the allocator's superblock words are noted in the journal when
 * the mutex is taken (store/journal.ts), so they are written here without
 * logging; words inside pages (free-list links) are logged one by one. A
 * page popped off the free list has its link word noted too: whoever
 * allocated it will overwrite it, and a rollback must find the list intact.
 */

import { keep, put } from './journal.js';
import { mutexEnter, mutexExit } from './lock.js';
import { INODE_SLAB_CLASS, PAGE_SHIFT, PAGE_SIZE, SB, SEG_PAGE_BITS, SEG_PAGE_MASK, SLAB_CLASSES, pageRef } from './layout.js';
import type { Store } from './store.js';

/** Take the allocator mutex (through the journal's records in shared mode). */
export function allocEnter(st: Store): void {
  const j = st.journal;
  if (j === null) mutexEnter(st.sb, SB.ALLOC_LOCK);
  else j.enterMutex(st, SB.ALLOC_LOCK);
  // Pages and slabs handed out here may lie in segments another thread added.
  st.sync();
}

export function allocExit(st: Store): void {
  const j = st.journal;
  if (j === null) mutexExit(st.sb, SB.ALLOC_LOCK);
  else j.exitMutex(st, SB.ALLOC_LOCK);
}

/** Pop a free page or take a fresh one. Contents are undefined. => ALLOC_LOCK held. */
export function pageAllocLocked(st: Store): number {
  const sb = st.sb;
  const head = sb[SB.FREE_HEAD]!;
  if (head !== 0) {
    const seg = head >>> SEG_PAGE_BITS;
    const link = (head & SEG_PAGE_MASK) << (PAGE_SHIFT - 2);
    keep(st, seg, link);
    st.journal?.pageReused(st, head);
    sb[SB.FREE_HEAD] = st.i32s[seg]![link]!;
    sb[SB.FREE_COUNT]!--;
    sb[SB.PAGES_USED]!++;
    return head;
  }
  let pn = sb[SB.BUMP]!;
  let seg = pn >>> SEG_PAGE_BITS;
  if ((pn & SEG_PAGE_MASK) >= st.segPages(seg)) {
    if (sb[SB.PAGES_TOTAL]! >= sb[SB.LIMIT_PAGES]! && reclaimSparesLocked(st) > 0) return pageAllocLocked(st);
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
  put(st, pn >>> SEG_PAGE_BITS, (pn & SEG_PAGE_MASK) << (PAGE_SHIFT - 2), sb[SB.FREE_HEAD]!);
  st.journal?.pageFreed(pn);
  sb[SB.FREE_HEAD] = pn;
  sb[SB.FREE_COUNT]!++;
  sb[SB.PAGES_USED]!--;
}

/**
 * Give the slabs' spare empty pages back to the free list (the pool is out
 * of pages). The inode class's spare stays while other threads are
 * attached: inode memory must stay inode memory while anyone might hold a
 * stale handle (store/inode.ts). => ALLOC_LOCK held; returns pages freed.
 */
export function reclaimSparesLocked(st: Store): number {
  const sb = st.sb;
  let n = 0;
  for (let cls = 0; cls < SLAB_CLASSES; cls++) {
    const pn = sb[SB.SLAB_SPARE + cls]!;
    if (pn === 0 || (cls === INODE_SLAB_CLASS && !soleThread(st))) continue;
    sb[SB.SLAB_SPARE + cls] = 0;
    pageFreeLocked(st, pn);
    n++;
  }
  return n;
}

/** Spare slab pages that reclaimSparesLocked could free now. */
export function reclaimablePages(st: Store): number {
  // Retired inode pages (shared mode) are freed as soon as no thread can hold a handle into them.
  let n = st.sb[SB.LIMBO_COUNT]!;
  for (let cls = 0; cls < SLAB_CLASSES; cls++) {
    if (st.sb[SB.SLAB_SPARE + cls] !== 0 && (cls !== INODE_SLAB_CLASS || soleThread(st))) n++;
  }
  return n;
}

/** No other thread is attached to the store. */
export function soleThread(st: Store): boolean {
  return Atomics.load(st.sb, SB.THREADS) <= 1;
}

/** Allocate one page; returns its page number. Contents undefined. */
export function pageAlloc(st: Store): number {
  allocEnter(st);
  try {
    return pageAllocLocked(st);
  } finally {
    allocExit(st);
  }
}

/** Allocate one zero-filled page. */
export function pageAllocZero(st: Store): number {
  const pn = pageAlloc(st);
  pageZero(st, pn);
  return pn;
}

export function pageFree(st: Store, pn: number): void {
  allocEnter(st);
  pageFreeLocked(st, pn);
  allocExit(st);
}

/**
 * Allocate `n` pages into `out`, all or none.
 * => throws ENOSPC (having allocated nothing) if the pool cannot supply them.
 */
export function pageAllocMany(st: Store, n: number, out: number[]): void {
  allocEnter(st);
  const start = out.length;
  try {
    for (let k = 0; k < n; k++) out.push(pageAllocLocked(st));
  } catch (e) {
    while (out.length > start) pageFreeLocked(st, out.pop()!);
    throw e;
  } finally {
    allocExit(st);
  }
}

export function pageFreeMany(st: Store, pns: ArrayLike<number>): void {
  if (pns.length === 0) return;
  allocEnter(st);
  for (let k = 0; k < pns.length; k++) pageFreeLocked(st, pns[k]!);
  allocExit(st);
}

export function pageZero(st: Store, pn: number): void {
  const off = (pn & SEG_PAGE_MASK) << PAGE_SHIFT;
  st.u8s[pn >>> SEG_PAGE_BITS]!.fill(0, off, off + PAGE_SIZE);
}

/** Pages the pool could still hand out without exceeding its limit (spare slab pages included). */
export function pagesAvailable(st: Store): number {
  const sb = st.sb;
  return sb[SB.LIMIT_PAGES]! - sb[SB.PAGES_USED]! + reclaimablePages(st);
}

export function pagesUsed(st: Store): number {
  return st.sb[SB.PAGES_USED]!;
}

export { pageRef };
