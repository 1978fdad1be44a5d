/**
 * Node-shaped errors for the fs facade.
 *
 * Two families, as in Node:
 * - argument errors (`ERR_INVALID_ARG_TYPE`, `ERR_OUT_OF_RANGE`, ...): a plain
 *   TypeError/RangeError/Error with an own `code` and Node's wording, whose
 *   stack and `toString()` read `TypeError [ERR_X]: message`;
 * - file-system errors: the kernel's `Errno` turned into a `VfsError`
 *   (`ENOENT: no such file or directory, open '/x'`) by `uvError`, and the
 *   few `SystemError`s Node raises from JavaScript (`ERR_FS_EISDIR`, cp's
 *   `ERR_FS_CP_*`).
 *
 * Every message here was checked against Node 20 on Linux.
 */

import { inspect } from 'node:util';
import { Errno, ERRNO, VfsError, errnoMessage, toVfsError, type ErrnoCode } from '../errno.js';

// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
type AnyFn = Function;

/** An argument error: `code` own and enumerable, `[code]` in the stack header as Node prints it. */
export interface NodeArgError extends Error {
  code: string;
}

function nodeError<E extends Error>(err: E, code: string, fn: AnyFn | undefined): E & NodeArgError {
  const e = err as E & NodeArgError;
  e.code = code;
  // The stack header is fixed when the trace is captured: show `Name [CODE]` there, as Node does.
  const proto = Object.getPrototypeOf(e) as Error;
  Object.defineProperty(e, 'name', { value: `${proto.name} [${code}]`, configurable: true, writable: true, enumerable: false });
  Error.captureStackTrace(e, fn ?? nodeError);
  void e.stack;
  delete (e as { name?: string }).name;
  Object.defineProperty(e, 'toString', {
    value: function toString(this: Error & { code: string }) {
      return `${this.name} [${this.code}]: ${this.message}`;
    },
    configurable: true,
    writable: true,
    enumerable: false,
  });
  return e;
}

/** How Node describes the value it received, after "Received ". */
export function describeReceived(value: unknown): string {
  if (value === null || value === undefined) return ` Received ${String(value)}`;
  if (typeof value === 'function') return ` Received function ${(value as AnyFn).name}`;
  if (typeof value === 'object') {
    const ctor = (value as { constructor?: { name?: unknown } }).constructor;
    if (ctor !== undefined && typeof ctor.name === 'string' && ctor.name !== '') return ` Received an instance of ${ctor.name}`;
    return ` Received ${inspect(value, { depth: -1 })}`;
  }
  let shown: string;
  if (typeof value === 'string') shown = inspect(value.length > 28 ? `${value.slice(0, 25)}...` : value);
  else {
    shown = inspect(value, { colors: false });
    if (shown.length > 28) shown = `${shown.slice(0, 25)}...`;
  }
  return ` Received type ${typeof value} (${shown})`;
}

/**
 * ERR_INVALID_ARG_TYPE as Node's C++ layer raises it (descriptor checks of
 * close, fstat, fsync, fchmod, ...): a plain `TypeError: message` header,
 * bigints without the `n`.
 */
export function errInvalidArgTypeNative(name: string, expected: string, value: unknown): NodeArgError {
  const received = typeof value === 'bigint' ? ` Received type bigint (${String(value)})` : describeReceived(value);
  return errNative('ERR_INVALID_ARG_TYPE', `The "${name}" argument must be ${expected}.${received}`, 'TypeError');
}

export function errOutOfRangeNative(name: string, range: string, value: unknown): NodeArgError {
  return errNative('ERR_OUT_OF_RANGE', `The value of "${name}" is out of range. It must be ${range}. Received ${String(value)}`, 'RangeError');
}

function argOrProperty(name: string): string {
  return name.includes('.') ? 'property' : 'argument';
}

/**
 * ERR_INVALID_ARG_TYPE. `expected` is Node's phrase after "must be ", e.g.
 * `of type string or an instance of Buffer or URL`.
 */
export function errInvalidArgType(name: string, expected: string, value: unknown, fn?: AnyFn): NodeArgError {
  const msg = `The "${name}" ${argOrProperty(name)} must be ${expected}.${describeReceived(value)}`;
  return nodeError(new TypeError(msg), 'ERR_INVALID_ARG_TYPE', fn);
}

/** ERR_INVALID_ARG_VALUE: `The argument 'name' <reason>. Received <inspect>`. */
export function errInvalidArgValue(name: string, value: unknown, reason = 'is invalid', fn?: AnyFn): NodeArgError {
  let shown = inspect(value);
  if (shown.length > 128) shown = `${shown.slice(0, 128)}...`;
  const msg = `The ${argOrProperty(name)} '${name}' ${reason}. Received ${shown}`;
  return nodeError(new TypeError(msg), 'ERR_INVALID_ARG_VALUE', fn);
}

/** Node's number formatting in range errors: 1_000_000 groups past 2^32, bigints with `n`. */
function formatReceivedNumber(value: unknown): string {
  if (typeof value === 'number') {
    if (Number.isInteger(value) && Math.abs(value) > 2 ** 32) return groupDigits(String(value));
    return inspect(value);
  }
  if (typeof value === 'bigint') {
    const s = String(value);
    return `${value > 2n ** 32n || value < -(2n ** 32n) ? groupDigits(s) : s}n`;
  }
  return inspect(value);
}

function groupDigits(s: string): string {
  const neg = s.startsWith('-');
  const digits = neg ? s.slice(1) : s;
  let out = '';
  let i = digits.length;
  for (; i > 3; i -= 3) out = `_${digits.slice(i - 3, i)}${out}`;
  return `${neg ? '-' : ''}${digits.slice(0, i)}${out}`;
}

/** ERR_OUT_OF_RANGE: `The value of "name" is out of range. It must be <range>. Received <value>`. */
export function errOutOfRange(name: string, range: string, value: unknown, fn?: AnyFn): NodeArgError {
  const msg = `The value of "${name}" is out of range. It must be ${range}. Received ${formatReceivedNumber(value)}`;
  return nodeError(new RangeError(msg), 'ERR_OUT_OF_RANGE', fn);
}

/** An error with a fixed message and code (ERR_DIR_CLOSED, ERR_INVALID_URL_SCHEME, ...). */
export function errCode(code: string, message: string, kind: 'Error' | 'TypeError' | 'RangeError' = 'Error', fn?: AnyFn): NodeArgError {
  const base = kind === 'TypeError' ? new TypeError(message) : kind === 'RangeError' ? new RangeError(message) : new Error(message);
  return nodeError(base, code, fn);
}

/**
 * The few argument errors Node raises from C++ (access and copyFile modes):
 * a `code`, but a plain `TypeError: message` header.
 */
export function errNative(code: string, message: string, kind: 'TypeError' | 'RangeError'): NodeArgError {
  const e = (kind === 'TypeError' ? new TypeError(message) : new RangeError(message)) as NodeArgError;
  e.code = code;
  return e;
}

export function errDirClosed(fn?: AnyFn): NodeArgError {
  return errCode('ERR_DIR_CLOSED', 'Directory handle was closed', 'Error', fn);
}

export function errDirConcurrent(fn?: AnyFn): NodeArgError {
  return errCode(
    'ERR_DIR_CONCURRENT_OPERATION',
    'Cannot do synchronous work on directory handle with concurrent asynchronous operations',
    'Error',
    fn,
  );
}

/** What a SystemError carries in `info`, as Node's. */
export interface SystemErrorInfo {
  code: string;
  message: string;
  path?: string;
  dest?: string;
  syscall: string;
  errno: number;
}

/**
 * Node's SystemError, raised from JavaScript (rm of a directory, cp). The
 * message is `<prefix>: <syscall> returned <CODE> (<text>) <path>[ => <dest>]`;
 * `errno`, `syscall`, `path`, `dest` read through to `info`.
 */
export class SystemError extends Error {
  declare code: string;
  declare readonly info: SystemErrorInfo;
  declare errno: number;
  declare syscall: string;
  declare path: string;
  declare dest: string;

  constructor(code: string, prefix: string, info: SystemErrorInfo, fn?: AnyFn) {
    let msg = `${prefix}: ${info.syscall} returned ${info.code} (${info.message})`;
    if (info.path !== undefined) msg += ` ${info.path}`;
    if (info.dest !== undefined) msg += ` => ${info.dest}`;
    super(msg);
    Object.defineProperty(this, 'code', { value: code, enumerable: true, writable: true, configurable: true });
    Object.defineProperty(this, 'info', { value: info, enumerable: true, writable: false, configurable: true });
    const fields: (keyof SystemErrorInfo)[] = ['errno', 'syscall'];
    if (info.path !== undefined) fields.push('path');
    if (info.dest !== undefined) fields.push('dest');
    for (const key of fields) {
      Object.defineProperty(this, key, {
        get: () => info[key],
        set: (v: never) => {
          info[key] = v;
        },
        enumerable: true,
        configurable: true,
      });
    }
    Object.defineProperty(this, 'name', { value: `SystemError [${code}]`, configurable: true, writable: true });
    Error.captureStackTrace(this, fn ?? SystemError);
    void this.stack;
    Object.defineProperty(this, 'name', { value: 'SystemError', configurable: true, writable: true, enumerable: false });
  }

  override toString(): string {
    return `${this.name} [${this.code}]: ${this.message}`;
  }
}

/** `rm` of a directory without `recursive`: Node's ERR_FS_EISDIR. */
export function errFsEisdir(path: string, fn?: AnyFn): SystemError {
  return new SystemError(
    'ERR_FS_EISDIR',
    'Path is a directory',
    { code: 'EISDIR', message: 'is a directory', path, syscall: 'rm', errno: ERRNO.EISDIR },
    fn,
  );
}

/**
 * cp's SystemErrors: `Invalid src or dest: cp returned EINVAL (...) path`,
 * etc. `errnoOf` is the code whose number goes in `errno` (Node reports a
 * directory copied without `recursive` as code EISDIR, errno EINVAL).
 */
export function errCp(code: string, prefix: string, errCodeName: ErrnoCode, message: string, path: string, errnoOf: ErrnoCode = errCodeName): SystemError {
  const info = { message, path, syscall: 'cp', errno: ERRNO[errnoOf], code: errCodeName } as SystemErrorInfo;
  return new SystemError(code, prefix, info);
}

/**
 * Turn whatever a primitive threw into what the caller sees: a kernel
 * `Errno` becomes a `VfsError` naming `syscall`, `path` and `dest`; the
 * stack then starts at the caller of `fn` (the public function). Anything
 * else passes through.
 */
export function uvError(e: unknown, syscall: string, path: string | undefined, dest: string | undefined, fn: AnyFn): unknown {
  const err = e instanceof Errno ? toVfsError(e, syscall, path, dest) : e;
  if (err instanceof VfsError && fn !== undefined) Error.captureStackTrace(err, fn);
  return err;
}

/** A VfsError made by the facade itself (a check Node does in JavaScript). */
export function vfsError(code: ErrnoCode, syscall: string, path?: string, dest?: string): VfsError {
  return new VfsError(code, syscall, path, dest);
}

/** The code of a kernel or facade error, if it has one. */
export function codeOf(e: unknown): string | undefined {
  if (e instanceof Errno) return e.code;
  if (e instanceof VfsError) return e.code;
  if (e !== null && typeof e === 'object' && typeof (e as { code?: unknown }).code === 'string') return (e as { code: string }).code;
  return undefined;
}

/** Node's AbortError: name 'AbortError', code 'ABORT_ERR'. */
export function abortError(signal: AbortSignal | undefined): Error {
  const err = new Error('The operation was aborted', { cause: signal?.reason }) as Error & { code: string };
  err.code = 'ABORT_ERR';
  err.name = 'AbortError';
  return err;
}

/** Throw Node's AbortError if `signal` has fired. */
export function checkAborted(signal: AbortSignal | undefined): void {
  if (signal !== undefined && signal.aborted) throw abortError(signal);
}

export { errnoMessage };
