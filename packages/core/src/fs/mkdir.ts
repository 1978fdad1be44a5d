/**
 * mkdir with `recursive` (mkdir -p) and mkdtemp: the two primitives that
 * create directories in more than one system call.
 */

import { posix } from 'node:path';
import { getRandomValues } from 'node:crypto';
import { S_IFDIR, S_IFMT } from '../constants.js';
import { Errno, toVfsError } from '../errno.js';
import { St } from '../vfs/sys.js';
import type { Op } from '../vfs/wait.js';
import type { Ctx } from './ctx.js';
import { runSync } from '../vfs/wait.js';

function isDir(c: Ctx, path: string): boolean {
  try {
    runSync(c.sys.stat(path, c.st));
  } catch {
    return false;
  }
  return (c.st[St.Mode]! & S_IFMT) === S_IFDIR;
}

/**
 * mkdir -p. Returns the first directory it created (in the form the path
 * was given), or undefined when the whole path already existed. Errors name
 * the full path, as Node's do: EEXIST when the path is something other than
 * a directory, ENOTDIR when a component is not one.
 */
export function* mkdirpOp(c: Ctx, path: string, mode: number): Op<string | undefined> {
  const sys = c.sys;
  const pending: string[] = [];
  let cur = path;
  try {
    // Walk up until a mkdir succeeds or an existing directory is found.
    for (;;) {
      try {
        yield* sys.mkdir(cur, mode);
        break;
      } catch (e) {
        if (!(e instanceof Errno)) throw e;
        if (e.code === 'ENOENT') {
          const parent = posix.dirname(cur);
          if (parent === cur) throw e;
          pending.push(cur);
          cur = parent;
          continue;
        }
        if (e.code === 'EEXIST') {
          if (isDir(c, cur)) {
            if (pending.length === 0) return undefined;
            cur = '';
            break;
          }
          throw pending.length === 0 ? e : new Errno('ENOTDIR');
        }
        throw e;
      }
    }
    let first = cur === '' ? undefined : cur;
    // Then create the missing ones top-down.
    while (pending.length > 0) {
      const next = pending.pop()!;
      try {
        yield* sys.mkdir(next, mode);
        first ??= next;
      } catch (e) {
        if (e instanceof Errno && e.code === 'EEXIST' && isDir(c, next)) continue;
        throw e;
      }
    }
    return first;
  } catch (e) {
    throw toVfsError(e, 'mkdir', path);
  }
}

const LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
/** libuv tries this many names before giving up (TMP_MAX on glibc). */
const MAX_TRIES = 238328;

function randomSuffix(): string {
  const bytes = new Uint8Array(12);
  let out = '';
  while (out.length < 6) {
    getRandomValues(bytes);
    for (let i = 0; i < bytes.length && out.length < 6; i++) {
      const b = bytes[i]!;
      if (b < 248) out += LETTERS[b % 62];
    }
  }
  return out;
}

/**
 * mkdtemp: `prefix` + six random letters, mode 0700, retried on EEXIST.
 * Node's sync form reports failures on the template (`prefixXXXXXX`), its
 * async forms on the name tried: `templateInError` picks.
 */
export function* mkdtempOp(c: Ctx, prefix: string, templateInError: boolean): Op<string> {
  for (let i = 0; ; i++) {
    const path = prefix + randomSuffix();
    try {
      yield* c.sys.mkdir(path, 0o700);
      return path;
    } catch (e) {
      if (e instanceof Errno && e.code === 'EEXIST' && i < MAX_TRIES) continue;
      throw toVfsError(e, 'mkdtemp', templateInError ? `${prefix}XXXXXX` : path);
    }
  }
}
