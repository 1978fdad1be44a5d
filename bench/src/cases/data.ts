/**
 * Data cases: bulk and small-block file I/O through file descriptors (sync)
 * and FileHandles (promise). One call moves one chunk, so p50/p99 are per
 * chunk and MB/s = chunks/s × chunk size.
 */

import type { FileHandleLike, FsLike } from '../peers.js';
import { microSection, type MicroCase, type Prepared } from './micro.js';

const KiB = 1024;
const MiB = 1024 * KiB;
const FILE = 64 * MiB;
const CHUNK = 64 * KiB;
const BLOCK = 4 * KiB;

function chunkOf(size: number, byte: number): Uint8Array {
  return new Uint8Array(size).fill(byte);
}

/** A 64 MiB file written in 64 KiB chunks. */
function writeFile64(fs: FsLike, path: string): void {
  const fd = fs.openSync(path, 'w');
  const chunk = chunkOf(CHUNK, 0x5a);
  for (let pos = 0; pos < FILE; pos += CHUNK) fs.writeSync(fd, chunk, 0, CHUNK, pos);
  fs.closeSync(fd);
}

/** Block offsets in a fixed pseudo-random order (same for every subject). */
function randomOffsets(count: number, blocks: number): Int32Array {
  const out = new Int32Array(count);
  let x = 0x9e3779b9 | 0;
  for (let i = 0; i < count; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = ((x >>> 0) % blocks) * BLOCK;
  }
  return out;
}

/** Open `path` with `flags` in both forms; `step` gets the position bookkeeping. */
async function withFd(
  fs: FsLike,
  path: string,
  flags: string,
  syncStep: (fd: number) => void,
  promiseStep: (fh: FileHandleLike) => Promise<void>,
): Promise<Prepared> {
  const fd = fs.openSync(path, flags);
  const fh = await fs.promises.open(path, flags);
  return {
    sync: () => syncStep(fd),
    promise: () => promiseStep(fh),
    async close() {
      fs.closeSync(fd);
      await fh.close();
    },
  };
}

export const dataCases: readonly MicroCase[] = [
  {
    name: 'seq-write-64m',
    title: '64 MiB sequential write, 64 KiB chunks',
    unit: 'MB/s',
    bytesPerOp: CHUNK,
    prepare({ fs, dir }) {
      const chunk = chunkOf(CHUNK, 0x77);
      const path = `${dir}/seq-write`;
      fs.writeFileSync(path, '');
      // At 64 MiB the file is truncated and written again: every pass allocates.
      let pos = 0;
      return withFd(
        fs,
        path,
        'r+',
        (fd) => {
          fs.writeSync(fd, chunk, 0, CHUNK, pos);
          pos += CHUNK;
          if (pos === FILE) {
            fs.ftruncateSync(fd, 0);
            pos = 0;
          }
        },
        async (fh) => {
          await fh.write(chunk, 0, CHUNK, pos);
          pos += CHUNK;
          if (pos === FILE) {
            await fh.truncate(0);
            pos = 0;
          }
        },
      );
    },
  },
  {
    name: 'seq-read-64m',
    title: '64 MiB sequential read, 64 KiB chunks',
    unit: 'MB/s',
    bytesPerOp: CHUNK,
    prepare({ fs, dir }) {
      const path = `${dir}/seq-read`;
      writeFile64(fs, path);
      const buf = new Uint8Array(CHUNK);
      let pos = 0;
      return withFd(
        fs,
        path,
        'r',
        (fd) => {
          fs.readSync(fd, buf, 0, CHUNK, pos);
          pos = (pos + CHUNK) % FILE;
        },
        async (fh) => {
          await fh.read(buf, 0, CHUNK, pos);
          pos = (pos + CHUNK) % FILE;
        },
      );
    },
  },
  {
    name: 'rand-pread-4k',
    title: 'random 4 KiB pread (64 MiB file)',
    unit: 'ops/s',
    bytesPerOp: BLOCK,
    prepare({ fs, dir }) {
      const path = `${dir}/rand-read`;
      writeFile64(fs, path);
      const offsets = randomOffsets(1 << 16, FILE / BLOCK);
      const buf = new Uint8Array(BLOCK);
      let i = 0;
      return withFd(
        fs,
        path,
        'r',
        (fd) => void fs.readSync(fd, buf, 0, BLOCK, offsets[i++ & 0xffff]!),
        async (fh) => void (await fh.read(buf, 0, BLOCK, offsets[i++ & 0xffff]!)),
      );
    },
  },
  {
    name: 'rand-pwrite-4k',
    title: 'random 4 KiB pwrite (64 MiB file)',
    unit: 'ops/s',
    bytesPerOp: BLOCK,
    prepare({ fs, dir }) {
      const path = `${dir}/rand-write`;
      writeFile64(fs, path);
      const offsets = randomOffsets(1 << 16, FILE / BLOCK);
      const block = chunkOf(BLOCK, 0x33);
      let i = 0;
      return withFd(
        fs,
        path,
        'r+',
        (fd) => void fs.writeSync(fd, block, 0, BLOCK, offsets[i++ & 0xffff]!),
        async (fh) => void (await fh.write(block, 0, BLOCK, offsets[i++ & 0xffff]!)),
      );
    },
  },
  {
    name: 'append-4k',
    title: '4 KiB appends to a growing file',
    unit: 'MB/s',
    bytesPerOp: BLOCK,
    prepare({ fs, dir }) {
      const path = `${dir}/append`;
      fs.writeFileSync(path, '');
      const block = chunkOf(BLOCK, 0x41);
      // The file grows to 64 MiB, is truncated, and grows again.
      let size = 0;
      return withFd(
        fs,
        path,
        'a',
        (fd) => {
          fs.writeSync(fd, block, 0, BLOCK, null);
          size += BLOCK;
          if (size === FILE) {
            fs.ftruncateSync(fd, 0);
            size = 0;
          }
        },
        async (fh) => {
          await fh.write(block, 0, BLOCK, null);
          size += BLOCK;
          if (size === FILE) {
            await fh.truncate(0);
            size = 0;
          }
        },
      );
    },
  },
];

export const data = microSection('data', 'Data', dataCases);
