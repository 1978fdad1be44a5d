/**
 * An actor: the worker thread that serves one mount. For a tmpfs it is the
 * single writer of the mount's metadata: every create, link, remove,
 * rename, setattr and inactive of every thread comes here, one at a time,
 * and runs the tmpfs code on the shared store. (Reads do not come here:
 * callers run them on the store themselves.) For a file system served
 * whole (hostfs, remote-server.ts) every op comes here; ops that wait are
 * parked until their wait ends, so they never hold up the others.
 *
 * The serve loop takes requests from every client's ring round-robin.
 * While work keeps arriving it waits on its doorbell synchronously (a short
 * spin, then Atomics.wait for at most a couple of milliseconds), which is
 * fast to wake; when idle it waits asynchronously, so its event loop runs
 * the control plane (comlink) in between.
 */

import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { ERRNO, Errno, Journal, Tmpfs, VnodeCache, limboPending, limboReclaim, runSync, type MountedFs, type Op, type Vnode, type VnodeMount, type Wait } from '@actorvfs/core/internal';
import type { ActorStart, ActorStats } from '../protocol/control.js';
import { Decoder, Encoder, type WireAttr, type WireVnode } from '../protocol/codec.js';
import { OP_CODE, opName, wireArgs, type WireOp, type WireVop } from '../protocol/ops.js';
import { A, M, MAX_THREADS, MountKind, MountState, R, Registry, T, ThreadState, actorBase, mountBase, readSpec, threadBase } from '../protocol/registry.js';
import { RemoteServer } from './remote-server.js';
import { MAX_ATTEMPTS, S, SLOT_HEADER_BYTES, SlotFlags, SlotState, answerOffset, slotOffset } from '../protocol/ring.js';

interface RingRef {
  tid: number;
  base: number;
}

/** A remote op waiting (its slot stays BUSY until it finishes). */
interface Parked {
  op: Op<unknown>;
  name: WireOp;
  base: number;
  tid: number;
  wait: Wait;
  /** When its wait times out (performance.now() ms), or Infinity. */
  deadline: number;
}

const IDLE_SPIN = 2000;
const SYNC_WAIT_MS = 2;
const ASYNC_WAIT_MS = 100;

export class Actor {
  readonly reg: Registry;
  readonly fs: MountedFs;
  readonly mount: VnodeMount;
  private readonly enc = new Encoder();
  private readonly dec = new Decoder();
  private view: DataView;
  private rings: RingRef[] = [];
  private threadsGen = -1;
  private readonly bell: number;
  private readonly slots: number;
  private readonly slotBytes: number;
  private stopping = false;
  private served = 0;
  /** Every change this actor makes is a transaction in it (one per request). */
  private readonly journal: Journal;

  /** The file system served whole, for a remote mount (null for a tmpfs). */
  private readonly remote: RemoteServer | null;
  private parked: Parked[] = [];
  /** When the limbo list may next be looked at (performance.now() ms), and the oldest epoch then. */
  private nextReclaim = 0;
  private lastOldest = 0;

  /** Build the actor of `start`'s mount (a remote file system is loaded from its spec). */
  static async open(start: ActorStart): Promise<Actor> {
    const reg = Registry.open(start.registry);
    const m = findMountSlot(reg, start.mountId);
    if (reg.i32[m + M.KIND] !== MountKind.Remote) return new Actor(start, null);
    const spec = readSpec(reg, m);
    const mod = (await import(resolveSpecifier(spec.module))) as Record<string, unknown>;
    const factory = mod[spec.export];
    if (typeof factory !== 'function') throw new TypeError(`actorvfs: ${spec.module} has no export ${spec.export}`);
    return new Actor(start, (factory as (o: unknown) => MountedFs)(spec.options));
  }

  private constructor(
    readonly start: ActorStart,
    remoteFs: MountedFs | null,
  ) {
    this.reg = Registry.open(start.registry);
    const i32 = this.reg.i32;
    const a = actorBase(start.actor);
    this.bell = a + A.DOORBELL;
    this.slots = i32[a + A.RING_SLOTS]!;
    this.slotBytes = i32[a + A.SLOT_BYTES]!;
    const m = findMountSlot(this.reg, start.mountId);
    this.journal = new Journal(start.journal, start.refs, start.tid);
    if (remoteFs !== null) {
      this.fs = remoteFs;
      this.mount = { id: start.mountId, fs: remoteFs, readonly: false, cache: new VnodeCache() };
      this.remote = new RemoteServer(remoteFs, this.mount, i32[m + M.INCARNATION]!);
      const root = remoteFs.vget(this.mount, remoteFs.rootIno());
      if (root === null) throw new Error(`actorvfs: ${remoteFs.type} has no root`);
      i32[m + M.ROOT_INO] = root.ino;
      i32[m + M.ROOT_TYPE] = root.type;
    } else {
      const first = i32[m + M.REGION_FIRST]!;
      const count = i32[m + M.REGION_COUNT]!;
      const tmpfs = Tmpfs.attach({ store: { regions: start.regions.slice(first, first + count) }, atime: i32[m + M.ATIME] === 1 ? 'noatime' : 'relatime' });
      tmpfs.tid = start.tid;
      tmpfs.st.id = start.mountId;
      tmpfs.st.useJournal(this.journal);
      tmpfs.st.retire = () => Atomics.add(this.reg.i32, R.EPOCH, 1);
      this.fs = tmpfs;
      this.mount = { id: start.mountId, fs: tmpfs, readonly: false, cache: new VnodeCache() };
      this.remote = null;
    }
    this.view = new DataView(this.reg.sab, 0, this.reg.u8.length);
  }

  stats(): ActorStats {
    return { served: this.served, rings: this.rings.length };
  }

  stop(): void {
    this.stopping = true;
    Atomics.add(this.reg.i32, this.bell, 1);
    Atomics.notify(this.reg.i32, this.bell);
  }

  /** The serve loop; resolves when stopped or when the file system closes. */
  async run(): Promise<void> {
    const i32 = this.reg.i32;
    let busy = 0;
    while (!this.stopping && Atomics.load(this.reg.i32, R.CLOSING) === 0) {
      const seen = Atomics.load(i32, this.bell);
      if (this.remote === null && limboPending((this.fs as Tmpfs).st)) this.reclaim();
      if (this.serveAll() > 0) {
        // Let the event loop (control plane) in now and then under load.
        if (++busy % 1024 === 0) await tick();
        continue;
      }
      let spin = IDLE_SPIN;
      while (spin-- > 0 && Atomics.load(i32, this.bell) === seen);
      if (Atomics.load(i32, this.bell) !== seen) continue;
      const cap = this.parked.length > 0 ? Math.max(0, this.nextDeadline() - performance.now()) : Infinity;
      if (Atomics.wait(this.reg.i32, this.bell, seen, Math.min(SYNC_WAIT_MS, cap)) !== 'timed-out') continue;
      if (cap <= SYNC_WAIT_MS) continue;
      const res = Atomics.waitAsync(this.reg.i32, this.bell, seen, Math.min(ASYNC_WAIT_MS, cap));
      if (res.async) await res.value;
      else await tick();
    }
  }

  /** Serve every pending request once. => returns how many were served. */
  serveAll(): number {
    const reg = this.reg;
    if (Atomics.load(reg.i32, R.THREADS_GEN) !== this.threadsGen) this.rescan();
    let n = 0;
    if (this.parked.length > 0) n += this.resumeParked();
    for (const ring of this.rings) {
      for (let k = 0; k < this.slots; k++) {
        const base = slotOffset(ring.base, k, this.slotBytes);
        if (Atomics.load(reg.i32, (base >> 2) + S.STATE) === SlotState.Request) {
          if (this.remote !== null) this.serveRemote(base, ring.tid);
          else this.serve(base);
          n++;
        }
      }
    }
    return n;
  }

  /**
   * Free retired inode pages that no thread can hold a handle into any more:
   * those retired before the oldest epoch a thread is in a call under.
   */
  private reclaim(): void {
    const i32 = this.reg.i32;
    let oldest = Atomics.load(i32, R.EPOCH);
    for (let t = 0; t < MAX_THREADS; t++) {
      const b = threadBase(t);
      if (Atomics.load(i32, b + T.STATE) === ThreadState.Free) continue;
      const e = Atomics.load(i32, b + T.EPOCH);
      if (e !== 0 && e < oldest) oldest = e;
    }
    // It takes the allocator mutex: only when the oldest epoch moved, or once a millisecond.
    const now = performance.now();
    if (oldest === this.lastOldest && now < this.nextReclaim) return;
    this.lastOldest = oldest;
    this.nextReclaim = now + 1;
    limboReclaim((this.fs as Tmpfs).st, oldest);
  }

  /** Find every client's ring to this actor. */
  private rescan(): void {
    const reg = this.reg;
    this.threadsGen = Atomics.load(reg.i32, R.THREADS_GEN);
    reg.refresh();
    this.view = new DataView(reg.sab, 0, reg.u8.length);
    const rings: RingRef[] = [];
    for (let t = 0; t < MAX_THREADS; t++) {
      const b = threadBase(t);
      const state = Atomics.load(reg.i32, b + T.STATE);
      const ring = reg.i32[b + T.RINGS + this.start.actor]!;
      if (state !== ThreadState.Free && ring !== 0) rings.push({ tid: t, base: ring });
    }
    this.rings = rings;
  }

  /**
   * Serve one request as one transaction: begin, run the op, write the
   * answer, mark it Answered (the commit record: from here on a recovery
   * keeps what the op did), commit. A failed op is rolled back here, so a
   * failure changes nothing. A request that was in hand at MAX_ATTEMPTS
   * actor deaths is answered EIO without running it again.
   */
  private serve(base: number): void {
    const i32 = this.reg.i32;
    const h = base >> 2;
    // The coordinator may cancel a dead client's request: whoever swaps first has it.
    if (Atomics.compareExchange(i32, h + S.STATE, SlotState.Request, SlotState.Busy) !== SlotState.Request) return;
    const attempts = ++i32[h + S.ATTEMPTS]!;
    const name = opName(i32[h + S.OP]!);
    let status = 0;
    const payload = base + SLOT_HEADER_BYTES;
    this.journal.begin(base);
    try {
      if (name === undefined) throw new Errno('ENOSYS');
      if (attempts > MAX_ATTEMPTS) throw new Errno('EIO');
      const answer = this.exec(name, payload);
      const at = answerOffset(i32[h + S.LEN]!);
      const enc = this.enc.reset(this.view, this.reg.u8, payload + at, this.slotBytes - at);
      if (answer !== null && typeof answer === 'object' && 'ino' in answer) enc.vnode(answer as WireVnode);
      else enc.value(answer as undefined);
      i32[h + S.ANSWER] = at;
    } catch (e) {
      status = e instanceof Errno ? ERRNO[e.code] : ERRNO.EIO;
      if (!(e instanceof Errno)) process.emitWarning(`actorvfs actor: ${name ?? 'op'} failed: ${(e as Error)?.stack ?? String(e)}`);
      this.journal.abort();
    }
    i32[h + S.STATUS] = status;
    const noReply = (i32[h + S.FLAGS]! & SlotFlags.NoReply) !== 0;
    i32[h + S.FLAGS] = i32[h + S.FLAGS]! | SlotFlags.Answered;
    this.journal.end();
    this.served++;
    Atomics.add(i32, actorBase(this.start.actor) + A.SERVED, 1);
    Atomics.store(i32, h + S.STATE, noReply ? SlotState.Free : SlotState.Done);
    Atomics.notify(i32, h + S.STATE);
  }

  // ---------------------------------------------------------- remote file systems

  /** Take one request for the file system served whole and run it as far as it goes. */
  private serveRemote(base: number, tid: number): void {
    const i32 = this.reg.i32;
    const h = base >> 2;
    if (Atomics.compareExchange(i32, h + S.STATE, SlotState.Request, SlotState.Busy) !== SlotState.Request) return;
    const attempts = ++i32[h + S.ATTEMPTS]!;
    const name = opName(i32[h + S.OP]!);
    let op: Op<unknown>;
    try {
      if (name === undefined) throw new Errno('ENOSYS');
      if (attempts > MAX_ATTEMPTS) throw new Errno('EIO');
      op = this.remote!.start(name, this.dec.reset(this.view, this.reg.u8, base + SLOT_HEADER_BYTES));
    } catch (e) {
      this.finishRemote(base, name ?? 'ping', undefined, e);
      return;
    }
    this.stepRemote(op, name, base, tid);
  }

  /** Run a remote op to its next wait (park it) or to its end (answer it). */
  private stepRemote(op: Op<unknown>, name: WireOp, base: number, tid: number): void {
    let r: IteratorResult<Wait, unknown>;
    try {
      r = op.next();
    } catch (e) {
      this.finishRemote(base, name, undefined, e);
      return;
    }
    if (r.done === true) {
      this.finishRemote(base, name, r.value, undefined);
      return;
    }
    const wait = r.value;
    this.parked.push({ op, name, base, tid, wait, deadline: wait.timeoutMs === Infinity ? Infinity : performance.now() + wait.timeoutMs });
    // A change made by another thread wakes the serve loop; changes made here are seen after each request.
    const res = Atomics.waitAsync(wait.word, wait.index, wait.value);
    if (res.async) {
      void res.value.then(() => {
        Atomics.add(this.reg.i32, this.bell, 1);
        Atomics.notify(this.reg.i32, this.bell);
      });
    }
  }

  /** Step every parked op whose wait has ended. => how many moved on. */
  private resumeParked(): number {
    const now = performance.now();
    const list = this.parked;
    this.parked = [];
    let n = 0;
    for (const p of list) {
      if (Atomics.load(p.wait.word, p.wait.index) === p.wait.value && now < p.deadline) {
        this.parked.push(p);
        continue;
      }
      n++;
      this.stepRemote(p.op, p.name, p.base, p.tid);
    }
    return n;
  }

  private nextDeadline(): number {
    let d = Infinity;
    for (const p of this.parked) d = Math.min(d, p.deadline);
    return d;
  }

  private finishRemote(base: number, name: WireOp, answer: unknown, error: unknown): void {
    const i32 = this.reg.i32;
    const h = base >> 2;
    const payload = base + SLOT_HEADER_BYTES;
    let status = 0;
    if (error === undefined) {
      try {
        const at = answerOffset(i32[h + S.LEN]!);
        const enc = this.enc.reset(this.view, this.reg.u8, payload + at, this.slotBytes - at);
        this.remote!.encode(name, answer, enc);
        i32[h + S.ANSWER] = at;
      } catch (e) {
        error = e;
      }
    }
    if (error !== undefined) {
      status = error instanceof Errno ? ERRNO[error.code] : ERRNO.EIO;
      if (!(error instanceof Errno)) process.emitWarning(`actorvfs actor: ${name} failed: ${(error as Error)?.stack ?? String(error)}`);
    }
    i32[h + S.STATUS] = status;
    const noReply = (i32[h + S.FLAGS]! & SlotFlags.NoReply) !== 0;
    i32[h + S.FLAGS] = i32[h + S.FLAGS]! | SlotFlags.Answered;
    this.served++;
    Atomics.add(i32, actorBase(this.start.actor) + A.SERVED, 1);
    Atomics.store(i32, h + S.STATE, noReply ? SlotState.Free : SlotState.Done);
    Atomics.notify(i32, h + S.STATE);
  }

  busy(): boolean {
    return this.remote !== null && this.remote.openFiles() > 0;
  }

  /**
   * Thread slot `tid` died (the coordinator asks): end its parked ops, close
   * its open files, release its advisory locks. => files closed.
   */
  dropThread(tid: number): number {
    if (this.remote === null) return 0;
    const keep: Parked[] = [];
    for (const p of this.parked) {
      if (p.tid !== tid) {
        keep.push(p);
        continue;
      }
      p.op.return(undefined);
      this.finishRemote(p.base, p.name, undefined, new Errno('EINTR'));
    }
    this.parked = keep;
    const closed = this.remote.dropThread(tid, (op) => runSync(op));
    // Locks it held are gone: waiters may go on.
    this.resumeParked();
    return closed;
  }

  /** Decode the request's arguments, run the op, return its answer. */
  private exec(name: WireOp, payload: number): unknown {
    if (name === 'ping') return 'pong';
    const kinds = wireArgs(name as WireVop);
    const dec = this.dec.reset(this.view, this.reg.u8, payload);
    const args: unknown[] = [];
    for (const kind of kinds) {
      if (kind === 'skip') {
        args.push(undefined);
        continue;
      }
      const v = dec.value();
      if (kind === 'vnode') {
        const vp = this.vnodeOf(v as WireVnode, name === 'inactive');
        // inactive of a node already reclaimed (its last name went and nobody held it): nothing to do.
        if (vp === null) return undefined;
        args.push(vp);
      } else args.push(kind === 'attr' ? attrOf(v as WireAttr) : v);
    }
    const vp = args[0] as Vnode;
    const fn = (vp.ops as unknown as Record<string, (...a: unknown[]) => unknown>)[name];
    if (fn === undefined) throw new Errno('EOPNOTSUPP');
    const result = fn(...args);
    if (name === 'create') {
      const nvp = result as Vnode;
      return { mount: nvp.mount.id, ino: nvp.ino, gen: nvp.gen, type: nvp.type };
    }
    return result;
  }

  /** A request's vnode, checked: this mount's, and still the same node (else ENOENT, or null if `staleOk`). */
  private vnodeOf(w: WireVnode, staleOk = false): Vnode | null {
    if (w.mount !== this.mount.id) throw new Errno('EXDEV');
    const vp = this.fs.vget(this.mount, w.ino);
    if (vp === null || vp.gen !== w.gen) {
      if (staleOk) return null;
      throw new Errno('ENOENT');
    }
    return vp;
  }
}

function attrOf(w: WireAttr): object {
  return w;
}

function tick(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

export { OP_CODE };

function findMountSlot(reg: Registry, id: number): number {
  const i32 = reg.i32;
  for (let s = 0; s < 64; s++) {
    const b = mountBase(s);
    if (i32[b + M.STATE] === MountState.Live && i32[b + M.ID] === id) return b;
  }
  throw new Error(`actor: mount ${id} is not in the registry`);
}

/** A package name resolves from here (the workers package), a file URL as is. */
function resolveSpecifier(spec: string): string {
  if (spec.startsWith('file:') || spec.startsWith('node:')) return spec;
  return pathToFileURL(createRequire(import.meta.url).resolve(spec)).href;
}
