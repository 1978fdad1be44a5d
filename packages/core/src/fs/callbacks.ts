/**
 * The callback API. Path operations are the promise forms (ops.ts) handed
 * to their callback by `callbackify`; descriptor operations, whose
 * callbacks take several results (`(err, bytesRead, buffer)`), are written
 * here over the same primitives. Arguments are checked before anything
 * runs, so bad ones throw synchronously, as in Node; callbacks are always
 * called on a later tick with `this` undefined.
 */

import { Buffer } from 'node:buffer';
import { promisify } from 'node:util';
import { bigintArg, timesArg } from './args.js';
import { callbackify, drive, settle, type Ctx } from './ctx.js';
import { errInvalidArgType, uvError, vfsError } from './errors.js';
import { newIoArgs, readArgs, writeArgs } from './fd-args.js';
import { pathOrFd, type Ops } from './ops.js';
import { makeStats } from './stats.js';
import { getBuffers, getCallback, getFd, getFdNative, getId, getLen, getWritePosition, parseMode } from './validate.js';
import { runSync } from '../vfs/wait.js';

type Cb = (...args: unknown[]) => void;

/** Split (args..., callback): the callback is the last argument. */
function popCallback(args: unknown[], arity: number): Cb {
  const cb = args[args.length - 1];
  if (typeof cb !== 'function') throw errInvalidArgType('cb', 'of type function', args[arity - 1]);
  args.length--;
  return cb as Cb;
}

/** Call `cb(null, ...results)` on success, `cb(err)` on failure, from a promise. */
function deliver<T>(p: Promise<T>, cb: Cb, results: (v: T) => unknown[]): void {
  p.then(
    (v) => {
      try {
        cb(null, ...results(v));
      } catch (e) {
        process.nextTick(() => {
          throw e;
        });
      }
    },
    (e: unknown) => {
      try {
        cb(e);
      } catch (e2) {
        process.nextTick(() => {
          throw e2;
        });
      }
    },
  );
}

/** Make util.promisify(fn) resolve to `{ [names[0]]: r1, [names[1]]: r2 }`, as Node's read/write do. */
function promisifyAs(fn: (...args: never[]) => void, names: [string, string]): void {
  const f = fn as unknown as (...args: unknown[]) => void;
  Object.defineProperty(fn, promisify.custom, {
    value: (...args: unknown[]): Promise<Record<string, unknown>> =>
      new Promise((resolve, reject) => {
        f(...args, (err: unknown, a: unknown, b: unknown) => (err ? reject(err) : resolve({ [names[0]]: a, [names[1]]: b })));
      }),
  });
}

function defaultCloseCallback(err: unknown): void {
  if (err != null) throw err;
}

export function createCallbacks(c: Ctx, ops: Ops) {
  const sys = c.sys;

  function read(fd: unknown, buffer?: unknown, offsetOrOptions?: unknown, length?: unknown, position?: unknown, callback?: unknown): void {
    const f = getFd(fd);
    // Node's overloads: read(fd, cb), read(fd, options, cb), read(fd, buffer, cb), read(fd, buffer, options, cb).
    let params: unknown = undefined;
    let argc = arguments.length;
    if (argc <= 4) {
      if (argc === 4) {
        callback = length;
        params = offsetOrOptions;
      } else if (argc === 3) {
        if (!ArrayBuffer.isView(buffer)) {
          params = buffer;
          buffer = (params as { buffer?: unknown } | null | undefined)?.buffer ?? Buffer.alloc(16384);
        }
        callback = offsetOrOptions;
      } else {
        callback = buffer;
        buffer = Buffer.alloc(16384);
      }
      offsetOrOptions = params ?? {};
      argc = 3;
    }
    const cb = getCallback<Cb>(callback);
    const a = readArgs(newIoArgs(), buffer, offsetOrOptions, length, position, argc, true, false);
    if (a.length === 0) {
      process.nextTick(cb, null, 0, buffer);
      return;
    }
    deliver(drive(() => sys.read(f, a.bytes, a.offset, a.length, a.position), 'read'), cb, (n) => [n, buffer]);
  }

  function write(fd: unknown, buffer: unknown, ...rest: unknown[]): void {
    const f = getFd(fd);
    const cb = popCallback(rest, 4);
    const a = writeArgs(newIoArgs(), buffer, rest[0], rest[1], rest[2]);
    if (a.length === 0) {
      process.nextTick(cb, null, 0, buffer);
      return;
    }
    deliver(drive(() => sys.write(f, a.bytes, a.offset, a.length, a.position), 'write'), cb, (n) => [n, buffer]);
  }

  function readv(fd: unknown, buffers: unknown, ...rest: unknown[]): void {
    const f = getFd(fd);
    const cb = popCallback(rest, 2);
    const views = getBuffers(buffers);
    const pos = typeof rest[0] === 'number' ? getWritePosition(rest[0]) : -1;
    const p = views.length === 0 ? Promise.reject(vfsError('EINVAL', 'read')) : drive(() => sys.readv(f, views, pos), 'read');
    deliver(p, cb, (n) => [n, buffers]);
  }

  function writev(fd: unknown, buffers: unknown, ...rest: unknown[]): void {
    const f = getFd(fd);
    const cb = popCallback(rest, 2);
    const views = getBuffers(buffers);
    const pos = typeof rest[0] === 'number' ? getWritePosition(rest[0]) : -1;
    const p = views.length === 0 ? Promise.resolve(0) : drive(() => sys.writev(f, views, pos), 'write');
    deliver(p, cb, (n) => [n, buffers]);
  }

  function close(fd: unknown, callback?: unknown): void {
    const f = getFdNative(fd);
    const cb = callback === undefined ? defaultCloseCallback : getCallback<Cb>(callback);
    settle(drive(() => sys.close(f), 'close'), cb);
  }

  function exists(path: unknown, callback: unknown): void {
    const cb = getCallback<(exists: boolean) => void>(callback);
    ops.exists(path).then((v) => cb(v));
  }

  /** A descriptor op with (fd, ...args, cb) and a single result. */
  function fdOp(name: string, arity: number, run: (fd: number, args: unknown[]) => Promise<unknown>): (...args: unknown[]) => void {
    const f = function (fd: unknown, ...rest: unknown[]): void {
      const d = getFdNative(fd);
      const cb = popCallback(rest, arity);
      settle(run(d, rest), cb);
    };
    Object.defineProperty(f, 'name', { value: name });
    return f;
  }

  const fstat = fdOp('fstat', 2, async (fd, [options]) => {
    const bigint = bigintArg(options);
    try {
      runSync(sys.fstat(fd, c.st));
    } catch (e) {
      throw uvError(e, 'fstat', undefined, undefined, fstat);
    }
    return makeStats(c.st, bigint);
  });
  const ftruncate = fdOp('ftruncate', 2, (fd, [len]) => drive(() => sys.ftruncate(fd, len === undefined ? 0 : Math.max(0, getLen(len))), 'ftruncate'));
  const fsync = fdOp('fsync', 1, (fd) => drive(() => sys.fsync(fd), 'fsync'));
  const fdatasync = fdOp('fdatasync', 1, (fd) => drive(() => sys.fdatasync(fd), 'fdatasync'));
  const fchmod = fdOp('fchmod', 2, (fd, [mode]) => drive(() => sys.fchmod(fd, parseMode(mode, 'mode') & 0o7777), 'fchmod'));
  const fchown = fdOp('fchown', 3, (fd, [uid, gid]) => drive(() => sys.fchown(fd, getId(uid, 'uid'), getId(gid, 'gid')), 'fchown'));
  const futimes = fdOp('futimes', 3, (fd, [atime, mtime]) => {
    const t = timesArg(atime, mtime, new Float64Array(4), 'atime', 'mtime');
    return drive(() => sys.futimes(fd, t[0]!, t[1]!, t[2]!, t[3]!), 'futime');
  });

  function readFile(path: unknown, ...rest: unknown[]): void {
    const cb = popCallback(rest, 2);
    const p = pathOrFd(path);
    settle(ops.readFile(p, rest[0]), cb);
  }

  function writeFile(path: unknown, data: unknown, ...rest: unknown[]): void {
    const cb = popCallback(rest, 2);
    const p = pathOrFd(path);
    settle(ops.writeFile(p, data, rest[0], false), cb);
  }

  function appendFile(path: unknown, data: unknown, ...rest: unknown[]): void {
    const cb = popCallback(rest, 2);
    const p = pathOrFd(path);
    settle(ops.writeFile(p, data, rest[0], true), cb);
  }

  function truncate(path: unknown, ...rest: unknown[]): void {
    const cb = popCallback(rest, 2);
    if (typeof path === 'number') {
      ftruncate(path, rest[0], cb);
      return;
    }
    settle(ops.truncate(path, rest[0]), cb);
  }

  // util.promisify of the several-result callbacks gives Node's result objects.
  promisifyAs(read, ['bytesRead', 'buffer']);
  promisifyAs(write, ['bytesWritten', 'buffer']);
  promisifyAs(readv, ['bytesRead', 'buffers']);
  promisifyAs(writev, ['bytesWritten', 'buffers']);
  Object.defineProperty(exists, promisify.custom, {
    value: (path: unknown): Promise<boolean> => ops.exists(path),
  });

  const realpath = Object.assign(callbackify(ops.realpath, 3), { native: callbackify(ops.realpathNative, 3) });
  Object.defineProperty(realpath, 'name', { value: 'realpath' });

  return {
    access: callbackify(ops.access, 3),
    stat: callbackify(ops.stat, 3),
    lstat: callbackify(ops.lstat, 3),
    statfs: callbackify(ops.statfs, 3),
    readlink: callbackify(ops.readlink, 3),
    realpath,
    readdir: callbackify(ops.readdir, 3),
    mkdir: callbackify(ops.mkdir, 3),
    mkdtemp: callbackify(ops.mkdtemp, 3),
    rmdir: callbackify(ops.rmdir, 3),
    rm: callbackify(ops.rm, 3),
    unlink: callbackify(ops.unlink, 2),
    rename: callbackify(ops.rename, 3),
    link: callbackify(ops.link, 3),
    symlink: callbackify(ops.symlink, 4),
    mknod: callbackify(ops.mknod, 4),
    mkfifo: callbackify(ops.mkfifo, 3),
    chmod: callbackify(ops.chmod, 3),
    lchmod: callbackify(ops.lchmod, 3),
    chown: callbackify(ops.chown, 4),
    lchown: callbackify(ops.lchown, 4),
    utimes: callbackify(ops.utimes, 4),
    lutimes: callbackify(ops.lutimes, 4),
    chflags: callbackify(ops.chflags, 3),
    copyFile: callbackify(ops.copyFile, 4),
    cp: callbackify(ops.cp, 4),
    open: callbackify(ops.open, 4),
    opendir: callbackify(ops.opendir, 3),
    truncate,
    readFile,
    writeFile,
    appendFile,
    exists,
    close,
    read,
    write,
    readv,
    writev,
    fstat,
    ftruncate,
    fsync,
    fdatasync,
    fchmod,
    fchown,
    futimes,
  };
}
