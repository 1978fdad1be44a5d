/**
 * Public types of the fs facade: the `VfsFs` interface (what
 * createVfs().fs is) and its option types. Modelled on node:fs's own
 * signatures, with overloads where the result type follows the options
 * (encodings, withFileTypes, bigint).
 */

import type { Buffer } from 'node:buffer';
import type { Dir } from './dir.js';
import type { Dirent } from './dirent.js';
import type { FileHandle, LockInfo, LockOptions } from './file-handle.js';
import type { FsConstants } from './constants.js';
import type { BigIntStats, StatFs, Stats } from './stats.js';
import type { ReadStreamBase, ReadStreamOptions, WriteStreamBase, WriteStreamOptions } from './streams.js';
import type { FSWatcher, StatWatcher, WatchEventResult } from './watch.js';
import type { WriteFileData } from './write-data.js';

export type { LockInfo, LockOptions, ReadStreamOptions, WriteStreamOptions, WatchEventResult, WriteFileData };

export type PathLike = string | Uint8Array | URL;
export type PathOrFd = PathLike | number;
export type OpenFlags = string | number;
export type Mode = number | string;
export type TimeLike = number | string | Date;
export type BufferEncodingOption = 'buffer' | { encoding: 'buffer' };
export type EncodingOption = BufferEncoding | { encoding?: BufferEncoding | null } | null | undefined;
export type AnyStats = Stats | BigIntStats;

/** Errors passed to callbacks: Node-shaped (code, errno, syscall, path, dest). */
export type FsError = Error & { code?: string; errno?: number; syscall?: string; path?: string; dest?: string };
export type Callback<T> = (err: FsError | null, result: T) => void;
export type NoResultCallback = (err: FsError | null) => void;

export interface StatOptions {
  bigint?: boolean;
}
export interface StatSyncOptions extends StatOptions {
  throwIfNoEntry?: boolean;
}
export interface MakeDirectoryOptions {
  recursive?: boolean;
  mode?: Mode;
}
export interface RmOptions {
  force?: boolean;
  recursive?: boolean;
  maxRetries?: number;
  retryDelay?: number;
}
export interface RmDirOptions {
  recursive?: boolean;
  maxRetries?: number;
  retryDelay?: number;
}
export interface ReaddirOptions {
  encoding?: BufferEncoding | 'buffer' | null;
  withFileTypes?: boolean;
  recursive?: boolean;
}
export interface CopyOptions {
  dereference?: boolean;
  errorOnExist?: boolean;
  filter?: (src: string, dest: string) => boolean | Promise<boolean>;
  force?: boolean;
  mode?: number;
  preserveTimestamps?: boolean;
  recursive?: boolean;
  verbatimSymlinks?: boolean;
}
export interface ReadFileOptions {
  encoding?: BufferEncoding | null;
  flag?: OpenFlags;
  signal?: AbortSignal;
}
export interface WriteFileOptions {
  encoding?: BufferEncoding | null;
  mode?: Mode;
  flag?: OpenFlags;
  flush?: boolean;
  signal?: AbortSignal;
}
export interface OpenDirOptions {
  encoding?: BufferEncoding | 'buffer' | null;
  bufferSize?: number;
  recursive?: boolean;
}
export interface WatchOptions {
  persistent?: boolean;
  recursive?: boolean;
  encoding?: BufferEncoding | 'buffer' | null;
  signal?: AbortSignal;
}
export interface WatchFileOptions {
  persistent?: boolean;
  interval?: number;
  bigint?: boolean;
}
export interface ReadSyncOptions {
  offset?: number;
  length?: number;
  position?: number | bigint | null;
}
export type WatchListener = (eventType: 'rename' | 'change', filename: string | Buffer | null) => void;
export type StatsListener = (curr: AnyStats, prev: AnyStats) => void;

type Names = string[] | Buffer[] | Dirent<string>[] | Dirent<Buffer>[];
type ReaddirFileTypes = ReaddirOptions & { withFileTypes: true };

/** The *Sync functions. */
export interface VfsFsSync {
  existsSync(path: PathLike): boolean;
  accessSync(path: PathLike, mode?: number): void;
  statSync(path: PathLike, options?: StatSyncOptions & { bigint?: false; throwIfNoEntry?: true }): Stats;
  statSync(path: PathLike, options: StatSyncOptions & { bigint: true; throwIfNoEntry?: true }): BigIntStats;
  statSync(path: PathLike, options: StatSyncOptions & { bigint?: false; throwIfNoEntry: false }): Stats | undefined;
  statSync(path: PathLike, options: StatSyncOptions & { bigint: true; throwIfNoEntry: false }): BigIntStats | undefined;
  statSync(path: PathLike, options?: StatSyncOptions): AnyStats | undefined;
  lstatSync(path: PathLike, options?: StatSyncOptions & { bigint?: false; throwIfNoEntry?: true }): Stats;
  lstatSync(path: PathLike, options: StatSyncOptions & { bigint: true; throwIfNoEntry?: true }): BigIntStats;
  lstatSync(path: PathLike, options: StatSyncOptions & { bigint?: false; throwIfNoEntry: false }): Stats | undefined;
  lstatSync(path: PathLike, options?: StatSyncOptions): AnyStats | undefined;
  fstatSync(fd: number, options?: { bigint?: false }): Stats;
  fstatSync(fd: number, options: { bigint: true }): BigIntStats;
  statfsSync(path: PathLike, options?: { bigint?: false }): StatFs<number>;
  statfsSync(path: PathLike, options: { bigint: true }): StatFs<bigint>;
  readlinkSync(path: PathLike, options?: EncodingOption): string;
  readlinkSync(path: PathLike, options: BufferEncodingOption): Buffer;
  realpathSync: {
    (path: PathLike, options?: EncodingOption): string;
    (path: PathLike, options: BufferEncodingOption): Buffer;
    native: {
      (path: PathLike, options?: EncodingOption): string;
      (path: PathLike, options: BufferEncodingOption): Buffer;
    };
  };
  readdirSync(path: PathLike, options?: BufferEncoding | (ReaddirOptions & { withFileTypes?: false; encoding?: BufferEncoding | null }) | null): string[];
  readdirSync(path: PathLike, options: 'buffer' | (ReaddirOptions & { withFileTypes?: false; encoding: 'buffer' })): Buffer[];
  readdirSync(path: PathLike, options: ReaddirFileTypes & { encoding: 'buffer' }): Dirent<Buffer>[];
  readdirSync(path: PathLike, options: ReaddirFileTypes): Dirent<string>[];
  readdirSync(path: PathLike, options?: ReaddirOptions | BufferEncoding | 'buffer' | null): Names;
  opendirSync(path: PathLike, options?: OpenDirOptions): Dir;
  mkdirSync(path: PathLike, options: MakeDirectoryOptions & { recursive: true }): string | undefined;
  mkdirSync(path: PathLike, options?: Mode | MakeDirectoryOptions | null): string | undefined;
  mkdtempSync(prefix: PathLike, options?: EncodingOption): string;
  mkdtempSync(prefix: PathLike, options: BufferEncodingOption): Buffer;
  rmdirSync(path: PathLike, options?: RmDirOptions): void;
  rmSync(path: PathLike, options?: RmOptions): void;
  unlinkSync(path: PathLike): void;
  renameSync(oldPath: PathLike, newPath: PathLike): void;
  linkSync(existingPath: PathLike, newPath: PathLike): void;
  symlinkSync(target: PathLike, path: PathLike, type?: 'dir' | 'file' | 'junction' | null): void;
  mknodSync(path: PathLike, mode?: Mode, dev?: number): void;
  mkfifoSync(path: PathLike, mode?: Mode): void;
  chmodSync(path: PathLike, mode: Mode): void;
  lchmodSync(path: PathLike, mode: Mode): void;
  fchmodSync(fd: number, mode: Mode): void;
  chownSync(path: PathLike, uid: number, gid: number): void;
  lchownSync(path: PathLike, uid: number, gid: number): void;
  fchownSync(fd: number, uid: number, gid: number): void;
  utimesSync(path: PathLike, atime: TimeLike, mtime: TimeLike): void;
  lutimesSync(path: PathLike, atime: TimeLike, mtime: TimeLike): void;
  futimesSync(fd: number, atime: TimeLike, mtime: TimeLike): void;
  chflagsSync(path: PathLike, flags: number): void;
  truncateSync(path: PathOrFd, len?: number): void;
  ftruncateSync(fd: number, len?: number): void;
  copyFileSync(src: PathLike, dest: PathLike, mode?: number): void;
  cpSync(src: PathLike, dest: PathLike, options?: CopyOptions): void;
  readFileSync(path: PathOrFd, options?: { encoding?: null; flag?: OpenFlags } | null): Buffer;
  readFileSync(path: PathOrFd, options: BufferEncoding | { encoding: BufferEncoding; flag?: OpenFlags }): string;
  readFileSync(path: PathOrFd, options?: BufferEncoding | ReadFileOptions | null): string | Buffer;
  writeFileSync(path: PathOrFd, data: string | ArrayBufferView, options?: BufferEncoding | WriteFileOptions | null): void;
  appendFileSync(path: PathOrFd, data: string | ArrayBufferView, options?: BufferEncoding | WriteFileOptions | null): void;
  openSync(path: PathLike, flags?: OpenFlags, mode?: Mode | null): number;
  closeSync(fd: number): void;
  readSync(fd: number, buffer: ArrayBufferView, offset?: number | null, length?: number | null, position?: number | bigint | null): number;
  readSync(fd: number, buffer: ArrayBufferView, options?: ReadSyncOptions | null): number;
  writeSync(fd: number, buffer: ArrayBufferView, offset?: number | null, length?: number | null, position?: number | null): number;
  writeSync(fd: number, buffer: ArrayBufferView, options?: { offset?: number; length?: number; position?: number | null }): number;
  writeSync(fd: number, string: string, position?: number | null, encoding?: BufferEncoding | null): number;
  readvSync(fd: number, buffers: readonly ArrayBufferView[], position?: number | null): number;
  writevSync(fd: number, buffers: readonly ArrayBufferView[], position?: number | null): number;
  fsyncSync(fd: number): void;
  fdatasyncSync(fd: number): void;
}

/** The callback functions. */
export interface VfsFsCallbacks {
  access(path: PathLike, callback: NoResultCallback): void;
  access(path: PathLike, mode: number | undefined, callback: NoResultCallback): void;
  exists(path: PathLike, callback: (exists: boolean) => void): void;
  stat(path: PathLike, callback: Callback<Stats>): void;
  stat(path: PathLike, options: StatOptions & { bigint?: false } | undefined, callback: Callback<Stats>): void;
  stat(path: PathLike, options: StatOptions & { bigint: true }, callback: Callback<BigIntStats>): void;
  lstat(path: PathLike, callback: Callback<Stats>): void;
  lstat(path: PathLike, options: StatOptions & { bigint?: false } | undefined, callback: Callback<Stats>): void;
  lstat(path: PathLike, options: StatOptions & { bigint: true }, callback: Callback<BigIntStats>): void;
  fstat(fd: number, callback: Callback<Stats>): void;
  fstat(fd: number, options: StatOptions & { bigint?: false } | undefined, callback: Callback<Stats>): void;
  fstat(fd: number, options: StatOptions & { bigint: true }, callback: Callback<BigIntStats>): void;
  statfs(path: PathLike, callback: Callback<StatFs<number>>): void;
  statfs(path: PathLike, options: { bigint?: false } | undefined, callback: Callback<StatFs<number>>): void;
  statfs(path: PathLike, options: { bigint: true }, callback: Callback<StatFs<bigint>>): void;
  readlink(path: PathLike, callback: Callback<string>): void;
  readlink(path: PathLike, options: EncodingOption, callback: Callback<string>): void;
  readlink(path: PathLike, options: BufferEncodingOption, callback: Callback<Buffer>): void;
  realpath: {
    (path: PathLike, callback: Callback<string>): void;
    (path: PathLike, options: EncodingOption, callback: Callback<string>): void;
    (path: PathLike, options: BufferEncodingOption, callback: Callback<Buffer>): void;
    native: {
      (path: PathLike, callback: Callback<string>): void;
      (path: PathLike, options: EncodingOption, callback: Callback<string>): void;
      (path: PathLike, options: BufferEncodingOption, callback: Callback<Buffer>): void;
    };
  };
  readdir(path: PathLike, callback: Callback<string[]>): void;
  readdir(path: PathLike, options: ReaddirFileTypes, callback: Callback<Dirent<string>[]>): void;
  readdir(path: PathLike, options: 'buffer' | (ReaddirOptions & { encoding: 'buffer' }), callback: Callback<Buffer[]>): void;
  readdir(path: PathLike, options: BufferEncoding | ReaddirOptions | null | undefined, callback: Callback<string[]>): void;
  opendir(path: PathLike, callback: Callback<Dir>): void;
  opendir(path: PathLike, options: OpenDirOptions | undefined, callback: Callback<Dir>): void;
  mkdir(path: PathLike, callback: NoResultCallback): void;
  mkdir(path: PathLike, options: Mode | MakeDirectoryOptions | null | undefined, callback: Callback<string | undefined>): void;
  mkdtemp(prefix: PathLike, callback: Callback<string>): void;
  mkdtemp(prefix: PathLike, options: EncodingOption, callback: Callback<string>): void;
  mkdtemp(prefix: PathLike, options: BufferEncodingOption, callback: Callback<Buffer>): void;
  rmdir(path: PathLike, callback: NoResultCallback): void;
  rmdir(path: PathLike, options: RmDirOptions | undefined, callback: NoResultCallback): void;
  rm(path: PathLike, callback: NoResultCallback): void;
  rm(path: PathLike, options: RmOptions | undefined, callback: NoResultCallback): void;
  unlink(path: PathLike, callback: NoResultCallback): void;
  rename(oldPath: PathLike, newPath: PathLike, callback: NoResultCallback): void;
  link(existingPath: PathLike, newPath: PathLike, callback: NoResultCallback): void;
  symlink(target: PathLike, path: PathLike, callback: NoResultCallback): void;
  symlink(target: PathLike, path: PathLike, type: 'dir' | 'file' | 'junction' | null | undefined, callback: NoResultCallback): void;
  mknod(path: PathLike, mode: Mode, dev: number, callback: NoResultCallback): void;
  mknod(path: PathLike, mode: Mode, callback: NoResultCallback): void;
  mkfifo(path: PathLike, callback: NoResultCallback): void;
  mkfifo(path: PathLike, mode: Mode | undefined, callback: NoResultCallback): void;
  chmod(path: PathLike, mode: Mode, callback: NoResultCallback): void;
  lchmod(path: PathLike, mode: Mode, callback: NoResultCallback): void;
  fchmod(fd: number, mode: Mode, callback: NoResultCallback): void;
  chown(path: PathLike, uid: number, gid: number, callback: NoResultCallback): void;
  lchown(path: PathLike, uid: number, gid: number, callback: NoResultCallback): void;
  fchown(fd: number, uid: number, gid: number, callback: NoResultCallback): void;
  utimes(path: PathLike, atime: TimeLike, mtime: TimeLike, callback: NoResultCallback): void;
  lutimes(path: PathLike, atime: TimeLike, mtime: TimeLike, callback: NoResultCallback): void;
  futimes(fd: number, atime: TimeLike, mtime: TimeLike, callback: NoResultCallback): void;
  chflags(path: PathLike, flags: number, callback: NoResultCallback): void;
  truncate(path: PathOrFd, callback: NoResultCallback): void;
  truncate(path: PathOrFd, len: number | undefined, callback: NoResultCallback): void;
  ftruncate(fd: number, callback: NoResultCallback): void;
  ftruncate(fd: number, len: number | undefined, callback: NoResultCallback): void;
  copyFile(src: PathLike, dest: PathLike, callback: NoResultCallback): void;
  copyFile(src: PathLike, dest: PathLike, mode: number | undefined, callback: NoResultCallback): void;
  cp(src: PathLike, dest: PathLike, callback: NoResultCallback): void;
  cp(src: PathLike, dest: PathLike, options: CopyOptions | undefined, callback: NoResultCallback): void;
  readFile(path: PathOrFd, callback: Callback<Buffer>): void;
  readFile(path: PathOrFd, options: { encoding?: null; flag?: OpenFlags; signal?: AbortSignal } | null | undefined, callback: Callback<Buffer>): void;
  readFile(path: PathOrFd, options: BufferEncoding | (ReadFileOptions & { encoding: BufferEncoding }), callback: Callback<string>): void;
  writeFile(path: PathOrFd, data: string | ArrayBufferView, callback: NoResultCallback): void;
  writeFile(path: PathOrFd, data: string | ArrayBufferView, options: BufferEncoding | WriteFileOptions | null | undefined, callback: NoResultCallback): void;
  appendFile(path: PathOrFd, data: string | ArrayBufferView, callback: NoResultCallback): void;
  appendFile(path: PathOrFd, data: string | ArrayBufferView, options: BufferEncoding | WriteFileOptions | null | undefined, callback: NoResultCallback): void;
  open(path: PathLike, callback: Callback<number>): void;
  open(path: PathLike, flags: OpenFlags | undefined, callback: Callback<number>): void;
  open(path: PathLike, flags: OpenFlags | undefined, mode: Mode | null | undefined, callback: Callback<number>): void;
  close(fd: number, callback?: NoResultCallback): void;
  read<B extends ArrayBufferView>(fd: number, buffer: B, offset: number | null, length: number | null, position: number | bigint | null, callback: (err: FsError | null, bytesRead: number, buffer: B) => void): void;
  read<B extends ArrayBufferView>(fd: number, buffer: B, options: ReadSyncOptions, callback: (err: FsError | null, bytesRead: number, buffer: B) => void): void;
  read(fd: number, options: ReadSyncOptions & { buffer?: ArrayBufferView }, callback: (err: FsError | null, bytesRead: number, buffer: ArrayBufferView) => void): void;
  read(fd: number, callback: (err: FsError | null, bytesRead: number, buffer: Buffer) => void): void;
  write<B extends ArrayBufferView>(fd: number, buffer: B, offset: number | null | undefined, length: number | null | undefined, position: number | null | undefined, callback: (err: FsError | null, written: number, buffer: B) => void): void;
  write<B extends ArrayBufferView>(fd: number, buffer: B, offset: number | null | undefined, length: number | null | undefined, callback: (err: FsError | null, written: number, buffer: B) => void): void;
  write<B extends ArrayBufferView>(fd: number, buffer: B, offset: number | null | undefined, callback: (err: FsError | null, written: number, buffer: B) => void): void;
  write<B extends ArrayBufferView>(fd: number, buffer: B, callback: (err: FsError | null, written: number, buffer: B) => void): void;
  write(fd: number, string: string, position: number | null | undefined, encoding: BufferEncoding | null | undefined, callback: (err: FsError | null, written: number, str: string) => void): void;
  write(fd: number, string: string, position: number | null | undefined, callback: (err: FsError | null, written: number, str: string) => void): void;
  write(fd: number, string: string, callback: (err: FsError | null, written: number, str: string) => void): void;
  readv<B extends ArrayBufferView[]>(fd: number, buffers: B, position: number | null | undefined, callback: (err: FsError | null, bytesRead: number, buffers: B) => void): void;
  readv<B extends ArrayBufferView[]>(fd: number, buffers: B, callback: (err: FsError | null, bytesRead: number, buffers: B) => void): void;
  writev<B extends ArrayBufferView[]>(fd: number, buffers: B, position: number | null | undefined, callback: (err: FsError | null, written: number, buffers: B) => void): void;
  writev<B extends ArrayBufferView[]>(fd: number, buffers: B, callback: (err: FsError | null, written: number, buffers: B) => void): void;
  fsync(fd: number, callback: NoResultCallback): void;
  fdatasync(fd: number, callback: NoResultCallback): void;
}

/** fs.promises. */
export interface VfsFsPromises {
  access(path: PathLike, mode?: number): Promise<void>;
  copyFile(src: PathLike, dest: PathLike, mode?: number): Promise<void>;
  cp(src: PathLike, dest: PathLike, options?: CopyOptions): Promise<void>;
  open(path: PathLike, flags?: OpenFlags, mode?: Mode | null): Promise<FileHandle>;
  opendir(path: PathLike, options?: OpenDirOptions): Promise<Dir>;
  rename(oldPath: PathLike, newPath: PathLike): Promise<void>;
  truncate(path: PathLike, len?: number): Promise<void>;
  rm(path: PathLike, options?: RmOptions): Promise<void>;
  rmdir(path: PathLike, options?: RmDirOptions): Promise<void>;
  mkdir(path: PathLike, options: MakeDirectoryOptions & { recursive: true }): Promise<string | undefined>;
  mkdir(path: PathLike, options?: Mode | MakeDirectoryOptions | null): Promise<string | undefined>;
  readdir(path: PathLike, options?: BufferEncoding | (ReaddirOptions & { withFileTypes?: false; encoding?: BufferEncoding | null }) | null): Promise<string[]>;
  readdir(path: PathLike, options: 'buffer' | (ReaddirOptions & { withFileTypes?: false; encoding: 'buffer' })): Promise<Buffer[]>;
  readdir(path: PathLike, options: ReaddirFileTypes & { encoding: 'buffer' }): Promise<Dirent<Buffer>[]>;
  readdir(path: PathLike, options: ReaddirFileTypes): Promise<Dirent<string>[]>;
  readdir(path: PathLike, options?: ReaddirOptions | BufferEncoding | 'buffer' | null): Promise<Names>;
  readlink(path: PathLike, options?: EncodingOption): Promise<string>;
  readlink(path: PathLike, options: BufferEncodingOption): Promise<Buffer>;
  symlink(target: PathLike, path: PathLike, type?: 'dir' | 'file' | 'junction' | null): Promise<void>;
  lstat(path: PathLike, options?: StatOptions & { bigint?: false }): Promise<Stats>;
  lstat(path: PathLike, options: StatOptions & { bigint: true }): Promise<BigIntStats>;
  stat(path: PathLike, options?: StatOptions & { bigint?: false }): Promise<Stats>;
  stat(path: PathLike, options: StatOptions & { bigint: true }): Promise<BigIntStats>;
  statfs(path: PathLike, options?: { bigint?: false }): Promise<StatFs<number>>;
  statfs(path: PathLike, options: { bigint: true }): Promise<StatFs<bigint>>;
  link(existingPath: PathLike, newPath: PathLike): Promise<void>;
  unlink(path: PathLike): Promise<void>;
  chmod(path: PathLike, mode: Mode): Promise<void>;
  lchmod(path: PathLike, mode: Mode): Promise<void>;
  lchown(path: PathLike, uid: number, gid: number): Promise<void>;
  chown(path: PathLike, uid: number, gid: number): Promise<void>;
  utimes(path: PathLike, atime: TimeLike, mtime: TimeLike): Promise<void>;
  lutimes(path: PathLike, atime: TimeLike, mtime: TimeLike): Promise<void>;
  realpath(path: PathLike, options?: EncodingOption): Promise<string>;
  realpath(path: PathLike, options: BufferEncodingOption): Promise<Buffer>;
  mkdtemp(prefix: PathLike, options?: EncodingOption): Promise<string>;
  mkdtemp(prefix: PathLike, options: BufferEncodingOption): Promise<Buffer>;
  writeFile(path: PathLike | FileHandle, data: WriteFileData, options?: BufferEncoding | WriteFileOptions | null): Promise<void>;
  appendFile(path: PathLike | FileHandle, data: WriteFileData, options?: BufferEncoding | WriteFileOptions | null): Promise<void>;
  readFile(path: PathLike | FileHandle, options?: { encoding?: null; flag?: OpenFlags; signal?: AbortSignal } | null): Promise<Buffer>;
  readFile(path: PathLike | FileHandle, options: BufferEncoding | (ReadFileOptions & { encoding: BufferEncoding })): Promise<string>;
  readFile(path: PathLike | FileHandle, options?: BufferEncoding | ReadFileOptions | null): Promise<string | Buffer>;
  watch(filename: PathLike, options?: WatchOptions | BufferEncoding): AsyncGenerator<WatchEventResult, void, undefined>;
  mknod(path: PathLike, mode?: Mode, dev?: number): Promise<void>;
  mkfifo(path: PathLike, mode?: Mode): Promise<void>;
  chflags(path: PathLike, flags: number): Promise<void>;
  constants: FsConstants;
}

/** fs.ReadStream / fs.WriteStream constructors of one fs object. */
export type ReadStreamConstructor = new (path: PathLike | undefined, options?: ReadStreamOptions | BufferEncoding) => ReadStreamBase;
export type WriteStreamConstructor = new (path: PathLike | undefined, options?: WriteStreamOptions | BufferEncoding) => WriteStreamBase;

/** What createVfs().fs and vfs.context() return: node:fs's shape, acting as one set of credentials. */
export interface VfsFs extends VfsFsSync, VfsFsCallbacks {
  promises: VfsFsPromises;
  constants: FsConstants;
  F_OK: number;
  R_OK: number;
  W_OK: number;
  X_OK: number;
  createReadStream(path: PathLike | undefined, options?: ReadStreamOptions | BufferEncoding): ReadStreamBase;
  createWriteStream(path: PathLike | undefined, options?: WriteStreamOptions | BufferEncoding): WriteStreamBase;
  watch(filename: PathLike, listener?: WatchListener): FSWatcher;
  watch(filename: PathLike, options: WatchOptions | BufferEncoding | undefined, listener?: WatchListener): FSWatcher;
  watchFile(filename: PathLike, listener: StatsListener): StatWatcher;
  watchFile(filename: PathLike, options: WatchFileOptions | undefined, listener: StatsListener): StatWatcher;
  unwatchFile(filename: PathLike, listener?: StatsListener): void;
  openAsBlob(path: PathLike, options?: { type?: string }): Promise<Blob>;
  Stats: typeof Stats;
  BigIntStats: typeof BigIntStats;
  StatFs: typeof StatFs;
  Dirent: typeof Dirent;
  Dir: typeof Dir;
  FileHandle: typeof FileHandle;
  ReadStream: ReadStreamConstructor;
  WriteStream: WriteStreamConstructor;
  FileReadStream: ReadStreamConstructor;
  FileWriteStream: WriteStreamConstructor;
}
