/**
 * The address space of a store, and the superblock layout.
 *
 * Everything in a store is named by a 32-bit *ref*: an address in 16-byte
 * paragraphs. Segments (SharedArrayBuffers) sit at a fixed 16 MiB stride, so
 * a ref splits into a segment number and an offset with two integer ops:
 *
 *     ref = seg << 20 | paragraph        byte = (ref & 0xfffff) << 4
 *
 * Pages are 4 KiB (256 paragraphs); a page number is `ref >>> 8`. Refs stay
 * below 2^31 (2048 segments, 32 GiB) so they are always small integers in V8.
 * Ref 0 is the superblock and doubles as "none" everywhere.
 *
 * docs/architecture.md explains the choice of sizes with measurements.
 */

export const PARA_SHIFT = 4;
export const PAGE_SHIFT = 12;
export const PAGE_SIZE = 1 << PAGE_SHIFT;
export const PAGE_MASK = PAGE_SIZE - 1;
/** Paragraphs per page, and the shift from page number to ref. */
export const PAGE_PARA_SHIFT = PAGE_SHIFT - PARA_SHIFT;
export const SEG_SHIFT = 24;
export const SEG_BYTES = 1 << SEG_SHIFT;
export const SEG_PARA_BITS = SEG_SHIFT - PARA_SHIFT;
export const SEG_PARA_MASK = (1 << SEG_PARA_BITS) - 1;
export const SEG_PAGE_BITS = SEG_SHIFT - PAGE_SHIFT;
export const SEG_PAGE_MASK = (1 << SEG_PAGE_BITS) - 1;
export const MAX_SEGMENTS = 2048;
export const MAX_PAGES = MAX_SEGMENTS << SEG_PAGE_BITS;

export const STORE_MAGIC = 0x61766673; // 'avfs'
export const STORE_VERSION = 1;

/** Superblock: Int32 word indexes in segment 0. */
export const SB = {
  MAGIC: 0,
  VERSION: 1,
  /** Published number of segments; readers map new ones when it grows. */
  SEGS: 2,
  /** Page limit (the configured maximum size of the store). */
  LIMIT_PAGES: 3,
  /** Mutex over the page allocator and the slab lists. */
  ALLOC_LOCK: 4,
  FREE_HEAD: 5,
  FREE_COUNT: 6,
  /** Next never-used page number. */
  BUMP: 7,
  PAGES_TOTAL: 8,
  PAGES_USED: 9,
  INODES: 10,
  GEN: 11,
  ROOT: 12,
  /** Counter for ids that must be unique across threads (lock owners, files). */
  NEXT_ID: 13,
  /** Mutex over advisory-lock lists and the global wait list. */
  ADV_LOCK: 14,
  ADV_WAITERS: 15,
  /** Store-wide flags (read-only, ...). */
  FLAGS: 16,
  /** Bumped by every namespace change; name caches validate against it. */
  NSGEN: 17,
  /** Seconds and nanoseconds of creation (statfs / birth of the store). */
  CREATED: 18,
  /** Inode limit (0 = bounded only by pages). */
  LIMIT_INODES: 19,
  /** Number of threads attached (the embedded creator counts as one). */
  THREADS: 20,
  /** Free-page low-water mark kept for the allocator's own index pages. */
  RESERVED: 21,
  /** Random seed of the directory name hash. */
  HASH_SEED: 22,
  /**
   * Shared mode: first page of the limbo list, empty inode slab pages
   * retired by the actor and freed once no thread can still hold a handle
   * into them (store/slab.ts). Kept in the store, so an actor's death does
   * not leak them.
   */
  LIMBO: 23,
  /** Pages in the limbo list (counted as available by statfs: they are on their way back). */
  LIMBO_COUNT: 24,
  SLAB_HEADS: 32,
  SLAB_INUSE: 64,
  /** One empty slab page kept per class (0 = none): reused first, reclaimed when pages run out. */
  SLAB_SPARE: 96,
  /** Pages in each segment, MAX_SEGMENTS entries, from byte 4096 on. */
  SEG_PAGES: 1024,
} as const;

/** Number of slab size classes, and the class reserved for inodes (store/slab.ts). */
export const SLAB_CLASSES = 13;
export const INODE_SLAB_CLASS = 12;

/** Pages the superblock occupies at the start of segment 0. */
export const SB_PAGES = 3;

export function refToSeg(ref: number): number {
  return ref >>> SEG_PARA_BITS;
}

/** Byte offset of a ref inside its segment. */
export function refToByte(ref: number): number {
  return (ref & SEG_PARA_MASK) << PARA_SHIFT;
}

export function pageRef(pn: number): number {
  return pn << PAGE_PARA_SHIFT;
}

export function refPage(ref: number): number {
  return ref >>> PAGE_PARA_SHIFT;
}
