/**
 * createNodeFs(sys): an object shaped like `node:fs`, acting with `sys`'s
 * credentials, root, cwd and umask.
 *
 * It has what Node's fs has: the *Sync functions, the callback functions,
 * `promises` (with FileHandle), `constants`, `Stats`/`BigIntStats`,
 * `Dirent`, `Dir`, `ReadStream`/`WriteStream`, `watch`/`watchFile`, and
 * errors shaped like Node's. Each operation is written once (ops.ts,
 * sync.ts, rw.ts, ...); the three forms are thin wrappers.
 *
 * Extensions in Node's style (not in node:fs):
 *
 *   mknod(path, mode, dev)  mknodSync  promises.mknod
 *     Create a node of the type in `mode` (S_IFREG, S_IFIFO, S_IFCHR,
 *     S_IFBLK, S_IFSOCK; default S_IFREG | 0o666). Devices need uid 0.
 *   mkfifo(path, mode = 0o666)  mkfifoSync  promises.mkfifo
 *     Create a FIFO.
 *   chflags(path, flags)  chflagsSync  promises.chflags
 *     Set BSD file flags (constants.UF_* and SF_*): immutable and append-only
 *     are enforced; system flags need uid 0.
 *   lchmod / lchmodSync / promises.lchmod work (Node has them on macOS only).
 *   FileHandle: lock(), getLock(), flock() for fcntl and flock advisory
 *     locks (see file-handle.ts).
 *   constants: node:fs's, plus S_ISUID/S_ISGID/S_ISVTX, S_IFWHT, SEEK_*,
 *     F_RDLCK/F_WRLCK/F_UNLCK, LOCK_*, UTIME_NOW/UTIME_OMIT, the UF_* and SF_* flags.
 */

import type { Buffer } from 'node:buffer';
import type { Sys } from '../vfs/sys.js';
import { createCallbacks } from './callbacks.js';
import { fsConstants } from './constants.js';
import { newCtx } from './ctx.js';
import { Dir } from './dir.js';
import { Dirent } from './dirent.js';
import { errInvalidArgType } from './errors.js';
import { FileHandle } from './file-handle.js';
import { createOps } from './ops.js';
import { createPromises } from './promises.js';
import { BigIntStats, StatFs, Stats } from './stats.js';
import { ReadStreamBase, WriteStreamBase, type ReadStreamOptions, type WriteStreamOptions } from './streams.js';
import { createSync } from './sync.js';
import { createSyncFd } from './sync-fd.js';
import type { VfsFs } from './types.js';
import { validateObject } from './validate.js';
import { FSWatcher, StatWatcher, StatWatchers, watch } from './watch.js';

type PathArg = string | Buffer | URL;

export type * from './types.js';

function build(sys: Sys) {
  const c = newCtx(sys);
  const constants = fsConstants();
  const ops = createOps(c);
  const sync = createSync(c);
  const syncFd = createSyncFd(c);
  const callbacks = createCallbacks(c, ops);
  const promises = createPromises(c, ops, constants);
  const statWatchers = new StatWatchers(c);

  /** fs.ReadStream bound to this fs object. */
  class ReadStream extends ReadStreamBase {
    constructor(path: PathArg | undefined, options?: ReadStreamOptions | BufferEncoding) {
      super(c, path, options);
    }
  }

  /** fs.WriteStream bound to this fs object. */
  class WriteStream extends WriteStreamBase {
    constructor(path: PathArg | undefined, options?: WriteStreamOptions | BufferEncoding) {
      super(c, path, options);
    }
  }

  // Object.assign, not spread: spreading three large objects into one costs ~300 us per fs object.
  return Object.assign({}, sync, syncFd, callbacks, {
    promises,
    constants,
    F_OK: constants.F_OK,
    R_OK: constants.R_OK,
    W_OK: constants.W_OK,
    X_OK: constants.X_OK,
    createReadStream(path: PathArg | undefined, options?: ReadStreamOptions | BufferEncoding): ReadStream {
      return new ReadStream(path, options);
    },
    createWriteStream(path: PathArg | undefined, options?: WriteStreamOptions | BufferEncoding): WriteStream {
      return new WriteStream(path, options);
    },
    /**
     * A Blob of the file's contents. Node's is backed by the file and read
     * lazily; this one is a snapshot taken now (the vfs lives in memory).
     */
    openAsBlob(path: PathArg, options?: { type?: string }): Promise<Blob> {
      const data = sync.readFileSync(path) as Buffer;
      if (options !== undefined) validateObject(options, 'options');
      const type = options?.type ?? '';
      if (typeof type !== 'string') throw errInvalidArgType('options.type', 'of type string', type);
      return Promise.resolve(new Blob([data], { type }));
    },
    watch(filename: PathArg, options?: unknown, listener?: unknown): FSWatcher {
      return watch(c, filename, options, listener);
    },
    watchFile(filename: PathArg, options?: unknown, listener?: unknown): StatWatcher {
      return statWatchers.watchFile(filename, options, listener);
    },
    unwatchFile(filename: PathArg, listener?: unknown): void {
      statWatchers.unwatchFile(filename, listener);
    },
    Stats,
    BigIntStats,
    StatFs,
    Dirent,
    Dir,
    FileHandle,
    ReadStream,
    WriteStream,
    FileReadStream: ReadStream,
    FileWriteStream: WriteStream,
  });
}

const sysOfFs = new WeakMap<object, Sys>();

export function createNodeFs(sys: Sys): VfsFs {
  const impl = build(sys);
  // Every member of the public interface exists (the signatures are checked by the tests).
  const members: Record<keyof VfsFs, unknown> = impl;
  sysOfFs.set(members, sys);
  return members as unknown as VfsFs;
}

/** The system-call context behind an fs object made by createNodeFs (sibling packages: descriptor hand-off). */
export function sysOf(fs: object): Sys | undefined {
  return sysOfFs.get(fs);
}

export { Stats, BigIntStats, StatFs, Dirent, Dir, FileHandle, FSWatcher, StatWatcher, ReadStreamBase, WriteStreamBase };
