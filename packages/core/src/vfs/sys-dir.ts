/**
 * Directory system calls: getdents, readdir, chdir, getcwd, realpath, and
 * watching.
 */

import { R_OK, SYMLOOP_MAX, X_OK } from '../constants.js';
import { Errno, fail } from '../errno.js';
import { DIR_EOF } from '../store/dirtab.js';
import { VType, type Vnode } from '../vnode/vnode.js';
import type { Mount } from './mount.js';
import { Lookup, Nameidata, checkPathLength, namei, readlinkOf } from './namei.js';
import type { Proc } from './proc.js';
import type { DirEntry, WatchEvent, Watcher } from './sys.js';

function readEntries(vp: Vnode, pos: number, max: number, out: DirEntry[]): number {
  const fs = vp.mount.fs;
  fs.lock(vp, false);
  try {
    return vp.ops.readdir(vp, pos, max, out);
  } finally {
    fs.unlock(vp);
  }
}

export function getdents(p: Proc, fd: number, max: number): DirEntry[] {
  const file = p.file(fd);
  if (file.vp.type !== VType.Dir) throw fail('ENOTDIR');
  const out: DirEntry[] = [];
  if (file.dirPos >= DIR_EOF) return out;
  file.dirPos = readEntries(file.vp, file.dirPos, max, out);
  return out;
}

export function readdir(p: Proc, path: string): DirEntry[] {
  const nd = p.nd;
  namei(p, path, Lookup.Follow, nd);
  const vp = nd.vp!;
  if (vp.type !== VType.Dir) throw fail('ENOTDIR');
  const fs = vp.mount.fs;
  fs.lock(vp, false);
  try {
    vp.ops.access(vp, R_OK, p.cred);
    const out: DirEntry[] = [];
    vp.ops.readdir(vp, 0, Infinity, out);
    return out;
  } finally {
    fs.unlock(vp);
  }
}

function setCwd(p: Proc, vp: Vnode): void {
  if (vp.type !== VType.Dir) throw fail('ENOTDIR');
  vp.mount.fs.lock(vp, false);
  try {
    vp.ops.access(vp, X_OK, p.cred);
  } finally {
    vp.mount.fs.unlock(vp);
  }
  const old = p.cwd;
  p.kernel.vrefCurrent(vp);
  p.kernel.hold(vp);
  p.cwd = vp;
  p.kernel.unhold(old);
  p.vrele(old);
}

export function chdir(p: Proc, path: string): void {
  const nd = p.nd;
  namei(p, path, Lookup.Follow, nd);
  setCwd(p, nd.vp!);
}

export function fchdir(p: Proc, fd: number): void {
  setCwd(p, p.file(fd).vp);
}

/** The name of `child` in directory `dir` (a scan: getcwd is rare). */
function nameIn(dir: Vnode, child: Vnode): string {
  const out: DirEntry[] = [];
  readEntries(dir, 0, Infinity, out);
  for (const e of out) if (e.ino === child.ino) return e.name;
  throw fail('ENOENT');
}

export function getcwd(p: Proc): string {
  const parts: string[] = [];
  let cur = p.cwd;
  for (;;) {
    if (cur.mount === p.root.mount && cur.ino === p.root.ino) break;
    const m = cur.mount as Mount;
    if (cur.ino === m.root.ino) {
      if (m.covered === null) break;
      cur = m.covered;
      continue;
    }
    // ".." of a removed directory is still its old parent, but its name is gone (ENOENT).
    const parent = lookupQuiet(cur, '..');
    if (parent === null) throw fail('ENOENT');
    parts.push(nameIn(parent, cur));
    cur = parent;
  }
  return '/' + parts.reverse().join('/');
}

/**
 * realpath: the canonical absolute path (relative to the context's root),
 * resolved a component at a time the way Node's realpath does, so errors
 * name the prefix that failed with syscall 'lstat'.
 */
export function realpath(p: Proc, path: string): string {
  checkPathLength(path);
  const resolved: string[] = path.charCodeAt(0) === 47 ? [] : splitPath(getcwd(p));
  const queue = splitPath(path);
  let links = 0;
  const nd = p.nd;
  while (queue.length > 0) {
    const c = queue.shift()!;
    if (c === '.') continue;
    if (c === '..') {
      resolved.pop();
      continue;
    }
    const prefix = '/' + (resolved.length > 0 ? resolved.join('/') + '/' : '') + c;
    try {
      namei(p, prefix, 0, nd);
    } catch (e) {
      if (e instanceof Errno) {
        e.syscall = 'lstat';
        e.path = prefix;
      }
      throw e;
    }
    const vp = nd.vp!;
    if (vp.type === VType.Lnk) {
      if (++links > SYMLOOP_MAX) throw fail('ELOOP');
      const target = readlinkOf(vp);
      if (target.charCodeAt(0) === 47) resolved.length = 0;
      queue.unshift(...splitPath(target));
    } else {
      if (vp.type !== VType.Dir && queue.some((q) => q !== '.')) throw fail('ENOTDIR');
      resolved.push(c);
    }
  }
  return '/' + resolved.join('/');
}

function splitPath(path: string): string[] {
  return path.split('/').filter((s) => s.length > 0);
}

/**
 * Watch a file or directory (recursively: every directory below, as they
 * come and go). The watcher holds a reference on every directory it
 * watches, as inotify does, so none of them can be freed under it.
 */
export function watch(p: Proc, path: string, options: { recursive: boolean }, listener: (ev: WatchEvent) => void): Watcher {
  const nd = new Nameidata();
  namei(p, path, Lookup.Follow, nd);
  const root = nd.vp!;
  const hub = p.kernel.watch;
  const subs = new Map<string, { vp: Vnode; off: () => void }>();
  let closed = false;

  const addDir = (dir: Vnode, prefix: string): void => {
    const key = `${dir.mount.id}:${dir.ino}`;
    if (subs.has(key)) return;
    p.kernel.vrefCurrent(dir);
    const off = hub.add(dir, (ev) => {
      if (closed) return;
      const name = prefix.length > 0 ? `${prefix}/${ev.name}` : ev.name;
      listener({ type: ev.type, name });
      if (options.recursive && ev.type === 'rename' && dir.type === VType.Dir) {
        const child = lookupQuiet(dir, ev.name);
        if (child !== null && child.type === VType.Dir) tryAddDir(child, name);
      }
    });
    subs.set(key, { vp: dir, off });
    if (options.recursive && dir.type === VType.Dir) {
      const out: DirEntry[] = [];
      try {
        readEntries(dir, 0, Infinity, out);
      } catch {
        return;
      }
      for (const e of out) {
        if (e.type !== VType.Dir) continue;
        const child = lookupQuiet(dir, e.name);
        if (child !== null) tryAddDir(child, prefix.length > 0 ? `${prefix}/${e.name}` : e.name);
      }
    }
  };
  const tryAddDir = (dir: Vnode, prefix: string): void => {
    try {
      addDir(dir, prefix);
    } catch {
      // It went away before we could hold it: nothing to watch.
    }
  };
  addDir(root, '');
  return {
    close() {
      if (closed) return;
      closed = true;
      for (const { vp, off } of subs.values()) {
        off();
        p.vrele(vp);
      }
      subs.clear();
    },
  };
}

/** A handle for `name` in `dir` (held by the caller), or null. */
function lookupQuiet(dir: Vnode, name: string): Vnode | null {
  const fs = dir.mount.fs;
  try {
    fs.lock(dir, false);
  } catch {
    return null;
  }
  try {
    return dir.ops.lookup(dir, name, Buffer.byteLength(name));
  } catch {
    return null;
  } finally {
    fs.unlock(dir);
  }
}
