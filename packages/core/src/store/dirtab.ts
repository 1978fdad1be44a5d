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
 * Lookup, insert and remove are O(1), with no pauses: the table doubles
 * when entries exceed twice the buckets and halves below a quarter, and the
 * move happens a little at a time. While a resize is under way the old
 * table and the new one both hold entries: buckets of the old table below
 * the split pointer have moved (growing: bucket i became 2i and 2i+1;
 * shrinking: 2j and 2j+1 became j), and every insert or remove moves a few
 * more, so the move ends long before the next resize is due. A hash is
 * routed to whichever table holds its bucket now; iteration walks the hash
 * space across both, so order and positions are unaffected. Bucket arrays
 * of up to 256 buckets are slab objects; larger ones are pages in a radix
 * tree of up to three levels (2^30 buckets).
 *
 * Entry (slab object): word 0 next, 1 hash, 2 ino, 3 type | nameLen << 8 |
 * dup << 16, then the UTF-8 name from byte 16.
 *
 * => callers hold the directory's vnode lock: shared to read, exclusive to
 *    change. Functions that allocate throw ENOSPC having changed nothing.
 *
 * Shared mode: every word of an existing table, entry or the directory's
 * inode is written through the journal (`put`); a new entry or table is
 * filled in directly (a rollback gives it back to the allocator).
 */

import { fail } from '../errno.js';
import { D_BITS, D_COUNT, D_OLD_BITS, D_OLD_TABLE, D_SPLIT, D_TABLE, D_WHITEOUTS, iw } from './inode.js';
import { PAGE_PARA_SHIFT, PARA_SHIFT, SB } from './layout.js';
import { encodeName, nameHash } from './names.js';
import { bump, put } from './journal.js';
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
/** Routing scratch: one per module is enough, a route never outlives the call that made it. */
const scratch: Route = { table: 0, bits: 0, idx: 0 };
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
  put(st, leaf >>> 20, deWord(leaf) + (idx & 1023), de);
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

// ------------------------------------------------------------ routing

/** Buckets moved per insert or remove while a resize is under way. */
const MIGRATE_STEPS = 4;

/**
 * The table and bucket that hold hash `h` now. Sets `route.table`,
 * `route.bits` and `route.idx` (a per-call scratch object, no allocation).
 */
interface Route {
  table: number;
  bits: number;
  idx: number;
}

function routeOf(w: Int32Array, b: number, h: number, r: Route): Route {
  const old = w[b + D_OLD_TABLE]!;
  if (old !== 0) {
    const oldBits = w[b + D_OLD_BITS]!;
    const newBits = w[b + D_BITS]!;
    const split = w[b + D_SPLIT]!;
    // Growing: old buckets below the split moved; shrinking: new buckets below it were filled.
    const moved = newBits > oldBits ? h >>> (32 - oldBits) < split : h >>> (32 - newBits) < split;
    if (!moved) {
      r.table = old;
      r.bits = oldBits;
      r.idx = h >>> (32 - oldBits);
      return r;
    }
  }
  r.table = w[b + D_TABLE]!;
  r.bits = w[b + D_BITS]!;
  r.idx = h >>> (32 - r.bits);
  return r;
}

/** Begin moving to a table of 2^bits buckets. => on ENOSPC nothing changes (chains just grow). */
function startResize(st: Store, dir: number, bits: number): void {
  const seg = dir >>> 20;
  const w = st.i32s[seg]!;
  const b = iw(dir);
  let table: number;
  try {
    table = tableAlloc(st, bits);
  } catch {
    return;
  }
  put(st, seg, b + D_OLD_TABLE, w[b + D_TABLE]!);
  put(st, seg, b + D_OLD_BITS, w[b + D_BITS]!);
  put(st, seg, b + D_SPLIT, 0);
  put(st, seg, b + D_TABLE, table);
  put(st, seg, b + D_BITS, bits);
}

/** Move up to `steps` buckets of a resize under way; free the old table at the end. */
function migrate(st: Store, dir: number, steps: number): void {
  const w = st.i32s[dir >>> 20]!;
  const b = iw(dir);
  const old = w[b + D_OLD_TABLE]!;
  if (old === 0) return;
  const oldBits = w[b + D_OLD_BITS]!;
  const table = w[b + D_TABLE]!;
  const bits = w[b + D_BITS]!;
  let split = w[b + D_SPLIT]!;
  const growing = bits > oldBits;
  const end = growing ? 1 << oldBits : 1 << bits;
  for (let n = 0; n < steps && split < end; n++, split++) {
    if (growing) {
      // Old bucket i is hash-ordered: its entries with the next bit 0 come first.
      let de = bucketGet(st, old, oldBits, split);
      bucketSet(st, old, oldBits, split, 0);
      const shift = 32 - bits;
      let tail = 0;
      let cur = -1;
      while (de !== 0) {
        const dw = st.i32s[de >>> 20]!;
        const next = dw[deWord(de) + DE_NEXT]!;
        const idx = (dw[deWord(de) + DE_HASH]! >>> 0) >>> shift;
        if (idx !== cur) {
          if (tail !== 0) put(st, tail >>> 20, deWord(tail) + DE_NEXT, 0);
          bucketSet(st, table, bits, idx, de);
          cur = idx;
        }
        tail = de;
        de = next;
      }
    } else {
      // New bucket j is old 2j followed by old 2j+1.
      const a = bucketGet(st, old, oldBits, 2 * split);
      const c = bucketGet(st, old, oldBits, 2 * split + 1);
      let head = a;
      if (a === 0) head = c;
      else if (c !== 0) {
        let t = a;
        for (;;) {
          const next = st.i32s[t >>> 20]![deWord(t) + DE_NEXT]!;
          if (next === 0) break;
          t = next;
        }
        put(st, t >>> 20, deWord(t) + DE_NEXT, c);
      }
      bucketSet(st, old, oldBits, 2 * split, 0);
      bucketSet(st, old, oldBits, 2 * split + 1, 0);
      if (head !== 0) bucketSet(st, table, bits, split, head);
    }
  }
  const seg = dir >>> 20;
  put(st, seg, b + D_SPLIT, split);
  if (split >= end) {
    put(st, seg, b + D_OLD_TABLE, 0);
    put(st, seg, b + D_OLD_BITS, 0);
    put(st, seg, b + D_SPLIT, 0);
    tableFree(st, old, oldBits);
  }
}

// ------------------------------------------------------------ operations

/** Find `name` (UTF-8 length `len`). => returns the entry ref, or 0. */
export function dirLookup(st: Store, dir: number, name: string, len: number): number {
  const w = st.i32s[dir >>> 20]!;
  const b = iw(dir);
  if (w[b + D_BITS] === 0) return 0;
  const h = nameHash(name, st.sb[SB.HASH_SEED]!);
  const r = routeOf(w, b, h, scratch);
  let de = bucketGet(st, r.table, r.bits, r.idx);
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
  const dseg = dir >>> 20;
  const w = st.i32s[dseg]!;
  const b = iw(dir);
  let fresh = false;
  if (w[b + D_BITS] === 0) {
    put(st, dseg, b + D_TABLE, tableAlloc(st, MIN_BITS));
    put(st, dseg, b + D_BITS, MIN_BITS);
    fresh = true;
  }
  let de: number;
  try {
    de = slabAlloc(st, slabClass(DE_NAME_BYTE + len));
  } catch (e) {
    if (fresh) {
      tableFree(st, w[b + D_TABLE]!, MIN_BITS);
      put(st, dseg, b + D_TABLE, 0);
      put(st, dseg, b + D_BITS, 0);
    }
    throw e;
  }
  migrate(st, dir, MIGRATE_STEPS);
  const h = nameHash(name, st.sb[SB.HASH_SEED]!);
  const r = routeOf(w, b, h, scratch);
  const table = r.table;
  const bits = r.bits;
  const idx = r.idx;
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
  else put(st, prev >>> 20, deWord(prev) + DE_NEXT, de);
  if (type === DType.Wht) bump(st, dseg, b + D_WHITEOUTS, 1);
  else bump(st, dseg, b + D_COUNT, 1);
  const total = w[b + D_COUNT]! + w[b + D_WHITEOUTS]!;
  const cur2 = w[b + D_BITS]!;
  if (w[b + D_OLD_TABLE] === 0 && total > 2 << cur2 && cur2 < 30) startResize(st, dir, cur2 + 1);
  return de;
}

/** Point an existing entry at another inode (rename over an existing name). */
export function direntSetIno(st: Store, de: number, ino: number, type: DType): void {
  const seg = de >>> 20;
  const w = st.i32s[seg]!;
  const b = deWord(de);
  put(st, seg, b + DE_INO, ino);
  put(st, seg, b + DE_META, (w[b + DE_META]! & ~0xff) | type);
}

/** Unlink and free entry `de` of `dir`. */
export function dirRemove(st: Store, dir: number, de: number): void {
  const w = st.i32s[dir >>> 20]!;
  const b = iw(dir);
  migrate(st, dir, MIGRATE_STEPS);
  const dw = st.u32s[de >>> 20]!;
  const db = deWord(de);
  const r = routeOf(w, b, dw[db + DE_HASH]!, scratch);
  const table = r.table;
  const bits = r.bits;
  const idx = r.idx;
  const next = dw[db + DE_NEXT]!;
  let prev = 0;
  let cur = bucketGet(st, table, bits, idx);
  while (cur !== de) {
    if (cur === 0) throw new Error(`dirRemove: entry ${de} not in directory ${dir}`);
    prev = cur;
    cur = st.i32s[cur >>> 20]![deWord(cur) + DE_NEXT]!;
  }
  if (prev === 0) bucketSet(st, table, bits, idx, next);
  else put(st, prev >>> 20, deWord(prev) + DE_NEXT, next);
  if ((dw[db + DE_META]! & 0xff) === DType.Wht) bump(st, dir >>> 20, b + D_WHITEOUTS, -1);
  else bump(st, dir >>> 20, b + D_COUNT, -1);
  slabFree(st, de);
  const total = w[b + D_COUNT]! + w[b + D_WHITEOUTS]!;
  if (total === 0) {
    freeTables(st, dir);
  } else if (w[b + D_OLD_TABLE] === 0 && w[b + D_BITS]! > MIN_BITS && total < 1 << (w[b + D_BITS]! - 2)) {
    startResize(st, dir, w[b + D_BITS]! - 1);
  }
}

/** Free the table (and a table being migrated from) of an empty directory. */
function freeTables(st: Store, dir: number): void {
  const w = st.i32s[dir >>> 20]!;
  const b = iw(dir);
  const seg = dir >>> 20;
  if (w[b + D_OLD_TABLE] !== 0) tableFree(st, w[b + D_OLD_TABLE]!, w[b + D_OLD_BITS]!);
  if (w[b + D_BITS] !== 0) tableFree(st, w[b + D_TABLE]!, w[b + D_BITS]!);
  put(st, seg, b + D_OLD_TABLE, 0);
  put(st, seg, b + D_OLD_BITS, 0);
  put(st, seg, b + D_SPLIT, 0);
  put(st, seg, b + D_TABLE, 0);
  put(st, seg, b + D_BITS, 0);
}

/** Free every entry and the tables (a directory being destroyed, whiteouts only). */
export function dirClear(st: Store, dir: number): void {
  const w = st.i32s[dir >>> 20]!;
  const b = iw(dir);
  if (w[b + D_BITS] === 0) return;
  for (let de = dirSeek(st, dir, 0); de !== 0; ) {
    const next = dirNext(st, dir, de);
    slabFree(st, de);
    de = next;
  }
  freeTables(st, dir);
  put(st, dir >>> 20, b + D_COUNT, 0);
  put(st, dir >>> 20, b + D_WHITEOUTS, 0);
}

/**
 * The first entry whose key is >= `pos`, or 0 at the end.
 * Positions come from `direntKey(de) + 1`; 0 is the start.
 */
export function dirSeek(st: Store, dir: number, pos: number): number {
  const w = st.i32s[dir >>> 20]!;
  const b = iw(dir);
  if (w[b + D_BITS] === 0 || pos >= DIR_EOF) return 0;
  const h = Math.floor(pos / 65536);
  const r = routeOf(w, b, h, scratch);
  let de = bucketGet(st, r.table, r.bits, r.idx);
  while (de !== 0 && direntKey(st, de) < pos) de = st.i32s[de >>> 20]![deWord(de) + DE_NEXT]!;
  return de !== 0 ? de : firstFrom(st, w, b, bucketEnd(r));
}

/** The entry after `de` in key order, or 0. */
export function dirNext(st: Store, dir: number, de: number): number {
  const next = st.i32s[de >>> 20]![deWord(de) + DE_NEXT]!;
  if (next !== 0) return next;
  const w = st.i32s[dir >>> 20]!;
  const b = iw(dir);
  const h = st.u32s[de >>> 20]![deWord(de) + DE_HASH]!;
  if (w[b + D_OLD_TABLE] === 0) {
    // No resize under way: the next non-empty bucket of the one table.
    const table = w[b + D_TABLE]!;
    const bits = w[b + D_BITS]!;
    const n = 1 << bits;
    for (let idx = (h >>> (32 - bits)) + 1; idx < n; idx++) {
      const head = bucketGet(st, table, bits, idx);
      if (head !== 0) return head;
    }
    return 0;
  }
  const r = routeOf(w, b, h, scratch);
  return firstFrom(st, w, b, bucketEnd(r));
}

/** First hash after the bucket `r` covers (2^32 past the last bucket). */
function bucketEnd(r: Route): number {
  return (r.idx + 1) * 2 ** (32 - r.bits);
}

/** The first entry of the first non-empty bucket covering hashes from `h` on, or 0. */
function firstFrom(st: Store, w: Int32Array, b: number, h: number): number {
  if (w[b + D_OLD_TABLE] === 0) {
    // No resize under way: one table, walk its buckets.
    const table = w[b + D_TABLE]!;
    const bits = w[b + D_BITS]!;
    const n = 1 << bits;
    for (let idx = Math.floor(h / 2 ** (32 - bits)); idx < n; idx++) {
      const head = bucketGet(st, table, bits, idx);
      if (head !== 0) return head;
    }
    return 0;
  }
  while (h < 2 ** 32) {
    const r = routeOf(w, b, h, scratch);
    const head = bucketGet(st, r.table, r.bits, r.idx);
    if (head !== 0) return head;
    h = bucketEnd(r);
  }
  return 0;
}

/**
 * For the checker (store/fsck.ts): call `part` for every slab object or page
 * a bucket table occupies, and `head` for every non-empty bucket.
 */
export function dirTableWalk(
  st: Store,
  table: number,
  bits: number,
  part: (ref: number, isPage: boolean) => void,
  head: (idx: number, de: number) => void,
): void {
  if (bits <= SLAB_MAX_BITS) part(table, false);
  else {
    part(table, true);
    if (bits > 10) {
      const w = st.i32s[table >>> 20]!;
      const b = deWord(table);
      if (bits <= 20) {
        for (let k = 0; k < 1 << (bits - 10); k++) part(w[b + k]!, true);
      } else {
        for (let m = 0; m < 1 << (bits - 20); m++) {
          const mid = w[b + m]!;
          part(mid, true);
          for (let k = 0; k < 1024; k++) part(st.i32s[mid >>> 20]![deWord(mid) + k]!, true);
        }
      }
    }
  }
  for (let idx = 0; idx < 1 << bits; idx++) {
    const de = bucketGet(st, table, bits, idx);
    if (de !== 0) head(idx, de);
  }
}

/** The entry after `de` in its chain (0 at the end of the chain). */
export function direntChainNext(st: Store, de: number): number {
  return st.i32s[de >>> 20]![deWord(de) + DE_NEXT]!;
}

/** Live (non-whiteout) entries. */
export function dirCount(st: Store, dir: number): number {
  return st.i32s[dir >>> 20]![iw(dir) + D_COUNT]!;
}
