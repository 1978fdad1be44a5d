/**
 * Inode records: 144-byte slab objects. The inode number *is* the record's
 * ref, so finding an inode is two integer ops and no table lookup. Inode
 * numbers are reused after a file is freed; the generation number tells a
 * stale (ino, gen) pair apart, and a free record has generation 0.
 *
 * Inode memory is type-stable (like Linux's SLAB_TYPESAFE_BY_RCU): inode
 * slab pages are never given back to the page pool, and allocating an inode
 * never writes its LOCK and USE words. So a thread holding a stale handle
 * may still lock or reference the record safely: it finds another
 * generation, undoes what it did, and nothing else is disturbed.
 *
 * Word layout (Int32 indexes from the record's first word):
 *
 *    0 MODE     file type and permission bits
 *    1 NLINK
 *    2 UID, 3 GID
 *    4 GEN      generation; 0 while free
 *    5 FLAGS    chflags(2) flags
 *    6 LOCK     vnode rwlock (4 words: state, waiters, owner tid, sequence;
 *               the sequence is odd while a writer holds the lock, so
 *               readers can read without locking and validate after)
 *   10 USE      references that keep the inode alive (open files, cwds)
 *   11 RDEV     device number (devices); whiteout count (directories)
 *   12 BLOCKS   pages owned (data and index pages)
 *   13 ADVLOCK  first advisory byte-range lock record
 *   14 ADVSEQ   bumped on every advisory unlock; waiters sleep on it
 *   15 IFLAGS   internal flags (IF_*)
 *   16..19 T0..T3, by type:
 *        regular   T0 page-map root, T1 height
 *        directory T0 bucket table, T1 log2 buckets, T2 entries, T3 parent
 *        symlink   T0 target ref, T1 target length
 *        fifo      T0 pipe record
 *   20..23 nanoseconds of atime, mtime, ctime, birthtime
 *   Float64 from byte 96: SIZE, ATIME_S, MTIME_S, CTIME_S, BTIME_S, spare
 */

import { PARA_SHIFT } from './layout.js';

export const INODE_BYTES = 144;

export const I_MODE = 0;
export const I_NLINK = 1;
export const I_UID = 2;
export const I_GID = 3;
export const I_GEN = 4;
export const I_FLAGS = 5;
export const I_LOCK = 6;
export const I_SEQ = 9;
export const I_USE = 10;
/**
 * Added to the use count while a node is being freed (tmpfs reclaimIfUnused):
 * a count below zero means "going away", whatever references stragglers add.
 */
export const USE_DYING = -(1 << 30);
export const I_RDEV = 11;
export const I_BLOCKS = 12;
export const I_ADVLOCK = 13;
export const I_ADVSEQ = 14;
export const I_IFLAGS = 15;
export const I_T0 = 16;
export const I_T1 = 17;
export const I_T2 = 18;
export const I_T3 = 19;
export const I_ATIME_NS = 20;
export const I_MTIME_NS = 21;
export const I_CTIME_NS = 22;
export const I_BTIME_NS = 23;

/** Float64 indexes relative to the record's first double. */
export const F_SIZE = 12;
export const F_ATIME = 13;
export const F_MTIME = 14;
export const F_CTIME = 15;
export const F_BTIME = 16;

// Directory aliases for the type-specific words.
export const D_TABLE = I_T0;
export const D_BITS = I_T1;
export const D_COUNT = I_T2;
export const D_PARENT = I_T3;
export const D_WHITEOUTS = I_RDEV;
/**
 * A directory table resize under way (store/dirtab.ts): the table being
 * emptied, its size, and how far the move has got. Directories have no
 * stored size, so these live in the size double's words and the spare one.
 */
export const D_OLD_TABLE = 24;
export const D_OLD_BITS = 25;
export const D_SPLIT = 34;
// Regular files.
export const R_ROOT = I_T0;
export const R_HEIGHT = I_T1;
// Symlinks.
export const L_TARGET = I_T0;
export const L_LENGTH = I_T1;
// FIFOs.
export const P_PIPE = I_T0;

/** Internal flags. */
export const IF_MOUNTPOINT = 1;
/** The inode has been unlinked everywhere and waits for its last reference. */
export const IF_ORPHAN = 2;

/** Int32 index of an inode's first word inside its segment. */
export function iw(ino: number): number {
  return (ino & 0xfffff) << (PARA_SHIFT - 2);
}

/** Float64 index of an inode's first double inside its segment. */
export function ifw(ino: number): number {
  return (ino & 0xfffff) << (PARA_SHIFT - 3);
}

export function iseg(ino: number): number {
  return ino >>> 20;
}

/** Time fields, for code that picks one by name. */
export const enum TimeField {
  Atime = 0,
  Mtime = 1,
  Ctime = 2,
  Btime = 3,
}
