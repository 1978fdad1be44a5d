/**
 * readdir: names or Dirents, optionally of the whole subtree.
 *
 * `recursive` lists breadth-first, names relative to the starting directory
 * ('a', 'a/b'); symbolic links are listed, never followed. A kernel that
 * cannot tell an entry's type (UV_DIRENT_UNKNOWN) gets an lstat, as libuv's
 * callers do.
 */

import type { Buffer } from 'node:buffer';
import {
  S_IFBLK,
  S_IFCHR,
  S_IFDIR,
  S_IFIFO,
  S_IFLNK,
  S_IFMT,
  S_IFREG,
  S_IFSOCK,
  UV_DIRENT_BLOCK,
  UV_DIRENT_CHAR,
  UV_DIRENT_DIR,
  UV_DIRENT_FIFO,
  UV_DIRENT_FILE,
  UV_DIRENT_LINK,
  UV_DIRENT_SOCKET,
  UV_DIRENT_UNKNOWN,
} from '../constants.js';
import { toVfsError } from '../errno.js';
import { St, type DirEntry } from '../vfs/sys.js';
import type { Ctx } from './ctx.js';
import { Dirent } from './dirent.js';
import { encodeName, type Encoding } from './validate.js';
import { runSync } from '../vfs/wait.js';

/** The UV_DIRENT_* type of a mode. */
export function direntTypeOfMode(mode: number): number {
  switch (mode & S_IFMT) {
    case S_IFREG:
      return UV_DIRENT_FILE;
    case S_IFDIR:
      return UV_DIRENT_DIR;
    case S_IFLNK:
      return UV_DIRENT_LINK;
    case S_IFIFO:
      return UV_DIRENT_FIFO;
    case S_IFSOCK:
      return UV_DIRENT_SOCKET;
    case S_IFCHR:
      return UV_DIRENT_CHAR;
    case S_IFBLK:
      return UV_DIRENT_BLOCK;
    default:
      return UV_DIRENT_UNKNOWN;
  }
}

/** An entry's type, asking lstat when the kernel said UNKNOWN. */
export function entryType(c: Ctx, dir: string, ent: DirEntry): number {
  if (ent.type !== UV_DIRENT_UNKNOWN) return ent.type;
  try {
    runSync(c.sys.lstat(joinPath(dir, ent.name), c.st));
    return direntTypeOfMode(c.st[St.Mode]!);
  } catch {
    return UV_DIRENT_UNKNOWN;
  }
}

export function joinPath(dir: string, name: string): string {
  return dir.endsWith('/') ? dir + name : `${dir}/${name}`;
}

export type ReaddirResult = (string | Buffer)[] | Dirent<string | Buffer>[];

/** One directory's entries (errors: 'scandir' with that directory's path). */
function list(c: Ctx, path: string): DirEntry[] {
  try {
    return runSync(c.sys.readdir(path));
  } catch (e) {
    throw toVfsError(e, 'scandir', path);
  }
}

/** The names of one directory, encoded. Hot path of readdirSync. */
export function readdirNames(c: Ctx, path: string, encoding: Encoding | undefined): (string | Buffer)[] {
  const ents = list(c, path);
  const out = new Array<string | Buffer>(ents.length);
  for (let i = 0; i < ents.length; i++) out[i] = encodeName(ents[i]!.name, encoding);
  return out;
}

export function readdirPrim(
  c: Ctx,
  path: string,
  encoding: Encoding | undefined,
  withFileTypes: boolean,
  recursive: boolean,
): ReaddirResult {
  if (!recursive) {
    if (!withFileTypes) return readdirNames(c, path, encoding);
    const ents = list(c, path);
    return ents.map((e) => new Dirent(encodeName(e.name, encoding), entryType(c, path, e), path));
  }
  const names: (string | Buffer)[] = [];
  const dirents: Dirent<string | Buffer>[] = [];
  // Breadth-first: [directory path, its path relative to the start].
  const queue: [string, string][] = [[path, '']];
  for (let q = 0; q < queue.length; q++) {
    const [dir, rel] = queue[q]!;
    for (const e of list(c, dir)) {
      const type = entryType(c, dir, e);
      const relName = rel === '' ? e.name : `${rel}/${e.name}`;
      if (withFileTypes) dirents.push(new Dirent(encodeName(e.name, encoding), type, dir));
      else names.push(encodeName(relName, encoding));
      if (type === UV_DIRENT_DIR) queue.push([joinPath(dir, e.name), relName]);
    }
  }
  return withFileTypes ? dirents : names;
}
