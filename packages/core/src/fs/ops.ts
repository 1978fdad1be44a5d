/**
 * The asynchronous form of every path operation, once: each function checks
 * its arguments synchronously (so the callback API can throw as Node does)
 * and returns a promise of the result. fs.promises wraps these so argument
 * errors reject; the callback API hands the promise to its callback.
 */

import type { Buffer } from 'node:buffer';
import { F_OK } from '../constants.js';
import { Errno } from '../errno.js';
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
import { drive, type Ctx, driveStat } from './ctx.js';
import { cpOp, getCpOptions } from './cp.js';
import { Dir, openDirOp } from './dir.js';
import type { Dirent } from './dirent.js';
import { abortError, checkAborted, uvError } from './errors.js';
import { toFlags } from './flags.js';
import { mkdirpOp, mkdtempOp } from './mkdir.js';
import { readdirPrim } from './readdir.js';
import { getRmOptions, rmdirRecursiveOp, rmOp } from './rm.js';
import { copyFileOp, readFileOp, truncateOp, writeFileOp } from './rw.js';
import { makeStats, toStatFs, type BigIntStats, type StatFs, type Stats } from './stats.js';
import {
  encodeName,
  getAccessMode,
  getData,
  getFd,
  getId,
  getPath,
  parseMode,
} from './validate.js';
import { getWriteData } from './write-data.js';
import { runSync } from '../vfs/wait.js';

export type Ops = ReturnType<typeof createOps>;

/** Run a direct (never-waiting) kernel call in promise form. */
function now<T>(run: () => T, syscall: string, path?: string, dest?: string): Promise<T> {
  try {
    return Promise.resolve(run());
  } catch (e) {
    return Promise.reject(uvError(e, syscall, path, dest, now));
  }
}

/** A path or, for the callback API, a descriptor. */
export function pathOrFd(value: unknown): string | number {
  return typeof value === 'number' ? getFd(value) : getPath(value, 'path');
}

export function createOps(c: Ctx) {
  const sys = c.sys;

  return {
    access(path: unknown, mode?: unknown): Promise<void> {
      const p = getPath(path, 'path');
      const m = getAccessMode(mode, 7, F_OK);
      return drive(() => sys.access(p, m), 'access', p);
    },

    stat(path: unknown, options?: unknown): Promise<Stats | BigIntStats> {
      const p = getPath(path, 'path');
      const bigint = bigintArg(options);
      return driveStat(c, (out) => sys.stat(p, out), (st) => makeStats(st, bigint), 'stat', p);
    },

    lstat(path: unknown, options?: unknown): Promise<Stats | BigIntStats> {
      const p = getPath(path, 'path');
      const bigint = bigintArg(options);
      return driveStat(c, (out) => sys.lstat(p, out), (st) => makeStats(st, bigint), 'lstat', p);
    },

    statfs(path: unknown, options?: unknown): Promise<StatFs<number> | StatFs<bigint>> {
      const p = getPath(path, 'path');
      const bigint = bigintArg(options);
      return drive(function* () {
        return toStatFs(yield* sys.statfs(p), bigint);
      }, 'statfs', p);
    },

    readlink(path: unknown, options?: unknown): Promise<string | Buffer> {
      const p = getPath(path, 'path');
      const enc = encodingArg(options);
      return drive(function* () {
        return encodeName(yield* sys.readlink(p), enc);
      }, 'readlink', p);
    },

    /** Node's JS realpath (callback form): a missing component is reported by 'lstat'. */
    realpath(path: unknown, options?: unknown): Promise<string | Buffer> {
      const p = getPath(path, 'path');
      const enc = encodingArg(options);
      return drive(function* () {
        return encodeName(yield* sys.realpath(p), enc);
      }, 'lstat', p);
    },

    /** realpath(3) (fs.promises.realpath and realpath.native): errors name 'realpath' and the whole path. */
    realpathNative(path: unknown, options?: unknown): Promise<string | Buffer> {
      const p = getPath(path, 'path');
      const enc = encodingArg(options);
      try {
        return Promise.resolve(encodeName(runSync(sys.realpath(p)), enc));
      } catch (e) {
        return Promise.reject(uvError(e instanceof Errno ? new Errno(e.code) : e, 'realpath', p, undefined, now));
      }
    },

    readdir(path: unknown, options?: unknown): Promise<(string | Buffer)[] | Dirent<string | Buffer>[]> {
      const p = getPath(path, 'path');
      const a = readdirArgs(options);
      return now(() => readdirPrim(c, p, a.encoding, a.withFileTypes, a.recursive), 'scandir', p);
    },

    mkdir(path: unknown, options?: unknown): Promise<string | undefined> {
      const p = getPath(path, 'path');
      const a = mkdirArgs(options);
      if (a.recursive) return drive(mkdirpOp(c, p, a.mode), 'mkdir', p);
      return drive(() => sys.mkdir(p, a.mode), 'mkdir', p) as Promise<undefined>;
    },

    mkdtemp(prefix: unknown, options?: unknown): Promise<string | Buffer> {
      const p = getPath(prefix, 'prefix');
      const enc = encodingArg(options);
      return drive(mkdtempOp(c, p, false), 'mkdtemp').then((dir) => encodeName(dir, enc));
    },

    rmdir(path: unknown, options?: unknown): Promise<void> {
      const p = getPath(path, 'path');
      if (rmdirOptionsGiven(options)) {
        const o = getRmOptions(options);
        if (o.recursive) return drive(rmdirRecursiveOp(c, p, o), 'rmdir', p);
      }
      return drive(() => sys.rmdir(p), 'rmdir', p);
    },

    rm(path: unknown, options?: unknown): Promise<void> {
      const p = getPath(path, 'path');
      const o = getRmOptions(options);
      return drive(rmOp(c, p, o), 'rm', p);
    },

    unlink(path: unknown): Promise<void> {
      const p = getPath(path, 'path');
      return drive(() => sys.unlink(p), 'unlink', p);
    },

    rename(oldPath: unknown, newPath: unknown): Promise<void> {
      const from = getPath(oldPath, 'oldPath');
      const to = getPath(newPath, 'newPath');
      return drive(() => sys.rename(from, to), 'rename', from, to);
    },

    link(existingPath: unknown, newPath: unknown): Promise<void> {
      const from = getPath(existingPath, 'existingPath');
      const to = getPath(newPath, 'newPath');
      return drive(() => sys.link(from, to), 'link', from, to);
    },

    symlink(target: unknown, path: unknown, type?: unknown): Promise<void> {
      checkSymlinkType(type);
      const t = getPath(target, 'target');
      const p = getPath(path, 'path');
      return drive(() => sys.symlink(t, p), 'symlink', t, p);
    },

    mknod(path: unknown, mode?: unknown, dev?: unknown): Promise<void> {
      const p = getPath(path, 'path');
      const [m, d] = mknodArgs(mode, dev);
      return drive(() => sys.mknod(p, m, d), 'mknod', p);
    },

    mkfifo(path: unknown, mode?: unknown): Promise<void> {
      const p = getPath(path, 'path');
      return drive(() => sys.mknod(p, fifoMode(mode), 0), 'mkfifo', p);
    },

    chmod(path: unknown, mode: unknown): Promise<void> {
      const p = getPath(path, 'path');
      return drive(() => sys.chmod(p, parseMode(mode, 'mode') & 0o7777), 'chmod', p);
    },

    lchmod(path: unknown, mode: unknown): Promise<void> {
      const p = getPath(path, 'path');
      return drive(() => sys.lchmod(p, parseMode(mode, 'mode') & 0o7777), 'lchmod', p);
    },

    chown(path: unknown, uid: unknown, gid: unknown): Promise<void> {
      const p = getPath(path, 'path');
      return drive(() => sys.chown(p, getId(uid, 'uid'), getId(gid, 'gid')), 'chown', p);
    },

    lchown(path: unknown, uid: unknown, gid: unknown): Promise<void> {
      const p = getPath(path, 'path');
      return drive(() => sys.lchown(p, getId(uid, 'uid'), getId(gid, 'gid')), 'lchown', p);
    },

    utimes(path: unknown, atime: unknown, mtime: unknown): Promise<void> {
      const p = getPath(path, 'path');
      const t = timesArg(atime, mtime, new Float64Array(4));
      return drive(() => sys.utimes(p, t[0]!, t[1]!, t[2]!, t[3]!), 'utime', p);
    },

    lutimes(path: unknown, atime: unknown, mtime: unknown): Promise<void> {
      const p = getPath(path, 'path');
      const t = timesArg(atime, mtime, new Float64Array(4));
      return drive(() => sys.lutimes(p, t[0]!, t[1]!, t[2]!, t[3]!), 'lutime', p);
    },

    chflags(path: unknown, flags: unknown): Promise<void> {
      const p = getPath(path, 'path');
      return drive(() => sys.chflags(p, chflagsArg(flags)), 'chflags', p);
    },

    truncate(path: unknown, len?: unknown): Promise<void> {
      const p = getPath(path, 'path');
      return drive(truncateOp(c, p, len), 'open', p);
    },

    copyFile(src: unknown, dest: unknown, mode?: unknown): Promise<void> {
      const s = getPath(src, 'src');
      const d = getPath(dest, 'dest');
      const m = getAccessMode(mode, 7, 0);
      return drive(copyFileOp(c, s, d, m), 'copyfile', s, d);
    },

    cp(src: unknown, dest: unknown, options?: unknown): Promise<void> {
      const s = getPath(src, 'src');
      const d = getPath(dest, 'dest');
      const o = getCpOptions(options, false);
      return drive(cpOp(c, s, d, o), 'cp', s, d);
    },

    /** readFile of a path or descriptor (a FileHandle's descriptor for fs.promises). */
    async readFile(path: string | number, options?: unknown): Promise<string | Buffer> {
      const a = readFileArgs(options);
      checkAborted(a.signal);
      const data = await drive(readFileOp(c, path, a.flags), 'open', typeof path === 'string' ? path : undefined);
      checkAborted(a.signal);
      return a.encoding === undefined || a.encoding === 'buffer' ? data : data.toString(a.encoding);
    },

    /** writeFile/appendFile of a string or view (callback API). */
    writeFile(path: string | number, data: unknown, options: unknown, append: boolean): Promise<void> {
      const a = writeFileArgs(options, append);
      const bytes = getData(data, a.encoding);
      if (a.signal?.aborted === true) return Promise.reject(abortError(a.signal));
      return drive(writeFileOp(c, path, bytes, a.flags, a.mode, a.flush), 'open', typeof path === 'string' ? path : undefined);
    },

    /** fs.promises writeFile/appendFile: data may also be an (async) iterable. */
    writeFileIterable(path: string | number, data: unknown, options: unknown, append: boolean): Promise<void> {
      const a = writeFileArgs(options, append);
      const chunks = getWriteData(data, a.encoding);
      if (a.signal?.aborted === true) return Promise.reject(abortError(a.signal));
      if (Array.isArray(chunks)) return drive(writeFileOp(c, path, chunks[0]!, a.flags, a.mode, a.flush), 'open', typeof path === 'string' ? path : undefined);
      return writeChunks(c, path, chunks, a.flags, a.mode, a.flush, a.signal);
    },

    open(path: unknown, flags?: unknown, mode?: unknown): Promise<number> {
      const p = getPath(path, 'path');
      const f = toFlags(flags);
      const m = parseMode(mode, 'mode', 0o666) & 0o7777;
      return drive(() => sys.open(p, f, m), 'open', p);
    },

    async opendir(path: unknown, options?: unknown): Promise<Dir> {
      const p = getPath(path, 'path');
      const o = opendirArgs(options);
      const fd = await drive(openDirOp(c, p, true), 'opendir', p);
      return new Dir(c, fd, p, o);
    },

    exists(path: unknown): Promise<boolean> {
      let p: string;
      try {
        p = getPath(path, 'path');
      } catch {
        return Promise.resolve(false);
      }
      return drive(() => sys.exists(p), 'access', p);
    },
  };
}

/** Write an async iterable of chunks to a path or descriptor. */
async function writeChunks(
  c: Ctx,
  path: string | number,
  chunks: AsyncIterable<Uint8Array>,
  flags: number,
  mode: number,
  flush: boolean,
  signal: AbortSignal | undefined,
): Promise<void> {
  const fd = typeof path === 'number' ? path : await drive(() => c.sys.open(path, flags, mode), 'open', path);
  try {
    for await (const chunk of chunks) {
      checkAborted(signal);
      await drive(writeFileOp(c, fd, chunk, 0, 0, false), 'write');
    }
    if (flush) await drive(() => c.sys.fsync(fd), 'fsync');
  } finally {
    if (typeof path !== 'number') await drive(() => c.sys.close(fd), 'close');
  }
}
