/**
 * fs.watch, fs.promises.watch, fs.watchFile / fs.unwatchFile.
 *
 * fs.watch rides on `sys.watch`. The kernel calls its listener from inside
 * the operation that changed the tree, so events are queued and delivered
 * on a later tick, never re-entering the kernel from a listener.
 *
 * fs.watchFile polls stat on an interval, like libuv's fs_poll, and calls
 * listeners with (current, previous) when ctime, mtime, size, mode, uid,
 * gid, ino, dev or birthtime change (zeroed stats while the file is
 * missing). Timers here are unref'd and `persistent` is accepted but has no
 * effect: in a file system of one thread nothing else can change the tree,
 * so a watcher alone never keeps the process alive. (In shared mode a thread
 * that watches anything stays alive while it does: other threads may change
 * what it watches; see workers' watch-ring.ts.) `ref()`/`unref()` exist and
 * return the watcher.
 */

import type { Buffer } from 'node:buffer';
import { EventEmitter } from 'node:events';
import { posix } from 'node:path';
import { St, type StatBuf, type Watcher, type WatchEvent } from '../vfs/sys.js';
import type { Ctx } from './ctx.js';
import { abortError, uvError } from './errors.js';
import { makeStats, zeroStats, type BigIntStats, type Stats } from './stats.js';
import {
  encodeName,
  getOptions,
  getPath,
  optBoolean,
  optEncoding,
  validateAbortSignal,
  validateFunction,
  validateUint32,
  type Encoding,
} from './validate.js';
import { runSync } from '../vfs/wait.js';

type WatchListener = (eventType: 'rename' | 'change', filename: string | Buffer | null) => void;

interface ParsedWatch {
  recursive: boolean;
  encoding: Encoding | undefined;
  signal: AbortSignal | undefined;
}

function parseWatchOptions(options: unknown): ParsedWatch {
  const o = getOptions(options);
  optBoolean(o, 'persistent', true);
  const recursive = optBoolean(o, 'recursive', false);
  return { recursive, encoding: optEncoding(o) ?? 'utf8', signal: validateAbortSignal(o.signal, 'options.signal') };
}

function startKernelWatch(c: Ctx, path: string, recursive: boolean, listener: (ev: WatchEvent) => void, fn: (...a: never[]) => unknown): Watcher {
  try {
    return c.sys.watch(path, { recursive }, listener);
  } catch (e) {
    const err = uvError(e, 'watch', path, undefined, fn);
    if (err instanceof Error) (err as Error & { filename: string }).filename = path;
    throw err;
  }
}

/** The object fs.watch returns. */
export class FSWatcher extends EventEmitter {
  #watcher: Watcher | undefined;
  #queue: WatchEvent[] = [];
  #scheduled = false;
  #encoding: Encoding | undefined;

  /** @internal */
  constructor(c: Ctx, path: string, parsed: ParsedWatch) {
    super();
    this.#encoding = parsed.encoding;
    this.#watcher = startKernelWatch(c, path, parsed.recursive, (ev) => this.#enqueue(ev), watch);
    const signal = parsed.signal;
    if (signal !== undefined) {
      if (signal.aborted) process.nextTick(() => this.close());
      else signal.addEventListener('abort', () => this.close(), { once: true });
    }
  }

  #enqueue(ev: WatchEvent): void {
    this.#queue.push({ type: ev.type, name: ev.name });
    if (this.#scheduled) return;
    this.#scheduled = true;
    setImmediate(() => this.#flush()).unref();
  }

  #flush(): void {
    this.#scheduled = false;
    const events = this.#queue;
    this.#queue = [];
    for (const ev of events) {
      if (this.#watcher === undefined) return;
      this.emit('change', ev.type, encodeName(ev.name, this.#encoding));
    }
  }

  close(): void {
    const w = this.#watcher;
    if (w === undefined) return;
    this.#watcher = undefined;
    this.#queue = [];
    w.close();
    process.nextTick(() => this.emit('close'));
  }

  ref(): this {
    return this;
  }

  unref(): this {
    return this;
  }
}

/** fs.watch(filename[, options][, listener]). */
export function watch(c: Ctx, filename: unknown, options?: unknown, listener?: unknown): FSWatcher {
  if (typeof options === 'function') {
    listener = options;
    options = undefined;
  }
  const path = getPath(filename, 'path');
  const parsed = parseWatchOptions(options);
  const w = new FSWatcher(c, path, parsed);
  if (listener !== undefined) w.on('change', validateFunction<WatchListener>(listener, 'listener'));
  return w;
}

export interface WatchEventResult {
  eventType: 'rename' | 'change';
  filename: string | Buffer | null;
}

function isAborted(signal: AbortSignal | undefined): boolean {
  return signal !== undefined && signal.aborted;
}


/**
 * fs.promises.watch: an async iterator of { eventType, filename }. Like
 * Node's, it is an async generator: arguments are checked, and the watch
 * starts, on the first next().
 */
export async function* watchAsync(c: Ctx, filename: unknown, options?: unknown): AsyncGenerator<WatchEventResult, void, undefined> {
  const path = getPath(filename, 'path');
  const parsed = parseWatchOptions(options);
  const signal = parsed.signal;
  if (signal?.aborted === true) throw abortError(signal);
  const queue: WatchEventResult[] = [];
  let wake: (() => void) | undefined;
  const wakeUp = (): void => {
    const w = wake;
    wake = undefined;
    if (w !== undefined) w();
  };
  const watcher = startKernelWatch(
    c,
    path,
    parsed.recursive,
    (ev) => {
      queue.push({ eventType: ev.type, filename: encodeName(ev.name, parsed.encoding) });
      if (wake !== undefined) process.nextTick(wakeUp);
    },
    watchAsync,
  );
  signal?.addEventListener('abort', wakeUp, { once: true });
  try {
    for (;;) {
      if (isAborted(signal)) throw abortError(signal);
      const ev = queue.shift();
      if (ev !== undefined) {
        yield ev;
        continue;
      }
      await new Promise<void>((resolve) => (wake = resolve));
    }
  } finally {
    watcher.close();
    signal?.removeEventListener('abort', wakeUp);
  }
}

type StatsListener = (curr: Stats | BigIntStats, prev: Stats | BigIntStats) => void;

/** The object fs.watchFile returns: polls one path, shared by its listeners. */
export class StatWatcher extends EventEmitter {
  readonly #c: Ctx;
  readonly #path: string;
  readonly #bigint: boolean;
  readonly #buf: StatBuf = new Float64Array(St.Flags + 1);
  #prev: Stats | BigIntStats;
  #prevKey: string;
  #timer: NodeJS.Timeout | undefined;

  /** @internal */
  constructor(c: Ctx, path: string, interval: number, bigint: boolean) {
    super();
    this.#c = c;
    this.#path = path;
    this.#bigint = bigint;
    const first = this.#sample();
    this.#prev = first.stats;
    this.#prevKey = first.key;
    if (first.key === '') {
      // A missing file is reported once, zeroed on both sides, as Node does.
      setImmediate(() => this.emit('change', this.#prev, this.#prev)).unref();
    }
    this.#timer = setInterval(() => this.#poll(), interval);
    this.#timer.unref();
  }

  #sample(): { stats: Stats | BigIntStats; key: string } {
    const b = this.#buf;
    try {
      runSync(this.#c.sys.stat(this.#path, b));
    } catch {
      return { stats: zeroStats(this.#bigint), key: '' };
    }
    const key = [
      b[St.CtimeSec],
      b[St.CtimeNsec],
      b[St.MtimeSec],
      b[St.MtimeNsec],
      b[St.Size],
      b[St.Mode],
      b[St.Uid],
      b[St.Gid],
      b[St.Ino],
      b[St.Dev],
      b[St.BirthtimeSec],
      b[St.BirthtimeNsec],
    ].join(',');
    return { stats: makeStats(b, this.#bigint), key };
  }

  #poll(): void {
    const cur = this.#sample();
    if (cur.key === this.#prevKey) return;
    const prev = this.#prev;
    this.#prev = cur.stats;
    this.#prevKey = cur.key;
    this.emit('change', cur.stats, prev);
  }

  /** @internal */
  stop(): void {
    if (this.#timer === undefined) return;
    clearInterval(this.#timer);
    this.#timer = undefined;
    this.emit('stop');
  }

  ref(): this {
    return this;
  }

  unref(): this {
    return this;
  }
}

/** Per-fs registry of StatWatchers, keyed by absolute path. */
export class StatWatchers {
  readonly #c: Ctx;
  readonly #byPath = new Map<string, StatWatcher>();

  constructor(c: Ctx) {
    this.#c = c;
  }

  #key(path: string): string {
    return path.startsWith('/') ? posix.normalize(path) : posix.join(runSync(this.#c.sys.getcwd()), path);
  }

  watchFile(filename: unknown, options?: unknown, listener?: unknown): StatWatcher {
    const path = getPath(filename, 'path');
    if (options === null || typeof options !== 'object') {
      listener = options;
      options = undefined;
    }
    let interval = 5007;
    let bigint = false;
    if (options !== undefined) {
      const o = options as Record<string, unknown>;
      if (o['interval'] !== undefined) interval = validateUint32(o['interval'], 'options.interval');
      bigint = o['bigint'] === true;
    }
    const fn = validateFunction<StatsListener>(listener, 'listener');
    const key = this.#key(path);
    let w = this.#byPath.get(key);
    if (w === undefined) {
      w = new StatWatcher(this.#c, path, interval, bigint);
      this.#byPath.set(key, w);
    }
    w.on('change', fn);
    return w;
  }

  unwatchFile(filename: unknown, listener?: unknown): void {
    const path = getPath(filename, 'path');
    const key = this.#key(path);
    const w = this.#byPath.get(key);
    if (w === undefined) return;
    if (typeof listener === 'function') w.removeListener('change', listener as StatsListener);
    else w.removeAllListeners('change');
    if (w.listenerCount('change') === 0) {
      w.stop();
      this.#byPath.delete(key);
    }
  }
}
