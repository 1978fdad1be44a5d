/**
 * hostfs advisory locks: fcntl byte-range locks and flock whole-file locks,
 * kept in memory by the HostFs instance. They hold between the VFS's
 * contexts and open files, not against host processes (Node cannot take
 * host record locks), and not between two HostFs instances mapping the same
 * files.
 *
 * Same rules as tmpfs's locks: POSIX locks belong to a context and are
 * merged and split per owner; flock locks belong to an open file
 * description and cover the whole file; the two kinds never conflict. A
 * blocked F_SETLKW records whom it waits for and answers EDEADLK when the
 * chain of waits comes back to itself; sleepers wait on the instance's
 * change counter. Everything runs in one thread (the caller's in embedded
 * mode), so a synchronous caller that would have to wait for another
 * context of the same thread gets EDEADLK instead of hanging; asynchronous
 * callers wait.
 *
 * => vp unlocked on entry and return, referenced by the open file.
 */

import { F_RDLCK, F_UNLCK, F_WRLCK } from '../constants.js';
import { fail } from '../errno.js';
import { newWait, waitFor, type Op, type Wait } from '../vfs/wait.js';
import { AdvFlags, AdvOp, type AdvlockRequest, type Vnode } from '../vnode/vnode.js';
import type { HostFs } from './hostfs.js';

interface Lock {
  owner: number;
  flock: boolean;
  type: number;
  pid: number;
  start: number;
  /** Inclusive; Infinity = to EOF and beyond. */
  end: number;
}

const MAX_CHAIN = 1024;

export class AdvLocks {
  /** Locks per node number. */
  private readonly byIno = new Map<number, Lock[]>();
  /** Owner -> the owner it waits for. */
  private readonly waiting = new Map<number, number>();
  /** Bumped (and notified) on every change; sleepers wait on it. */
  readonly seq = new Int32Array(new SharedArrayBuffer(4));

  list(ino: number): Lock[] {
    return this.byIno.get(ino) ?? [];
  }

  set(ino: number, locks: Lock[]): void {
    if (locks.length === 0) this.byIno.delete(ino);
    else this.byIno.set(ino, locks);
    Atomics.add(this.seq, 0, 1);
    Atomics.notify(this.seq, 0);
  }

  /** A node is gone: its locks with it. */
  forget(ino: number): void {
    if (this.byIno.delete(ino)) Atomics.add(this.seq, 0, 1);
  }

  /** Release every lock whose owner passes `test` (shared mode: a dead thread's). */
  purge(test: (owner: number) => boolean): void {
    for (const [ino, locks] of this.byIno) {
      const kept = locks.filter((l) => !test(l.owner));
      if (kept.length !== locks.length) this.set(ino, kept);
    }
  }

  wouldDeadlock(owner: number, blocker: number): boolean {
    let b: number | undefined = blocker;
    for (let i = 0; i < MAX_CHAIN && b !== undefined; i++) {
      if (b === owner) return true;
      b = this.waiting.get(b);
    }
    return false;
  }

  wait(owner: number, blocker: number): void {
    this.waiting.set(owner, blocker);
  }

  unwait(owner: number): void {
    this.waiting.delete(owner);
  }
}

function conflicts(l: Lock, owner: number, flock: boolean, type: number, start: number, end: number): boolean {
  return l.owner !== owner && l.flock === flock && l.start <= end && start <= l.end && (l.type === F_WRLCK || type === F_WRLCK);
}

/** The new list after `owner` sets `type` over [start, end] (F_UNLCK removes). */
function applyPosix(locks: Lock[], owner: number, pid: number, type: number, start: number, end: number): Lock[] {
  const out: Lock[] = [];
  let s = start;
  let e = end;
  for (const l of locks) {
    if (l.owner !== owner || l.flock) {
      out.push(l);
      continue;
    }
    const overlaps = l.start <= e && s <= l.end;
    const adjacent = l.end + 1 === s || e + 1 === l.start;
    if (type !== F_UNLCK && l.type === type && (overlaps || adjacent)) {
      s = Math.min(s, l.start);
      e = Math.max(e, l.end);
      continue;
    }
    if (!overlaps) {
      out.push(l);
      continue;
    }
    if (l.start < start) out.push({ ...l, end: start - 1 });
    if (l.end > end) out.push({ ...l, start: end + 1 });
  }
  if (type !== F_UNLCK) out.push({ owner, flock: false, type, pid, start: s, end: e });
  return out;
}

function applyFlock(locks: Lock[], owner: number, pid: number, type: number): Lock[] {
  const out = locks.filter((l) => !(l.flock && l.owner === owner));
  if (type !== F_UNLCK) out.push({ owner, flock: true, type, pid, start: 0, end: Infinity });
  return out;
}

/**
 * VOP_ADVLOCK. `owner` is the context id for POSIX locks, the open file
 * description id for flock. GetLk returns the first conflicting lock or null;
 * SetLk fails with EAGAIN on conflict; SetLkW waits (EDEADLK on a cycle).
 */
export function* advlock(vp: Vnode, owner: number, op: AdvOp, req: AdvlockRequest, flags: AdvFlags): Op<AdvlockRequest | null> {
  const fs = vp.mount.fs as HostFs;
  fs.nodeOf(vp);
  const locks = fs.locks;
  const flock = (flags & AdvFlags.Flock) !== 0;
  const type = req.type;
  const start = flock ? 0 : req.start;
  const end = flock ? Infinity : req.end;
  const pid = req.pid ?? owner;
  if (type !== F_RDLCK && type !== F_WRLCK && type !== F_UNLCK) throw fail('EINVAL');
  let wait: Wait | undefined;
  for (;;) {
    const current = locks.list(vp.ino);
    const c = type === F_UNLCK && op !== AdvOp.GetLk ? undefined : current.find((l) => conflicts(l, owner, flock, type, start, end));
    if (op === AdvOp.GetLk) return c === undefined ? null : { type: c.type, start: c.start, end: c.end, pid: c.pid };
    if (c === undefined) {
      locks.set(vp.ino, flock ? applyFlock(current, owner, pid, type) : applyPosix(current, owner, pid, type, start, end));
      return null;
    }
    if (op === AdvOp.SetLk) throw fail('EAGAIN');
    if (!flock && locks.wouldDeadlock(owner, c.owner)) throw fail('EDEADLK');
    const seq = Atomics.load(locks.seq, 0);
    locks.wait(owner, c.owner);
    try {
      wait ??= newWait();
      yield waitFor(wait, locks.seq, 0, seq, true);
    } finally {
      locks.unwait(owner);
    }
  }
}
