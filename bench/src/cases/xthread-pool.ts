/**
 * The coordinator's side of the cross-thread cases: worker threads
 * (workers/xthread-worker.ts) with a request/reply channel that has a
 * deadline per request and fails everything pending when the worker dies,
 * and measurement windows that start several workers at once through the
 * Atomics barrier.
 */

import { Worker } from 'node:worker_threads';
import type { SharedVfsHandle } from '@actorvfs/workers';
import {
  BARRIER_BYTES,
  READY,
  XTHREAD_PROTOCOL,
  releaseWhenReady,
  type Instance,
  type OpSpec,
  type WindowResult,
  type XthreadReply,
  type XthreadRequest,
  type XthreadWorkerData,
} from '../workers/xthread-protocol.js';

/** Distributes `Omit` over a union, so each request keeps its own fields. */
type Unsent<T> = T extends unknown ? Omit<T, 'id'> : never;

interface Pending {
  resolve(value: unknown): void;
  reject(err: Error): void;
  timer: NodeJS.Timeout;
}

export class XWorker {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private dead: Error | null = null;

  private constructor(
    private readonly worker: Worker,
    readonly index: number,
    private readonly deadlineMs: number,
  ) {
    worker.on('message', (m: XthreadReply) => {
      if (m.t === 'ready') return;
      const p = this.pending.get(m.id);
      if (p === undefined) return;
      this.pending.delete(m.id);
      clearTimeout(p.timer);
      if (m.t === 'ok') p.resolve(m.value);
      else p.reject(Object.assign(new Error(m.message), m.code !== undefined ? { code: m.code } : {}));
    });
    worker.on('error', (e) => this.fail(e));
    worker.on('exit', (code) => this.fail(new Error(`worker ${index} exited (code ${code})`)));
  }

  /** Start worker `index` and wait until it has loaded. */
  static async start(index: number, barrier: SharedArrayBuffer, handle: SharedVfsHandle | null, deadlineMs: number): Promise<XWorker> {
    const data: XthreadWorkerData = { index, barrier, handle };
    // execArgv: [] keeps the benchmark child's --expose-gc out of the workers.
    const worker = new Worker(new URL('../workers/xthread-worker.js', import.meta.url), { workerData: data, execArgv: [] });
    const up = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`worker ${index} did not start within ${deadlineMs} ms`)), deadlineMs);
      worker.once('message', (m: XthreadReply) => {
        clearTimeout(timer);
        if (m.t === 'ready' && m.protocol === XTHREAD_PROTOCOL) resolve();
        else reject(new Error(`worker ${index}: protocol ${m.t === 'ready' ? m.protocol : '?'}, expected ${XTHREAD_PROTOCOL} (rebuild bench/)`));
      });
      worker.once('error', (e) => {
        clearTimeout(timer);
        reject(e);
      });
    });
    try {
      await up;
    } catch (e) {
      await worker.terminate();
      throw e;
    }
    return new XWorker(worker, index, deadlineMs);
  }

  request<T>(req: Unsent<XthreadRequest>): Promise<T> {
    if (this.dead !== null) return Promise.reject(this.dead);
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`worker ${this.index}: no answer to '${req.t}' within ${this.deadlineMs / 1000} s`));
      }, this.deadlineMs);
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject, timer });
      this.worker.postMessage({ ...req, id } as XthreadRequest);
    });
  }

  private fail(e: Error): void {
    if (this.dead === null) this.dead = e;
    for (const p of this.pending.values()) {
      clearTimeout(p.timer);
      p.reject(e);
    }
    this.pending.clear();
  }

  async terminate(): Promise<void> {
    this.fail(new Error(`worker ${this.index} terminated`));
    await this.worker.terminate();
  }
}

/** Worker threads that share one barrier. */
export class XPool {
  private gen = 0;
  private readonly words: Int32Array;

  private constructor(
    readonly workers: readonly XWorker[],
    barrier: SharedArrayBuffer,
    private readonly deadlineMs: number,
  ) {
    this.words = new Int32Array(barrier);
  }

  static async start(count: number, handle: SharedVfsHandle | null, deadlineMs: number): Promise<XPool> {
    const barrier = new SharedArrayBuffer(BARRIER_BYTES);
    const workers: XWorker[] = [];
    try {
      // One after another: two workers loading at once on two cores would only slow each other.
      for (let i = 0; i < count; i++) workers.push(await XWorker.start(i, barrier, handle, deadlineMs));
    } catch (e) {
      await Promise.all(workers.map((w) => w.terminate()));
      throw e;
    }
    return new XPool(workers, barrier, deadlineMs);
  }

  /**
   * One window on the first `threads` workers, started together at the
   * barrier: each runs `specOf(i)` on `instance` for `ms`. => the sum of the
   * workers' rates (ops/s), and each worker's result.
   */
  async window(threads: number, instance: Instance, specOf: (worker: number) => OpSpec, form: 'sync' | 'promise', lanes: number, ms: number): Promise<{ opsPerSec: number; parts: WindowResult[] }> {
    const gen = ++this.gen;
    Atomics.store(this.words, READY, 0);
    const chosen = this.workers.slice(0, threads);
    const replies = Promise.all(chosen.map((w) => w.request<WindowResult>({ t: 'window', instance, spec: specOf(w.index), form, lanes, ms, gen })));
    const cancel = { cancelled: false };
    replies.catch(() => {
      cancel.cancelled = true;
    });
    await Promise.race([releaseWhenReady(this.words, threads, gen, this.deadlineMs, cancel), replies]);
    const parts = await replies;
    return { opsPerSec: parts.reduce((sum, p) => sum + (p.ops * 1000) / p.ms, 0), parts };
  }

  async terminate(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
