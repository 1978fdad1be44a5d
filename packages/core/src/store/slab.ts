/**
 * Small objects (inodes, directory entries, bucket arrays, symlink targets,
 * lock records) carved out of pages by size class, as pool(9)/slab does.
 *
 * A slab page starts with a 32-byte header:
 *   word 0 class, 1 objects in use, 2 free-list head (byte offset, 0 = none),
 *   3 next and 4 prev slab of the class's partial list (page numbers),
 *   5 bump offset (objects past it were never handed out).
 * Objects follow from byte 32. A slab with free objects is on its class's
 * partial list (head in the superblock); a full one is on no list. An empty
 * slab becomes its class's spare (one per class, reused first, so
 * create/delete loops do not churn pages) or goes back to the page pool;
 * spares go back too when the pool runs out (pages.ts). Empty inode slabs
 * go back only while no other thread is attached (store/inode.ts: inode
 * memory stays inode memory while someone may hold a stale handle).
 *
 * => every function takes the allocator mutex itself.
 *
 * Shared mode: slab headers and free-object links are logged word by word
 * (store/journal.ts); the superblock's slab lists are in the journal's
 * allocator snapshot. An object taken off a free list has its link word
 * noted, since its new owner overwrites it.
 */

import { keep, put } from './journal.js';
import { INODE_SLAB_CLASS, PAGE_PARA_SHIFT, PAGE_SHIFT, PAGE_SIZE, PARA_SHIFT, SB, SEG_PAGE_BITS, SEG_PAGE_MASK, SLAB_CLASSES } from './layout.js';
import { allocEnter, allocExit, pageAllocLocked, pageFreeLocked, soleThread } from './pages.js';
import type { Store } from './store.js';

const HDR = 32;
const H_CLASS = 0;
const H_INUSE = 1;
const H_FREE = 2;
const H_NEXT = 3;
const H_PREV = 4;
const H_BUMP = 5;
/** A retired page's epoch (limbo list; the link is H_NEXT). */
const H_EPOCH = 6;

/**
 * Object sizes in bytes, multiples of 16; 2032 fits two to a page. The last
 * class is the inode class: used only for inodes and type-stable (its slabs
 * never go back to the page pool; see store/inode.ts for why).
 */
export const SLAB_SIZES = [32, 48, 64, 96, 128, 160, 192, 256, 384, 512, 1024, 2032, 144] as const;
export const SLAB_MAX = 2032;
export const INODE_CLASS = INODE_SLAB_CLASS;
// layout.ts declares the class count for the superblock arrays; keep them in step.
const classCountMatches: (typeof SLAB_SIZES)['length'] extends typeof SLAB_CLASSES ? true : never = true;
void classCountMatches;
const CAPACITY = SLAB_SIZES.map((s) => Math.floor((PAGE_SIZE - HDR) / s));

/** Size class for each size in paragraphs (index: ceil(bytes / 16)); never the inode class. */
const CLASS_OF = new Int8Array((SLAB_MAX >> 4) + 1);
{
  let c = 0;
  for (let p = 0; p < CLASS_OF.length; p++) {
    while (SLAB_SIZES[c]! < p << 4) c++;
    CLASS_OF[p] = c;
  }
}

export function slabClass(bytes: number): number {
  if (bytes > SLAB_MAX) throw new RangeError(`slab object too large: ${bytes}`);
  return CLASS_OF[(bytes + 15) >> 4]!;
}

export function slabSize(cls: number): number {
  return SLAB_SIZES[cls]!;
}

function hdrIndex(pn: number): number {
  return (pn & SEG_PAGE_MASK) << (PAGE_SHIFT - 2);
}

/** Allocate an object of class `cls`; returns its ref. Contents undefined. */
export function slabAlloc(st: Store, cls: number): number {
  const sb = st.sb;
  allocEnter(st);
  try {
    let pn = sb[SB.SLAB_HEADS + cls]!;
    if (pn === 0 && sb[SB.SLAB_SPARE + cls] !== 0) {
      // The spare is an empty slab with its header intact: put it back on the list.
      pn = sb[SB.SLAB_SPARE + cls]!;
      sb[SB.SLAB_SPARE + cls] = 0;
      const seg = pn >>> SEG_PAGE_BITS;
      put(st, seg, hdrIndex(pn) + H_NEXT, 0);
      put(st, seg, hdrIndex(pn) + H_PREV, 0);
      sb[SB.SLAB_HEADS + cls] = pn;
    } else if (pn === 0) {
      // A fresh page: nothing in it needs logging (a rollback frees it again).
      pn = pageAllocLocked(st);
      const w = st.i32s[pn >>> SEG_PAGE_BITS]!;
      const h = hdrIndex(pn);
      // Inode records are never zeroed as a whole again (their lock and use
      // words belong to whoever may hold a stale handle), so their page starts clean.
      if (cls === INODE_CLASS) w.fill(0, h, h + (PAGE_SIZE >> 2));
      w[h + H_CLASS] = cls;
      w[h + H_INUSE] = 0;
      w[h + H_FREE] = 0;
      w[h + H_NEXT] = 0;
      w[h + H_PREV] = 0;
      w[h + H_BUMP] = HDR;
      sb[SB.SLAB_HEADS + cls] = pn;
    }
    const seg = pn >>> SEG_PAGE_BITS;
    const w = st.i32s[seg]!;
    const h = hdrIndex(pn);
    let off = w[h + H_FREE]!;
    if (off !== 0) {
      keep(st, seg, h + (off >> 2));
      // An inode's lock and use words (6..10) are never logged: see store/inode.ts.
      st.journal?.objectReused(st, (pn << PAGE_PARA_SHIFT) + (off >> PARA_SHIFT), SLAB_SIZES[cls]!, cls === INODE_CLASS ? 6 : 0, cls === INODE_CLASS ? 11 : 0);
      put(st, seg, h + H_FREE, w[h + (off >> 2)]!);
    } else {
      off = w[h + H_BUMP]!;
      put(st, seg, h + H_BUMP, off + SLAB_SIZES[cls]!);
    }
    const inuse = w[h + H_INUSE]! + 1;
    put(st, seg, h + H_INUSE, inuse);
    if (inuse === CAPACITY[cls]) {
      // Full: leave the partial list (we are its head).
      const next = w[h + H_NEXT]!;
      sb[SB.SLAB_HEADS + cls] = next;
      if (next !== 0) put(st, next >>> SEG_PAGE_BITS, hdrIndex(next) + H_PREV, 0);
      put(st, seg, h + H_NEXT, 0);
    }
    sb[SB.SLAB_INUSE + cls]!++;
    return (pn << PAGE_PARA_SHIFT) + (off >> PARA_SHIFT);
  } finally {
    allocExit(st);
  }
}

/** Allocate and zero-fill. */
export function slabAllocZero(st: Store, cls: number): number {
  const ref = slabAlloc(st, cls);
  const off = (ref & 0xfffff) << PARA_SHIFT;
  st.u8s[ref >>> 20]!.fill(0, off, off + SLAB_SIZES[cls]!);
  return ref;
}

export function slabFree(st: Store, ref: number): void {
  const sb = st.sb;
  const pn = ref >>> PAGE_PARA_SHIFT;
  const off = (ref & ((1 << PAGE_PARA_SHIFT) - 1)) << PARA_SHIFT;
  allocEnter(st);
  const seg = pn >>> SEG_PAGE_BITS;
  const w = st.i32s[seg]!;
  const h = hdrIndex(pn);
  const cls = w[h + H_CLASS]!;
  const wasFull = w[h + H_INUSE] === CAPACITY[cls];
  put(st, seg, h + (off >> 2), w[h + H_FREE]!);
  put(st, seg, h + H_FREE, off);
  st.journal?.objectFreed(ref);
  const inuse = w[h + H_INUSE]! - 1;
  put(st, seg, h + H_INUSE, inuse);
  sb[SB.SLAB_INUSE + cls]!--;
  const head = sb[SB.SLAB_HEADS + cls]!;
  if (wasFull) {
    put(st, seg, h + H_NEXT, head);
    put(st, seg, h + H_PREV, 0);
    if (head !== 0) put(st, head >>> SEG_PAGE_BITS, hdrIndex(head) + H_PREV, pn);
    sb[SB.SLAB_HEADS + cls] = pn;
  } else if (inuse === 0 && (cls !== INODE_CLASS || soleThread(st) || sb[SB.SLAB_SPARE + cls] === 0 || st.retire !== null)) {
    const next = w[h + H_NEXT]!;
    const prev = w[h + H_PREV]!;
    if (prev !== 0) put(st, prev >>> SEG_PAGE_BITS, hdrIndex(prev) + H_NEXT, next);
    else sb[SB.SLAB_HEADS + cls] = next;
    if (next !== 0) put(st, next >>> SEG_PAGE_BITS, hdrIndex(next) + H_PREV, prev);
    if (sb[SB.SLAB_SPARE + cls] === 0) sb[SB.SLAB_SPARE + cls] = pn;
    else if (cls === INODE_CLASS && !soleThread(st)) {
      put(st, seg, h + H_NEXT, sb[SB.LIMBO]!);
      put(st, seg, h + H_EPOCH, st.retire!());
      sb[SB.LIMBO] = pn;
      sb[SB.LIMBO_COUNT]!++;
    } else pageFreeLocked(st, pn);
  }
  allocExit(st);
}

/** Is anything waiting in limbo? (A cheap check before taking the allocator mutex.) */
export function limboPending(st: Store): boolean {
  return Atomics.load(st.sb, SB.LIMBO) !== 0;
}

/**
 * Free the limbo pages retired before epoch `oldest` (no thread is in a call
 * that began before it, so none can hold a handle into them). => pages freed.
 */
export function limboReclaim(st: Store, oldest: number): number {
  const sb = st.sb;
  let freed = 0;
  allocEnter(st);
  try {
    let prev = 0;
    let pn = sb[SB.LIMBO]!;
    while (pn !== 0) {
      const seg = pn >>> SEG_PAGE_BITS;
      const w = st.i32s[seg]!;
      const h = hdrIndex(pn);
      const next = w[h + H_NEXT]!;
      if (w[h + H_EPOCH]! < oldest) {
        if (prev === 0) sb[SB.LIMBO] = next;
        else put(st, prev >>> SEG_PAGE_BITS, hdrIndex(prev) + H_NEXT, next);
        pageFreeLocked(st, pn);
        sb[SB.LIMBO_COUNT]!--;
        freed++;
      } else prev = pn;
      pn = next;
    }
  } finally {
    allocExit(st);
  }
  return freed;
}

/** Pages in the limbo list (the checker). */
export function limboPages(st: Store): number[] {
  const out: number[] = [];
  for (let pn = st.sb[SB.LIMBO]!; pn !== 0 && out.length < 1 << 22; pn = st.i32s[pn >>> SEG_PAGE_BITS]![hdrIndex(pn) + H_NEXT]!) out.push(pn);
  return out;
}

/** For the checker (store/fsck.ts): a slab page's header and its free objects' offsets. */
export function slabInspect(st: Store, pn: number): { cls: number; inuse: number; bump: number; free: number[]; next: number; prev: number } {
  const w = st.i32s[pn >>> SEG_PAGE_BITS]!;
  const h = hdrIndex(pn);
  const free: number[] = [];
  for (let off = w[h + H_FREE]!; off !== 0 && free.length <= PAGE_SIZE / 16; off = w[h + (off >> 2)]!) free.push(off);
  return { cls: w[h + H_CLASS]!, inuse: w[h + H_INUSE]!, bump: w[h + H_BUMP]!, free, next: w[h + H_NEXT]!, prev: w[h + H_PREV]! };
}

export const SLAB_HEADER_BYTES = HDR;

/** Class of an allocated object (read from its slab header). */
export function slabClassOf(st: Store, ref: number): number {
  const pn = ref >>> PAGE_PARA_SHIFT;
  return st.i32s[pn >>> SEG_PAGE_BITS]![hdrIndex(pn) + H_CLASS]!;
}

/** Objects in use per class (for statistics). */
export function slabInUse(st: Store): number[] {
  return SLAB_SIZES.map((_, c) => st.sb[SB.SLAB_INUSE + c]!);
}
