/**
 * The pipe record behind a FIFO: a 32-byte slab object and a one-page ring.
 * Layout (Int32 words): readers, writers, seq (futex word), ring ref, read
 * position, byte count, reader-open generation, writer-open generation.
 */

import { PAGE_PARA_SHIFT, PAGE_SIZE } from '../store/layout.js';
import { pageAlloc, pageFree } from '../store/pages.js';
import { slabAllocZero, slabClass, slabFree } from '../store/slab.js';
import type { Store } from '../store/store.js';

export const P_READERS = 0;
export const P_WRITERS = 1;
export const P_SEQ = 2;
export const P_RING = 3;
export const P_RPOS = 4;
export const P_COUNT = 5;
export const P_RGEN = 6;
export const P_WGEN = 7;
export const PIPE_CAPACITY = PAGE_SIZE;

/** Int32 index of a pipe record's first word in its segment. */
export function pw(pipe: number): number {
  return (pipe & 0xfffff) << 2;
}

/** => throws ENOSPC having allocated nothing. */
export function pipeAlloc(st: Store): number {
  const ring = pageAlloc(st) << PAGE_PARA_SHIFT;
  let pipe: number;
  try {
    pipe = slabAllocZero(st, slabClass(32));
  } catch (e) {
    pageFree(st, ring >>> PAGE_PARA_SHIFT);
    throw e;
  }
  st.i32s[pipe >>> 20]![pw(pipe) + P_RING] = ring;
  return pipe;
}

export function pipeFree(st: Store, pipe: number): void {
  const ring = st.i32s[pipe >>> 20]![pw(pipe) + P_RING]!;
  if (ring !== 0) pageFree(st, ring >>> PAGE_PARA_SHIFT);
  slabFree(st, pipe);
}
