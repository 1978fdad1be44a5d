/**
 * Test side of the fault tests (test/shared/fault-*.test.ts): start worker
 * scripts of this directory, kill and wait for actors, read a tree back in
 * the shape of workload.mjs's model and compare, and check the store with
 * fsck once it is quiet.
 *
 * Deadlines here only catch hangs (a lock that stays held makes a thread
 * wait forever); they never measure speed.
 */

import { Worker } from 'node:worker_threads';
import { createHash } from 'node:crypto';
import type { VfsFs } from '@actorvfs/core';
import { fsck, type FsckReport, type Store } from '@actorvfs/core/internal';
import type { SharedVfs } from '@actorvfs/workers';
import { A, ActorState, MAX_THREADS, T, ThreadState, actorBase, threadBase } from '../../../packages/workers/src/protocol/registry.js';
import { S, SlotState, slotOffset } from '../../../packages/workers/src/protocol/ring.js';
import { OP_CODE } from '../../../packages/workers/src/protocol/ops.js';

export interface WorkerMessage<R> {
  kind: 'result' | 'error';
  value?: R;
  code?: string;
  message?: string;
  stack?: string;
}

export interface Started<R> {
  worker: Worker;
  /** The worker's one answer; rejects if it reports an error, crashes, or exits without answering. */
  result: Promise<R>;
  /** Resolves when the thread has exited. */
  exited: Promise<number>;
}

const live = new Set<Worker>();

/** Terminate every worker a test started and left running (afterEach). */
export async function terminateAll(): Promise<void> {
  const all = [...live];
  live.clear();
  await Promise.all(all.map((w) => w.terminate()));
}

/** Start `script` (a file of this directory) with `workerData`. */
export function startWorker<R>(script: string, workerData: Record<string, unknown>): Started<R> {
  const worker = new Worker(new URL(`./${script}`, import.meta.url), { workerData, execArgv: [] });
  live.add(worker);
  let answered = false;
  const exited = new Promise<number>((resolve) =>
    worker.once('exit', (code) => {
      live.delete(worker);
      resolve(code);
    }),
  );
  const result = new Promise<R>((resolve, reject) => {
    worker.on('message', (m: WorkerMessage<R>) => {
      answered = true;
      if (m.kind === 'result') resolve(m.value as R);
      else reject(new Error(`${script}: ${m.code ?? ''} ${m.message ?? ''}\n${m.stack ?? ''}`));
    });
    worker.on('error', (err) => reject(new Error(`${script} crashed: ${err.stack ?? String(err)}`)));
    void exited.then((code) => {
      if (!answered) reject(new Error(`${script} exited (code ${code}) without an answer`));
    });
  });
  result.catch(() => undefined);
  return { worker, result, exited };
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** `p`, or a rejection naming `what` if it has not settled after `ms` (a hang). */
export async function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`hang: ${what} not done after ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([p, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/** Wait (without blocking this thread) until `cond()` holds; throws naming `what` after `ms`. */
export async function until(cond: () => boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`hang: ${what} not reached after ${ms} ms`);
    await sleep(2);
  }
}

/** Index of the actor serving the root mount. */
const ROOT_ACTOR = 0;

/**
 * The requests in the root actor's hands right now (slots in state Busy):
 * 0 if none, 2 if one of them is a setattr (a truncation, which can free
 * thousands of pages: a long request), else 1.
 */
export function busySlots(svfs: SharedVfs): number {
  const reg = svfs.reg;
  reg.refresh();
  const i32 = reg.i32;
  const slots = i32[actorBase(ROOT_ACTOR) + A.RING_SLOTS]!;
  const bytes = i32[actorBase(ROOT_ACTOR) + A.SLOT_BYTES]!;
  let found = 0;
  for (let t = 0; t < MAX_THREADS; t++) {
    if (Atomics.load(i32, threadBase(t) + T.STATE) === ThreadState.Free) continue;
    const ring = i32[threadBase(t) + T.RINGS + ROOT_ACTOR]!;
    if (ring === 0) continue;
    for (let k = 0; k < slots; k++) {
      const h = slotOffset(ring, k, bytes) >> 2;
      if (Atomics.load(i32, h + S.STATE) !== SlotState.Busy) continue;
      if (i32[h + S.OP] === OP_CODE.setattr) return 2;
      found = 1;
    }
  }
  return found;
}

/**
 * Terminate the root actor, preferably while it has a request in hand: spin
 * (on this thread, at most `spinMs`) until one of its slots is Busy with a
 * long request, then terminate; if none comes, any request in hand will do.
 * => whether a request was in its hands when the kill was sent (it may
 * still finish it before the kill takes effect).
 */
export async function killActor(svfs: SharedVfs, spinMs: number): Promise<{ old: Worker; busy: boolean }> {
  const old = svfs.actorWorker('/');
  const end = performance.now() + spinMs;
  let busy = busySlots(svfs);
  while (busy < 2 && performance.now() < end) busy = busySlots(svfs);
  while (busy === 0 && performance.now() < end + spinMs) busy = busySlots(svfs);
  await old.terminate();
  return { old, busy: busy > 0 };
}

/** The state of request slot `k` of `worker`'s ring to the root actor (SlotState), or -1 if it has no thread slot. */
export function clientSlotState(svfs: SharedVfs, worker: Worker, k: number): number {
  const reg = svfs.reg;
  reg.refresh();
  const i32 = reg.i32;
  for (let t = 0; t < MAX_THREADS; t++) {
    const b = threadBase(t);
    if (Atomics.load(i32, b + T.STATE) !== ThreadState.Live || i32[b + T.NODE_ID] !== worker.threadId) continue;
    const ring = i32[b + T.RINGS + ROOT_ACTOR]!;
    if (ring === 0) return -1;
    return Atomics.load(i32, (slotOffset(ring, k, i32[actorBase(ROOT_ACTOR) + A.SLOT_BYTES]!) >> 2) + S.STATE);
  }
  return -1;
}

/** The root mount's actor state word. */
export function actorState(svfs: SharedVfs): number {
  return Atomics.load(svfs.reg.i32, actorBase(ROOT_ACTOR) + A.STATE);
}

/** Wait until the root actor that replaced `old` is up and serving. */
export async function actorRestarted(svfs: SharedVfs, old: Worker, ms = 20_000): Promise<Worker> {
  await until(() => svfs.actorWorker('/') !== old && actorState(svfs) === ActorState.Running, ms, 'restart of the killed actor');
  return svfs.actorWorker('/');
}

/** The store of the root mount (the only tmpfs mount of these tests). */
export function rootStore(svfs: SharedVfs): Store {
  const stores = [...svfs.client.stores().values()];
  if (stores.length !== 1) throw new Error(`expected one store, found ${stores.length}`);
  return stores[0]!;
}

/**
 * fsck of the root store, idle. Call it when no thread is in a call. The
 * actor frees retired inode pages within ~100 ms of going idle, which would
 * race with the check: wait for that first, and look twice before believing
 * a problem (a real one stays).
 */
export async function fsckIdle(svfs: SharedVfs): Promise<FsckReport> {
  let report: FsckReport | undefined;
  for (let attempt = 0; attempt < 3; attempt++) {
    await sleep(250);
    report = fsck(rootStore(svfs), { idle: true });
    if (report.ok) return report;
  }
  return report!;
}

/** One entry of a tree, in the shape of workload.mjs's `entries()` (group: the inode number). */
export interface TreeEntry {
  path: string;
  kind: string;
  group: number;
  size?: number;
  sha1?: string;
  target?: string;
}

/** Everything under `root`, paths relative to it, sorted. */
export async function readTree(fs: VfsFs, root: string): Promise<TreeEntry[]> {
  const p = fs.promises;
  const out: TreeEntry[] = [];
  const walk = async (rel: string): Promise<void> => {
    const dir = rel === '' ? root : `${root}/${rel}`;
    for (const name of (await p.readdir(dir)).map(String).sort()) {
      const path = rel === '' ? name : `${rel}/${name}`;
      const full = `${root}/${path}`;
      const st = await p.lstat(full);
      if (st.isDirectory()) {
        out.push({ path, kind: 'dir', group: st.ino });
        await walk(path);
      } else if (st.isSymbolicLink()) out.push({ path, kind: 'symlink', group: st.ino, target: String(await p.readlink(full)) });
      else if (st.isFile()) {
        const data = await p.readFile(full);
        out.push({ path, kind: 'file', group: st.ino, size: data.length, sha1: createHash('sha1').update(data).digest('hex') });
        if (st.size !== data.length) out.push({ path, kind: `file whose size ${st.size} differs from the ${data.length} bytes read`, group: st.ino });
      } else out.push({ path, kind: 'other', group: st.ino });
    }
  };
  await walk('');
  return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/**
 * Differences between a model (workload.mjs entries) and the tree: names,
 * kinds, sizes, contents, targets, and which names are links of one file.
 * => [] when they agree.
 */
export function compareTree(model: readonly TreeEntry[], tree: readonly TreeEntry[]): string[] {
  const problems: string[] = [];
  const want = new Map(model.map((e) => [e.path, e]));
  const got = new Map(tree.map((e) => [e.path, e]));
  for (const [path, m] of want) {
    const t = got.get(path);
    if (t === undefined) {
      problems.push(`${path}: in the model (${m.kind}), missing from the tree`);
      continue;
    }
    if (t.kind !== m.kind) problems.push(`${path}: the model has a ${m.kind}, the tree a ${t.kind}`);
    else if (m.kind === 'file' && (t.size !== m.size || t.sha1 !== m.sha1)) problems.push(`${path}: the model has ${m.size} bytes (sha1 ${m.sha1}), the tree ${t.size} (sha1 ${t.sha1})`);
    else if (m.kind === 'symlink' && t.target !== m.target) problems.push(`${path}: the model's target is ${JSON.stringify(m.target)}, the tree's ${JSON.stringify(t.target)}`);
  }
  for (const [path, t] of got) if (!want.has(path)) problems.push(`${path}: in the tree (${t.kind}), not in the model`);
  // Hard links: names sharing a model group share an inode, and only they.
  const inoOfGroup = new Map<number, number>();
  const groupOfIno = new Map<number, number>();
  for (const m of model) {
    const t = got.get(m.path);
    if (t === undefined || m.kind === 'dir') continue;
    const ino = inoOfGroup.get(m.group);
    if (ino === undefined) inoOfGroup.set(m.group, t.group);
    else if (ino !== t.group) problems.push(`${m.path}: a hard link of inode ${ino} in the model, inode ${t.group} in the tree`);
    const g = groupOfIno.get(t.group);
    if (g === undefined) groupOfIno.set(t.group, m.group);
    else if (g !== m.group) problems.push(`${m.path}: inode ${t.group} is shared with a name that the model says is another file`);
  }
  return problems;
}

/** A short account of recovery reports (for messages and the log). */
export function describeReports(reports: readonly object[]): string {
  return reports.map((r) => JSON.stringify(r)).join('\n');
}

/** The victim's progress words (victim.mjs has the same layout). */
export const VICTIM = {
  READY: 0,
  MK: 1,
  RN: 2,
  RM: 3,
  STREAM: 4,
  STEPS: 5,
  WORDS: 8,
} as const;
export const STREAM_CHUNKS = 8;

/** The byte chunk `k` of stream file `c` is filled with (as victim.mjs writes it). */
export function streamFill(c: number, k: number): number {
  return ((c * STREAM_CHUNKS + k) % 251) + 1;
}

/** A small seeded generator (xorshift32), for kill delays a seed can replay. */
export function prng(seed: number): { below(n: number): number } {
  let x = (Math.imul((seed >>> 0) ^ 0x9e3779b9, 0x85ebca6b) >>> 0) || 1;
  const next = (): number => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x;
  };
  for (let i = 0; i < 8; i++) next();
  return { below: (n) => Math.floor((next() / 0x100000000) * n) };
}
