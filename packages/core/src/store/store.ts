/**
 * The store: the SharedArrayBuffer memory of one file system, and typed
 * views over it.
 *
 * All state of an in-memory file system lives here (superblock, inodes,
 * directory tables, page maps, symlink targets, data pages). A Store object
 * is one thread's window onto it: the views are per thread, the memory is
 * shared. Another thread builds its own window with `Store.attach(image)`.
 *
 * Memory is reserved up front and grown in place. A store owns a few
 * *regions*: growable SharedArrayBuffers of up to 4 GiB each, all created
 * with the store (reserving address space, not memory). A *segment* is a
 * fixed-length view into a region at a 16 MiB stride (segment i is in region
 * i >> 8); the store grows by adding a segment, i.e. by growing a region.
 * Every thread holding the regions sees the growth at once, so a thread maps
 * a new segment itself, whenever the published segment count moves (`sync`),
 * without waiting for a message from the thread that grew the store.
 */

import { fail } from '../errno.js';
import type { Journal } from './journal.js';
import {
  MAX_SEGMENTS,
  PAGE_SHIFT,
  SB,
  SB_PAGES,
  SEG_BYTES,
  SEG_PAGE_BITS,
  STORE_MAGIC,
  STORE_VERSION,
} from './layout.js';

export interface StoreOptions {
  /**
   * Memory to build the store in: growable SharedArrayBuffers (length 0,
   * maxByteLength 4 GiB) reserved beforehand, as shared mode does so that
   * every thread already holds the memory of mounts made later. Default: new ones.
   */
  regions?: SharedArrayBuffer[];
  /** Upper bound on the store's size in bytes (rounded down to pages). */
  maxBytes?: number;
  /** Size of the first segment in bytes. */
  initialBytes?: number;
  /** Upper bound on live inodes (0 or absent: bounded only by memory). */
  maxInodes?: number;
}

/** What a thread needs to attach to an existing store. Structured-cloneable. */
export interface StoreImage {
  regions: SharedArrayBuffer[];
}

/** Segments per region: a region holds 256 segments of the 16 MiB stride (4 GiB). */
const REGION_SEG_BITS = 8;
const REGION_MAX_BYTES = SEG_BYTES * (1 << REGION_SEG_BITS);

export const DEFAULT_MAX_BYTES = 8 * 1024 * 1024 * 1024;
const DEFAULT_INITIAL_BYTES = 4 * 1024 * 1024;
const MIN_SEGMENT_PAGES = 16;

/** Pages of segment `i` after a first segment of `first` pages: doubling up to the stride. */
function plannedPages(first: number, i: number): number {
  return i === 0 ? first : Math.min(1 << SEG_PAGE_BITS, Math.max(MIN_SEGMENT_PAGES, first * 2 ** i));
}

/** Bytes each region must be able to grow to, for a store of `limitPages` pages. */
function planRegions(limitPages: number, firstPages: number): number[] {
  const max: number[] = [];
  let total = 0;
  for (let i = 0; total < limitPages && i < MAX_SEGMENTS; i++) {
    const pages = Math.min(plannedPages(firstPages, i), limitPages - total);
    total += pages;
    const r = i >>> REGION_SEG_BITS;
    const end = (i & ((1 << REGION_SEG_BITS) - 1)) * SEG_BYTES + (pages << PAGE_SHIFT);
    max[r] = Math.max(max[r] ?? 0, end);
  }
  return max;
}

export class Store {
  /** Per segment: byte, word and double views, and a Buffer for text codecs. */
  readonly u8s: Uint8Array[] = [];
  readonly i32s: Int32Array[] = [];
  readonly u32s: Uint32Array[] = [];
  readonly f64s: Float64Array[] = [];
  readonly bufs: Buffer[] = [];
  readonly regions: SharedArrayBuffer[];
  /** Superblock words (segment 0). */
  readonly sb: Int32Array;
  /** Segments mapped in this thread. */
  nsegs = 0;
  /**
   * Shared mode, on the thread that frees (the actor): an empty inode slab
   * page goes to the store's limbo list instead of staying a slab forever,
   * stamped with the epoch this returns, and is freed by `limboReclaim` once
   * no thread is in a call begun at or before that epoch (epoch-based
   * reclamation). Called with the allocator mutex held.
   */
  retire: (() => number) | null = null;
  /**
   * Shared mode: this thread's journal (store/journal.ts). Every change to
   * metadata is noted in it first, and every lock goes through its records.
   * Null in embedded mode.
   */
  journal: Journal | null = null;
  /** Names the store in journals (shared mode: the mount's id). */
  id = 0;

  private constructor(regions: SharedArrayBuffer[], firstPages: number) {
    this.regions = regions;
    this.map(0, firstPages);
    this.sb = this.i32s[0]!;
  }

  static create(options: StoreOptions = {}): Store {
    const limitPages = Math.min(
      Math.floor((options.maxBytes ?? DEFAULT_MAX_BYTES) / (1 << PAGE_SHIFT)),
      MAX_SEGMENTS << SEG_PAGE_BITS,
    );
    if (!(limitPages >= SB_PAGES + MIN_SEGMENT_PAGES)) {
      throw new RangeError(`maxBytes must be at least ${(SB_PAGES + MIN_SEGMENT_PAGES) << PAGE_SHIFT}`);
    }
    const firstPages = Math.min(
      limitPages,
      1 << SEG_PAGE_BITS,
      Math.max(SB_PAGES + MIN_SEGMENT_PAGES, Math.ceil((options.initialBytes ?? DEFAULT_INITIAL_BYTES) / (1 << PAGE_SHIFT))),
    );
    const plan = planRegions(limitPages, firstPages);
    let regions: SharedArrayBuffer[];
    if (options.regions !== undefined) {
      regions = options.regions.slice(0, plan.length);
      if (regions.length < plan.length || regions.some((r, i) => !r.growable || r.maxByteLength < Math.min(plan[i]!, REGION_MAX_BYTES))) {
        throw new RangeError(`store needs ${plan.length} growable regions for maxBytes`);
      }
      regions[0]!.grow(Math.max(regions[0]!.byteLength, firstPages << PAGE_SHIFT));
    } else {
      regions = plan.map(
        (maxByteLength, r) => new SharedArrayBuffer(r === 0 ? firstPages << PAGE_SHIFT : 0, { maxByteLength: Math.min(maxByteLength, REGION_MAX_BYTES) }),
      );
    }
    const st = new Store(regions, firstPages);
    const sb = st.sb;
    sb[SB.MAGIC] = STORE_MAGIC;
    sb[SB.VERSION] = STORE_VERSION;
    sb[SB.LIMIT_PAGES] = limitPages;
    sb[SB.LIMIT_INODES] = options.maxInodes ?? 0;
    sb[SB.SEG_PAGES] = firstPages;
    sb[SB.PAGES_TOTAL] = firstPages;
    sb[SB.BUMP] = SB_PAGES;
    sb[SB.PAGES_USED] = SB_PAGES;
    sb[SB.THREADS] = 1;
    Atomics.store(sb, SB.SEGS, 1);
    return st;
  }

  /** Another thread's window onto the same store. */
  static attach(image: StoreImage): Store {
    const first = image.regions[0];
    if (!(first instanceof SharedArrayBuffer)) throw new TypeError('store image has no region 0');
    const probe = new Int32Array(first, 0, SB.SEG_PAGES + 1);
    if (probe[SB.MAGIC] !== STORE_MAGIC || probe[SB.VERSION] !== STORE_VERSION) {
      throw new TypeError('not an actorvfs store (bad magic or version)');
    }
    const st = new Store(image.regions, probe[SB.SEG_PAGES]!);
    st.sync();
    return st;
  }

  image(): StoreImage {
    return { regions: this.regions.slice() };
  }

  /** Regions a store of these options needs (shared mode reserves them from its pool). */
  static regionsNeeded(options: StoreOptions = {}): number {
    const limitPages = Math.min(Math.floor((options.maxBytes ?? DEFAULT_MAX_BYTES) / (1 << PAGE_SHIFT)), MAX_SEGMENTS << SEG_PAGE_BITS);
    const firstPages = Math.min(
      limitPages,
      1 << SEG_PAGE_BITS,
      Math.max(SB_PAGES + MIN_SEGMENT_PAGES, Math.ceil((options.initialBytes ?? DEFAULT_INITIAL_BYTES) / (1 << PAGE_SHIFT))),
    );
    return planRegions(limitPages, firstPages).length;
  }

  /** A reserved, empty region for a pool (shared mode). */
  static newRegion(): SharedArrayBuffer {
    return new SharedArrayBuffer(0, { maxByteLength: REGION_MAX_BYTES });
  }

  /** Make this thread's views of segment `index` (`pages` long). */
  private map(index: number, pages: number): void {
    const region = this.regions[index >>> REGION_SEG_BITS]!;
    const off = (index & ((1 << REGION_SEG_BITS) - 1)) * SEG_BYTES;
    const bytes = pages << PAGE_SHIFT;
    this.u8s[index] = new Uint8Array(region, off, bytes);
    this.i32s[index] = new Int32Array(region, off, bytes >> 2);
    this.u32s[index] = new Uint32Array(region, off, bytes >> 2);
    this.f64s[index] = new Float64Array(region, off, bytes >> 3);
    this.bufs[index] = Buffer.from(region, off, bytes);
    if (index === this.nsegs) this.nsegs++;
  }

  /** Map every segment another thread has published. Cheap when nothing changed. */
  sync(): void {
    const n = Atomics.load(this.sb, SB.SEGS);
    while (this.nsegs < n) this.map(this.nsegs, this.sb[SB.SEG_PAGES + this.nsegs]!);
  }

  /** Pages in segment `seg`. */
  segPages(seg: number): number {
    return this.sb[SB.SEG_PAGES + seg]!;
  }

  /**
   * Add a segment. Called with the allocator mutex held.
   * => returns the number of pages added; throws ENOSPC at the limit.
   */
  grow(): number {
    const sb = this.sb;
    this.sync();
    const segs = sb[SB.SEGS]!;
    const total = sb[SB.PAGES_TOTAL]!;
    const room = sb[SB.LIMIT_PAGES]! - total;
    if (segs >= MAX_SEGMENTS || room <= 0) throw fail('ENOSPC');
    const pages = Math.min(room, plannedPages(sb[SB.SEG_PAGES]!, segs));
    const region = this.regions[segs >>> REGION_SEG_BITS];
    const end = (segs & ((1 << REGION_SEG_BITS) - 1)) * SEG_BYTES + pages * (1 << PAGE_SHIFT);
    if (region === undefined || end > region.maxByteLength) throw fail('ENOSPC');
    if (region.byteLength < end) region.grow(end);
    // PAGES_TOTAL and BUMP are in the journal's allocator snapshot.
    this.journal?.word(this, 0, SB.SEGS);
    this.journal?.word(this, 0, SB.SEG_PAGES + segs);
    sb[SB.SEG_PAGES + segs] = pages;
    this.map(segs, pages);
    sb[SB.PAGES_TOTAL] = total + pages;
    sb[SB.BUMP] = segs << SEG_PAGE_BITS;
    Atomics.store(sb, SB.SEGS, segs + 1);
    return pages;
  }

  /** Bytes currently reserved from the system (all segments). */
  reservedBytes(): number {
    return this.sb[SB.PAGES_TOTAL]! << PAGE_SHIFT;
  }

  limitBytes(): number {
    return this.sb[SB.LIMIT_PAGES]! * (1 << PAGE_SHIFT);
  }

  /** Use `journal` for every change this thread makes (shared mode). */
  useJournal(journal: Journal | null): void {
    this.journal = journal;
    journal?.adopt(this);
  }

  /** Allocate a new id unique across all threads of this store. */
  nextId(): number {
    return Atomics.add(this.sb, SB.NEXT_ID, 1) + 1;
  }
}

export { SEG_BYTES };
