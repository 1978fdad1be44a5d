/**
 * Open file descriptions and descriptor tables.
 *
 * An OpenFile is what open(2) makes: a referenced vnode, the open flags, the
 * file offset, and the owner id of flock locks. Descriptors are small
 * integers in a context's table; dup gives a second descriptor for the same
 * description (shared offset), and the description goes away with its last
 * descriptor.
 */

import { O_ACCMODE, O_RDONLY, O_RDWR, O_WRONLY } from '../constants.js';
import { fail } from '../errno.js';
import type { FileRef, Vnode } from '../vnode/vnode.js';
import type { Cred } from './sys.js';
import type { Op } from './wait.js';

/**
 * An open file description several threads hold (shared mode: one thread
 * handed it to another). Its offset and flags live in shared memory; each
 * thread's OpenFile copies them in and out under `lock`, held across the
 * read or write that uses the offset (Linux's f_pos_lock), so the offset
 * moves atomically across threads.
 */
export interface SharedDescription {
  /** Take the description's position lock (may wait). */
  lock(): Op<void>;
  unlock(): void;
  offset: number;
  flags: number;
  /**
   * This thread lets go of the description (its last descriptor closed);
   * `flocked`: it took a flock through it. => true if it was the last
   * thread, with `flockedAny` telling whether any thread took one.
   */
  release(flocked: boolean): { last: boolean; flockedAny: boolean };
}

export class OpenFile implements FileRef {
  /** File offset for reads and writes without a position. */
  offset = 0;
  /** Readdir position of a directory descriptor. */
  dirPos = 0;
  endPos = 0;
  /** Descriptors referring to this description. */
  refs = 1;
  /** The description holds (or held) a flock lock: release it on last close. */
  flocked = false;
  /** The file system's per-open state (vnode.ts FileRef.data). */
  data: unknown = undefined;
  /** Held by other threads too (shared mode), or null. */
  shared: SharedDescription | null = null;

  constructor(
    readonly vp: Vnode,
    /** Open flags; O_APPEND and O_NONBLOCK change with fcntl(F_SETFL). */
    public flags: number,
    readonly id: number,
    readonly cred: Cred,
    /** Directory and name it was opened by, for watch events ("change" of name in dir); a handle, not a reference. */
    readonly dirVp: Vnode | null,
    readonly name: string,
  ) {}

  get readable(): boolean {
    const acc = this.flags & O_ACCMODE;
    return acc === O_RDONLY || acc === O_RDWR;
  }

  get writable(): boolean {
    const acc = this.flags & O_ACCMODE;
    return acc === O_WRONLY || acc === O_RDWR;
  }
}

/** Lowest-free descriptor allocation, as POSIX requires. */
export class FdTable {
  private readonly files: (OpenFile | undefined)[] = [];
  private lowestFree = 0;
  private count = 0;

  constructor(
    /** First descriptor number handed out (0-2 look like stdio to Node users). */
    private readonly base = 3,
    private readonly limit = 1 << 20,
  ) {}

  alloc(file: OpenFile): number {
    if (this.count >= this.limit) throw fail('EMFILE');
    let i = this.lowestFree;
    while (this.files[i] !== undefined) i++;
    this.files[i] = file;
    this.lowestFree = i + 1;
    this.count++;
    return i + this.base;
  }

  get(fd: number): OpenFile {
    const f = this.files[fd - this.base];
    if (f === undefined || typeof fd !== 'number') throw fail('EBADF');
    return f;
  }

  remove(fd: number): OpenFile {
    const f = this.get(fd);
    const i = fd - this.base;
    this.files[i] = undefined;
    if (i < this.lowestFree) this.lowestFree = i;
    this.count--;
    return f;
  }

  /** Every open descriptor (for closing a context). */
  entries(): [number, OpenFile][] {
    const out: [number, OpenFile][] = [];
    this.files.forEach((f, i) => {
      if (f !== undefined) out.push([i + this.base, f]);
    });
    return out;
  }
}
