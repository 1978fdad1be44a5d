/**
 * namei: path name to vnode. The only code that walks paths; everything
 * below it takes a directory vnode and a name.
 *
 * The walk reads without writing shared memory (as Linux's RCU-walk does):
 * for each component it starts an optimistic read of the directory (its
 * lock's sequence word), checks search permission, looks the name up, and
 * keeps the answer only if the directory did not change meanwhile;
 * otherwise it takes the directory's shared lock and looks again. Results
 * are handles (ino + generation), not references: whoever uses one
 * validates it (locking a node checks its generation; an optimistic read
 * does too), and whoever keeps one takes a reference with `vrefCurrent`.
 * Inode memory is type-stable, so touching a stale handle is safe.
 *
 * Then: cross into a mount covering the child; follow a symlink (at most
 * SYMLOOP_MAX = 40 per walk, then ELOOP) by splicing its target in front of
 * the rest of the path; treat ".." at the context's root as "." (nothing
 * escapes a context's root, not even through absolute symlinks) and at a
 * mount's root as ".." of the covered directory.
 *
 * A file system that sets `lookupRest` (the portal) gets the whole rest of
 * the path as one name from its directories, and that lookup ends the walk.
 *
 * Limits: ENAMETOOLONG for a component over NAME_MAX (255) bytes or a path
 * of PATH_MAX (4096) bytes or more; ENOENT for the empty path; ENOTDIR when
 * a non-directory is used as a directory.
 *
 * => no locks held on entry or return; results are unreferenced handles.
 */

import { NAME_MAX, PATH_MAX, SYMLOOP_MAX, X_OK } from '../constants.js';
import { fail } from '../errno.js';
import { utf8Length } from '../store/names.js';
import { VType, type Vnode } from '../vnode/vnode.js';
import type { Mount, MountTable } from './mount.js';
import { restartable, type Op } from './wait.js';
import type { Cred } from './sys.js';

export const enum Lookup {
  /** Follow a symlink in the last component. */
  Follow = 1,
  /** Stop at the last component: return its directory and name (create, remove, rename). */
  Parent = 2,
}

/** What namei needs from the calling context. */
export interface NameiContext {
  readonly root: Vnode;
  readonly cwd: Vnode;
  readonly cred: Cred;
  readonly mounts: MountTable;
}

/** namei's results, reused between calls to avoid allocation. */
export class Nameidata {
  /** Parent directory (Parent mode). */
  dvp: Vnode | null = null;
  /** The node; null in Parent mode when the name does not exist. */
  vp: Vnode | null = null;
  /** Last component (Parent mode) and its UTF-8 length. */
  name = '';
  nameLen = 0;
  /** The path ended in '/'. */
  trailingSlash = false;
}

const SLASH = 47;

export function checkPathLength(path: string): void {
  if (path.length === 0) throw fail('ENOENT');
  if (path.length * 3 >= PATH_MAX && utf8Length(path) >= PATH_MAX) throw fail('ENAMETOOLONG');
}

/** UTF-8 length of a path component; ENAMETOOLONG past NAME_MAX bytes. */
export function componentLength(name: string): number {
  let len = name.length;
  for (let i = 0; i < name.length; i++) {
    if (name.charCodeAt(i) >= 0x80) {
      len = utf8Length(name);
      break;
    }
  }
  if (len > NAME_MAX) throw fail('ENAMETOOLONG');
  return len;
}

/**
 * Resolve `path` for `ctx` into `nd`.
 * Lookup.Parent: nd.dvp and nd.name name the last component, nd.vp is the
 * node or null. Otherwise nd.vp is the node (ENOENT if missing).
 */
export function namei(ctx: NameiContext, path: string, flags: number, nd: Nameidata): void {
  checkPathLength(path);
  if (ctx.mounts.refresh !== null) ctx.mounts.refresh();
  nd.dvp = null;
  nd.vp = null;
  nd.trailingSlash = false;
  let dir = path.charCodeAt(0) === SLASH ? ctx.root : ctx.cwd;
  let rest = path;
  let n = rest.length;
  let i = 0;
  let links = 0;
  for (;;) {
    while (i < n && rest.charCodeAt(i) === SLASH) i++;
    if (i === n) {
      // Nothing left: the path named `dir` itself ("/", or a link to a directory).
      nd.trailingSlash = n > 0 && rest.charCodeAt(n - 1) === SLASH;
      if ((flags & Lookup.Parent) !== 0) {
        nd.name = '.';
        nd.nameLen = 1;
        nd.dvp = dir;
      }
      nd.vp = dir;
      return;
    }
    let j = rest.indexOf('/', i);
    if (j < 0) j = n;
    let comp = i === 0 && j === n ? rest : rest.slice(i, j);
    let k = j;
    while (k < n && rest.charCodeAt(k) === SLASH) k++;
    let isLast = k === n;
    let trailing = isLast && j < n;
    let compLen: number;
    if (dir.mount.fs.lookupRest === true && dir.type === VType.Dir && comp !== '.' && comp !== '..') {
      // The file system takes the rest of the path, as it is, for one name.
      comp = rest.slice(i);
      k = n;
      isLast = true;
      trailing = false;
      compLen = utf8Length(comp);
      if (compLen >= PATH_MAX) throw fail('ENAMETOOLONG');
    } else {
      compLen = componentLength(comp);
    }
    i = k;
    if (dir.type !== VType.Dir) throw fail('ENOTDIR');

    let child: Vnode | null;
    if (comp === '.') child = dir;
    else if (comp === '..') child = dotdot(ctx, dir);
    else child = lookupOne(ctx, dir, comp, compLen);

    if (child === null) {
      if (isLast && (flags & Lookup.Parent) !== 0) {
        nd.dvp = dir;
        nd.name = comp;
        nd.nameLen = compLen;
        nd.trailingSlash = trailing;
        return;
      }
      throw fail('ENOENT');
    }

    // Cross into whatever is mounted on the child (mounts can stack; a file can cover a file).
    if (child.type === VType.Dir || child.type === VType.Reg) {
      for (let m = ctx.mounts.coveredBy(child); m !== undefined; m = ctx.mounts.coveredBy(child)) child = m.root;
    }

    const follow = !isLast || (flags & Lookup.Follow) !== 0 || (trailing && (flags & Lookup.Parent) === 0);
    if (child.type === VType.Lnk && follow) {
      if (++links > SYMLOOP_MAX) throw fail('ELOOP');
      const target = readlinkOf(child);
      if (target.length === 0) throw fail('ENOENT');
      rest = isLast ? (trailing ? target + '/' : target) : target + '/' + rest.slice(i);
      n = rest.length;
      i = 0;
      if (target.charCodeAt(0) === SLASH) dir = ctx.root;
      continue;
    }

    if (isLast) {
      nd.trailingSlash = trailing;
      if ((flags & Lookup.Parent) !== 0) {
        nd.dvp = dir;
        nd.name = comp;
        nd.nameLen = compLen;
      } else if (trailing && child.type !== VType.Dir) {
        throw fail('ENOTDIR');
      }
      nd.vp = child;
      return;
    }
    dir = child;
  }
}

/** namei inside a system call that may wait: restarted after a remote mount's WouldBlock. */
export function nameiOp(ctx: NameiContext, path: string, flags: number, nd: Nameidata): Op<void> {
  return restartable(() => namei(ctx, path, flags, nd));
}

/**
 * Look `name` up in `dir` with search permission: optimistically first,
 * under the directory's shared lock if a writer got in the way.
 * => a handle (unreferenced) or null.
 */
function lookupOne(ctx: NameiContext, dir: Vnode, name: string, len: number): Vnode | null {
  const fs = dir.mount.fs;
  if (fs.lookupChecked !== undefined) return fs.lookupChecked(dir, name, len, ctx.cred);
  const seq = fs.readBegin(dir);
  if (seq >= 0) {
    let child: Vnode | null = null;
    let failure: unknown = undefined;
    try {
      dir.ops.access(dir, X_OK, ctx.cred);
      child = dir.ops.lookup(dir, name, len);
    } catch (e) {
      failure = e;
    }
    // What was read counts only if the directory stood still meanwhile
    // (a torn read may even have thrown: then we simply look again).
    if (fs.readValid(dir, seq)) {
      if (failure !== undefined) throw failure;
      return child;
    }
  }
  fs.lock(dir, false);
  try {
    dir.ops.access(dir, X_OK, ctx.cred);
    return dir.ops.lookup(dir, name, len);
  } finally {
    fs.unlock(dir);
  }
}

/** "..": stays put at the context's root; leaves a mount through its covered directory. */
function dotdot(ctx: NameiContext, dir: Vnode): Vnode {
  let d = dir;
  for (;;) {
    if (d.mount === ctx.root.mount && d.ino === ctx.root.ino) return d;
    const m = d.mount as Mount;
    if (d.ino === m.root.ino && m.covered !== null) {
      d = m.covered;
      continue;
    }
    const parent = lookupOne(ctx, d, '..', 2);
    if (parent === null) throw fail('ENOENT');
    return parent;
  }
}

/** A symlink's target, read optimistically (or under the shared lock). */
export function readlinkOf(vp: Vnode): string {
  const fs = vp.mount.fs;
  const seq = fs.readBegin(vp);
  if (seq >= 0) {
    try {
      const target = vp.ops.readlink(vp);
      if (fs.readValid(vp, seq)) return target;
    } catch {
      // torn read: fall through to the locked read
    }
  }
  fs.lock(vp, false);
  try {
    return vp.ops.readlink(vp);
  } finally {
    fs.unlock(vp);
  }
}
