/**
 * Whole-file primitives: readFile, writeFile (and appendFile), copyFile,
 * truncate. Each is one generator, driven by runSync for the *Sync form and
 * by runAsync for the promise and callback forms.
 *
 * They make several system calls, so they name the failing one themselves
 * (Node's syscall names: readFile fails in 'open' or 'read', copyFile in
 * 'copyfile' with both paths) and throw a finished VfsError.
 */

import { Buffer } from 'node:buffer';
import { COPYFILE_EXCL, COPYFILE_FICLONE_FORCE, O_CREAT, O_EXCL, O_RDONLY, O_RDWR, O_WRONLY, S_IFMT, S_IFREG } from '../constants.js';
import { VfsError, toVfsError } from '../errno.js';
import { St } from '../vfs/sys.js';
import type { Op } from '../vfs/wait.js';
import type { Ctx } from './ctx.js';
import { codeOf, errCode } from './errors.js';
import { validateInteger } from './validate.js';

/** Node refuses to read files above 2 GiB into one Buffer. */
const IO_MAX = 2 ** 31 - 1;
const UNKNOWN_SIZE_CHUNK = 64 * 1024;
const COPY_CHUNK = 1 << 20;

/** Close a descriptor this primitive opened, after another error: that error wins. */
function* closeQuietly(c: Ctx, fd: number): Op<void> {
  try {
    yield* c.sys.close(fd);
  } catch {
    // the first error is the one to report
  }
}

/** Read all of `fd` from its current offset (regular files: up to the size fstat gives). */
export function* readAllOp(c: Ctx, fd: number): Op<Buffer> {
  const sys = c.sys;
  let size = 0;
  try {
    yield* sys.fstat(fd, c.st);
    if ((c.st[St.Mode]! & S_IFMT) === S_IFREG) size = c.st[St.Size]!;
  } catch (e) {
    throw toVfsError(e, 'fstat');
  }
  if (size > IO_MAX) {
    throw errCode('ERR_FS_FILE_TOO_LARGE', `File size (${size}) is greater than 2 GiB`, 'RangeError');
  }
  try {
    if (size > 0) {
      const buf = Buffer.allocUnsafe(size);
      let pos = 0;
      while (pos < size) {
        const n = yield* sys.read(fd, buf, pos, size - pos, -1);
        if (n === 0) break;
        pos += n;
      }
      return pos < size ? buf.subarray(0, pos) : buf;
    }
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const chunk = Buffer.allocUnsafe(UNKNOWN_SIZE_CHUNK);
      const n = yield* sys.read(fd, chunk, 0, chunk.length, -1);
      if (n === 0) break;
      chunks.push(n < chunk.length ? chunk.subarray(0, n) : chunk);
      total += n;
      if (total > IO_MAX) throw errCode('ERR_FS_FILE_TOO_LARGE', `File size (${total}) is greater than 2 GiB`, 'RangeError');
    }
    return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, total);
  } catch (e) {
    throw toVfsError(e, 'read');
  }
}

/** readFile: open (unless given a descriptor), read everything, close. */
export function* readFileOp(c: Ctx, path: string | number, flags: number): Op<Buffer> {
  if (typeof path === 'number') return yield* readAllOp(c, path);
  let fd: number;
  try {
    fd = yield* c.sys.open(path, flags, 0o666);
  } catch (e) {
    throw toVfsError(e, 'open', path);
  }
  let data: Buffer;
  try {
    data = yield* readAllOp(c, fd);
  } catch (e) {
    yield* closeQuietly(c, fd);
    throw e;
  }
  try {
    yield* c.sys.close(fd);
  } catch (e) {
    throw toVfsError(e, 'close');
  }
  return data;
}

/** Write all of `data` at the descriptor's offset (short writes continue). */
export function* writeAllOp(c: Ctx, fd: number, data: Uint8Array, flush: boolean): Op<void> {
  try {
    let off = 0;
    const len = data.byteLength;
    while (off < len) off += yield* c.sys.write(fd, data, off, len - off, -1);
  } catch (e) {
    throw toVfsError(e, 'write');
  }
  if (flush) {
    try {
      yield* c.sys.fsync(fd);
    } catch (e) {
      throw toVfsError(e, 'fsync');
    }
  }
}

/** writeFile / appendFile: open with `flags` and `mode` (unless given a descriptor), write, close. */
export function* writeFileOp(c: Ctx, path: string | number, data: Uint8Array, flags: number, mode: number, flush: boolean): Op<void> {
  if (typeof path === 'number') return yield* writeAllOp(c, path, data, flush);
  let fd: number;
  try {
    fd = yield* c.sys.open(path, flags, mode & 0o7777);
  } catch (e) {
    throw toVfsError(e, 'open', path);
  }
  try {
    yield* writeAllOp(c, fd, data, flush);
  } catch (e) {
    yield* closeQuietly(c, fd);
    throw e;
  }
  try {
    yield* c.sys.close(fd);
  } catch (e) {
    throw toVfsError(e, 'close');
  }
}

/** Copy `len` bytes between descriptors: in the kernel where it can, else through a buffer. */
function* copyBytes(c: Ctx, fdIn: number, fdOut: number, len: number): Op<void> {
  const sys = c.sys;
  let pos = 0;
  try {
    while (pos < len) {
      const n = yield* sys.copyFileRange(fdIn, pos, fdOut, pos, Math.min(len - pos, 2 ** 30));
      if (n === 0) return;
      pos += n;
    }
    return;
  } catch (e) {
    const code = codeOf(e);
    if (code !== 'EXDEV' && code !== 'ENOSYS' && code !== 'EOPNOTSUPP' && code !== 'EINVAL') throw e;
  }
  const buf = Buffer.allocUnsafe(Math.min(COPY_CHUNK, Math.max(len - pos, 1)));
  for (;;) {
    const n = yield* sys.read(fdIn, buf, 0, buf.length, pos);
    if (n === 0) return;
    let w = 0;
    while (w < n) w += yield* sys.write(fdOut, buf, w, n - w, pos + w);
    pos += n;
  }
}

/** The ENOTSUP error Node reports for COPYFILE_FICLONE_FORCE (Linux errno 95, libuv's wording). */
function notSupported(src: string, dest: string): VfsError {
  const err = new VfsError('EOPNOTSUPP', 'copyfile', src, dest);
  (err as { code: string }).code = 'ENOTSUP';
  err.message = `ENOTSUP: operation not supported on socket, copyfile '${src}' -> '${dest}'`;
  return err;
}

/**
 * copyFile as libuv does it: open the source, create or truncate the
 * destination with the source's mode (COPYFILE_EXCL: must not exist), copy
 * the bytes. Copying a file onto itself does nothing. Every failure is
 * reported as 'copyfile' with both paths.
 */
export function* copyFileOp(c: Ctx, src: string, dest: string, mode: number): Op<void> {
  const sys = c.sys;
  let fdIn = -1;
  let fdOut = -1;
  try {
    fdIn = yield* sys.open(src, O_RDONLY, 0);
    yield* sys.fstat(fdIn, c.st);
    const srcMode = c.st[St.Mode]!;
    const srcDev = c.st[St.Dev]!;
    const srcIno = c.st[St.Ino]!;
    const size = c.st[St.Size]!;
    if ((srcMode & S_IFMT) === 0o040000) throw new VfsError('EISDIR', 'copyfile', src, dest);
    if ((mode & COPYFILE_FICLONE_FORCE) !== 0) throw notSupported(src, dest);
    const excl = (mode & COPYFILE_EXCL) !== 0;
    fdOut = yield* sys.open(dest, O_WRONLY | O_CREAT | (excl ? O_EXCL : 0), srcMode & 0o7777);
    yield* sys.fstat(fdOut, c.st);
    if (c.st[St.Dev] === srcDev && c.st[St.Ino] === srcIno) return;
    yield* sys.ftruncate(fdOut, 0);
    try {
      yield* sys.fchmod(fdOut, srcMode & 0o7777);
    } catch (e) {
      if (codeOf(e) !== 'EPERM') throw e;
    }
    yield* copyBytes(c, fdIn, fdOut, size);
  } catch (e) {
    throw e instanceof VfsError ? e : toVfsError(e, 'copyfile', src, dest);
  } finally {
    if (fdOut !== -1) yield* closeQuietly(c, fdOut);
    if (fdIn !== -1) yield* closeQuietly(c, fdIn);
  }
}

/**
 * truncate(path, len) as Node does it: open 'r+', ftruncate, close. The
 * length is validated after the open (Node's order) and negative lengths
 * become 0.
 */
export function* truncateOp(c: Ctx, path: string, len: unknown): Op<void> {
  let fd: number;
  try {
    fd = yield* c.sys.open(path, O_RDWR, 0);
  } catch (e) {
    throw toVfsError(e, 'open', path);
  }
  try {
    const n = len === undefined ? 0 : Math.max(0, validateInteger(len, 'len'));
    try {
      yield* c.sys.ftruncate(fd, n);
    } catch (e) {
      throw toVfsError(e, 'ftruncate');
    }
  } catch (e) {
    yield* closeQuietly(c, fd);
    throw e;
  }
  try {
    yield* c.sys.close(fd);
  } catch (e) {
    throw toVfsError(e, 'close');
  }
}
