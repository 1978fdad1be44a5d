/**
 * PortalStream: a portal stream in any thread, with no file system at hand.
 *
 *   // owner of the file system:
 *   const handle = portal.takeStream(fileHandle);          // or await portal.openStream(name)
 *   worker.postMessage(handle, [handle.port]);
 *
 *   // any thread (no store, no VFS):
 *   import { PortalStream } from '@actorvfs/portal';
 *   const s = PortalStream.from(handle);
 *   s.writeSync(Buffer.from('hello\n'));
 *   const n = await s.read(buf);                           // or s.readSync(buf)
 *   s.close();
 *
 * Reads return what has arrived (at least one byte) or 0 at the end; writes
 * send everything or throw the stream's error (EPIPE, ECONNRESET, ...), as
 * errors shaped like Node's (code, errno, syscall). Seekable (file) streams
 * read and write at `position`, which advances. Sync and promise forms run
 * the same operation; the sync form blocks the thread (Atomics.wait) and
 * needs nothing from its event loop.
 */

import { Buffer } from 'node:buffer';
import { constants, VfsError } from '@actorvfs/core';
import { runAsync, runSync, toVfsError, type Op } from '@actorvfs/core/internal';
import { StreamEnd, type PortalStreamHandle } from './stream-end.js';

function bytesOf(buf: ArrayBufferView): Uint8Array {
  return buf instanceof Uint8Array ? buf : new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
}

export class PortalStream {
  readonly #end: StreamEnd;
  #nonBlocking = false;
  /** Seekable streams: where the next read or write goes. */
  position = 0;

  private constructor(end: StreamEnd) {
    this.#end = end;
  }

  /** Open a transferred handle in this thread. */
  static from(handle: PortalStreamHandle): PortalStream {
    try {
      return new PortalStream(StreamEnd.attach(handle));
    } catch (e) {
      throw toVfsError(e, 'open');
    }
  }

  /** @internal */
  static ofEnd(end: StreamEnd): PortalStream {
    return new PortalStream(end);
  }

  get readable(): boolean {
    return this.#end.readable;
  }
  get writable(): boolean {
    return this.#end.writable;
  }
  get seekable(): boolean {
    return this.#end.seekable;
  }

  /** O_NONBLOCK: reads and writes that would wait fail with EAGAIN. */
  setNonBlocking(enabled = true): void {
    this.#nonBlocking = enabled;
  }

  private *readOp(buf: Uint8Array, off: number, len: number): Op<number> {
    if (!this.#end.seekable) return yield* this.#end.read(buf, off, len, this.#nonBlocking);
    const n = yield* this.#end.pread(buf, off, len, this.position);
    this.position += n;
    return n;
  }

  private *writeOp(buf: Uint8Array, off: number, len: number): Op<number> {
    if (!this.#end.seekable) return yield* this.#end.write(buf, off, len, this.#nonBlocking);
    const { n, end } = yield* this.#end.pwrite(buf, off, len, this.position);
    this.position = end;
    return n;
  }

  readSync(buffer: ArrayBufferView, offset = 0, length = buffer.byteLength - offset): number {
    return sync(() => this.readOp(bytesOf(buffer), offset, length), 'read');
  }

  read(buffer: ArrayBufferView, offset = 0, length = buffer.byteLength - offset): Promise<number> {
    return promise(() => this.readOp(bytesOf(buffer), offset, length), 'read');
  }

  writeSync(data: ArrayBufferView | string, offset = 0, length?: number): number {
    const b = typeof data === 'string' ? new TextEncoder().encode(data) : bytesOf(data);
    return sync(() => this.writeOp(b, offset, length ?? b.byteLength - offset), 'write');
  }

  write(data: ArrayBufferView | string, offset = 0, length?: number): Promise<number> {
    const b = typeof data === 'string' ? new TextEncoder().encode(data) : bytesOf(data);
    return promise(() => this.writeOp(b, offset, length ?? b.byteLength - offset), 'write');
  }

  /** Everything to the end of the stream. */
  async readAll(): Promise<Buffer> {
    const parts: Buffer[] = [];
    for (;;) {
      const buf = Buffer.allocUnsafe(65536);
      const n = await this.read(buf);
      if (n === 0) return Buffer.concat(parts);
      parts.push(buf.subarray(0, n));
    }
  }

  /** Ready events among `events` (constants.POLLIN / POLLOUT), POLLERR/POLLHUP; 0 after timeout ms. */
  poll(events: number = constants.POLLIN, timeout = Infinity): Promise<number> {
    return promise(() => this.#end.poll(events, timeout), 'poll');
  }

  pollSync(events: number = constants.POLLIN, timeout = Infinity): number {
    return sync(() => this.#end.poll(events, timeout), 'poll');
  }

  /** Wait until everything written has been passed on (fsync), reporting a write error. */
  flushSync(): void {
    sync(() => this.#end.flush(), 'fsync');
  }

  flush(): Promise<void> {
    return promise(() => this.#end.flush(), 'fsync');
  }

  /** Half-close: the peer sees end of stream; reading goes on. */
  end(): void {
    try {
      this.#end.end();
    } catch (e) {
      throw toVfsError(e, 'shutdown');
    }
  }

  /** Close the stream; the provider lets go at once. Closing twice does nothing. */
  close(): void {
    this.#end.close();
  }

  /** Hand the stream on to yet another thread (this object is unusable afterwards). */
  detach(): PortalStreamHandle {
    try {
      return this.#end.detach();
    } catch (e) {
      throw toVfsError(e, 'detach');
    }
  }
}

function sync<T>(op: () => Op<T>, syscall: string): T {
  try {
    return runSync(op());
  } catch (e) {
    throw toVfsError(e, syscall);
  }
}

function promise<T>(op: () => Op<T>, syscall: string): Promise<T> {
  let gen: Op<T>;
  try {
    gen = op();
  } catch (e) {
    return Promise.reject(toVfsError(e, syscall));
  }
  return runAsync(gen).catch((e: unknown) => {
    throw toVfsError(e, syscall);
  });
}

export type { VfsError };
