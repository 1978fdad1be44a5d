/**
 * System calls on attributes: stat, access, readlink, statfs, pathconf, and
 * the setattr family (chmod, chown, utimes, truncate, chflags).
 */

import { F_OK, R_OK, UTIME_NOW, UTIME_OMIT, W_OK, X_OK } from '../constants.js';
import { fail } from '../errno.js';
import { VType, type VAttr, type Vnode } from '../vnode/vnode.js';
import { vopMutate } from '../vnode/vops.js';
import { checkAccessMode } from './access.js';
import { toTimespec } from './clock.js';
import type { Mount } from './mount.js';
import { Lookup, Nameidata, namei, readlinkOf } from './namei.js';
import type { Proc } from './proc.js';
import { St, type Cred, type StatBuf, type StatFs } from './sys.js';
import { restartable, type Op } from './wait.js';

/**
 * getattr with the mount's device number: an optimistic read, kept if the
 * node did not change meanwhile, else a read under the shared lock.
 */
export function getattr(vp: Vnode, out: StatBuf): void {
  const fs = vp.mount.fs;
  const seq = fs.readBegin(vp);
  let done = false;
  if (seq >= 0) {
    try {
      vp.ops.getattr(vp, out);
      done = fs.readValid(vp, seq);
    } catch {
      // a torn read: read again under the lock
    }
  }
  if (!done) {
    fs.lock(vp, false);
    try {
      vp.ops.getattr(vp, out);
    } finally {
      fs.unlock(vp);
    }
  }
  out[St.Dev] = (vp.mount as Mount).dev;
}

/** VOP_ACCESS, optimistically (then under the shared lock if a writer got in the way). */
export function checkAccessOf(vp: Vnode, mode: number, cred: Cred): void {
  const fs = vp.mount.fs;
  const seq = fs.readBegin(vp);
  if (seq >= 0) {
    let failure: unknown = undefined;
    try {
      vp.ops.access(vp, mode, cred);
    } catch (e) {
      failure = e;
    }
    if (fs.readValid(vp, seq)) {
      if (failure !== undefined) throw failure;
      return;
    }
  }
  fs.lock(vp, false);
  try {
    vp.ops.access(vp, mode, cred);
  } finally {
    fs.unlock(vp);
  }
}

export function stat(p: Proc, path: string, out: StatBuf, follow: boolean): void {
  const nd = p.nd;
  namei(p, path, follow ? Lookup.Follow : 0, nd);
  getattr(nd.vp!, out);
}

export function fstat(p: Proc, fd: number, out: StatBuf): void {
  getattr(p.file(fd).vp, out);
}

export function exists(p: Proc, path: string): boolean {
  try {
    namei(p, path, Lookup.Follow, p.nd);
  } catch {
    return false;
  }
  return true;
}

export function access(p: Proc, path: string, mode: number): void {
  checkAccessMode(mode);
  const nd = p.nd;
  namei(p, path, Lookup.Follow, nd);
  const vp = nd.vp!;
  if ((mode & W_OK) !== 0 && (vp.mount as Mount).readonly && isStorage(vp)) throw fail('EROFS');
  if (mode !== F_OK) checkAccessOf(vp, mode & (R_OK | W_OK | X_OK), p.cred);
}

/** Regular files, directories and symlinks live in the file system; devices and FIFOs do not. */
export function isStorage(vp: Vnode): boolean {
  return vp.type === VType.Reg || vp.type === VType.Dir || vp.type === VType.Lnk;
}

export function readlink(p: Proc, path: string): string {
  const nd = p.nd;
  namei(p, path, 0, nd);
  const vp = nd.vp!;
  if (vp.type !== VType.Lnk) throw fail('EINVAL');
  return readlinkOf(vp);
}

export function statfs(p: Proc, path: string): StatFs {
  const nd = p.nd;
  namei(p, path, Lookup.Follow, nd);
  const s = nd.vp!.mount.fs.statfs();
  if ((nd.vp!.mount as Mount).readonly) s.flags |= 1; // ST_RDONLY
  return s;
}

export function pathconf(p: Proc, path: string, name: number): number {
  const nd = p.nd;
  namei(p, path, Lookup.Follow, nd);
  return nd.vp!.ops.pathconf(nd.vp!, name);
}

export function fpathconf(p: Proc, fd: number, name: number): number {
  const vp = p.file(fd).vp;
  return vp.ops.pathconf(vp, name);
}

// ------------------------------------------------------------ changes

/**
 * Resolve a path for an attribute change, keeping its directory and name
 * for watch events. => nd.vp referenced (never null), nd.dvp referenced.
 */
function resolveTarget(p: Proc, path: string, follow: boolean, nd: Nameidata): Vnode {
  namei(p, path, Lookup.Parent | (follow ? Lookup.Follow : 0), nd);
  const vp = nd.vp;
  if (vp === null) throw fail('ENOENT');
  if (nd.trailingSlash && vp.type !== VType.Dir) throw fail('ENOTDIR');
  return vp;
}

function* setattrPath(p: Proc, path: string, follow: boolean, va: VAttr, precheck?: (vp: Vnode) => void): Op<void> {
  const nd = new Nameidata();
  const vp = yield* restartable(() => resolveTarget(p, path, follow, nd));
  if ((vp.mount as Mount).readonly) throw fail('EROFS');
  if (precheck !== undefined) yield* restartable(() => precheck(vp));
  yield* vopMutate('setattr', vp, va, p.cred);
  p.kernel.watch.emit(vp, 'change', nd.name);
  if (nd.dvp !== null) p.kernel.watch.emit(nd.dvp, 'change', nd.name);
}

function* setattrFd(p: Proc, fd: number, va: VAttr): Op<void> {
  const file = p.file(fd);
  const vp = file.vp;
  if ((vp.mount as Mount).readonly) throw fail('EROFS');
  yield* vopMutate('setattr', vp, va, p.cred);
  p.kernel.watch.emit(vp, 'change', file.name);
  if (file.dirVp !== null) p.kernel.watch.emit(file.dirVp, 'change', file.name);
}

export function chmod(p: Proc, path: string, mode: number, follow: boolean): Op<void> {
  return setattrPath(p, path, follow, { mode: mode & 0o7777 });
}

export function fchmod(p: Proc, fd: number, mode: number): Op<void> {
  return setattrFd(p, fd, { mode: mode & 0o7777 });
}

export function chown(p: Proc, path: string, uid: number, gid: number, follow: boolean): Op<void> {
  return setattrPath(p, path, follow, { uid, gid });
}

export function fchown(p: Proc, fd: number, uid: number, gid: number): Op<void> {
  return setattrFd(p, fd, { uid, gid });
}

export function chflags(p: Proc, path: string, flags: number): Op<void> {
  return setattrPath(p, path, true, { flags: flags >>> 0 });
}

/** Build the VAttr for utimensat-style times (UTIME_NOW, UTIME_OMIT in nsec). */
function timesAttr(p: Proc, as: number, an: number, ms: number, mn: number): VAttr | null {
  if (an === UTIME_OMIT && mn === UTIME_OMIT) return null;
  const now = toTimespec(p.kernel.clock.now(), { sec: 0, nsec: 0 });
  const va: VAttr = { timesNow: an === UTIME_NOW && mn === UTIME_NOW };
  if (an !== UTIME_OMIT) {
    va.atimeSec = an === UTIME_NOW ? now.sec : as;
    va.atimeNsec = an === UTIME_NOW ? now.nsec : an;
  }
  if (mn !== UTIME_OMIT) {
    va.mtimeSec = mn === UTIME_NOW ? now.sec : ms;
    va.mtimeNsec = mn === UTIME_NOW ? now.nsec : mn;
  }
  return va;
}

export function* utimes(p: Proc, path: string, as: number, an: number, ms: number, mn: number, follow: boolean): Op<void> {
  const va = timesAttr(p, as, an, ms, mn);
  if (va === null) {
    const nd = new Nameidata();
    yield* restartable(() => resolveTarget(p, path, follow, nd));
    return;
  }
  yield* setattrPath(p, path, follow, va);
}

export function* futimes(p: Proc, fd: number, as: number, an: number, ms: number, mn: number): Op<void> {
  const va = timesAttr(p, as, an, ms, mn);
  p.file(fd);
  if (va !== null) yield* setattrFd(p, fd, va);
}

export function* truncate(p: Proc, path: string, len: number): Op<void> {
  if (len < 0) throw fail('EINVAL');
  yield* setattrPath(p, path, true, { size: len }, (vp) => {
    if (vp.type === VType.Dir) throw fail('EISDIR');
    if (vp.type !== VType.Reg) throw fail('EINVAL');
    vp.mount.fs.lock(vp, false);
    try {
      vp.ops.access(vp, W_OK, p.cred);
    } finally {
      vp.mount.fs.unlock(vp);
    }
  });
}

export function* ftruncate(p: Proc, fd: number, len: number): Op<void> {
  if (len < 0) throw fail('EINVAL');
  const file = p.file(fd);
  if (!file.writable || file.vp.type !== VType.Reg) throw fail('EINVAL');
  yield* setattrFd(p, fd, { size: len });
}
