/**
 * The actor's side of a file system it serves whole (SharedFsSpec mode
 * 'actor', hostfs): the one instance, built here from the spec the
 * coordinator put in the mount table, and every thread's vnode ops run on
 * it, one at a time.
 *
 * - Handles go out as (ino, generation tagged with this actor's
 *   incarnation, type); the root's generation is always 0. A handle from an
 *   earlier incarnation is stale (ENOENT): the node numbering died with it.
 * - Open files: the FileRef of every open file description lives here, by
 *   its id (ids are unique across threads), with whatever the file system
 *   keeps in it (a host descriptor), and holds a reference on its node. A
 *   dead thread's files are closed and its advisory locks released
 *   (`dropThread`); a restart loses every open file (their operations then
 *   fail with EIO: the descriptors died with the thread).
 * - Ops that wait (a blocking advisory lock, poll) are generators: `start`
 *   returns the generator and the actor parks it until its wait ends, so
 *   one waiting caller never stops the others.
 */

import { Errno, Vnode, X_OK, done, newStatBuf, type Cred, type DirEntry, type FileRef, type MountedFs, type Op, type VAttr, type VnodeMount } from '@actorvfs/core/internal';
import type { Decoder, Encoder, WireAttr, WireFile, WireVnode } from '../protocol/codec.js';
import { wireArgs, type WireOp, type WireVop } from '../protocol/ops.js';
import { ID_THREAD_SHIFT } from '../protocol/registry.js';

/** Generation bits kept from the file system's own (the rest carry the incarnation). */
const GEN_BITS = 24;
const GEN_MASK = (1 << GEN_BITS) - 1;

export class RemoteServer {
  /** Open file descriptions by id, and the node each is open on. */
  private readonly files = new Map<number, { file: FileRef; vp: Vnode }>();
  private readonly rootIno: number;

  constructor(
    readonly fs: MountedFs,
    readonly mount: VnodeMount,
    private readonly incarnation: number,
  ) {
    this.rootIno = fs.rootIno();
  }

  wireOf(vp: Vnode): WireVnode {
    const gen = vp.ino === this.rootIno ? 0 : ((this.incarnation & 0x7f) << GEN_BITS) | (vp.gen & GEN_MASK);
    return { mount: this.mount.id, ino: vp.ino, gen, type: vp.type };
  }

  /** A request's node: this mount's and current, else ENOENT (or null if `staleOk`). */
  private vnodeOf(w: WireVnode, staleOk = false): Vnode | null {
    if (w.mount !== this.mount.id) throw new Errno('EXDEV');
    const vp = this.fs.vget(this.mount, w.ino);
    if (vp === null || this.wireOf(vp).gen !== w.gen) {
      if (staleOk) return null;
      throw new Errno('ENOENT');
    }
    return vp;
  }

  private fileOf(w: WireFile): FileRef {
    const f = this.files.get(w.id);
    if (f === undefined) throw new Errno('EIO');
    return f.file;
  }

  /**
   * Decode `name`'s arguments and start it. => a generator that runs the op
   * and returns the answer to encode (plain ops are done at the first step).
   */
  start(name: WireOp, dec: Decoder): Op<unknown> {
    if (name === 'statfs') return done(JSON.stringify(this.fs.statfs()));
    if (name === 'ping') return done('pong');
    if (name === 'lookupChecked') {
      const dvp = this.vnodeOf(dec.value() as WireVnode)!;
      const nm = dec.value() as string;
      const len = dec.value() as number;
      const cred = dec.value() as Cred;
      dvp.ops.access(dvp, X_OK, cred);
      const child = dvp.ops.lookup(dvp, nm, len);
      return done(child === null ? null : this.wireOf(child));
    }
    const kinds = wireArgs(name as WireVop);
    const args: unknown[] = [];
    let file: WireFile | null = null;
    for (const kind of kinds) {
      if (kind === 'skip') {
        args.push(undefined);
        continue;
      }
      const v = dec.value();
      if (kind === 'vnode') {
        // inactive of a node already freed (its last open file closed here first): nothing to do.
        const vp = this.vnodeOf(v as WireVnode, name === 'inactive' || kinds.includes('file'));
        if (vp === null) {
          // (Closing such a file just lets go of it: its host descriptor died with the old actor.)
          if (name === 'inactive' || name === 'close') return done(undefined);
          // An open file keeps its node: a stale one means the file was opened before a restart.
          throw new Errno('EIO');
        }
        args.push(vp);
      }
      else if (kind === 'file') {
        file = v as WireFile;
        args.push(null);
      } else args.push(v);
    }
    const vp = args[0] as Vnode;
    const fileIndex = kinds.indexOf('file');
    switch (name) {
      case 'open': {
        const ref: FileRef = { id: file!.id, flags: file!.flags, cred: file!.cred, endPos: 0, data: undefined };
        args[fileIndex] = ref;
        return this.open(vp, ref, args[2] as Cred);
      }
      case 'close': {
        const open = this.files.get(file!.id);
        return open === undefined ? done(undefined) : this.close(vp, open.file);
      }
      case 'read': {
        // read(vp, file, buf, off, len, pos): the data comes back as the answer.
        const len = args[4] as number;
        const buf = new Uint8Array(len);
        return this.read(vp, this.fileOf(file!), buf, len, args[5] as number);
      }
      case 'write': {
        // write(vp, file, buf, off, len, pos): buf came as bytes; answer [count, endPos].
        const bytes = args[2] as Uint8Array;
        return this.write(vp, this.fileOf(file!), bytes, args[5] as number);
      }
      case 'getattr': {
        const out = newStatBuf();
        vp.ops.getattr(vp, out);
        return done(out);
      }
      case 'readdir': {
        const out: DirEntry[] = [];
        const pos = vp.ops.readdir(vp, args[1] as number, args[2] as number, out);
        return done({ pos, entries: out });
      }
      case 'lookup': {
        const child = vp.ops.lookup(vp, args[1] as string, args[2] as number);
        return done(child === null ? null : this.wireOf(child));
      }
      case 'create': {
        const nvp = vp.ops.create(vp, args[1] as string, args[2] as number, args[3] as VAttr, args[4] as Cred);
        // The caller's thread counts its reference itself; here only open files hold nodes.
        if (this.fs.rele(nvp)) nvp.ops.inactive(nvp);
        return done(this.wireOf(nvp));
      }
      case 'inactive':
        vp.ops.inactive(vp);
        return done(undefined);
      default: {
        if (fileIndex >= 0) args[fileIndex] = this.fileOf(file!);
        const fn = (vp.ops as unknown as Record<string, (...a: unknown[]) => unknown>)[name];
        if (fn === undefined) throw new Errno('EOPNOTSUPP');
        const result = fn(...args);
        return isGenerator(result) ? (result as Op<unknown>) : done(result);
      }
    }
  }

  /** Write `answer` of `name` into the slot. */
  encode(name: WireOp, answer: unknown, enc: Encoder): void {
    switch (name) {
      case 'lookup':
      case 'lookupChecked':
      case 'create':
        if (answer === null) enc.value(null);
        else enc.vnode(answer as WireVnode);
        return;
      case 'readdir': {
        const { pos, entries } = answer as { pos: number; entries: DirEntry[] };
        enc.number(pos).entries(entries);
        return;
      }
      case 'write': {
        const [n, end] = answer as [number, number];
        enc.number(n).number(end);
        return;
      }
      case 'advlock':
        if (answer === null || answer === undefined) enc.value(null);
        else {
          const l = answer as { type: number; start: number; end: number; pid?: number };
          enc.lock({ type: l.type, start: l.start, end: l.end, pid: l.pid ?? 0 });
        }
        return;
      default:
        enc.value(answer as undefined);
    }
  }

  private *open(vp: Vnode, file: FileRef, cred: Cred): Op<void> {
    yield* vp.ops.open(vp, file, cred);
    this.fs.ref(vp);
    this.files.set(file.id, { file, vp });
  }

  private *close(vp: Vnode, file: FileRef): Op<void> {
    this.files.delete(file.id);
    try {
      yield* vp.ops.close(vp, file);
    } finally {
      if (this.fs.rele(vp)) vp.ops.inactive(vp);
    }
  }

  private *read(vp: Vnode, file: FileRef, buf: Uint8Array, len: number, pos: number): Op<Uint8Array> {
    const n = yield* vp.ops.read(vp, file, buf, 0, len, pos);
    return buf.subarray(0, n);
  }

  private *write(vp: Vnode, file: FileRef, bytes: Uint8Array, pos: number): Op<[number, number]> {
    const n = yield* vp.ops.write(vp, file, bytes, 0, bytes.length, pos);
    return [n, file.endPos];
  }

  openFiles(): number {
    return this.files.size;
  }

  /** Thread slot `tid` died: close its open files and release its advisory locks. => files closed. */
  dropThread(tid: number, runToEnd: (op: Op<unknown>) => void): number {
    const mine = (id: number): boolean => id >>> ID_THREAD_SHIFT === tid + 1;
    let closed = 0;
    for (const [id, { file, vp }] of [...this.files]) {
      if (!mine(id)) continue;
      closed++;
      try {
        runToEnd(this.close(vp, file));
      } catch {
        // Closing a dead thread's file: nobody to tell.
      }
    }
    this.fs.purgeOwners?.(mine);
    return closed;
  }
}

function isGenerator(v: unknown): boolean {
  return v !== null && typeof v === 'object' && typeof (v as { next?: unknown }).next === 'function' && typeof (v as { throw?: unknown }).throw === 'function';
}

export type { WireAttr };
