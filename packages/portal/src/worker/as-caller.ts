/**
 * Acting on host files as the VFS caller.
 *
 * mount_portal switched its effective ids to the caller's (lose_credentials)
 * before opening anything. A Node thread cannot, and the test process (like
 * many operators) is root, so permissions are decided here by the VFS's own
 * rules (vfs/access.ts, the same ones hostfs applies) on the host's uid, gid
 * and mode, and new files are given to the caller with Linux's rules.
 *
 * The identity check of a non-root mount_portal is kept: when providers act
 * as a non-root identity, a caller who is not that identity (uid and gid)
 * gets EPERM.
 */

import * as nodeFs from 'node:fs';
import type { Stats } from 'node:fs';
import { accessAllowed, fail } from './core.js';
import type { HostSettings, WireCred } from '../protocol/messages.js';

export const R_OK = 4;
export const W_OK = 2;
export const X_OK = 1;

export function mayAccess(cred: WireCred, st: Stats, want: number): boolean {
  return accessAllowed(cred, st.mode, st.uid, st.gid, want);
}

/** lose_credentials: a non-root identity serves only itself. */
export function checkIdentity(settings: HostSettings, cred: WireCred): void {
  const id = settings.identity;
  if (id.uid === 0) return;
  if (cred.uid !== id.uid || cred.gid !== id.gid) throw fail('EPERM');
}

/** May this process give files away (chown)? */
export function canChown(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

/**
 * Open `path` (whose parent directory is `parent`, already searched) for the
 * caller with open(2) `flags`, creating it with `mode` when O_CREAT says so.
 * => a host descriptor, or throws the errno the caller would have got.
 */
export function openAsCaller(path: string, parent: string, flags: number, mode: number, cred: WireCred): number {
  const { O_CREAT, O_EXCL, O_RDONLY, O_WRONLY, O_TRUNC, O_NOFOLLOW, O_NONBLOCK } = nodeFs.constants;
  const O_ACCMODE = 3;
  const st = lstatOrNull(path);
  if (st !== null) {
    if ((flags & O_CREAT) !== 0 && (flags & O_EXCL) !== 0) throw fail('EEXIST');
    if (st.isDirectory()) {
      if ((flags & O_ACCMODE) !== O_RDONLY) throw fail('EISDIR');
    } else if (!st.isFile()) throw fail('EOPNOTSUPP');
    const acc = flags & O_ACCMODE;
    const want = (acc === O_RDONLY ? R_OK : acc === O_WRONLY ? W_OK : R_OK | W_OK) | ((flags & O_TRUNC) !== 0 ? W_OK : 0);
    if (!mayAccess(cred, st, want)) throw fail('EACCES');
    return nodeFs.openSync(path, (flags & ~O_CREAT) | O_NOFOLLOW | O_NONBLOCK);
  }
  if ((flags & O_CREAT) === 0) throw fail('ENOENT');
  const dst = nodeFs.statSync(parent);
  if (!mayAccess(cred, dst, W_OK | X_OK)) throw fail('EACCES');
  const fd = nodeFs.openSync(path, (flags & ~O_TRUNC) | O_EXCL | O_NOFOLLOW | O_NONBLOCK, mode);
  try {
    // The exact mode (this process's umask does not apply), and the caller as owner.
    nodeFs.fchmodSync(fd, mode);
    if (canChown()) nodeFs.fchownSync(fd, cred.uid, (dst.mode & 0o2000) !== 0 ? dst.gid : cred.gid);
  } catch (e) {
    nodeFs.closeSync(fd);
    throw e;
  }
  return fd;
}

export function lstatOrNull(path: string): Stats | null {
  try {
    return nodeFs.lstatSync(path);
  } catch (e) {
    if ((e as { code?: string }).code === 'ENOENT') return null;
    throw e;
  }
}
