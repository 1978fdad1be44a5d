/**
 * File contents: a radix tree of pages per regular file, like a page table.
 *
 * The inode holds the root and the height. Height 0: the root is the file's
 * only data page (page index 0). Height h > 0: the root is an index page of
 * 1024 refs, each a subtree of height h-1, so a tree of height h maps 1024^h
 * pages; five levels cover every offset below 2^53. An absent entry is a
 * hole: it costs nothing and reads as zeros.
 *
 * Invariant: every byte inside the file that was never written reads as
 * zero; bytes past EOF in the last page are unspecified. So a write into a
 * new page zeroes only the parts of that page that lie inside the file, and
 * whatever moves EOF forward (a write past it, truncate up) first zeroes the
 * old last page from EOF on (pmZeroTail). A 100-byte file costs no zeroing.
 *
 * Reads and writes copy whole runs of physically adjacent pages at once, so
 * a file written sequentially into fresh memory is read with a few large
 * copies instead of one per page.
 *
 * => callers hold the file's vnode lock (shared to read, exclusive to change)
 *    and keep the size; these functions only manage pages.
 *
 * Shared mode: the tree's words are written through the journal; file data
 * is not (a write killed half way leaves a prefix, as a short write does).
 */

import { fail } from '../errno.js';
import { I_BLOCKS, R_HEIGHT, R_ROOT, iw } from './inode.js';
import { PAGE_PARA_SHIFT, PAGE_SHIFT, PAGE_SIZE, PARA_SHIFT } from './layout.js';
import { bump, put } from './journal.js';
import { pageAlloc, pageAllocZero, pageFree } from './pages.js';
import type { Store } from './store.js';

const FANOUT = 1024;
const FANOUT_SHIFT = 10;
const MAX_HEIGHT = 5;
/** Pages covered by one entry of a node at level L (index L): 1024^(L-1). */
const SPAN = [0, 1, 1024, 1024 ** 2, 1024 ** 3, 1024 ** 4];

function capacity(height: number): number {
  return FANOUT ** height;
}

function heightFor(pi: number): number {
  let h = 0;
  while (capacity(h) <= pi) h++;
  return h;
}

function word(ref: number): number {
  return (ref & 0xfffff) << (PARA_SHIFT - 2);
}

function byteOf(ref: number): number {
  return (ref & 0xfffff) << PARA_SHIFT;
}

/** Data page ref for page index `pi`, or 0 for a hole. */
export function pmLookup(st: Store, ino: number, pi: number): number {
  const w = st.i32s[ino >>> 20]!;
  const b = iw(ino);
  let ref = w[b + R_ROOT]!;
  let level = w[b + R_HEIGHT]!;
  if (ref === 0 || pi >= capacity(level)) return 0;
  while (level > 0 && ref !== 0) {
    const slot = level === 1 ? pi & (FANOUT - 1) : Math.floor(pi / SPAN[level]!) & (FANOUT - 1);
    ref = st.i32s[ref >>> 20]![word(ref) + slot]!;
    level--;
  }
  return ref;
}

/**
 * Data page ref for `pi`, allocating the path and the page as needed; a new
 * data page is returned negated (-ref) and its contents are undefined.
 * => throws ENOSPC; index pages made on the way stay (they are empty and
 *    owned by the tree, freed with it).
 */
export function pmEnsure(st: Store, ino: number, pi: number): number {
  const seg = ino >>> 20;
  const w = st.i32s[seg]!;
  const b = iw(ino);
  let root = w[b + R_ROOT]!;
  let height = w[b + R_HEIGHT]!;
  if (root === 0) {
    height = heightFor(pi);
    if (height > MAX_HEIGHT) throw fail('EFBIG');
    put(st, seg, b + R_HEIGHT, height);
  } else {
    while (pi >= capacity(height)) {
      if (height >= MAX_HEIGHT) throw fail('EFBIG');
      const top = pageAllocZero(st) << PAGE_PARA_SHIFT;
      bump(st, seg, b + I_BLOCKS, 1);
      st.i32s[top >>> 20]![word(top)] = root;
      root = top;
      height++;
      put(st, seg, b + R_ROOT, root);
      put(st, seg, b + R_HEIGHT, height);
    }
  }
  if (height === 0) {
    if (root === 0) {
      root = pageAlloc(st) << PAGE_PARA_SHIFT;
      put(st, seg, b + R_ROOT, root);
      bump(st, seg, b + I_BLOCKS, 1);
      return -root;
    }
    return root;
  }
  if (root === 0) {
    root = pageAllocZero(st) << PAGE_PARA_SHIFT;
    put(st, seg, b + R_ROOT, root);
    bump(st, seg, b + I_BLOCKS, 1);
  }
  let node = root;
  for (let level = height; level > 0; level--) {
    const slot = level === 1 ? pi & (FANOUT - 1) : Math.floor(pi / SPAN[level]!) & (FANOUT - 1);
    const nw = st.i32s[node >>> 20]!;
    const ni = word(node) + slot;
    let child = nw[ni]!;
    if (child === 0) {
      child = (level === 1 ? pageAlloc(st) : pageAllocZero(st)) << PAGE_PARA_SHIFT;
      put(st, node >>> 20, ni, child);
      bump(st, seg, b + I_BLOCKS, 1);
      if (level === 1) return -child;
    }
    node = child;
  }
  return node;
}

/**
 * Copy `len` bytes at file offset `pos` into `dst[dstOff..]`.
 * => the range lies inside the file (the caller clips it to the size).
 */
export function pmRead(st: Store, ino: number, pos: number, dst: Uint8Array, dstOff: number, len: number): void {
  while (len > 0) {
    const pi = Math.floor(pos / PAGE_SIZE);
    const po = pos - pi * PAGE_SIZE;
    const ref = pmLookup(st, ino, pi);
    let n = Math.min(PAGE_SIZE - po, len);
    if (ref === 0) {
      dst.fill(0, dstOff, dstOff + n);
    } else {
      // Extend over physically adjacent pages of the same segment.
      const seg = ref >>> 20;
      let last = ref;
      while (n < len) {
        const next = pmLookup(st, ino, pi + ((last - ref) >>> PAGE_PARA_SHIFT) + 1);
        if (next !== last + (1 << PAGE_PARA_SHIFT) || next >>> 20 !== seg) break;
        last = next;
        n = Math.min(n + PAGE_SIZE, len);
      }
      const from = byteOf(ref) + po;
      dst.set(st.u8s[seg]!.subarray(from, from + n), dstOff);
    }
    pos += n;
    dstOff += n;
    len -= n;
  }
}

/**
 * Copy `len` bytes from `src[srcOff..]` to file offset `pos`, in a file of
 * `size` bytes (the size before the write; the caller has zeroed the old
 * tail if the write starts past EOF, see pmZeroTail).
 * => returns the bytes written: all of them, or fewer if the pool ran out
 *    after some were written; throws ENOSPC if none could be.
 */
export function pmWrite(st: Store, ino: number, pos: number, src: Uint8Array, srcOff: number, len: number, size: number): number {
  let done = 0;
  while (done < len) {
    const pi = Math.floor(pos / PAGE_SIZE);
    const po = pos - pi * PAGE_SIZE;
    const n = Math.min(PAGE_SIZE - po, len - done);
    let ref: number;
    try {
      ref = pmEnsure(st, ino, pi);
    } catch (e) {
      if (done > 0) return done;
      throw e;
    }
    const u8 = st.u8s[Math.abs(ref) >>> 20]!;
    if (ref < 0) {
      // A new page: zero what of it lies inside the file and is not written now.
      ref = -ref;
      const base = byteOf(ref);
      if (po > 0) u8.fill(0, base, base + po);
      const end = pi * PAGE_SIZE + po + n;
      if (po + n < PAGE_SIZE && end < size) u8.fill(0, base + po + n, base + Math.min(PAGE_SIZE, size - pi * PAGE_SIZE));
    }
    u8.set(src.subarray(srcOff, srcOff + n), byteOf(ref) + po);
    pos += n;
    srcOff += n;
    done += n;
  }
  return done;
}

/**
 * EOF is about to move from `size` to `to` (> size): zero the old last page
 * from EOF to the end of the page or `to`, whichever comes first (those
 * bytes were past EOF and may hold anything).
 */
export function pmZeroTail(st: Store, ino: number, size: number, to: number): void {
  const off = size % PAGE_SIZE;
  if (off === 0) return;
  const ref = pmLookup(st, ino, Math.floor(size / PAGE_SIZE));
  if (ref === 0) return;
  const base = byteOf(ref);
  st.u8s[ref >>> 20]!.fill(0, base + off, base + Math.min(PAGE_SIZE, off + (to - size)));
}

/** Fill `len` bytes at `pos` with zeros, allocating only where data exists. */
export function pmZero(st: Store, ino: number, pos: number, len: number): void {
  while (len > 0) {
    const pi = Math.floor(pos / PAGE_SIZE);
    const po = pos - pi * PAGE_SIZE;
    const n = Math.min(PAGE_SIZE - po, len);
    const ref = pmLookup(st, ino, pi);
    if (ref !== 0) st.u8s[ref >>> 20]!.fill(0, byteOf(ref) + po, byteOf(ref) + po + n);
    pos += n;
    len -= n;
  }
}

/**
 * Cut the file's pages to `size` bytes: free every page wholly past it (the
 * rest of the last page is past EOF now, and unspecified). Freeing runs
 * from the end, so the free list hands pages back in ascending order and a
 * rewrite lands contiguously.
 */
export function pmTruncate(st: Store, ino: number, size: number): void {
  const seg = ino >>> 20;
  const w = st.i32s[seg]!;
  const b = iw(ino);
  const root = w[b + R_ROOT]!;
  if (root === 0) return;
  const height = w[b + R_HEIGHT]!;
  const keep = Math.ceil(size / PAGE_SIZE);
  if (keep === 0) {
    pmFreeAll(st, ino);
    return;
  }
  if (keep < capacity(height)) {
    const freed = pruneFrom(st, root, height, 0, keep);
    bump(st, seg, b + I_BLOCKS, -freed);
  }
  // Lower the tree while its root has only its first child.
  let h = height;
  let r = root;
  while (h > 0 && keep <= capacity(h - 1)) {
    const child = st.i32s[r >>> 20]![word(r)]!;
    pageFree(st, r >>> PAGE_PARA_SHIFT);
    bump(st, seg, b + I_BLOCKS, -1);
    r = child;
    h--;
    if (r === 0) {
      h = 0;
      break;
    }
  }
  put(st, seg, b + R_ROOT, r);
  put(st, seg, b + R_HEIGHT, h);
}

/**
 * Free pages with index >= keep in the subtree at `node` (level `level`,
 * first page index `base`). => returns pages freed (index pages included).
 */
function pruneFrom(st: Store, node: number, level: number, base: number, keep: number): number {
  if (level === 0) return 0;
  const nw = st.i32s[node >>> 20]!;
  const nb = word(node);
  const span = SPAN[level]!;
  let freed = 0;
  for (let slot = FANOUT - 1; slot >= 0; slot--) {
    const childBase = base + slot * span;
    if (childBase + span <= keep) break;
    const child = nw[nb + slot]!;
    if (child === 0) continue;
    if (childBase >= keep) {
      freed += freeTree(st, child, level - 1);
      put(st, node >>> 20, nb + slot, 0);
    } else {
      freed += pruneFrom(st, child, level - 1, childBase, keep);
    }
  }
  return freed;
}

/** Free a whole subtree; returns pages freed. */
function freeTree(st: Store, node: number, level: number): number {
  let freed = 1;
  if (level > 0) {
    const nw = st.i32s[node >>> 20]!;
    const nb = word(node);
    for (let slot = FANOUT - 1; slot >= 0; slot--) {
      const child = nw[nb + slot]!;
      if (child !== 0) freed += freeTree(st, child, level - 1);
    }
  }
  pageFree(st, node >>> PAGE_PARA_SHIFT);
  return freed;
}

export function pmFreeAll(st: Store, ino: number): void {
  const seg = ino >>> 20;
  const w = st.i32s[seg]!;
  const b = iw(ino);
  const root = w[b + R_ROOT]!;
  if (root !== 0) freeTree(st, root, w[b + R_HEIGHT]!);
  put(st, seg, b + R_ROOT, 0);
  put(st, seg, b + R_HEIGHT, 0);
  put(st, seg, b + I_BLOCKS, 0);
}

/**
 * For the checker (store/fsck.ts): call `visit` for every page of the
 * file's tree, with the page index for data pages (-1 for index pages).
 */
export function pmWalk(st: Store, ino: number, visit: (ref: number, pageIndex: number) => void): void {
  const w = st.i32s[ino >>> 20]!;
  const b = iw(ino);
  const root = w[b + R_ROOT]!;
  if (root === 0) return;
  const walk = (node: number, level: number, base: number): void => {
    if (level === 0) {
      visit(node, base);
      return;
    }
    visit(node, -1);
    const nw = st.i32s[node >>> 20]!;
    const nb = word(node);
    for (let slot = 0; slot < FANOUT; slot++) {
      const child = nw[nb + slot]!;
      if (child !== 0) walk(child, level - 1, base + slot * SPAN[level]!);
    }
  };
  walk(root, w[b + R_HEIGHT]!, 0);
}

/** The first data offset >= pos (SEEK_DATA), or -1 if none before `size`. */
export function pmNextData(st: Store, ino: number, pos: number, size: number): number {
  for (let pi = Math.floor(pos / PAGE_SIZE); pi * PAGE_SIZE < size; pi++) {
    if (pmLookup(st, ino, pi) !== 0) return Math.max(pos, pi * PAGE_SIZE);
  }
  return -1;
}

/** The first hole offset >= pos (SEEK_HOLE); EOF counts as a hole. */
export function pmNextHole(st: Store, ino: number, pos: number, size: number): number {
  for (let pi = Math.floor(pos / PAGE_SIZE); pi * PAGE_SIZE < size; pi++) {
    if (pmLookup(st, ino, pi) === 0) return Math.max(pos, pi * PAGE_SIZE);
  }
  return size;
}

export const PAGE_BYTES = PAGE_SIZE;
export { PAGE_SHIFT, FANOUT_SHIFT };
