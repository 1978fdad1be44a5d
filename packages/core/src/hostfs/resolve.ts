/**
 * hostfs containment: reaching a node's host object without ever leaving
 * the mapped root (what openat2(2) with RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS
 * gives C programs; Node has no openat, so we build it).
 *
 * The rules:
 *
 * 1. The root is opened once, by its configured path, as an O_PATH
 *    descriptor that pins it for the instance's life. Nothing else is ever
 *    resolved by a multi-component path.
 *
 * 2. A directory node is reached from the root (or from a validated
 *    ancestor, see 4) one component at a time: `open("/proc/self/fd/<d>/
 *    <name>", O_PATH | O_DIRECTORY | O_NOFOLLOW)`. Linux resolves the magic
 *    link `/proc/self/fd/<d>` by jumping to the open directory itself, so
 *    each step is openat(d, name): exactly one component, inside a directory
 *    we hold. O_NOFOLLOW | O_DIRECTORY refuse a symlink (or anything but a
 *    directory) there. Each step's object must be the node recorded for it
 *    (st_dev, st_ino, birth time, type), else the handle is stale (ENOENT).
 *
 * 3. An operation on a name acts through `/proc/self/fd/<dir>/<name>` with a
 *    call that does not follow a final symlink (lstat, O_NOFOLLOW opens,
 *    rename, unlink, link, symlink, readlink), or on a descriptor pinning
 *    the node (O_PATH | O_NOFOLLOW, identity checked on the descriptor
 *    itself), through `/proc/self/fd/<fd>` for chmod, chown, utimes and
 *    truncate, which then act on that very object and nothing else. So no
 *    host symlink is ever followed, anywhere: a host symlink is only ever a
 *    VFS symlink, whose target the VFS resolves in its own namespace.
 *
 * 4. Directory descriptors are cached per node (a small LRU), and a cached
 *    one is used only after checking that the directory is still where the
 *    node says, under the root: readlink("/proc/self/fd/<fd>"), the path the
 *    kernel derives from the open directory's real parent chain at that
 *    moment, must equal readlink of the root descriptor followed by the
 *    node's recorded names. Otherwise the descriptor is dropped and the walk
 *    of rule 2 runs again (and fails with ENOENT if the node moved).
 *
 * 5. A validation (4) or walk (2) made while the VFS holds the node's lock
 *    serves until the lock is released: the VFS never waits while holding a
 *    lock, so that is one step of one system call (access + lookup of one
 *    path component, say), the same window any check-then-act has.
 *
 * What remains (documented in README.md): a host process that moves a
 * directory out of the root *while* an operation is between its check and
 * its call makes that one call act on the directory it moved (never on a
 * symlink target, never on anything that was not inside the root); a hard
 * link or bind mount the host made from inside the root to outside is
 * followed, as with any chroot. Linux's /proc is required: without it
 * hostFs() refuses to start rather than run uncontained.
 */

import { fail } from '../errno.js';
import { VType } from '../vnode/vnode.js';
import { O_DIRECTORY, O_NOFOLLOW, O_PATH, at, close, errnoOf, fstat, hostError, lstat, open, pinned, readlinkAt, type HostStat } from './host.js';
import type { HostFs } from './hostfs.js';
import { MAX_DEPTH, sameObject, type HostNode } from './nodes.js';

/** A failure that means "the recorded place no longer holds this object". */
function isStale(e: unknown): boolean {
  const code = errnoOf(e);
  return code === 'ENOENT' || code === 'ENOTDIR' || code === 'ELOOP';
}

/** The node's recorded path below the root ("/a/b"; "" for the root). */
function recordedPath(node: HostNode): string {
  let path = '';
  let depth = 0;
  for (let n: HostNode | null = node; n !== null && n.parent !== null; n = n.parent) {
    if (++depth > MAX_DEPTH) throw fail('ENOENT');
    path = '/' + n.name + path;
  }
  return path;
}

/** Is the cached descriptor of `dir` still at the node's recorded place under the root? */
function cachedValid(dir: HostNode, rootPath: string): boolean {
  try {
    return readlinkAt(pinned(dir.dirFd)) === rootPath + recordedPath(dir);
  } catch {
    return false;
  }
}

function rootPathNow(fs: HostFs): string {
  const p = readlinkAt(pinned(fs.rootFd));
  return p === '/' ? '' : p;
}

/**
 * An O_PATH descriptor of directory node `dir`, reached without leaving the
 * root (rules 2 and 4). The descriptor belongs to the cache (dircache.ts):
 * the caller must not close it, and may use it until its operation ends.
 * => ENOENT if the node is no longer where it was recorded.
 */
export function dirFd(fs: HostFs, dir: HostNode): number {
  const rootFd = fs.rootFd;
  if (dir.parent === null) return rootFd;
  if (dir.type !== VType.Dir || dir.detached) throw fail('ENOENT');
  if (dir.validWhileHeld && dir.dirFd >= 0) return dir.dirFd;
  // Nearest node on the way up whose cached descriptor is still in place.
  const chain: HostNode[] = [];
  let start = rootFd;
  let rootPath: string | undefined;
  for (let n: HostNode = dir; n.parent !== null; n = n.parent) {
    if (n.detached || chain.length > MAX_DEPTH) throw fail('ENOENT');
    if (n.dirFd >= 0) {
      rootPath ??= host0(() => rootPathNow(fs));
      if (cachedValid(n, rootPath)) {
        start = n.dirFd;
        fs.dirCache.touch(n);
        if (n.holds > 0) n.validWhileHeld = true;
        break;
      }
      // Left in place: it is replaced when this node is resolved itself.
    }
    chain.push(n);
  }
  if (chain.length === 0) return start;
  // Walk down from there, one checked component at a time.
  let fd = start;
  try {
    for (let i = chain.length - 1; i >= 0; i--) {
      const n = chain[i]!;
      let next: number;
      try {
        next = open(at(fd, n.name), O_PATH | O_DIRECTORY | O_NOFOLLOW);
      } catch (e) {
        throw isStale(e) ? fail('ENOENT') : hostError(e);
      }
      if (fd !== start) close(fd);
      fd = next;
      if (!sameObject(n, fstat(fd))) throw fail('ENOENT');
    }
  } catch (e) {
    if (fd !== start) close(fd);
    throw hostError(e);
  }
  fs.dirCache.insert(dir, fd);
  if (dir.holds > 0) dir.validWhileHeld = true;
  return fd;
}

function host0<T>(fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    throw hostError(e);
  }
}

/**
 * lstat of what `name` names in directory node `dir`, or null if nothing
 * does. Never follows a symlink.
 */
export function lstatIn(fs: HostFs, dir: HostNode, name: string): HostStat | null {
  return lstatAt(dirFd(fs, dir), name);
}

/** lstat of `name` in directory descriptor `d`, or null if there is no such entry. */
export function lstatAt(d: number, name: string): HostStat | null {
  try {
    return lstat(at(d, name));
  } catch (e) {
    if (errnoOf(e) === 'ENOENT') return null;
    throw hostError(e);
  }
}

/**
 * lstat of the node's own object, identity checked. An open file whose name
 * went away (unlinked, or renamed on the host) answers through one of its
 * open descriptors, as POSIX wants for open-but-unlinked files.
 * => ENOENT if the object cannot be found.
 */
export function statNode(fs: HostFs, node: HostNode): HostStat {
  if (node.parent === null) return host0(() => fstat(fs.rootFd));
  if (node.type === VType.Dir) {
    // Its own descriptor: checked on the way there (and shared with a lookup under the same lock).
    const d = dirFd(fs, node);
    return host0(() => fstat(d));
  }
  let st: HostStat | null = null;
  try {
    st = lstatIn(fs, node.parent, node.name);
  } catch (e) {
    if (!isStale(e)) throw e;
  }
  if (st !== null && sameObject(node, st)) return st;
  if (node.fds.length > 0) return host0(() => fstat(node.fds[0]!));
  throw fail('ENOENT');
}

/** A descriptor pinning a node's object, and its attributes (read from the descriptor itself). */
export interface Pin {
  fd: number;
  /** The pin's own descriptor (close it), or one the file system keeps (the root's, an open file's). */
  owned: boolean;
  st: HostStat;
}

/**
 * Pin `node`: an O_PATH | O_NOFOLLOW descriptor of its object, identity
 * checked on the descriptor, so whatever is done through
 * `/proc/self/fd/<pin>` happens to exactly this object (rule 3).
 */
export function pinNode(fs: HostFs, node: HostNode): Pin {
  if (node.parent === null) return { fd: fs.rootFd, owned: false, st: host0(() => fstat(fs.rootFd)) };
  try {
    const d = dirFd(fs, node.parent);
    const fd = host0(() => open(at(d, node.name), O_PATH | O_NOFOLLOW));
    let st: HostStat;
    try {
      st = host0(() => fstat(fd));
    } catch (e) {
      close(fd);
      throw e;
    }
    if (sameObject(node, st)) return { fd, owned: true, st };
    close(fd);
  } catch (e) {
    if (!isStale(e)) throw e;
  }
  if (node.fds.length > 0) {
    const fd = node.fds[0]!;
    return { fd, owned: false, st: host0(() => fstat(fd)) };
  }
  throw fail('ENOENT');
}

/** Run `fn` on a pin of `node`, then let the pin go. */
export function withPin<T>(fs: HostFs, node: HostNode, fn: (pin: Pin) => T): T {
  const pin = pinNode(fs, node);
  try {
    return fn(pin);
  } catch (e) {
    throw hostError(e);
  } finally {
    if (pin.owned) close(pin.fd);
  }
}
