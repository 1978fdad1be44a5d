/**
 * Open file descriptions handed between threads.
 *
 *   const token = shareFd(fs, fd);          // thread A: structured-cloneable
 *   worker.postMessage(token);
 *   const fd2 = adoptFd(fs, token);         // thread B: a descriptor for the same description
 *
 * Both descriptors then name one open file description, as after fork or
 * SCM_RIGHTS: one file offset (a read or write in either thread moves it
 * for both, atomically, under the description's position lock), one set of
 * status flags (O_APPEND, O_NONBLOCK), one flock owner. Each thread holds
 * its own reference on the node; the description ends when the last
 * descriptor in the last thread closes (flock released, close op run).
 *
 * The descriptions live in a table in the registry (R.FILES), one entry of
 * FILE_WORDS words each:
 *
 *   STATE    0 free, 1 live          GEN      bumped at every allocation
 *   POS      position lock: 0, or the holding thread's slot + 1
 *   HOLDERS  64-bit mask of the thread slots holding it (words 4-5)
 *   FLAGS    status flags             FLOCKED  some thread took a flock through it
 *   MOUNT, INO, NODE_GEN              the node
 *   ID       the description's id (its flock owner)
 *   OFFSET   file offset, a float64 (words 12-13)
 *
 * An entry is freed when its holder mask drops to zero; the mask only
 * changes by compare-and-swap, so joining a description that is being freed
 * fails cleanly (ENOENT). A dead thread's bit is cleared by the
 * coordinator's recovery (`dropSharedFiles`), which also ends descriptions
 * it was the last holder of and frees a position lock it held.
 *
 * Only regular files of tmpfs mounts can be shared (EOPNOTSUPP otherwise):
 * a file system served whole by an actor keeps per-open state there.
 */

import { Errno, OpenFile, Tmpfs, VType, VfsError, newWait, sysOf, toVfsError, waitFor, type Cred, type Kernel, type Op, type Proc, type SharedDescription, type Wait } from '@actorvfs/core/internal';
import { R, type Registry } from '../protocol/registry.js';

export const FILE_CAPACITY = 1024;
export const FILE_WORDS = 16;
const F = { STATE: 0, GEN: 1, POS: 3, HOLDERS: 4, FLAGS: 6, FLOCKED: 7, MOUNT: 8, INO: 9, NODE_GEN: 10, ID: 11, OFFSET: 12 } as const;

/** What adoptFd needs (structured-cloneable). */
export interface SharedFd {
  readonly entry: number;
  readonly gen: number;
  readonly id: number;
  readonly cred: Cred;
}

export function filesTableBytes(): number {
  return FILE_CAPACITY * FILE_WORDS * 4;
}

/** What a thread needs to share descriptions: its registry, slot, and its own descriptions by entry. */
export interface FileSharing {
  readonly reg: Registry;
  readonly tid: number;
  readonly kernel: Kernel;
  readonly sharedFiles: Map<number, OpenFile>;
  vnodeIn(mountId: number, ino: number): import('@actorvfs/core/internal').Vnode | null;
}

const sharingOf = new WeakMap<Kernel, FileSharing>();

export function enableFileSharing(s: FileSharing): void {
  sharingOf.set(s.kernel, s);
}

function base(reg: Registry, entry: number): number {
  const b = (reg.i32[R.FILES]! >> 2) + entry * FILE_WORDS;
  reg.refresh((b + FILE_WORDS) * 4);
  return b;
}

function holders(reg: Registry, b: number): BigInt64Array {
  return new BigInt64Array(reg.sab, (b + F.HOLDERS) * 4, 1);
}

class SharedEntry implements SharedDescription {
  private readonly i32: Int32Array;
  private readonly off: Float64Array;
  private readonly mask: BigInt64Array;
  private wait: Wait | undefined;

  constructor(
    private readonly s: FileSharing,
    readonly entry: number,
    readonly gen: number,
    private readonly b: number,
  ) {
    this.i32 = s.reg.i32;
    this.off = new Float64Array(s.reg.sab, (b + F.OFFSET) * 4, 1);
    this.mask = holders(s.reg, b);
  }

  *lock(): Op<void> {
    const me = this.s.tid + 1;
    for (;;) {
      const v = Atomics.compareExchange(this.i32, this.b + F.POS, 0, me);
      if (v === 0) return;
      this.wait ??= newWait();
      // Held by another operation of this thread: a synchronous wait would never end.
      yield waitFor(this.wait, this.i32, this.b + F.POS, v, v === me);
    }
  }

  unlock(): void {
    Atomics.store(this.i32, this.b + F.POS, 0);
    Atomics.notify(this.i32, this.b + F.POS);
  }

  get offset(): number {
    return this.off[0]!;
  }

  set offset(v: number) {
    this.off[0] = v;
  }

  get flags(): number {
    return Atomics.load(this.i32, this.b + F.FLAGS);
  }

  set flags(v: number) {
    Atomics.store(this.i32, this.b + F.FLAGS, v);
  }

  release(flocked: boolean): { last: boolean; flockedAny: boolean } {
    if (flocked) Atomics.store(this.i32, this.b + F.FLOCKED, 1);
    this.s.sharedFiles.delete(this.entry);
    const last = clearHolder(this.mask, this.s.tid);
    const flockedAny = Atomics.load(this.i32, this.b + F.FLOCKED) === 1;
    if (last) Atomics.store(this.i32, this.b + F.STATE, 0);
    return { last, flockedAny };
  }

  token(cred: Cred): SharedFd {
    return { entry: this.entry, gen: this.gen, id: Atomics.load(this.i32, this.b + F.ID), cred: { uid: cred.uid, gid: cred.gid, groups: [...cred.groups] } };
  }
}

/** Clear thread `tid`'s bit. => true if no holder is left. */
function clearHolder(mask: BigInt64Array, tid: number): boolean {
  const bit = 1n << BigInt(tid);
  for (;;) {
    const old = Atomics.load(mask, 0);
    const now = old & ~bit;
    if (Atomics.compareExchange(mask, 0, old, now) === old) return now === 0n;
  }
}

/** Set thread `tid`'s bit unless the description has ended (mask zero). => false if it has. */
function addHolder(mask: BigInt64Array, tid: number): boolean {
  const bit = 1n << BigInt(tid);
  for (;;) {
    const old = Atomics.load(mask, 0);
    if (old === 0n) return false;
    if (Atomics.compareExchange(mask, 0, old, old | bit) === old) return true;
  }
}

function contextOf(fs: object, syscall: string): { p: Proc; s: FileSharing } {
  const p = sysOf(fs) as Proc | undefined;
  const s = p === undefined ? undefined : sharingOf.get(p.kernel);
  if (p === undefined || s === undefined) {
    const e = new TypeError(`${syscall}: not an fs object of a shared file system (SharedVfs or attach)`);
    (e as { code?: string }).code = 'ERR_INVALID_ARG_TYPE';
    throw e;
  }
  return { p, s };
}

/**
 * Make descriptor `fd` of `fs` shareable with other attached threads.
 * => a token for adoptFd in any of them (the same token may be adopted any number of times).
 */
export function shareFd(fs: object, fd: number): SharedFd {
  const { p, s } = contextOf(fs, 'shareFd');
  try {
    const file = p.file(fd);
    const existing = file.shared;
    if (existing instanceof SharedEntry) return existing.token(file.cred);
    if (file.vp.type !== VType.Reg || !(file.vp.mount.fs instanceof Tmpfs)) throw new Errno('EOPNOTSUPP');
    const reg = s.reg;
    const cap = reg.i32[R.FILES_CAP]!;
    for (let entry = 0; entry < cap; entry++) {
      const b = base(reg, entry);
      if (Atomics.compareExchange(reg.i32, b + F.STATE, 0, 1) !== 0) continue;
      const i32 = reg.i32;
      const gen = Atomics.add(i32, b + F.GEN, 1) + 1;
      i32[b + F.POS] = 0;
      i32[b + F.FLAGS] = file.flags;
      i32[b + F.FLOCKED] = file.flocked ? 1 : 0;
      i32[b + F.MOUNT] = file.vp.mount.id;
      i32[b + F.INO] = file.vp.ino;
      i32[b + F.NODE_GEN] = file.vp.gen;
      i32[b + F.ID] = file.id;
      new Float64Array(reg.sab, (b + F.OFFSET) * 4, 1)[0] = file.offset;
      Atomics.store(holders(reg, b), 0, 1n << BigInt(s.tid));
      const shared = new SharedEntry(s, entry, gen, b);
      file.shared = shared;
      s.sharedFiles.set(entry, file);
      return shared.token(file.cred);
    }
    throw new Errno('ENFILE');
  } catch (e) {
    throw toVfsError(e, 'shareFd');
  }
}

/** A descriptor in `fs`'s context for the description `token` names (ENOENT once it has ended). */
export function adoptFd(fs: object, token: SharedFd): number {
  const { p, s } = contextOf(fs, 'adoptFd');
  if (token === null || typeof token !== 'object' || !Number.isInteger(token.entry) || !Number.isInteger(token.gen)) {
    const e = new TypeError('adoptFd: the token must come from shareFd');
    (e as { code?: string }).code = 'ERR_INVALID_ARG_TYPE';
    throw e;
  }
  try {
    const reg = s.reg;
    if (token.entry < 0 || token.entry >= reg.i32[R.FILES_CAP]!) throw new Errno('EINVAL');
    const mine = s.sharedFiles.get(token.entry);
    if (mine !== undefined && (mine.shared as SharedEntry).gen === token.gen) {
      const fd = p.fds.alloc(mine);
      mine.refs++;
      return fd;
    }
    const b = base(reg, token.entry);
    const mask = holders(reg, b);
    if (Atomics.load(reg.i32, b + F.GEN) !== token.gen || !addHolder(mask, s.tid)) throw new Errno('ENOENT');
    // The entry may have ended and been reused between the check and joining it.
    if (Atomics.load(reg.i32, b + F.GEN) !== token.gen) {
      if (clearHolder(mask, s.tid)) Atomics.store(reg.i32, b + F.STATE, 0);
      throw new Errno('ENOENT');
    }
    const i32 = reg.i32;
    const vp = s.vnodeIn(i32[b + F.MOUNT]!, i32[b + F.INO]!);
    try {
      if (vp === null || vp.gen !== i32[b + F.NODE_GEN]) throw new Errno('ENOENT');
      p.kernel.vrefCurrent(vp);
    } catch (e) {
      if (clearHolder(mask, s.tid)) Atomics.store(reg.i32, b + F.STATE, 0);
      throw e;
    }
    p.kernel.hold(vp);
    const file = new OpenFile(vp, i32[b + F.FLAGS]!, i32[b + F.ID]!, token.cred, null, '');
    file.shared = new SharedEntry(s, token.entry, token.gen, b);
    s.sharedFiles.set(token.entry, file);
    return p.fds.alloc(file);
  } catch (e) {
    if (e instanceof VfsError) throw e;
    throw toVfsError(e, 'adoptFd');
  }
}

/**
 * Recovery: thread `tid` died. Clear its bit everywhere and free a position
 * lock it held. => the descriptions it was the last holder of (their flock
 * owner and node: the caller releases the lock), and the ids of descriptions
 * other threads still hold (their flocks must stay).
 */
export function dropSharedFiles(reg: Registry, tid: number): { ended: { id: number; mount: number; ino: number }[]; stillHeld: Set<number> } {
  const ended: { id: number; mount: number; ino: number }[] = [];
  const stillHeld = new Set<number>();
  if (reg.i32[R.FILES] === 0) return { ended, stillHeld };
  const cap = reg.i32[R.FILES_CAP]!;
  for (let entry = 0; entry < cap; entry++) {
    const b = base(reg, entry);
    const i32 = reg.i32;
    if (Atomics.load(i32, b + F.STATE) !== 1) continue;
    if (Atomics.compareExchange(i32, b + F.POS, tid + 1, 0) === tid + 1) Atomics.notify(i32, b + F.POS);
    const mask = holders(reg, b);
    const bit = 1n << BigInt(tid);
    if ((Atomics.load(mask, 0) & bit) === 0n) {
      if (Atomics.load(mask, 0) !== 0n) stillHeld.add(i32[b + F.ID]!);
      continue;
    }
    if (clearHolder(mask, tid)) {
      if (i32[b + F.FLOCKED] === 1) ended.push({ id: i32[b + F.ID]!, mount: i32[b + F.MOUNT]!, ino: i32[b + F.INO]! });
      Atomics.store(i32, b + F.STATE, 0);
    } else stillHeld.add(i32[b + F.ID]!);
  }
  return { ended, stillHeld };
}
