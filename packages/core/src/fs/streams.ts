/**
 * fs.ReadStream and fs.WriteStream over the vfs, with Node's options and
 * events: flags, mode, fd (a number or a FileHandle), autoClose, emitClose,
 * start, end (inclusive), highWaterMark, encoding, flush, signal; 'open'
 * (fd) and 'ready' once the file is open; `bytesRead`/`bytesWritten`,
 * `path`, `pending`, `close(cb)`.
 *
 * The per-fs `ReadStream`/`WriteStream` classes (index.ts) bind these to
 * one fs object; a FileHandle's streams use the handle's.
 */

import type { Buffer as BufferT } from 'node:buffer';
import { Buffer } from 'node:buffer';
import { Readable, Writable, finished, type ReadableOptions, type WritableOptions } from 'node:stream';
import { drive, type Ctx } from './ctx.js';
import { errInvalidArgType, errOutOfRange } from './errors.js';
import type { FileHandle } from './file-handle.js';
import { toFlags } from './flags.js';
import { getFd, getOptions, getPath, parseMode, validateInteger } from './validate.js';

type PathArg = string | BufferT | URL;

interface StreamOptionsBase {
  flags?: string | number;
  encoding?: BufferEncoding | null;
  fd?: number | FileHandle | null;
  mode?: number | string;
  autoClose?: boolean;
  emitClose?: boolean;
  start?: number;
  highWaterMark?: number;
  signal?: AbortSignal;
}

export interface ReadStreamOptions extends StreamOptionsBase {
  end?: number;
}

export interface WriteStreamOptions extends StreamOptionsBase {
  flush?: boolean;
}

/** Resolve the `fd` option: a number, a FileHandle (whose close closes the stream), or none. */
function importFd(value: unknown): { fd: number | null; handle: FileHandle | undefined } {
  if (value == null) return { fd: null, handle: undefined };
  if (typeof value === 'number') return { fd: getFd(value), handle: undefined };
  if (typeof value === 'object' && typeof (value as { fd?: unknown }).fd === 'number' && 'ctx' in value) {
    const handle = value as FileHandle;
    return { fd: getFd(handle.fd), handle };
  }
  throw errInvalidArgType('options.fd', 'of type number or an instance of FileHandle', value);
}

/** What both stream kinds open by: their path, flags and mode, and the descriptor they get. */
interface OpensFile {
  path: PathArg | undefined;
  fd: number | null;
  flags: string | number;
  mode: number | string;
  emit(event: string, ...args: unknown[]): boolean;
}

/** _construct of both stream kinds: open the path unless a descriptor was given, then 'open' and 'ready'. */
function openForStream(s: OpensFile, c: Ctx, callback: (err?: Error | null) => void): void {
  if (s.fd !== null) {
    callback();
    return;
  }
  const p = getPath(s.path, 'path');
  let flags: number;
  let mode: number;
  try {
    flags = toFlags(s.flags);
    mode = parseMode(s.mode, 'mode', 0o666);
  } catch (e) {
    callback(e as Error);
    return;
  }
  drive(() => c.sys.open(p, flags, mode & 0o7777), 'open', p).then(
    (fd) => {
      s.fd = fd;
      callback();
      s.emit('open', fd);
      s.emit('ready');
    },
    (e: Error) => callback(e),
  );
}

function closeFd(c: Ctx, fd: number, handle: FileHandle | undefined): Promise<void> {
  return handle !== undefined ? handle.close() : drive(() => c.sys.close(fd), 'close');
}

export class ReadStreamBase extends Readable {
  readonly #c: Ctx;
  readonly #handle: FileHandle | undefined;
  path: PathArg | undefined;
  fd: number | null;
  flags: string | number;
  mode: number | string;
  start: number | undefined;
  end: number;
  pos: number | undefined;
  bytesRead = 0;
  #busy: Promise<unknown> | undefined;

  constructor(c: Ctx, path: PathArg | undefined, options?: ReadStreamOptions | BufferEncoding) {
    const o = { ...getOptions(options) } as ReadStreamOptions & { autoDestroy?: boolean };
    if (o.highWaterMark === undefined) o.highWaterMark = 64 * 1024;
    o.autoDestroy = o.autoClose === undefined ? true : o.autoClose;
    const { fd, handle } = importFd(o.fd);
    if (fd === null) getPath(path, 'path');
    super(o as ReadableOptions);
    this.#c = c;
    this.#handle = handle;
    this.fd = fd;
    this.path = fd === null ? toPathArg(path) : undefined;
    this.flags = o.flags === undefined ? 'r' : o.flags;
    this.mode = o.mode === undefined ? 0o666 : o.mode;
    this.start = o.start;
    this.end = o.end ?? Infinity;
    this.pos = undefined;
    if (this.start !== undefined) {
      validateInteger(this.start, 'start', 0);
      this.pos = this.start;
    }
    if (this.end !== Infinity) {
      validateInteger(this.end, 'end', 0);
      if (this.start !== undefined && this.start > this.end) {
        throw errOutOfRange('start', `<= "end" (here: ${this.end})`, this.start);
      }
    }
    if (handle !== undefined) handle.on('close', () => this.close());
  }

  get pending(): boolean {
    return this.fd === null;
  }

  override _construct(callback: (err?: Error | null) => void): void {
    openForStream(this, this.#c, callback);
  }

  override _read(size: number): void {
    const n = this.pos !== undefined ? Math.min(this.end - this.pos + 1, size) : Math.min(this.end - this.bytesRead + 1, size);
    if (n <= 0) {
      this.push(null);
      return;
    }
    const buf = Buffer.allocUnsafeSlow(n);
    const pos = this.pos ?? -1;
    const io = drive(() => this.#c.sys.read(this.fd!, buf, 0, n, pos), 'read');
    this.#busy = io;
    io.then(
      (bytesRead) => {
        this.#busy = undefined;
        if (this.destroyed) return;
        if (this.pos !== undefined) this.pos += bytesRead;
        this.bytesRead += bytesRead;
        if (bytesRead === 0) this.push(null);
        else this.push(bytesRead === n ? buf : Buffer.from(buf.subarray(0, bytesRead)));
      },
      (e: Error) => {
        this.#busy = undefined;
        this.destroy(e);
      },
    );
  }

  override _destroy(err: Error | null, callback: (err?: Error | null) => void): void {
    const after = (): void => {
      const fd = this.fd;
      if (fd === null) {
        callback(err);
        return;
      }
      this.fd = null;
      closeFd(this.#c, fd, this.#handle).then(
        () => callback(err),
        (e: Error) => callback(err ?? e),
      );
    };
    if (this.#busy !== undefined) this.#busy.then(after, after);
    else after();
  }

  close(callback?: (err?: Error | null) => void): void {
    if (typeof callback === 'function') finished(this, callback);
    this.destroy();
  }
}

export class WriteStreamBase extends Writable {
  readonly #c: Ctx;
  readonly #handle: FileHandle | undefined;
  path: PathArg | undefined;
  fd: number | null;
  flags: string | number;
  mode: number | string;
  flush: boolean;
  start: number | undefined;
  pos: number | undefined;
  bytesWritten = 0;
  autoClose: boolean;
  #busy: Promise<unknown> | undefined;

  constructor(c: Ctx, path: PathArg | undefined, options?: WriteStreamOptions | BufferEncoding) {
    const o = { ...getOptions(options) } as WriteStreamOptions & { autoDestroy?: boolean; decodeStrings?: boolean };
    o.decodeStrings = true;
    o.autoDestroy = o.autoClose === undefined ? true : o.autoClose;
    const { fd, handle } = importFd(o.fd);
    if (fd === null) getPath(path, 'path');
    if (o.flush !== undefined && typeof o.flush !== 'boolean') throw errInvalidArgType('options.flush', 'of type boolean', o.flush);
    super(o as WritableOptions);
    this.#c = c;
    this.#handle = handle;
    this.flush = o.flush === true;
    this.fd = fd;
    this.path = fd === null ? toPathArg(path) : undefined;
    this.flags = o.flags === undefined ? 'w' : o.flags;
    this.mode = o.mode === undefined ? 0o666 : o.mode;
    this.start = o.start;
    this.pos = undefined;
    this.autoClose = o.autoDestroy;
    if (this.start !== undefined) {
      validateInteger(this.start, 'start', 0);
      this.pos = this.start;
    }
    if (o.encoding) this.setDefaultEncoding(o.encoding);
    if (handle !== undefined) handle.on('close', () => this.close());
  }

  get pending(): boolean {
    return this.fd === null;
  }

  override _construct(callback: (err?: Error | null) => void): void {
    openForStream(this, this.#c, callback);
  }

  #track(io: Promise<void>, callback: (err?: Error | null) => void): void {
    this.#busy = io;
    io.then(
      () => {
        this.#busy = undefined;
        callback();
      },
      (e: Error) => {
        this.#busy = undefined;
        callback(e);
      },
    );
  }

  override _write(chunk: BufferT, _encoding: BufferEncoding, callback: (err?: Error | null) => void): void {
    this.#track(this.#writeAll([chunk]), callback);
  }

  override _writev(chunks: { chunk: BufferT; encoding: BufferEncoding }[], callback: (err?: Error | null) => void): void {
    this.#track(
      this.#writeAll(chunks.map((c) => c.chunk)),
      callback,
    );
  }

  async #writeAll(bufs: BufferT[]): Promise<void> {
    const sys = this.#c.sys;
    const fd = this.fd!;
    for (const buf of bufs) {
      let off = 0;
      while (off < buf.length) {
        const pos = this.pos ?? -1;
        const n = await drive(() => sys.write(fd, buf, off, buf.length - off, pos), 'write');
        off += n;
        this.bytesWritten += n;
        if (this.pos !== undefined) this.pos += n;
      }
    }
  }

  override _final(callback: (err?: Error | null) => void): void {
    const fd = this.fd;
    if (!this.flush || fd === null) {
      callback();
      return;
    }
    this.#track(drive(() => this.#c.sys.fsync(fd), 'fsync'), callback);
  }

  override _destroy(err: Error | null, callback: (err?: Error | null) => void): void {
    const after = (): void => {
      const fd = this.fd;
      if (fd === null) {
        callback(err);
        return;
      }
      this.fd = null;
      closeFd(this.#c, fd, this.#handle).then(
        () => callback(err),
        (e: Error) => callback(err ?? e),
      );
    };
    if (this.#busy !== undefined) this.#busy.then(after, after);
    else after();
  }

  /** End the stream and close the file; `callback` runs on 'close'. */
  close(callback?: (err?: Error | null) => void): void {
    if (callback !== undefined) {
      if (this.closed) {
        process.nextTick(callback);
        return;
      }
      this.on('close', callback);
    }
    if (!this.autoClose) this.on('finish', () => this.destroy());
    this.end();
  }

  destroySoon(): this {
    return this.end();
  }
}

/** Keep a path argument as given (Node does), but as a string for URLs. */
function toPathArg(path: unknown): PathArg | undefined {
  if (typeof path === 'string' || path instanceof Uint8Array) return path as PathArg;
  return getPath(path, 'path');
}
