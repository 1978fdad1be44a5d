/**
 * Descriptor system calls: open, close, read, write (and vectored forms),
 * lseek, fsync, dup, fallocate, copy_file_range.
 */

import {
  F_UNLCK,
  O_ACCMODE,
  O_APPEND,
  O_CREAT,
  O_DIRECTORY,
  O_EXCL,
  O_NOFOLLOW,
  O_NONBLOCK,
  O_RDONLY,
  O_RDWR,
  O_TRUNC,
  O_WRONLY,
  R_OK,
  SEEK_CUR,
  SEEK_DATA,
  SEEK_END,
  SEEK_HOLE,
  SEEK_SET,
  S_IFREG,
  W_OK,
} from '../constants.js';
import { Errno, fail } from '../errno.js';
import { AdvFlags, AdvOp, VType, type Vnode } from '../vnode/vnode.js';
import { isDefault, vopMutate } from '../vnode/vops.js';
import { checkAccessOf, getattr, isStorage } from './sys-attr.js';
import { OpenFile } from './file.js';
import type { Mount } from './mount.js';
import { Lookup, Nameidata, nameiOp } from './namei.js';
import type { Proc } from './proc.js';
import { St, newStatBuf } from './sys.js';
import { restartable, runSync, type Op } from './wait.js';

const MAX_CREATE_RETRIES = 8;

export function* open(p: Proc, path: string, flags: number, mode: number): Op<number> {
  const creat = (flags & O_CREAT) !== 0;
  const follow = (flags & O_NOFOLLOW) === 0 && !(creat && (flags & O_EXCL) !== 0);
  const nd = new Nameidata();
  let vp: Vnode;
  let created = false;
  for (let attempt = 0; ; attempt++) {
    yield* nameiOp(p, path, (creat ? Lookup.Parent : 0) | (follow ? Lookup.Follow : 0), nd);
    if (creat && nd.trailingSlash) throw fail('EISDIR');
    if (nd.vp !== null) {
      if (creat) {
        if ((flags & O_EXCL) !== 0) throw fail('EEXIST');
        if (nd.vp.type === VType.Dir || nd.name === '.' || nd.name === '..') throw fail('EISDIR');
      }
      vp = nd.vp;
      try {
        p.kernel.vrefCurrent(vp);
      } catch (e) {
        // The node was freed between the lookup and now (its last name was
        // replaced or removed by another thread): the name may well name a
        // new node; look again, as a kernel holding the dentry would not
        // have needed to.
        if (e instanceof Errno && e.code === 'ENOENT' && attempt < MAX_CREATE_RETRIES) continue;
        throw e;
      }
      break;
    }
    const dvp = nd.dvp!;
    if ((dvp.mount as Mount).readonly) throw fail('EROFS');
    try {
      vp = yield* vopMutate('create', dvp, nd.name, nd.nameLen, { type: VType.Reg, mode: S_IFREG | (mode & ~p.umask & 0o7777) }, p.cred);
      created = true;
      p.kernel.watch.emit(dvp, 'rename', nd.name);
      break;
    } catch (e) {
      // Someone else created it between our lookup and our create: look again.
      if (!(e instanceof Errno) || e.code !== 'EEXIST' || (flags & O_EXCL) !== 0 || attempt >= MAX_CREATE_RETRIES) throw e;
    }
  }
  try {
    return yield* finishOpen(p, vp, flags, created, nd.dvp, nd.name);
  } catch (e) {
    p.vrele(vp);
    throw e;
  }
}

/** Checks and set-up once the node is found. => vp referenced; on success the file owns it. */
function* finishOpen(p: Proc, vp: Vnode, flags: number, created: boolean, dirVp: Vnode | null, name: string): Op<number> {
  const acc = flags & O_ACCMODE;
  if (vp.type === VType.Lnk) throw fail('ELOOP'); // O_NOFOLLOW met a symlink
  if ((flags & O_DIRECTORY) !== 0 && vp.type !== VType.Dir) throw fail('ENOTDIR');
  const trunc = (flags & O_TRUNC) !== 0;
  if (vp.type === VType.Dir && (acc !== O_RDONLY || trunc)) throw fail('EISDIR');
  if (!created) {
    if ((vp.mount as Mount).readonly && isStorage(vp) && (acc !== O_RDONLY || trunc)) throw fail('EROFS');
    // Access mode 3 (Linux: "no read, no write", for ioctls) needs read and write permission.
    const want = (acc === O_RDONLY ? R_OK : acc === O_WRONLY ? W_OK : R_OK | W_OK) | (trunc ? W_OK : 0);
    yield* restartable(() => checkAccessOf(vp, want, p.cred));
  }
  const file = new OpenFile(vp, flags & ~(O_CREAT | O_EXCL | O_TRUNC), p.kernel.newFileId(), p.cred, dirVp, name);
  if (!isDefault(vp.ops, 'open')) yield* vp.ops.open(vp, file, p.cred);
  try {
    if (trunc && !created && vp.type === VType.Reg) {
      yield* vopMutate('setattr', vp, { size: 0 }, p.cred);
      p.kernel.watch.emit(vp, 'change', name);
      if (dirVp !== null) p.kernel.watch.emit(dirVp, 'change', name);
    }
    const fd = p.fds.alloc(file);
    p.kernel.hold(vp);
    return fd;
  } catch (e) {
    yield* vp.ops.close(vp, file);
    throw e;
  }
}

export function* close(p: Proc, fd: number): Op<void> {
  const file = p.fds.remove(fd);
  yield* releaseFile(p, file);
}

/** Drop one descriptor's hold on a description; the last one closes it. */
export function* releaseFile(p: Proc, file: OpenFile): Op<void> {
  const vp = file.vp;
  if (p.lockedVnodes.has(vp)) {
    // POSIX: closing any descriptor of a file drops the process's record locks on it.
    p.lockedVnodes.delete(vp);
    yield* vp.ops.advlock(vp, p.pid, AdvOp.SetLk, { type: F_UNLCK, start: 0, end: Infinity }, AdvFlags.Posix);
  }
  if (--file.refs > 0) return;
  if (file.shared !== null) {
    const { last, flockedAny } = file.shared.release(file.flocked);
    if (!last) {
      // Other threads still hold the description: only this thread's hold on the node goes.
      p.kernel.unhold(vp);
      yield* p.kernel.vreleOp(vp);
      return;
    }
    file.flocked = flockedAny;
  }
  try {
    if (file.flocked) yield* vp.ops.advlock(vp, file.id, AdvOp.SetLk, { type: F_UNLCK, start: 0, end: Infinity }, AdvFlags.Flock);
    if (!isDefault(vp.ops, 'close')) yield* vp.ops.close(vp, file);
  } finally {
    p.kernel.unhold(vp);
  }
  yield* p.kernel.vreleOp(vp);
}

function readable(p: Proc, fd: number): OpenFile {
  const file = p.file(fd);
  if (!file.readable) throw fail('EBADF');
  if (file.vp.type === VType.Dir) throw fail('EISDIR');
  return file;
}

function writable(p: Proc, fd: number): OpenFile {
  const file = p.file(fd);
  if (!file.writable) throw fail('EBADF');
  return file;
}

function seekable(vp: Vnode): boolean {
  return vp.type === VType.Reg || vp.type === VType.Dir || vp.type === VType.Blk || vp.type === VType.Lnk;
}

export function* read(p: Proc, fd: number, buf: Uint8Array, off: number, len: number, position: number): Op<number> {
  const file = readable(p, fd);
  if (file.shared !== null && position < 0) return yield* underPositionLock(file, readAt(file, buf, off, len, position));
  return yield* readAt(file, buf, off, len, position);
}

/** Run `op` under a shared description's position lock, with its offset and flags copied in and out. */
function* underPositionLock<T>(file: OpenFile, op: Op<T>): Op<T> {
  const shared = file.shared!;
  yield* shared.lock();
  try {
    file.offset = shared.offset;
    file.flags = shared.flags;
    const r = yield* op;
    shared.offset = file.offset;
    return r;
  } finally {
    shared.unlock();
  }
}

function* readAt(file: OpenFile, buf: Uint8Array, off: number, len: number, position: number): Op<number> {
  const vp = file.vp;
  if (position >= 0 && !seekable(vp) && vp.type !== VType.Chr) throw fail('ESPIPE');
  const pos = position >= 0 ? position : file.offset;
  const n = yield* vp.ops.read(vp, file, buf, off, len, pos);
  if (position < 0) file.offset = pos + n;
  return n;
}

export function* write(p: Proc, fd: number, buf: Uint8Array, off: number, len: number, position: number): Op<number> {
  const file = writable(p, fd);
  if (file.shared !== null && (position < 0 || (file.shared.flags & O_APPEND) !== 0)) return yield* underPositionLock(file, writeAt(p, file, buf, off, len, position));
  return yield* writeAt(p, file, buf, off, len, position);
}

function* writeAt(p: Proc, file: OpenFile, buf: Uint8Array, off: number, len: number, position: number): Op<number> {
  const vp = file.vp;
  if (position >= 0 && !seekable(vp) && vp.type !== VType.Chr) throw fail('ESPIPE');
  const append = (file.flags & O_APPEND) !== 0;
  const pos = append ? -1 : position >= 0 ? position : file.offset;
  const n = yield* vp.ops.write(vp, file, buf, off, len, pos);
  if (position < 0 || append) {
    if (vp.type === VType.Reg) file.offset = append ? file.endPos : pos + n;
  }
  if (n > 0 && p.kernel.watch.active) {
    p.kernel.watch.emit(vp, 'change', file.name);
    if (file.dirVp !== null) p.kernel.watch.emit(file.dirVp, 'change', file.name);
  }
  return n;
}

export function* readv(p: Proc, fd: number, bufs: readonly Uint8Array[], position: number): Op<number> {
  let total = 0;
  let pos = position;
  for (const b of bufs) {
    if (b.length === 0) continue;
    const n = yield* read(p, fd, b, 0, b.length, pos);
    total += n;
    if (pos >= 0) pos += n;
    if (n < b.length) break;
  }
  return total;
}

export function* writev(p: Proc, fd: number, bufs: readonly Uint8Array[], position: number): Op<number> {
  // One write of the gathered bytes keeps the call atomic (O_APPEND, FIFOs).
  let buf: Uint8Array;
  if (bufs.length === 1) buf = bufs[0]!;
  else {
    let len = 0;
    for (const b of bufs) len += b.length;
    buf = new Uint8Array(len);
    let at = 0;
    for (const b of bufs) {
      buf.set(b, at);
      at += b.length;
    }
  }
  return yield* write(p, fd, buf, 0, buf.length, position);
}

export function lseek(p: Proc, fd: number, offset: number, whence: number): number {
  const file = p.file(fd);
  const shared = file.shared;
  if (shared === null) return seekTo(file, offset, whence);
  // The position lock may be held by an operation in flight: seek when it is done.
  runSync(shared.lock());
  try {
    file.offset = shared.offset;
    const pos = seekTo(file, offset, whence);
    shared.offset = pos;
    return pos;
  } finally {
    shared.unlock();
  }
}

function seekTo(file: OpenFile, offset: number, whence: number): number {
  const vp = file.vp;
  if (vp.type === VType.Fifo || vp.type === VType.Sock) throw fail('ESPIPE');
  let base: number;
  switch (whence) {
    case SEEK_SET:
      base = 0;
      break;
    case SEEK_CUR:
      base = file.offset;
      break;
    case SEEK_END: {
      const st = newStatBuf();
      getattr(vp, st);
      base = st[St.Size]!;
      break;
    }
    case SEEK_DATA:
    case SEEK_HOLE: {
      if (offset < 0) throw fail('ENXIO');
      vp.mount.fs.lock(vp, false);
      try {
        file.offset = vp.ops.seekhole(vp, offset, whence);
      } finally {
        vp.mount.fs.unlock(vp);
      }
      return file.offset;
    }
    default:
      throw fail('EINVAL');
  }
  const pos = base + offset;
  if (pos < 0 || !Number.isSafeInteger(pos)) throw fail('EINVAL');
  file.offset = pos;
  if (vp.type === VType.Dir) file.dirPos = pos === 0 ? 0 : file.dirPos;
  return pos;
}

export function* fsync(p: Proc, fd: number): Op<void> {
  const file = p.file(fd);
  yield* file.vp.ops.fsync(file.vp, file);
}

/** fcntl(F_SETFL): only O_APPEND and O_NONBLOCK change, as on Linux (for the flags we know). */
export function setFdFlags(p: Proc, fd: number, flags: number): void {
  const file = p.file(fd);
  const settable = O_APPEND | O_NONBLOCK;
  file.flags = (file.flags & ~settable) | (flags & settable);
  if (file.shared !== null) file.shared.flags = file.flags;
}

/** poll(2) on one descriptor. => the ready events, 0 after timeoutMs. */
export function* poll(p: Proc, fd: number, events: number, timeoutMs: number): Op<number> {
  const file = p.file(fd);
  const vp = file.vp;
  return yield* vp.ops.poll(vp, file, events, timeoutMs);
}

export function dup(p: Proc, fd: number): number {
  const file = p.file(fd);
  const nfd = p.fds.alloc(file);
  file.refs++;
  return nfd;
}

export function* fallocate(p: Proc, fd: number, offset: number, len: number): Op<void> {
  if (offset < 0 || len <= 0) throw fail('EINVAL');
  const file = writable(p, fd);
  const vp = file.vp;
  if (vp.type === VType.Fifo) throw fail('ESPIPE');
  if (vp.type !== VType.Reg) throw fail('ENODEV');
  const st = newStatBuf();
  yield* restartable(() => getattr(vp, st));
  // Memory is allocated on write; what posix_fallocate promises here is the size.
  if (offset + len > st[St.Size]!) yield* vopMutate('setattr', vp, { size: offset + len }, p.cred);
}

export function* copyFileRange(p: Proc, fdIn: number, posIn: number, fdOut: number, posOut: number, len: number): Op<number> {
  const src = readable(p, fdIn);
  const dst = writable(p, fdOut);
  if (src.vp.type !== VType.Reg || dst.vp.type !== VType.Reg) throw fail('EINVAL');
  if ((dst.flags & O_APPEND) !== 0) throw fail('EBADF');
  const chunk = new Uint8Array(Math.min(len, 1 << 20));
  let done = 0;
  let inPos = posIn >= 0 ? posIn : src.offset;
  let outPos = posOut >= 0 ? posOut : dst.offset;
  while (done < len) {
    const n = yield* src.vp.ops.read(src.vp, src, chunk, 0, Math.min(chunk.length, len - done), inPos);
    if (n === 0) break;
    let w = 0;
    while (w < n) {
      const m = yield* dst.vp.ops.write(dst.vp, dst, chunk, w, n - w, outPos);
      w += m;
      outPos += m;
    }
    inPos += n;
    done += n;
  }
  if (posIn < 0) src.offset = inPos;
  if (posOut < 0) dst.offset = outPos;
  return done;
}

export { O_RDWR };
