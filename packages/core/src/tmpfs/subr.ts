/**
 * tmpfs mechanism: making and destroying nodes, attaching and detaching
 * directory entries with their link counts, timestamps, symlink targets.
 * The vnops call these; these never check permissions (the vnops do, through
 * vfs/access.ts).
 */

import { fail } from '../errno.js';
import { PAGE_SIZE } from '../store/layout.js';
import {
  D_PARENT,
  F_ATIME,
  F_BTIME,
  F_CTIME,
  F_MTIME,
  F_SIZE,
  I_ATIME_NS,
  I_BTIME_NS,
  I_CTIME_NS,
  I_GEN,
  I_GID,
  I_MODE,
  I_MTIME_NS,
  I_NLINK,
  I_RDEV,
  I_LOCK,
  I_UID,
  I_USE,
  USE_DYING,
  INODE_BYTES,
  L_LENGTH,
  L_TARGET,
  P_PIPE,
  ifw,
  iw,
} from '../store/inode.js';
import { SB, PAGE_PARA_SHIFT } from '../store/layout.js';
import { dirClear, dirInsert, dirRemove, type DType } from '../store/dirtab.js';
import { encodeName } from '../store/names.js';
import { bump, keep, put, putF64 } from '../store/journal.js';
import { pageAlloc, pageFree } from '../store/pages.js';
import { pmFreeAll } from '../store/pagemap.js';
import { INODE_CLASS, slabAlloc, slabAllocZero, slabClass, slabFree, SLAB_MAX } from '../store/slab.js';
import { toTimespec, type Timespec } from '../vfs/clock.js';
import { pipeFree } from './pipe.js';
import { VType } from '../vnode/vnode.js';
import type { Tmpfs } from './tmpfs.js';

/** Time masks for touch(). */
export const T_ATIME = 1;
export const T_MTIME = 2;
export const T_CTIME = 4;
export const T_BTIME = 8;

const scratch: Timespec = { sec: 0, nsec: 0 };

/** The current time, as a Timespec owned by the caller's next call (do not keep). */
export function now(fs: Tmpfs): Timespec {
  return toTimespec(fs.clock.now(), scratch);
}

/** Set the masked timestamps of `ino` to now. */
export function touch(fs: Tmpfs, ino: number, mask: number): void {
  const t = now(fs);
  setTimes(fs, ino, mask, t.sec, t.nsec);
}

export function setTimes(fs: Tmpfs, ino: number, mask: number, sec: number, nsec: number): void {
  const st = fs.st;
  const seg = ino >>> 20;
  const b = iw(ino);
  const fb = ifw(ino);
  if (mask & T_ATIME) {
    putF64(st, seg, fb + F_ATIME, sec);
    put(st, seg, b + I_ATIME_NS, nsec);
  }
  if (mask & T_MTIME) {
    putF64(st, seg, fb + F_MTIME, sec);
    put(st, seg, b + I_MTIME_NS, nsec);
  }
  if (mask & T_CTIME) {
    putF64(st, seg, fb + F_CTIME, sec);
    put(st, seg, b + I_CTIME_NS, nsec);
  }
  if (mask & T_BTIME) {
    putF64(st, seg, fb + F_BTIME, sec);
    put(st, seg, b + I_BTIME_NS, nsec);
  }
}

/**
 * Allocate and initialise a node with no links (nlink 0, or 1 for the
 * directory's own "." entry being counted by dirAttach).
 * => returns the inode number; throws ENOSPC.
 */
export function nodeAlloc(fs: Tmpfs, type: VType, mode: number, uid: number, gid: number, rdev: number): number {
  const st = fs.st;
  const sb = st.sb;
  const limit = sb[SB.LIMIT_INODES]!;
  if (limit !== 0 && sb[SB.INODES]! >= limit) throw fail('ENOSPC');
  const ino = slabAlloc(st, INODE_CLASS);
  const w = st.i32s[ino >>> 20]!;
  const b = iw(ino);
  // A free record: only its generation (0 while free) must come back if
  // this is rolled back; the allocator noted its free-list link.
  keep(st, ino >>> 20, b + I_GEN);
  // Everything but the lock and use-count words, which a thread holding a
  // stale handle may be touching right now (see store/inode.ts).
  w.fill(0, b, b + I_LOCK);
  w.fill(0, b + I_USE + 1, b + INODE_BYTES / 4);
  w[b + I_MODE] = mode;
  w[b + I_UID] = uid;
  w[b + I_GID] = gid;
  w[b + I_RDEV] = type === VType.Chr || type === VType.Blk ? rdev : 0;
  const t = now(fs);
  const f = st.f64s[ino >>> 20]!;
  const fb = ifw(ino);
  f[fb + F_ATIME] = f[fb + F_MTIME] = f[fb + F_CTIME] = f[fb + F_BTIME] = t.sec;
  w[b + I_ATIME_NS] = w[b + I_MTIME_NS] = w[b + I_CTIME_NS] = w[b + I_BTIME_NS] = t.nsec;
  // INODES is in the journal's allocator snapshot (it changes only with the allocator held).
  Atomics.add(sb, SB.INODES, 1);
  // Published last: a reader that sees this generation sees the fields above.
  // Generation 0 marks a free record, so skip it when the counter wraps.
  Atomics.store(w, b + I_GEN, (Atomics.add(sb, SB.GEN, 1) + 1) | 0 || 1);
  return ino;
}

/**
 * Destroy a node: free its contents and its record.
 * => no links, no references, nobody can reach it; its lock is not held.
 */
export function nodeFree(fs: Tmpfs, ino: number): void {
  const st = fs.st;
  const w = st.i32s[ino >>> 20]!;
  const b = iw(ino);
  const mode = w[b + I_MODE]!;
  switch (mode & 0o170000) {
    case 0o100000:
      pmFreeAll(st, ino);
      break;
    case 0o040000:
      dirClear(st, ino);
      break;
    case 0o120000:
      targetFree(fs, ino);
      break;
    case 0o010000: {
      const pipe = w[b + P_PIPE]!;
      if (pipe !== 0) pipeFree(st, pipe);
      break;
    }
  }
  keep(st, ino >>> 20, b + I_GEN);
  Atomics.store(w, b + I_GEN, 0);
  slabFree(st, ino);
  Atomics.sub(st.sb, SB.INODES, 1);
}

/**
 * Add entry `name` for `ino` to directory `dir` and count the link:
 * the node's nlink +1; for a directory also its "." (+1 at first attach)
 * and the parent's nlink +1 for the child's "..".
 * => throws ENOSPC having changed nothing.
 */
export function dirAttach(fs: Tmpfs, dir: number, name: string, len: number, ino: number, type: VType): number {
  const st = fs.st;
  const de = dirInsert(st, dir, name, len, ino, type as number as DType);
  const seg = ino >>> 20;
  const w = st.i32s[seg]!;
  const b = iw(ino);
  bump(st, seg, b + I_NLINK, 1);
  if (type === VType.Dir) {
    if (w[b + I_NLINK] === 1) put(st, seg, b + I_NLINK, 2); // "." counts too
    put(st, seg, b + D_PARENT, dir);
    bump(st, dir >>> 20, iw(dir) + I_NLINK, 1);
  }
  return de;
}

/**
 * Remove entry `de` (naming `ino`) from `dir` and uncount the link. A
 * directory loses both its links ("." and the entry) and the parent loses
 * the child's "..".
 */
export function dirDetach(fs: Tmpfs, dir: number, de: number, ino: number, type: VType): void {
  const st = fs.st;
  dirRemove(st, dir, de);
  const b = iw(ino);
  if (type === VType.Dir) {
    put(st, ino >>> 20, b + I_NLINK, 0);
    bump(st, dir >>> 20, iw(dir) + I_NLINK, -1);
  } else {
    bump(st, ino >>> 20, b + I_NLINK, -1);
  }
}

/** Free `ino` now if nothing refers to it any more. => its lock is not held. */
export function reclaimIfUnused(fs: Tmpfs, ino: number): void {
  const w = fs.st.i32s[ino >>> 20]!;
  const b = iw(ino);
  if (w[b + I_NLINK] !== 0 || Atomics.load(w, b + I_USE) !== 0) return;
  // Claim it first. A thread that found the node just before its last name
  // went may be taking a reference right now (vrefCurrent: add, then check):
  // either its add came first (the claim sees it, and the node stays), or it
  // sees the claim (a negative use count: not current) and lets go. Checking
  // the count and freeing without the claim would let such a reference slip
  // in between and keep a freed node.
  if (addUse(fs, ino, USE_DYING) !== 0) {
    addUse(fs, ino, -USE_DYING);
    return;
  }
  nodeFree(fs, ino);
  // Back to what stragglers added (each takes its add back at once); the
  // allocator leaves this word alone for the same reason.
  addUse(fs, ino, -USE_DYING);
}

/** Add to a node's use count (journaled in shared mode). => the count before. */
function addUse(fs: Tmpfs, ino: number, delta: number): number {
  const st = fs.st;
  const j = st.journal;
  if (j !== null) return j.add(st, ino >>> 20, iw(ino) + I_USE, delta);
  return Atomics.add(st.i32s[ino >>> 20]!, iw(ino) + I_USE, delta);
}

// ------------------------------------------------------------ symlink targets

/** Store a symlink target (UTF-8) in a slab object, or a page if long. */
export function targetStore(fs: Tmpfs, ino: number, target: string): void {
  const st = fs.st;
  const bytes = encodeName(target);
  let ref: number;
  if (bytes.length <= SLAB_MAX) ref = slabAllocZero(st, slabClass(Math.max(bytes.length, 1)));
  else if (bytes.length <= PAGE_SIZE) ref = pageAlloc(st) << PAGE_PARA_SHIFT;
  else throw fail('ENAMETOOLONG');
  st.u8s[ref >>> 20]!.set(bytes, (ref & 0xfffff) << 4);
  put(st, ino >>> 20, iw(ino) + L_TARGET, ref);
  put(st, ino >>> 20, iw(ino) + L_LENGTH, bytes.length);
  putF64(st, ino >>> 20, ifw(ino) + F_SIZE, bytes.length);
}

export function targetRead(fs: Tmpfs, ino: number): string {
  const st = fs.st;
  const w = st.i32s[ino >>> 20]!;
  const ref = w[iw(ino) + L_TARGET]!;
  const len = w[iw(ino) + L_LENGTH]!;
  const off = (ref & 0xfffff) << 4;
  return st.bufs[ref >>> 20]!.toString('utf8', off, off + len);
}

function targetFree(fs: Tmpfs, ino: number): void {
  const w = fs.st.i32s[ino >>> 20]!;
  const ref = w[iw(ino) + L_TARGET]!;
  const len = w[iw(ino) + L_LENGTH]!;
  if (ref === 0) return;
  if (len <= SLAB_MAX) slabFree(fs.st, ref);
  else pageFree(fs.st, ref >>> PAGE_PARA_SHIFT);
  put(fs.st, ino >>> 20, iw(ino) + L_TARGET, 0);
}

export { INODE_BYTES };
