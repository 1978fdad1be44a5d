/**
 * Argument rules of fs.read/readSync and fs.write/writeSync, shared by the
 * sync and callback forms. Node's rules are positional and quirky (an
 * object or null third argument means "options"; a string is written with
 * (position, encoding)); they are written once here.
 *
 * Results go into a reusable `IoArgs` so readSync/writeSync allocate nothing.
 */

import { Buffer } from 'node:buffer';
import { errInvalidArgType, errInvalidArgValue } from './errors.js';
import { asBytes, checkReadRange, checkWriteRange, getPosition, getWritePosition, validateBuffer, validateInteger, validateObject } from './validate.js';

export interface IoArgs {
  bytes: Uint8Array;
  offset: number;
  length: number;
  position: number;
}

export function newIoArgs(): IoArgs {
  return { bytes: new Uint8Array(0), offset: 0, length: 0, position: -1 };
}

interface OffsetOptions {
  offset?: unknown;
  length?: unknown;
  position?: unknown;
}

/**
 * readSync / fs.read after the buffer: fills `out`; `out.length` 0 means
 * "return 0 without reading". `argc` is the number of arguments the caller
 * got (Node treats <= 3 as the options form; readSync also any object or
 * null third argument). readSync refuses a null offset, fs.read takes it
 * as 0.
 */
export function readArgs(
  out: IoArgs,
  buffer: unknown,
  offsetOrOptions: unknown,
  length: unknown,
  position: unknown,
  argc: number,
  nullOffsetIsZero: boolean,
  objectMeansOptions: boolean,
): IoArgs {
  const view = validateBuffer(buffer);
  let offset = offsetOrOptions;
  if (argc <= 3 || (objectMeansOptions && typeof offsetOrOptions === 'object')) {
    if (offsetOrOptions !== undefined) validateObject(offsetOrOptions, 'options', true);
    const o = (offsetOrOptions ?? {}) as OffsetOptions;
    offset = o.offset === undefined ? 0 : o.offset;
    length = o.length === undefined ? view.byteLength - (offset as number) : o.length;
    position = o.position === undefined ? null : o.position;
  }
  const off = offset === undefined || (nullOffsetIsZero && offset === null) ? 0 : validateInteger(offset, 'offset', 0);
  const len = (length as number) | 0;
  out.bytes = asBytes(view);
  out.offset = off;
  out.length = len;
  out.position = -1;
  if (len === 0) return out;
  if (view.byteLength === 0) throw errInvalidArgValue('buffer', buffer, 'is empty and cannot be written');
  checkReadRange(off, len, view.byteLength);
  out.position = getPosition(position);
  return out;
}

/**
 * writeSync / fs.write: a view with (offset, length, position) or an
 * options object, or a string with (position, encoding).
 */
export function writeArgs(out: IoArgs, buffer: unknown, offsetOrOptions: unknown, length: unknown, position: unknown): IoArgs {
  if (ArrayBuffer.isView(buffer)) {
    let offset = offsetOrOptions;
    if (typeof offset === 'object') {
      const o = (offsetOrOptions ?? {}) as OffsetOptions;
      offset = o.offset === undefined ? 0 : o.offset;
      length = o.length === undefined ? buffer.byteLength - (offset as number) : o.length;
      position = o.position === undefined ? null : o.position;
    }
    const off = offset == null ? 0 : validateInteger(offset, 'offset', 0);
    const len = typeof length === 'number' ? length : buffer.byteLength - off;
    checkWriteRange(off, len, buffer.byteLength);
    out.bytes = asBytes(buffer);
    out.offset = off;
    out.length = len;
    out.position = getWritePosition(position);
    return out;
  }
  const bytes = stringBytes(buffer, length);
  out.bytes = bytes;
  out.offset = 0;
  out.length = bytes.length;
  out.position = getWritePosition(offsetOrOptions);
  return out;
}

/**
 * The bytes of a string argument of write: unknown encodings fall back to
 * UTF-8 (Node's binding does), odd-length hex is refused.
 */
export function stringBytes(data: unknown, encoding: unknown): Buffer {
  if (typeof data !== 'string') {
    throw errInvalidArgType('buffer', 'of type string or an instance of Buffer, TypedArray, or DataView', data);
  }
  if (encoding === 'hex' && data.length % 2 !== 0) {
    throw errInvalidArgValue('encoding', encoding, `is invalid for data of length ${data.length}`);
  }
  const enc = typeof encoding === 'string' && Buffer.isEncoding(encoding) ? encoding : 'utf8';
  return Buffer.from(data, enc);
}
