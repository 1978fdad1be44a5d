/**
 * portalFs(): mount_portal as a file system of the VFS.
 *
 *   const portal = portalFs({ config: '/etc/portal.conf' });
 *   vfs.mount('/p', portal);
 *   const fh = await vfs.fs.promises.open('/p/tcp/127.0.0.1/7777', 'r+');
 *
 * This file holds the mount-level side (vfsops: nodes, references, statfs,
 * unmount) and what the file system does beyond the VFS: the opens
 * (matching the name, picking a host, waiting for the provider's answer
 * until the deadline), giving a stream away to another thread, the op dump,
 * and how the mount is shared. The rules and their reload are in rules.ts,
 * the vnode ops in vnops.ts, the provider pool in pool.ts, the providers
 * themselves in ../worker/.
 *
 * Threads: every VOP runs in the thread that holds this object and never
 * needs that thread's event loop to make progress: providers answer through
 * MessagePorts and bells (shared words), which a thread blocked in
 * Atomics.wait can read. On a SharedVfs every thread builds its own
 * instance (`shared`: mode 'replica'), with its own provider pool: a
 * portal keeps no state worth sharing (names cost nothing, and a stream
 * belongs to the thread that opened it, or to whichever it was given to).
 */

import { MessageChannel } from 'node:worker_threads';
import { constants, type FileHandle } from '@actorvfs/core';
import {
  Proc,
  VType,
  Vnode,
  fail,
  inSyncDriver,
  noteLock,
  runAsync,
  systemClock,
  toTimespec,
  toVfsError,
  waitFor,
  type Clock,
  type Cred,
  type MountedFs,
  type Op,
  type SharedFsSpec,
  type StatFs,
  type VnodeMount,
  type Wait,
} from '@actorvfs/core/internal';
import type { Rule } from '../config/conf.js';
import { newBell } from '../protocol/bell.js';
import { BUILTIN_PROVIDERS, PROTOCOL_VERSION, type HostDiagnostics, type HostSettings } from '../protocol/messages.js';
import { FREED } from '../protocol/pool-words.js';
import { StreamEnd, type PortalStreamHandle } from '../stream/stream-end.js';
import { normalizeOptions, type NormalizedPortalOptions, type PortalFsOptions } from './options.js';
import { NodeTable, ROOT_INO, type PortalNode } from './nodes.js';
import { HostPool, type Host } from './pool.js';
import { RuleSet, type ReloadResult } from './rules.js';
import { nodeOps, rootOps, tracedNodeOps, tracedRootOps, type OpenStream } from './vnops.js';

export type { ReloadResult };

/** Options of openStream(). */
export interface OpenStreamOptions {
  /** Open flags (default O_RDWR). */
  flags?: number;
  /** Credentials handed to the provider (default root). */
  cred?: { uid: number; gid: number; groups?: number[] };
}

export class PortalFs implements MountedFs {
  readonly type = 'portal';
  /** Names below the root are looked up whole (puffs's LOOKUP_FULLPNBUF): see MountedFs.lookupRest. */
  readonly lookupRest = true;
  /** Normalised options: `portalFs(this.options)` builds the same file system (in any thread). */
  readonly options: NormalizedPortalOptions;
  readonly nodes = new NodeTable();
  private readonly ruleSet: RuleSet;
  private clock: Clock = systemClock;
  private pool: HostPool | null = null;
  private readonly hostSettings: HostSettings;
  private readonly tracer: ((line: string) => void) | null;
  /** Streams open through descriptors (closed by unmount if the VFS did not). */
  private readonly openStreams = new Set<OpenStream>();
  private nextId = 1;
  private active = false;
  private closed = false;
  /** Pools being shut down (close() waits for them, unmount() does not). */
  private stopping: Promise<void> = Promise.resolve();
  private readonly ts = { sec: 0, nsec: 0 };
  private readonly now2: [number, number] = [0, 0];

  constructor(options: PortalFsOptions) {
    this.options = normalizeOptions(options);
    const t = (options as { trace?: unknown }).trace;
    this.tracer = typeof t === 'function' ? (t as (line: string) => void) : this.options.trace ? (line) => process.stderr.write(line + '\n') : null;
    const o = this.options;
    this.hostSettings = {
      fileRoot: o.file.root,
      fileUmask: o.file.umask,
      identity: { uid: o.identity.uid, gid: o.identity.gid },
      servicesFile: o.tcp.servicesFile,
      filterOutput: o.filter.output,
      filterCwd: o.filter.cwd,
    };
    this.ruleSet = new RuleSet(o);
  }

  // ------------------------------------------------------------ configuration

  /** The rules in force, in file order. */
  get rules(): readonly Rule[] {
    return this.ruleSet.rules;
  }

  /** The rule an open of `key` would use now. */
  match(key: string): Rule | undefined {
    return this.ruleSet.match(key);
  }

  /**
   * Read the config file again (what SIGHUP does) and swap the rules whole;
   * with a text config, pass the new text. Kept as they were when the file
   * cannot be read or is empty (0 bytes). Open streams are never touched.
   * In shared mode the new rules reach the mount's other threads too.
   */
  reload(source?: { text: string }): ReloadResult {
    return this.ruleSet.reload(source);
  }

  /**
   * How a SharedVfs shares this mount: every thread builds its own replica
   * (`portalFs(options)`, loaded synchronously: this package has no
   * top-level await) from the options below, a plain JSON value: these
   * options with the config text now in force, and the mount's channel, on
   * which reloads travel between the replicas. A `trace` function stays in
   * this thread; replicas with tracing on write to stderr.
   */
  get shared(): SharedFsSpec {
    const o = this.options;
    const { text, generation } = this.ruleSet.snapshot();
    const config = 'path' in o.config ? { path: o.config.path, text } : { text };
    const options: NormalizedPortalOptions = { ...o, config, replica: true, generation };
    return { mode: 'replica', module: '@actorvfs/portal', export: 'portalFs', options };
  }

  /** Reload triggers and the mount's channel start when the file system is first reached. */
  private activate(): void {
    if (this.active || this.closed) return;
    this.active = true;
    this.ruleSet.start();
  }

  private deactivate(): void {
    if (!this.active) return;
    this.active = false;
    this.ruleSet.stop();
  }

  // ------------------------------------------------------------------ tracing

  /** Is the op dump on? (Nodes then get the traced op vectors.) */
  get tracing(): boolean {
    return this.tracer !== null;
  }

  private describe(vp: Vnode): string {
    return vp.ino === ROOT_INO ? '/' : (this.nodes.get(vp.ino)?.key ?? `#${vp.ino}`);
  }

  /**
   * Op dump (puffs -o dump): one line per op, before it runs: its name, its
   * node, then its names, other nodes, and sizes, offsets and events, by
   * the names VOP_TABLE gives its arguments.
   */
  traceOp(op: string, args: readonly unknown[], argNames: readonly string[]): void {
    if (this.tracer === null) return;
    let line = `portal: ${op} ${this.describe(args[0] as Vnode)}`;
    for (let i = 1; i < args.length; i++) {
      const a = args[i];
      if (typeof a === 'string') line += ` ${a}`;
      else if (a instanceof Vnode) line += ` ${this.describe(a)}`;
      else if (typeof a === 'number' && TRACED_NUMBERS.has(argNames[i] ?? '')) line += ` ${argNames[i]}=${a}`;
    }
    this.tracer(line);
  }

  // --------------------------------------------------------------------- opens

  private hostPool(): HostPool {
    if (this.closed) throw fail('EIO');
    if (this.pool === null || this.pool.closed) {
      const p = this.options.pool;
      this.pool = new HostPool({ minThreads: p.minThreads, maxThreads: p.maxThreads, idleMs: p.idleMs }, this.hostSettings);
    }
    return this.pool;
  }

  /**
   * Open `key` for `cred` with `flags`: match, reserve a host, send it the
   * request, wait for its answer until the deadline. => the open stream.
   */
  *openOp(key: string, flags: number, cred: Cred): Op<OpenStream> {
    if ((flags & constants.O_NONBLOCK) !== 0) throw fail('EOPNOTSUPP');
    const rule = this.match(key);
    if (rule === undefined || rule.provider === null) throw fail('ENOENT');
    const module = Object.prototype.hasOwnProperty.call(this.options.providers, rule.provider) ? this.options.providers[rule.provider]! : null;
    if (module === null && !BUILTIN_PROVIDERS.includes(rule.provider)) throw fail('ENOENT');
    const deadline = performance.now() + this.options.timeoutMs;
    const pool = this.hostPool();
    const host = yield* this.reserve(pool, deadline);
    const { port1, port2 } = new MessageChannel();
    const bell = newBell();
    const end = new StreamEnd(port1, bell, this.options.window);
    pool.post(host, {
      v: PROTOCOL_VERSION,
      t: 'open',
      id: this.nextId++,
      key,
      provider: rule.provider,
      args: [...rule.args],
      module,
      cred: { uid: cred.uid, gid: cred.gid, groups: [...cred.groups] },
      flags,
      port: port2,
      bell,
      window: this.options.window,
    });
    try {
      yield* end.awaitOpen(deadline);
    } catch (e) {
      end.close();
      if ((e as { code?: string }).code === 'ETIMEDOUT') pool.kill(host);
      throw e;
    }
    const o: OpenStream = { end, host };
    this.openStreams.add(o);
    return o;
  }

  /**
   * A free host. Waits until one comes free (or the deadline) when that
   * needs nothing from this thread: always for asynchronous callers; for a
   * synchronous one only while a host is finishing a close on its own.
   * Otherwise a synchronous caller gets EAGAIN: only this thread's event
   * loop, which it is blocking, could start another worker.
   */
  private *reserve(pool: HostPool, deadline: number): Op<Host> {
    const sync = inSyncDriver();
    const w: Wait = { word: pool.words, index: FREED, value: 0, timeoutMs: 0, onlyOtherThreads: false, spin: 200 };
    let counted = false;
    try {
      for (;;) {
        const seen = pool.freed();
        const h = pool.acquire(sync);
        if (h !== null && h !== 'wait') return h;
        if (h === null) {
          if (sync) throw fail('EAGAIN');
          if (!counted) {
            if (pool.waiting >= this.options.pool.maxWaiting) throw fail('EAGAIN');
            pool.waiting++;
            counted = true;
          }
        }
        const left = deadline - performance.now();
        if (left <= 0) throw fail('ETIMEDOUT');
        yield waitFor(w, pool.words, FREED, seen, false, left);
      }
    } finally {
      if (counted) pool.waiting--;
    }
  }

  /** The last close of an open portal file. */
  closeStream(o: OpenStream): void {
    if (!this.openStreams.delete(o)) return;
    const moved = o.end.phase === 'moved';
    o.end.close();
    if (!moved) this.pool?.noteClosed(o.host);
  }

  /**
   * Take the stream of an open portal FileHandle, to use it elsewhere: a
   * handle to post to another thread (`transferList: [handle.port]`) and
   * open there with PortalStream.from. The FileHandle stays open but its
   * reads and writes fail with EBADF; closing it leaves the stream alone.
   */
  takeStream(fileHandle: FileHandle): PortalStreamHandle {
    try {
      const sys = (fileHandle as unknown as { ctx?: { sys?: unknown } }).ctx?.sys;
      if (!(sys instanceof Proc)) throw fail('EOPNOTSUPP');
      const file = sys.file(fileHandle.fd);
      if (file.vp.mount.fs !== this) throw fail('EINVAL');
      const o = file.data as OpenStream | undefined;
      if (o === undefined) throw fail('EBADF');
      const h = o.end.detach();
      this.openStreams.delete(o);
      return h;
    } catch (e) {
      throw toVfsError(e, 'takeStream');
    }
  }

  /**
   * Open a portal name directly, with no file descriptor: the transferable
   * handle of its stream (see takeStream). `name` is the key (the path
   * under the mount, without the mount point).
   */
  openStream(name: string, options: OpenStreamOptions = {}): Promise<PortalStreamHandle> {
    const flags = options.flags ?? constants.O_RDWR;
    const c = options.cred ?? { uid: 0, gid: 0 };
    const cred: Cred = { uid: c.uid, gid: c.gid, groups: c.groups ?? [c.gid] };
    const self = this;
    function* op(): Op<PortalStreamHandle> {
      const o = yield* self.openOp(name, flags, cred);
      self.openStreams.delete(o);
      return o.end.detach();
    }
    return runAsync(op()).catch((e: unknown) => {
      throw toVfsError(e, 'open', name);
    });
  }

  /** Each running provider host's view of itself (threads, active resources, child processes). */
  async diagnostics(): Promise<{ threads: number; openStreams: number; hosts: HostDiagnostics[] }> {
    const pool = this.pool;
    return { threads: pool?.threads ?? 0, openStreams: this.openStreams.size, hosts: pool === null ? [] : await pool.diagnostics() };
  }

  /** Shut the provider pool down: every stream ends (its readers see EIO), every worker stops. */
  async close(): Promise<void> {
    this.closed = true;
    this.deactivate();
    await this.stopPool();
  }

  /** End the open streams and shut the pool down. => settles when every pool stopped so far is gone. */
  private stopPool(): Promise<void> {
    for (const o of this.openStreams) o.end.close();
    this.openStreams.clear();
    const pool = this.pool;
    this.pool = null;
    if (pool !== null) {
      const stopped = pool.close().catch(() => {});
      this.stopping = Promise.all([this.stopping, stopped]).then(() => {});
    }
    return this.stopping;
  }

  // ------------------------------------------------------------------ vfsops

  setClock(c: Clock): void {
    this.clock = c;
  }

  /** Now, as [seconds, nanoseconds] (every time of every node: the original reported "now"). */
  nowSec(): [number, number] {
    toTimespec(this.clock.now(), this.ts);
    this.now2[0] = this.ts.sec;
    this.now2[1] = this.ts.nsec;
    return this.now2;
  }

  keyOf(vp: Vnode): string {
    const node = this.nodes.get(vp.ino);
    if (node === undefined || node.gen !== vp.gen) throw fail('ENOENT');
    return node.key;
  }

  vnodeOf(mount: VnodeMount, node: PortalNode): Vnode {
    const cached = mount.cache.get(node.ino, node.gen);
    if (cached !== undefined) return cached;
    const type = node.ino === ROOT_INO ? VType.Dir : VType.Reg;
    const ops = type === VType.Dir ? (this.tracing ? tracedRootOps : rootOps) : this.tracing ? tracedNodeOps : nodeOps;
    return mount.cache.put(new Vnode(mount, node.ino, node.gen, type, ops));
  }

  rootIno(): number {
    return ROOT_INO;
  }

  vget(mount: VnodeMount, ino: number): Vnode | null {
    if (ino === ROOT_INO) this.activate();
    const node = this.nodes.get(ino);
    return node === undefined ? null : this.vnodeOf(mount, node);
  }

  ref(vp: Vnode): void {
    const node = this.nodes.get(vp.ino);
    if (node !== undefined) node.refs++;
  }

  isCurrent(vp: Vnode): boolean {
    return this.nodes.get(vp.ino)?.gen === vp.gen;
  }

  rele(vp: Vnode): boolean {
    const node = this.nodes.get(vp.ino);
    if (node === undefined || node.refs === 0) return false;
    return --node.refs === 0 && node.ino !== ROOT_INO;
  }

  /** No locks: nothing here is shared between threads. Checks that the handle is current. */
  lock(vp: Vnode, exclusive: boolean): void {
    if (!this.isCurrent(vp)) throw fail('ENOENT');
    noteLock(vp, exclusive ? 'E' : 'S');
  }

  unlock(vp: Vnode): void {
    noteLock(vp, 'U');
  }

  readBegin(_vp: Vnode): number {
    return -1;
  }

  readValid(_vp: Vnode, _token: number): boolean {
    return false;
  }

  statfs(): StatFs {
    return { type: 0x504f5254, bsize: 512, frsize: 512, blocks: 0, bfree: 0, bavail: 0, files: 0, ffree: 0, namemax: 255, flags: 0 };
  }

  /** Unmount: streams still open end, the pool shuts down (in the background: close() waits for it), reload triggers stop. */
  unmount(): void {
    this.deactivate();
    void this.stopPool();
  }
}

/** Numeric arguments the op dump shows (VOP_TABLE names). */
const TRACED_NUMBERS = new Set(['len', 'pos', 'events', 'timeoutMs', 'mode']);

/** A portal file system, for `vfs.mount()`. */
export function portalFs(options: PortalFsOptions): PortalFs {
  return new PortalFs(options);
}

export type { Rule };
