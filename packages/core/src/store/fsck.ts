/**
 * A consistency checker for a tmpfs store, in the spirit of fsck: it walks
 * every structure from the superblock and the root directory and reports
 * what does not add up. Crash-recovery tests run it after killing threads
 * mid-operation; it is also exported for users who want to check a store.
 *
 * What it checks:
 *   - the page allocator: the free list is a chain of distinct pages inside
 *     the store, as long as FREE_COUNT says, and used + free pages = every
 *     page handed out so far;
 *   - every page has exactly one owner (superblock, free list, a slab, a
 *     file's page tree, a directory table, a symlink target, a pipe ring);
 *   - slabs: headers, partial lists, in-use counts against the objects
 *     reachable in them (an allocated object nobody reaches is a leak), the
 *     per-class totals in the superblock;
 *   - the namespace: every entry names a live inode of the entry's type;
 *     chains are in (hash, dup) order and in the right bucket; entry counts;
 *     link counts (a directory has 2 + subdirectories, a file one per
 *     entry); ".." of every directory; no directory reached twice;
 *   - files: the block count against the page tree, no page past EOF;
 *   - symlinks, FIFOs, advisory-lock records;
 *   - when `idle`: no vnode lock or mutex held, nobody waiting, no
 *     reference but the mount's on the root, no orphaned inode.
 *
 * => nothing else changes the store while it runs.
 */

import { DE_HASH, DE_INO, DE_META, DType, dirTableWalk, direntChainNext, direntName } from './dirtab.js';
import {
  D_BITS,
  D_COUNT,
  D_OLD_BITS,
  D_OLD_TABLE,
  D_PARENT,
  D_TABLE,
  D_WHITEOUTS,
  F_SIZE,
  I_ADVLOCK,
  I_BLOCKS,
  I_GEN,
  I_LOCK,
  I_MODE,
  I_NLINK,
  I_USE,
  L_LENGTH,
  L_TARGET,
  P_PIPE,
  ifw,
  iw,
} from './inode.js';
import { INODE_SLAB_CLASS, PAGE_PARA_SHIFT, PAGE_SIZE, PARA_SHIFT, SB, SB_PAGES, SEG_PAGE_BITS, SEG_PAGE_MASK, SLAB_CLASSES } from './layout.js';
import { RW_SEQ, RW_WAITERS } from './lock.js';
import { nameHash } from './names.js';
import { pmWalk } from './pagemap.js';
import { SLAB_HEADER_BYTES, SLAB_MAX, SLAB_SIZES, limboPages, slabClass, slabInspect } from './slab.js';
import type { Store } from './store.js';

export interface FsckOptions {
  /** Nothing is in use: no lock held, no reference but the mount's on the root. Default true. */
  idle?: boolean;
  /** Pages some thread may hold outside the tree (an actor's retired inode pages). Default 0. */
  allowUnreachablePages?: number;
  /** Stop after this many problems. Default 100. */
  maxProblems?: number;
}

export interface FsckReport {
  ok: boolean;
  problems: string[];
  inodes: number;
  directories: number;
  pagesHandedOut: number;
  pagesFree: number;
  /** Used pages that no structure reaches (leaked, or held by open unlinked files). */
  pagesUnreachable: number;
}

const S_IFMT = 0o170000;
const S_IFDIR = 0o040000;
const S_IFREG = 0o100000;
const S_IFLNK = 0o120000;
const S_IFIFO = 0o010000;

const TYPE_OF_MODE: Record<number, DType> = {
  [S_IFREG]: DType.Reg,
  [S_IFDIR]: DType.Dir,
  [S_IFLNK]: DType.Lnk,
  [S_IFIFO]: DType.Fifo,
  0o140000: DType.Sock,
  0o020000: DType.Chr,
  0o060000: DType.Blk,
};

export function fsck(st: Store, options: FsckOptions = {}): FsckReport {
  st.sync();
  const idle = options.idle ?? true;
  const max = options.maxProblems ?? 100;
  const sb = st.sb;
  const problems: string[] = [];
  const problem = (msg: string): void => {
    if (problems.length < max) problems.push(msg);
  };

  // ------------------------------------------------------------ page owners
  const owner = new Map<number, string>();
  const segs = Atomics.load(sb, SB.SEGS);
  const bump = sb[SB.BUMP]!;
  const inStore = (pn: number): boolean => {
    const seg = pn >>> SEG_PAGE_BITS;
    if (seg >= segs) return false;
    const idx = pn & SEG_PAGE_MASK;
    if (seg === bump >>> SEG_PAGE_BITS) return idx < (bump & SEG_PAGE_MASK);
    return seg < bump >>> SEG_PAGE_BITS && idx < st.segPages(seg);
  };
  const claim = (pn: number, who: string): boolean => {
    if (!inStore(pn)) {
      problem(`${who}: page ${pn} is outside the pages handed out`);
      return false;
    }
    const prev = owner.get(pn);
    if (prev !== undefined) {
      if (prev !== who) problem(`page ${pn} has two owners: ${prev} and ${who}`);
      return false;
    }
    owner.set(pn, who);
    return true;
  };

  let handed = 0;
  for (let seg = 0; seg < segs; seg++) {
    if (seg < bump >>> SEG_PAGE_BITS) handed += st.segPages(seg);
    else if (seg === bump >>> SEG_PAGE_BITS) handed += bump & SEG_PAGE_MASK;
  }
  for (let pn = 0; pn < SB_PAGES; pn++) claim(pn, 'superblock');

  // Free list.
  const freeCount = sb[SB.FREE_COUNT]!;
  let nfree = 0;
  for (let pn = sb[SB.FREE_HEAD]!; pn !== 0; ) {
    if (nfree > freeCount) {
      problem(`free list is longer than FREE_COUNT (${freeCount}) or has a cycle`);
      break;
    }
    if (!claim(pn, 'free list')) break;
    nfree++;
    pn = st.i32s[pn >>> SEG_PAGE_BITS]![(pn & SEG_PAGE_MASK) << 10]!;
  }
  if (nfree !== freeCount) problem(`free list has ${nfree} pages, FREE_COUNT says ${freeCount}`);
  if (sb[SB.PAGES_USED]! + freeCount !== handed) problem(`PAGES_USED ${sb[SB.PAGES_USED]} + free ${freeCount} != ${handed} pages handed out`);

  // ------------------------------------------------------------ slab objects
  /** Reachable objects per slab page: offset -> what. */
  const objects = new Map<number, Map<number, string>>();
  const object = (ref: number, cls: number, who: string): void => {
    const pn = ref >>> PAGE_PARA_SHIFT;
    const off = (ref & ((1 << PAGE_PARA_SHIFT) - 1)) << PARA_SHIFT;
    let m = objects.get(pn);
    if (m === undefined) {
      if (!inStore(pn)) {
        problem(`${who}: object ${ref} is outside the store`);
        return;
      }
      objects.set(pn, (m = new Map()));
      const o = owner.get(pn);
      if (o !== undefined && o !== 'slab') problem(`${who}: object ${ref} lies in page ${pn}, which belongs to ${o}`);
      owner.set(pn, 'slab');
    }
    const info = slabInspect(st, pn);
    if (info.cls !== cls) problem(`${who}: object ${ref} is in a slab of class ${info.cls}, expected ${cls}`);
    const prev = m.get(off);
    if (prev !== undefined) problem(`object ${ref} is used twice: ${prev} and ${who}`);
    m.set(off, who);
  };

  // ------------------------------------------------------------ namespace
  const root = sb[SB.ROOT]!;
  const links = new Map<number, number>();
  const seenDirs = new Set<number>();
  const subdirs = new Map<number, number>();
  const queue: number[] = [root];
  let inodes = 0;
  const seed = sb[SB.HASH_SEED]!;
  const visited = new Set<number>();

  const inode = (ino: number, who: string): boolean => {
    const w = st.i32s[ino >>> 20];
    if (w === undefined) {
      problem(`${who}: inode ${ino} is outside the store`);
      return false;
    }
    if (w[iw(ino) + I_GEN] === 0) {
      problem(`${who}: inode ${ino} is free`);
      return false;
    }
    return true;
  };

  const checkLock = (ino: number, what: string): void => {
    const w = st.i32s[ino >>> 20]!;
    const i = iw(ino) + I_LOCK;
    if (Atomics.load(w, i) !== 0) problem(`${what}: vnode lock held (state ${w[i]})`);
    if (Atomics.load(w, i + RW_WAITERS) !== 0) problem(`${what}: waiters recorded on its lock (${w[i + RW_WAITERS]})`);
    if ((Atomics.load(w, i + RW_SEQ) & 1) !== 0) problem(`${what}: lock sequence is odd (a change never finished)`);
  };

  const visitNode = (ino: number, path: string): void => {
    if (visited.has(ino)) return;
    visited.add(ino);
    inodes++;
    object(ino, INODE_SLAB_CLASS, `inode ${ino} (${path})`);
    const w = st.i32s[ino >>> 20]!;
    const b = iw(ino);
    const mode = w[b + I_MODE]!;
    if (idle) {
      checkLock(ino, path);
      const use = Atomics.load(w, b + I_USE);
      if (ino !== root && use !== 0) problem(`${path}: use count ${use} with nothing open`);
    }
    let pages = 0;
    switch (mode & S_IFMT) {
      case S_IFREG: {
        const size = st.f64s[ino >>> 20]![ifw(ino) + F_SIZE]!;
        const lastPage = Math.ceil(size / PAGE_SIZE) - 1;
        pmWalk(st, ino, (ref, pi) => {
          pages++;
          claim(ref >>> PAGE_PARA_SHIFT, `file ${path}`);
          if (pi > lastPage) problem(`${path}: page ${pi} lies past EOF (size ${size})`);
        });
        break;
      }
      case S_IFLNK: {
        const ref = w[b + L_TARGET]!;
        const len = w[b + L_LENGTH]!;
        if (st.f64s[ino >>> 20]![ifw(ino) + F_SIZE] !== len) problem(`${path}: symlink size differs from its target length`);
        if (ref === 0) problem(`${path}: symlink without a target`);
        else if (len <= SLAB_MAX) object(ref, slabClass(Math.max(len, 1)), `target of ${path}`);
        else claim(ref >>> PAGE_PARA_SHIFT, `target of ${path}`);
        break;
      }
      case S_IFIFO: {
        const pipe = w[b + P_PIPE]!;
        if (pipe !== 0) {
          object(pipe, slabClass(32), `pipe of ${path}`);
          const ring = st.i32s[pipe >>> 20]![((pipe & 0xfffff) << 2) + 3]!;
          if (ring !== 0) claim(ring >>> PAGE_PARA_SHIFT, `pipe ring of ${path}`);
        }
        break;
      }
      case S_IFDIR:
        pages = visitDir(ino, path);
        break;
    }
    if ((mode & S_IFMT) === S_IFREG && w[b + I_BLOCKS] !== pages) problem(`${path}: BLOCKS ${w[b + I_BLOCKS]} but its tree has ${pages} pages`);
    for (let ref = w[b + I_ADVLOCK]!, n = 0; ref !== 0 && n < 100000; n++) {
      object(ref, slabClass(32), `lock record of ${path}`);
      ref = st.i32s[ref >>> 20]![(ref & 0xfffff) << 2]!;
    }
  };

  const visitDir = (dir: number, path: string): number => {
    if (seenDirs.has(dir)) {
      problem(`${path}: directory reached twice`);
      return 0;
    }
    seenDirs.add(dir);
    const w = st.i32s[dir >>> 20]!;
    const b = iw(dir);
    let live = 0;
    let whiteouts = 0;
    let sub = 0;
    const tables: [number, number][] = [];
    if (w[b + D_BITS] !== 0) tables.push([w[b + D_TABLE]!, w[b + D_BITS]!]);
    if (w[b + D_OLD_TABLE] !== 0) tables.push([w[b + D_OLD_TABLE]!, w[b + D_OLD_BITS]!]);
    for (const [table, bits] of tables) {
      dirTableWalk(
        st,
        table,
        bits,
        (ref, isPage) => {
          if (isPage) claim(ref >>> PAGE_PARA_SHIFT, `table of ${path}`);
          else object(ref, slabClass(4 << bits), `table of ${path}`);
        },
        (idx, head) => {
          let prevKey = -1;
          for (let de = head, n = 0; de !== 0 && n < 1 << 20; de = direntChainNext(st, de), n++) {
            const dw = st.i32s[de >>> 20]!;
            const db = (de & 0xfffff) << 2;
            const meta = dw[db + DE_META]!;
            const len = (meta >>> 8) & 0xff;
            object(de, slabClass(16 + len), `entry in ${path}`);
            const name = direntName(st, de);
            const h = dw[db + DE_HASH]! >>> 0;
            const key = h * 65536 + (meta >>> 16);
            if (key <= prevKey) problem(`${path}: chain out of order at ${JSON.stringify(name)}`);
            prevKey = key;
            if (nameHash(name, seed) !== h) problem(`${path}: entry ${JSON.stringify(name)} has a wrong hash`);
            if (h >>> (32 - bits) !== idx) problem(`${path}: entry ${JSON.stringify(name)} is in bucket ${idx}, its hash says ${h >>> (32 - bits)}`);
            const type = meta & 0xff;
            if (type === DType.Wht) {
              whiteouts++;
              continue;
            }
            live++;
            const child = dw[db + DE_INO]!;
            const childPath = path === '/' ? `/${name}` : `${path}/${name}`;
            if (!inode(child, childPath)) continue;
            const cmode = st.i32s[child >>> 20]![iw(child) + I_MODE]!;
            if (TYPE_OF_MODE[cmode & S_IFMT] !== type) problem(`${childPath}: entry type ${type} but the inode's mode is ${(cmode >>> 0).toString(8)}`);
            links.set(child, (links.get(child) ?? 0) + 1);
            if ((cmode & S_IFMT) === S_IFDIR) {
              sub++;
              if (st.i32s[child >>> 20]![iw(child) + D_PARENT] !== dir) problem(`${childPath}: ".." is not its parent`);
            }
            queue.push(child);
            names.set(child, childPath);
          }
        },
      );
    }
    if (w[b + D_COUNT] !== live) problem(`${path}: COUNT ${w[b + D_COUNT]} but ${live} live entries`);
    if (w[b + D_WHITEOUTS] !== whiteouts) problem(`${path}: WHITEOUTS ${w[b + D_WHITEOUTS]} but ${whiteouts} found`);
    subdirs.set(dir, sub);
    return 0;
  };

  const names = new Map<number, string>([[root, '/']]);
  if (inode(root, '/')) {
    while (queue.length > 0) {
      const ino = queue.shift()!;
      visitNode(ino, names.get(ino) ?? `#${ino}`);
    }
  }

  // Link counts.
  for (const ino of visited) {
    const w = st.i32s[ino >>> 20]!;
    const nlink = w[iw(ino) + I_NLINK]!;
    const path = names.get(ino) ?? `#${ino}`;
    if ((w[iw(ino) + I_MODE]! & S_IFMT) === S_IFDIR) {
      const want = 2 + (subdirs.get(ino) ?? 0);
      if (nlink !== want) problem(`${path}: nlink ${nlink}, expected ${want}`);
      if (ino === root && w[iw(ino) + D_PARENT] !== root) problem(`/: ".." is not itself`);
    } else if (nlink !== links.get(ino)) {
      problem(`${path}: nlink ${nlink} but ${links.get(ino) ?? 0} entries`);
    }
  }

  // Waiters for advisory locks.
  for (let ref = sb[SB.ADV_WAITERS]!, n = 0; ref !== 0 && n < 100000; n++) {
    object(ref, slabClass(32), 'lock waiter');
    ref = st.i32s[ref >>> 20]![(ref & 0xfffff) << 2]!;
  }

  // Retired inode pages waiting for reclamation (shared mode): owned by the limbo list.
  const limbo = limboPages(st);
  for (const pn of limbo) claim(pn, 'limbo');
  if (limbo.length !== sb[SB.LIMBO_COUNT]) problem(`limbo list has ${limbo.length} pages, the superblock counts ${sb[SB.LIMBO_COUNT]}`);

  // ------------------------------------------------------------ slabs
  const inuseByClass = new Array<number>(SLAB_CLASSES).fill(0);
  for (let cls = 0; cls < SLAB_CLASSES; cls++) {
    const spare = sb[SB.SLAB_SPARE + cls]!;
    if (spare !== 0) {
      if (claim(spare, 'slab')) objects.set(spare, objects.get(spare) ?? new Map());
      const info = slabInspect(st, spare);
      if (info.inuse !== 0) problem(`spare slab ${spare} of class ${cls} has ${info.inuse} objects in use`);
    }
    let prev = 0;
    for (let pn = sb[SB.SLAB_HEADS + cls]!, n = 0; pn !== 0; n++) {
      if (n > 1 << 22) {
        problem(`partial list of class ${cls} has a cycle`);
        break;
      }
      const info = slabInspect(st, pn);
      if (info.cls !== cls) problem(`slab ${pn} on the list of class ${cls} has class ${info.cls}`);
      if (info.prev !== prev) problem(`slab ${pn}: prev is ${info.prev}, expected ${prev}`);
      if (!objects.has(pn)) {
        const o = owner.get(pn);
        if (o !== undefined && o !== 'slab') problem(`slab ${pn} on a partial list belongs to ${o}`);
        owner.set(pn, 'slab');
        objects.set(pn, new Map());
      }
      prev = pn;
      pn = info.next;
    }
  }
  for (const [pn, objs] of objects) {
    const info = slabInspect(st, pn);
    if (info.cls < 0 || info.cls >= SLAB_CLASSES) {
      problem(`slab ${pn}: bad class ${info.cls}`);
      continue;
    }
    const size = SLAB_SIZES[info.cls]!;
    const bumped = (info.bump - SLAB_HEADER_BYTES) / size;
    if (!Number.isInteger(bumped) || info.bump > PAGE_SIZE) {
      problem(`slab ${pn}: bump offset ${info.bump} is not at an object boundary`);
      continue;
    }
    const freeSet = new Set(info.free);
    if (freeSet.size !== info.free.length) problem(`slab ${pn}: free list has a cycle or duplicates`);
    for (const off of info.free) {
      if (off < SLAB_HEADER_BYTES || off >= info.bump || (off - SLAB_HEADER_BYTES) % size !== 0) problem(`slab ${pn}: free object at bad offset ${off}`);
      if (objs.has(off)) problem(`slab ${pn}: object at ${off} is free but used by ${objs.get(off)}`);
    }
    if (info.inuse !== bumped - info.free.length) problem(`slab ${pn}: INUSE ${info.inuse} but ${bumped} handed out and ${info.free.length} free`);
    if (info.cls === INODE_SLAB_CLASS) {
      // Inodes not reached from the root: orphans (open but unlinked) or leaks.
      for (let off = SLAB_HEADER_BYTES; off < info.bump; off += size) {
        if (freeSet.has(off) || objs.has(off)) continue;
        const ino = (pn << PAGE_PARA_SHIFT) + (off >> PARA_SHIFT);
        const gen = st.i32s[ino >>> 20]![iw(ino) + I_GEN]!;
        if (gen === 0) problem(`slab ${pn}: inode ${ino} is allocated with generation 0`);
        else if (idle) problem(`inode ${ino} is allocated but not in the tree (orphan or leak; nlink ${st.i32s[ino >>> 20]![iw(ino) + I_NLINK]}, use ${st.i32s[ino >>> 20]![iw(ino) + I_USE]})`);
      }
    } else if (objs.size !== info.inuse && idle) {
      problem(`slab ${pn} (class ${info.cls}): ${info.inuse} objects in use, ${objs.size} reachable`);
    }
    inuseByClass[info.cls]! += info.inuse;
  }
  for (let cls = 0; cls < SLAB_CLASSES; cls++) {
    if (cls === INODE_SLAB_CLASS) continue;
    if (inuseByClass[cls] !== sb[SB.SLAB_INUSE + cls] && idle) problem(`class ${cls}: SLAB_INUSE ${sb[SB.SLAB_INUSE + cls]} but slabs found hold ${inuseByClass[cls]}`);
  }
  if (idle && sb[SB.SLAB_INUSE + INODE_SLAB_CLASS] !== inodes) problem(`${sb[SB.SLAB_INUSE + INODE_SLAB_CLASS]} inode records in use, ${inodes} in the tree`);
  if (idle && sb[SB.INODES] !== inodes) problem(`INODES ${sb[SB.INODES]} but ${inodes} in the tree`);

  // ------------------------------------------------------------ locks and totals
  if (idle) {
    if (Atomics.load(sb, SB.ALLOC_LOCK) !== 0) problem('allocator mutex held');
    if (Atomics.load(sb, SB.ADV_LOCK) !== 0) problem('advisory-lock mutex held');
  }
  let marked = 0;
  for (const who of owner.values()) if (who !== 'free list') marked++;
  const used = handed - nfree;
  const unreachable = used - marked;
  if (unreachable < 0) problem(`more pages owned (${marked}) than in use (${used})`);
  else if (idle && unreachable > (options.allowUnreachablePages ?? 0)) problem(`${unreachable} pages in use that nothing reaches (leaked)`);
  return {
    ok: problems.length === 0,
    problems,
    inodes,
    directories: seenDirs.size,
    pagesHandedOut: handed,
    pagesFree: nfree,
    pagesUnreachable: Math.max(0, unreachable),
  };
}
