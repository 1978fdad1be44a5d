/**
 * Argument validation with Node 20's rules and messages.
 *
 * Each validator returns the normalised value or throws the error Node
 * throws for the same input. The common case (a string path, a small integer
 * fd) is checked first and returns without allocating.
 */

import { Buffer } from 'node:buffer';
import {
  errCode,
  errInvalidArgType,
  errInvalidArgTypeNative,
  errInvalidArgValue,
  errNative,
  errOutOfRange,
  errOutOfRangeNative,
} from './errors.js';

const PATH_TYPES = 'of type string or an instance of Buffer or URL';
const NUL_REASON = 'must be a string, Uint8Array, or URL without null bytes';
const MAX_SAFE = Number.MAX_SAFE_INTEGER;
const MIN_SAFE = Number.MIN_SAFE_INTEGER;

/** A value Node treats as a URL object (its `isURL` duck test). */
export interface UrlLike {
  href: string;
  protocol: string;
  hostname: string;
  pathname: string;
}

export function isUrl(value: unknown): value is UrlLike {
  if (value === null || typeof value !== 'object') return false;
  const v = value as Record<string, unknown>;
  return Boolean(v['href']) && Boolean(v['protocol']) && v['auth'] === undefined && v['path'] === undefined;
}

/** fileURLToPath with Node's POSIX errors. */
export function fileUrlToPath(url: UrlLike): string {
  if (url.protocol !== 'file:') throw errCode('ERR_INVALID_URL_SCHEME', 'The URL must be of scheme file', 'TypeError');
  if (url.hostname !== '') throw errCode('ERR_INVALID_FILE_URL_HOST', 'File URL host must be "localhost" or empty on linux', 'TypeError');
  const pathname = url.pathname;
  for (let i = pathname.indexOf('%'); i !== -1 && i < pathname.length - 2; i = pathname.indexOf('%', i + 1)) {
    if (pathname[i + 1] === '2' && (pathname[i + 2] === 'f' || pathname[i + 2] === 'F')) {
      throw errCode('ERR_INVALID_FILE_URL_PATH', 'File URL path must not include encoded / characters', 'TypeError');
    }
  }
  return decodeURIComponent(pathname);
}

/**
 * A path argument as the string the kernel takes: strings as they are,
 * Buffers and Uint8Arrays decoded as UTF-8, `file:` URLs converted. NUL bytes
 * are refused (ERR_INVALID_ARG_VALUE), anything else is ERR_INVALID_ARG_TYPE.
 */
export function getPath(value: unknown, name: string): string {
  if (typeof value === 'string') {
    if (value.indexOf('\u0000') === -1) return value;
    throw errInvalidArgValue(name, value, NUL_REASON);
  }
  return getPathSlow(value, name);
}

function getPathSlow(value: unknown, name: string): string {
  if (value instanceof Uint8Array) {
    if (value.indexOf(0) !== -1) throw errInvalidArgValue(name, value, NUL_REASON);
    return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('utf8');
  }
  if (isUrl(value)) {
    const p = fileUrlToPath(value);
    if (p.indexOf('\u0000') !== -1) throw errInvalidArgValue(name, p, NUL_REASON);
    return p;
  }
  throw errInvalidArgType(name, PATH_TYPES, value);
}

/** validateInteger: a safe integer in [min, max]. */
export function validateInteger(value: unknown, name: string, min = MIN_SAFE, max = MAX_SAFE): number {
  if (typeof value !== 'number') throw errInvalidArgType(name, 'of type number', value);
  if (!Number.isInteger(value)) throw errOutOfRange(name, 'an integer', value);
  if (value < min || value > max) throw errOutOfRange(name, `>= ${min} && <= ${max}`, value);
  return value;
}

/** validateInt32 (Node checks integer-ness before the range). */
export function validateInt32(value: unknown, name: string, min = -2147483648, max = 2147483647): number {
  if (typeof value !== 'number') throw errInvalidArgType(name, 'of type number', value);
  if (!Number.isInteger(value)) throw errOutOfRange(name, 'an integer', value);
  if (value < min || value > max) throw errOutOfRange(name, `>= ${min} && <= ${max}`, value);
  return value;
}

export function validateUint32(value: unknown, name: string, positive = false): number {
  if (typeof value !== 'number') throw errInvalidArgType(name, 'of type number', value);
  if (!Number.isInteger(value)) throw errOutOfRange(name, 'an integer', value);
  const min = positive ? 1 : 0;
  if (value < min || value > 4294967295) throw errOutOfRange(name, `>= ${min} && <= 4294967295`, value);
  return value;
}

/** A descriptor: an int32 >= 0 (read, write, readv, writev: checked in JavaScript by Node). */
export function getFd(value: unknown): number {
  if (typeof value === 'number' && (value | 0) === value && value >= 0) return value;
  return validateInt32(value, 'fd', 0);
}

/** A descriptor checked the way Node's C++ layer does (close, fstat, fsync, fchmod, fchown, futimes, ftruncate). */
export function getFdNative(value: unknown): number {
  if (typeof value === 'number' && (value | 0) === value && value >= 0) return value;
  if (typeof value !== 'number') throw errInvalidArgTypeNative('fd', 'of type number', value);
  if (!Number.isInteger(value)) throw errOutOfRangeNative('fd', 'an integer', value);
  throw errOutOfRangeNative('fd', '>= 0 && <= 2147483647', value);
}

export function validateBoolean(value: unknown, name: string): boolean {
  if (typeof value !== 'boolean') throw errInvalidArgType(name, 'of type boolean', value);
  return value;
}

export function validateFunction<F>(value: unknown, name: string): F {
  if (typeof value !== 'function') throw errInvalidArgType(name, 'of type function', value);
  return value as F;
}

/** validateObject: a non-null, non-array object (or null when `nullable`). */
export function validateObject(value: unknown, name: string, nullable = false): void {
  if (nullable && value == null) return;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw errInvalidArgType(name, 'of type object', value);
}

export function validateAbortSignal(value: unknown, name: string): AbortSignal | undefined {
  if (value === undefined) return undefined;
  if (value === null || typeof value !== 'object' || !('aborted' in value)) {
    throw errInvalidArgType(name, 'an instance of AbortSignal', value);
  }
  return value as AbortSignal;
}

/** Encodings an option may name: Buffer's, plus 'buffer' for Buffer results. */
export type Encoding = BufferEncoding | 'buffer';

export function validateEncoding(value: unknown): Encoding | undefined {
  if (value === undefined || value === null || value === 'utf8') return value === 'utf8' ? 'utf8' : undefined;
  if (value === 'buffer' || (typeof value === 'string' && Buffer.isEncoding(value))) return value as Encoding;
  if (value === '' || value === false || value === 0) return undefined;
  throw errInvalidArgValue('encoding', value, 'is invalid encoding');
}

/** Options given as an encoding string or an object (Node's getOptions). */
export interface BaseOptions {
  encoding?: Encoding | null | undefined;
  signal?: AbortSignal | undefined;
  [key: string]: unknown;
}

const EMPTY: BaseOptions = Object.freeze({}) as BaseOptions;

export function getOptions(options: unknown): BaseOptions {
  if (options == null || typeof options === 'function') return EMPTY;
  if (typeof options === 'string') return { encoding: validateEncoding(options) };
  if (typeof options !== 'object') throw errInvalidArgType('options', 'one of type string or object', options);
  const o = options as BaseOptions;
  if (o.encoding !== undefined) validateEncoding(o.encoding);
  if (o.signal !== undefined) validateAbortSignal(o.signal, 'options.signal');
  return o;
}

/** The encoding named by options (after getOptions). */
export function optEncoding(o: BaseOptions): Encoding | undefined {
  const e = o.encoding;
  return e == null ? undefined : validateEncoding(e);
}

/** Read a boolean option if present (Node validates the type). */
export function optBoolean(o: object, key: string, def: boolean): boolean {
  const v = (o as Record<string, unknown>)[key];
  if (v === undefined) return def;
  return validateBoolean(v, `options.${key}`);
}

/** Encode a name the kernel gave as the caller asked: a string, or a Buffer for 'buffer'. */
export function encodeName(name: string, encoding: Encoding | undefined): string | Buffer {
  if (encoding === undefined || encoding === 'utf8' || encoding === 'utf-8') return name;
  const buf = Buffer.from(name, 'utf8');
  return encoding === 'buffer' ? buf : buf.toString(encoding);
}

/**
 * A mode argument: a number or an octal string, validated as a uint32
 * (Node's parseFileMode). `def` applies to undefined and null.
 */
export function parseMode(value: unknown, name: string, def?: number): number {
  if (typeof value === 'number' && (value >>> 0) === value) return value;
  let v = value ?? def;
  if (typeof v === 'string') {
    if (!/^[0-7]+$/.test(v)) throw errInvalidArgValue(name, v, 'must be a 32-bit unsigned integer or an octal string');
    v = parseInt(v, 8);
  }
  return validateUint32(v, name);
}

/** access()/copyFile() modes: checked in C++ by Node, hence the different wording. */
export function getAccessMode(value: unknown, max: number, def: number): number {
  if (value == null) return def;
  if (typeof value !== 'number') throw errNative('ERR_INVALID_ARG_TYPE', 'mode must be int32 or null/undefined', 'TypeError');
  const m = value | 0;
  if (m < 0 || m > max) throw errNative('ERR_OUT_OF_RANGE', `mode is out of range: >= 0 && <= ${max}`, 'RangeError');
  return m;
}

/** A uid or gid: -1 (keep) to 2^32 - 1. */
export function getId(value: unknown, name: string): number {
  if (typeof value === 'number' && Number.isInteger(value) && value >= -1 && value <= 4294967295) return value;
  return validateInteger(value, name, -1, 4294967295);
}

/** A buffer argument for read-like calls. */
export function validateBuffer(value: unknown, name = 'buffer'): ArrayBufferView {
  if (!ArrayBuffer.isView(value)) throw errInvalidArgType(name, 'an instance of Buffer, TypedArray, or DataView', value);
  return value;
}

/** A view as bytes (TypedArrays of any element size and DataViews). */
export function asBytes(view: ArrayBufferView): Uint8Array {
  return view instanceof Uint8Array ? view : new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
}

/** Data for writeFile/appendFile: a string or a view. */
export function getData(value: unknown, encoding: BufferEncoding | undefined): Uint8Array {
  if (typeof value === 'string') return Buffer.from(value, encoding ?? 'utf8');
  if (ArrayBuffer.isView(value)) return asBytes(value);
  throw errInvalidArgType('data', 'of type string or an instance of Buffer, TypedArray, or DataView', value);
}

/** A read position: null/undefined/-1 for the file offset, else a safe integer (or an int64 bigint). */
export function getPosition(value: unknown, name = 'position'): number {
  if (value == null) return -1;
  if (typeof value === 'number') {
    if (Number.isInteger(value) && value >= -1 && value <= MAX_SAFE) return value;
    return validateInteger(value, name, -1);
  }
  if (typeof value === 'bigint') {
    if (value < -(2n ** 63n) || value > 2n ** 63n - 1n) {
      throw errOutOfRange(name, '>= -9223372036854775808 && <= 9223372036854775807', value);
    }
    if (value > BigInt(MAX_SAFE)) throw errOutOfRange(name, `>= -1 && <= ${MAX_SAFE}`, value);
    return value < -1n ? -1 : Number(value);
  }
  throw errInvalidArgType(name, 'of type bigint or integer', value);
}

/** Node's write position rule: anything but a non-negative safe integer means "the file offset". */
export function getWritePosition(value: unknown): number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 ? value : -1;
}

/** validateOffsetLengthRead. */
export function checkReadRange(offset: number, length: number, bufferLength: number): void {
  if (offset < 0) throw errOutOfRange('offset', '>= 0', offset);
  if (length < 0) throw errOutOfRange('length', '>= 0', length);
  if (offset + length > bufferLength) throw errOutOfRange('length', `<= ${bufferLength - offset}`, length);
}

/** validateOffsetLengthWrite. */
export function checkWriteRange(offset: number, length: number, byteLength: number): void {
  if (offset > byteLength) throw errOutOfRange('offset', `<= ${byteLength}`, offset);
  if (length > byteLength - offset) throw errOutOfRange('length', `<= ${byteLength - offset}`, length);
  if (length < 0) throw errOutOfRange('length', '>= 0', length);
  validateInt32(length, 'length', 0);
}

/** An array of views (readv/writev). */
export function getBuffers(value: unknown): Uint8Array[] {
  if (Array.isArray(value)) {
    let ok = true;
    for (const b of value) if (!ArrayBuffer.isView(b)) ok = false;
    if (ok) return (value as ArrayBufferView[]).map(asBytes);
  }
  throw errInvalidArgType('buffers', 'an ArrayBufferView[]', value);
}

/**
 * A time for utimes: a Date, seconds as a finite number (negative = now) or
 * a numeric string, returned in seconds (Node's toUnixTimestamp).
 */
export function toUnixTimestamp(value: unknown, name: string): number {
  if (typeof value === 'string' && Number(value) == (value as unknown as number)) return Number(value);
  if (typeof value === 'number' && Number.isFinite(value)) return value < 0 ? Date.now() / 1000 : value;
  if (value instanceof Date) return value.getTime() / 1000;
  throw errInvalidArgType(name, 'an instance of Date or an Time in seconds', value);
}

/**
 * Seconds as (sec, nsec) the way libuv converts them: whole seconds toward
 * zero, the fraction truncated to microseconds, then normalised so nsec >= 0.
 */
export function splitTime(seconds: number, out: Float64Array, at: number): void {
  let sec = Math.trunc(seconds);
  let nsec = Math.trunc((seconds - sec) * 1e9);
  nsec -= nsec % 1000;
  if (nsec < 0) {
    nsec += 1e9;
    sec -= 1;
  }
  out[at] = sec;
  out[at + 1] = nsec;
}

/** The callback argument of a callback-style function (Node's makeCallback). */
export function getCallback<F>(value: unknown): F {
  if (typeof value !== 'function') throw errInvalidArgType('cb', 'of type function', value);
  return value as F;
}

/** ftruncate's len: a safe integer (the caller maps negatives to 0). */
export function getLen(len: unknown): number {
  if (typeof len === 'number' && Number.isSafeInteger(len)) return len;
  return validateInteger(len, 'len');
}
