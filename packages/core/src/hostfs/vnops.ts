/**
 * hostfs vnode operations: names and attributes. Each op finds its host
 * objects through resolve.ts (never leaving the root, never following a
 * host symlink), checks the caller's rights with vfs/access.ts against the
 * host's own uid/gid/mode, then asks the host. The host answers every other
 * question (EEXIST, ENOTEMPTY, EXDEV, ...), and its errors keep their codes.
 * Data ops are in io.ts, rename in rename.ts, readdir in readdir.ts,
 * advisory locks in advlock.ts.
 *
 * The host runs as whoever started Node (root, typically, in a sandbox
 * host): permission is decided here, for the VFS caller's credentials. New
 * nodes get the owner and mode the generic rules give (newNodeOwner); when
 * the host process may not give that owner away (it is not root), the node
 * keeps the host's owner.
 *
 * Mutating ops (create .. inactive) run where the VFS runs mutations (the
 * caller in embedded mode, the mount's actor in shared mode).
 */

import {
  LINK_MAX,
  NAME_MAX,
  PATH_MAX,
  PIPE_BUF,
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
import { checkAccess, checkChown, checkSetTimes, checkSticky, chmodResult, modeAfterChown, modeAfterWrite, newNodeOwner } from '../vfs/access.js';
import { St, type Cred, type StatBuf } from '../vfs/sys.js';
import { VType, type VAttr, type Vnode, type VopVector } from '../vnode/vnode.js';
import { completeVector } from '../vnode/vops.js';
import { advlock } from './advlock.js';
import { readdir } from './readdir.js';
import {
  O_CREAT,
  O_DIRECTORY,
  O_EXCL,
  O_NOCTTY,
  O_NOFOLLOW,
  O_NONBLOCK,
  O_PATH,
  O_WRONLY,
  at,
  checkName,
  close,
  fstat,
  host,
  hostError,
  lstat,
  nodeFs,
  open,
  pinned,
  readlinkAt,
  splitNs,
  utimeArg,
  type HostStat,
} from './host.js';
import type { HostFs } from './hostfs.js';
import { hostClose, hostFsync, hostOpen, hostRead, hostSeekhole, hostWrite, specialOpen } from './io.js';
import { sameObject, type HostNode } from './nodes.js';
import { rename } from './rename.js';
import { dirFd, lstatAt, lstatIn, statNode, withPin } from './resolve.js';

export function hfs(vp: Vnode): HostFs {
  return vp.mount.fs as HostFs;
}

export function checkWritableFs(fs: HostFs): void {
  if (fs.readonly) throw fail('EROFS');
}

/** Regular files, directories and symlinks are what a read-only file system protects. */
function isStorage(type: VType): boolean {
  return type === VType.Reg || type === VType.Dir || type === VType.Lnk;
}

/** Directory `dir`'s descriptor and attributes (read from the descriptor itself). */
export function openedDir(fs: HostFs, dir: HostNode): { fd: number; st: HostStat } {
  const fd = dirFd(fs, dir);
  return { fd, st: host(() => fstat(fd)) };
}

/** Write and search permission on a directory about to change. */
export function checkDirWritable(cred: Cred, dst: HostStat): void {
  checkAccess(cred, Number(dst.mode), Number(dst.uid), Number(dst.gid), W_OK | X_OK);
}

/** The object now gone from the directory lost a link: forget it if that was its last. */
export function lostLink(fs: HostFs, st: HostStat): void {
  const node = fs.nodes.find(st);
  if (node !== undefined && (st.nlink <= 1n || node.type === VType.Dir)) fs.nodes.detach(node);
}

/** Give a new node the owner the rules chose; a host process that may not (not root) leaves its own. */
function chownBestEffort(path: string, uid: number, gid: number): void {
  try {
    nodeFs.chownSync(path, uid, gid);
  } catch (e) {
    if ((e as { code?: string }).code !== 'EPERM') throw e;
  }
}

// ------------------------------------------------------------------ read ops

function lookup(dvp: Vnode, name: string, _nameLen: number): Vnode | null {
  const fs = hfs(dvp);
  const dir = fs.nodeOf(dvp);
  if (name === '.') return dvp;
  if (name === '..') {
    if (dir.parent === null) return dvp; // never above the mapped root
    dirFd(fs, dir); // the directory is where its record says, so the recorded parent is its parent
    return fs.vnodeFor(dvp, dir.parent);
  }
  if (name.includes('/') || name.includes('\0')) return null;
  const st = lstatIn(fs, dir, name);
  if (st === null || (!fs.subtree && st.isDirectory())) return null;
  return fs.vnodeFor(dvp, fs.nodes.register(st, dir, name));
}

function access(vp: Vnode, mode: number, cred: Cred): void {
  const fs = hfs(vp);
  const node = fs.nodeOf(vp);
  if ((mode & W_OK) !== 0 && fs.readonly && isStorage(node.type)) throw fail('EROFS');
  const st = statNode(fs, node);
  checkAccess(cred, Number(st.mode), Number(st.uid), Number(st.gid), mode);
}

function getattr(vp: Vnode, out: StatBuf): void {
  const fs = hfs(vp);
  const node = fs.nodeOf(vp);
  const st = statNode(fs, node);
  const w = fs.window;
  out[St.Ino] = node.ino;
  out[St.Mode] = Number(st.mode);
  out[St.Nlink] = Number(st.nlink);
  out[St.Uid] = Number(st.uid);
  out[St.Gid] = Number(st.gid);
  out[St.Rdev] = Number(st.rdev);
  out[St.Size] = w !== null && node.parent === null ? w.length : Number(st.size);
  out[St.Blksize] = Number(st.blksize);
  out[St.Blocks] = w !== null && node.parent === null ? Math.ceil(w.length / 512) : Number(st.blocks);
  [out[St.AtimeSec], out[St.AtimeNsec]] = splitNs(st.atimeNs);
  [out[St.MtimeSec], out[St.MtimeNsec]] = splitNs(st.mtimeNs);
  [out[St.CtimeSec], out[St.CtimeNsec]] = splitNs(st.ctimeNs);
  [out[St.BirthtimeSec], out[St.BirthtimeNsec]] = splitNs(st.birthtimeNs);
  out[St.Flags] = 0;
}

/**
 * The target string, as stored on the host. The VFS resolves it in its own
 * namespace: an absolute target means the VFS's path, never the host's.
 * Node has no readlinkat(fd, ""), so the name is read between two identity
 * checks: a symlink's target never changes in place, so if the name held
 * this very link before and after, the target read is its target.
 */
function readlink(vp: Vnode): string {
  const fs = hfs(vp);
  const node = fs.nodeOf(vp);
  if (node.parent === null) throw fail('EINVAL');
  const d = dirFd(fs, node.parent);
  const path = at(d, node.name);
  const held = (): boolean => {
    const st = lstatAt(d, node.name);
    return st !== null && sameObject(node, st);
  };
  if (!held()) throw fail('ENOENT');
  let target: string;
  try {
    target = readlinkAt(path);
  } catch (e) {
    const code = (e as { code?: string }).code;
    throw code === 'EINVAL' || code === 'ENOENT' ? fail('ENOENT') : hostError(e);
  }
  if (!held()) throw fail('ENOENT');
  return target;
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
 * Regular files only. FIFOs, devices and sockets: EPERM, Linux's answer
 * from a file system that cannot make them (vfs_mknod without a mknod op),
 * after the permission checks as there.
 */
function create(dvp: Vnode, name: string, _nameLen: number, attr: VAttr, cred: Cred): Vnode {
  const fs = hfs(dvp);
  checkWritableFs(fs);
  const dir = fs.nodeOf(dvp);
  checkName(name);
  const { fd: d, st: dst } = openedDir(fs, dir);
  checkDirWritable(cred, dst);
  if ((attr.type ?? VType.Reg) !== VType.Reg) throw fail('EPERM');
  const [uid, gid, mode] = newNodeOwner(cred, Number(dst.mode), Number(dst.gid), false, (attr.mode ?? 0o644) & 0o7777);
  const fd = host(() => open(at(d, name), O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY, 0o600));
  let st: HostStat;
  try {
    st = host(() => {
      chownBestEffort(pinned(fd), uid, gid);
      nodeFs.fchmodSync(fd, mode); // exact: the host's umask does not apply
      return fstat(fd);
    });
  } catch (e) {
    undo(() => nodeFs.unlinkSync(at(d, name)));
    throw e;
  } finally {
    close(fd);
  }
  const vp = fs.vnodeFor(dvp, fs.nodes.register(st, dir, name));
  fs.ref(vp);
  return vp;
}

/** Undo part of a failed op; the original error is what the caller reports. */
function undo(fn: () => void): void {
  try {
    fn();
  } catch {
    // nothing better to do
  }
}

/** With subtree: false no directory is visible, so none can be made: EPERM. */
function mkdir(dvp: Vnode, name: string, _nameLen: number, attr: VAttr, cred: Cred): void {
  const fs = hfs(dvp);
  checkWritableFs(fs);
  const dir = fs.nodeOf(dvp);
  checkName(name);
  const { fd: d, st: dst } = openedDir(fs, dir);
  checkDirWritable(cred, dst);
  if (!fs.subtree) throw fail('EPERM');
  const [uid, gid, mode] = newNodeOwner(cred, Number(dst.mode), Number(dst.gid), true, (attr.mode ?? 0o777) & 0o7777);
  host(() => nodeFs.mkdirSync(at(d, name), 0o700));
  try {
    const st = pinNew(at(d, name), O_DIRECTORY, (p) => {
      chownBestEffort(p, uid, gid);
      nodeFs.chmodSync(p, mode);
    });
    fs.nodes.register(st, dir, name);
  } catch (e) {
    undo(() => nodeFs.rmdirSync(at(d, name)));
    throw e;
  }
}

/**
 * Pin what was just made at `path` (O_PATH | O_NOFOLLOW, so a host process
 * that swapped it for a symlink meanwhile gets ELOOP, not our chmod), run
 * `fn` on `/proc/self/fd/<pin>`, and return its attributes.
 */
function pinNew(path: string, extra: number, fn: (p: string) => void): HostStat {
  return host(() => {
    const fd = open(path, O_PATH | O_NOFOLLOW | extra);
    try {
      fn(pinned(fd));
      return fstat(fd);
    } finally {
      close(fd);
    }
  });
}

/** A real host symlink holding `target` verbatim; only the VFS ever resolves it (in its own namespace). */
function symlink(dvp: Vnode, name: string, _nameLen: number, target: string, _attr: VAttr, cred: Cred): void {
  const fs = hfs(dvp);
  checkWritableFs(fs);
  const dir = fs.nodeOf(dvp);
  checkName(name);
  const { fd: d, st: dst } = openedDir(fs, dir);
  checkDirWritable(cred, dst);
  const [uid, gid] = newNodeOwner(cred, Number(dst.mode), Number(dst.gid), false, 0);
  host(() => nodeFs.symlinkSync(target, at(d, name)));
  try {
    const st = pinNew(at(d, name), 0, (p) => chownBestEffort(p, uid, gid));
    fs.nodes.register(st, dir, name);
  } catch (e) {
    undo(() => nodeFs.unlinkSync(at(d, name)));
    throw e;
  }
}

function link(dvp: Vnode, vp: Vnode, name: string, _nameLen: number, cred: Cred): void {
  const fs = hfs(dvp);
  checkWritableFs(fs);
  if (vp.type === VType.Dir) throw fail('EPERM');
  const dir = fs.nodeOf(dvp);
  const node = fs.nodeOf(vp);
  checkName(name);
  if (node.parent === null) throw fail('EXDEV'); // a mapped file has no directory to link from
  const { fd: d, st: dst } = openedDir(fs, dir);
  checkDirWritable(cred, dst);
  const s = dirFd(fs, node.parent);
  host(() => {
    // link(2) does not follow a symlink in its source either.
    if (!sameObject(node, lstat(at(s, node.name)))) throw fail('ENOENT');
    nodeFs.linkSync(at(s, node.name), at(d, name));
  });
}

/** Shared body of remove and rmdir. */
function unlinkEntry(dvp: Vnode, name: string, cred: Cred, wantDir: boolean): void {
  const fs = hfs(dvp);
  checkWritableFs(fs);
  const dir = fs.nodeOf(dvp);
  checkName(name);
  const { fd: d, st: dst } = openedDir(fs, dir);
  const st = lstatAt(d, name);
  if (st === null || (!fs.subtree && st.isDirectory())) throw fail('ENOENT');
  if (wantDir && !st.isDirectory()) throw fail('ENOTDIR');
  if (!wantDir && st.isDirectory()) throw fail('EISDIR');
  checkDirWritable(cred, dst);
  checkSticky(cred, Number(dst.mode), Number(dst.uid), Number(st.uid));
  const known = fs.nodes.find(st);
  if (wantDir && known !== undefined && fs.isMountpoint(known.ino)) throw fail('EBUSY');
  host(() => (wantDir ? nodeFs.rmdirSync(at(d, name)) : nodeFs.unlinkSync(at(d, name))));
  lostLink(fs, st);
}

function remove(dvp: Vnode, name: string, _nameLen: number, cred: Cred): void {
  unlinkEntry(dvp, name, cred, false);
}

function rmdir(dvp: Vnode, name: string, _nameLen: number, cred: Cred): void {
  unlinkEntry(dvp, name, cred, true);
}

/**
 * Change attributes: every requested change is checked first (the generic
 * rules, against the host's attributes), then made on a pin of the node.
 * Not supported: file flags (chflags: EOPNOTSUPP) and modes of symlinks
 * (Linux: EOPNOTSUPP). Times reach the host with microsecond precision
 * (Node's utimes takes seconds as a double and libuv keeps microseconds).
 * A window's size cannot change: truncating to its length does nothing,
 * to any other size is EINVAL.
 */
function setattr(vp: Vnode, attr: VAttr, cred: Cred): void {
  const fs = hfs(vp);
  checkWritableFs(fs);
  const node = fs.nodeOf(vp);
  if (attr.flags !== undefined) throw fail('EOPNOTSUPP');
  withPin(fs, node, ({ fd, st }) => {
    const mode = Number(st.mode) & 0o7777;
    const uid = Number(st.uid);
    const gid = Number(st.gid);
    const isDir = node.type === VType.Dir;
    const chown = attr.uid !== undefined || attr.gid !== undefined;
    const times = attr.atimeSec !== undefined || attr.mtimeSec !== undefined;
    let newMode = mode;
    if (attr.size !== undefined) {
      if (isDir) throw fail('EISDIR');
      if (node.type !== VType.Reg) throw fail('EINVAL');
      if (fs.window !== null && attr.size !== fs.window.length) throw fail('EINVAL');
      newMode = modeAfterWrite(cred, newMode);
    }
    if (chown) {
      checkChown(cred, uid, gid, attr.uid ?? -1, attr.gid ?? -1);
      newMode = modeAfterChown(newMode, isDir);
    }
    if (attr.mode !== undefined) {
      if (node.type === VType.Lnk) throw fail('EOPNOTSUPP');
      newMode = chmodResult(cred, uid, gid, attr.mode);
    }
    if (times) checkSetTimes(cred, Number(st.mode), uid, gid, attr.timesNow === true);

    // Every check passed: apply, through the pin (the very object checked).
    const p = pinned(fd);
    if (attr.size !== undefined && fs.window === null) nodeFs.truncateSync(p, attr.size);
    if (chown) nodeFs.chownSync(p, attr.uid ?? -1, attr.gid ?? -1);
    if (node.type !== VType.Lnk && (attr.mode !== undefined || chown || newMode !== mode)) nodeFs.chmodSync(p, newMode);
    if (times) {
      const [as, an] = attr.atimeSec !== undefined ? [attr.atimeSec, attr.atimeNsec ?? 0] : splitNs(st.atimeNs);
      const [ms, mn] = attr.mtimeSec !== undefined ? [attr.mtimeSec, attr.mtimeNsec ?? 0] : splitNs(st.mtimeNs);
      nodeFs.utimesSync(p, utimeArg(as, an), utimeArg(ms, mn));
    }
  });
}

function inactive(vp: Vnode): void {
  const fs = hfs(vp);
  const node = fs.nodes.get(vp.ino);
  if (node === undefined || node.gen !== vp.gen) return;
  if (node.refs === 0 && node.detached) fs.nodes.free(node);
}

// ---------------------------------------------------------------- vectors

const attrOps = { access, getattr, setattr, inactive, pathconf } satisfies VopVector;

export const dirOps = completeVector({ ...attrOps, lookup, readdir, create, mkdir, symlink, link, remove, rmdir, rename });

export const regOps = completeVector({
  ...attrOps,
  open: hostOpen,
  close: hostClose,
  read: hostRead,
  write: hostWrite,
  fsync: hostFsync,
  seekhole: hostSeekhole,
  advlock,
});

export const lnkOps = completeVector({ ...attrOps, readlink });

/** Host FIFOs, sockets and devices: visible with their attributes, not usable (open: EOPNOTSUPP). */
export const specialOps = completeVector({ ...attrOps, open: specialOpen });

export const noOps = completeVector({});

