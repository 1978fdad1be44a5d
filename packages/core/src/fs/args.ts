/**
 * Option parsing shared by the sync, promise and callback forms, so each
 * rule is written once. Parsers return small plain objects; the sync hot
 * paths check for `undefined` options first and skip them.
 */

import { S_IFIFO } from '../constants.js';
import { errCode, errInvalidArgType } from './errors.js';
import { FLAGS_A, FLAGS_W, toFlags } from './flags.js';
import {
  getOptions,
  optBoolean,
  optEncoding,
  parseMode,
  splitTime,
  toUnixTimestamp,
  validateBoolean,
  validateInteger,
  validateObject,
  type Encoding,
} from './validate.js';

/** mkdir's options: a mode (number or octal string) or { recursive, mode }. */
export interface MkdirArgs {
  mode: number;
  recursive: boolean;
}

export function mkdirArgs(options: unknown): MkdirArgs {
  let mode = 0o777;
  let recursive = false;
  if (typeof options === 'number' || typeof options === 'string') {
    mode = parseMode(options, 'mode');
  } else if (options) {
    const o = options as Record<string, unknown>;
    if (o['recursive'] !== undefined) recursive = validateBoolean(o['recursive'], 'options.recursive');
    if (o['mode'] !== undefined) mode = parseMode(o['mode'], 'mode');
  }
  return { mode: mode & 0o7777, recursive };
}

export interface ReaddirArgs {
  encoding: Encoding | undefined;
  withFileTypes: boolean;
  recursive: boolean;
}

export function readdirArgs(options: unknown): ReaddirArgs {
  const o = getOptions(options);
  const recursive = o['recursive'] === undefined ? false : validateBoolean(o['recursive'], 'options.recursive');
  return { encoding: optEncoding(o), withFileTypes: Boolean(o['withFileTypes']), recursive };
}

/** Options that only carry an encoding (readlink, realpath, mkdtemp). */
export function encodingArg(options: unknown): Encoding | undefined {
  if (options === undefined) return undefined;
  return optEncoding(getOptions(options));
}

export function bigintArg(options: unknown): boolean {
  return options !== null && typeof options === 'object' && (options as { bigint?: unknown }).bigint === true;
}

export interface ReadFileArgs {
  encoding: Encoding | undefined;
  flags: number;
  signal: AbortSignal | undefined;
}

export function readFileArgs(options: unknown): ReadFileArgs {
  const o = getOptions(options);
  return { encoding: optEncoding(o), flags: toFlags(o['flag'], 0), signal: o.signal };
}

export interface WriteFileArgs {
  encoding: BufferEncoding | undefined;
  flags: number;
  mode: number;
  flush: boolean;
  signal: AbortSignal | undefined;
}

/** writeFile/appendFile options (appendFile defaults the flag to 'a'). */
export function writeFileArgs(options: unknown, append: boolean): WriteFileArgs {
  const o = getOptions(options);
  const enc = optEncoding(o);
  const flush = o['flush'] === undefined || o['flush'] === null ? false : validateBoolean(o['flush'], 'options.flush');
  return {
    encoding: enc === 'buffer' ? undefined : enc,
    flags: toFlags(o['flag'], append ? FLAGS_A : FLAGS_W),
    mode: parseMode(o['mode'], 'mode', 0o666) & 0o7777,
    flush,
    signal: o.signal,
  };
}

/** symlink's `type`: null/undefined or 'dir' | 'file' | 'junction' (ignored on POSIX); non-strings pass. */
export function checkSymlinkType(type: unknown): void {
  if (typeof type === 'string' && type !== 'dir' && type !== 'file' && type !== 'junction') {
    throw errCode('ERR_FS_INVALID_SYMLINK_TYPE', `Symlink type must be one of "dir", "file", or "junction". Received "${type}"`);
  }
}

/** utimes times into `out` as [atime sec, nsec, mtime sec, nsec]. */
export function timesArg(atime: unknown, mtime: unknown, out: Float64Array, atimeName = 'time', mtimeName = 'time'): Float64Array {
  splitTime(toUnixTimestamp(atime, atimeName), out, 0);
  splitTime(toUnixTimestamp(mtime, mtimeName), out, 2);
  return out;
}

/** mkfifo's type and mode as mknod takes them. */
export function fifoMode(mode: unknown): number {
  return S_IFIFO | (parseMode(mode, 'mode', 0o666) & 0o7777);
}

/** mknod's mode (type bits included) and device number. */
export function mknodArgs(mode: unknown, dev: unknown): [number, number] {
  const m = parseMode(mode, 'mode', 0o100666);
  const d = dev === undefined ? 0 : validateInteger(dev, 'dev', 0);
  return [m, d];
}

/** chflags' flags: a uint32. */
export function chflagsArg(flags: unknown): number {
  return validateInteger(flags, 'flags', 0, 4294967295);
}

/** opendir's options. */
export function opendirArgs(options: unknown): { encoding: Encoding | undefined; bufferSize: number; recursive: boolean } {
  const o = getOptions(options);
  let bufferSize = 32;
  if (o['bufferSize'] !== undefined) {
    const b = o['bufferSize'];
    if (typeof b !== 'number') throw errInvalidArgType('options.bufferSize', 'of type number', b);
    bufferSize = validateInteger(b, 'options.bufferSize', 1, 4294967295);
  }
  return { encoding: optEncoding(o), bufferSize, recursive: optBoolean(o, 'recursive', false) };
}

/** rmdir's options object (only `recursive`, `maxRetries`, `retryDelay` matter). */
export function rmdirOptionsGiven(options: unknown): boolean {
  if (options === undefined) return false;
  validateObject(options, 'options');
  return true;
}
