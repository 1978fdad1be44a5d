/**
 * cp: copy a file, a symbolic link or a directory tree, with Node's options
 * (dereference, errorOnExist, filter, force, mode, preserveTimestamps,
 * recursive, verbatimSymlinks) and its SystemErrors (ERR_FS_CP_*).
 *
 * One generator serves cpSync and cp. The `filter` may return a promise in
 * the async forms (the generator waits for it with `awaitOp`); cpSync
 * refuses a promise, as Node does.
 */

import { posix } from 'node:path';
import { S_IFBLK, S_IFCHR, S_IFDIR, S_IFIFO, S_IFLNK, S_IFMT, S_IFREG, S_IFSOCK } from '../constants.js';
import { Errno, toVfsError } from '../errno.js';
import { St } from '../vfs/sys.js';
import type { Op } from '../vfs/wait.js';
import { awaitOp, type Ctx } from './ctx.js';
import { errCode, errCp, errInvalidArgType } from './errors.js';
import { mkdirpOp } from './mkdir.js';
import { copyFileOp } from './rw.js';
import { getAccessMode, optBoolean, validateObject } from './validate.js';
import { runSync } from '../vfs/wait.js';

export interface CpOptions {
  dereference: boolean;
  errorOnExist: boolean;
  filter: ((src: string, dest: string) => boolean | Promise<boolean>) | undefined;
  force: boolean;
  mode: number;
  preserveTimestamps: boolean;
  recursive: boolean;
  verbatimSymlinks: boolean;
  /** cpSync: a filter may not return a promise. */
  sync: boolean;
}

export function getCpOptions(options: unknown, sync: boolean): CpOptions {
  if (options === undefined) options = {};
  validateObject(options, 'options');
  const o = options as Record<string, unknown>;
  const filter = o['filter'];
  if (filter !== undefined && typeof filter !== 'function') throw errInvalidArgType('options.filter', 'of type function', filter);
  const out: CpOptions = {
    dereference: optBoolean(o, 'dereference', false),
    errorOnExist: optBoolean(o, 'errorOnExist', false),
    filter: filter as CpOptions['filter'],
    force: optBoolean(o, 'force', true),
    mode: getAccessMode(o['mode'], 7, 0),
    preserveTimestamps: optBoolean(o, 'preserveTimestamps', false),
    recursive: optBoolean(o, 'recursive', false),
    verbatimSymlinks: optBoolean(o, 'verbatimSymlinks', false),
    sync,
  };
  if (out.dereference && out.verbatimSymlinks) {
    throw errCode(
      'ERR_INCOMPATIBLE_OPTION_PAIR',
      'Option "dereference" cannot be used in combination with option "verbatimSymlinks"',
      'TypeError',
    );
  }
  return out;
}

type CpOp<T> = Op<T>;

interface Node {
  mode: number;
  dev: number;
  ino: number;
  atimeSec: number;
  atimeNsec: number;
  mtimeSec: number;
  mtimeNsec: number;
}

function statOf(c: Ctx, path: string, follow: boolean, mustExist: boolean): Node | undefined {
  try {
    if (follow) runSync(c.sys.stat(path, c.st));
    else runSync(c.sys.lstat(path, c.st));
  } catch (e) {
    if (!mustExist && e instanceof Errno && e.code === 'ENOENT') return undefined;
    throw toVfsError(e, follow ? 'stat' : 'lstat', path);
  }
  const st = c.st;
  return {
    mode: st[St.Mode]!,
    dev: st[St.Dev]!,
    ino: st[St.Ino]!,
    atimeSec: st[St.AtimeSec]!,
    atimeNsec: st[St.AtimeNsec]!,
    mtimeSec: st[St.MtimeSec]!,
    mtimeNsec: st[St.MtimeNsec]!,
  };
}

const isDirMode = (m: number): boolean => (m & S_IFMT) === S_IFDIR;

function resolvePath(c: Ctx, p: string): string {
  return p.startsWith('/') ? posix.normalize(p) : posix.join(runSync(c.sys.getcwd()), p);
}

/** True when `dest` is `src` or lies below it. */
function isSubdir(c: Ctx, src: string, dest: string): boolean {
  const s = resolvePath(c, src).split('/').filter(Boolean);
  const d = resolvePath(c, dest).split('/').filter(Boolean);
  return s.every((part, i) => d[i] === part);
}

function* filtered(o: CpOptions, src: string, dest: string): CpOp<boolean> {
  if (o.filter === undefined) return true;
  const r = o.filter(src, dest);
  if (r !== null && typeof r === 'object' && typeof (r as PromiseLike<unknown>).then === 'function') {
    if (o.sync) {
      throw errCode('ERR_INVALID_RETURN_VALUE', 'Expected boolean to be returned from the "filter" function but got an instance of Promise.', 'TypeError');
    }
    return Boolean(yield* awaitOp(r as PromiseLike<unknown>));
  }
  return Boolean(r);
}

/** Node's checkPaths: refuse copies onto self, dir over non-dir and the reverse, and into own subtree. */
function checkPaths(c: Ctx, src: string, dest: string, o: CpOptions): [Node, Node | undefined] {
  const srcSt = statOf(c, src, o.dereference, true)!;
  if (isDirMode(srcSt.mode) && !o.recursive) {
    throw errCp('ERR_FS_EISDIR', 'Path is a directory', 'EISDIR', `${src} is a directory (not copied)`, src, 'EINVAL');
  }
  const destSt = statOf(c, dest, o.dereference, false);
  if (destSt !== undefined) {
    if (destSt.ino === srcSt.ino && destSt.dev === srcSt.dev) {
      throw errCp('ERR_FS_CP_EINVAL', 'Invalid src or dest', 'EINVAL', 'src and dest cannot be the same', dest);
    }
    if (isDirMode(srcSt.mode) && !isDirMode(destSt.mode)) {
      throw errCp(
        'ERR_FS_CP_DIR_TO_NON_DIR',
        'Cannot overwrite non-directory with directory',
        'EISDIR',
        `cannot overwrite non-directory ${dest} with directory ${src}`,
        dest,
      );
    }
    if (!isDirMode(srcSt.mode) && isDirMode(destSt.mode)) {
      throw errCp(
        'ERR_FS_CP_NON_DIR_TO_DIR',
        'Cannot overwrite directory with non-directory',
        'ENOTDIR',
        `cannot overwrite directory ${dest} with non-directory ${src}`,
        dest,
      );
    }
  }
  if (isDirMode(srcSt.mode) && isSubdir(c, src, dest)) {
    throw errCp('ERR_FS_CP_EINVAL', 'Invalid src or dest', 'EINVAL', `cannot copy ${src} to a subdirectory of self ${dest}`, dest);
  }
  return [srcSt, destSt];
}

/** Node's checkParentPaths: no ancestor of dest may be src itself (through other names). */
function checkParents(c: Ctx, src: string, srcSt: Node, dest: string): void {
  const root = resolvePath(c, '/');
  let parent = posix.dirname(resolvePath(c, dest));
  const srcParent = posix.dirname(resolvePath(c, src));
  while (parent !== srcParent && parent !== root && parent !== posix.dirname(parent)) {
    const st = statOf(c, parent, true, false);
    if (st === undefined) return;
    if (st.ino === srcSt.ino && st.dev === srcSt.dev) {
      throw errCp('ERR_FS_CP_EINVAL', 'Invalid src or dest', 'EINVAL', `cannot copy ${src} to a subdirectory of self ${dest}`, dest);
    }
    parent = posix.dirname(parent);
  }
}

function* chmodTo(c: Ctx, path: string, mode: number): CpOp<void> {
  try {
    yield* c.sys.chmod(path, mode & 0o7777);
  } catch (e) {
    throw toVfsError(e, 'chmod', path);
  }
}

function* copyFileItem(c: Ctx, src: string, srcSt: Node, dest: string, destSt: Node | undefined, o: CpOptions): CpOp<void> {
  if (destSt !== undefined) {
    if (o.force) {
      try {
        yield* c.sys.unlink(dest);
      } catch (e) {
        throw toVfsError(e, 'unlink', dest);
      }
    } else if (o.errorOnExist) {
      throw errCp('ERR_FS_CP_EEXIST', 'Target already exists', 'EEXIST', `${dest} already exists`, dest);
    } else {
      return;
    }
  }
  yield* copyFileOp(c, src, dest, o.mode);
  if (o.preserveTimestamps) {
    if ((srcSt.mode & 0o200) === 0) yield* chmodTo(c, dest, srcSt.mode | 0o200);
    try {
      yield* c.sys.utimes(dest, srcSt.atimeSec, srcSt.atimeNsec, srcSt.mtimeSec, srcSt.mtimeNsec);
    } catch (e) {
      throw toVfsError(e, 'utime', dest);
    }
  }
  yield* chmodTo(c, dest, srcSt.mode);
}

function* copyLinkItem(c: Ctx, src: string, dest: string, destSt: Node | undefined, o: CpOptions): CpOp<void> {
  let target: string;
  try {
    target = yield* c.sys.readlink(src);
  } catch (e) {
    throw toVfsError(e, 'readlink', src);
  }
  if (!o.verbatimSymlinks && !target.startsWith('/')) target = posix.join(posix.dirname(resolvePath(c, src)), target);
  if (destSt !== undefined) {
    let destTarget: string | undefined;
    try {
      destTarget = yield* c.sys.readlink(dest);
    } catch (e) {
      if (!(e instanceof Errno) || e.code !== 'EINVAL') throw toVfsError(e, 'readlink', dest);
    }
    if (destTarget !== undefined) {
      if (!destTarget.startsWith('/')) destTarget = posix.join(posix.dirname(resolvePath(c, dest)), destTarget);
      const srcIsDir = statOf(c, src, true, false);
      if (srcIsDir !== undefined && isDirMode(srcIsDir.mode) && isSubdir(c, target, destTarget)) {
        throw errCp('ERR_FS_CP_EINVAL', 'Invalid src or dest', 'EINVAL', `cannot copy ${target} to a subdirectory of self ${destTarget}`, dest);
      }
      const destIsDir = statOf(c, dest, true, false);
      if (destIsDir !== undefined && isDirMode(destIsDir.mode) && isSubdir(c, destTarget, target)) {
        throw errCp(
          'ERR_FS_CP_SYMLINK_TO_SUBDIRECTORY',
          'Cannot overwrite symlink in subdirectory of self',
          'EINVAL',
          `cannot overwrite ${destTarget} with ${target}`,
          dest,
        );
      }
    }
    try {
      yield* c.sys.unlink(dest);
    } catch (e) {
      throw toVfsError(e, 'unlink', dest);
    }
  }
  try {
    yield* c.sys.symlink(target, dest);
  } catch (e) {
    throw toVfsError(e, 'symlink', target, dest);
  }
}

function* copyDirItem(c: Ctx, src: string, srcSt: Node, dest: string, destSt: Node | undefined, o: CpOptions): CpOp<void> {
  if (destSt === undefined) {
    try {
      yield* c.sys.mkdir(dest, srcSt.mode & 0o7777);
    } catch (e) {
      throw toVfsError(e, 'mkdir', dest);
    }
  }
  let ents;
  try {
    ents = yield* c.sys.readdir(src);
  } catch (e) {
    throw toVfsError(e, 'scandir', src);
  }
  for (const ent of ents) {
    const s = posix.join(src, ent.name);
    const d = posix.join(dest, ent.name);
    if (!(yield* filtered(o, s, d))) continue;
    const [childSt, childDestSt] = checkPaths(c, s, d, o);
    yield* copyItem(c, s, childSt, d, childDestSt, o);
  }
  if (destSt === undefined) yield* chmodTo(c, dest, srcSt.mode);
}

function* copyItem(c: Ctx, src: string, srcSt: Node, dest: string, destSt: Node | undefined, o: CpOptions): CpOp<void> {
  switch (srcSt.mode & S_IFMT) {
    case S_IFDIR:
      return yield* copyDirItem(c, src, srcSt, dest, destSt, o);
    case S_IFREG:
    case S_IFCHR:
    case S_IFBLK:
      return yield* copyFileItem(c, src, srcSt, dest, destSt, o);
    case S_IFLNK:
      return yield* copyLinkItem(c, src, dest, destSt, o);
    case S_IFSOCK:
      throw errCp('ERR_FS_CP_SOCKET', 'Cannot copy a socket file', 'EINVAL', `cannot copy a socket file: ${dest}`, dest);
    case S_IFIFO:
      throw errCp('ERR_FS_CP_FIFO_PIPE', 'Cannot copy a FIFO pipe', 'EINVAL', `cannot copy a FIFO pipe: ${dest}`, dest);
    default:
      throw errCp('ERR_FS_CP_UNKNOWN', 'Cannot copy an unknown file type', 'EINVAL', `cannot copy an unknown file type: ${dest}`, dest);
  }
}

export function* cpOp(c: Ctx, src: string, dest: string, o: CpOptions): CpOp<void> {
  if (!(yield* filtered(o, src, dest))) return;
  const [srcSt, destSt] = checkPaths(c, src, dest, o);
  checkParents(c, src, srcSt, dest);
  const parent = posix.dirname(dest);
  if (!(yield* c.sys.exists(parent))) yield* mkdirpOp(c, parent, 0o777);
  yield* copyItem(c, src, srcSt, dest, destSt, o);
}
