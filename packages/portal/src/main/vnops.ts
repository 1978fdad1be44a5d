/**
 * The portal's vnode operations.
 *
 * The root is a directory (mode 0777, nlink 2) that takes any name below it
 * whole (MountedFs.lookupRest) and cannot be listed (EOPNOTSUPP, as puffs
 * answered for the missing readdir op). Every other node is a name: a
 * regular file (mode 0666, nlink 1, size 0, owner root) whose attributes
 * cost nothing and never involve a provider; matching happens at open.
 *
 * As in puffs, an op the portal does not implement answers EOPNOTSUPP
 * (unlink, rename, link, locks, ...), except access and close, which
 * succeed; setattr (chmod, chown, utimes, truncate) succeeds and changes
 * nothing. Read, write, fsync and poll go to the stream an open made
 * (StreamEnd), in whatever thread runs the op.
 *
 * => every op: vnodes unlocked on entry and return (the portal has no
 *    locks; the VFS's lock calls only check that a handle is current).
 */

import { constants } from '@actorvfs/core';
import { St, VOP_NAMES, VOP_TABLE, VType, completeVector, fail, type AdvOp, type AdvlockRequest, type Cred, type FileRef, type Op, type StatBuf, type VAttr, type Vnode, type VopName, type VopVector } from '@actorvfs/core/internal';
import type { StreamEnd } from '../stream/stream-end.js';
import type { Host } from './pool.js';
import type { PortalFs } from './portal-fs.js';

const { F_UNLCK, O_NONBLOCK, POLLIN, POLLOUT, S_IFDIR, S_IFREG } = constants;

/** What an open portal file keeps (FileRef.data). */
export interface OpenStream {
  readonly end: StreamEnd;
  readonly host: Host;
}

function pfs(vp: Vnode): PortalFs {
  return vp.mount.fs as PortalFs;
}

function streamOf(file: FileRef): StreamEnd {
  const s = (file.data as OpenStream | undefined)?.end;
  if (s === undefined) throw fail('EBADF');
  return s;
}

function nonBlocking(file: FileRef): boolean {
  return (file.flags & O_NONBLOCK) !== 0;
}

function access(_vp: Vnode, _mode: number, _cred: Cred): void {
  // puffs answers access itself: allowed.
}

function getattr(vp: Vnode, out: StatBuf): void {
  const fs = pfs(vp);
  const isRoot = vp.type === VType.Dir;
  const sec = fs.nowSec();
  out.fill(0);
  out[St.Ino] = vp.ino;
  out[St.Mode] = isRoot ? S_IFDIR | 0o777 : S_IFREG | 0o666;
  out[St.Nlink] = isRoot ? 2 : 1;
  out[St.Blksize] = 512;
  out[St.AtimeSec] = out[St.MtimeSec] = out[St.CtimeSec] = out[St.BirthtimeSec] = sec[0];
  out[St.AtimeNsec] = out[St.MtimeNsec] = out[St.CtimeNsec] = out[St.BirthtimeNsec] = sec[1];
}

function setattr(_vp: Vnode, _attr: VAttr, _cred: Cred): void {
  // portal_node_setattr: "pretend we care".
}

function inactive(_vp: Vnode): void {
  // Nodes are forgotten by the node table when unreferenced and many.
}

function lookup(dvp: Vnode, name: string, _nameLen: number): Vnode {
  const fs = pfs(dvp);
  if (name === '.' || name === '..') return dvp;
  return fs.vnodeOf(dvp.mount, fs.nodes.lookup(name));
}

function readdir(_vp: Vnode): number {
  throw fail('EOPNOTSUPP');
}

function* open(vp: Vnode, file: FileRef, cred: Cred): Op<void> {
  const fs = pfs(vp);
  if (vp.type === VType.Dir) return; // the root: nothing to open
  file.data = yield* fs.openOp(fs.keyOf(vp), file.flags, cred);
}

function* close(vp: Vnode, file: FileRef): Op<void> {
  const fs = pfs(vp);
  const o = file.data as OpenStream | undefined;
  if (o !== undefined) fs.closeStream(o);
}

function* read(_vp: Vnode, file: FileRef, buf: Uint8Array, off: number, len: number, pos: number): Op<number> {
  const s = streamOf(file);
  let n: number;
  if (s.seekable) n = yield* s.pread(buf, off, len, pos);
  else {
    // A stream has no offsets: reading anywhere but where it is (pread, a seek) is ESPIPE.
    if (pos !== s.vfsPos) throw fail('ESPIPE');
    n = yield* s.read(buf, off, len, nonBlocking(file));
    s.vfsPos += n;
  }
  // puffs: a read reply never carries more than was asked for.
  if (n > len) throw fail('EIO');
  return n;
}

function* write(_vp: Vnode, file: FileRef, buf: Uint8Array, off: number, len: number, pos: number): Op<number> {
  const s = streamOf(file);
  if (s.seekable) {
    const { n, end } = yield* s.pwrite(buf, off, len, pos);
    file.endPos = end;
    return n;
  }
  if (pos >= 0 && pos !== s.vfsPos) throw fail('ESPIPE');
  const nb = nonBlocking(file);
  const n = yield* s.write(buf, off, len, nb);
  // puffs: a blocking write is done whole, or it is an error.
  if (!nb && n !== len) throw fail('EIO');
  s.vfsPos += n;
  file.endPos = s.vfsPos;
  return n;
}

function* fsync(_vp: Vnode, file: FileRef): Op<void> {
  const o = file.data as OpenStream | undefined;
  if (o !== undefined) yield* o.end.flush();
}

/** No locks: taking one is EOPNOTSUPP; letting go of none (the VFS does at close) is fine. */
function* advlock(_vp: Vnode, _owner: number, _op: AdvOp, lock: AdvlockRequest): Op<AdvlockRequest | null> {
  if (lock.type === F_UNLCK) return null;
  throw fail('EOPNOTSUPP');
}

function* poll(_vp: Vnode, file: FileRef, events: number, timeoutMs: number): Op<number> {
  const o = file.data as OpenStream | undefined;
  // The root (or a stream given away): ready, never a crash (the original dereferenced NULL here).
  if (o === undefined || o.end.phase !== 'open') return events & (POLLIN | POLLOUT);
  return yield* o.end.poll(events, timeoutMs);
}

export const rootOps = completeVector({ lookup, access, getattr, setattr, readdir, open, close, poll, advlock, inactive });
export const nodeOps = completeVector({ access, getattr, setattr, open, close, read, write, fsync, poll, advlock, inactive });

/**
 * The op dump's vectors: every op of the table, the ones the portal leaves
 * to the defaults included (remove, rename, mkdir, ...), logged before it
 * runs. Nodes of a portal with tracing on get these; the others pay nothing.
 */
function traced(vector: Required<VopVector>): Required<VopVector> {
  const out = {} as Record<VopName, unknown>;
  for (const name of VOP_NAMES) {
    const fn = vector[name] as (...args: unknown[]) => unknown;
    const argNames = VOP_TABLE[name].args;
    out[name] = function tracedOp(this: unknown, ...args: unknown[]): unknown {
      pfs(args[0] as Vnode).traceOp(name, args, argNames);
      return fn.apply(this, args);
    };
  }
  return out as Required<VopVector>;
}

export const tracedRootOps = traced(rootOps);
export const tracedNodeOps = traced(nodeOps);
