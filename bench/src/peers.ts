/**
 * The subjects: one adapter per file system, each exposing an object shaped
 * like node:fs, the directory to work in, and a way to throw it all away.
 * Every task opens a fresh subject, so no case sees another's leftovers.
 *
 *   actorvfs  createVfs() in this thread (embedded mode)
 *   memfs     memfs() volume
 *   zenfs     @zenfs/core's global fs with a fresh InMemory root
 *   native    Node's fs in a new temp directory on tmpfs (/dev/shm when present)
 */

import * as nodeFs from 'node:fs';
import { tmpdir } from 'node:os';
import { createVfs } from '@actorvfs/core';
import { memfs } from 'memfs';
import * as zen from '@zenfs/core';
import type { SubjectName } from './types.js';

/** A file handle as the promise forms use it. */
export interface FileHandleLike {
  write(buffer: Uint8Array, offset: number, length: number, position: number | null): Promise<unknown>;
  read(buffer: Uint8Array, offset: number, length: number, position: number | null): Promise<unknown>;
  truncate(length: number): Promise<void>;
  close(): Promise<void>;
}

/** The part of node:fs the cases use; every subject's fs fits it. */
export interface FsLike {
  statSync(path: string): { size: number };
  openSync(path: string, flags: string): number;
  closeSync(fd: number): void;
  writeSync(fd: number, buffer: Uint8Array, offset: number, length: number, position: number | null): number;
  readSync(fd: number, buffer: Uint8Array, offset: number, length: number, position: number | null): number;
  ftruncateSync(fd: number, length: number): void;
  unlinkSync(path: string): void;
  mkdirSync(path: string, options?: { recursive?: boolean }): unknown;
  rmdirSync(path: string): void;
  readdirSync(path: string): unknown[];
  renameSync(from: string, to: string): void;
  writeFileSync(path: string, data: string | Uint8Array): void;
  promises: {
    stat(path: string): Promise<unknown>;
    open(path: string, flags: string): Promise<FileHandleLike>;
    unlink(path: string): Promise<void>;
    mkdir(path: string, options?: { recursive?: boolean }): Promise<unknown>;
    rmdir(path: string): Promise<void>;
    readdir(path: string): Promise<unknown[]>;
    rename(from: string, to: string): Promise<void>;
    writeFile(path: string, data: string | Uint8Array): Promise<void>;
  };
}

/** Bytes of actorvfs's page pool: `used` by data and metadata, `reserved` in SharedArrayBuffers. */
export interface PoolUsage {
  used: number;
  reserved: number;
}

export interface Subject {
  readonly name: SubjectName;
  readonly fs: FsLike;
  /** Work under this directory: '' (the root) for in-memory subjects. */
  readonly dir: string;
  /** actorvfs only: its page pool. */
  pool?(): PoolUsage;
  /** native only: bytes and inodes in use on the tmpfs (statfs). */
  diskUsage?(): { bytes: number; inodes: number };
  close(): void;
}

/** The tmpfs directory native temp dirs are made in, and the prefix of their names. */
export function nativeTempPrefix(pid: number = process.pid): string {
  const shm = '/dev/shm';
  const base = nodeFs.existsSync(shm) && nodeFs.statSync(shm).isDirectory() ? shm : tmpdir();
  return `${base}/avfs-bench-${pid}-`;
}

export function openSubject(name: SubjectName): Subject {
  switch (name) {
    case 'actorvfs':
      return openActorvfs();
    case 'memfs':
      return { name, fs: memfs().fs as unknown as FsLike, dir: '', close() {} };
    case 'zenfs':
      return openZenfs();
    case 'native':
      return openNative();
  }
}

function openActorvfs(): Subject {
  const vfs = createVfs();
  return {
    name: 'actorvfs',
    fs: vfs.fs as unknown as FsLike,
    dir: '',
    pool() {
      const s = vfs.rootFs.statfs();
      const reserved = vfs.rootFs.st.reservedBytes();
      return { used: (s.blocks - s.bfree) * s.bsize, reserved };
    },
    close() {},
  };
}

function openZenfs(): Subject {
  // ZenFS has one global fs; a fresh InMemory root makes a fresh file system.
  zen.configureSingleSync({ backend: zen.InMemory });
  return { name: 'zenfs', fs: zen.fs as unknown as FsLike, dir: '', close() {} };
}

function openNative(): Subject {
  const dir = nodeFs.mkdtempSync(nativeTempPrefix());
  return {
    name: 'native',
    fs: nodeFs as unknown as FsLike,
    dir,
    diskUsage() {
      const s = nodeFs.statfsSync(dir);
      return { bytes: (s.blocks - s.bfree) * s.bsize, inodes: s.files - s.ffree };
    },
    close() {
      nodeFs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Remove the native temp dirs a killed child left behind. */
export function removeNativeLeftovers(pid: number): void {
  const prefix = nativeTempPrefix(pid);
  const slash = prefix.lastIndexOf('/');
  const parent = prefix.slice(0, slash);
  const stem = prefix.slice(slash + 1);
  let names: string[];
  try {
    names = nodeFs.readdirSync(parent);
  } catch {
    return;
  }
  for (const n of names) {
    if (n.startsWith(stem)) nodeFs.rmSync(`${parent}/${n}`, { recursive: true, force: true });
  }
}
