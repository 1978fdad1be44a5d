/**
 * `Stats`, `BigIntStats` and `StatFs`, with Node 20's fields.
 *
 * A Stats is built fresh per call from the kernel's StatBuf. The numeric
 * fields are own properties (as in Node); the four Date fields are computed
 * on first read from the *Ms fields and then kept, so a stat that nobody asks
 * the dates of costs no Date objects.
 */

import { S_IFBLK, S_IFCHR, S_IFDIR, S_IFIFO, S_IFLNK, S_IFMT, S_IFREG, S_IFSOCK } from '../constants.js';
import { St, type StatBuf, type StatFs as KernelStatFs } from '../vfs/sys.js';

const S_IFMT_N = BigInt(S_IFMT);

function isType(mode: number | bigint, type: number): boolean {
  return typeof mode === 'bigint' ? (mode & S_IFMT_N) === BigInt(type) : (mode & S_IFMT) === type;
}

/** The type predicates shared by Stats, BigIntStats (and Dirent, by its own type). */
abstract class StatsBase<T extends number | bigint> {
  declare dev: T;
  declare mode: T;
  declare nlink: T;
  declare uid: T;
  declare gid: T;
  declare rdev: T;
  declare blksize: T;
  declare ino: T;
  declare size: T;
  declare blocks: T;
  declare atimeMs: T;
  declare mtimeMs: T;
  declare ctimeMs: T;
  declare birthtimeMs: T;
  declare atime: Date;
  declare mtime: Date;
  declare ctime: Date;
  declare birthtime: Date;

  isFile(): boolean {
    return isType(this.mode, S_IFREG);
  }
  isDirectory(): boolean {
    return isType(this.mode, S_IFDIR);
  }
  isSymbolicLink(): boolean {
    return isType(this.mode, S_IFLNK);
  }
  isFIFO(): boolean {
    return isType(this.mode, S_IFIFO);
  }
  isSocket(): boolean {
    return isType(this.mode, S_IFSOCK);
  }
  isCharacterDevice(): boolean {
    return isType(this.mode, S_IFCHR);
  }
  isBlockDevice(): boolean {
    return isType(this.mode, S_IFBLK);
  }
}

/** Define lazy `atime`..`birthtime` on a prototype: computed once from `<name>Ms`, assignable. */
function defineLazyDates(proto: object): void {
  for (const name of ['atime', 'mtime', 'ctime', 'birthtime']) {
    const msKey = `${name}Ms`;
    Object.defineProperty(proto, name, {
      configurable: true,
      enumerable: false,
      get(this: Record<string, unknown>): Date {
        const ms = this[msKey];
        const date = new Date(typeof ms === 'bigint' ? Number(ms) : Math.round(ms as number));
        Object.defineProperty(this, name, { value: date, writable: true, configurable: true, enumerable: false });
        return date;
      },
      set(this: object, value: unknown) {
        Object.defineProperty(this, name, { value, writable: true, configurable: true, enumerable: true });
      },
    });
  }
}

/** File status with number fields (Node's fs.Stats). */
export class Stats extends StatsBase<number> {
  constructor(
    dev: number,
    mode: number,
    nlink: number,
    uid: number,
    gid: number,
    rdev: number,
    blksize: number,
    ino: number,
    size: number,
    blocks: number,
    atimeMs: number,
    mtimeMs: number,
    ctimeMs: number,
    birthtimeMs: number,
  ) {
    super();
    this.dev = dev;
    this.mode = mode;
    this.nlink = nlink;
    this.uid = uid;
    this.gid = gid;
    this.rdev = rdev;
    this.blksize = blksize;
    this.ino = ino;
    this.size = size;
    this.blocks = blocks;
    this.atimeMs = atimeMs;
    this.mtimeMs = mtimeMs;
    this.ctimeMs = ctimeMs;
    this.birthtimeMs = birthtimeMs;
  }
}
defineLazyDates(Stats.prototype);

/** File status with bigint fields and nanosecond times (`{ bigint: true }`). */
export class BigIntStats extends StatsBase<bigint> {
  declare atimeNs: bigint;
  declare mtimeNs: bigint;
  declare ctimeNs: bigint;
  declare birthtimeNs: bigint;

  constructor(
    dev: bigint,
    mode: bigint,
    nlink: bigint,
    uid: bigint,
    gid: bigint,
    rdev: bigint,
    blksize: bigint,
    ino: bigint,
    size: bigint,
    blocks: bigint,
    atimeNs: bigint,
    mtimeNs: bigint,
    ctimeNs: bigint,
    birthtimeNs: bigint,
  ) {
    super();
    this.dev = dev;
    this.mode = mode;
    this.nlink = nlink;
    this.uid = uid;
    this.gid = gid;
    this.rdev = rdev;
    this.blksize = blksize;
    this.ino = ino;
    this.size = size;
    this.blocks = blocks;
    this.atimeMs = atimeNs / 1000000n;
    this.mtimeMs = mtimeNs / 1000000n;
    this.ctimeMs = ctimeNs / 1000000n;
    this.birthtimeMs = birthtimeNs / 1000000n;
    this.atimeNs = atimeNs;
    this.mtimeNs = mtimeNs;
    this.ctimeNs = ctimeNs;
    this.birthtimeNs = birthtimeNs;
  }
}
defineLazyDates(BigIntStats.prototype);

function ms(buf: StatBuf, sec: number): number {
  return buf[sec]! * 1e3 + buf[sec + 1]! / 1e6;
}

function ns(buf: StatBuf, sec: number): bigint {
  return BigInt(buf[sec]!) * 1000000000n + BigInt(buf[sec + 1]!);
}

/** A fresh Stats from a StatBuf. */
export function toStats(buf: StatBuf): Stats {
  return new Stats(
    buf[St.Dev]!,
    buf[St.Mode]!,
    buf[St.Nlink]!,
    buf[St.Uid]!,
    buf[St.Gid]!,
    buf[St.Rdev]!,
    buf[St.Blksize]!,
    buf[St.Ino]!,
    buf[St.Size]!,
    buf[St.Blocks]!,
    ms(buf, St.AtimeSec),
    ms(buf, St.MtimeSec),
    ms(buf, St.CtimeSec),
    ms(buf, St.BirthtimeSec),
  );
}

/** A fresh BigIntStats from a StatBuf. */
export function toBigIntStats(buf: StatBuf): BigIntStats {
  return new BigIntStats(
    BigInt(buf[St.Dev]!),
    BigInt(buf[St.Mode]!),
    BigInt(buf[St.Nlink]!),
    BigInt(buf[St.Uid]!),
    BigInt(buf[St.Gid]!),
    BigInt(buf[St.Rdev]!),
    BigInt(buf[St.Blksize]!),
    BigInt(buf[St.Ino]!),
    BigInt(buf[St.Size]!),
    BigInt(buf[St.Blocks]!),
    ns(buf, St.AtimeSec),
    ns(buf, St.MtimeSec),
    ns(buf, St.CtimeSec),
    ns(buf, St.BirthtimeSec),
  );
}

/** Stats or BigIntStats as the options ask. */
export function makeStats(buf: StatBuf, bigint: boolean): Stats | BigIntStats {
  return bigint ? toBigIntStats(buf) : toStats(buf);
}

/** Zeroed stats: what watchFile reports for a missing file. */
export function zeroStats(bigint: boolean): Stats | BigIntStats {
  const buf = new Float64Array(St.Flags + 1);
  return makeStats(buf, bigint);
}

/** File-system statistics (Node's StatFs); `bigint` gives bigint fields. */
export class StatFs<T extends number | bigint = number> {
  type: T;
  bsize: T;
  blocks: T;
  bfree: T;
  bavail: T;
  files: T;
  ffree: T;

  constructor(type: T, bsize: T, blocks: T, bfree: T, bavail: T, files: T, ffree: T) {
    this.type = type;
    this.bsize = bsize;
    this.blocks = blocks;
    this.bfree = bfree;
    this.bavail = bavail;
    this.files = files;
    this.ffree = ffree;
  }
}

export function toStatFs(s: KernelStatFs, bigint: boolean): StatFs<number> | StatFs<bigint> {
  if (bigint) {
    const b = BigInt;
    return new StatFs<bigint>(b(s.type), b(s.bsize), b(s.blocks), b(s.bfree), b(s.bavail), b(s.files), b(s.ffree));
  }
  return new StatFs<number>(s.type, s.bsize, s.blocks, s.bfree, s.bavail, s.files, s.ffree);
}
