/**
 * hostfs rename: rename(2) on the host, between two directories of the
 * mapping, after the checks the host cannot make for the VFS caller (write
 * and search permission on both directories, sticky directories, write
 * permission on a directory that changes parent, mount points). The host
 * then gives POSIX rename its usual semantics and errors (atomic
 * replacement, ENOTEMPTY, EISDIR, ENOTDIR, EINVAL for a directory moved
 * into itself, EXDEV between host file systems).
 *
 * => fdvp and tdvp unlocked on entry and return. The VFS has ruled out "."
 *    and "..", crossing mounts and long names.
 */

import { W_OK } from '../constants.js';
import { fail } from '../errno.js';
import { checkAccess, checkSticky } from '../vfs/access.js';
import type { Cred } from '../vfs/sys.js';
import type { Vnode } from '../vnode/vnode.js';
import { at, checkName, host, nodeFs } from './host.js';
import { lstatAt } from './resolve.js';
import { checkDirWritable, checkWritableFs, hfs, lostLink, openedDir } from './vnops.js';

export function rename(fdvp: Vnode, tdvp: Vnode, fname: string, _fnameLen: number, tname: string, _tnameLen: number, cred: Cred): void {
  const fs = hfs(fdvp);
  checkWritableFs(fs);
  const fdir = fs.nodeOf(fdvp);
  const tdir = fs.nodeOf(tdvp);
  checkName(fname);
  checkName(tname);
  const from = openedDir(fs, fdir);
  const to = tdir === fdir ? from : openedDir(fs, tdir);
  const fst = lstatAt(from.fd, fname);
  if (fst === null || (!fs.subtree && fst.isDirectory())) throw fail('ENOENT');
  const tst = lstatAt(to.fd, tname);

  checkDirWritable(cred, from.st);
  if (tdir !== fdir) checkDirWritable(cred, to.st);
  if (tst !== null && tst.dev === fst.dev && tst.ino === fst.ino) return; // two names of one object: nothing to do
  checkSticky(cred, Number(from.st.mode), Number(from.st.uid), Number(fst.uid));
  if (tst !== null) checkSticky(cred, Number(to.st.mode), Number(to.st.uid), Number(tst.uid));
  const fnode = fs.nodes.find(fst);
  const tnode = tst === null ? undefined : fs.nodes.find(tst);
  if ((fnode !== undefined && fs.isMountpoint(fnode.ino)) || (tnode !== undefined && fs.isMountpoint(tnode.ino))) throw fail('EBUSY');
  if (fst.isDirectory() && tdir !== fdir) {
    // Its ".." changes: the directory itself must be writable.
    checkAccess(cred, Number(fst.mode), Number(fst.uid), Number(fst.gid), W_OK);
  }

  host(() => nodeFs.renameSync(at(from.fd, fname), at(to.fd, tname)));
  if (tst !== null) lostLink(fs, tst);
  fs.nodes.register(fst, tdir, tname);
}
