/**
 * SharedVfs: a file system many threads share. The thread that creates it
 * runs the coordinator: it owns the registry (thread table, mount table,
 * actor table), starts one actor per mount, supervises them, and is itself
 * a client (`svfs.fs`). Any thread joins with `attach(svfs.handle(), cred)`.
 */

import { releaseProxy, wrap, type Remote } from 'comlink';
import { Worker } from 'node:worker_threads';
import {
  SB,
  Store,
  Tmpfs,
  VType,
  VfsError,
  VnodeCache,
  fail,
  journalRefs,
  lookupDir,
  lookupNode,
  mountableOver,
  mutexEnter,
  mutexExit,
  newJournalBuffer,
  newRefsBuffer,
  toVfsError,
  type MountOptions,
  type MountedFs,
  type TmpfsOptions,
  type Vnode,
} from '@actorvfs/core/internal';
import type { VfsFs } from '@actorvfs/core';
import { ClientVfs, bumpThreads, claimThread, findMount, giveRingLocked, type ContextOptions, type SharedVfsHandle } from '../client/client-vfs.js';
import { portEndpoint, type ActorControl, type ActorStart } from '../protocol/control.js';
import {
  A,
  ActorState,
  M,
  MAX_ACTORS,
  MAX_MOUNTS,
  MAX_THREADS,
  MOUNT_WORDS,
  MountKind,
  MountState,
  R,
  Registry,
  T,
  ThreadKind,
  ThreadState,
  actorBase,
  mountBase,
  threadBase,
  type SpecBlob,
} from '../protocol/registry.js';
import { DEFAULT_RING_SLOTS, REMOTE_SLOT_BYTES, TMPFS_SLOT_BYTES } from '../protocol/ring.js';
import { workerExecArgv, workerScript } from './worker-script.js';
import { Recovery, markDead, type RecoveryReport } from './recovery.js';
import { WATCH_CAPACITY, watchRingBytes } from '../client/watch-ring.js';
import { FILE_CAPACITY, filesTableBytes } from '../client/shared-files.js';

export interface SharedVfsOptions extends Omit<TmpfsOptions, 'clock' | 'regions'> {
  /** umask of `svfs.fs`. Default 0o022. */
  umask?: number;
  /** Store regions reserved for tmpfs mounts made later (4 GiB of address space each, no memory until used). Default 16. */
  spareRegions?: number;
  /** Request slots per thread per actor (how many async requests one thread can have in flight). Default 8. */
  ringSlots?: number;
}

interface ActorHandle {
  index: number;
  mountId: number;
  worker: Worker;
  control: Remote<ActorControl>;
  restarts: number;
  /** The actor answered its first ping: it came up, so a later death is worth a restart. */
  ready: boolean;
  /** When it last (re)started. */
  startedAt: number;
  /** When it died within the last minute (restarts are limited per minute). */
  deaths: number[];
  /** Resolves when its worker exits. */
  exited: Promise<void>;
}

/** Restarts allowed within a minute before an actor is given up (its mount then answers EIO). */
const MAX_RESTARTS_PER_MINUTE = 5;

export class SharedVfs {
  readonly reg: Registry;
  /** The coordinator thread's own client. */
  readonly client: ClientVfs;
  /** The file system acting as root (uid 0) in this thread. */
  readonly fs: VfsFs;
  private readonly actors = new Map<number, ActorHandle>();
  private closed = false;
  /** Which store regions hold a mounted tmpfs. */
  private readonly regionUsed: boolean[];
  private readonly ringSlots: number;
  private readonly journals: SharedArrayBuffer[];
  private readonly refs: SharedArrayBuffer[];
  private readonly recovery: Recovery;
  /** Recoveries of dead client threads still settling their rings. */
  private readonly settling = new Set<Promise<void>>();
  private readonly onWorker = (w: Worker): void => {
    const nodeId = w.threadId;
    w.once('exit', () => this.onThreadExit(nodeId));
  };

  private constructor(
    private readonly regions: SharedArrayBuffer[],
    reg: Registry,
    options: SharedVfsOptions,
  ) {
    this.reg = reg;
    this.regionUsed = regions.map((_, i) => i < reg.i32[mountBase(0) + M.REGION_COUNT]!);
    this.ringSlots = options.ringSlots ?? DEFAULT_RING_SLOTS;
    this.journals = Array.from({ length: MAX_THREADS }, () => newJournalBuffer());
    this.refs = Array.from({ length: MAX_THREADS }, () => newRefsBuffer());
    this.client = new ClientVfs(this.handle(), ThreadKind.Coordinator);
    this.fs = this.client.context({ uid: 0, gid: 0, groups: [0], umask: options.umask ?? 0o022 });
    this.recovery = new Recovery(reg, this.handle(), this.client);
    // Threads this thread starts from now on: when one ends, release what it held.
    process.on('worker', this.onWorker);
  }

  static async create(options: SharedVfsOptions = {}): Promise<SharedVfs> {
    const reg = Registry.create();
    mutexEnter(reg.i32, R.LOCK);
    reg.i32[R.WATCH_RING] = reg.heapAllocLocked(watchRingBytes());
    reg.i32[R.WATCH_CAP] = WATCH_CAPACITY;
    reg.i32[R.FILES] = reg.heapAllocLocked(filesTableBytes());
    reg.i32[R.FILES_CAP] = FILE_CAPACITY;
    mutexExit(reg.i32, R.LOCK);
    const rootRegions = Store.regionsNeeded(options);
    const regions = Array.from({ length: rootRegions + (options.spareRegions ?? 16) }, () => Store.newRegion());
    const root = Tmpfs.create({ ...options, regions: regions.slice(0, rootRegions) });
    // Several threads share this store: no "only thread" shortcuts (store/inode.ts).
    root.st.sb[SB.THREADS] = MAX_THREADS;
    const rootId = reg.i32[R.NEXT_MOUNT_ID]!++;
    const slot = mountBase(0);
    reg.i32[slot + M.ID] = rootId;
    reg.i32[slot + M.PARENT] = 0;
    reg.i32[slot + M.KIND] = MountKind.Tmpfs;
    reg.i32[slot + M.REGION_FIRST] = 0;
    reg.i32[slot + M.REGION_COUNT] = rootRegions;
    reg.i32[slot + M.ATIME] = options.atime === 'noatime' ? 1 : 0;
    reg.i32[slot + M.ACTOR] = 0;
    Atomics.store(reg.i32, slot + M.STATE, MountState.Live);
    defineActor(reg, 0, rootId, options.ringSlots ?? DEFAULT_RING_SLOTS, TMPFS_SLOT_BYTES);
    const svfs = new SharedVfs(regions, reg, options);
    await svfs.startActor(0, rootId);
    return svfs;
  }

  /** What another thread passes to attach(). Structured-cloneable; post it to any number of threads. */
  handle(): SharedVfsHandle {
    return { registry: this.reg.sab, regions: this.regions, journals: this.journals, refs: this.refs };
  }

  /** The file system as seen by another user in this thread. */
  context(options: ContextOptions): VfsFs {
    return this.client.context(options);
  }

  /** Start (or restart) actor `index` serving mount `mountId`. */
  private async startActor(index: number, mountId: number): Promise<void> {
    const tid = claimThread(this.reg, ThreadKind.Actor);
    this.reg.i32[actorBase(index) + A.TID] = tid;
    // A remote file system's node handles name one incarnation of its actor.
    const slot = findMount(this.reg, (b) => this.reg.i32[b + M.ID] === mountId);
    Atomics.add(this.reg.i32, slot + M.INCARNATION, 1);
    const start: ActorStart = { registry: this.reg.sab, regions: this.regions, actor: index, tid, mountId, journal: this.journals[tid]!, refs: this.refs[tid]! };
    const worker = new Worker(workerScript('worker/actor-entry.js'), { workerData: start, execArgv: workerExecArgv() });
    const control = wrap<ActorControl>(portEndpoint(worker));
    const previous = this.actors.get(index);
    const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
    const handle: ActorHandle = { index, mountId, worker, control, restarts: previous?.restarts ?? 0, ready: false, startedAt: Date.now(), deaths: previous?.deaths ?? [], exited };
    this.actors.set(index, handle);
    let failure: unknown;
    worker.on('error', (err) => {
      failure = err;
      if (!this.closed) process.emitWarning(`actorvfs: actor ${index} failed: ${err.stack ?? String(err)}`);
    });
    worker.on('exit', () => this.onActorExit(handle));
    const up = await Promise.race([control.ping().then(() => true), exited.then(() => false)]);
    if (!up) throw failure instanceof Error ? failure : new Error(`actorvfs: actor ${index} did not start`);
    handle.ready = true;
    Atomics.store(this.reg.i32, actorBase(index) + A.STATE, ActorState.Running);
  }

  private onActorExit(h: ActorHandle): void {
    if (this.closed || this.actors.get(h.index) !== h || !h.ready) return;
    // Put the store back as before the request it had in hand (or keep that
    // request's result if it had committed) and release its locks; then
    // answer or requeue what it had taken and start a new actor on the same
    // rings, unless it keeps dying: then its mount answers EIO.
    Atomics.store(this.reg.i32, actorBase(h.index) + A.STATE, ActorState.Recovering);
    const tid = this.reg.i32[actorBase(h.index) + A.TID]!;
    markDead(this.reg, tid);
    const report = this.recovery.recoverThread(tid);
    this.recovery.reports.push(report);
    Atomics.store(this.reg.i32, threadBase(tid) + T.STATE, ThreadState.Free);
    const now = Date.now();
    h.deaths = h.deaths.filter((t) => now - t < 60_000);
    h.deaths.push(now);
    if (h.deaths.length > MAX_RESTARTS_PER_MINUTE) {
      this.giveUp(h, `keeps dying (${h.deaths.length} times within a minute)`);
      return;
    }
    this.recovery.fixActorRings(h.index, report);
    Atomics.add(this.reg.i32, actorBase(h.index) + A.RESTARTS, 1);
    h.restarts++;
    this.startActor(h.index, h.mountId).catch((e: unknown) => this.giveUp(h, `could not restart: ${String(e)}`));
  }

  /** Stop restarting actor `h`: its mount answers EIO from now on, requests already made included. */
  private giveUp(h: ActorHandle, why: string): void {
    process.emitWarning(`actorvfs: actor ${h.index} ${why}; its mount now answers EIO`);
    Atomics.store(this.reg.i32, actorBase(h.index) + A.STATE, ActorState.Stopped);
    this.recovery.failActorRings(h.index);
  }

  /**
   * Mount a file system at `path`, seen by every attached thread on its next
   * lookup:
   *
   * - `svfs.mount('/m', { size: ... })`: a new tmpfs (TmpfsOptions), its
   *   memory from the spare regions every thread already holds, its
   *   metadata written by its own actor;
   * - `svfs.mount('/h', hostFs({ path }))`: a file system that says how to
   *   share itself (`fileSystem.shared`, SharedFsSpec): served whole by a
   *   new actor ('actor': hostfs), or built by every thread for itself
   *   ('replica': portals).
   *
   * A directory is covered by a directory; a file system whose root is a
   * regular file (hostfs mapping a file) covers a regular file.
   */
  async mount(path: string, fileSystem: MountedFs | (TmpfsOptions & MountOptions) = {}, options: MountOptions = {}): Promise<void> {
    if (isMountedFs(fileSystem)) return this.mountShared(path, fileSystem, options);
    const covered = this.resolveDir(path, 'mount');
    const tmpfsOptions = fileSystem;
    const need = Store.regionsNeeded(tmpfsOptions);
    const reg = this.reg;
    const first = this.takeRegions(need);
    if (first < 0) throw toVfsError(fail('ENOSPC'), 'mount', path);
    let fs: Tmpfs;
    try {
      fs = Tmpfs.create({ ...tmpfsOptions, clock: undefined, regions: this.regions.slice(first, first + need) });
    } catch (e) {
      this.regionUsed.fill(false, first, first + need);
      throw e;
    }
    fs.st.sb[SB.THREADS] = MAX_THREADS;
    const a = this.freeActorIndex();
    const { slot: b, id } = this.newMountSlot(path, covered, MountKind.Tmpfs, a, tmpfsOptions.readonly === true || options.readonly === true);
    reg.i32[b + M.REGION_FIRST] = first;
    reg.i32[b + M.REGION_COUNT] = need;
    reg.i32[b + M.ATIME] = tmpfsOptions.atime === 'noatime' ? 1 : 0;
    defineActor(reg, a, id, this.ringSlots, TMPFS_SLOT_BYTES);
    // Live for the actor to find; threads see it when MOUNTS_GEN moves, after the actor runs.
    Atomics.store(reg.i32, b + M.STATE, MountState.Live);
    try {
      await this.startActor(a, id);
    } catch (e) {
      Atomics.store(reg.i32, b + M.STATE, MountState.Free);
      this.regionUsed.fill(false, first, first + need);
      throw e;
    }
    Atomics.add(reg.i32, R.MOUNTS_GEN, 1);
    this.client.syncMounts();
  }

  private async mountShared(path: string, fileSystem: MountedFs, options: MountOptions): Promise<void> {
    if (fileSystem instanceof Tmpfs) throw invalidArg('a tmpfs for a SharedVfs is made by the mount itself: pass its options, svfs.mount(path, { size })');
    const spec = fileSystem.shared;
    if (spec === undefined) throw invalidArg(`a ${fileSystem.type} file system cannot be shared across threads (it has no \`shared\` spec)`);
    let blob: string;
    try {
      blob = JSON.stringify({ type: fileSystem.type, module: spec.module, export: spec.export, options: spec.options } satisfies SpecBlob);
    } catch {
      throw invalidArg(`the options of a shared ${fileSystem.type} must be plain JSON values`);
    }
    const covered = this.resolveNode(path, 'mount');
    const replica = spec.mode === 'replica';
    const a = replica ? -1 : this.freeActorIndex();
    const kind = replica ? MountKind.Replica : MountKind.Remote;
    if (replica) {
      // Checked here, where the instance is: the other threads trust the table.
      const probe = { id: 0, fs: fileSystem, readonly: false, cache: new VnodeCache() };
      const root = fileSystem.vget(probe, fileSystem.rootIno());
      if (root === null || !mountableOver(root.type, covered.type)) throw toVfsError(fail('ENOTDIR'), 'mount', path);
    } else if (fileSystem.unmount !== undefined) {
      // The actor builds its own instance: this one is not used.
      fileSystem.unmount();
    }
    const { slot: b, id } = this.newMountSlot(path, covered, kind, a, options.readonly === true, blob);
    if (replica) {
      this.client.localFs.set(id, fileSystem);
      Atomics.store(this.reg.i32, b + M.STATE, MountState.Live);
    } else {
      defineActor(this.reg, a, id, this.ringSlots, REMOTE_SLOT_BYTES);
      Atomics.store(this.reg.i32, b + M.STATE, MountState.Live);
      try {
        await this.startActor(a, id);
        if (!mountableOver(this.reg.i32[b + M.ROOT_TYPE]! as VType, covered.type)) throw toVfsError(fail('ENOTDIR'), 'mount', path);
      } catch (e) {
        Atomics.store(this.reg.i32, b + M.STATE, MountState.Free);
        await this.stopActorsOf(id);
        throw e instanceof VfsError || (e as { code?: unknown }).code !== undefined ? e : toVfsError(e, 'mount', path);
      }
    }
    Atomics.add(this.reg.i32, R.MOUNTS_GEN, 1);
    this.client.syncMounts();
  }

  /** Claim and fill a mount table slot (left Free: the caller makes it Live). */
  private newMountSlot(path: string, covered: Vnode, kind: MountKind, actor: number, readonly: boolean, blob?: string): { slot: number; id: number } {
    const reg = this.reg;
    const b = mountBase(this.freeMountSlot());
    const id = reg.i32[R.NEXT_MOUNT_ID]!++;
    for (let w = 1; w < MOUNT_WORDS; w++) reg.i32[b + w] = 0;
    reg.i32[b + M.ID] = id;
    reg.i32[b + M.PARENT] = covered.mount.id;
    reg.i32[b + M.COVERED_INO] = covered.ino;
    reg.i32[b + M.COVERED_GEN] = covered.gen;
    reg.i32[b + M.KIND] = kind;
    reg.i32[b + M.READONLY] = readonly ? 1 : 0;
    reg.i32[b + M.ACTOR] = actor;
    mutexEnter(reg.i32, R.LOCK);
    try {
      const off = reg.heapAllocLocked(Buffer.byteLength(path) + 1);
      reg.i32[b + M.PATH_OFF] = off;
      reg.i32[b + M.PATH_LEN] = reg.writeString(off, path);
      if (blob !== undefined) {
        const boff = reg.heapAllocLocked(Buffer.byteLength(blob));
        reg.i32[b + M.OPTIONS_OFF] = boff;
        reg.i32[b + M.OPTIONS_LEN] = reg.writeString(boff, blob);
      }
    } finally {
      mutexExit(reg.i32, R.LOCK);
    }
    return { slot: b, id };
  }

  private async stopActorsOf(id: number): Promise<void> {
    for (const h of [...this.actors.values()]) {
      if (h.mountId !== id) continue;
      this.actors.delete(h.index);
      Atomics.store(this.reg.i32, actorBase(h.index) + A.STATE, ActorState.Stopped);
      await h.worker.terminate();
    }
  }

  /** Unmount the file system at `path`: EBUSY while anything in this thread uses it. */
  async unmount(path: string): Promise<void> {
    const id = this.mountIdAt(path);
    const m = this.client.kernel.mounts.byId(id);
    if (m === undefined || m.covered === null) throw toVfsError(fail('EINVAL'), 'umount', path);
    this.client.syncMounts();
    if (this.client.kernel.mounts.children(m).length > 0 || m.refs > 0 || (await this.usedElsewhere(id, m.root.ino))) throw toVfsError(fail('EBUSY'), 'umount', path);
    const slot = findMount(this.reg, (b) => this.reg.i32[b + M.ID] === id);
    Atomics.store(this.reg.i32, slot + M.STATE, MountState.Free);
    Atomics.add(this.reg.i32, R.MOUNTS_GEN, 1);
    this.client.syncMounts();
    // Its memory can hold a later mount (a SharedArrayBuffer cannot shrink; it is reused).
    if (this.reg.i32[slot + M.KIND] === MountKind.Tmpfs) {
      const first = this.reg.i32[slot + M.REGION_FIRST]!;
      this.regionUsed.fill(false, first, first + this.reg.i32[slot + M.REGION_COUNT]!);
    }
    m.fs.unmount?.();
    this.client.localFs.delete(id);
    await this.stopActorsOf(id);
  }

  /**
   * Does another thread use mount `id`: a reference on one of its nodes in
   * some client's reference table (an open file, a working directory, a
   * context root; beyond the one every thread's mount holds on its root),
   * or an open file in the actor serving it whole?
   */
  private async usedElsewhere(id: number, rootIno: number): Promise<boolean> {
    const i32 = this.reg.i32;
    for (let t = 0; t < MAX_THREADS; t++) {
      const b = threadBase(t);
      if (t === this.client.tid || Atomics.load(i32, b + T.STATE) !== ThreadState.Live || i32[b + T.KIND] === ThreadKind.Actor) continue;
      if (journalRefs(this.refs[t]!).some((r) => r.storeId === id && (r.ino !== rootIno || r.count > 1))) return true;
    }
    for (const h of this.actors.values()) if (h.mountId === id && (await Promise.race([h.control.busy(), h.exited.then(() => false)]))) return true;
    return false;
  }

  /** Change a mount's flags (read-write to read-only and back), seen by every thread at once. */
  async remount(path: string, options: { readonly?: boolean }): Promise<void> {
    const id = this.mountIdAt(path);
    const slot = findMount(this.reg, (b) => this.reg.i32[b + M.ID] === id);
    this.reg.i32[slot + M.READONLY] = options.readonly === true ? 1 : 0;
    Atomics.add(this.reg.i32, R.MOUNTS_GEN, 1);
    this.client.syncMounts();
  }

  private resolveNode(path: string, syscall: string): Vnode {
    const vp = lookupNode(this.client.kernel, path, syscall);
    this.client.kernel.vrele(vp);
    return vp;
  }

  private resolveDir(path: string, syscall: string): Vnode {
    const vp = lookupDir(this.client.kernel, path, syscall);
    this.client.kernel.vrele(vp);
    return vp;
  }

  /** First fit of `n` consecutive unused regions; marks them used. => first index, or -1. */
  private takeRegions(n: number): number {
    for (let i = 0; i + n <= this.regions.length; i++) {
      let k = 0;
      while (k < n && !this.regionUsed[i + k]) k++;
      if (k === n) {
        this.regionUsed.fill(true, i, i + n);
        return i;
      }
      i += k;
    }
    return -1;
  }

  private freeActorIndex(): number {
    for (let a = 0; a < MAX_ACTORS; a++) {
      const st = this.reg.i32[actorBase(a) + A.STATE];
      if (st === ActorState.Free || st === ActorState.Stopped) return a;
    }
    throw new Error('actorvfs: too many mounts with actors');
  }

  private freeMountSlot(): number {
    for (let s = 0; s < MAX_MOUNTS; s++) if (this.reg.i32[mountBase(s) + M.STATE] === MountState.Free) return s;
    throw new Error('actorvfs: too many mounts');
  }

  /** Test hook: the worker serving the mount at `path` (to terminate it in fault tests). */
  actorWorker(path = '/'): Worker {
    const id = this.mountIdAt(path);
    for (const h of this.actors.values()) if (h.mountId === id) return h.worker;
    throw new Error(`actorvfs: no actor serves ${path}`);
  }

  private mountIdAt(path: string): number {
    if (path === '/') return this.reg.i32[findMount(this.reg, (b) => this.reg.i32[b + M.PARENT] === 0) + M.ID]!;
    for (let s = 0; s < MAX_MOUNTS; s++) {
      const b = mountBase(s);
      if (this.reg.i32[b + M.STATE] !== MountState.Live) continue;
      const len = this.reg.i32[b + M.PATH_LEN]!;
      if (len > 0 && this.reg.readString(this.reg.i32[b + M.PATH_OFF]!, len) === path) return this.reg.i32[b + M.ID]!;
    }
    throw toVfsError(fail('EINVAL'), 'umount', path);
  }

  /** Statistics of the actors. */
  async stats(): Promise<{ mountId: number; restarts: number; served: number }[]> {
    const out = [];
    for (const h of this.actors.values()) {
      const s = await h.control.stats();
      out.push({ mountId: h.mountId, restarts: h.restarts, served: s.served });
    }
    return out;
  }

  /**
   * A worker thread started from this thread ended: recover every thread
   * slot it had attached with (its locks, references, unfinished change).
   */
  private onThreadExit(nodeId: number): void {
    if (this.closed) return;
    const i32 = this.reg.i32;
    for (let t = 0; t < MAX_THREADS; t++) {
      const b = threadBase(t);
      if (Atomics.load(i32, b + T.STATE) !== ThreadState.Live || i32[b + T.NODE_ID] !== nodeId || i32[b + T.KIND] !== ThreadKind.Client) continue;
      markDead(this.reg, t);
      const report = this.recovery.recoverThread(t);
      const done = this.dropRemote(t)
        .then(() => this.recovery.settleClientRings(t, report))
        .then(() => this.recovery.reclaimsDone())
        .then(() => {
          this.recovery.reports.push(report);
          Atomics.store(this.reg.i32, threadBase(t) + T.STATE, ThreadState.Free);
          bumpThreads(this.reg);
        })
        .catch((e: unknown) => process.emitWarning(`actorvfs: recovery of thread ${t} failed: ${String(e)}`))
        .finally(() => this.settling.delete(done));
      this.settling.add(done);
    }
  }

  /** Have every actor serving a file system whole release what thread `tid` held in it. */
  private async dropRemote(tid: number): Promise<void> {
    await Promise.all(
      [...this.actors.values()].map(async (h) => {
        const slot = findMount(this.reg, (b) => this.reg.i32[b + M.ID] === h.mountId);
        if (this.reg.i32[slot + M.KIND] !== MountKind.Remote) return;
        // If the actor dies meanwhile the call never settles: its restart loses every open file anyway.
        try {
          await Promise.race([h.control.dropThread(tid), h.exited, delay(10_000)]);
        } catch {
          // Same: nothing more to release there.
        }
      }),
    );
  }

  /** Resolves when the recovery of every thread that has died so far is complete. */
  async settled(): Promise<void> {
    while (this.settling.size > 0) await Promise.all([...this.settling]);
    await this.recovery.reclaimsDone();
  }

  /** What each recovery so far released (for statistics and tests). */
  recoveries(): readonly RecoveryReport[] {
    return this.recovery.reports;
  }

  /** Stop every actor and leave: threads still attached get EIO from then on. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    process.off('worker', this.onWorker);
    Atomics.store(this.reg.i32, R.CLOSING, 1);
    bumpThreads(this.reg);
    await Promise.all(
      [...this.actors.values()].map(async (h) => {
        h.control[releaseProxy]();
        await h.worker.terminate();
      }),
    );
    // Nobody serves the rings any more: whatever was asked gets EIO.
    for (const h of this.actors.values()) this.recovery.failActorRings(h.index);
    this.actors.clear();
    this.client.close();
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

function isMountedFs(v: unknown): v is MountedFs {
  return v !== null && typeof v === 'object' && typeof (v as { vget?: unknown }).vget === 'function' && typeof (v as { rootIno?: unknown }).rootIno === 'function';
}

function invalidArg(message: string): TypeError {
  const e = new TypeError(`svfs.mount: ${message}`);
  (e as { code?: string }).code = 'ERR_INVALID_ARG_VALUE';
  return e;
}

/** Fill in actor table entry `a`, and give every attached thread a ring to it. */
function defineActor(reg: Registry, a: number, mountId: number, slots: number, slotBytes: number): void {
  mutexEnter(reg.i32, R.LOCK);
  try {
    const b = actorBase(a);
    reg.i32[b + A.MOUNT_ID] = mountId;
    reg.i32[b + A.RING_SLOTS] = slots;
    reg.i32[b + A.SLOT_BYTES] = slotBytes;
    Atomics.store(reg.i32, b + A.STATE, ActorState.Starting);
    for (let t = 0; t < MAX_THREADS; t++) {
      if (Atomics.load(reg.i32, threadBase(t) + T.STATE) !== ThreadState.Free) giveRingLocked(reg, t, a);
    }
  } finally {
    mutexExit(reg.i32, R.LOCK);
  }
}

export { MAX_ACTORS };
