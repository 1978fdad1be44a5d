/**
 * `Dir`: an open directory stream (opendir), read in batches of
 * `bufferSize` entries with getdents.
 *
 * Reading is one generator (`readOp`) driven synchronously by readSync and
 * asynchronously by read. Async operations run one at a time in call order;
 * a sync call while one is in flight is ERR_DIR_CONCURRENT_OPERATION, any
 * call after close is ERR_DIR_CLOSED, as in Node. With `recursive`, the
 * subdirectories are opened in turn after the top directory is exhausted
 * (breadth-first), each entry's `parentPath` naming its directory.
 */

import type { Buffer } from 'node:buffer';
import { O_DIRECTORY, O_RDONLY, UV_DIRENT_DIR } from '../constants.js';
import { toVfsError } from '../errno.js';
import { runAsync, runSync, type Op } from '../vfs/wait.js';
import { settle, type Ctx } from './ctx.js';
import { Dirent } from './dirent.js';
import { errDirClosed, errDirConcurrent, uvError } from './errors.js';
import { entryType, joinPath } from './readdir.js';
import { encodeName, getCallback, type Encoding } from './validate.js';

type Entry = Dirent<string | Buffer>;

/** Open a directory descriptor (Node's opendirSync reports failures without the path, its async forms with it). */
export function* openDirOp(c: Ctx, path: string, pathInError: boolean): Op<number> {
  try {
    return yield* c.sys.open(path, O_RDONLY | O_DIRECTORY, 0);
  } catch (e) {
    throw toVfsError(e, 'opendir', pathInError ? path : undefined);
  }
}

export interface DirOptions {
  encoding: Encoding | undefined;
  bufferSize: number;
  recursive: boolean;
}

export class Dir {
  readonly #c: Ctx;
  readonly #path: string;
  readonly #opts: DirOptions;
  /** Descriptor of the top directory: open until close(). */
  #fd: number;
  /** Descriptor and path of the subdirectory being read (recursive), -1 if none. */
  #subFd = -1;
  #subPath = '';
  #subdirs: string[] = [];
  #buffered: Entry[] = [];
  #next = 0;
  #topDone = false;
  #closed = false;
  /** Async operations queued or running. */
  #inFlight = 0;
  #tail: Promise<unknown> = Promise.resolve();

  constructor(c: Ctx, fd: number, path: string, opts: DirOptions) {
    this.#c = c;
    this.#fd = fd;
    this.#path = path;
    this.#opts = opts;
  }

  get path(): string {
    return this.#path;
  }

  #fill(fd: number, dirPath: string): boolean {
    const c = this.#c;
    let ents;
    try {
      ents = runSync(c.sys.getdents(fd, this.#opts.bufferSize));
    } catch (e) {
      throw toVfsError(e, 'scandir', dirPath);
    }
    if (ents.length === 0) return false;
    this.#buffered = [];
    this.#next = 0;
    for (const ent of ents) {
      if (ent.name === '.' || ent.name === '..') continue;
      const type = entryType(c, dirPath, ent);
      this.#buffered.push(new Dirent(encodeName(ent.name, this.#opts.encoding), type, dirPath));
      if (this.#opts.recursive && type === UV_DIRENT_DIR) this.#subdirs.push(joinPath(dirPath, ent.name));
    }
    return true;
  }

  *#readOp(): Op<Entry | null> {
    const c = this.#c;
    for (;;) {
      if (this.#next < this.#buffered.length) return this.#buffered[this.#next++]!;
      if (!this.#topDone) {
        if (this.#fill(this.#fd, this.#path)) continue;
        this.#topDone = true;
      }
      if (this.#subFd !== -1) {
        if (this.#fill(this.#subFd, this.#subPath)) continue;
        const fd = this.#subFd;
        this.#subFd = -1;
        yield* c.sys.close(fd);
      }
      const next = this.#subdirs.shift();
      if (next === undefined) return null;
      this.#subPath = next;
      try {
        this.#subFd = yield* c.sys.open(next, O_RDONLY | O_DIRECTORY, 0);
      } catch (e) {
        throw toVfsError(e, 'opendir', next);
      }
    }
  }

  *#closeOp(): Op<void> {
    const c = this.#c;
    this.#closed = true;
    this.#buffered = [];
    this.#subdirs = [];
    if (this.#subFd !== -1) {
      const fd = this.#subFd;
      this.#subFd = -1;
      try {
        yield* c.sys.close(fd);
      } catch {
        // the top descriptor's close is the one reported
      }
    }
    try {
      yield* c.sys.close(this.#fd);
    } catch (e) {
      throw toVfsError(e, 'closedir');
    }
  }

  /** Queue an async operation behind the ones already in flight. */
  #enqueue<T>(run: () => Promise<T>): Promise<T> {
    this.#inFlight++;
    const p = this.#tail.then(run);
    this.#tail = p.then(
      () => this.#inFlight--,
      () => this.#inFlight--,
    );
    return p;
  }

  readSync(): Entry | null {
    if (this.#closed) throw errDirClosed();
    if (this.#inFlight > 0) throw errDirConcurrent();
    try {
      return runSync(this.#readOp());
    } catch (e) {
      throw uvError(e, 'scandir', this.#path, undefined, this.readSync);
    }
  }

  read(): Promise<Entry | null>;
  read(callback: (err: Error | null, entry?: Entry | null) => void): void;
  read(callback?: unknown): Promise<Entry | null> | void {
    if (callback === undefined) {
      if (this.#closed) throw errDirClosed();
      return this.#enqueue(() => runAsync(this.#readOp()));
    }
    const cb = getCallback<(...a: unknown[]) => void>(callback);
    if (this.#closed) {
      process.nextTick(cb, errDirClosed());
      return;
    }
    const p = this.#enqueue(() => runAsync(this.#readOp()));
    p.then(
      (entry) => cb(null, entry),
      (e: unknown) => cb(e),
    );
  }

  closeSync(): void {
    if (this.#closed) throw errDirClosed();
    if (this.#inFlight > 0) throw errDirConcurrent();
    try {
      runSync(this.#closeOp());
    } catch (e) {
      throw uvError(e, 'closedir', undefined, undefined, this.closeSync);
    }
  }

  close(): Promise<void>;
  close(callback: (err: Error | null) => void): void;
  close(callback?: unknown): Promise<void> | void {
    if (callback === undefined) {
      if (this.#closed) return Promise.reject(errDirClosed());
      this.#closed = true;
      return this.#enqueue(() => runAsync(this.#closeOp()));
    }
    const cb = getCallback<(...a: unknown[]) => void>(callback);
    if (this.#closed) {
      process.nextTick(cb, errDirClosed());
      return;
    }
    this.#closed = true;
    settle(
      this.#enqueue(() => runAsync(this.#closeOp())),
      cb,
    );
  }

  async *entries(): AsyncGenerator<Entry, void, unknown> {
    try {
      for (;;) {
        const entry = await this.#enqueue(() => runAsync(this.#readOp()));
        if (entry === null) return;
        yield entry;
      }
    } finally {
      if (!this.#closed) await this.close();
    }
  }

  [Symbol.asyncIterator](): AsyncGenerator<Entry, void, unknown> {
    return this.entries();
  }
}
