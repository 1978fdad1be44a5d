/**
 * What every part of the facade shares for one fs object: the Sys it acts
 * through and one reusable StatBuf, plus the small drivers that turn a
 * primitive into the sync, promise and callback forms.
 *
 * The StatBuf rule: read it right after the call that filled it, never
 * across a yield or an await.
 */

import { newStatBuf, type StatBuf, type Sys } from '../vfs/sys.js';
import { newWait, resumeAsync, waitFor, type Op, type Wait } from '../vfs/wait.js';
import { errInvalidArgType, uvError } from './errors.js';

export interface Ctx {
  readonly sys: Sys;
  /** Scratch StatBuf for calls that build a Stats (or read one field) at once. */
  readonly st: StatBuf;
}

export function newCtx(sys: Sys): Ctx {
  return { sys, st: newStatBuf() };
}

/**
 * Run an Op without blocking; kernel errors become Node errors naming
 * syscall and paths. Pass a kernel call as a thunk (`() => sys.mkdir(...)`)
 * so that an error raised while the call builds its Op is mapped too.
 */
export function drive<T>(op: Op<T> | (() => Op<T>), syscall: string, path?: string, dest?: string): Promise<T> {
  // Run synchronously up to the first wait: most operations never wait, and
  // then the promise costs no more than Promise.resolve.
  let gen: Op<T>;
  let r: IteratorResult<Wait, T>;
  try {
    gen = typeof op === 'function' ? op() : op;
    r = gen.next();
  } catch (e) {
    return Promise.reject(uvError(e, syscall, path, dest, drive));
  }
  if (r.done === true) return Promise.resolve(r.value);
  return resumeAsync(gen, r.value).catch((e: unknown) => {
    throw uvError(e, syscall, path, dest, drive);
  });
}

/**
 * drive() for an operation that fills a StatBuf, then `finish` turns it into
 * the result. Runs synchronously (with the shared StatBuf) up to the first
 * wait; an operation that does wait gets a private StatBuf, since other
 * operations may use the shared one before it finishes.
 */
export function driveStat<T>(c: Ctx, start: (out: StatBuf) => Op<void>, finish: (st: StatBuf) => T, syscall: string, path?: string): Promise<T> {
  let op: Op<void>;
  let r: IteratorResult<Wait, void>;
  try {
    op = start(c.st);
    r = op.next();
  } catch (e) {
    return Promise.reject(uvError(e, syscall, path, undefined, driveStat));
  }
  if (r.done === true) return Promise.resolve(finish(c.st));
  // Already started with the shared buffer: finish it, then redo privately.
  const own = newStatBuf();
  return resumeAsync(op, r.value)
    .then(() => runToEnd(start(own)))
    .then(
      () => finish(own),
      (e: unknown) => {
        throw uvError(e, syscall, path, undefined, driveStat);
      },
    );
}

function runToEnd(op: Op<void>): Promise<void> {
  const r = op.next();
  return r.done === true ? Promise.resolve() : resumeAsync(op, r.value);
}

/**
 * Deliver a promise to a Node-style callback: `cb(err)` or `cb(null[, value])`,
 * called with `this` undefined. An exception thrown by the callback is
 * rethrown from a fresh tick (an uncaught exception, as in Node), not turned
 * into a rejection.
 */
export function settle<T>(p: Promise<T>, cb: (...args: unknown[]) => void): void {
  p.then(
    (v) => {
      try {
        if (v === undefined) cb(null);
        else cb(null, v);
      } catch (e) {
        process.nextTick(rethrow, e);
      }
    },
    (e: unknown) => {
      try {
        cb(e);
      } catch (e2) {
        process.nextTick(rethrow, e2);
      }
    },
  );
}

function rethrow(e: unknown): never {
  throw e;
}

/** Wrap a validate-then-promise function so a validation error rejects instead of throwing. */
export function rejecting<A extends unknown[], R>(fn: (...args: A) => Promise<R>): (...args: A) => Promise<R> {
  const wrapped = function (this: unknown, ...args: A): Promise<R> {
    try {
      return fn(...args);
    } catch (e) {
      return Promise.reject(e);
    }
  };
  Object.defineProperty(wrapped, 'name', { value: fn.name });
  return wrapped;
}

/**
 * The callback form of a validate-then-promise function: the last argument
 * is the callback; a missing one is Node's ERR_INVALID_ARG_TYPE for "cb",
 * reporting what sat at the callback's position (`arity`). Validation errors
 * throw synchronously, as in Node.
 */
export function callbackify<R>(fn: (...args: never[]) => Promise<R>, arity: number): (...args: unknown[]) => void {
  const f = fn as unknown as (...args: unknown[]) => Promise<R>;
  const wrapped = function (...args: unknown[]): void {
    const cb = args[args.length - 1];
    if (typeof cb !== 'function') throw errInvalidArgType('cb', 'of type function', args[arity - 1]);
    args.length--;
    settle(f(...args), cb as (...a: unknown[]) => void);
  };
  Object.defineProperty(wrapped, 'name', { value: fn.name });
  return wrapped;
}

/**
 * Wait for a promise inside an Op (async drivers only: a sync driver would
 * block the event loop that settles it). The promise notifies a private word
 * when it settles, which wakes runAsync's waitAsync.
 */
export function* awaitOp<T>(p: PromiseLike<T>): Op<T> {
  const w = newWait();
  let settled = false;
  let failed = false;
  let value: T | undefined;
  let error: unknown;
  p.then(
    (v) => {
      value = v;
      settled = true;
      Atomics.store(w.word, 0, 1);
      Atomics.notify(w.word, 0);
    },
    (e: unknown) => {
      error = e;
      failed = true;
      settled = true;
      Atomics.store(w.word, 0, 1);
      Atomics.notify(w.word, 0);
    },
  );
  while (!settled) yield waitFor(w, w.word, 0, 0, false);
  if (failed) throw error;
  return value as T;
}
