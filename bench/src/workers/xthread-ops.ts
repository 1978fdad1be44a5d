/**
 * The operations and fixtures of the cross-thread cases, over any
 * node:fs-shaped object, and the timed window that counts operations.
 * Used in the worker threads and in the benchmark child's main thread alike
 * (the coordinator's own measurements), so both run the same code.
 */

import { performance } from 'node:perf_hooks';
import type { FsLike } from '../peers.js';
import type { Fixture, OpSpec, WindowResult } from './xthread-protocol.js';

const BLOCK = 4096;
const CHUNK = 1 << 20;
const hundredBytes = new Uint8Array(100).fill(0x61);

/** An operation bound to its file system: one call in each form. */
export interface BoundOp {
  sync(): void;
  promise(): Promise<void>;
  close(): Promise<void>;
}

export function makeFixture(fs: FsLike, f: Fixture): void {
  const parent = f.path.slice(0, f.path.lastIndexOf('/'));
  switch (f.kind) {
    case 'mkdir':
      fs.mkdirSync(f.path, { recursive: true });
      return;
    case 'file-100':
      if (parent !== '') fs.mkdirSync(parent, { recursive: true });
      fs.writeFileSync(f.path, hundredBytes);
      return;
    case 'file': {
      if (parent !== '') fs.mkdirSync(parent, { recursive: true });
      const chunk = new Uint8Array(CHUNK);
      for (let i = 0; i < CHUNK; i++) chunk[i] = (i * 31 + 7) & 0xff;
      const fd = fs.openSync(f.path, 'w');
      try {
        for (let at = 0; at < f.bytes; at += CHUNK) fs.writeSync(fd, chunk, 0, Math.min(CHUNK, f.bytes - at), at);
      } finally {
        fs.closeSync(fd);
      }
      return;
    }
    case 'dir':
      fs.mkdirSync(f.path, { recursive: true });
      for (let i = 0; i < f.entries; i++) fs.writeFileSync(`${f.path}/entry-${String(i).padStart(4, '0')}`, '');
      return;
  }
}

/** Block-aligned pseudo-random offsets in [0, size), the same sequence for every subject with one seed. */
function offsets(size: number, seed: number): () => number {
  const blocks = Math.max(1, Math.floor(size / BLOCK));
  let x = (seed * 2654435761) >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return (x % blocks) * BLOCK;
  };
}

export async function bindOp(fs: FsLike, spec: OpSpec): Promise<BoundOp> {
  const { path } = spec;
  const none = async (): Promise<void> => {};
  switch (spec.op) {
    case 'stat':
      return { sync: () => void fs.statSync(path), promise: async () => void (await fs.promises.stat(path)), close: none };
    case 'pread-4k': {
      const buf = new Uint8Array(BLOCK);
      const next = offsets(spec.size ?? BLOCK, spec.seed ?? 1);
      const fd = fs.openSync(path, 'r');
      const fh = await fs.promises.open(path, 'r');
      return {
        sync: () => void fs.readSync(fd, buf, 0, BLOCK, next()),
        promise: async () => void (await fh.read(buf, 0, BLOCK, next())),
        async close() {
          fs.closeSync(fd);
          await fh.close();
        },
      };
    }
    case 'open-read-close': {
      const buf = new Uint8Array(BLOCK);
      return {
        sync() {
          const fd = fs.openSync(path, 'r');
          fs.readSync(fd, buf, 0, BLOCK, 0);
          fs.closeSync(fd);
        },
        async promise() {
          const fh = await fs.promises.open(path, 'r');
          await fh.read(buf, 0, BLOCK, 0);
          await fh.close();
        },
        close: none,
      };
    }
    case 'readdir':
      return { sync: () => void fs.readdirSync(path), promise: async () => void (await fs.promises.readdir(path)), close: none };
    case 'create-unlink':
      return {
        sync() {
          const fd = fs.openSync(path, 'w');
          fs.writeSync(fd, hundredBytes, 0, 100, null);
          fs.closeSync(fd);
          fs.unlinkSync(path);
        },
        async promise() {
          const fh = await fs.promises.open(path, 'w');
          await fh.write(hundredBytes, 0, 100, null);
          await fh.close();
          await fs.promises.unlink(path);
        },
        close: none,
      };
    case 'mkdir-rmdir':
      return {
        sync() {
          fs.mkdirSync(path);
          fs.rmdirSync(path);
        },
        async promise() {
          await fs.promises.mkdir(path);
          await fs.promises.rmdir(path);
        },
        close: none,
      };
  }
}

/** Lane `i` of a pipelined window: mutations get a name of their own, reads a seed of their own. */
export function laneSpec(spec: OpSpec, lane: number): OpSpec {
  if (spec.op === 'create-unlink' || spec.op === 'mkdir-rmdir') return { ...spec, path: `${spec.path}-${lane}` };
  if (spec.op === 'pread-4k') return { ...spec, seed: (spec.seed ?? 1) * 1000 + lane };
  return spec;
}

/** Calls between two looks at the clock in a synchronous window. */
const BATCH = 8;

/** Run `op` back to back for `ms`; count the calls. */
export function syncWindow(op: BoundOp, ms: number): WindowResult {
  const t0 = performance.now();
  const end = t0 + ms;
  let ops = 0;
  let now = t0;
  do {
    for (let i = 0; i < BATCH; i++) op.sync();
    ops += BATCH;
    now = performance.now();
  } while (now < end);
  return { ops, ms: now - t0 };
}

/** Run one promise chain per op in `lanes` (so that many calls are in flight) for `ms`; count the calls. */
export async function promiseWindow(lanes: readonly BoundOp[], ms: number): Promise<WindowResult> {
  const t0 = performance.now();
  const end = t0 + ms;
  let ops = 0;
  await Promise.all(
    lanes.map(async (op) => {
      while (performance.now() < end) {
        await op.promise();
        ops++;
      }
    }),
  );
  return { ops, ms: performance.now() - t0 };
}

/** A window of `lanes` chains (promise) or one loop (sync) over fresh bindings of `spec`. */
export async function runWindow(fs: FsLike, spec: OpSpec, form: 'sync' | 'promise', lanes: number, ms: number, before: () => void = () => {}): Promise<WindowResult> {
  const ops = await Promise.all(Array.from({ length: form === 'sync' ? 1 : lanes }, (_, i) => bindOp(fs, form === 'sync' ? spec : laneSpec(spec, i))));
  try {
    before();
    return form === 'sync' ? syncWindow(ops[0]!, ms) : await promiseWindow(ops, ms);
  } finally {
    for (const op of ops) await op.close();
  }
}
