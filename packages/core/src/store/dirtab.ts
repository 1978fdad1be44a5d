/**
 * Directory tables: a chained hash of directory entries per directory.
 *
 * Buckets are indexed by the *top* bits of the name hash, and each chain is
 * kept sorted by (hash, dup). So the whole table is always in hash order,
 * whatever its size: doubling splits bucket i into 2i and 2i+1 by cutting its
 * chain once, and a readdir position is simply "the next key after this one",
 * where key = hash * 2^16 + dup. Positions stay valid while entries come and
 * go (an entry present for the whole scan is returned exactly once), the way
 * ext4's hash-ordered telldir cookies are.
 *
 * Lookup, insert and remove are O(1) on average: the table doubles when
 * entries exceed twice the buckets and halves below a quarter. Bucket arrays
 * of up to 256 buckets are slab objects; larger ones are pages in a radix
 * tree of up to three levels (2^30 buckets).
 *
 * Entry (slab object): word 0 next, 1 hash, 2 ino, 3 type | nameLen << 8 |
 * dup << 16, then the UTF-8 name from byte 16.
 *
 * => callers hold the directory's vnode lock: shared to read, exclusive to
 *    change. Functions that allocate throw ENOSPC having changed nothing.
 */

import { fail } from '../errno.js';
import { D_BITS, D_COUNT, D_TABLE, D_WHITEOUTS, iw } from './inode.js';
import { PAGE_PARA_SHIFT, PARA_SHIFT, SB } from './layout.js';
import { encodeName, nameHash } from './names.js';
import { pageAllocZero, pageFree } from './pages.js';
import { slabAlloc, slabAllocZero, slabClass, slabFree } from './slab.js';
import type { Store } from './store.js';

export const DE_NEXT = 0;
export const DE_HASH = 1;
export const DE_INO = 2;
export const DE_META = 3;
export const DE_NAME_BYTE = 16;

/** Entry types: libuv's dirent numbering, plus whiteouts. */
export const enum DType {
  Unknown = 0,
  Reg = 1,
  Dir = 2,
  Lnk = 3,
  Fifo = 4,
  Sock = 5,
  Chr = 6,
  Blk = 7,
  Wht = 8,
}

/** Readdir position past the last entry. */
export const DIR_EOF = 2 ** 48;
const DUP_LIMIT = 0xffff;
const MIN_BITS = 3;
const SLAB_MAX_BITS = 8;

function deWord(ref: number): number {
  return (ref & 0xfffff) << (PARA_SHIFT - 2);
}

function deByte(ref: number): number {
  return (ref & 0xfffff) << PARA_SHIFT;
}

export function direntKey(st: Store, de: number): number {
  const w = st.u32s[de >>> 20]!;
  const b = deWord(de);
  return w[b + DE_HASH]! * 65536 + (w[b + DE_META]! >>> 16);
}

export function direntIno(st: Store, de: number): number {
  return st.i32s[de >>> 20]![deWord(de) + DE_INO]!;
}

export function direntType(st: Store, de: number): DType {
  return st.i32s[de >>> 20]![deWord(de) + DE_META]! & 0xff;
}

export function direntName(st: Store, de: number): string {
  const seg = de >>> 20;
  const len = (st.i32s[seg]![deWord(de) + DE_META]! >>> 8) & 0xff;
  const off = deByte(de) + DE_NAME_BYTE;
  return st.bufs[seg]!.toString('utf8', off, off + len);
}

/** Compare an entry's name with `name` (of UTF-8 length `len`). */
function nameEquals(st: Store, de: number, name: string, len: number): boolean {
  const seg = de >>> 20;
  if (((st.i32s[seg]![deWord(de) + DE_META]! >>> 8) & 0xff) !== len) return false;
  const u8 = st.u8s[seg]!;
  const off = deByte(de) + DE_NAME_BYTE;
  if (len === name.length) {
    for (let k = 0; k < len; k++) if (u8[off + k] !== name.charCodeAt(k)) return false;
    return true;
  }
  const bytes = encodeName(name);
  for (let k = 0; k < len; k++) if (u8[off + k] !== bytes[k]) return false;
  return true;
}

// ------------------------------------------------------------ bucket tables

/** Ref of the leaf (slab object or page) holding bucket `idx`. */
function bucketLeaf(st: Store, table: number, bits: number, idx: number): number {
  if (bits <= 10) return table;
  if (bits <= 20) return st.i32s[table >>> 20]![deWord(table) + (idx >>> 10)]!;
  const mid = st.i32s[table >>> 20]![deWord(table) + (idx >>> 20)]!;
  return st.i32s[mid >>> 20]![deWord(mid) + ((idx >>> 10) & 1023)]!;
}

function bucketGet(st: Store, table: number, bits: number, idx: number): number {
  const leaf = bucketLeaf(st, table, bits, idx);
  return st.i32s[leaf >>> 20]![deWord(leaf) + (idx & 1023)]!;
}

function bucketSet(st: Store, table: number, bits: number, idx: number, de: number): void {
  const leaf = bucketLeaf(st, table, bits, idx);
  st.i32s[leaf >>> 20]![deWord(leaf) + (idx & 1023)] = de;
}

/** Allocate an all-empty bucket table of 2^bits buckets. All or nothing. */
function tableAlloc(st: Store, bits: number): number {
  if (bits <= SLAB_MAX_BITS) return slabAllocZero(st, slabClass(4 << bits));
  if (bits <= 10) return pageAllocZero(st) << PAGE_PARA_SHIFT;
  const made: number[] = [];
  try {
    const root = pageAllocZero(st) << PAGE_PARA_SHIFT;
    made.push(root);
    const leaves = 1 << (bits - 10);
    if (bits <= 20) {
      for (let k = 0; k < leaves; k++) {
        const leaf = pageAllocZero(st) << PAGE_PARA_SHIFT;
        made.push(leaf);
        st.i32s[root >>> 20]![deWord(root) + k] = leaf;
      }
    } else {
      const mids = 1 << (bits - 20);
      for (let m = 0; m < mids; m++) {
        const mid = pageAllocZero(st) << PAGE_PARA_SHIFT;
        made.push(mid);
        st.i32s[root >>> 20]![deWord(root) + m] = mid;
        for (let k = 0; k < 1024; k++) {
          const leaf = pageAllocZero(st) << PAGE_PARA_SHIFT;
          made.push(leaf);
          st.i32s[mid >>> 20]![deWord(mid) + k] = leaf;
        }
      }
    }
    return root;
  } catch (e) {
    for (const ref of made) pageFree(st, ref >>> PAGE_PARA_SHIFT);
    throw e;
  }
}

function tableFree(st: Store, table: number, bits: number): void {
  if (bits <= SLAB_MAX_BITS) return slabFree(st, table);
  if (bits > 10) {
    const w = st.i32s[table >>> 20]!;
    const b = deWord(table);
    if (bits <= 20) {
      for (let k = 0; k < 1 << (bits - 10); k++) pageFree(st, w[b + k]! >>> PAGE_PARA_SHIFT);
    } else {
      for (let m = 0; m < 1 << (bits - 20); m++) {
        const mid = w[b + m]!;
        const mw = st.i32s[mid >>> 20]!;
        for (let k = 0; k < 1024; k++) pageFree(st, mw[deWord(mid) + k]! >>> PAGE_PARA_SHIFT);
        pageFree(st, mid >>> PAGE_PARA_SHIFT);
      }
    }
  }
  pageFree(st, table >>> PAGE_PARA_SHIFT);
}

/**
 * Re-bucket every entry into a table of 2^bits buckets. Order is preserved:
 * growing splits each chain once, shrinking concatenates neighbours.
 * => on ENOSPC the old table is kept (longer chains, still correct).
 */
function resize(st: Store, dir: number, bits: number): void {
  const w = st.i32s[dir >>> 20]!;
  const b = iw(dir);
  const oldTable = w[b + D_TABLE]!;
  const oldBits = w[b + D_BITS]!;
  let table: number;
  try {
    table = tableAlloc(st, bits);
  } catch {
    return;
  }
  const oldN = 1 << oldBits;
  if (bits > oldBits) {
    const shift = 32 - bits;
    for (let i = 0; i < oldN; i++) {
      let de = bucketGet(st, oldTable, oldBits, i);
      if (de === 0) continue;
      // Entries of bucket i go to 2i..2i+k in hash order: hand out runs.
      let cur = -1;
      let tail = 0;
      while (de !== 0) {
        const dw = st.i32s[de >>> 20]!;
        const db = deWord(de);
        const next = dw[db + DE_NEXT]!;
        const idx = (dw[db + DE_HASH]! >>> 0) >>> shift;
        if (idx !== cur) {
          if (tail !== 0) st.i32s[tail >>> 20]![deWord(tail) + DE_NEXT] = 0;
          bucketSet(st, table, bits, idx, de);
          cur = idx;
        }
        tail = de;
        de = next;
      }
      if (tail !== 0) st.i32s[tail >>> 20]![deWord(tail) + DE_NEXT] = 0;
    }
  } else {
    const ratio = 1 << (oldBits - bits);
    for (let i = 0; i < 1 << bits; i++) {
      let head = 0;
      let tail = 0;
      for (let k = 0; k < ratio; k++) {
        const de = bucketGet(st, oldTable, oldBits, i * ratio + k);
        if (de === 0) continue;
        if (tail === 0) head = de;
        else st.i32s[tail >>> 20]![deWord(tail) + DE_NEXT] = de;
        tail = de;
        for (;;) {
          const next = st.i32s[tail >>> 20]![deWord(tail) + DE_NEXT]!;
          if (next === 0) break;
          tail = next;
        }
      }
      if (head !== 0) bucketSet(st, table, bits, i, head);
    }
  }
  w[b + D_TABLE] = table;
  w[b + D_BITS] = bits;
  tableFree(st, oldTable, oldBits);
}

// ------------------------------------------------------------ operations

/** Find `name` (UTF-8 length `len`). => returns the entry ref, or 0. */
export function dirLookup(st: Store, dir: number, name: string, len: number): number {
  const w = st.i32s[dir >>> 20]!;
  const b = iw(dir);
  const bits = w[b + D_BITS]!;
  if (bits === 0) return 0;
  const h = nameHash(name, st.sb[SB.HASH_SEED]!);
  let de = bucketGet(st, w[b + D_TABLE]!, bits, h >>> (32 - bits));
  while (de !== 0) {
    const dw = st.u32s[de >>> 20]!;
    const db = deWord(de);
    const eh = dw[db + DE_HASH]!;
    if (eh === h) {
      if (nameEquals(st, de, name, len)) return de;
    } else if (eh > h) {
      return 0;
    }
    de = dw[db + DE_NEXT]!;
  }
  return 0;
}

/**
 * Add an entry. The caller has checked that `name` is not present.
 * => returns the new entry's ref; throws ENOSPC having changed nothing.
 */
export function dirInsert(st: Store, dir: number, name: string, len: number, ino: number, type: DType): number {
  const w = st.i32s[dir >>> 20]!;
  const b = iw(dir);
  let bits = w[b + D_BITS]!;
  if (bits === 0) {
    const table = tableAlloc(st, MIN_BITS);
    w[b + D_TABLE] = table;
    w[b + D_BITS] = bits = MIN_BITS;
  }
  const de = slabAlloc(st, slabClass(DE_NAME_BYTE + len));
  const h = nameHash(name, st.sb[SB.HASH_SEED]!);
  const table = w[b + D_TABLE]!;
  const idx = h >>> (32 - bits);
  // Find the insertion point: after every entry with hash <= h.
  let prev = 0;
  let cur = bucketGet(st, table, bits, idx);
  let dup = 0;
  while (cur !== 0) {
    const cw = st.u32s[cur >>> 20]!;
    const cb = deWord(cur);
    const ch = cw[cb + DE_HASH]!;
    if (ch > h) break;
    if (ch === h) dup = (cw[cb + DE_META]! >>> 16) + 1;
    prev = cur;
    cur = cw[cb + DE_NEXT]!;
  }
  if (dup > DUP_LIMIT) {
    slabFree(st, de);
    throw fail('ENOSPC');
  }
  const dw = st.i32s[de >>> 20]!;
  const db = deWord(de);
  dw[db + DE_NEXT] = cur;
  dw[db + DE_HASH] = h;
  dw[db + DE_INO] = ino;
  dw[db + DE_META] = type | (len << 8) | (dup << 16);
  const u8 = st.u8s[de >>> 20]!;
  const off = deByte(de) + DE_NAME_BYTE;
  if (len === name.length) {
    for (let k = 0; k < len; k++) u8[off + k] = name.charCodeAt(k);
  } else {
    u8.set(encodeName(name), off);
  }
  if (prev === 0) bucketSet(st, table, bits, idx, de);
  else st.i32s[prev >>> 20]![deWord(prev) + DE_NEXT] = de;
  if (type === DType.Wht) w[b + D_WHITEOUTS]!++;
  else w[b + D_COUNT]!++;
  const total = w[b + D_COUNT]! + w[b + D_WHITEOUTS]!;
  if (total > 2 << bits && bits < 30) resize(st, dir, bits + 1);
  return de;
}

/** Point an existing entry at another inode (rename over an existing name). */
export function direntSetIno(st: Store, de: number, ino: number, type: DType): void {
  const w = st.i32s[de >>> 20]!;
  const b = deWord(de);
  w[b + DE_INO] = ino;
  w[b + DE_META] = (w[b + DE_META]! & ~0xff) | type;
}

/** Unlink and free entry `de` of `dir`. */
export function dirRemove(st: Store, dir: number, de: number): void {
  const w = st.i32s[dir >>> 20]!;
  const b = iw(dir);
  const bits = w[b + D_BITS]!;
  const table = w[b + D_TABLE]!;
  const dw = st.u32s[de >>> 20]!;
  const db = deWord(de);
  const idx = dw[db + DE_HASH]! >>> (32 - bits);
  const next = dw[db + DE_NEXT]!;
  let prev = 0;
  let cur = bucketGet(st, table, bits, idx);
  while (cur !== de) {
    if (cur === 0) throw new Error(`dirRemove: entry ${de} not in directory ${dir}`);
    prev = cur;
    cur = st.i32s[cur >>> 20]![deWord(cur) + DE_NEXT]!;
  }
  if (prev === 0) bucketSet(st, table, bits, idx, next);
  else st.i32s[prev >>> 20]![deWord(prev) + DE_NEXT] = next;
  if ((dw[db + DE_META]! & 0xff) === DType.Wht) w[b + D_WHITEOUTS]!--;
  else w[b + D_COUNT]!--;
  slabFree(st, de);
  const total = w[b + D_COUNT]! + w[b + D_WHITEOUTS]!;
  if (total === 0) {
    tableFree(st, table, bits);
    w[b + D_TABLE] = 0;
    w[b + D_BITS] = 0;
  } else if (bits > MIN_BITS && total < 1 << (bits - 2)) {
    resize(st, dir, bits - 1);
  }
}

/** Free every entry and the table (a directory being destroyed, whiteouts only). */
export function dirClear(st: Store, dir: number): void {
  const w = st.i32s[dir >>> 20]!;
  const b = iw(dir);
  const bits = w[b + D_BITS]!;
  if (bits === 0) return;
  const table = w[b + D_TABLE]!;
  for (let i = 0; i < 1 << bits; i++) {
    let de = bucketGet(st, table, bits, i);
    while (de !== 0) {
      const next = st.i32s[de >>> 20]![deWord(de) + DE_NEXT]!;
      slabFree(st, de);
      de = next;
    }
  }
  tableFree(st, table, bits);
  w[b + D_TABLE] = 0;
  w[b + D_BITS] = 0;
  w[b + D_COUNT] = 0;
  w[b + D_WHITEOUTS] = 0;
}

/**
 * The first entry whose key is >= `pos`, or 0 at the end.
 * Positions come from `direntKey(de) + 1`; 0 is the start.
 */
export function dirSeek(st: Store, dir: number, pos: number): number {
  const w = st.i32s[dir >>> 20]!;
  const b = iw(dir);
  const bits = w[b + D_BITS]!;
  if (bits === 0 || pos >= DIR_EOF) return 0;
  const table = w[b + D_TABLE]!;
  const h = Math.floor(pos / 65536);
  const n = 1 << bits;
  let idx = h >>> (32 - bits);
  let de = bucketGet(st, table, bits, idx);
  while (de !== 0 && direntKey(st, de) < pos) de = st.i32s[de >>> 20]![deWord(de) + DE_NEXT]!;
  while (de === 0) {
    if (++idx >= n) return 0;
    de = bucketGet(st, table, bits, idx);
  }
  return de;
}

/** The entry after `de` in key order, or 0. */
export function dirNext(st: Store, dir: number, de: number): number {
  const next = st.i32s[de >>> 20]![deWord(de) + DE_NEXT]!;
  if (next !== 0) return next;
  const w = st.i32s[dir >>> 20]!;
  const b = iw(dir);
  const bits = w[b + D_BITS]!;
  const table = w[b + D_TABLE]!;
  const n = 1 << bits;
  let idx = (st.u32s[de >>> 20]![deWord(de) + DE_HASH]! >>> (32 - bits)) + 1;
  for (; idx < n; idx++) {
    const head = bucketGet(st, table, bits, idx);
    if (head !== 0) return head;
  }
  return 0;
}

/** Live (non-whiteout) entries. */
export function dirCount(st: Store, dir: number): number {
  return st.i32s[dir >>> 20]![iw(dir) + D_COUNT]!;
}
