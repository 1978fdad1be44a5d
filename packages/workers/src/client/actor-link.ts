/**
 * The client end of one actor: this thread's ring to it in the registry.
 *
 * `request` encodes an operation into a free slot, rings the actor's
 * doorbell and yields until the slot is answered (runSync sleeps on it,
 * after a short spin; runAsync awaits it), then decodes the answer or
 * throws the errno it carries. Synchronous callers always use slot 0: a
 * sync call never overlaps another in its thread, but may start while async
 * requests hold every other slot, and those cannot finish while the thread
 * sleeps. Async callers share slots 1..n-1 and queue for them when all are
 * in flight.
 */

import { Errno, codeOfErrno, inSyncDriver, newWait, runSync, waitFor, type ActorLink, type MutateResult, type Op, type Vnode, type Vop, type Wait } from '@actorvfs/core/internal';
import { Decoder, Encoder, Tag, type WireValue, type WireVnode } from '../protocol/codec.js';
import { OP_CODE, wireArgs, type ArgKind, type WireOp, type WireVop } from '../protocol/ops.js';
import { A, ActorState, R, actorBase, type Registry } from '../protocol/registry.js';
import { S, SLOT_HEADER_BYTES, SlotFlags, SlotState, slotOffset } from '../protocol/ring.js';

/** Turns wire vnodes of answers back into this thread's handles. */
export interface VnodeResolver {
  vnodeOf(w: WireVnode): Vnode;
}

/** A short spin catches answers a few microseconds away (see Wait.spin). */
const ANSWER_SPIN = 4000;

export class ClientRing implements ActorLink {
  private readonly enc = new Encoder();
  private readonly dec = new Decoder();
  private readonly free: number[] = [];
  /** Wakes async requests queued for a slot (a private word: only this thread uses it). */
  private readonly slotFreed = new Int32Array(new SharedArrayBuffer(4));
  private seq = 0;
  private view: DataView;

  constructor(
    private readonly reg: Registry,
    private readonly actor: number,
    private readonly ring: number,
    private readonly slots: number,
    private readonly slotBytes: number,
    private readonly resolver: VnodeResolver,
  ) {
    for (let k = slots - 1; k >= 1; k--) this.free.push(k);
    this.view = new DataView(reg.sab, 0, reg.u8.length);
  }

  /** Is this the ring at `ring` with this geometry? */
  is(ring: number, slots: number, slotBytes: number): boolean {
    return this.ring === ring && this.slots === slots && this.slotBytes === slotBytes;
  }

  call<K extends Parameters<ActorLink['call']>[0]>(name: K, args: Parameters<Vop<K>>): Op<MutateResult<K>> {
    return this.request(name as WireVop, args as unknown as unknown[]) as Op<MutateResult<K>>;
  }

  post<K extends Parameters<ActorLink['post']>[0]>(name: K, args: Parameters<Vop<K>>): void {
    // Fire and forget in a free async slot; with none free, wait for the
    // answer in the sync slot instead (never drop it: the node would leak).
    if (this.unavailable()) return;
    const k = this.free.pop();
    if (k === undefined) {
      runSync(this.request(name as WireVop, args as unknown as unknown[]));
      return;
    }
    const base = this.encode(k, name as WireVop, args as unknown as unknown[], SlotFlags.NoReply);
    this.ring_(base);
    // The actor frees the slot; we may take it again once it reads FREE.
    this.reclaimLater(k, base);
  }

  /** Is the actor gone for good (given up after repeated deaths) or the file system closing? */
  private unavailable(): boolean {
    const i32 = this.reg.i32;
    return Atomics.load(i32, R.CLOSING) !== 0 || Atomics.load(i32, actorBase(this.actor) + A.STATE) === ActorState.Stopped;
  }

  /** Send `name(args)` and wait for the answer. */
  *request(name: WireOp, args: readonly unknown[]): Op<unknown> {
    if (this.unavailable()) throw new Errno('EIO');
    let k: number;
    if (inSyncDriver()) {
      k = 0;
    } else {
      let wait: Wait | undefined;
      for (;;) {
        const got = this.free.pop();
        if (got !== undefined) {
          k = got;
          break;
        }
        wait ??= newWait();
        yield waitFor(wait, this.slotFreed, 0, Atomics.load(this.slotFreed, 0), false);
      }
    }
    const state = (slotOffset(this.ring, k, this.slotBytes) >> 2) + S.STATE;
    let handedBack = false;
    try {
      const base = this.encode(k, name, args, 0);
      this.ring_(base);
      const i32 = this.reg.i32;
      let wait: Wait | undefined;
      for (;;) {
        const s = Atomics.load(i32, state);
        if (s === SlotState.Done) break;
        wait ??= newWait();
        wait.spin = ANSWER_SPIN;
        yield waitFor(wait, i32, state, s, false);
      }
      const answer = this.decodeAnswer(name, base, args);
      if (name === 'create') {
        // The actor referenced the new node for us. Count it as this
        // thread's in the same breath as handing the slot back: the
        // coordinator drops the reference of a dead thread's create answer
        // only while the slot still holds it.
        const vp = answer as Vnode;
        if (vp.mount.fs.adoptRef !== undefined) {
          vp.mount.fs.adoptRef(vp, this.reg.i32, state);
          handedBack = true;
        }
      }
      return answer;
    } finally {
      if (!handedBack) Atomics.store(this.reg.i32, state, SlotState.Free);
      if (k !== 0) {
        this.free.push(k);
        Atomics.add(this.slotFreed, 0, 1);
        Atomics.notify(this.slotFreed, 0);
      }
    }
  }

  private encode(k: number, name: WireOp, args: readonly unknown[], flags: number): number {
    const reg = this.reg;
    const base = slotOffset(this.ring, k, this.slotBytes);
    if (base + SLOT_HEADER_BYTES + this.slotBytes > this.view.byteLength) {
      reg.refresh(base + SLOT_HEADER_BYTES + this.slotBytes);
      this.view = new DataView(reg.sab, 0, reg.u8.length);
    }
    const start = base + SLOT_HEADER_BYTES;
    const enc = this.enc.reset(this.view, reg.u8, start, this.slotBytes);
    if (name === 'lookupChecked') {
      // lookupChecked(dvp, name, nameLen, cred): lookup's arguments and the caller's credentials.
      encodeArg(enc, 'vnode', args[0], name, args);
      enc.string(args[1] as string).number(args[2] as number);
      encodeArg(enc, 'cred', args[3], name, args);
    } else if (name !== 'ping' && name !== 'statfs') {
      const kinds = wireArgs(name);
      for (let i = 0; i < kinds.length; i++) encodeArg(enc, kinds[i]!, args[i], name, args);
    }
    const i32 = reg.i32;
    const h = base >> 2;
    i32[h + S.OP] = OP_CODE[name];
    i32[h + S.LEN] = enc.length(start);
    i32[h + S.STATUS] = 0;
    i32[h + S.FLAGS] = flags;
    i32[h + S.ATTEMPTS] = 0;
    i32[h + S.SEQ] = ++this.seq;
    return base;
  }

  /** Publish the request and wake the actor. */
  private ring_(base: number): void {
    const i32 = this.reg.i32;
    Atomics.store(i32, (base >> 2) + S.STATE, SlotState.Request);
    const bell = actorBase(this.actor) + A.DOORBELL;
    Atomics.add(i32, bell, 1);
    Atomics.notify(i32, bell, 1);
  }

  private reclaimLater(k: number, base: number): void {
    const st = (base >> 2) + S.STATE;
    const res = Atomics.waitAsync(this.reg.i32, st, SlotState.Request, 60_000);
    const done = (): void => {
      // The actor set it FREE (waitFree keeps waiting until it does).
      if (Atomics.load(this.reg.i32, st) === SlotState.Free) {
        this.free.push(k);
        Atomics.add(this.slotFreed, 0, 1);
        Atomics.notify(this.slotFreed, 0);
      }
    };
    if (res.async) void res.value.then(() => this.waitFree(st, done));
    else this.waitFree(st, done);
  }

  private waitFree(st: number, done: () => void): void {
    const s = Atomics.load(this.reg.i32, st);
    if (s === SlotState.Free) return done();
    const res = Atomics.waitAsync(this.reg.i32, st, s, 60_000);
    if (res.async) void res.value.then(() => this.waitFree(st, done));
    else this.waitFree(st, done);
  }

  private decodeAnswer(name: WireOp, base: number, args: readonly unknown[]): unknown {
    const i32 = this.reg.i32;
    const h = base >> 2;
    const status = i32[h + S.STATUS]!;
    if (status !== 0) throw new Errno(codeOfErrno(status) ?? 'EIO');
    const dec = this.dec.reset(this.view, this.reg.u8, base + SLOT_HEADER_BYTES + i32[h + S.ANSWER]!);
    const v = dec.value();
    switch (name) {
      case 'create':
      case 'lookup':
      case 'lookupChecked':
        return v === null ? null : this.resolver.vnodeOf(v as WireVnode);
      case 'getattr': {
        (args[1] as Float64Array).set(v as Float64Array);
        return undefined;
      }
      case 'readdir': {
        const pos = v as number;
        (args[3] as unknown[]).push(...(dec.value() as unknown[]));
        return pos;
      }
      case 'read': {
        const bytes = v as Uint8Array;
        (args[2] as Uint8Array).set(bytes, args[3] as number);
        return bytes.length;
      }
      case 'write': {
        const file = args[1] as { endPos: number };
        file.endPos = dec.value() as number;
        return v;
      }
      default:
        return v;
    }
  }
}

function encodeArg(enc: Encoder, kind: ArgKind, v: unknown, name: WireOp, args: readonly unknown[]): void {
  switch (kind) {
    case 'skip':
      return;
    case 'vnode': {
      const vp = v as Vnode;
      enc.vnode({ mount: vp.mount.id, ino: vp.ino, gen: vp.gen, type: vp.type });
      return;
    }
    case 'string':
      enc.string(v as string);
      return;
    case 'number':
      enc.number(v as number);
      return;
    case 'attr':
      enc.attr(v as object);
      return;
    case 'cred':
      enc.cred(v as { uid: number; gid: number; groups: readonly number[] });
      return;
    case 'file': {
      const f = v as { id: number; flags: number; cred: { uid: number; gid: number; groups: readonly number[] } };
      enc.file({ id: f.id, flags: f.flags, cred: f.cred });
      return;
    }
    case 'lock': {
      const l = v as { type: number; start: number; end: number; pid?: number };
      enc.lock({ type: l.type, start: l.start, end: l.end, pid: l.pid ?? 0 });
      return;
    }
    case 'bytes': {
      // write(vp, file, buf, off, len, pos): the bytes are buf[off .. off+len)
      if (name !== 'write') throw new Error(`protocol: bytes argument of ${name}`);
      enc.bytesValue(v as Uint8Array, args[3] as number, args[4] as number);
      return;
    }
  }
}

export type { WireValue, Tag };
