// Worker side of the concurrency tests (test/shared/concurrency/threads.ts is
// the test side): attach to the shared file system, wait at the start
// barrier, run the body, post one message with the result or the error.
//
// workerData: { handle, sync, index, threads, ...the test's own fields }
// sync: Int32Array over a SharedArrayBuffer laid out as in threads.ts:
//   [0] threads at the barrier   [1] go (0 -> 1)   [2] threads finished
//   [3 + i] ops done by thread i (for the report of a hang)

import { parentPort, workerData } from 'node:worker_threads';
import { attach } from '@actorvfs/workers';

export const W = { READY: 0, GO: 1, FINISHED: 2, PROGRESS: 3 };

/**
 * Run `body({ fs, data, index, threads, sync, tick })` in this worker once
 * every thread has attached. `tick()` counts an op (only for hang reports).
 */
export async function runThread(body) {
  const data = workerData;
  const sync = new Int32Array(data.sync);
  const index = data.index;
  let ops = 0;
  const tick = () => {
    ops++;
    if ((ops & 15) === 0) Atomics.store(sync, W.PROGRESS + index, ops);
  };
  try {
    const fs = await attach(data.handle, { uid: 0, gid: 0 });
    // The start barrier: everyone attached, then all go at once.
    Atomics.add(sync, W.READY, 1);
    Atomics.notify(sync, W.READY);
    while (Atomics.load(sync, W.GO) === 0) Atomics.wait(sync, W.GO, 0);
    const result = await body({ fs, data, index, threads: data.threads, sync, tick });
    Atomics.store(sync, W.PROGRESS + index, ops);
    Atomics.add(sync, W.FINISHED, 1);
    Atomics.notify(sync, W.FINISHED);
    parentPort.postMessage({ kind: 'result', value: result });
  } catch (err) {
    Atomics.add(sync, W.FINISHED, 1);
    Atomics.notify(sync, W.FINISHED);
    parentPort.postMessage({ kind: 'error', code: err?.code, message: String(err?.message ?? err), stack: String(err?.stack ?? '') });
  }
}

/** The error code of a failure, or a description of something that is not an fs error. */
export function codeOf(err) {
  if (err && typeof err.code === 'string') return err.code;
  return `thrown: ${String(err?.message ?? err)}`;
}

/**
 * Tally outcomes: `attempt(tally, 'rename', allowed, what, () => ...)` runs
 * the op and counts 'ok' or its error code; codes outside `allowed` are
 * unexpected (see below).
 */
export function tally() {
  return { counts: {}, unexpected: [], kinds: {} };
}

const MAX_LISTED = 12;

/**
 * Note something that should not happen: counted under `kind` (say
 * 'close ENOENT'), and listed in full for the first few.
 */
export function unexpected(t, msg, kind = msg) {
  t.kinds[kind] = (t.kinds[kind] ?? 0) + 1;
  if (t.unexpected.length < MAX_LISTED) t.unexpected.push(msg);
}

export function count(t, op, code) {
  const byOp = (t.counts[op] ??= {});
  byOp[code] = (byOp[code] ?? 0) + 1;
}

export function attempt(t, op, allowed, what, fn) {
  try {
    const v = fn();
    count(t, op, 'ok');
    return { ok: true, value: v };
  } catch (err) {
    return failed(t, op, allowed, what, err);
  }
}

export async function attemptAsync(t, op, allowed, what, fn) {
  try {
    const v = await fn();
    count(t, op, 'ok');
    return { ok: true, value: v };
  } catch (err) {
    return failed(t, op, allowed, what, err);
  }
}

function failed(t, op, allowed, what, err) {
  const code = codeOf(err);
  count(t, op, code);
  // Not an fs error (a TypeError inside the library, say): keep where it came from.
  const detail = err && typeof err.code === 'string' ? String(err.message ?? '') : String(err?.stack ?? '').split('\n').slice(1, 3).map((l) => l.trim()).join(' ');
  if (!allowed.includes(code)) unexpected(t, `${op} ${what}: ${code} ${detail}`, `${op} ${code.replace(/\d+/g, 'N')}${err?.syscall && err.syscall !== op ? ` in ${err.syscall}` : ''}`);
  return { ok: false, code };
}

/** A small seeded generator (xorshift32 over a splitmix-style seed); streams differ per seed. */
export function rng(seed) {
  let x = (Math.imul((seed >>> 0) ^ 0x9e3779b9, 0x85ebca6b) >>> 0) || 1;
  const next = () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x;
  };
  for (let i = 0; i < 8; i++) next();
  return {
    next,
    below: (n) => Math.floor((next() / 0x100000000) * n),
    chance: (p) => next() / 0x100000000 < p,
    pick: (list) => list[Math.floor((next() / 0x100000000) * list.length)],
  };
}

/** FNV-1a over bytes [start, end) of `buf`: a checksum for self-describing contents. */
export function fnv1a(buf, start = 0, end = buf.length) {
  let h = 0x811c9dc5;
  for (let i = start; i < end; i++) {
    h ^= buf[i];
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}
