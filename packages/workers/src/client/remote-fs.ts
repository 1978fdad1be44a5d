/**
 * The client end of a file system served by its actor (SharedFsSpec mode
 * 'actor', hostfs): every vnode op of this thread travels over the ring to
 * the one instance in the actor's thread, which owns every host descriptor.
 *
 * - Handles are (node number, generation, type) as the actor hands them out;
 *   the actor tags generations with its incarnation, so after a restart
 *   every old handle is stale (ENOENT) except the root's, which is always
 *   generation 0.
 * - Read-path ops (lookup, getattr, access, ...) are plain calls in the VFS.
 *   A synchronous caller blocks on the answer. An asynchronous caller inside
 *   a restartable step throws WouldBlock: the step waits for the answer
 *   without blocking the event loop, then runs again and finds it in the
 *   step's Replay. Elsewhere (a read op called from an I/O path outside a
 *   step) the call blocks briefly: correct, only not overlapped.
 * - I/O ops are generators and simply wait. Data moves in chunks of at most
 *   CHUNK bytes: a bigger read or write is several requests (so a write over
 *   CHUNK bytes with O_APPEND is not atomic against other threads' appends;
 *   each chunk is).
 * - References are counted here only: the actor keeps a node alive while a
 *   file is open on it (it references the node for every open file it
 *   holds), and a last release here sends inactive, which frees a node whose
 *   last name went.
 * - Locks are no-ops: the actor runs one op at a time.
 */

import {
  DIR_EOF,
  POLLIN,
  POLLOUT,
  Replay,
  Vnode,
  VType,
  WouldBlock,
  completeVector,
  currentReplay,
  inRestartableStep,
  inSyncDriver,
  runSync,
  type AdvFlags,
  type AdvOp,
  type AdvlockRequest,
  type Cred,
  type DirEntry,
  type FileRef,
  type MountedFs,
  type Op,
  type StatBuf,
  type StatFs,
  type VnodeMount,
  type VopVector,
} from '@actorvfs/core/internal';
import type { WireLock, WireVnode } from '../protocol/codec.js';
import type { WireOp } from '../protocol/ops.js';
import type { ClientRing } from './actor-link.js';

/** Bytes of data per read or write request (a ring slot holds a little more). */
export const CHUNK = 65536;

/** Directory entries per readdir request (names of up to 255 bytes: well inside a slot). */
const READDIR_CHUNK = 128;

/** The root handle's generation (the same in every incarnation of the actor). */
export const ROOT_GEN = 0;

type Answer = { ok: true; value: unknown; out?: unknown } | { ok: false; error: unknown };

export class RemoteFs implements MountedFs {
  private readonly counts = new Map<number, number>();
  private readonly handles = new Map<number, Vnode>();
  private readonly covered = new Set<number>();
  readonly ops: Required<VopVector>;

  constructor(
    readonly type: string,
    private readonly link: ClientRing,
    private readonly root: number,
    private readonly rootType: VType,
  ) {
    this.ops = remoteVector(this);
  }

  rootIno(): number {
    return this.root;
  }

  /** namei's access + lookup in one round trip. */
  lookupChecked(dvp: Vnode, name: string, nameLen: number, cred: Cred): Vnode | null {
    return this.ask(`L:${nodeKey(dvp)}:${name}:${credKey(cred)}`, 'lookupChecked', [dvp, name, nameLen, cred]) as Vnode | null;
  }

  vget(mount: VnodeMount, ino: number): Vnode | null {
    if (ino === this.root) return this.handle(mount, { mount: mount.id, ino, gen: ROOT_GEN, type: this.rootType });
    const vp = this.handles.get(ino);
    return vp !== undefined && vp.mount === mount ? vp : null;
  }

  /** This thread's handle for a node the actor named. */
  handle(mount: VnodeMount, w: WireVnode): Vnode {
    const known = this.handles.get(w.ino);
    if (known !== undefined && known.gen === w.gen && known.mount === mount) return known;
    if (this.handles.size >= 1 << 16) this.handles.clear();
    const vp = new Vnode(mount, w.ino, w.gen, w.type as VType, this.ops);
    this.handles.set(w.ino, vp);
    return vp;
  }

  ref(vp: Vnode): void {
    this.counts.set(vp.ino, (this.counts.get(vp.ino) ?? 0) + 1);
  }

  adoptRef(vp: Vnode, handoff: Int32Array, index: number): void {
    this.ref(vp);
    Atomics.store(handoff, index, 0);
  }

  rele(vp: Vnode): boolean {
    const n = this.counts.get(vp.ino) ?? 0;
    if (n <= 1) {
      this.counts.delete(vp.ino);
      return n === 1;
    }
    this.counts.set(vp.ino, n - 1);
    return false;
  }

  isCurrent(_vp: Vnode): boolean {
    return true;
  }

  lock(_vp: Vnode, _exclusive: boolean): void {}

  unlock(_vp: Vnode): void {}

  readBegin(_vp: Vnode): number {
    return -1;
  }

  readValid(_vp: Vnode, _token: number): boolean {
    return false;
  }

  statfs(): StatFs {
    return JSON.parse(runSync(this.link.request('statfs', [])) as string) as StatFs;
  }

  setMountpoint(ino: number, covered: boolean): void {
    if (covered) this.covered.add(ino);
    else this.covered.delete(ino);
  }

  isMountpoint(ino: number): boolean {
    return this.covered.has(ino);
  }

  busy(): boolean {
    return this.counts.size > 0;
  }

  /**
   * A read-path op: its answer now, or WouldBlock (see the file comment).
   * `fresh` makes the out-parameter for an asynchronous fetch, `deliver`
   * copies it into the caller's.
   */
  ask(key: string, name: WireOp, args: unknown[], out?: { fresh(): unknown; index: number }): unknown {
    if (inSyncDriver() || !inRestartableStep()) return runSync(this.link.request(name, args));
    const r = currentReplay();
    const got = r?.answers.get(key) as Answer | undefined;
    if (got !== undefined) {
      if (!got.ok) throw got.error;
      if (out !== undefined) deliver(args[out.index], got.out);
      return got.value;
    }
    const replay = r ?? new Replay();
    throw new WouldBlock(this.fetch(replay, key, name, args, out), replay);
  }

  private *fetch(replay: Replay, key: string, name: WireOp, args: unknown[], out?: { fresh(): unknown; index: number }): Op<void> {
    const sent = args.slice();
    let mine: unknown;
    if (out !== undefined) sent[out.index] = mine = out.fresh();
    try {
      const value = yield* this.link.request(name, sent);
      replay.answers.set(key, { ok: true, value, out: mine } satisfies Answer);
    } catch (e) {
      replay.answers.set(key, { ok: false, error: e } satisfies Answer);
    }
  }

  request(name: WireOp, args: unknown[]): Op<unknown> {
    return this.link.request(name, args);
  }
}

function deliver(target: unknown, got: unknown): void {
  if (target instanceof Float64Array) target.set(got as Float64Array);
  else if (Array.isArray(target)) target.push(...(got as unknown[]));
}

function fsOf(vp: Vnode): RemoteFs {
  return vp.mount.fs as RemoteFs;
}

function nodeKey(vp: Vnode): string {
  return `${vp.mount.id}:${vp.ino}:${vp.gen}`;
}

function credKey(c: Cred): string {
  return `${c.uid}:${c.gid}:${c.groups.join(',')}`;
}

function remoteVector(_fs: RemoteFs): Required<VopVector> {
  const vector: VopVector = {
    lookup(dvp: Vnode, name: string, nameLen: number): Vnode | null {
      return fsOf(dvp).ask(`l:${nodeKey(dvp)}:${name}`, 'lookup', [dvp, name, nameLen]) as Vnode | null;
    },
    access(vp: Vnode, mode: number, cred: Cred): void {
      fsOf(vp).ask(`a:${nodeKey(vp)}:${mode}:${credKey(cred)}`, 'access', [vp, mode, cred]);
    },
    getattr(vp: Vnode, out: StatBuf): void {
      fsOf(vp).ask(`g:${nodeKey(vp)}`, 'getattr', [vp, out], { index: 1, fresh: () => new Float64Array(out.length) });
    },
    readlink(vp: Vnode): string {
      return fsOf(vp).ask(`r:${nodeKey(vp)}`, 'readlink', [vp]) as string;
    },
    readdir(vp: Vnode, pos: number, max: number, out: DirEntry[]): number {
      // In slot-sized pieces: a directory's whole listing need not fit in one answer.
      const fs = fsOf(vp);
      let at = pos;
      let left = max;
      while (left > 0 && at < DIR_EOF) {
        const want = Math.min(left, READDIR_CHUNK);
        const before = out.length;
        at = fs.ask(`d:${nodeKey(vp)}:${at}:${want}`, 'readdir', [vp, at, want, out], { index: 3, fresh: () => [] }) as number;
        const got = out.length - before;
        left -= got;
        if (got === 0) break;
      }
      return at;
    },
    pathconf(vp: Vnode, name: number): number {
      return fsOf(vp).ask(`p:${nodeKey(vp)}:${name}`, 'pathconf', [vp, name]) as number;
    },
    seekhole(vp: Vnode, pos: number, whence: number): number {
      return fsOf(vp).ask(`s:${nodeKey(vp)}:${pos}:${whence}`, 'seekhole', [vp, pos, whence]) as number;
    },
    *open(vp: Vnode, file: FileRef, cred: Cred): Op<void> {
      yield* fsOf(vp).request('open', [vp, file, cred]);
    },
    *close(vp: Vnode, file: FileRef): Op<void> {
      yield* fsOf(vp).request('close', [vp, file]);
    },
    *read(vp: Vnode, file: FileRef, buf: Uint8Array, off: number, len: number, pos: number): Op<number> {
      // Whole reads, as from a local file: chunk after chunk until len or EOF.
      const fs = fsOf(vp);
      let done = 0;
      while (done < len) {
        const want = Math.min(CHUNK, len - done);
        const n = (yield* fs.request('read', [vp, file, buf, off + done, want, pos < 0 ? -1 : pos + done])) as number;
        done += n;
        if (n < want) break;
      }
      return done;
    },
    *write(vp: Vnode, file: FileRef, buf: Uint8Array, off: number, len: number, pos: number): Op<number> {
      const fs = fsOf(vp);
      let done = 0;
      do {
        const want = Math.min(CHUNK, len - done);
        const n = (yield* fs.request('write', [vp, file, buf, off + done, want, pos < 0 ? -1 : pos + done])) as number;
        done += n;
        if (n < want) break;
      } while (done < len);
      return done;
    },
    *fsync(vp: Vnode, file: FileRef): Op<void> {
      yield* fsOf(vp).request('fsync', [vp, file]);
    },
    *advlock(vp: Vnode, owner: number, op: AdvOp, lock: AdvlockRequest, flags: AdvFlags): Op<AdvlockRequest | null> {
      const got = (yield* fsOf(vp).request('advlock', [vp, owner, op, lock, flags])) as WireLock | null;
      return got === null || got === undefined ? null : { type: got.type, start: got.start, end: got.end, pid: got.pid };
    },
    *poll(vp: Vnode, file: FileRef, events: number, timeoutMs: number): Op<number> {
      if (vp.type === VType.Reg || vp.type === VType.Dir) return events & (POLLIN | POLLOUT);
      return (yield* fsOf(vp).request('poll', [vp, file, events, timeoutMs])) as number;
    },
  };
  return completeVector(vector);
}
