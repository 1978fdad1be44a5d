/**
 * The provider pool: piscina workers, each running at most one host
 * (worker/host.ts), each host serving one stream at a time.
 *
 * Why hosts, rather than one piscina task per open: piscina hands out tasks
 * and learns that they finished on the owner thread's event loop. A
 * synchronous caller (fs.openSync, fs.readFileSync on a portal path) blocks
 * that loop, so a second open in a synchronous loop would find no worker
 * piscina knows to be free, though one is. A host stays on its worker across
 * opens and says whether it is free in shared memory (protocol/pool-words.ts),
 * which a blocked thread can read; the open request then travels on the
 * host's own port, which needs no event loop on this side either.
 *
 * piscina does what it is good at: starting workers (the first `minThreads`
 * are usable at once, even synchronously), noticing their death, replacing
 * them, terminating one on abort, and shutting them all down.
 *
 * Hosts retire after `idleMs` without work (a running piscina task keeps the
 * process alive; a retired one does not, and its worker stays warm). A host
 * that does not answer an open by the deadline is killed (its worker is
 * terminated; piscina starts another). A host whose stream was closed but
 * which never came free is killed after CLOSE_GRACE_MS.
 *
 * Synchronous opens can use hosts already running (or about to run, on a
 * worker piscina had free): when there is none, they fail with EAGAIN rather
 * than wait for something only this thread's event loop could bring.
 */

import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { Piscina } from 'piscina';
import { ringDead } from '../protocol/bell.js';
import { PROTOCOL_VERSION, type HostDiagnostics, type HostSettings, type HostTask, type OpenRequest } from '../protocol/messages.js';
import { FREED, HostState, bumpFreed, poolWordsFor, startedIndex, stateIndex } from '../protocol/pool-words.js';

export interface PoolSettings {
  minThreads: number;
  maxThreads: number;
  idleMs: number;
}

/** A host whose stream was closed must come free within this time, or it is killed. */
const CLOSE_GRACE_MS = 5000;
/** A host whose stream was closed this recently is worth waiting for (rather than starting another). */
const CLOSING_SOON_MS = 100;

/** The host worker's script: always the built file in dist/ (tests load this module from src/). */
export function hostScript(): URL {
  const here = dirname(fileURLToPath(import.meta.url)); // .../packages/portal/{src|dist}/main
  return pathToFileURL(join(dirname(dirname(here)), 'dist', 'worker', 'host.js'));
}

export class Host {
  readonly abort = new AbortController();
  /** The bell of the stream being served, so a death can wake its client. */
  bell: Int32Array | null = null;
  /** Seen idle at the last reaper tick. */
  idleSeen = false;
  /** When main closed its stream (ms), while the host has not come free yet. */
  closedAt = 0;
  settled = false;

  constructor(
    readonly slot: number,
    readonly ctrl: MessagePort,
    /** piscina had a free worker for it: it runs without this thread's event loop. */
    readonly assigned: boolean,
  ) {}
}

export class HostPool {
  readonly words: Int32Array;
  private readonly hosts: (Host | null)[];
  private readonly runs = new Set<Promise<unknown>>();
  private piscina: Piscina | null = null;
  private reaper: ReturnType<typeof setInterval> | null = null;
  private closing: Promise<void> | null = null;
  /** Asynchronous opens waiting for a host. */
  waiting = 0;

  constructor(
    private readonly settings: PoolSettings,
    private readonly hostSettings: HostSettings,
  ) {
    this.words = new Int32Array(poolWordsFor(settings.maxThreads));
    this.hosts = new Array<Host | null>(settings.maxThreads).fill(null);
  }

  get closed(): boolean {
    return this.closing !== null;
  }

  private pool(): Piscina {
    if (this.piscina === null) {
      this.piscina = new Piscina({
        filename: hostScript().href,
        minThreads: this.settings.minThreads,
        maxThreads: this.settings.maxThreads,
        idleTimeout: 10_000,
        concurrentTasksPerWorker: 1,
        // The workers' own event loops must run between tasks (sockets closing, commands finishing).
        atomics: 'disabled',
        execArgv: [],
      });
      this.piscina.on('error', () => {
        // A worker died with no task: piscina replaces it; nothing was lost.
      });
      // Warm up: the first workers load the host (and providers) now, not at the first open's expense.
      const p = this.piscina;
      for (let slot = 0; slot < this.settings.minThreads; slot++) this.start(p, slot, true, HostState.IDLE);
    }
    return this.piscina;
  }

  state(h: Host): HostState {
    return Atomics.load(this.words, stateIndex(h.slot)) as HostState;
  }

  /** The FREED word's value now (wait on it to learn that a host came free). */
  freed(): number {
    return Atomics.load(this.words, FREED);
  }

  /**
   * Reserve a host for one open. `sync`: only a host that runs without this
   * thread's event loop. => the host; 'wait' when a host whose stream was
   * just closed will come free on its own (wait on FREED and ask again);
   * null when none can be had now.
   */
  acquire(sync: boolean): Host | 'wait' | null {
    if (this.closing !== null) return null;
    const p = this.pool();
    const words = this.words;
    const now = Date.now();
    let free = -1;
    let pending = 0;
    let closing = false;
    for (let slot = 0; slot < this.hosts.length; slot++) {
      const h = this.hosts[slot];
      if (h === null || h === undefined) {
        if (free < 0) free = slot;
        continue;
      }
      const started = Atomics.load(words, startedIndex(slot)) !== 0;
      if (!h.assigned && !started) pending++;
      if (sync && !h.assigned && !started) continue;
      if (
        Atomics.compareExchange(words, stateIndex(slot), HostState.IDLE, HostState.BUSY) === HostState.IDLE ||
        // Asked to retire but not yet gone: it stays (it ignores the request when it reads it).
        Atomics.compareExchange(words, stateIndex(slot), HostState.RETIRING, HostState.BUSY) === HostState.RETIRING
      ) {
        h.idleSeen = false;
        h.closedAt = 0;
        return h;
      }
      if (h.closedAt !== 0 && now - h.closedAt < CLOSING_SOON_MS && this.state(h) === HostState.BUSY) closing = true;
    }
    // A host finishing a close is free in microseconds; a new one costs a worker's start.
    if (closing) return 'wait';
    if (free < 0) return null;
    const assigned = p.idleThreads > 0 && pending === 0;
    if (sync && !assigned) return null;
    return this.start(p, free, assigned);
  }

  private start(p: Piscina, slot: number, assigned: boolean, state = HostState.BUSY): Host {
    const { port1, port2 } = new MessageChannel();
    const h = new Host(slot, port1, assigned);
    this.hosts[slot] = h;
    Atomics.store(this.words, startedIndex(slot), 0);
    Atomics.store(this.words, stateIndex(slot), state);
    const task: HostTask = { v: PROTOCOL_VERSION, t: 'host', ctrl: port2, words: this.words.buffer as SharedArrayBuffer, slot, settings: this.hostSettings };
    const run = p.run(task, { transferList: [port2], signal: h.abort.signal });
    const done = run.then(
      () => this.settle(h),
      () => this.settle(h),
    );
    this.runs.add(done);
    void done.then(() => this.runs.delete(done));
    this.startReaper();
    return h;
  }

  /** The host's task ended (retired, crashed, killed): free its slot, and wake a client it left behind. */
  private settle(h: Host): void {
    if (h.settled) return;
    h.settled = true;
    const st = this.state(h);
    if ((st === HostState.BUSY || st === HostState.DEAD) && h.bell !== null) ringDead(h.bell);
    h.ctrl.close();
    if (this.hosts[h.slot] === h) {
      this.hosts[h.slot] = null;
      Atomics.store(this.words, stateIndex(h.slot), HostState.EMPTY);
      Atomics.store(this.words, startedIndex(h.slot), 0);
    }
    bumpFreed(this.words);
  }

  /** Send a reserved host its open request. */
  post(h: Host, req: OpenRequest): void {
    h.bell = new Int32Array(req.bell);
    h.ctrl.postMessage(req, [req.port]);
  }

  /** Main closed the stream this host serves. */
  noteClosed(h: Host): void {
    h.closedAt = Date.now();
  }

  /** The host did not answer in time (or must go): terminate its worker. */
  kill(h: Host): void {
    if (h.settled) return;
    Atomics.store(this.words, stateIndex(h.slot), HostState.DEAD);
    h.abort.abort();
    bumpFreed(this.words);
  }

  private startReaper(): void {
    if (this.reaper !== null) return;
    const every = Math.max(1, this.settings.idleMs);
    this.reaper = setInterval(() => this.reap(), every);
    this.reaper.unref();
  }

  private reap(): void {
    let live = 0;
    const now = Date.now();
    for (const h of this.hosts) {
      if (h === null) continue;
      live++;
      const st = this.state(h);
      if (st === HostState.IDLE) {
        if (!h.idleSeen && this.settings.idleMs > 0) {
          h.idleSeen = true;
          continue;
        }
        if (Atomics.compareExchange(this.words, stateIndex(h.slot), HostState.IDLE, HostState.RETIRING) === HostState.IDLE) {
          h.ctrl.postMessage({ v: PROTOCOL_VERSION, t: 'retire', kill: false });
        }
      } else if (st === HostState.BUSY && h.closedAt !== 0 && now - h.closedAt > CLOSE_GRACE_MS) {
        this.kill(h);
      }
    }
    if (live === 0 && this.reaper !== null) {
      clearInterval(this.reaper);
      this.reaper = null;
    }
  }

  /** Wait (up to timeoutMs) until every host whose stream main closed has come free. */
  async quiesce(timeoutMs: number): Promise<void> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const seen = this.freed();
      const busy = this.hosts.some((h) => h !== null && h.closedAt !== 0 && this.state(h) === HostState.BUSY);
      const left = until - Date.now();
      if (!busy || left <= 0) return;
      const r = Atomics.waitAsync(this.words, FREED, seen, left);
      if (r.async) await r.value;
    }
  }

  /** Every running host's view of itself (threads, resources, children). */
  async diagnostics(): Promise<HostDiagnostics[]> {
    await this.quiesce(2000);
    const out: Promise<HostDiagnostics | null>[] = [];
    for (const h of this.hosts) {
      const st = h === null ? HostState.EMPTY : this.state(h);
      if (h === null || h.settled || st === HostState.DEAD || st === HostState.RETIRED) continue;
      const { port1, port2 } = new MessageChannel();
      out.push(
        new Promise((resolve) => {
          const timer = setTimeout(() => {
            port1.close();
            resolve(null);
          }, 2000);
          port1.once('message', (d: HostDiagnostics) => {
            clearTimeout(timer);
            port1.close();
            resolve(d);
          });
          h.ctrl.postMessage({ v: PROTOCOL_VERSION, t: 'diag', reply: port2 }, [port2]);
        }),
      );
    }
    return (await Promise.all(out)).filter((d): d is HostDiagnostics => d !== null);
  }

  /** Worker threads piscina has now. */
  get threads(): number {
    return this.piscina?.threads.length ?? 0;
  }

  /** Stop every host (killing what they run) and every worker. */
  close(): Promise<void> {
    if (this.closing !== null) return this.closing;
    if (this.reaper !== null) clearInterval(this.reaper);
    this.reaper = null;
    for (const h of this.hosts) {
      if (h === null || h.settled) continue;
      try {
        h.ctrl.postMessage({ v: PROTOCOL_VERSION, t: 'retire', kill: true });
      } catch {
        // its worker is gone already
      }
    }
    const p = this.piscina;
    this.closing = (async () => {
      if (p === null) return;
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([Promise.allSettled([...this.runs]), new Promise((resolve) => (timer = setTimeout(resolve, 1000)))]);
      clearTimeout(timer);
      await p.destroy();
      for (const h of this.hosts) if (h !== null) this.settle(h);
    })();
    return this.closing;
  }
}
