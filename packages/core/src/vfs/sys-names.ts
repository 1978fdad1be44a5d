/**
 * System calls that change the namespace: mkdir, rmdir, unlink, rename,
 * link, symlink, mknod. Each resolves its paths with namei (stopping at the
 * last component), rules out what only the VFS can judge (".", "..", mount
 * points, crossing mounts, read-only mounts, trailing slashes), and hands
 * the change to the file system's mutating op, which re-checks the rest
 * under its locks. namei hands back unreferenced handles, which the
 * mutating ops validate when they lock them; nothing here holds references.
 */

import { PATH_MAX, S_IFBLK, S_IFCHR, S_IFDIR, S_IFIFO, S_IFMT, S_IFREG, S_IFSOCK } from '../constants.js';
import { fail } from '../errno.js';
import { utf8Length } from '../store/names.js';
import { VType, type Vnode } from '../vnode/vnode.js';
import { vopMutate } from '../vnode/vops.js';
import type { Mount } from './mount.js';
import { Lookup, Nameidata, nameiOp } from './namei.js';
import type { Proc } from './proc.js';
import type { Op } from './wait.js';

function isDot(name: string): boolean {
  return name === '.' || name === '..';
}

/** Is vp the root of a mount stacked over something (a mount point as seen from above)? */
function isMountRoot(vp: Vnode): boolean {
  const m = vp.mount as Mount;
  return m.covered !== null && vp.ino === m.root.ino;
}

function checkWritable(dvp: Vnode): void {
  if ((dvp.mount as Mount).readonly) throw fail('EROFS');
}

export function* mkdir(p: Proc, path: string, mode: number): Op<void> {
  const nd = new Nameidata();
  yield* nameiOp(p, path, Lookup.Parent, nd);
  if (nd.vp !== null || isDot(nd.name)) throw fail('EEXIST');
  const dvp = nd.dvp!;
  checkWritable(dvp);
  yield* vopMutate('mkdir', dvp, nd.name, nd.nameLen, { type: VType.Dir, mode: mode & ~p.umask & 0o7777 }, p.cred);
  p.kernel.watch.emit(dvp, 'rename', nd.name);
}

export function* rmdir(p: Proc, path: string): Op<void> {
  const nd = new Nameidata();
  yield* nameiOp(p, path, Lookup.Parent, nd);
  if (nd.name === '.') throw fail('EINVAL');
  if (nd.name === '..') throw fail('ENOTEMPTY');
  const dvp = nd.dvp!;
  checkWritable(dvp);
  const vp = nd.vp;
  if (vp === null) throw fail('ENOENT');
  if (vp.type !== VType.Dir) throw fail('ENOTDIR');
  if (isMountRoot(vp)) throw fail('EBUSY');
  yield* vopMutate('rmdir', dvp, nd.name, nd.nameLen, p.cred);
  p.kernel.watch.emit(dvp, 'rename', nd.name);
  p.kernel.watch.emit(vp, 'rename', nd.name);
}

export function* unlink(p: Proc, path: string): Op<void> {
  const nd = new Nameidata();
  yield* nameiOp(p, path, Lookup.Parent, nd);
  if (isDot(nd.name)) throw fail('EISDIR');
  const dvp = nd.dvp!;
  checkWritable(dvp);
  const vp = nd.vp;
  if (vp === null) throw fail('ENOENT');
  if (vp.type === VType.Dir) throw fail('EISDIR');
  if (nd.trailingSlash) throw fail('ENOTDIR');
  if (isMountRoot(vp)) throw fail('EBUSY'); // a file mounted over a file
  yield* vopMutate('remove', dvp, nd.name, nd.nameLen, p.cred);
  p.kernel.watch.emit(dvp, 'rename', nd.name);
  p.kernel.watch.emit(vp, 'rename', nd.name);
}

export function* rename(p: Proc, from: string, to: string): Op<void> {
  const fnd = new Nameidata();
  const tnd = new Nameidata();
  yield* nameiOp(p, from, Lookup.Parent, fnd);
  yield* nameiOp(p, to, Lookup.Parent, tnd);
  const fvp = fnd.vp;
  if (isDot(fnd.name) || isDot(tnd.name)) throw fail(fvp === null ? 'ENOENT' : 'EBUSY');
  checkWritable(fnd.dvp!);
  if (fvp === null) throw fail('ENOENT');
  if (fnd.trailingSlash && fvp.type !== VType.Dir) throw fail('ENOTDIR');
  if (tnd.trailingSlash && fvp.type !== VType.Dir) throw fail('ENOTDIR');
  const fdvp = fnd.dvp!;
  const tdvp = tnd.dvp!;
  if (isMountRoot(fvp) || (tnd.vp !== null && isMountRoot(tnd.vp))) throw fail('EBUSY');
  if (fdvp.mount !== tdvp.mount) throw fail('EXDEV');
  checkWritable(fdvp);
  yield* vopMutate('rename', fdvp, tdvp, fnd.name, fnd.nameLen, tnd.name, tnd.nameLen, p.cred);
  const watch = p.kernel.watch;
  watch.emit(fdvp, 'rename', fnd.name);
  watch.emit(tdvp, 'rename', tnd.name);
  watch.emit(fvp, 'rename', tnd.name);
  if (tnd.vp !== null && tnd.vp !== fvp) watch.emit(tnd.vp, 'rename', tnd.name);
}

export function* link(p: Proc, existing: string, newPath: string): Op<void> {
  const snd = new Nameidata();
  const tnd = new Nameidata();
  yield* nameiOp(p, existing, 0, snd);
  yield* nameiOp(p, newPath, Lookup.Parent, tnd);
  const vp = snd.vp!;
  if (tnd.vp !== null || isDot(tnd.name)) throw fail('EEXIST');
  if (tnd.trailingSlash) throw fail('ENOENT');
  if (vp.type === VType.Dir) throw fail('EPERM');
  const dvp = tnd.dvp!;
  if (dvp.mount !== vp.mount) throw fail('EXDEV');
  checkWritable(dvp);
  yield* vopMutate('link', dvp, vp, tnd.name, tnd.nameLen, p.cred);
  p.kernel.watch.emit(dvp, 'rename', tnd.name);
  p.kernel.watch.emit(vp, 'change', tnd.name);
}

export function* symlink(p: Proc, target: string, path: string): Op<void> {
  if (target.length === 0) throw fail('ENOENT');
  if (target.length * 3 >= PATH_MAX && utf8Length(target) >= PATH_MAX) throw fail('ENAMETOOLONG');
  const nd = new Nameidata();
  yield* nameiOp(p, path, Lookup.Parent, nd);
  if (nd.vp !== null || isDot(nd.name)) throw fail('EEXIST');
  if (nd.trailingSlash) throw fail('ENOENT');
  const dvp = nd.dvp!;
  checkWritable(dvp);
  yield* vopMutate('symlink', dvp, nd.name, nd.nameLen, target, { type: VType.Lnk, mode: 0o777 }, p.cred);
  p.kernel.watch.emit(dvp, 'rename', nd.name);
}

const MKNOD_TYPES: Record<number, VType> = {
  [S_IFREG]: VType.Reg,
  [S_IFIFO]: VType.Fifo,
  [S_IFCHR]: VType.Chr,
  [S_IFBLK]: VType.Blk,
  [S_IFSOCK]: VType.Sock,
};

export function* mknod(p: Proc, path: string, mode: number, dev: number): Op<void> {
  const fmt = (mode & S_IFMT) === 0 ? S_IFREG : mode & S_IFMT;
  if (fmt === S_IFDIR) throw fail('EPERM');
  const type = MKNOD_TYPES[fmt];
  if (type === undefined) throw fail('EINVAL');
  const nd = new Nameidata();
  yield* nameiOp(p, path, Lookup.Parent, nd);
  if (nd.vp !== null || isDot(nd.name)) throw fail('EEXIST');
  if (nd.trailingSlash) throw fail('ENOENT');
  const dvp = nd.dvp!;
  checkWritable(dvp);
  const vp = yield* vopMutate('create', dvp, nd.name, nd.nameLen, { type, mode: fmt | (mode & ~p.umask & 0o7777), rdev: dev }, p.cred);
  p.vrele(vp); // create returns a reference; mknod keeps none
  p.kernel.watch.emit(dvp, 'rename', nd.name);
}
