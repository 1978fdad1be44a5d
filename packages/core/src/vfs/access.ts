/**
 * Every permission rule, in one place (docs/posix-profile.md says which of
 * the systems' rules we chose, and why: Linux's).
 *
 * File systems call these with the node's attributes; nothing else in the
 * code base decides who may do what.
 */

import { fail } from '../errno.js';
import { R_OK, S_IFDIR, S_IFMT, S_ISGID, S_ISUID, S_ISVTX, S_IXGRP, W_OK, X_OK } from '../constants.js';
import type { Cred } from './sys.js';

export function isRoot(cred: Cred): boolean {
  return cred.uid === 0;
}

/** Is `gid` the caller's group or one of its supplementary groups? */
export function inGroup(cred: Cred, gid: number): boolean {
  if (cred.gid === gid) return true;
  const g = cred.groups;
  for (let i = 0; i < g.length; i++) if (g[i] === gid) return true;
  return false;
}

/**
 * access(2): may `cred` have `want` (an OR of R_OK, W_OK, X_OK) on a node
 * with this mode and owner? Only the first matching class counts: the owner
 * uses the owner bits even when group or other would allow more. Root may
 * read and write anything, and execute anything with at least one x bit
 * (directories: always).
 */
export function accessAllowed(cred: Cred, mode: number, uid: number, gid: number, want: number): boolean {
  if (cred.uid === 0) {
    if ((want & X_OK) === 0 || (mode & S_IFMT) === S_IFDIR) return true;
    return (mode & 0o111) !== 0;
  }
  let bits: number;
  if (cred.uid === uid) bits = (mode >> 6) & 7;
  else if (inGroup(cred, gid)) bits = (mode >> 3) & 7;
  else bits = mode & 7;
  return (bits & want) === want;
}

/** accessAllowed, or EACCES. */
export function checkAccess(cred: Cred, mode: number, uid: number, gid: number, want: number): void {
  if (!accessAllowed(cred, mode, uid, gid, want)) throw fail('EACCES');
}

export function checkAccessMode(want: number): void {
  if ((want & ~(R_OK | W_OK | X_OK)) !== 0) throw fail('EINVAL');
}

/**
 * Sticky directories: in a directory with S_ISVTX, only the entry's owner,
 * the directory's owner or root may remove or replace an entry (EPERM).
 */
export function checkSticky(cred: Cred, dirMode: number, dirUid: number, entryUid: number): void {
  if ((dirMode & S_ISVTX) === 0 || cred.uid === 0) return;
  if (cred.uid === entryUid || cred.uid === dirUid) return;
  throw fail('EPERM');
}

/** Only the owner or root may chmod. => returns the mode to store. */
export function chmodResult(cred: Cred, uid: number, gid: number, newMode: number): number {
  if (cred.uid !== 0 && cred.uid !== uid) throw fail('EPERM');
  let mode = newMode & 0o7777;
  // Linux: an owner who is not in the node's group cannot set S_ISGID (on files and
  // directories alike); the bit is dropped silently.
  if (cred.uid !== 0 && (mode & S_ISGID) !== 0 && !inGroup(cred, gid)) mode &= ~S_ISGID;
  return mode;
}

/**
 * chown: root may set anything. Anyone else must own the file, may "change"
 * the uid only to itself, and may set the group only to one of its groups.
 * A call that changes nothing (-1, -1) is allowed to everyone.
 */
export function checkChown(cred: Cred, uid: number, gid: number, newUid: number, newGid: number): void {
  if (cred.uid === 0) return;
  const uidChange = newUid !== -1 && newUid !== uid;
  const gidChange = newGid !== -1 && newGid !== gid;
  if (newUid === -1 && newGid === -1) return;
  if (cred.uid !== uid) throw fail('EPERM');
  if (uidChange) throw fail('EPERM');
  if (gidChange && !inGroup(cred, newGid)) throw fail('EPERM');
}

/**
 * Set-id bits to clear after a successful chown of a non-directory, by
 * anyone (root too, and even a chown that changes nothing, as Linux does):
 * set-uid always, set-gid when group-exec is set (without group-exec,
 * set-gid marks mandatory locking and stays). Directories keep theirs.
 */
export function modeAfterChown(mode: number, isDir: boolean): number {
  return isDir ? mode : clearSetId(mode);
}

/** Set-id clearing after a write or truncate by a non-root caller. */
export function modeAfterWrite(cred: Cred, mode: number): number {
  if (cred.uid === 0) return mode;
  return clearSetId(mode);
}

function clearSetId(mode: number): number {
  let m = mode & ~S_ISUID;
  if ((mode & S_IXGRP) !== 0) m &= ~S_ISGID;
  return m;
}

/**
 * utimes: explicit times need the owner or root (EPERM); "now" (both times
 * to the current time) is also allowed with write permission (else EACCES).
 */
export function checkSetTimes(cred: Cred, mode: number, uid: number, gid: number, toNow: boolean): void {
  if (cred.uid === 0 || cred.uid === uid) return;
  if (toNow) {
    if (accessAllowed(cred, mode, uid, gid, W_OK)) return;
    throw fail('EACCES');
  }
  throw fail('EPERM');
}

/**
 * Ownership of a new node: uid is the caller's; gid is the parent's when the
 * parent is set-gid (and then a new directory is set-gid too), else the
 * caller's egid. A new non-directory keeps S_ISGID only if the caller is in
 * its group (or root). => returns [uid, gid, mode].
 */
export function newNodeOwner(cred: Cred, parentMode: number, parentGid: number, isDir: boolean, mode: number): [number, number, number] {
  let gid = cred.gid;
  let m = mode;
  if ((parentMode & S_ISGID) !== 0) {
    gid = parentGid;
    if (isDir) m |= S_ISGID;
  }
  if (!isDir && (m & S_ISGID) !== 0 && cred.uid !== 0 && !inGroup(cred, gid)) m &= ~S_ISGID;
  return [cred.uid, gid, m];
}

/** chflags: system flags (high half) need root; user flags need the owner. */
export function checkChflags(cred: Cred, uid: number, oldFlags: number, newFlags: number): void {
  if (cred.uid === 0) return;
  if (cred.uid !== uid) throw fail('EPERM');
  if ((oldFlags & 0xffff0000) !== (newFlags & 0xffff0000)) throw fail('EPERM');
}

/** mknod of device nodes needs root. */
export function checkMknod(cred: Cred, isDevice: boolean): void {
  if (isDevice && cred.uid !== 0) throw fail('EPERM');
}
