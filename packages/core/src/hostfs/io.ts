/**
 * hostfs open files: one host descriptor per open file description, kept in
 * FileRef.data, opened on the node's very object (O_NOFOLLOW, identity
 * checked on the descriptor) and used with pread/pwrite at the positions the
 * VFS gives.
 *
 * - O_APPEND opens the host descriptor with O_APPEND, so appends are atomic
 *   on the host too; the new end (for the file offset) is the size right
 *   after the write.
 * - Windows: node byte i is host byte offset + i, for i < length. Reads stop
 *   at the window's end (EOF there); a write that starts at or past it is
 *   ENOSPC (the window is a fixed-size medium, like a block device), a write
 *   that straddles it is cut short there; appends start at the end and so
 *   are ENOSPC. Nothing outside the window is ever read or written.
 * - Write by a non-root caller clears set-id bits as Linux does (the host
 *   process, root, would not).
 * - Host descriptors are opened O_NONBLOCK | O_NOCTTY: should a host process
 *   swap the file for a FIFO, the open cannot hang (the identity check then
 *   refuses it).
 *
 * => vp unlocked on entry and return; the VFS holds a reference on vp for
 *    as long as the file is open.
 */

import { O_ACCMODE, O_APPEND as VFS_O_APPEND, SEEK_DATA } from '../constants.js';
import { fail } from '../errno.js';
import { modeAfterWrite } from '../vfs/access.js';
import type { Cred } from '../vfs/sys.js';
import type { Op } from '../vfs/wait.js';
import type { FileRef, Vnode } from '../vnode/vnode.js';
import { O_APPEND, O_DSYNC, O_NOCTTY, O_NOFOLLOW, O_NONBLOCK, O_RDONLY, O_SYNC, at, close, fstat, host, hostError, nodeFs, open, pinned } from './host.js';
import type { HostFs } from './hostfs.js';
import { sameObject, type HostNode } from './nodes.js';
import { dirFd, statNode } from './resolve.js';

/** What an open file keeps (FileRef.data). */
interface OpenHostFile {
  fd: number;
}

function hfs(vp: Vnode): HostFs {
  return vp.mount.fs as HostFs;
}

function fdOf(file: FileRef): number {
  const fd = (file.data as OpenHostFile | undefined)?.fd ?? -1;
  if (fd < 0) throw fail('EBADF');
  return fd;
}

/** Open the node's own object on the host. => ENOENT if it is no longer where it was recorded. */
function openNode(fs: HostFs, node: HostNode, flags: number): number {
  return host(() => {
    let fd: number;
    if (node.parent === null) {
      // The mapped file: reopen the pinned root (the magic link leads to exactly it).
      fd = open(pinned(fs.rootFd), flags);
    } else {
      const d = dirFd(fs, node.parent);
      try {
        fd = open(at(d, node.name), flags | O_NOFOLLOW);
      } catch (e) {
        const code = (e as { code?: string }).code;
        throw code === 'ELOOP' || code === 'ENXIO' ? fail('ENOENT') : e;
      }
    }
    try {
      if (!sameObject(node, fstat(fd))) throw fail('ENOENT');
    } catch (e) {
      close(fd);
      throw e;
    }
    return fd;
  });
}

export function* hostOpen(vp: Vnode, file: FileRef, _cred: Cred): Op<void> {
  const fs = hfs(vp);
  const node = fs.nodeOf(vp);
  const acc = file.flags & O_ACCMODE;
  if (fs.readonly && acc !== O_RDONLY) throw fail('EROFS');
  // Access mode 3 ("neither", for ioctls) cannot read or write: a read-only descriptor serves it.
  let flags = (acc === O_ACCMODE ? O_RDONLY : acc) | O_NONBLOCK | O_NOCTTY | (file.flags & (O_SYNC | O_DSYNC));
  if ((file.flags & VFS_O_APPEND) !== 0 && fs.window === null) flags |= O_APPEND;
  const fd = openNode(fs, node, flags);
  file.data = { fd } satisfies OpenHostFile;
  node.fds.push(fd);
  fs.openFds.add(fd);
}

export function* hostClose(vp: Vnode, file: FileRef): Op<void> {
  const fs = hfs(vp);
  const state = file.data as OpenHostFile | undefined;
  if (state === undefined || state.fd < 0) return;
  const fd = state.fd;
  state.fd = -1;
  const node = fs.nodes.get(vp.ino);
  if (node !== undefined) {
    const i = node.fds.indexOf(fd);
    if (i >= 0) node.fds.splice(i, 1);
  }
  if (fs.openFds.delete(fd)) close(fd);
}

export function* hostRead(vp: Vnode, file: FileRef, buf: Uint8Array, off: number, len: number, pos: number): Op<number> {
  const fs = hfs(vp);
  const fd = fdOf(file);
  if (len === 0) return 0;
  const w = fs.window;
  let at = pos;
  if (w !== null) {
    if (pos >= w.length) return 0;
    len = Math.min(len, w.length - pos);
    at = w.offset + pos;
  }
  return host(() => nodeFs.readSync(fd, buf, off, len, at));
}

export function* hostWrite(vp: Vnode, file: FileRef, buf: Uint8Array, off: number, len: number, pos: number): Op<number> {
  const fs = hfs(vp);
  const fd = fdOf(file);
  if (fs.readonly) throw fail('EROFS');
  const append = (file.flags & VFS_O_APPEND) !== 0 || pos < 0;
  const w = fs.window;
  if (w !== null) {
    if (append) pos = w.length;
    if (len === 0) {
      file.endPos = pos;
      return 0;
    }
    if (pos >= w.length) throw fail('ENOSPC');
    const n = Math.min(len, w.length - pos);
    clearSetId(fd, file.cred);
    const done = host(() => nodeFs.writeSync(fd, buf, off, n, w.offset + pos));
    file.endPos = pos + done;
    return done;
  }
  if (len === 0) {
    file.endPos = append ? sizeOf(fd) : pos;
    return 0;
  }
  clearSetId(fd, file.cred);
  if (append) {
    // The descriptor has O_APPEND: the host writes at its end, atomically.
    const done = host(() => nodeFs.writeSync(fd, buf, off, len, null));
    file.endPos = sizeOf(fd);
    return done;
  }
  const done = host(() => nodeFs.writeSync(fd, buf, off, len, pos));
  file.endPos = pos + done;
  return done;
}

function sizeOf(fd: number): number {
  return Number(host(() => fstat(fd)).size);
}

/** Linux clears set-uid (and set-gid with group-exec) on a write by anyone but root. */
function clearSetId(fd: number, cred: Cred): void {
  if (cred.uid === 0) return;
  host(() => {
    const mode = Number(fstat(fd).mode) & 0o7777;
    if ((mode & 0o6000) === 0) return;
    const next = modeAfterWrite(cred, mode);
    if (next !== mode) nodeFs.fchmodSync(fd, next);
  });
}

export function* hostFsync(_vp: Vnode, file: FileRef): Op<void> {
  const fd = fdOf(file);
  try {
    nodeFs.fsyncSync(fd);
  } catch (e) {
    throw hostError(e);
  }
}

/**
 * SEEK_DATA / SEEK_HOLE without the host's lseek (Node has none): the whole
 * file counts as data, as Linux does for file systems that do not track
 * holes.
 */
export function hostSeekhole(vp: Vnode, pos: number, whence: number): number {
  const fs = hfs(vp);
  const node = fs.nodeOf(vp);
  const size = fs.window !== null && node.parent === null ? fs.window.length : Number(statNode(fs, node).size);
  if (pos >= size) throw fail('ENXIO');
  return whence === SEEK_DATA ? pos : size;
}

/** Host FIFOs, sockets and devices are not opened through the mapping. */
export function* specialOpen(): Op<void> {
  throw fail('EOPNOTSUPP');
}
