/**
 * One thread's view of a shared file system: its slot in the registry, its
 * rings to the actors, and a kernel whose mounts mirror the registry's
 * mount table. Tmpfs mounts are attached to their shared stores (the read
 * path runs here) with their mutations routed to their actors.
 *
 * Runs in any thread: the creator's (the coordinator is also a client) and
 * every thread that calls attach().
 */

import {
  Errno,
  Journal,
  Kernel,
  I_NLINK,
  I_USE,
  SB,
  Tmpfs,
  createNodeFs,
  mutexEnter,
  mutexExit,
  newContext,
  runAsync,
  systemClock,
  type ContextOptions,
  type Mount,
  type Store,
  type MountedFs,
  type OpenFile,
  type Vnode,
} from '@actorvfs/core/internal';
import type { VfsFs } from '@actorvfs/core';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { threadId } from 'node:worker_threads';
import type { WireVnode } from '../protocol/codec.js';
import {
  A,
  ActorState,
  M,
  MAX_ACTORS,
  MAX_MOUNTS,
  MAX_THREADS,
  MountKind,
  MountState,
  ID_THREAD_SHIFT,
  R,
  Registry,
  T,
  ThreadKind,
  readSpec,
  type SpecBlob,
  ThreadState,
  actorBase,
  mountBase,
  threadBase,
} from '../protocol/registry.js';
import { S, SlotState, ringBytes, slotOffset } from '../protocol/ring.js';
import { ClientRing, type VnodeResolver } from './actor-link.js';
import { RemoteFs } from './remote-fs.js';
import { WatchRing } from './watch-ring.js';
import { enableFileSharing } from './shared-files.js';

/** What any thread needs to join a shared file system. Structured-cloneable. */
export interface SharedVfsHandle {
  registry: SharedArrayBuffer;
  /** Every store region (root tmpfs, later mounts, spares). */
  regions: SharedArrayBuffer[];
  /** Per thread slot: its journal and its reference table (store/journal.ts). */
  journals: SharedArrayBuffer[];
  refs: SharedArrayBuffer[];
}

export class ClientVfs implements VnodeResolver {
  readonly reg: Registry;
  readonly tid: number;
  readonly kernel: Kernel;
  /** What this thread changes and holds, where the coordinator finds it if the thread dies. */
  readonly journal: Journal;
  private mountsGen = -1;
  /** Open file descriptions this thread holds that other threads may hold too, by table entry. */
  readonly sharedFiles = new Map<number, OpenFile>();
  private readonly byId = new Map<number, Mount>();
  private readonly rings = new Map<number, ClientRing>();
  private closed = false;

  constructor(
    readonly handle: SharedVfsHandle,
    kind: ThreadKind,
  ) {
    this.reg = Registry.open(handle.registry);
    this.tid = claimThread(this.reg, kind);
    this.journal = new Journal(handle.journals[this.tid]!, handle.refs[this.tid]!, this.tid);
    const rootSlot = findMount(this.reg, (b) => this.reg.i32[b + M.PARENT] === 0);
    const rootId = this.reg.i32[rootSlot + M.ID]!;
    const root = this.tmpfsOf(rootSlot);
    let nextId = 0;
    const idBase = (this.tid + 1) << ID_THREAD_SHIFT;
    const newId = (): number => idBase + (nextId = (nextId + 1) & ((1 << ID_THREAD_SHIFT) - 1) || 1);
    this.kernel = new Kernel(root, systemClock, newId, rootId);
    this.byId.set(rootId, this.kernel.rootMount);
    this.kernel.rootMount.actor = this.ring(this.reg.i32[rootSlot + M.ACTOR]!);
    this.kernel.rootMount.readonly = this.reg.i32[rootSlot + M.READONLY] === 1;
    this.kernel.mounts.refresh = () => this.syncMounts();
    enableFileSharing(this);
    if (this.reg.i32[R.WATCH_RING] !== 0) this.kernel.watch.bridge = new WatchRing(this.reg, this.tid, this.kernel.watch);
    const epochWord = threadBase(this.tid) + T.EPOCH;
    const i32 = this.reg.i32;
    let depth = 0;
    this.kernel.syscallGuard = {
      enter: () => {
        if (depth++ === 0) Atomics.store(i32, epochWord, Atomics.load(i32, R.EPOCH));
      },
      leave: () => {
        if (--depth === 0) Atomics.store(i32, epochWord, 0);
      },
    };
    this.syncMounts();
  }

  private tmpfsOf(slot: number): Tmpfs {
    const i32 = this.reg.i32;
    const first = i32[slot + M.REGION_FIRST]!;
    const fs = Tmpfs.attach({
      store: { regions: this.handle.regions.slice(first, first + i32[slot + M.REGION_COUNT]!) },
      atime: i32[slot + M.ATIME] === 1 ? 'noatime' : 'relatime',
    });
    fs.tid = this.tid;
    fs.st.id = i32[slot + M.ID]!;
    fs.st.useJournal(this.journal);
    return fs;
  }

  /** This thread's ring to actor `a`. */
  ring(a: number): ClientRing {
    const i32 = this.reg.i32;
    const off = i32[threadBase(this.tid) + T.RINGS + a]!;
    const slots = i32[actorBase(a) + A.RING_SLOTS]!;
    const slotBytes = i32[actorBase(a) + A.SLOT_BYTES]!;
    let ring = this.rings.get(a);
    // An actor slot reused for another mount may have another ring.
    if (ring === undefined || !ring.is(off, slots, slotBytes)) {
      if (off === 0) throw new Errno('EIO');
      ring = new ClientRing(this.reg, a, off, slots, slotBytes, this);
      this.rings.set(a, ring);
    }
    return ring;
  }

  vnodeOf(w: WireVnode): Vnode {
    this.syncMounts();
    const m = this.byId.get(w.mount);
    if (m !== undefined && m.fs instanceof RemoteFs) return m.fs.handle(m, w);
    const vp = m === undefined ? null : m.fs.vget(m, w.ino);
    if (vp === null || vp.gen !== w.gen) throw new Errno('ENOENT');
    return vp;
  }

  /** Bring this thread's mounts in line with the registry's mount table. */
  syncMounts(): void {
    const gen = Atomics.load(this.reg.i32, R.MOUNTS_GEN);
    if (gen === this.mountsGen) return;
    this.mountsGen = gen;
    this.reg.refresh();
    const i32 = this.reg.i32;
    // Mounts gone from the table first: a new mount may cover the same directory.
    const live = new Set<number>();
    for (let s = 0; s < MAX_MOUNTS; s++) {
      const b = mountBase(s);
      if (i32[b + M.STATE] === MountState.Live) live.add(i32[b + M.ID]!);
    }
    for (const [id, m] of this.byId) {
      if (live.has(id) || m === this.kernel.rootMount) continue;
      // Unmounted elsewhere: forget it here (the coordinator checked it was idle),
      // and let go of the covered directory (its own node lives on in the parent mount).
      const covered = m.covered;
      this.kernel.mounts.detach(m);
      this.byId.delete(id);
      if (covered !== null) this.kernel.vrele(covered);
      if (this.builtReplicas.delete(m.fs)) m.fs.unmount?.();
    }
    // Parents before children: a mount's covered node lives in its parent.
    for (let pass = 0; pass < MAX_MOUNTS; pass++) {
      let added = 0;
      for (let s = 0; s < MAX_MOUNTS; s++) {
        const b = mountBase(s);
        if (i32[b + M.STATE] !== MountState.Live) continue;
        const id = i32[b + M.ID]!;
        if (this.byId.has(id)) continue;
        const parent = this.byId.get(i32[b + M.PARENT]!);
        if (parent === undefined) continue;
        const covered = parent.fs.vget(parent, i32[b + M.COVERED_INO]!);
        if (covered === null || covered.gen !== i32[b + M.COVERED_GEN]) continue;
        const fs = this.fsOf(b);
        this.kernel.vref(covered);
        const m = this.kernel.mount(covered, fs, { readonly: i32[b + M.READONLY] === 1 }, id);
        // A replica runs every op in this thread; the others send their mutations to the actor.
        if (i32[b + M.KIND] !== MountKind.Replica) m.actor = this.ring(i32[b + M.ACTOR]!);
        this.byId.set(id, m);
        added++;
      }
      if (added === 0) break;
    }
    for (const [id, m] of this.byId) {
      const s = findMountOrNull(this.reg, (b) => i32[b + M.ID] === id);
      if (s !== null) m.readonly = i32[s + M.READONLY] === 1;
    }
  }

  private fsOf(slot: number): MountedFs {
    const i32 = this.reg.i32;
    const kind = i32[slot + M.KIND];
    if (kind === MountKind.Tmpfs) return this.tmpfsOf(slot);
    const spec = readSpec(this.reg, slot);
    if (kind === MountKind.Remote) return new RemoteFs(spec.type, this.ring(i32[slot + M.ACTOR]!), i32[slot + M.ROOT_INO]!, i32[slot + M.ROOT_TYPE]!);
    // A replica: the thread that mounted it uses its own instance, every other thread builds one.
    const local = this.localFs.get(i32[slot + M.ID]!);
    if (local !== undefined) return local;
    const built = buildReplica(spec);
    this.builtReplicas.add(built);
    return built;
  }

  /** Replicas this thread built (it unmounts them: their providers are its own). */
  private readonly builtReplicas = new Set<MountedFs>();

  /** File systems this thread mounted as replicas, by mount id (the instances it was given). */
  readonly localFs = new Map<number, MountedFs>();

  /** The stores of this thread's tmpfs mounts, by mount id (recovery). */
  stores(): Map<number, Store> {
    const out = new Map<number, Store>();
    for (const [id, m] of this.byId) if (m.fs instanceof Tmpfs) out.set(id, m.fs.st);
    return out;
  }

  /** A handle on node `ino` of mount `mountId`, or null if it is gone. */
  vnodeIn(mountId: number, ino: number): Vnode | null {
    const m = this.byId.get(mountId);
    return m === undefined ? null : m.fs.vget(m, ino);
  }

  /**
   * Have the mount's actor reclaim node `ino` if it has no link and no
   * reference left (after a dead thread's references were dropped).
   * => true if a reclaim was asked for.
   */
  reclaim(mountId: number, ino: number): Promise<void> | null {
    const m = this.byId.get(mountId);
    const vp = m === undefined ? null : m.fs.vget(m, ino);
    if (m === undefined || vp === null || m.actor === null) return null;
    // Waited for (asynchronously): the recovery is complete only once the space is free.
    return runAsync(m.actor.call('inactive', [vp])).then(
      () => undefined,
      () => undefined,
    );
  }

  /** Drop one reference on `ino` that nobody counts (a dead thread's unread create answer). => the reclaim, if one was asked for. */
  dropRef(mountId: number, ino: number): Promise<void> | null {
    const m = this.byId.get(mountId);
    if (m === undefined || !(m.fs instanceof Tmpfs)) return null;
    const st = m.fs.st;
    st.sync();
    const w = st.i32s[ino >>> 20];
    if (w === undefined) return null;
    const b = (ino & 0xfffff) << 2;
    if (Atomics.sub(w, b + I_USE, 1) === 1 && w[b + I_NLINK] === 0) return this.reclaim(mountId, ino);
    return null;
  }

  /** A context ("process") acting as `cred`, with Node's fs API. */
  context(options: ContextOptions): VfsFs {
    return createNodeFs(newContext(this.kernel, options));
  }

  /** Leave the shared file system: give the thread slot back. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const fs of this.builtReplicas) fs.unmount?.();
    this.builtReplicas.clear();
    releaseThread(this.reg, this.tid);
  }
}

/** Build a replica in this thread, synchronously (the module must have no top-level await). */
function buildReplica(spec: SpecBlob): MountedFs {
  const require = createRequire(import.meta.url);
  const mod = require(spec.module.startsWith('file:') ? fileURLToPath(spec.module) : spec.module) as Record<string, unknown>;
  const factory = mod[spec.export];
  if (typeof factory !== 'function') throw new TypeError(`actorvfs: ${spec.module} has no export ${spec.export}`);
  return (factory as (o: unknown) => MountedFs)(spec.options);
}

function findMountOrNull(reg: Registry, pred: (base: number) => boolean): number | null {
  for (let s = 0; s < MAX_MOUNTS; s++) {
    const b = mountBase(s);
    if (reg.i32[b + M.STATE] === MountState.Live && pred(b)) return b;
  }
  return null;
}

export function findMount(reg: Registry, pred: (base: number) => boolean): number {
  const b = findMountOrNull(reg, pred);
  if (b === null) throw new Error('actorvfs: mount not found in the registry');
  return b;
}

/**
 * Take a free thread slot and give it a ring to every running actor.
 * => returns the slot number (the thread's tid).
 */
export function claimThread(reg: Registry, kind: ThreadKind): number {
  const i32 = reg.i32;
  mutexEnter(reg.i32, R.LOCK);
  try {
    let tid = -1;
    for (let t = 0; t < MAX_THREADS; t++) {
      if (Atomics.load(i32, threadBase(t) + T.STATE) === ThreadState.Free) {
        tid = t;
        break;
      }
    }
    if (tid < 0) throw new Errno('EAGAIN');
    const b = threadBase(tid);
    reg.i32[b + T.NODE_ID] = threadId;
    reg.i32[b + T.KIND] = kind;
    for (let a = 0; a < MAX_ACTORS; a++) {
      const state = reg.i32[actorBase(a) + A.STATE];
      if (state === ActorState.Free || state === ActorState.Stopped) continue;
      giveRingLocked(reg, tid, a);
    }
    Atomics.store(reg.i32, b + T.STATE, ThreadState.Live);
    bumpThreads(reg);
    return tid;
  } finally {
    mutexExit(reg.i32, R.LOCK);
  }
}

/** Make sure thread `tid` has a ring to actor `a` (reusing the slot's old one). => registry mutex held. */
export function giveRingLocked(reg: Registry, tid: number, a: number): void {
  const b = threadBase(tid);
  const slots = reg.i32[actorBase(a) + A.RING_SLOTS]!;
  const slotBytes = reg.i32[actorBase(a) + A.SLOT_BYTES]!;
  let ring = reg.i32[b + T.RINGS + a]!;
  const bytes = ringBytes(slots, slotBytes);
  if (ring === 0 || reg.i32[b + T.RING_BYTES + a]! < bytes) {
    // (A smaller ring of an earlier actor in this slot stays in the heap, unused: the heap never shrinks.)
    ring = reg.heapAllocLocked(bytes);
    reg.i32[b + T.RINGS + a] = ring;
    reg.i32[b + T.RING_BYTES + a] = bytes;
  } else {
    for (let k = 0; k < slots; k++) Atomics.store(reg.i32, (slotOffset(ring, k, slotBytes) >> 2) + S.STATE, SlotState.Free);
  }
}

export function releaseThread(reg: Registry, tid: number): void {
  if (Atomics.exchange(reg.i32, threadBase(tid) + T.WATCHING, 0) === 1) Atomics.sub(reg.i32, R.WATCHERS, 1);
  mutexEnter(reg.i32, R.LOCK);
  Atomics.store(reg.i32, threadBase(tid) + T.STATE, ThreadState.Free);
  bumpThreads(reg);
  mutexExit(reg.i32, R.LOCK);
}

/** Tell the actors the thread table changed (they rescan their rings). */
export function bumpThreads(reg: Registry): void {
  Atomics.add(reg.i32, R.THREADS_GEN, 1);
  for (let a = 0; a < MAX_ACTORS; a++) {
    const bell = actorBase(a) + A.DOORBELL;
    Atomics.add(reg.i32, bell, 1);
    Atomics.notify(reg.i32, bell);
  }
}

export { SB, type ContextOptions };
