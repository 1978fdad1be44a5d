/**
 * tmpfs rename: the hardest op, in a file of its own (as in NetBSD).
 *
 * rename(fdvp/fname -> tdvp/tname), full POSIX semantics:
 * - the source keeps its inode; a replaced target loses one link (and is
 *   freed if that was its last link and nobody holds it open);
 * - a directory may only replace an empty directory (ENOTEMPTY) and a
 *   non-directory only a non-directory (EISDIR / ENOTDIR);
 * - a directory cannot move into its own subtree (EINVAL);
 * - two names of the same inode: success, nothing changes;
 * - moving a directory to another parent rewrites its "..", so it needs
 *   write permission on the directory itself, and moves a link count from
 *   the old parent to the new one;
 * - sticky directories guard both the source and a replaced target.
 *
 * => fdvp and tdvp unlocked on entry and return. The caller (VFS) has ruled
 *    out "." and ".." as last components, crossing mounts, and long names.
 *    Runs on the mount's actor, so the namespace cannot change under it:
 *    checks read without locks; the change itself is made with all four
 *    vnodes locked exclusively in the global lock order, so a reader sees
 *    the old state or the new one, never a mix.
 */

import { LINK_MAX, SF_APPEND, SF_IMMUTABLE, UF_APPEND, UF_IMMUTABLE, W_OK, X_OK } from '../constants.js';
import { fail } from '../errno.js';
import { DType, dirInsert, dirLookup, dirRemove, direntIno, direntSetIno, direntType } from '../store/dirtab.js';
import { D_COUNT, D_PARENT, I_FLAGS, I_GID, I_IFLAGS, I_MODE, I_NLINK, I_UID, IF_MOUNTPOINT, iw } from '../store/inode.js';
import { bump, put } from '../store/journal.js';
import { checkAccess } from '../vfs/access.js';
import type { Cred } from '../vfs/sys.js';
import { VType, type Vnode } from '../vnode/vnode.js';
import { T_CTIME, T_MTIME, reclaimIfUnused, touch } from './subr.js';
import type { Tmpfs } from './tmpfs.js';
import { checkRemovable } from './vnops.js';

export function rename(fdvp: Vnode, tdvp: Vnode, fname: string, fnameLen: number, tname: string, tnameLen: number, cred: Cred): void {
  const fs = fdvp.mount.fs as Tmpfs;
  const st = fs.st;
  const fde = liveEntry(fs, fdvp.ino, fname, fnameLen);
  if (fde === 0) throw fail('ENOENT');
  const fvp = fs.vget(fdvp.mount, direntIno(st, fde))!;
  const tde = liveEntry(fs, tdvp.ino, tname, tnameLen);
  const tvp = tde === 0 ? null : fs.vget(tdvp.mount, direntIno(st, tde));

  checkDir(fs, fdvp.ino, cred);
  if (tdvp.ino !== fdvp.ino) checkDir(fs, tdvp.ino, cred);
  const fIsDir = fvp.type === VType.Dir;
  const moving = fIsDir && tdvp.ino !== fdvp.ino;
  // A directory cannot move into its own subtree, and a directory that
  // contains the source cannot be replaced by it: both before anything about
  // the target's type (Linux's "trap" checks).
  if (moving && isAncestor(fs, fvp.ino, tdvp.ino)) throw fail('EINVAL');
  if (tvp !== null && tvp.type === VType.Dir && tdvp.ino !== fdvp.ino && isAncestor(fs, tvp.ino, fdvp.ino)) throw fail('ENOTEMPTY');
  if (tvp !== null && tvp.ino === fvp.ino) return; // two names of one inode: POSIX says do nothing
  checkRemovable(fs, fdvp.ino, fvp.ino, cred);
  if (tvp !== null) checkRemovable(fs, tdvp.ino, tvp.ino, cred);

  if (tvp !== null) {
    const tIsDir = tvp.type === VType.Dir;
    if (fIsDir && !tIsDir) throw fail('ENOTDIR');
    if (!fIsDir && tIsDir) throw fail('EISDIR');
    if (tIsDir) {
      if (isMountpoint(fs, tvp.ino)) throw fail('EBUSY');
      if (word(fs, tvp.ino, D_COUNT) !== 0) throw fail('ENOTEMPTY');
    }
  }
  if (fIsDir) {
    if (isMountpoint(fs, fvp.ino)) throw fail('EBUSY');
    if (moving) {
      // Its ".." changes: the directory itself must be writable.
      const w = fs.st.i32s[fvp.ino >>> 20]!;
      const b = iw(fvp.ino);
      checkAccess(cred, w[b + I_MODE]!, w[b + I_UID]!, w[b + I_GID]!, W_OK);
      if (tvp === null && word(fs, tdvp.ino, I_NLINK) >= LINK_MAX) throw fail('EMLINK');
    }
  }

  const locked = lockAll(fs, [fdvp, tdvp, fvp, tvp]);
  try {
    if (tvp !== null) {
      // Point the target's entry at the source: the name never disappears.
      direntSetIno(st, tde, fvp.ino, fvp.type as number as DType);
      if (tvp.type === VType.Dir) {
        setWord(fs, tvp.ino, I_NLINK, 0);
        addWord(fs, tdvp.ino, I_NLINK, -1); // the replaced directory's ".."
      } else {
        addWord(fs, tvp.ino, I_NLINK, -1);
      }
      touch(fs, tvp.ino, T_CTIME);
    } else {
      // A whiteout of the same name gives way to the real entry.
      const wh = dirLookup(st, tdvp.ino, tname, tnameLen);
      if (wh !== 0) dirRemove(st, tdvp.ino, wh);
      dirInsert(st, tdvp.ino, tname, tnameLen, fvp.ino, fvp.type as number as DType);
    }
    dirRemove(st, fdvp.ino, fde);
    if (moving) {
      addWord(fs, fdvp.ino, I_NLINK, -1);
      addWord(fs, tdvp.ino, I_NLINK, 1);
      setWord(fs, fvp.ino, D_PARENT, tdvp.ino);
    }
    touch(fs, fdvp.ino, T_MTIME | T_CTIME);
    if (tdvp.ino !== fdvp.ino) touch(fs, tdvp.ino, T_MTIME | T_CTIME);
    touch(fs, fvp.ino, T_CTIME);
  } finally {
    for (let i = locked.length - 1; i >= 0; i--) fs.unlock(locked[i]!);
  }
  if (tvp !== null) reclaimIfUnused(fs, tvp.ino);
}

function liveEntry(fs: Tmpfs, dir: number, name: string, len: number): number {
  const de = dirLookup(fs.st, dir, name, len);
  return de !== 0 && direntType(fs.st, de) !== DType.Wht ? de : 0;
}

function word(fs: Tmpfs, ino: number, field: number): number {
  return fs.st.i32s[ino >>> 20]![iw(ino) + field]!;
}

function isMountpoint(fs: Tmpfs, ino: number): boolean {
  return (word(fs, ino, I_IFLAGS) & IF_MOUNTPOINT) !== 0;
}

function checkDir(fs: Tmpfs, dir: number, cred: Cred): void {
  if (word(fs, dir, I_NLINK) === 0) throw fail('ENOENT');
  const w = fs.st.i32s[dir >>> 20]!;
  const b = iw(dir);
  checkAccess(cred, w[b + I_MODE]!, w[b + I_UID]!, w[b + I_GID]!, W_OK | X_OK);
  if ((w[b + I_FLAGS]! & (UF_IMMUTABLE | SF_IMMUTABLE | UF_APPEND | SF_APPEND)) !== 0) throw fail('EPERM');
}

/** Is `ancestor` on the ".." chain from `dir` up to the root? */
function isAncestor(fs: Tmpfs, ancestor: number, dir: number): boolean {
  let d = dir;
  for (let depth = 0; depth < 1 << 20; depth++) {
    if (d === ancestor) return true;
    const parent = word(fs, d, D_PARENT);
    if (parent === d || parent === 0) return false;
    d = parent;
  }
  throw fail('ELOOP');
}

function setWord(fs: Tmpfs, ino: number, field: number, value: number): void {
  put(fs.st, ino >>> 20, iw(ino) + field, value);
}

function addWord(fs: Tmpfs, ino: number, field: number, delta: number): void {
  bump(fs.st, ino >>> 20, iw(ino) + field, delta);
}

/** Lock distinct vnodes exclusively in the global order; returns them in locking order. */
function lockAll(fs: Tmpfs, vps: (Vnode | null)[]): Vnode[] {
  const list: Vnode[] = [];
  for (const vp of vps) if (vp !== null && !list.some((v) => v.ino === vp.ino)) list.push(vp);
  list.sort((a, b) => (a.type === VType.Dir ? 0 : 1) - (b.type === VType.Dir ? 0 : 1) || a.ino - b.ino);
  const locked: Vnode[] = [];
  try {
    for (const vp of list) {
      fs.lock(vp, true);
      locked.push(vp);
    }
  } catch (e) {
    for (let i = locked.length - 1; i >= 0; i--) fs.unlock(locked[i]!);
    throw e;
  }
  return locked;
}
