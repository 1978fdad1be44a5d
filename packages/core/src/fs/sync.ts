/**
 * The *Sync functions that take paths. Each checks its arguments, runs the
 * primitive (kernel call, or a generator under runSync) and turns a kernel
 * error into Node's, with the stack starting at the caller.
 *
 * These are the benchmarked paths: no closures or option objects per call
 * when the options are absent, one shared StatBuf, string paths checked in
 * place.
 */

import type { Buffer } from 'node:buffer';
import { F_OK } from '../constants.js';
import { Errno } from '../errno.js';
import { runSync } from '../vfs/wait.js';
import {
  bigintArg,
  checkSymlinkType,
  chflagsArg,
  encodingArg,
  fifoMode,
  mkdirArgs,
  mknodArgs,
  opendirArgs,
  readdirArgs,
  readFileArgs,
  rmdirOptionsGiven,
  timesArg,
  writeFileArgs,
} from './args.js';
import type { Ctx } from './ctx.js';
import { cpOp, getCpOptions } from './cp.js';
import { Dir, openDirOp } from './dir.js';
import type { Dirent } from './dirent.js';
import { uvError } from './errors.js';
import { FLAGS_A, FLAGS_W } from './flags.js';
import { mkdirpOp, mkdtempOp } from './mkdir.js';
import { readdirNames, readdirPrim } from './readdir.js';
import { getRmOptions, rmdirRecursiveOp, rmOp } from './rm.js';
import { copyFileOp, readFileOp, truncateOp, writeFileOp } from './rw.js';
import { makeStats, toStatFs, toStats, type BigIntStats, type StatFs, type Stats } from './stats.js';
import { encodeName, getAccessMode, getData, getFd, getId, getLen, getPath, parseMode } from './validate.js';

export interface StatSyncOptions {
  bigint?: boolean;
  throwIfNoEntry?: boolean;
}

export function createSync(c: Ctx) {
  const sys = c.sys;
  const st = c.st;
  const times = new Float64Array(4);

  function noEntry(e: unknown, options: StatSyncOptions | undefined | null): boolean {
    return options != null && options.throwIfNoEntry === false && e instanceof Errno && e.code === 'ENOENT';
  }

  function existsSync(path: unknown): boolean {
    let p: string;
    try {
      p = getPath(path, 'path');
    } catch {
      return false;
    }
    return runSync(sys.exists(p));
  }

  function accessSync(path: unknown, mode?: unknown): void {
    const p = getPath(path, 'path');
    const m = mode === undefined ? F_OK : getAccessMode(mode, 7, F_OK);
    try {
      runSync(sys.access(p, m));
    } catch (e) {
      throw uvError(e, 'access', p, undefined, accessSync);
    }
  }

  function statSync(path: unknown, options?: StatSyncOptions | null): Stats | BigIntStats | undefined {
    const p = getPath(path, 'path');
    try {
      runSync(sys.stat(p, st));
    } catch (e) {
      if (noEntry(e, options)) return undefined;
      throw uvError(e, 'stat', p, undefined, statSync);
    }
    return options != null && options.bigint === true ? makeStats(st, true) : toStats(st);
  }

  function lstatSync(path: unknown, options?: StatSyncOptions | null): Stats | BigIntStats | undefined {
    const p = getPath(path, 'path');
    try {
      runSync(sys.lstat(p, st));
    } catch (e) {
      if (noEntry(e, options)) return undefined;
      throw uvError(e, 'lstat', p, undefined, lstatSync);
    }
    return options != null && options.bigint === true ? makeStats(st, true) : toStats(st);
  }

  function statfsSync(path: unknown, options?: { bigint?: boolean }): StatFs<number> | StatFs<bigint> {
    const p = getPath(path, 'path');
    try {
      return toStatFs(runSync(sys.statfs(p)), bigintArg(options));
    } catch (e) {
      throw uvError(e, 'statfs', p, undefined, statfsSync);
    }
  }

  function readlinkSync(path: unknown, options?: unknown): string | Buffer {
    const p = getPath(path, 'path');
    const enc = encodingArg(options);
    try {
      return encodeName(runSync(sys.readlink(p)), enc);
    } catch (e) {
      throw uvError(e, 'readlink', p, undefined, readlinkSync);
    }
  }

  function realpathSync(path: unknown, options?: unknown): string | Buffer {
    const p = getPath(path, 'path');
    const enc = encodingArg(options);
    try {
      return encodeName(runSync(sys.realpath(p)), enc);
    } catch (e) {
      throw uvError(e, 'lstat', p, undefined, realpathSync);
    }
  }

  function realpathNativeSync(path: unknown, options?: unknown): string | Buffer {
    const p = getPath(path, 'path');
    const enc = encodingArg(options);
    try {
      return encodeName(runSync(sys.realpath(p)), enc);
    } catch (e) {
      throw uvError(e instanceof Errno ? new Errno(e.code) : e, 'realpath', p, undefined, realpathNativeSync);
    }
  }
  realpathSync.native = realpathNativeSync;

  function readdirSync(path: unknown, options?: unknown): (string | Buffer)[] | Dirent<string | Buffer>[] {
    const p = getPath(path, 'path');
    if (options === undefined) {
      try {
        return readdirNames(c, p, undefined);
      } catch (e) {
        throw uvError(e, 'scandir', p, undefined, readdirSync);
      }
    }
    const a = readdirArgs(options);
    try {
      return readdirPrim(c, p, a.encoding, a.withFileTypes, a.recursive);
    } catch (e) {
      throw uvError(e, 'scandir', p, undefined, readdirSync);
    }
  }

  function mkdirSync(path: unknown, options?: unknown): string | undefined {
    const p = getPath(path, 'path');
    let mode = 0o777;
    if (typeof options === 'number') {
      mode = parseMode(options, 'mode') & 0o7777;
    } else if (options !== undefined) {
      const a = mkdirArgs(options);
      mode = a.mode;
      if (a.recursive) {
        try {
          return runSync(mkdirpOp(c, p, mode));
        } catch (e) {
          throw uvError(e, 'mkdir', p, undefined, mkdirSync);
        }
      }
    }
    try {
      runSync(sys.mkdir(p, mode));
    } catch (e) {
      throw uvError(e, 'mkdir', p, undefined, mkdirSync);
    }
    return undefined;
  }

  function mkdtempSync(prefix: unknown, options?: unknown): string | Buffer {
    const p = getPath(prefix, 'prefix');
    const enc = encodingArg(options);
    try {
      return encodeName(runSync(mkdtempOp(c, p, true)), enc);
    } catch (e) {
      throw uvError(e, 'mkdtemp', p, undefined, mkdtempSync);
    }
  }

  function rmdirSync(path: unknown, options?: unknown): void {
    const p = getPath(path, 'path');
    try {
      if (options !== undefined && rmdirOptionsGiven(options)) {
        const o = getRmOptions(options);
        if (o.recursive) return runSync(rmdirRecursiveOp(c, p, o));
      }
      runSync(sys.rmdir(p));
    } catch (e) {
      throw uvError(e, 'rmdir', p, undefined, rmdirSync);
    }
  }

  function rmSync(path: unknown, options?: unknown): void {
    const p = getPath(path, 'path');
    const o = getRmOptions(options);
    try {
      runSync(rmOp(c, p, o));
    } catch (e) {
      throw uvError(e, 'rm', p, undefined, rmSync);
    }
  }

  function unlinkSync(path: unknown): void {
    const p = getPath(path, 'path');
    try {
      runSync(sys.unlink(p));
    } catch (e) {
      throw uvError(e, 'unlink', p, undefined, unlinkSync);
    }
  }

  function renameSync(oldPath: unknown, newPath: unknown): void {
    const from = getPath(oldPath, 'oldPath');
    const to = getPath(newPath, 'newPath');
    try {
      runSync(sys.rename(from, to));
    } catch (e) {
      throw uvError(e, 'rename', from, to, renameSync);
    }
  }

  function linkSync(existingPath: unknown, newPath: unknown): void {
    const from = getPath(existingPath, 'existingPath');
    const to = getPath(newPath, 'newPath');
    try {
      runSync(sys.link(from, to));
    } catch (e) {
      throw uvError(e, 'link', from, to, linkSync);
    }
  }

  function symlinkSync(target: unknown, path: unknown, type?: unknown): void {
    checkSymlinkType(type);
    const t = getPath(target, 'target');
    const p = getPath(path, 'path');
    try {
      runSync(sys.symlink(t, p));
    } catch (e) {
      throw uvError(e, 'symlink', t, p, symlinkSync);
    }
  }

  function mknodSync(path: unknown, mode?: unknown, dev?: unknown): void {
    const p = getPath(path, 'path');
    const [m, d] = mknodArgs(mode, dev);
    try {
      runSync(sys.mknod(p, m, d));
    } catch (e) {
      throw uvError(e, 'mknod', p, undefined, mknodSync);
    }
  }

  function mkfifoSync(path: unknown, mode?: unknown): void {
    const p = getPath(path, 'path');
    const m = fifoMode(mode);
    try {
      runSync(sys.mknod(p, m, 0));
    } catch (e) {
      throw uvError(e, 'mkfifo', p, undefined, mkfifoSync);
    }
  }

  function chmodSync(path: unknown, mode: unknown): void {
    const p = getPath(path, 'path');
    const m = parseMode(mode, 'mode') & 0o7777;
    try {
      runSync(sys.chmod(p, m));
    } catch (e) {
      throw uvError(e, 'chmod', p, undefined, chmodSync);
    }
  }

  function lchmodSync(path: unknown, mode: unknown): void {
    const p = getPath(path, 'path');
    const m = parseMode(mode, 'mode') & 0o7777;
    try {
      runSync(sys.lchmod(p, m));
    } catch (e) {
      throw uvError(e, 'lchmod', p, undefined, lchmodSync);
    }
  }

  function chownSync(path: unknown, uid: unknown, gid: unknown): void {
    const p = getPath(path, 'path');
    const u = getId(uid, 'uid');
    const g = getId(gid, 'gid');
    try {
      runSync(sys.chown(p, u, g));
    } catch (e) {
      throw uvError(e, 'chown', p, undefined, chownSync);
    }
  }

  function lchownSync(path: unknown, uid: unknown, gid: unknown): void {
    const p = getPath(path, 'path');
    const u = getId(uid, 'uid');
    const g = getId(gid, 'gid');
    try {
      runSync(sys.lchown(p, u, g));
    } catch (e) {
      throw uvError(e, 'lchown', p, undefined, lchownSync);
    }
  }

  function utimesSync(path: unknown, atime: unknown, mtime: unknown): void {
    const p = getPath(path, 'path');
    const t = timesArg(atime, mtime, times);
    try {
      runSync(sys.utimes(p, t[0]!, t[1]!, t[2]!, t[3]!));
    } catch (e) {
      throw uvError(e, 'utime', p, undefined, utimesSync);
    }
  }

  function lutimesSync(path: unknown, atime: unknown, mtime: unknown): void {
    const p = getPath(path, 'path');
    const t = timesArg(atime, mtime, times);
    try {
      runSync(sys.lutimes(p, t[0]!, t[1]!, t[2]!, t[3]!));
    } catch (e) {
      throw uvError(e, 'lutime', p, undefined, lutimesSync);
    }
  }

  function chflagsSync(path: unknown, flags: unknown): void {
    const p = getPath(path, 'path');
    const f = chflagsArg(flags);
    try {
      runSync(sys.chflags(p, f));
    } catch (e) {
      throw uvError(e, 'chflags', p, undefined, chflagsSync);
    }
  }

  function truncateSync(path: unknown, len?: unknown): void {
    if (typeof path === 'number') {
      const fd = getFd(path);
      const n = len === undefined ? 0 : Math.max(0, getLen(len));
      try {
        return runSync(sys.ftruncate(fd, n));
      } catch (e) {
        throw uvError(e, 'ftruncate', undefined, undefined, truncateSync);
      }
    }
    const p = getPath(path, 'path');
    try {
      runSync(truncateOp(c, p, len));
    } catch (e) {
      throw uvError(e, 'open', p, undefined, truncateSync);
    }
  }

  function copyFileSync(src: unknown, dest: unknown, mode?: unknown): void {
    const s = getPath(src, 'src');
    const d = getPath(dest, 'dest');
    const m = getAccessMode(mode, 7, 0);
    try {
      runSync(copyFileOp(c, s, d, m));
    } catch (e) {
      throw uvError(e, 'copyfile', s, d, copyFileSync);
    }
  }

  function cpSync(src: unknown, dest: unknown, options?: unknown): void {
    const s = getPath(src, 'src');
    const d = getPath(dest, 'dest');
    const o = getCpOptions(options, true);
    try {
      runSync(cpOp(c, s, d, o));
    } catch (e) {
      throw uvError(e, 'cp', s, d, cpSync);
    }
  }

  function readFileSync(path: unknown, options?: unknown): string | Buffer {
    const p = typeof path === 'number' ? getFd(path) : getPath(path, 'path');
    let data: Buffer;
    if (options === undefined) {
      try {
        return runSync(readFileOp(c, p, 0));
      } catch (e) {
        throw uvError(e, 'open', typeof p === 'string' ? p : undefined, undefined, readFileSync);
      }
    }
    const a = readFileArgs(options);
    try {
      data = runSync(readFileOp(c, p, a.flags));
    } catch (e) {
      throw uvError(e, 'open', typeof p === 'string' ? p : undefined, undefined, readFileSync);
    }
    return a.encoding === undefined || a.encoding === 'buffer' ? data : data.toString(a.encoding);
  }

  function writeOrAppend(path: unknown, data: unknown, options: unknown, append: boolean, fn: (...a: never[]) => unknown): void {
    const p = typeof path === 'number' ? getFd(path) : getPath(path, 'path');
    let flags: number;
    let mode = 0o666;
    let flush = false;
    let bytes: Uint8Array;
    if (options === undefined) {
      flags = append ? FLAGS_A : FLAGS_W;
      bytes = getData(data, undefined);
    } else {
      const a = writeFileArgs(options, append);
      flags = a.flags;
      mode = a.mode;
      flush = a.flush;
      bytes = getData(data, a.encoding);
    }
    try {
      runSync(writeFileOp(c, p, bytes, flags, mode, flush));
    } catch (e) {
      throw uvError(e, 'open', typeof p === 'string' ? p : undefined, undefined, fn);
    }
  }

  function writeFileSync(path: unknown, data: unknown, options?: unknown): void {
    writeOrAppend(path, data, options, false, writeFileSync);
  }

  function appendFileSync(path: unknown, data: unknown, options?: unknown): void {
    writeOrAppend(path, data, options, true, appendFileSync);
  }

  function opendirSync(path: unknown, options?: unknown): Dir {
    const p = getPath(path, 'path');
    const o = opendirArgs(options);
    let fd: number;
    try {
      fd = runSync(openDirOp(c, p, false));
    } catch (e) {
      throw uvError(e, 'opendir', undefined, undefined, opendirSync);
    }
    return new Dir(c, fd, p, o);
  }

  return {
    existsSync,
    accessSync,
    statSync,
    lstatSync,
    statfsSync,
    readlinkSync,
    realpathSync,
    readdirSync,
    mkdirSync,
    mkdtempSync,
    rmdirSync,
    rmSync,
    unlinkSync,
    renameSync,
    linkSync,
    symlinkSync,
    mknodSync,
    mkfifoSync,
    chmodSync,
    lchmodSync,
    chownSync,
    lchownSync,
    utimesSync,
    lutimesSync,
    chflagsSync,
    truncateSync,
    copyFileSync,
    cpSync,
    readFileSync,
    writeFileSync,
    appendFileSync,
    opendirSync,
  };
}
