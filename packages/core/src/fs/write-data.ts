/**
 * The `data` of promise-API writeFile/appendFile: a string, a view, or (as
 * in Node's fs.promises) any sync or async iterable of strings and views,
 * such as a Readable stream.
 */

import { Buffer } from 'node:buffer';
import { errInvalidArgType } from './errors.js';
import { asBytes } from './validate.js';

export type WriteFileData =
  | string
  | ArrayBufferView
  | Iterable<string | ArrayBufferView>
  | AsyncIterable<string | ArrayBufferView>;

const DATA_TYPES = 'of type string or an instance of Buffer, TypedArray, or DataView';

function isIterable(value: unknown): value is Iterable<unknown> | AsyncIterable<unknown> {
  return (
    value !== null &&
    typeof value === 'object' &&
    (typeof (value as Record<symbol, unknown>)[Symbol.iterator] === 'function' ||
      typeof (value as Record<symbol, unknown>)[Symbol.asyncIterator] === 'function')
  );
}

function chunkBytes(chunk: unknown, encoding: BufferEncoding | undefined): Uint8Array {
  if (typeof chunk === 'string') return Buffer.from(chunk, encoding ?? 'utf8');
  if (ArrayBuffer.isView(chunk)) return asBytes(chunk);
  throw errInvalidArgType('data', DATA_TYPES, chunk);
}

/** Validate `data` now (so a bad type throws before any I/O) and yield its bytes. */
export function getWriteData(data: unknown, encoding: BufferEncoding | undefined): AsyncIterable<Uint8Array> | Uint8Array[] {
  if (typeof data === 'string' || ArrayBuffer.isView(data)) return [chunkBytes(data, encoding)];
  if (!isIterable(data)) throw errInvalidArgType('data', DATA_TYPES, data);
  const source = data;
  return (async function* chunks() {
    for await (const chunk of source as AsyncIterable<unknown>) yield chunkBytes(chunk, encoding);
  })();
}
