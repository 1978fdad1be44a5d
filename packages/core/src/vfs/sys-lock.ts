/**
 * Advisory-lock system calls: fcntl record locks (F_GETLK, F_SETLK,
 * F_SETLKW) owned by the context, and flock locks owned by the open file
 * description.
 */

import { F_RDLCK, F_UNLCK, F_WRLCK, LOCK_EX, LOCK_NB, LOCK_SH, LOCK_UN, SEEK_CUR, SEEK_END, SEEK_SET } from '../constants.js';
import { fail } from '../errno.js';
import { AdvFlags, AdvOp, type AdvlockRequest } from '../vnode/vnode.js';
import { getattr } from './sys-attr.js';
import type { OpenFile } from './file.js';
import type { Proc } from './proc.js';
import { St, newStatBuf, type RecordLock } from './sys.js';
import { restartable, type Op } from './wait.js';

/** Absolute inclusive range of a record lock request. */
function toRequest(p: Proc, file: OpenFile, l: RecordLock): AdvlockRequest {
  let base: number;
  switch (l.whence) {
    case SEEK_SET:
      base = 0;
      break;
    case SEEK_CUR:
      base = file.offset;
      break;
    case SEEK_END: {
      const st = newStatBuf();
      getattr(file.vp, st);
      base = st[St.Size]!;
      break;
    }
    default:
      throw fail('EINVAL');
  }
  let start = base + l.start;
  let end: number;
  if (l.len > 0) end = start + l.len - 1;
  else if (l.len === 0) end = Infinity;
  else {
    end = start - 1;
    start = start + l.len;
  }
  if (start < 0 || !Number.isSafeInteger(start)) throw fail('EINVAL');
  return { type: l.type, start, end, pid: p.pid };
}

function checkMode(file: OpenFile, type: number): void {
  if (type === F_RDLCK && !file.readable) throw fail('EBADF');
  if (type === F_WRLCK && !file.writable) throw fail('EBADF');
  if (type !== F_RDLCK && type !== F_WRLCK && type !== F_UNLCK) throw fail('EINVAL');
}

export function* getlk(p: Proc, fd: number, l: RecordLock): Op<RecordLock> {
  const file = p.file(fd);
  const req = yield* restartable(() => toRequest(p, file, l));
  if (req.type === F_UNLCK) throw fail('EINVAL');
  const c = yield* file.vp.ops.advlock(file.vp, p.pid, AdvOp.GetLk, req, AdvFlags.Posix);
  if (c === null) return { type: F_UNLCK, whence: SEEK_SET, start: req.start, len: lenOf(req.start, req.end) };
  return { type: c.type, whence: SEEK_SET, start: c.start, len: lenOf(c.start, c.end), pid: c.pid ?? 0 };
}

function lenOf(start: number, end: number): number {
  return end === Infinity ? 0 : end - start + 1;
}

export function* setlk(p: Proc, fd: number, l: RecordLock): Op<void> {
  const file = p.file(fd);
  checkMode(file, l.type);
  const req = yield* restartable(() => toRequest(p, file, l));
  p.lockedVnodes.add(file.vp);
  yield* file.vp.ops.advlock(file.vp, p.pid, AdvOp.SetLk, req, AdvFlags.Posix);
}

export function* setlkw(p: Proc, fd: number, l: RecordLock): Op<void> {
  const file = p.file(fd);
  checkMode(file, l.type);
  const req = yield* restartable(() => toRequest(p, file, l));
  p.lockedVnodes.add(file.vp);
  yield* file.vp.ops.advlock(file.vp, p.pid, AdvOp.SetLkW, req, AdvFlags.Posix);
}

export function* flock(p: Proc, fd: number, operation: number): Op<void> {
  const file = p.file(fd);
  const nb = (operation & LOCK_NB) !== 0;
  const op = operation & ~LOCK_NB;
  const type = op === LOCK_SH ? F_RDLCK : op === LOCK_EX ? F_WRLCK : op === LOCK_UN ? F_UNLCK : -1;
  if (type < 0) throw fail('EINVAL');
  file.flocked = true;
  const req: AdvlockRequest = { type, start: 0, end: Infinity, pid: p.pid };
  yield* file.vp.ops.advlock(file.vp, file.id, nb || type === F_UNLCK ? AdvOp.SetLk : AdvOp.SetLkW, req, AdvFlags.Flock);
}
