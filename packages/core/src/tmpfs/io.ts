/**
 * tmpfs regular-file data: read and write through the page map.
 *
 * read:  => vp unlocked on entry and return; takes the vnode lock shared.
 * write: => vp unlocked on entry and return; takes the vnode lock exclusive,
 *           so an O_APPEND write finds EOF and writes there atomically, even
 *           against writers in other threads.
 *
 * Shared mode: a large write commits its transaction every WRITE_CHUNK
 * bytes (with the size moved past what it has written), still holding the
 * vnode lock: a writer killed in the middle leaves what a short write
 * leaves, and the undo log and the allocator's hold stay small.
 */

import { MAX_FILE_SIZE, O_APPEND, O_NOATIME, SEEK_DATA, S_IFMT, SF_APPEND, SF_IMMUTABLE, UF_APPEND, UF_IMMUTABLE } from '../constants.js';
import { fail } from '../errno.js';
import { F_ATIME, F_CTIME, F_MTIME, F_SIZE, I_ATIME_NS, I_CTIME_NS, I_FLAGS, I_MODE, I_MTIME_NS, ifw, iw } from '../store/inode.js';
import { put, putF64 } from '../store/journal.js';
import { pmNextData, pmNextHole, pmRead, pmWrite, pmZeroTail } from '../store/pagemap.js';
import { modeAfterWrite } from '../vfs/access.js';
import type { Op } from '../vfs/wait.js';
import type { FileRef, Vnode } from '../vnode/vnode.js';
import { T_CTIME, T_MTIME, now, touch } from './subr.js';
import type { Tmpfs } from './tmpfs.js';

const DAY = 86400;
const WRITE_CHUNK = 1 << 20;

function tfs(vp: Vnode): Tmpfs {
  return vp.mount.fs as Tmpfs;
}

export function* regRead(vp: Vnode, file: FileRef, buf: Uint8Array, off: number, len: number, pos: number): Op<number> {
  const fs = tfs(vp);
  const ino = vp.ino;
  fs.lock(vp, false);
  try {
    const f = fs.st.f64s[ino >>> 20]!;
    const size = f[ifw(ino) + F_SIZE]!;
    if (pos >= size || len === 0) return 0;
    const n = Math.min(len, size - pos);
    pmRead(fs.st, ino, pos, buf, off, n);
    if (fs.atime !== 'noatime' && (file.flags & O_NOATIME) === 0 && !vp.mount.readonly) updateAtime(fs, ino, f);
    return n;
  } finally {
    fs.unlock(vp);
  }
}

/**
 * relatime: update atime only when it is not newer than mtime or ctime, or
 * is a day old (so "was this read since it changed?" still works), 'strict'
 * always. Written under the shared lock: concurrent readers may both write
 * it, which is harmless.
 */
function updateAtime(fs: Tmpfs, ino: number, f: Float64Array): void {
  const fb = ifw(ino);
  const w = fs.st.i32s[ino >>> 20]!;
  const b = iw(ino);
  const t = now(fs);
  if (fs.atime === 'relatime') {
    const as = f[fb + F_ATIME]!;
    const an = w[b + I_ATIME_NS]!;
    const newer = (s: number, n: number) => as > s || (as === s && an > n);
    if (newer(f[fb + F_MTIME]!, w[b + I_MTIME_NS]!) && newer(f[fb + F_CTIME]!, w[b + I_CTIME_NS]!) && t.sec - as < DAY) return;
  }
  putF64(fs.st, ino >>> 20, fb + F_ATIME, t.sec);
  put(fs.st, ino >>> 20, b + I_ATIME_NS, t.nsec);
}

export function* regWrite(vp: Vnode, file: FileRef, buf: Uint8Array, off: number, len: number, pos: number): Op<number> {
  const fs = tfs(vp);
  const ino = vp.ino;
  fs.lock(vp, true);
  try {
    const w = fs.st.i32s[ino >>> 20]!;
    const b = iw(ino);
    const flags = w[b + I_FLAGS]!;
    if ((flags & (UF_IMMUTABLE | SF_IMMUTABLE)) !== 0) throw fail('EPERM');
    const append = (file.flags & O_APPEND) !== 0;
    if ((flags & (UF_APPEND | SF_APPEND)) !== 0 && !append) throw fail('EPERM');
    const f = fs.st.f64s[ino >>> 20]!;
    const size = f[ifw(ino) + F_SIZE]!;
    if (append || pos < 0) pos = size;
    if (len === 0) {
      file.endPos = pos;
      return 0;
    }
    if (pos >= MAX_FILE_SIZE) throw fail('EFBIG');
    if (pos + len > MAX_FILE_SIZE) len = MAX_FILE_SIZE - pos;
    const st = fs.st;
    const seg = ino >>> 20;
    if (pos > size) pmZeroTail(st, ino, size, pos);
    const j = st.journal;
    let n = 0;
    let cur = size;
    for (;;) {
      const chunk = j === null ? len - n : Math.min(WRITE_CHUNK, len - n);
      let done: number;
      try {
        done = pmWrite(st, ino, pos + n, buf, off + n, chunk, cur);
      } catch (e) {
        if (n > 0) break;
        throw e;
      }
      n += done;
      if (pos + n > cur) {
        cur = pos + n;
        putF64(st, seg, ifw(ino) + F_SIZE, cur);
      }
      if (n === len || done < chunk) break;
      j!.checkpoint();
    }
    touch(fs, ino, T_MTIME | T_CTIME);
    const mode = w[b + I_MODE]!;
    if ((mode & 0o6000) !== 0) put(st, seg, b + I_MODE, (mode & S_IFMT) | modeAfterWrite(file.cred, mode & 0o7777));
    file.endPos = pos + n;
    return n;
  } finally {
    fs.unlock(vp);
  }
}

export function* regFsync(_vp: Vnode, _file: FileRef): Op<void> {
  // Memory is the medium: there is nothing to flush.
}

export function regSeekhole(vp: Vnode, pos: number, whence: number): number {
  const fs = tfs(vp);
  const size = fs.st.f64s[vp.ino >>> 20]![ifw(vp.ino) + F_SIZE]!;
  if (pos >= size) throw fail('ENXIO');
  if (whence === SEEK_DATA) {
    const at = pmNextData(fs.st, vp.ino, pos, size);
    if (at < 0) throw fail('ENXIO');
    return at;
  }
  return pmNextHole(fs.st, vp.ino, pos, size);
}
