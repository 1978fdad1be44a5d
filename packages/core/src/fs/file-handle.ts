/**
 * `FileHandle`: the promise API's open file (fs.promises.open).
 *
 * Every method runs through `#call`, which refuses a closed handle with
 * Node's EBADF 'file closed' error (naming the syscall) and counts the
 * operations in flight so close() waits for them, as Node's does.
 *
 * Extensions (not in Node), for advisory locking:
 *
 *   handle.lock({ type: 'read' | 'write' | 'unlock', start = 0, length = 0, wait = false })
 *     fcntl(F_SETLK / F_SETLKW) record lock over [start, start + length)
 *     (length 0: to the end of the file, however far it grows). Locks
 *     belong to the fs object (the "process"); closing any descriptor of the
 *     file through it releases them. Without `wait` a conflict is EAGAIN;
 *     with it the call waits, and a deadlock is EDEADLK.
 *   handle.getLock({ type = 'write', start = 0, length = 0 })
 *     fcntl(F_GETLK): the first lock that would block such a lock, as
 *     { type, start, length, pid }, or null.
 *   handle.flock('sh' | 'ex' | 'un', { wait = false })
 *     flock(2) whole-file lock, owned by this open file description.
 *
 * and for streams (portals):
 *
 *   handle.poll(events = POLLIN, { timeout })  poll(2): the ready events, 0 on timeout
 *   handle.setNonBlocking(enabled = true)      fcntl(F_SETFL, O_NONBLOCK)
 */

import { Buffer } from 'node:buffer';
import { EventEmitter } from 'node:events';
import { createInterface, type Interface } from 'node:readline';
import { F_RDLCK, F_UNLCK, F_WRLCK, LOCK_EX, LOCK_NB, LOCK_SH, LOCK_UN, O_NONBLOCK, POLLIN, SEEK_SET } from '../constants.js';
import type { RecordLock } from '../vfs/sys.js';
import { runAsync } from '../vfs/wait.js';
import { drive, type Ctx } from './ctx.js';
import { errInvalidArgValue, uvError, vfsError } from './errors.js';
import { stringBytes } from './fd-args.js';
import { readAllOp, writeAllOp } from './rw.js';
import { makeStats, type BigIntStats, type Stats } from './stats.js';
import { ReadStreamBase, WriteStreamBase, type ReadStreamOptions, type WriteStreamOptions } from './streams.js';
import {
  asBytes,
  checkReadRange,
  checkWriteRange,
  getBuffers,
  getId,
  getOptions,
  getPosition,
  getWritePosition,
  optEncoding,
  parseMode,
  splitTime,
  toUnixTimestamp,
  validateBuffer,
  validateInteger,
  validateObject,
} from './validate.js';
import { getWriteData, type WriteFileData } from './write-data.js';
import { runSync } from '../vfs/wait.js';

export interface ReadResult<B> {
  bytesRead: number;
  buffer: B;
}
export interface WriteResult<B> {
  bytesWritten: number;
  buffer: B;
}
export interface ReadOptions<B extends ArrayBufferView = Buffer> {
  buffer?: B;
  offset?: number | null;
  length?: number | null;
  position?: number | bigint | null;
}
export interface LockOptions {
  type: 'read' | 'write' | 'unlock';
  start?: number;
  length?: number;
  wait?: boolean;
}
export interface LockInfo {
  type: 'read' | 'write';
  start: number;
  length: number;
  pid: number;
}

/** Node's "file closed" error for a call on a closed handle. */
function closedError(syscall: string): Error {
  const err = new Error('file closed') as Error & { code: string; syscall: string };
  err.code = 'EBADF';
  err.syscall = syscall;
  return err;
}

function lockType(value: unknown, name: string): number {
  if (value === 'read') return F_RDLCK;
  if (value === 'write') return F_WRLCK;
  if (value === 'unlock') return F_UNLCK;
  throw errInvalidArgValue(name, value, "must be 'read', 'write' or 'unlock'");
}

export class FileHandle extends EventEmitter {
  readonly #c: Ctx;
  #fd: number;
  #busy = 0;
  #closing: Promise<void> | undefined;
  #closeWaiter: (() => void) | undefined;

  constructor(c: Ctx, fd: number) {
    super();
    this.#c = c;
    this.#fd = fd;
  }

  /** The descriptor, or -1 once closed. */
  get fd(): number {
    return this.#fd;
  }

  /** @internal The fs object this handle belongs to. */
  get ctx(): Ctx {
    return this.#c;
  }

  async #call<T>(syscall: string, run: (fd: number) => Promise<T>): Promise<T> {
    if (this.#fd === -1 || this.#closing !== undefined) throw closedError(syscall);
    this.#busy++;
    try {
      return await run(this.#fd);
    } finally {
      if (--this.#busy === 0 && this.#closeWaiter !== undefined) this.#closeWaiter();
    }
  }

  read(buffer?: ArrayBufferView | ReadOptions | null, offset?: number | ReadOptions | null, length?: number | null, position?: number | bigint | null): Promise<ReadResult<ArrayBufferView>> {
    return this.#call('read', async (fd) => {
      let buf: ArrayBufferView;
      let off: unknown = offset;
      let len: unknown = length;
      let pos: unknown = position;
      if (!ArrayBuffer.isView(buffer)) {
        if (buffer !== undefined) validateObject(buffer, 'options', true);
        const o = (buffer ?? {}) as ReadOptions<ArrayBufferView>;
        buf = o.buffer ?? Buffer.alloc(16384);
        off = o.offset ?? 0;
        len = o.length ?? buf.byteLength - (off as number);
        pos = o.position ?? null;
        validateBuffer(buf);
      } else {
        buf = buffer;
        if (offset !== null && typeof offset === 'object') {
          const o = offset;
          off = o.offset ?? 0;
          len = o.length ?? buf.byteLength - (off as number);
          pos = o.position ?? null;
        }
      }
      const o2 = off == null ? 0 : validateInteger(off, 'offset', 0);
      const n = (len ?? buf.byteLength - o2) as number;
      if (n === 0) return { __proto__: null, bytesRead: 0, buffer: buf } as ReadResult<ArrayBufferView>;
      if (buf.byteLength === 0) throw errInvalidArgValue('buffer', buf, 'is empty and cannot be written');
      checkReadRange(o2, n, buf.byteLength);
      const p = getPosition(pos);
      const bytesRead = await drive(() => this.#c.sys.read(fd, asBytes(buf), o2, n, p), 'read');
      return { __proto__: null, bytesRead, buffer: buf } as ReadResult<ArrayBufferView>;
    });
  }

  write(data: string | ArrayBufferView, offsetOrPosition?: unknown, lengthOrEncoding?: unknown, position?: unknown): Promise<WriteResult<string | ArrayBufferView>> {
    return this.#call('write', async (fd) => {
      if (ArrayBuffer.isView(data)) {
        if (data.byteLength === 0) return { __proto__: null, bytesWritten: 0, buffer: data } as WriteResult<ArrayBufferView>;
        let off: unknown = offsetOrPosition;
        let len: unknown = lengthOrEncoding;
        let pos: unknown = position;
        if (off !== null && typeof off === 'object') {
          const o = off as { offset?: unknown; length?: unknown; position?: unknown };
          off = o.offset ?? 0;
          len = o.length ?? data.byteLength - (off as number);
          pos = o.position ?? null;
        }
        const o2 = off == null ? 0 : validateInteger(off, 'offset', 0);
        const n = typeof len === 'number' ? len : data.byteLength - o2;
        checkWriteRange(o2, n, data.byteLength);
        const written = await drive(() => this.#c.sys.write(fd, asBytes(data), o2, n, getWritePosition(pos)), 'write');
        return { __proto__: null, bytesWritten: written, buffer: data } as WriteResult<ArrayBufferView>;
      }
      const bytes = stringBytes(data, lengthOrEncoding);
      if (bytes.length === 0) return { __proto__: null, bytesWritten: 0, buffer: data } as WriteResult<string>;
      const written = await drive(() => this.#c.sys.write(fd, bytes, 0, bytes.length, getWritePosition(offsetOrPosition)), 'write');
      return { __proto__: null, bytesWritten: written, buffer: data } as WriteResult<string>;
    });
  }

  readv<T extends ArrayBufferView[]>(buffers: T, position?: number | null): Promise<{ bytesRead: number; buffers: T }> {
    return this.#call('readv', async (fd) => {
      const views = getBuffers(buffers);
      if (views.length === 0) throw vfsError('EINVAL', 'read');
      const pos = typeof position === 'number' ? getWritePosition(position) : -1;
      const bytesRead = await drive(() => this.#c.sys.readv(fd, views, pos), 'read');
      return { __proto__: null, bytesRead, buffers } as unknown as { bytesRead: number; buffers: T };
    });
  }

  writev<T extends ArrayBufferView[]>(buffers: T, position?: number | null): Promise<{ bytesWritten: number; buffers: T }> {
    return this.#call('writev', async (fd) => {
      const views = getBuffers(buffers);
      if (views.length === 0) return { __proto__: null, bytesWritten: 0, buffers } as unknown as { bytesWritten: number; buffers: T };
      const pos = typeof position === 'number' ? getWritePosition(position) : -1;
      const bytesWritten = await drive(() => this.#c.sys.writev(fd, views, pos), 'write');
      return { __proto__: null, bytesWritten, buffers } as unknown as { bytesWritten: number; buffers: T };
    });
  }

  stat(options?: { bigint?: boolean }): Promise<Stats | BigIntStats> {
    return this.#call('fstat', async (fd) => {
      const bigint = options?.bigint === true;
      try {
        runSync(this.#c.sys.fstat(fd, this.#c.st));
      } catch (e) {
        throw uvError(e, 'fstat', undefined, undefined, this.stat);
      }
      return makeStats(this.#c.st, bigint);
    });
  }

  truncate(len = 0): Promise<void> {
    return this.#call('ftruncate', (fd) => {
      const n = Math.max(0, validateInteger(len, 'len'));
      return drive(() => this.#c.sys.ftruncate(fd, n), 'ftruncate');
    });
  }

  sync(): Promise<void> {
    return this.#call('fsync', (fd) => drive(() => this.#c.sys.fsync(fd), 'fsync'));
  }

  datasync(): Promise<void> {
    return this.#call('fdatasync', (fd) => drive(() => this.#c.sys.fdatasync(fd), 'fdatasync'));
  }

  chmod(mode: number | string): Promise<void> {
    return this.#call('fchmod', (fd) => drive(() => this.#c.sys.fchmod(fd, parseMode(mode, 'mode') & 0o7777), 'fchmod'));
  }

  chown(uid: number, gid: number): Promise<void> {
    return this.#call('fchown', (fd) => drive(() => this.#c.sys.fchown(fd, getId(uid, 'uid'), getId(gid, 'gid')), 'fchown'));
  }

  utimes(atime: number | string | Date, mtime: number | string | Date): Promise<void> {
    return this.#call('futimes', (fd) => {
      const t = new Float64Array(4);
      splitTime(toUnixTimestamp(atime, 'atime'), t, 0);
      splitTime(toUnixTimestamp(mtime, 'mtime'), t, 2);
      return drive(() => this.#c.sys.futimes(fd, t[0]!, t[1]!, t[2]!, t[3]!), 'futime');
    });
  }

  readFile(options?: BufferEncoding | { encoding?: BufferEncoding | null; signal?: AbortSignal } | null): Promise<string | Buffer> {
    return this.#call('readFile', async (fd) => {
      const o = getOptions(options);
      o.signal?.throwIfAborted();
      const data = await drive(readAllOp(this.#c, fd), 'read');
      const enc = optEncoding(o);
      return enc === undefined || enc === 'buffer' ? data : data.toString(enc);
    });
  }

  writeFile(data: WriteFileData, options?: BufferEncoding | { encoding?: BufferEncoding | null; signal?: AbortSignal } | null): Promise<void> {
    return this.#call('writeFile', (fd) => this.#writeAll(fd, data, options));
  }

  appendFile(data: WriteFileData, options?: BufferEncoding | { encoding?: BufferEncoding | null; signal?: AbortSignal } | null): Promise<void> {
    return this.#call('writeFile', (fd) => this.#writeAll(fd, data, options));
  }

  async #writeAll(fd: number, data: WriteFileData, options: unknown): Promise<void> {
    const o = getOptions(options);
    const enc = optEncoding(o);
    const encoding = enc === 'buffer' ? undefined : enc;
    for await (const chunk of getWriteData(data, encoding)) {
      o.signal?.throwIfAborted();
      await drive(writeAllOp(this.#c, fd, chunk, false), 'write');
    }
  }

  /**
   * A web ReadableStream of the file's bytes from the current offset, in
   * 64 KiB chunks. It does not close the handle at the end.
   */
  readableWebStream(): ReadableStream<Uint8Array> {
    return new ReadableStream<Uint8Array>({
      pull: async (controller) => {
        const { bytesRead, buffer } = await this.read(Buffer.allocUnsafe(65536), 0, 65536, null);
        if (bytesRead === 0) controller.close();
        else controller.enqueue(new Uint8Array((buffer as Buffer).subarray(0, bytesRead)));
      },
    });
  }

  readLines(options?: ReadStreamOptions): Interface {
    return createInterface({ input: this.createReadStream(options), crlfDelay: Infinity });
  }

  createReadStream(options?: ReadStreamOptions): ReadStreamBase {
    return new ReadStreamBase(this.#c, undefined, { ...options, fd: this });
  }

  createWriteStream(options?: WriteStreamOptions): WriteStreamBase {
    return new WriteStreamBase(this.#c, undefined, { ...options, fd: this });
  }

  /** fcntl record lock (extension; see the file comment). */
  lock(options: LockOptions): Promise<void> {
    return this.#call('fcntl', async (fd) => {
      validateObject(options, 'options');
      const lk: RecordLock = {
        type: lockType(options.type, 'options.type'),
        whence: SEEK_SET,
        start: options.start === undefined ? 0 : validateInteger(options.start, 'options.start', 0),
        len: options.length === undefined ? 0 : validateInteger(options.length, 'options.length', 0),
      };
      if (options.wait === true) return drive(() => this.#c.sys.setlkw(fd, lk), 'fcntl');
      try {
        runSync(this.#c.sys.setlk(fd, lk));
      } catch (e) {
        throw uvError(e, 'fcntl', undefined, undefined, this.lock);
      }
    });
  }

  /** fcntl F_GETLK (extension): the lock that would block `options`, or null. */
  getLock(options?: Partial<Omit<LockOptions, 'wait'>>): Promise<LockInfo | null> {
    return this.#call('fcntl', async (fd) => {
      if (options !== undefined) validateObject(options, 'options');
      const o = options ?? {};
      const lk: RecordLock = {
        type: o.type === undefined ? F_WRLCK : lockType(o.type, 'options.type'),
        whence: SEEK_SET,
        start: o.start === undefined ? 0 : validateInteger(o.start, 'options.start', 0),
        len: o.length === undefined ? 0 : validateInteger(o.length, 'options.length', 0),
      };
      let r: RecordLock;
      try {
        r = runSync(this.#c.sys.getlk(fd, lk));
      } catch (e) {
        throw uvError(e, 'fcntl', undefined, undefined, this.getLock);
      }
      if (r.type === F_UNLCK) return null;
      return { type: r.type === F_RDLCK ? 'read' : 'write', start: r.start, length: r.len, pid: r.pid ?? 0 };
    });
  }

  /** flock(2) (extension): 'sh' shared, 'ex' exclusive, 'un' release. */
  flock(operation: 'sh' | 'ex' | 'un', options?: { wait?: boolean }): Promise<void> {
    return this.#call('flock', (fd) => {
      let op: number;
      if (operation === 'sh') op = LOCK_SH;
      else if (operation === 'ex') op = LOCK_EX;
      else if (operation === 'un') op = LOCK_UN;
      else throw errInvalidArgValue('operation', operation, "must be 'sh', 'ex' or 'un'");
      if (options !== undefined) validateObject(options, 'options');
      if (options?.wait !== true) op |= LOCK_NB;
      return drive(() => this.#c.sys.flock(fd, op), 'flock');
    });
  }

  /**
   * poll(2) on this file (extension): resolves with the ready events among
   * `events` (constants POLLIN, POLLOUT; POLLERR and POLLHUP are always
   * reported), or 0 once `timeout` ms passed. Files that never block are
   * ready at once; streams (portals, FIFOs of other file systems) wait.
   */
  poll(events: number = POLLIN, options?: { timeout?: number }): Promise<number> {
    return this.#call('poll', (fd) => {
      const ev = validateInteger(events, 'events', 0);
      if (options !== undefined) validateObject(options, 'options');
      const t = options?.timeout;
      const timeoutMs = t === undefined || t === Infinity ? Infinity : validateInteger(t, 'options.timeout', 0);
      return drive(() => this.#c.sys.poll(fd, ev, timeoutMs), 'poll');
    });
  }

  /**
   * fcntl(F_SETFL, O_NONBLOCK) (extension): with `enabled`, a read or write
   * that would have to wait fails with EAGAIN instead.
   */
  setNonBlocking(enabled = true): Promise<void> {
    return this.#call('fcntl', async (fd) => {
      if (typeof enabled !== 'boolean') throw errInvalidArgValue('enabled', enabled, 'must be a boolean');
      try {
        const flags = this.#c.sys.fdFlags(fd);
        this.#c.sys.setFdFlags(fd, enabled ? flags | O_NONBLOCK : flags & ~O_NONBLOCK);
      } catch (e) {
        throw uvError(e, 'fcntl', undefined, undefined, this.setNonBlocking);
      }
    });
  }

  /** Close the descriptor once the operations in flight are done. Closing twice is a no-op. */
  close(): Promise<void> {
    if (this.#fd === -1) return Promise.resolve();
    if (this.#closing !== undefined) return this.#closing;
    const fd = this.#fd;
    const idle = this.#busy === 0 ? Promise.resolve() : new Promise<void>((resolve) => (this.#closeWaiter = resolve));
    this.#closing = idle
      .then(() => {
        this.#fd = -1;
        return runAsync(this.#c.sys.close(fd));
      })
      .then(
        () => {
          this.#closing = undefined;
          this.emit('close');
        },
        (e: unknown) => {
          this.#closing = undefined;
          throw uvError(e, 'close', undefined, undefined, this.close);
        },
      );
    return this.#closing;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}
