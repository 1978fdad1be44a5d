/**
 * The store: a set of SharedArrayBuffer segments and typed views over them.
 *
 * All state of an in-memory file system lives here (superblock, inodes,
 * directory tables, page maps, symlink targets, data pages). A Store object
 * is one thread's window onto it: the views are per thread, the memory is
 * shared. A thread that was handed the segments (`StoreImage`) can build its
 * own Store over the same memory with `Store.attach`.
 *
 * The store grows by whole segments up to its page limit. A thread learns
 * about segments another thread added through a `SegmentSource`; every lock
 * acquisition first checks the published segment count (`sync()`), which is
 * where new refs can first become visible to it.
 */

import { fail } from '../errno.js';
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
  /** Upper bound on the store's size in bytes (rounded down to pages). */
  maxBytes?: number;
  /** Size of the first segment in bytes. */
  initialBytes?: number;
  /** Upper bound on live inodes (0 or absent: bounded only by memory). */
  maxInodes?: number;
}

/** What a thread needs to attach to an existing store. Structured-cloneable. */
export interface StoreImage {
  segments: SharedArrayBuffer[];
}

/** Supplies segments this thread has not mapped yet (shared mode). */
export interface SegmentSource {
  /** Return segment `index`, waiting for it if it is still in flight. */
  fetch(index: number): SharedArrayBuffer;
  /** Called with each segment this thread created, to publish it to others. */
  publish?(index: number, sab: SharedArrayBuffer): void;
}

export const DEFAULT_MAX_BYTES = 8 * 1024 * 1024 * 1024;
const DEFAULT_INITIAL_BYTES = 4 * 1024 * 1024;
const MIN_SEGMENT_PAGES = 16;

export class Store {
  /** Per segment: byte, word and double views, and a Buffer for text codecs. */
  readonly u8s: Uint8Array[] = [];
  readonly i32s: Int32Array[] = [];
  readonly u32s: Uint32Array[] = [];
  readonly f64s: Float64Array[] = [];
  readonly bufs: Buffer[] = [];
  readonly sabs: SharedArrayBuffer[] = [];
  /** Superblock words (segment 0). */
  readonly sb: Int32Array;
  /** Segments mapped in this thread. */
  nsegs = 0;
  source: SegmentSource | undefined;

  private constructor(first: SharedArrayBuffer) {
    this.map(0, first);
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
    const st = new Store(new SharedArrayBuffer(firstPages << PAGE_SHIFT));
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

  static attach(image: StoreImage, source?: SegmentSource): Store {
    const first = image.segments[0];
    if (!(first instanceof SharedArrayBuffer)) throw new TypeError('store image has no segment 0');
    const st = new Store(first);
    if (st.sb[SB.MAGIC] !== STORE_MAGIC || st.sb[SB.VERSION] !== STORE_VERSION) {
      throw new TypeError('not an actorvfs store (bad magic or version)');
    }
    for (let i = 1; i < image.segments.length; i++) st.map(i, image.segments[i]!);
    st.source = source;
    st.sync();
    return st;
  }

  image(): StoreImage {
    return { segments: this.sabs.slice(0, this.nsegs) };
  }

  private map(index: number, sab: SharedArrayBuffer): void {
    if (this.sabs[index] !== undefined) return;
    this.sabs[index] = sab;
    this.u8s[index] = new Uint8Array(sab);
    this.i32s[index] = new Int32Array(sab);
    this.u32s[index] = new Uint32Array(sab);
    this.f64s[index] = new Float64Array(sab);
    this.bufs[index] = Buffer.from(sab);
    while (this.sabs[this.nsegs] !== undefined) this.nsegs++;
  }

  /** Map every segment another thread has published. Cheap when nothing changed. */
  sync(): void {
    const n = Atomics.load(this.sb, SB.SEGS);
    if (n === this.nsegs) return;
    for (let i = this.nsegs; i < n; i++) {
      if (this.sabs[i] !== undefined) continue;
      if (this.source === undefined) throw new Error(`store segment ${i} is not mapped and there is no segment source`);
      this.map(i, this.source.fetch(i));
    }
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
    const segs = sb[SB.SEGS]!;
    const total = sb[SB.PAGES_TOTAL]!;
    const room = sb[SB.LIMIT_PAGES]! - total;
    if (segs >= MAX_SEGMENTS || room <= 0) throw fail('ENOSPC');
    // Segments double from the first one's size up to the 16 MiB stride.
    const last = sb[SB.SEG_PAGES + segs - 1]!;
    const pages = Math.min(room, 1 << SEG_PAGE_BITS, Math.max(last * 2, MIN_SEGMENT_PAGES));
    const sab = new SharedArrayBuffer(pages << PAGE_SHIFT);
    this.map(segs, sab);
    this.source?.publish?.(segs, sab);
    sb[SB.SEG_PAGES + segs] = pages;
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

  /** Allocate a new id unique across all threads of this store. */
  nextId(): number {
    return Atomics.add(this.sb, SB.NEXT_ID, 1) + 1;
  }
}

export { SEG_BYTES };
