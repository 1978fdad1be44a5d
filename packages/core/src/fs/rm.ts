/**
 * rm (and rmdir's deprecated `recursive`): remove a file, or a directory
 * tree, with Node's rules:
 * - the path is lstat'ed first; ENOENT is reported from 'lstat', or ignored
 *   with `force`;
 * - a directory without `recursive` is SystemError ERR_FS_EISDIR, even with
 *   `force`;
 * - symbolic links are removed, never followed;
 * - EBUSY, EMFILE, ENFILE, ENOTEMPTY and EPERM are retried `maxRetries`
 *   times, waiting `retryDelay` ms longer each time.
 */

import { S_IFDIR, S_IFMT, UV_DIRENT_DIR } from '../constants.js';
import { Errno, toVfsError } from '../errno.js';
import { St } from '../vfs/sys.js';
import { newWait, waitFor, type Op } from '../vfs/wait.js';
import type { Ctx } from './ctx.js';
import { codeOf, errFsEisdir } from './errors.js';
import { entryType, joinPath } from './readdir.js';
import { validateInteger, validateObject, optBoolean } from './validate.js';

export interface RmOptions {
  force: boolean;
  recursive: boolean;
  maxRetries: number;
  retryDelay: number;
}

/** Node's validateRmOptions (type checks only; the lstat is part of the primitive). */
export function getRmOptions(options: unknown): RmOptions {
  if (options === undefined) return { force: false, recursive: false, maxRetries: 0, retryDelay: 100 };
  validateObject(options, 'options');
  const o = options as Record<string, unknown>;
  const force = optBoolean(o, 'force', false);
  const recursive = optBoolean(o, 'recursive', false);
  const maxRetries = o['maxRetries'] === undefined ? 0 : validateInteger(o['maxRetries'], 'options.maxRetries', 0, 4294967295);
  const retryDelay = o['retryDelay'] === undefined ? 100 : validateInteger(o['retryDelay'], 'options.retryDelay', 0, 4294967295);
  return { force, recursive, maxRetries, retryDelay };
}

const RETRY_CODES = new Set(['EBUSY', 'EMFILE', 'ENFILE', 'ENOTEMPTY', 'EPERM']);

/** Sleep `ms` inside an Op: a wait on a private word nobody notifies. */
function* sleep(ms: number): Op<void> {
  const w = newWait();
  yield waitFor(w, w.word, 0, 0, false, ms);
}

/** Remove one tree below an lstat'ed directory (children first). */
function* removeTree(c: Ctx, dir: string): Op<void> {
  let ents;
  try {
    ents = yield* c.sys.readdir(dir);
  } catch (e) {
    throw toVfsError(e, 'scandir', dir);
  }
  for (const ent of ents) {
    const child = joinPath(dir, ent.name);
    if (entryType(c, dir, ent) === UV_DIRENT_DIR) {
      yield* removeTree(c, child);
    } else {
      try {
        yield* c.sys.unlink(child);
      } catch (e) {
        if (codeOf(e) === 'ENOENT') continue;
        throw toVfsError(e, 'unlink', child);
      }
    }
  }
  try {
    yield* c.sys.rmdir(dir);
  } catch (e) {
    if (codeOf(e) === 'ENOENT') return;
    throw toVfsError(e, 'rmdir', dir);
  }
}

function* removeOnce(c: Ctx, path: string, isDir: boolean): Op<void> {
  if (isDir) {
    yield* removeTree(c, path);
    return;
  }
  try {
    yield* c.sys.unlink(path);
  } catch (e) {
    throw toVfsError(e, 'unlink', path);
  }
}

/** rm(path, options). `syscallForMissing` is 'lstat' (rm) as Node reports. */
export function* rmOp(c: Ctx, path: string, o: RmOptions): Op<void> {
  let isDir: boolean;
  try {
    yield* c.sys.lstat(path, c.st);
    isDir = (c.st[St.Mode]! & S_IFMT) === S_IFDIR;
  } catch (e) {
    if (o.force && e instanceof Errno && e.code === 'ENOENT') return;
    throw toVfsError(e, 'lstat', path);
  }
  if (isDir && !o.recursive) throw errFsEisdir(path);
  for (let attempt = 0; ; attempt++) {
    try {
      yield* removeOnce(c, path, isDir);
      return;
    } catch (e) {
      const code = codeOf(e);
      if (code === 'ENOENT' && o.force) return;
      if (code === undefined || !RETRY_CODES.has(code) || attempt >= o.maxRetries) throw e;
      yield* sleep(o.retryDelay * (attempt + 1));
    }
  }
}

/**
 * rmdir(path, { recursive: true }), deprecated in Node but still there: an
 * lstat that must succeed, ENOTDIR for a non-directory, then rm -r.
 */
export function* rmdirRecursiveOp(c: Ctx, path: string, o: RmOptions): Op<void> {
  try {
    yield* c.sys.lstat(path, c.st);
  } catch (e) {
    throw toVfsError(e, 'lstat', path);
  }
  if ((c.st[St.Mode]! & S_IFMT) !== S_IFDIR) throw toVfsError(new Errno('ENOTDIR'), 'rmdir', path);
  yield* rmOp(c, path, { ...o, recursive: true, force: false });
}
