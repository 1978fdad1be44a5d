/**
 * tmpfs vnode operations: the contract-facing layer. Each op checks the
 * caller's rights through vfs/access.ts, then hands the work to subr.ts.
 * Data ops are in io.ts, rename in rename.ts, FIFOs, devices and advisory
 * locks in their own files; the op vectors per vnode type are at the end.
 *
 * Mutating ops (create .. inactive) run on the mount's actor, the only thread
 * that changes this file system's metadata, so they may read the namespace
 * without locks; they lock exclusively what they change, so readers never
 * see a half-made change.
 */

import {
  LINK_MAX,
  NAME_MAX,
  PATH_MAX,
  PIPE_BUF,
  S_IFDIR,
  S_IFMT,
  SF_APPEND,
  SF_IMMUTABLE,
  UF_APPEND,
  UF_IMMUTABLE,
  W_OK,
  X_OK,
  _PC_CHOWN_RESTRICTED,
  _PC_FILESIZEBITS,
  _PC_LINK_MAX,
  _PC_MAX_CANON,
  _PC_MAX_INPUT,
  _PC_NAME_MAX,
  _PC_NO_TRUNC,
  _PC_PATH_MAX,
  _PC_PIPE_BUF,
  _PC_SYMLINK_MAX,
  _PC_VDISABLE,
} from '../constants.js';
import { fail } from '../errno.js';
import { DIR_EOF, DType, dirLookup, dirNext, dirSeek, direntIno, direntKey, direntName, direntType, dirInsert, dirRemove } from '../store/dirtab.js';
import {
  D_COUNT,
  D_PARENT,
  F_ATIME,
  F_BTIME,
  F_CTIME,
  F_MTIME,
  F_SIZE,
  I_ATIME_NS,
  I_BLOCKS,
  I_BTIME_NS,
  I_CTIME_NS,
  I_FLAGS,
  I_GID,
  I_IFLAGS,
  I_MODE,
  I_MTIME_NS,
  I_NLINK,
  I_RDEV,
  I_UID,
  IF_MOUNTPOINT,
  ifw,
  iw,
} from '../store/inode.js';
import { put, putF64 } from '../store/journal.js';
import { pmTruncate, pmZeroTail } from '../store/pagemap.js';
import {
  checkAccess,
  checkChflags,
  checkChown,
  checkMknod,
  checkSetTimes,
  checkSticky,
  chmodResult,
  modeAfterChown,
  modeAfterWrite,
  newNodeOwner,
} from '../vfs/access.js';
import { St, type Cred, type DirEntry, type StatBuf } from '../vfs/sys.js';
import { Vnode, VType, WhiteoutOp, type VAttr, type VopVector } from '../vnode/vnode.js';
import { completeVector } from '../vnode/vops.js';
import { advlock } from './advlock.js';
import { fifoClose, fifoOpen, fifoRead, fifoWrite } from './fifo.js';
import { regFsync, regRead, regSeekhole, regWrite } from './io.js';
import { rename } from './rename.js';
import { specOpen, specRead, specWrite, sockOpen } from './spec.js';
import {
  T_ATIME,
  T_CTIME,
  T_MTIME,
  dirAttach,
  dirDetach,
  nodeAlloc,
  reclaimIfUnused,
  setTimes,
  targetRead,
  targetStore,
  touch,
} from './subr.js';
import type { Tmpfs } from './tmpfs.js';

const IMMUTABLE = UF_IMMUTABLE | SF_IMMUTABLE;
const APPEND_ONLY = UF_APPEND | SF_APPEND;
/** Linux tmpfs reports a directory's size as 20 bytes per entry, "." and ".." included. */
const BOGO_DIRENT_SIZE = 20;

export function tfs(vp: Vnode): Tmpfs {
  return vp.mount.fs as Tmpfs;
}

function words(fs: Tmpfs, ino: number): Int32Array {
  return fs.st.i32s[ino >>> 20]!;
}

/** Inode flags (chflags) of a node. */
export function nodeFlags(fs: Tmpfs, ino: number): number {
  return words(fs, ino)[iw(ino) + I_FLAGS]!;
}

/** Write and search permission on a directory about to change, and its flags. */
function checkDirWritable(fs: Tmpfs, dir: number, cred: Cred, removing: boolean): void {
  const w = words(fs, dir);
  const b = iw(dir);
  if (w[b + I_NLINK] === 0) throw fail('ENOENT'); // the directory was removed
  checkAccess(cred, w[b + I_MODE]!, w[b + I_UID]!, w[b + I_GID]!, W_OK | X_OK);
  const flags = w[b + I_FLAGS]!;
  if ((flags & IMMUTABLE) !== 0 || (removing && (flags & APPEND_ONLY) !== 0)) throw fail('EPERM');
}

/** May `cred` remove or replace the entry for `ino` in `dir`? (sticky bit, flags) */
export function checkRemovable(fs: Tmpfs, dir: number, ino: number, cred: Cred): void {
  const dw = words(fs, dir);
  const db = iw(dir);
  const w = words(fs, ino);
  checkSticky(cred, dw[db + I_MODE]!, dw[db + I_UID]!, w[iw(ino) + I_UID]!);
  if ((w[iw(ino) + I_FLAGS]! & (IMMUTABLE | APPEND_ONLY)) !== 0) throw fail('EPERM');
}

// ------------------------------------------------------------------ read ops

function lookup(dvp: Vnode, name: string, nameLen: number): Vnode | null {
  const fs = tfs(dvp);
  if (name === '..') return fs.vget(dvp.mount, words(fs, dvp.ino)[iw(dvp.ino) + D_PARENT]!);
  const de = dirLookup(fs.st, dvp.ino, name, nameLen);
  if (de === 0 || direntType(fs.st, de) === DType.Wht) return null;
  return fs.vget(dvp.mount, direntIno(fs.st, de));
}

function access(vp: Vnode, mode: number, cred: Cred): void {
  const fs = tfs(vp);
  const w = words(fs, vp.ino);
  const b = iw(vp.ino);
  checkAccess(cred, w[b + I_MODE]!, w[b + I_UID]!, w[b + I_GID]!, mode);
  if ((mode & W_OK) !== 0 && (w[b + I_FLAGS]! & IMMUTABLE) !== 0) throw fail('EPERM');
}

function getattr(vp: Vnode, out: StatBuf): void {
  const fs = tfs(vp);
  const seg = vp.ino >>> 20;
  const w = fs.st.i32s[seg]!;
  const f = fs.st.f64s[seg]!;
  const b = iw(vp.ino);
  const fb = ifw(vp.ino);
  const mode = w[b + I_MODE]!;
  out[St.Ino] = vp.ino;
  out[St.Mode] = mode;
  out[St.Nlink] = w[b + I_NLINK]!;
  out[St.Uid] = w[b + I_UID]! >>> 0;
  out[St.Gid] = w[b + I_GID]! >>> 0;
  out[St.Rdev] = (mode & S_IFMT) === S_IFDIR ? 0 : w[b + I_RDEV]! >>> 0;
  out[St.Size] = (mode & S_IFMT) === S_IFDIR ? (w[b + D_COUNT]! + 2) * BOGO_DIRENT_SIZE : f[fb + F_SIZE]!;
  out[St.Blksize] = 4096;
  out[St.Blocks] = w[b + I_BLOCKS]! * 8;
  out[St.AtimeSec] = f[fb + F_ATIME]!;
  out[St.AtimeNsec] = w[b + I_ATIME_NS]!;
  out[St.MtimeSec] = f[fb + F_MTIME]!;
  out[St.MtimeNsec] = w[b + I_MTIME_NS]!;
  out[St.CtimeSec] = f[fb + F_CTIME]!;
  out[St.CtimeNsec] = w[b + I_CTIME_NS]!;
  out[St.BirthtimeSec] = f[fb + F_BTIME]!;
  out[St.BirthtimeNsec] = w[b + I_BTIME_NS]!;
  out[St.Flags] = w[b + I_FLAGS]! >>> 0;
}

function readlink(vp: Vnode): string {
  return targetRead(tfs(vp), vp.ino);
}

function readdir(vp: Vnode, pos: number, max: number, out: DirEntry[]): number {
  const st = tfs(vp).st;
  let de = dirSeek(st, vp.ino, pos);
  let n = 0;
  while (de !== 0) {
    const type = direntType(st, de);
    if (type !== DType.Wht) {
      if (n === max) return direntKey(st, de);
      out.push({ name: direntName(st, de), type, ino: direntIno(st, de) });
      n++;
    }
    de = dirNext(st, vp.ino, de);
  }
  return DIR_EOF;
}

function pathconf(_vp: Vnode, name: number): number {
  switch (name) {
    case _PC_LINK_MAX:
      return LINK_MAX;
    case _PC_NAME_MAX:
      return NAME_MAX;
    case _PC_PATH_MAX:
      return PATH_MAX;
    case _PC_PIPE_BUF:
      return PIPE_BUF;
    case _PC_CHOWN_RESTRICTED:
      return 1;
    case _PC_NO_TRUNC:
      return 1;
    case _PC_VDISABLE:
      return 0;
    case _PC_FILESIZEBITS:
      return 64;
    case _PC_SYMLINK_MAX:
      return PATH_MAX - 1;
    case _PC_MAX_CANON:
    case _PC_MAX_INPUT:
      return 255;
    default:
      throw fail('EINVAL');
  }
}

// ------------------------------------------------------------- mutating ops

/**
 * Make a node named `name` in `dvp`.
 * => dvp unlocked on entry and return; returns the new inode number.
 */
function construct(dvp: Vnode, name: string, nameLen: number, type: VType, mode: number, rdev: number, cred: Cred): number {
  const fs = tfs(dvp);
  const st = fs.st;
  const dir = dvp.ino;
  fs.lock(dvp, true);
  try {
    checkDirWritable(fs, dir, cred, false);
    if (dirLookupLive(fs, dir, name, nameLen) !== 0) throw fail('EEXIST');
    checkMknod(cred, type === VType.Chr || type === VType.Blk);
    const dw = words(fs, dir);
    const db = iw(dir);
    if (type === VType.Dir && dw[db + I_NLINK]! >= LINK_MAX) throw fail('EMLINK');
    const [uid, gid, m] = newNodeOwner(cred, dw[db + I_MODE]!, dw[db + I_GID]!, type === VType.Dir, mode & 0o7777);
    const ino = nodeAlloc(fs, type, (mode & S_IFMT) | m, uid, gid, rdev);
    try {
      removeWhiteout(fs, dir, name, nameLen);
      dirAttach(fs, dir, name, nameLen, ino, type);
    } catch (e) {
      reclaimIfUnused(fs, ino);
      throw e;
    }
    touch(fs, dir, T_MTIME | T_CTIME);
    void st;
    return ino;
  } finally {
    fs.unlock(dvp);
  }
}

/** A live (non-whiteout) entry for name, or 0. */
function dirLookupLive(fs: Tmpfs, dir: number, name: string, len: number): number {
  const de = dirLookup(fs.st, dir, name, len);
  return de !== 0 && direntType(fs.st, de) !== DType.Wht ? de : 0;
}

function removeWhiteout(fs: Tmpfs, dir: number, name: string, len: number): void {
  const de = dirLookup(fs.st, dir, name, len);
  if (de !== 0) dirRemove(fs.st, dir, de);
}

function create(dvp: Vnode, name: string, nameLen: number, attr: VAttr, cred: Cred): Vnode {
  const fs = tfs(dvp);
  const ino = construct(dvp, name, nameLen, attr.type ?? VType.Reg, attr.mode ?? 0, attr.rdev ?? 0, cred);
  const vp = fs.vget(dvp.mount, ino)!;
  fs.refForCaller(vp);
  return vp;
}

function mkdir(dvp: Vnode, name: string, nameLen: number, attr: VAttr, cred: Cred): void {
  construct(dvp, name, nameLen, VType.Dir, S_IFDIR | ((attr.mode ?? 0o777) & 0o7777), 0, cred);
}

function symlink(dvp: Vnode, name: string, nameLen: number, target: string, attr: VAttr, cred: Cred): void {
  const fs = tfs(dvp);
  const dir = dvp.ino;
  fs.lock(dvp, true);
  try {
    checkDirWritable(fs, dir, cred, false);
    if (dirLookupLive(fs, dir, name, nameLen) !== 0) throw fail('EEXIST');
    const dw = words(fs, dir);
    const [uid, gid] = newNodeOwner(cred, dw[iw(dir) + I_MODE]!, dw[iw(dir) + I_GID]!, false, 0);
    const ino = nodeAlloc(fs, VType.Lnk, 0o120000 | ((attr.mode ?? 0o777) & 0o777), uid, gid, 0);
    try {
      targetStore(fs, ino, target);
      removeWhiteout(fs, dir, name, nameLen);
      dirAttach(fs, dir, name, nameLen, ino, VType.Lnk);
    } catch (e) {
      reclaimIfUnused(fs, ino);
      throw e;
    }
    touch(fs, dir, T_MTIME | T_CTIME);
  } finally {
    fs.unlock(dvp);
  }
}

function link(dvp: Vnode, vp: Vnode, name: string, nameLen: number, cred: Cred): void {
  const fs = tfs(dvp);
  if (vp.type === VType.Dir) throw fail('EPERM');
  const [first, second] = lockOrder(dvp, vp);
  fs.lock(first, true);
  try {
    fs.lock(second, true);
    try {
      checkDirWritable(fs, dvp.ino, cred, false);
      const w = words(fs, vp.ino);
      const b = iw(vp.ino);
      if (dirLookupLive(fs, dvp.ino, name, nameLen) !== 0) throw fail('EEXIST');
      if (w[b + I_NLINK] === 0) throw fail('ENOENT');
      if (w[b + I_NLINK]! >= LINK_MAX) throw fail('EMLINK');
      if ((w[b + I_FLAGS]! & (IMMUTABLE | APPEND_ONLY)) !== 0) throw fail('EPERM');
      removeWhiteout(fs, dvp.ino, name, nameLen);
      dirAttach(fs, dvp.ino, name, nameLen, vp.ino, vp.type);
      touch(fs, vp.ino, T_CTIME);
      touch(fs, dvp.ino, T_MTIME | T_CTIME);
    } finally {
      fs.unlock(second);
    }
  } finally {
    fs.unlock(first);
  }
}

/** Directories before files; same rank by ascending inode number. */
export function lockOrder(a: Vnode, b: Vnode): [Vnode, Vnode] {
  const ra = a.type === VType.Dir ? 0 : 1;
  const rb = b.type === VType.Dir ? 0 : 1;
  if (ra !== rb) return ra < rb ? [a, b] : [b, a];
  return a.ino < b.ino ? [a, b] : [b, a];
}

/** Shared body of remove and rmdir. */
function unlinkEntry(dvp: Vnode, name: string, nameLen: number, cred: Cred, wantDir: boolean): void {
  const fs = tfs(dvp);
  const st = fs.st;
  const de = dirLookupLive(fs, dvp.ino, name, nameLen);
  if (de === 0) {
    if (words(fs, dvp.ino)[iw(dvp.ino) + I_NLINK] === 0) throw fail('ENOENT');
    throw fail('ENOENT');
  }
  const ino = direntIno(st, de);
  const vp = fs.vget(dvp.mount, ino)!;
  if (wantDir && vp.type !== VType.Dir) throw fail('ENOTDIR');
  if (!wantDir && vp.type === VType.Dir) throw fail('EISDIR');
  fs.lock(dvp, true);
  try {
    fs.lock(vp, true);
    try {
      checkDirWritable(fs, dvp.ino, cred, true);
      checkRemovable(fs, dvp.ino, ino, cred);
      const w = words(fs, ino);
      const b = iw(ino);
      if (wantDir) {
        if (w[b + D_COUNT] !== 0) throw fail('ENOTEMPTY');
        if ((w[b + I_IFLAGS]! & IF_MOUNTPOINT) !== 0) throw fail('EBUSY');
      }
      dirDetach(fs, dvp.ino, de, ino, vp.type);
      touch(fs, dvp.ino, T_MTIME | T_CTIME);
      if (w[b + I_NLINK] !== 0) touch(fs, ino, T_CTIME);
    } finally {
      fs.unlock(vp);
    }
  } finally {
    fs.unlock(dvp);
  }
  reclaimIfUnused(fs, ino);
}

function remove(dvp: Vnode, name: string, nameLen: number, cred: Cred): void {
  unlinkEntry(dvp, name, nameLen, cred, false);
}

function rmdir(dvp: Vnode, name: string, nameLen: number, cred: Cred): void {
  unlinkEntry(dvp, name, nameLen, cred, true);
}

/**
 * Change attributes. Every requested change is checked before any is made,
 * so a refused call changes nothing (not even ctime).
 */
function setattr(vp: Vnode, attr: VAttr, cred: Cred): void {
  const fs = tfs(vp);
  const ino = vp.ino;
  fs.lock(vp, true);
  try {
    const w = words(fs, ino);
    const b = iw(ino);
    const mode = w[b + I_MODE]!;
    const uid = w[b + I_UID]!;
    const gid = w[b + I_GID]!;
    const flags = w[b + I_FLAGS]!;
    const isDir = vp.type === VType.Dir;
    const changesOther =
      attr.mode !== undefined || attr.uid !== undefined || attr.gid !== undefined || attr.size !== undefined || attr.atimeSec !== undefined || attr.mtimeSec !== undefined;
    if (attr.flags !== undefined) checkChflags(cred, uid, flags, attr.flags);
    if (changesOther && (flags & IMMUTABLE) !== 0) throw fail('EPERM');
    let newMode = mode;
    if (attr.size !== undefined) {
      if (isDir) throw fail('EISDIR');
      if (vp.type !== VType.Reg) throw fail('EINVAL');
      if ((flags & APPEND_ONLY) !== 0) throw fail('EPERM');
      newMode = (newMode & S_IFMT) | modeAfterWrite(cred, newMode & 0o7777);
    }
    if (attr.uid !== undefined || attr.gid !== undefined) {
      checkChown(cred, uid, gid, attr.uid ?? -1, attr.gid ?? -1);
      newMode = (newMode & S_IFMT) | modeAfterChown(newMode & 0o7777, isDir);
    }
    if (attr.mode !== undefined) newMode = (newMode & S_IFMT) | chmodResult(cred, uid, gid, attr.mode);
    if (attr.atimeSec !== undefined || attr.mtimeSec !== undefined) checkSetTimes(cred, mode, uid, gid, attr.timesNow === true);

    // All checks passed: apply.
    const st = fs.st;
    const seg = ino >>> 20;
    if (attr.size !== undefined) {
      const old = st.f64s[seg]![ifw(ino) + F_SIZE]!;
      if (attr.size < old) pmTruncate(st, ino, attr.size);
      else if (attr.size > old) pmZeroTail(st, ino, old, attr.size);
      putF64(st, seg, ifw(ino) + F_SIZE, attr.size);
      touch(fs, ino, T_MTIME);
    }
    if (attr.uid !== undefined && attr.uid !== -1) put(st, seg, b + I_UID, attr.uid);
    if (attr.gid !== undefined && attr.gid !== -1) put(st, seg, b + I_GID, attr.gid);
    if (attr.flags !== undefined) put(st, seg, b + I_FLAGS, attr.flags);
    put(st, seg, b + I_MODE, newMode);
    if (attr.atimeSec !== undefined) setTimes(fs, ino, T_ATIME, attr.atimeSec, attr.atimeNsec ?? 0);
    if (attr.mtimeSec !== undefined) setTimes(fs, ino, T_MTIME, attr.mtimeSec, attr.mtimeNsec ?? 0);
    touch(fs, ino, T_CTIME);
  } finally {
    fs.unlock(vp);
  }
}

function whiteout(dvp: Vnode, name: string, nameLen: number, op: WhiteoutOp): void {
  const fs = tfs(dvp);
  fs.lock(dvp, true);
  try {
    const de = dirLookup(fs.st, dvp.ino, name, nameLen);
    if (op === WhiteoutOp.Create) {
      if (de !== 0) throw fail('EEXIST');
      dirInsert(fs.st, dvp.ino, name, nameLen, 0, DType.Wht);
    } else {
      if (de === 0 || direntType(fs.st, de) !== DType.Wht) throw fail('ENOENT');
      dirRemove(fs.st, dvp.ino, de);
    }
    touch(fs, dvp.ino, T_MTIME | T_CTIME);
  } finally {
    fs.unlock(dvp);
  }
}

function inactive(vp: Vnode): void {
  const fs = tfs(vp);
  const w = words(fs, vp.ino);
  if (w[iw(vp.ino) + 4 /* I_GEN */] !== vp.gen) return;
  reclaimIfUnused(fs, vp.ino);
}

// ---------------------------------------------------------------- vectors

const attrOps = { access, getattr, setattr, inactive, pathconf, advlock } satisfies VopVector;

export const dirOps = completeVector({
  ...attrOps,
  lookup,
  readdir,
  create,
  mkdir,
  symlink,
  link,
  remove,
  rmdir,
  rename,
  whiteout,
});

export const regOps = completeVector({
  ...attrOps,
  read: regRead,
  write: regWrite,
  fsync: regFsync,
  seekhole: regSeekhole,
});

export const lnkOps = completeVector({ ...attrOps, readlink });

export const fifoOps = completeVector({ ...attrOps, open: fifoOpen, close: fifoClose, read: fifoRead, write: fifoWrite });

export const specOps = completeVector({ ...attrOps, open: specOpen, read: specRead, write: specWrite });

export const sockOps = completeVector({ ...attrOps, open: sockOpen });

export const noOps = completeVector({});

export { NAME_MAX, PATH_MAX };
