/**
 * fsx-js: a data-integrity exerciser for one file, after the design of fsx
 * (conformance.md §2.1, §2.3), written from the description, not the code.
 *
 * Every operation is applied to the file under test and to a shadow copy
 * (`Uint8Array`); every read is compared byte for byte with the shadow, and
 * after every operation `fstat().size` must equal the shadow's size.
 *
 * The shadow covers a window [base, base + maxFileLen) of the file. With
 * base 0 it is the whole file. With a large base (2^31 - 512 KiB, say) the
 * run is sparse: everything below the window is a hole that must read as
 * zeros, and offsets straddle 2^31 or 2^32.
 *
 * Written data comes from a random pool of non-zero bytes, with the low byte
 * of the op number (mod 255, plus 1) stamped at every file offset that is a
 * multiple of 64, so a bad byte often names the op that wrote it, and data
 * never looks like a hole.
 *
 * Works with anything shaped like `node:fs` (the harness is validated
 * against Node's own fs on tmpfs). On a mismatch it throws `FsxFailure`
 * whose message is a report: the seed, the options, the last ops, the op
 * that last touched the bad offset, and where the replay file (every op, one
 * per line, parseable by `replayFsx`) and the expected image were saved.
 */

import * as hostFs from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import * as os from 'node:os';
import * as nodePath from 'node:path';
import { Prng, weightTable, type WeightTable } from './prng.js';

/** Anything with the shape of `node:fs` (the VFS's `fs`, or Node's own). */
export type FsLike = typeof import('node:fs');

export type FsxApi = 'sync' | 'promise';

export type FsxOpKind =
  | 'read'
  | 'readPastEof'
  | 'readv'
  | 'write'
  | 'writev'
  | 'append'
  | 'truncate'
  | 'readFile'
  | 'writeFile'
  | 'copyFile'
  | 'fsync'
  | 'fdatasync'
  | 'reopen';

/** One operation, fully described: the log line of an op is enough to redo it. */
export interface FsxOp {
  n: number;
  kind: FsxOpKind;
  api: FsxApi;
  /** File offset (read, write, the EOF an append expects). */
  off?: number;
  len?: number;
  /** Offset into the data pool the written bytes come from. */
  src?: number;
  /** Chunk lengths of readv/writev. */
  lens?: number[];
  /** New size of a truncate. */
  size?: number;
  /** Which descriptor or path form: 'rw', 'ro' for reads; 'fd', 'path' for truncate. */
  via?: string;
  /** reopen with O_TRUNC. */
  trunc?: boolean;
  /** Not part of the op: the expected size before and after it, for the report. */
  sizes?: [number, number];
}

export interface FsxOptions {
  /** The file under test; `${path}.copy` is used by copyFile. */
  path: string;
  seed: number;
  numOps: number;
  /** 'mixed' picks sync or promise per op, on the same FileHandles. */
  api: FsxApi | 'mixed';
  /** Length of the shadow window (the largest file for base 0). Default 1 MiB. */
  maxFileLen?: number;
  /** Largest read or write. Default 64 KiB. */
  maxOpLen?: number;
  /** Start of the shadow window; bytes below it are holes. Default 0. */
  base?: number;
  /** Alignment of offsets, lengths and truncate sizes. Default 1. */
  align?: number;
  /** Compare the whole file every this many ops (and at the end). Default 200. */
  fullCheckEvery?: number;
  /** Op weights; missing kinds get the defaults. Whole-file ops are off when base > 0. */
  weights?: Partial<Record<FsxOpKind, number>>;
  /** Ops kept for the report and the replay file. Default 100 000. */
  logSize?: number;
  /** Where a failure saves `<name>.fsxops` and `<name>.fsxgood`; null: do not save. Default os.tmpdir(). */
  reportDir?: string | null;
  /** Ops listed in the failure message. Default 40. */
  reportTail?: number;
}

export interface FsxResult {
  seed: number;
  ops: number;
  counts: Partial<Record<FsxOpKind, number>>;
  bytesWritten: number;
  bytesVerified: number;
  fullChecks: number;
  finalSize: number;
}

export class FsxFailure extends Error {
  constructor(
    message: string,
    readonly seed: number,
    readonly opNumber: number,
    cause?: unknown,
  ) {
    super(message, { cause });
    this.name = 'FsxFailure';
  }
}

export const DEFAULT_WEIGHTS: Record<FsxOpKind, number> = {
  read: 10,
  readPastEof: 1,
  readv: 3,
  write: 10,
  writev: 4,
  append: 4,
  truncate: 4,
  readFile: 0.5,
  writeFile: 0.3,
  copyFile: 0.3,
  fsync: 0.5,
  fdatasync: 0.5,
  reopen: 1,
};

const WHOLE_FILE_KINDS: FsxOpKind[] = ['readFile', 'writeFile', 'copyFile'];

/** Run `numOps` generated ops. Resolves with counts; rejects with FsxFailure. */
export async function runFsx(fs: FsLike, options: FsxOptions): Promise<FsxResult> {
  const fsx = new Fsx(fs, options);
  await fsx.start();
  return fsx.run(() => (fsx.done() ? undefined : fsx.generate()));
}

/**
 * Redo the ops of a replay file (the `.fsxops` a failure saved, or the op
 * lines of a report) with the same options. The file must start at op 1.
 */
export async function replayFsx(fs: FsLike, opsText: string, options: FsxOptions): Promise<FsxResult> {
  const ops = parseOps(opsText);
  const fsx = new Fsx(fs, { ...options, numOps: ops.length });
  await fsx.start();
  let i = 0;
  return fsx.run(() => ops[i++]);
}

export function formatOp(op: FsxOp): string {
  const parts = [`#${op.n}`, op.kind, `api=${op.api}`];
  if (op.via !== undefined) parts.push(`via=${op.via}`);
  if (op.off !== undefined) parts.push(`off=${hex(op.off)}`);
  if (op.len !== undefined) parts.push(`len=${hex(op.len)}`);
  if (op.lens !== undefined) parts.push(`lens=${op.lens.map(hex).join(',')}`);
  if (op.size !== undefined) parts.push(`size=${hex(op.size)}`);
  if (op.src !== undefined) parts.push(`src=${hex(op.src)}`);
  if (op.trunc !== undefined) parts.push(`trunc=${op.trunc ? 1 : 0}`);
  let line = parts.join(' ');
  if (op.sizes !== undefined && op.sizes[0] !== op.sizes[1]) line += `  ; size ${hex(op.sizes[0])} -> ${hex(op.sizes[1])}`;
  return line;
}

export function parseOps(text: string): FsxOp[] {
  const ops: FsxOp[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.split(';')[0]!.replace(/^[\s*]+/, '').trim();
    if (!line.startsWith('#')) continue;
    const [num, kind, ...rest] = line.split(/\s+/);
    const op: FsxOp = { n: Number(num!.slice(1)), kind: kind as FsxOpKind, api: 'sync' };
    for (const kv of rest) {
      const [k, v] = kv.split('=') as [string, string];
      if (k === 'api') op.api = v as FsxApi;
      else if (k === 'via') op.via = v;
      else if (k === 'lens') op.lens = v.split(',').map(Number);
      else if (k === 'trunc') op.trunc = v === '1';
      else if (k === 'off' || k === 'len' || k === 'size' || k === 'src') op[k] = Number(v);
    }
    if (!(op.kind in DEFAULT_WEIGHTS)) throw new SyntaxError(`bad fsx op line: ${raw}`);
    ops.push(op);
  }
  return ops;
}

function hex(n: number): string {
  return '0x' + n.toString(16);
}

interface Handle {
  fd: number;
  fh: FileHandle | undefined;
}

/** One call style (sync or promise) over handles; a sync call on a FileHandle uses its fd. */
interface Io {
  pread(h: Handle, buf: Uint8Array, pos: number): Promise<number>;
  pwrite(h: Handle, buf: Uint8Array, pos: number | null): Promise<number>;
  preadv(h: Handle, bufs: Uint8Array[], pos: number): Promise<number>;
  pwritev(h: Handle, bufs: Uint8Array[], pos: number): Promise<number>;
  ftruncate(h: Handle, len: number): Promise<void>;
  fsize(h: Handle): Promise<number>;
  fsync(h: Handle): Promise<void>;
  fdatasync(h: Handle): Promise<void>;
  truncate(path: string, len: number): Promise<void>;
  readFile(path: string): Promise<Uint8Array>;
  writeFile(path: string, data: Uint8Array): Promise<void>;
  copyFile(src: string, dst: string): Promise<void>;
  ino(path: string): Promise<number>;
}

function syncIo(fs: FsLike): Io {
  return {
    pread: async (h, buf, pos) => fs.readSync(h.fd, buf, 0, buf.length, pos),
    pwrite: async (h, buf, pos) => fs.writeSync(h.fd, buf, 0, buf.length, pos),
    preadv: async (h, bufs, pos) => fs.readvSync(h.fd, bufs, pos),
    pwritev: async (h, bufs, pos) => fs.writevSync(h.fd, bufs, pos),
    ftruncate: async (h, len) => fs.ftruncateSync(h.fd, len),
    fsize: async (h) => fs.fstatSync(h.fd).size,
    fsync: async (h) => fs.fsyncSync(h.fd),
    fdatasync: async (h) => fs.fdatasyncSync(h.fd),
    truncate: async (path, len) => fs.truncateSync(path, len),
    readFile: async (path) => fs.readFileSync(path),
    writeFile: async (path, data) => fs.writeFileSync(path, data),
    copyFile: async (src, dst) => fs.copyFileSync(src, dst),
    ino: async (path) => fs.statSync(path).ino,
  };
}

function promiseIo(fs: FsLike): Io {
  const p = fs.promises;
  const fh = (h: Handle): FileHandle => {
    if (h.fh === undefined) throw new Error('fsx: promise op on a descriptor opened without a FileHandle');
    return h.fh;
  };
  return {
    pread: async (h, buf, pos) => (await fh(h).read(buf, 0, buf.length, pos)).bytesRead,
    pwrite: async (h, buf, pos) => (await fh(h).write(buf, 0, buf.length, pos)).bytesWritten,
    preadv: async (h, bufs, pos) => (await fh(h).readv(bufs, pos)).bytesRead,
    pwritev: async (h, bufs, pos) => (await fh(h).writev(bufs, pos)).bytesWritten,
    ftruncate: async (h, len) => fh(h).truncate(len),
    fsize: async (h) => (await fh(h).stat()).size,
    fsync: async (h) => fh(h).sync(),
    fdatasync: async (h) => fh(h).datasync(),
    truncate: async (path, len) => p.truncate(path, len),
    readFile: async (path) => p.readFile(path),
    writeFile: async (path, data) => p.writeFile(path, data),
    copyFile: async (src, dst) => p.copyFile(src, dst),
    ino: async (path) => (await p.stat(path)).ino,
  };
}

const STAMP_EVERY = 64;

/** Internal signal: a check failed; carries what the report needs. */
class Mismatch extends Error {
  constructor(
    message: string,
    readonly badOffset?: number,
    readonly got?: number,
    readonly want?: number,
  ) {
    super(message);
  }
}

class Fsx {
  private readonly rng: Prng;
  private readonly opts: Required<Omit<FsxOptions, 'weights' | 'reportDir'>> & { reportDir: string | null };
  private readonly table: WeightTable<FsxOpKind>;
  private readonly base: number;
  private readonly len: number;
  private readonly shadow: Uint8Array;
  private readonly pool: Uint8Array;
  private readonly scratch: Uint8Array;
  private readonly sync: Io;
  private readonly promise: Io;
  private size = 0;
  private generated = 0;
  private readonly log: FsxOp[] = [];
  private logStart = 0;
  private rw: Handle | undefined;
  private app: Handle | undefined;
  private ro: Handle | undefined;
  private readonly result: FsxResult;

  constructor(
    private readonly fs: FsLike,
    options: FsxOptions,
  ) {
    const align = options.align ?? 1;
    const maxFileLen = options.maxFileLen ?? 1 << 20;
    const base = options.base ?? 0;
    if (maxFileLen % align !== 0 || base % align !== 0) throw new RangeError('fsx: maxFileLen and base must be multiples of align');
    this.opts = {
      path: options.path,
      seed: options.seed >>> 0,
      numOps: options.numOps,
      api: options.api,
      maxFileLen,
      maxOpLen: options.maxOpLen ?? 1 << 16,
      base,
      align,
      fullCheckEvery: options.fullCheckEvery ?? 200,
      logSize: options.logSize ?? 100_000,
      reportDir: options.reportDir === undefined ? os.tmpdir() : options.reportDir,
      reportTail: options.reportTail ?? 40,
    };
    const weights: Partial<Record<FsxOpKind, number>> = { ...DEFAULT_WEIGHTS, ...options.weights };
    // A sparse file is gigabytes long: whole-file reads and copies are out.
    if (base > 0) for (const k of WHOLE_FILE_KINDS) weights[k] = 0;
    this.table = weightTable(weights);
    this.rng = new Prng(this.opts.seed);
    this.base = base;
    this.len = maxFileLen;
    this.shadow = new Uint8Array(maxFileLen);
    this.pool = new Uint8Array(maxFileLen + this.opts.maxOpLen);
    new Prng(this.opts.seed ^ 0x5eed5eed).fillNonZero(this.pool);
    this.scratch = new Uint8Array(Math.max(maxFileLen, this.opts.maxOpLen));
    this.sync = syncIo(fs);
    this.promise = promiseIo(fs);
    this.result = {
      seed: this.opts.seed,
      ops: 0,
      counts: {},
      bytesWritten: 0,
      bytesVerified: 0,
      fullChecks: 0,
      finalSize: 0,
    };
  }

  done(): boolean {
    return this.generated >= this.opts.numOps;
  }

  async start(): Promise<void> {
    try {
      await this.openAll(true);
    } catch (err) {
      throw this.failure(undefined, `opening ${this.opts.path} failed: ${describe(err)}`, undefined, err);
    }
  }

  async run(next: () => FsxOp | undefined): Promise<FsxResult> {
    let op: FsxOp | undefined;
    let sinceCheck = 0;
    try {
      while ((op = next()) !== undefined) {
        this.record(op);
        const before = this.size;
        await this.apply(op);
        op.sizes = [before, this.size];
        await this.checkSize(op);
        this.result.ops++;
        this.result.counts[op.kind] = (this.result.counts[op.kind] ?? 0) + 1;
        if (++sinceCheck >= this.opts.fullCheckEvery) {
          sinceCheck = 0;
          await this.fullCheck();
        }
      }
      op = undefined;
      await this.fullCheck();
      await this.closeAll();
      this.result.finalSize = this.size;
      return this.result;
    } catch (err) {
      await this.closeAll().catch(() => {});
      if (err instanceof FsxFailure) throw err;
      if (err instanceof Mismatch) throw this.failure(op, err.message, err, err);
      throw this.failure(op, `${op ? op.kind : 'final check'} threw ${describe(err)}`, undefined, err);
    }
  }

  // ---- generation -------------------------------------------------------

  generate(): FsxOp {
    const n = ++this.generated;
    const kind = this.rng.weighted(this.table);
    const api: FsxApi = this.opts.api === 'mixed' ? (this.rng.chance(0.5) ? 'sync' : 'promise') : this.opts.api;
    const op: FsxOp = { n, kind, api };
    const { align, maxOpLen } = this.opts;
    const end = this.base + this.len;
    switch (kind) {
      case 'read':
      case 'readv': {
        const lo = this.readLow();
        const off = Math.max(lo, roundDown(lo + this.rng.below(this.size - lo), align));
        const len = Math.min(this.opLen(), Math.max(0, this.size - off));
        op.off = off;
        if (kind === 'read') {
          op.len = len;
          op.via = this.rng.chance(0.3) ? 'ro' : 'rw';
        } else op.lens = this.split(len);
        break;
      }
      case 'readPastEof': {
        const lo = this.readLow();
        op.off = lo + this.rng.below(this.size - lo + maxOpLen);
        op.len = this.rng.range(1, maxOpLen);
        break;
      }
      case 'write':
      case 'writev': {
        const off = this.base + roundDown(this.rng.below(this.len), align);
        const len = Math.min(this.opLen(), end - off);
        op.off = off;
        op.src = this.rng.below(this.pool.length - len + 1);
        if (kind === 'write') op.len = len;
        else op.lens = this.split(len);
        break;
      }
      case 'append': {
        // An append below the window (a sparse file cut short) cannot be shadowed: write nothing.
        const room = this.size < this.base ? 0 : end - this.size;
        const len = Math.min(this.opLen(), room);
        op.off = this.size;
        op.len = len;
        op.src = this.rng.below(this.pool.length - len + 1);
        break;
      }
      case 'truncate': {
        if (this.base > 0 && this.rng.chance(0.125)) op.size = roundDown(this.rng.below(this.len), align);
        else op.size = this.base + roundDown(this.rng.below(this.len + 1), align);
        op.via = this.rng.chance(0.25) ? 'path' : 'fd';
        break;
      }
      case 'writeFile': {
        const len = roundDown(this.rng.below(this.len + 1), align);
        op.len = len;
        op.src = this.rng.below(this.pool.length - len + 1);
        break;
      }
      case 'reopen':
        op.trunc = this.rng.chance(0.1);
        break;
      case 'readFile':
      case 'copyFile':
      case 'fsync':
      case 'fdatasync':
        break;
    }
    return op;
  }

  /** Lowest offset reads pick from: a little of the hole below a sparse window. */
  private readLow(): number {
    if (this.base === 0 || this.size <= this.base) return 0;
    return Math.max(0, this.base - 2 * this.opts.maxOpLen);
  }

  private opLen(): number {
    const { align, maxOpLen } = this.opts;
    const len = this.rng.below(maxOpLen + 1);
    return align > 1 ? Math.max(align, roundDown(len, align)) : len;
  }

  /** Split `len` into 1..5 chunks (some may be empty). */
  private split(len: number): number[] {
    const parts = this.rng.range(1, 5);
    const cuts: number[] = [];
    for (let i = 1; i < parts; i++) cuts.push(this.rng.below(len + 1));
    cuts.sort((a, b) => a - b);
    const lens: number[] = [];
    let prev = 0;
    for (const c of cuts) {
      lens.push(c - prev);
      prev = c;
    }
    lens.push(len - prev);
    return lens;
  }

  // ---- execution --------------------------------------------------------

  private io(op: FsxOp): Io {
    return op.api === 'sync' ? this.sync : this.promise;
  }

  private async apply(op: FsxOp): Promise<void> {
    const io = this.io(op);
    const rw = this.rw!;
    switch (op.kind) {
      case 'read': {
        const h = op.via === 'ro' ? this.ro! : rw;
        const buf = new Uint8Array(op.len!);
        const got = await io.pread(h, buf, op.off!);
        if (got !== op.len) throw new Mismatch(`short read: ${got} of ${op.len} bytes at ${hex(op.off!)} (size ${hex(this.size)})`);
        this.compare(buf, op.off!, 'read');
        break;
      }
      case 'readv': {
        const bufs = op.lens!.map((l) => new Uint8Array(l));
        const total = sum(op.lens!);
        const got = await io.preadv(rw, bufs, op.off!);
        if (got !== total) throw new Mismatch(`short readv: ${got} of ${total} bytes at ${hex(op.off!)}`);
        let off = op.off!;
        for (const b of bufs) {
          this.compare(b, off, 'readv');
          off += b.length;
        }
        break;
      }
      case 'readPastEof': {
        const buf = new Uint8Array(op.len!);
        const want = Math.max(0, Math.min(op.len!, this.size - op.off!));
        const got = await io.pread(rw, buf, op.off!);
        if (got !== want) {
          throw new Mismatch(`read of ${hex(op.len!)} at ${hex(op.off!)} across EOF ${hex(this.size)} returned ${got}, want ${want}`);
        }
        this.compare(buf.subarray(0, got), op.off!, 'read across EOF');
        break;
      }
      case 'write': {
        const data = this.data(op.n, op.off!, op.len!, op.src!);
        const got = await io.pwrite(rw, data, op.off!);
        if (got !== op.len) throw new Mismatch(`short write: ${got} of ${op.len} bytes at ${hex(op.off!)}`);
        this.shadowWrite(data, op.off!);
        break;
      }
      case 'writev': {
        const total = sum(op.lens!);
        const data = this.data(op.n, op.off!, total, op.src!);
        const bufs: Uint8Array[] = [];
        let at = 0;
        for (const l of op.lens!) {
          bufs.push(data.subarray(at, at + l));
          at += l;
        }
        const got = await io.pwritev(rw, bufs, op.off!);
        if (got !== total) throw new Mismatch(`short writev: ${got} of ${total} bytes at ${hex(op.off!)}`);
        this.shadowWrite(data, op.off!);
        break;
      }
      case 'append': {
        // The descriptor is O_APPEND: the data must land at the current EOF.
        const off = this.size;
        const data = this.data(op.n, off, op.len!, op.src!);
        const got = await io.pwrite(this.app!, data, null);
        if (got !== op.len) throw new Mismatch(`short append: ${got} of ${op.len} bytes at EOF ${hex(off)}`);
        this.shadowWrite(data, off);
        break;
      }
      case 'truncate': {
        if (op.via === 'path') await io.truncate(this.opts.path, op.size!);
        else await io.ftruncate(rw, op.size!);
        this.shadowTruncate(op.size!);
        break;
      }
      case 'readFile': {
        const data = await io.readFile(this.opts.path);
        if (data.length !== this.size) throw new Mismatch(`readFile returned ${data.length} bytes, size is ${this.size}`);
        this.compare(data, 0, 'readFile');
        break;
      }
      case 'writeFile': {
        const data = this.data(op.n, 0, op.len!, op.src!);
        await io.writeFile(this.opts.path, data);
        this.shadowTruncate(0);
        this.shadowWrite(data, 0);
        break;
      }
      case 'copyFile': {
        // Copy out, check the copy, copy back over the original: Node keeps
        // the destination's inode (open descriptors keep seeing the file).
        const side = `${this.opts.path}.copy`;
        const ino = await io.ino(this.opts.path);
        await io.copyFile(this.opts.path, side);
        const copy = await io.readFile(side);
        if (copy.length !== this.size) throw new Mismatch(`copyFile: the copy has ${copy.length} bytes, the file ${this.size}`);
        this.compare(copy, 0, 'copyFile copy');
        await io.copyFile(side, this.opts.path);
        const after = await io.ino(this.opts.path);
        if (after !== ino) throw new Mismatch(`copyFile onto an existing file replaced its inode (${ino} -> ${after})`);
        break;
      }
      case 'fsync':
        await io.fsync(rw);
        break;
      case 'fdatasync':
        await io.fdatasync(rw);
        break;
      case 'reopen':
        await this.closeAll();
        await this.openAll(op.trunc === true);
        if (op.trunc) this.shadowTruncate(0);
        break;
    }
  }

  /** Op data: pool bytes with the op stamp at every 64th file offset. */
  private data(n: number, off: number, len: number, src: number): Uint8Array {
    const out = this.scratch.subarray(0, len);
    out.set(this.pool.subarray(src, src + len));
    const stamp = (n % 255) + 1;
    for (let i = (STAMP_EVERY - (off % STAMP_EVERY)) % STAMP_EVERY; i < len; i += STAMP_EVERY) out[i] = stamp;
    this.result.bytesWritten += len;
    return out;
  }

  private shadowWrite(data: Uint8Array, off: number): void {
    if (data.length === 0) return;
    this.shadow.set(data, off - this.base);
    this.size = Math.max(this.size, off + data.length);
  }

  private shadowTruncate(size: number): void {
    // Keep the shadow zero past EOF, so growing later needs no work.
    if (size < this.size) {
      const from = Math.max(size, this.base) - this.base;
      const to = Math.min(this.size, this.base + this.len) - this.base;
      if (to > from) this.shadow.fill(0, from, to);
    }
    this.size = size;
  }

  /** What the file holds at [off, off + len). */
  private expected(off: number, len: number): Uint8Array {
    if (off >= this.base) return this.shadow.subarray(off - this.base, off - this.base + len);
    const out = new Uint8Array(len);
    if (off + len > this.base) out.set(this.shadow.subarray(0, off + len - this.base), this.base - off);
    return out;
  }

  private compare(got: Uint8Array, off: number, what: string): void {
    const want = this.expected(off, got.length);
    this.result.bytesVerified += got.length;
    if (Buffer.from(got.buffer, got.byteOffset, got.length).equals(Buffer.from(want.buffer, want.byteOffset, want.length))) return;
    let i = 0;
    while (got[i] === want[i]) i++;
    let bad = 0;
    for (let k = i; k < got.length; k++) if (got[k] !== want[k]) bad++;
    throw new Mismatch(
      `${what} of ${hex(got.length)} bytes at ${hex(off)}: ${bad} bad bytes, first at ${hex(off + i)}: got ${hex(got[i]!)}, want ${hex(want[i]!)}`,
      off + i,
      got[i],
      want[i],
    );
  }

  private async checkSize(op: FsxOp): Promise<void> {
    const got = await this.io(op).fsize(this.rw!);
    if (got !== this.size) throw new Mismatch(`fstat size ${hex(got)} after the op, want ${hex(this.size)}`);
  }

  /** Whole-window compare through the read-only descriptor, and probes into the hole below it. */
  private async fullCheck(): Promise<void> {
    this.result.fullChecks++;
    for (const [name, h] of [
      ['rw', this.rw!],
      ['append', this.app!],
      ['ro', this.ro!],
    ] as const) {
      const got = await this.sync.fsize(h);
      if (got !== this.size) throw new Mismatch(`full check: fstat size ${hex(got)} on the ${name} descriptor, want ${hex(this.size)}`);
    }
    const chunk = 1 << 18;
    const lo = this.base > 0 && this.size > this.base ? this.base : 0;
    for (let off = lo; off < this.size; off += chunk) {
      const len = Math.min(chunk, this.size - off);
      const buf = new Uint8Array(len);
      const got = await this.sync.pread(this.ro!, buf, off);
      if (got !== len) throw new Mismatch(`full check: short read ${got} of ${len} at ${hex(off)}`);
      this.compare(buf, off, 'full check');
    }
    if (this.base > 0) {
      const holeEnd = Math.min(this.size, this.base);
      // Fixed probes plus ones derived from the check count (no PRNG draw, so replay stays exact).
      const probes = [0, holeEnd >>> 1, holeEnd - 4096, ((this.result.fullChecks * 0x9e3779b1) >>> 0) % Math.max(1, holeEnd)];
      for (const p of probes) {
        const off = Math.max(0, p);
        const len = Math.min(4096, holeEnd - off);
        if (len <= 0) continue;
        const buf = new Uint8Array(len);
        const got = await this.sync.pread(this.ro!, buf, off);
        if (got !== len) throw new Mismatch(`hole probe: short read ${got} of ${len} at ${hex(off)}`);
        this.compare(buf, off, 'hole probe');
      }
    }
  }

  private async openAll(truncate: boolean): Promise<void> {
    const open = async (flags: string): Promise<Handle> => {
      if (this.opts.api === 'sync') return { fd: this.fs.openSync(this.opts.path, flags, 0o644), fh: undefined };
      const fh = await this.fs.promises.open(this.opts.path, flags, 0o644);
      return { fd: fh.fd, fh };
    };
    this.rw = await open(truncate ? 'w+' : 'r+');
    this.app = await open('a');
    this.ro = await open('r');
  }

  private async closeAll(): Promise<void> {
    for (const h of [this.rw, this.app, this.ro]) {
      if (h === undefined) continue;
      if (h.fh !== undefined) await h.fh.close();
      else this.fs.closeSync(h.fd);
    }
    this.rw = this.app = this.ro = undefined;
  }

  // ---- the log and the failure report -------------------------------------

  private record(op: FsxOp): void {
    if (this.log.length - this.logStart >= this.opts.logSize) {
      this.logStart++;
      if (this.logStart > 4096) {
        this.log.splice(0, this.logStart);
        this.logStart = 0;
      }
    }
    this.log.push(op);
  }

  private loggedOps(): FsxOp[] {
    return this.log.slice(this.logStart);
  }

  private failure(op: FsxOp | undefined, what: string, mismatch?: Mismatch, cause?: unknown): FsxFailure {
    const o = this.opts;
    const lines: string[] = [];
    const at = op ? `op #${op.n} (${op.kind}, ${op.api})` : 'the final check';
    lines.push(`fsx: ${what}`);
    lines.push(`  seed ${o.seed}, at ${at}; expected file size ${hex(this.size)}`);
    lines.push(`  options: ${JSON.stringify(o)}`);
    lines.push(`  reproduce: runFsx(fs, <options above>) runs the same ops; FSRANDOM_SEED=${o.seed} reruns the test with this seed`);
    const logged = this.loggedOps();
    if (mismatch?.badOffset !== undefined) {
      const bad = mismatch.badOffset;
      const touching = logged.filter((l) => touches(l, bad)).slice(-5);
      lines.push(`  ops that last touched ${hex(bad)}: ${touching.length ? '' : '(none in the log)'}`);
      for (const t of touching) lines.push(`    ${formatOp(t)}`);
      if (bad % STAMP_EVERY === 0 && mismatch.got !== undefined && mismatch.got !== 0) {
        const from = logged.filter((l) => (l.n % 255) + 1 === mismatch.got && touches(l, bad)).pop();
        lines.push(
          `  the bad byte ${hex(mismatch.got)} is an op stamp: op number ≡ ${mismatch.got - 1} (mod 255)` +
            (from ? `; it matches #${from.n} ${from.kind}` : ''),
        );
      }
    }
    const tail = logged.slice(-o.reportTail);
    lines.push(`  last ${tail.length} ops (of ${this.generated}):`);
    for (const t of tail) lines.push(`  ${op && t.n === op.n ? '*' : ' '} ${formatOp(t)}`);
    if (o.reportDir !== null) {
      try {
        const stem = nodePath.join(o.reportDir, `fsx-${o.seed}-${process.pid}-${Date.now()}`);
        const header = `; fsx replay, seed ${o.seed}, ${logged[0]?.n === 1 ? 'complete' : 'INCOMPLETE (ring overflowed)'}\n`;
        hostFs.writeFileSync(`${stem}.fsxops`, header + logged.map(formatOp).join('\n') + '\n');
        hostFs.writeFileSync(`${stem}.fsxgood`, this.shadow.subarray(0, Math.max(0, Math.min(this.size - this.base, this.len))));
        lines.push(`  saved: ${stem}.fsxops (replayFsx), ${stem}.fsxgood (expected bytes from ${hex(this.base)})`);
      } catch (err) {
        lines.push(`  (could not save the replay files: ${describe(err)})`);
      }
    }
    return new FsxFailure(lines.join('\n'), o.seed, op?.n ?? this.generated, cause);
  }
}

/** Whether `op` wrote (or truncated) the byte at `off`. */
function touches(op: FsxOp, off: number): boolean {
  switch (op.kind) {
    case 'write':
    case 'append':
      return op.off! <= off && off < op.off! + op.len!;
    case 'writev':
      return op.off! <= off && off < op.off! + sum(op.lens!);
    case 'writeFile':
      return off < op.len!;
    case 'truncate':
    case 'reopen':
      // Cut off, or zero-filled by growing. Without sizes (a parsed log) assume it did.
      return op.sizes === undefined || off >= Math.min(op.sizes[0], op.sizes[1]);
    default:
      return false;
  }
}

function roundDown(n: number, align: number): number {
  return n - (n % align);
}

function sum(xs: number[]): number {
  let s = 0;
  for (const x of xs) s += x;
  return s;
}

function describe(err: unknown): string {
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    return `${err.name}${code ? ` ${String(code)}` : ''}: ${err.message}`;
  }
  return String(err);
}
