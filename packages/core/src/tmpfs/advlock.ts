/**
 * Advisory locks: fcntl byte-range locks and flock whole-file locks, kept in
 * the store so that they hold between threads as well as between contexts of
 * one thread.
 *
 * A node's locks are a list of 32-byte records (head in the inode's ADVLOCK
 * word): next, owner, kind/type, pid, then start and end (inclusive;
 * Infinity = to EOF and beyond) as doubles. POSIX locks belong to a process
 * (context id) and are merged and split per owner; flock locks belong to an
 * open file description and cover the whole file. The two kinds never
 * conflict with each other (as on Linux).
 *
 * A blocked F_SETLKW registers a waiter record (owner, blocking owner, node)
 * on a global list; before sleeping it follows the chain "owner waits for
 * owner" and answers EDEADLK if the chain comes back to itself. Sleepers wait
 * on the inode's ADVSEQ word, which every change bumps.
 *
 * => vp unlocked on entry and return, and referenced (an open file holds it);
 *    everything here runs under the store's advisory-lock mutex
 *    (SB.ADV_LOCK), never held across a wait. Closing releases locks by
 *    setting F_UNLCK over everything the owner holds.
 */

import { F_RDLCK, F_UNLCK, F_WRLCK } from '../constants.js';
import { fail } from '../errno.js';
import { I_ADVLOCK, I_ADVSEQ, iw } from '../store/inode.js';
import { SB } from '../store/layout.js';
import { put, putF64 } from '../store/journal.js';
import { mutexEnter, mutexExit } from '../store/lock.js';
import { slabAlloc, slabClass, slabFree } from '../store/slab.js';
import type { Store } from '../store/store.js';
import { newWait, waitFor, type Op, type Wait } from '../vfs/wait.js';
import { AdvFlags, AdvOp, type AdvlockRequest, type Vnode } from '../vnode/vnode.js';
import type { Tmpfs } from './tmpfs.js';

const L_NEXT = 0;
const L_OWNER = 1;
const L_KIND = 2;
const L_PID = 3;
const LF_START = 2;
const LF_END = 3;
const KIND_FLOCK = 0x100;
const REC_CLASS = slabClass(32);
/** Waiter records: next, waiting owner, blocking owner, node. */
const W_OWNER = 1;
const W_BLOCKER = 2;
const W_INO = 3;
const MAX_CHAIN = 1024;

function rw(ref: number): number {
  return (ref & 0xfffff) << 2;
}

function rf(ref: number): number {
  return (ref & 0xfffff) << 1;
}

interface Rec {
  ref: number;
  owner: number;
  type: number;
  flock: boolean;
  pid: number;
  start: number;
  end: number;
}

function readRec(st: Store, ref: number): Rec {
  const w = st.i32s[ref >>> 20]!;
  const f = st.f64s[ref >>> 20]!;
  const kind = w[rw(ref) + L_KIND]!;
  return {
    ref,
    owner: w[rw(ref) + L_OWNER]!,
    type: kind & 0xff,
    flock: (kind & KIND_FLOCK) !== 0,
    pid: w[rw(ref) + L_PID]!,
    start: f[rf(ref) + LF_START]!,
    end: f[rf(ref) + LF_END]!,
  };
}

function list(st: Store, ino: number): Rec[] {
  const out: Rec[] = [];
  let ref = st.i32s[ino >>> 20]![iw(ino) + I_ADVLOCK]!;
  while (ref !== 0) {
    out.push(readRec(st, ref));
    ref = st.i32s[ref >>> 20]![rw(ref) + L_NEXT]!;
  }
  return out;
}

/** Rewrite a node's list from `recs`, reusing records and freeing leftovers. */
function store(st: Store, ino: number, recs: Rec[], old: Rec[]): void {
  const spare = old.map((r) => r.ref);
  const refs: number[] = [];
  try {
    for (let i = 0; i < recs.length; i++) refs.push(spare.length > 0 ? spare.pop()! : slabAlloc(st, REC_CLASS));
  } catch (e) {
    for (const ref of refs) if (!old.some((r) => r.ref === ref)) slabFree(st, ref);
    throw fail('ENOLCK');
  }
  for (let i = 0; i < recs.length; i++) {
    const r = recs[i]!;
    const ref = refs[i]!;
    const seg = ref >>> 20;
    put(st, seg, rw(ref) + L_NEXT, i + 1 < refs.length ? refs[i + 1]! : 0);
    put(st, seg, rw(ref) + L_OWNER, r.owner);
    put(st, seg, rw(ref) + L_KIND, r.type | (r.flock ? KIND_FLOCK : 0));
    put(st, seg, rw(ref) + L_PID, r.pid);
    putF64(st, seg, rf(ref) + LF_START, r.start);
    putF64(st, seg, rf(ref) + LF_END, r.end);
  }
  for (const ref of spare) slabFree(st, ref);
  const iwords = st.i32s[ino >>> 20]!;
  put(st, ino >>> 20, iw(ino) + I_ADVLOCK, refs.length > 0 ? refs[0]! : 0);
  Atomics.add(iwords, iw(ino) + I_ADVSEQ, 1);
  Atomics.notify(iwords, iw(ino) + I_ADVSEQ);
}

function conflicts(r: Rec, owner: number, flock: boolean, type: number, start: number, end: number): boolean {
  return r.owner !== owner && r.flock === flock && r.start <= end && start <= r.end && (r.type === F_WRLCK || type === F_WRLCK);
}

/** The new list after `owner` sets `type` over [start, end] (F_UNLCK removes). */
function applyPosix(recs: Rec[], owner: number, pid: number, type: number, start: number, end: number): Rec[] {
  const out: Rec[] = [];
  let s = start;
  let e = end;
  for (const r of recs) {
    if (r.owner !== owner || r.flock) {
      out.push(r);
      continue;
    }
    const overlaps = r.start <= e && s <= r.end;
    const adjacent = r.end + 1 === s || e + 1 === r.start;
    if (type !== F_UNLCK && r.type === type && (overlaps || adjacent)) {
      // Same type touching the new range: absorb it.
      s = Math.min(s, r.start);
      e = Math.max(e, r.end);
      continue;
    }
    if (!overlaps) {
      out.push(r);
      continue;
    }
    if (r.start < start) out.push({ ...r, ref: 0, end: start - 1 });
    if (r.end > end) out.push({ ...r, ref: 0, start: end + 1 });
  }
  if (type !== F_UNLCK) out.push({ ref: 0, owner, type, flock: false, pid, start: s, end: e });
  return out;
}

function applyFlock(recs: Rec[], owner: number, pid: number, type: number): Rec[] {
  const out = recs.filter((r) => !(r.flock && r.owner === owner));
  if (type !== F_UNLCK) out.push({ ref: 0, owner, type, flock: true, pid, start: 0, end: Infinity });
  return out;
}

// ------------------------------------------------------------ waiters

function addWaiter(st: Store, owner: number, blocker: number, ino: number): number {
  const ref = slabAlloc(st, REC_CLASS);
  const w = st.i32s[ref >>> 20]!;
  w[rw(ref)] = st.sb[SB.ADV_WAITERS]!;
  w[rw(ref) + W_OWNER] = owner;
  w[rw(ref) + W_BLOCKER] = blocker;
  w[rw(ref) + W_INO] = ino;
  put(st, 0, SB.ADV_WAITERS, ref);
  return ref;
}

function removeWaiter(st: Store, ref: number): void {
  let prev = 0;
  let cur = st.sb[SB.ADV_WAITERS]!;
  while (cur !== 0 && cur !== ref) {
    prev = cur;
    cur = st.i32s[cur >>> 20]![rw(cur)]!;
  }
  if (cur === 0) return;
  const next = st.i32s[cur >>> 20]![rw(cur)]!;
  if (prev === 0) put(st, 0, SB.ADV_WAITERS, next);
  else put(st, prev >>> 20, rw(prev), next);
  slabFree(st, ref);
}

/** Whom is `owner` waiting for? 0 if it is not waiting. */
function blockerOf(st: Store, owner: number): number {
  for (let cur = st.sb[SB.ADV_WAITERS]!; cur !== 0; cur = st.i32s[cur >>> 20]![rw(cur)]!) {
    const w = st.i32s[cur >>> 20]!;
    if (w[rw(cur) + W_OWNER] === owner) return w[rw(cur) + W_BLOCKER]!;
  }
  return 0;
}

function wouldDeadlock(st: Store, owner: number, blocker: number): boolean {
  let b = blocker;
  for (let i = 0; i < MAX_CHAIN && b !== 0; i++) {
    if (b === owner) return true;
    b = blockerOf(st, b);
  }
  return false;
}

// ------------------------------------------------------------ the op

/** Take the advisory-lock mutex (through the journal's records in shared mode). */
function advEnter(st: Store): void {
  const j = st.journal;
  if (j === null) mutexEnter(st.sb, SB.ADV_LOCK);
  else j.enterMutex(st, SB.ADV_LOCK);
}

function advExit(st: Store): void {
  const j = st.journal;
  if (j === null) mutexExit(st.sb, SB.ADV_LOCK);
  else j.exitMutex(st, SB.ADV_LOCK);
}

/**
 * Remove every lock and wait registration of owners `owned` picks (those of
 * a thread that died) from `vp` and from the store's waiter list, and wake
 * whoever waits. => returns the locks removed. Not an op: the coordinator's
 * recovery calls it.
 */
export function advlockPurge(vp: Vnode, owned: (owner: number) => boolean): number {
  const fs = vp.mount.fs as Tmpfs;
  if (fs.type !== 'tmpfs') return 0;
  const st = fs.st;
  advEnter(st);
  try {
    const recs = list(st, vp.ino);
    const keep = recs.filter((r) => !owned(r.owner));
    if (keep.length !== recs.length) store(st, vp.ino, keep, recs);
    for (let cur = st.sb[SB.ADV_WAITERS]!; cur !== 0; ) {
      const next = st.i32s[cur >>> 20]![rw(cur)]!;
      if (owned(st.i32s[cur >>> 20]![rw(cur) + W_OWNER]!)) removeWaiter(st, cur);
      cur = next;
    }
    return recs.length - keep.length;
  } finally {
    advExit(st);
  }
}

/**
 * VOP_ADVLOCK. `owner` is the context id for POSIX locks, the open file
 * description id for flock. GetLk returns the first conflicting lock or null;
 * SetLk fails with EAGAIN on conflict; SetLkW waits (EDEADLK on a cycle).
 */
export function* advlock(vp: Vnode, owner: number, op: AdvOp, req: AdvlockRequest, flags: AdvFlags): Op<AdvlockRequest | null> {
  const fs = vp.mount.fs as Tmpfs;
  const st = fs.st;
  const sb = st.sb;
  const flock = (flags & AdvFlags.Flock) !== 0;
  const type = req.type;
  const start = flock ? 0 : req.start;
  const end = flock ? Infinity : req.end;
  const pid = req.pid ?? owner;
  let wait: Wait | undefined;
  if (type !== F_RDLCK && type !== F_WRLCK && type !== F_UNLCK) throw fail('EINVAL');
  for (;;) {
    let waiter = 0;
    let seq = 0;
    advEnter(st);
    try {
      const recs = list(st, vp.ino);
      if (op === AdvOp.GetLk) {
        const c = recs.find((r) => conflicts(r, owner, flock, type, start, end));
        return c === undefined ? null : { type: c.type, start: c.start, end: c.end, pid: c.pid };
      }
      if (type !== F_UNLCK) {
        const c = recs.find((r) => conflicts(r, owner, flock, type, start, end));
        if (c !== undefined) {
          if (op === AdvOp.SetLk) throw fail('EAGAIN');
          if (!flock && wouldDeadlock(st, owner, c.owner)) throw fail('EDEADLK');
          waiter = addWaiter(st, owner, c.owner, vp.ino);
          seq = Atomics.load(st.i32s[vp.ino >>> 20]!, iw(vp.ino) + I_ADVSEQ);
        }
      }
      if (waiter === 0) {
        const next = flock ? applyFlock(recs, owner, pid, type) : applyPosix(recs, owner, pid, type, start, end);
        store(st, vp.ino, next, recs);
        return null;
      }
    } finally {
      advExit(st);
    }
    try {
      wait ??= newWait();
      yield waitFor(wait, st.i32s[vp.ino >>> 20]!, iw(vp.ino) + I_ADVSEQ, seq, Atomics.load(sb, SB.THREADS) <= 1);
    } finally {
      advEnter(st);
      removeWaiter(st, waiter);
      advExit(st);
    }
  }
}
