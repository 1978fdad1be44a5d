/**
 * The *Sync functions that take descriptors: open/close, read/write and
 * their vectored forms, fstat, ftruncate, fsync, fdatasync, fchmod, fchown,
 * futimes. Same pattern as sync.ts; readSync and writeSync reuse one
 * argument record.
 */

import { runSync } from '../vfs/wait.js';
import { bigintArg, timesArg } from './args.js';
import type { Ctx } from './ctx.js';
import { uvError, vfsError } from './errors.js';
import { newIoArgs, readArgs, writeArgs } from './fd-args.js';
import { toFlags } from './flags.js';
import { makeStats, toStats, type BigIntStats, type Stats } from './stats.js';
import { getBuffers, getFd, getFdNative, getId, getLen, getPath, getWritePosition, parseMode } from './validate.js';

export function createSyncFd(c: Ctx) {
  const sys = c.sys;
  const st = c.st;
  const io = newIoArgs();
  const times = new Float64Array(4);

  function openSync(path: unknown, flags?: unknown, mode?: unknown): number {
    const p = getPath(path, 'path');
    const f = flags === undefined ? 0 : toFlags(flags);
    const m = mode === undefined ? 0o666 : parseMode(mode, 'mode', 0o666) & 0o7777;
    try {
      return runSync(sys.open(p, f, m));
    } catch (e) {
      throw uvError(e, 'open', p, undefined, openSync);
    }
  }

  function closeSync(fd: unknown): void {
    const f = getFdNative(fd);
    try {
      runSync(sys.close(f));
    } catch (e) {
      throw uvError(e, 'close', undefined, undefined, closeSync);
    }
  }

  function readSync(fd: unknown, buffer: unknown, offsetOrOptions?: unknown, length?: unknown, position?: unknown): number {
    const f = getFd(fd);
    // eslint-disable-next-line prefer-rest-params
    const a = readArgs(io, buffer, offsetOrOptions, length, position, arguments.length, false, true);
    if (a.length === 0) return 0;
    try {
      return runSync(sys.read(f, a.bytes, a.offset, a.length, a.position));
    } catch (e) {
      throw uvError(e, 'read', undefined, undefined, readSync);
    }
  }

  function writeSync(fd: unknown, buffer: unknown, offsetOrOptions?: unknown, length?: unknown, position?: unknown): number {
    const f = getFd(fd);
    const a = writeArgs(io, buffer, offsetOrOptions, length, position);
    if (a.length === 0) return 0;
    try {
      return runSync(sys.write(f, a.bytes, a.offset, a.length, a.position));
    } catch (e) {
      throw uvError(e, 'write', undefined, undefined, writeSync);
    }
  }

  function readvSync(fd: unknown, buffers: unknown, position?: unknown): number {
    const f = getFd(fd);
    const views = getBuffers(buffers);
    const pos = typeof position === 'number' ? getWritePosition(position) : -1;
    try {
      if (views.length === 0) throw vfsError('EINVAL', 'read');
      return runSync(sys.readv(f, views, pos));
    } catch (e) {
      throw uvError(e, 'read', undefined, undefined, readvSync);
    }
  }

  function writevSync(fd: unknown, buffers: unknown, position?: unknown): number {
    const f = getFd(fd);
    const views = getBuffers(buffers);
    if (views.length === 0) return 0;
    const pos = typeof position === 'number' ? getWritePosition(position) : -1;
    try {
      return runSync(sys.writev(f, views, pos));
    } catch (e) {
      throw uvError(e, 'write', undefined, undefined, writevSync);
    }
  }

  function fstatSync(fd: unknown, options?: { bigint?: boolean }): Stats | BigIntStats {
    const f = getFdNative(fd);
    try {
      runSync(sys.fstat(f, st));
    } catch (e) {
      throw uvError(e, 'fstat', undefined, undefined, fstatSync);
    }
    return options === undefined ? toStats(st) : makeStats(st, bigintArg(options));
  }

  function ftruncateSync(fd: unknown, len?: unknown): void {
    const f = getFdNative(fd);
    const n = len === undefined ? 0 : Math.max(0, getLen(len));
    try {
      runSync(sys.ftruncate(f, n));
    } catch (e) {
      throw uvError(e, 'ftruncate', undefined, undefined, ftruncateSync);
    }
  }

  function fsyncSync(fd: unknown): void {
    const f = getFdNative(fd);
    try {
      runSync(sys.fsync(f));
    } catch (e) {
      throw uvError(e, 'fsync', undefined, undefined, fsyncSync);
    }
  }

  function fdatasyncSync(fd: unknown): void {
    const f = getFdNative(fd);
    try {
      runSync(sys.fdatasync(f));
    } catch (e) {
      throw uvError(e, 'fdatasync', undefined, undefined, fdatasyncSync);
    }
  }

  function fchmodSync(fd: unknown, mode: unknown): void {
    const f = getFdNative(fd);
    const m = parseMode(mode, 'mode') & 0o7777;
    try {
      runSync(sys.fchmod(f, m));
    } catch (e) {
      throw uvError(e, 'fchmod', undefined, undefined, fchmodSync);
    }
  }

  function fchownSync(fd: unknown, uid: unknown, gid: unknown): void {
    const f = getFdNative(fd);
    const u = getId(uid, 'uid');
    const g = getId(gid, 'gid');
    try {
      runSync(sys.fchown(f, u, g));
    } catch (e) {
      throw uvError(e, 'fchown', undefined, undefined, fchownSync);
    }
  }

  function futimesSync(fd: unknown, atime: unknown, mtime: unknown): void {
    const f = getFdNative(fd);
    const t = timesArg(atime, mtime, times, 'atime', 'mtime');
    try {
      runSync(sys.futimes(f, t[0]!, t[1]!, t[2]!, t[3]!));
    } catch (e) {
      throw uvError(e, 'futime', undefined, undefined, futimesSync);
    }
  }

  return {
    openSync,
    closeSync,
    readSync,
    writeSync,
    readvSync,
    writevSync,
    fstatSync,
    ftruncateSync,
    fsyncSync,
    fdatasyncSync,
    fchmodSync,
    fchownSync,
    futimesSync,
  };
}
