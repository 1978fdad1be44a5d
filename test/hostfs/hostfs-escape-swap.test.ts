/**
 * Containment against a host that changes the tree between two calls: a
 * directory (or file) the VFS already looked up is swapped for a symlink to
 * the outside, or moved out of the root. Every later use of the old handle
 * fails with ENOENT (the object is not where it was recorded) and nothing is
 * ever done through the symlink or in the moved directory. A last test races
 * a thread that swaps a directory and a symlink back and forth as fast as it
 * can against a stream of VFS operations below it. As everywhere,
 * afterEach checks that nothing outside the root was read or changed.
 */

import { Worker } from 'node:worker_threads';
import { expect, test } from 'vitest';
import type { Mount, Vnode } from '@actorvfs/core/internal';
import { runSync } from '@actorvfs/core/internal';
import { MNT, codeOf, nodeFs, snapshot, useHostSetup, type HostSetup } from './helpers.js';

const setup = useHostSetup({
  prepare: (root, base) => {
    nodeFs.mkdirSync(`${root}/d`);
    nodeFs.writeFileSync(`${root}/d/inner`, 'inside');
    nodeFs.writeFileSync(`${root}/f`, 'file');
    nodeFs.mkdirSync(`${base}/limbo`); // out of the root, not watched (moves land here)
  },
});

const cred = { uid: 0, gid: 0, groups: [0] };

function vnodes(s: HostSetup) {
  const mount = s.vfs.kernel.mounts.mounts.find((m) => m.fs === s.hostfs) as Mount;
  const root: Vnode = s.hostfs.vget(mount, s.hostfs.rootIno())!;
  const d = locked(root, () => root.ops.lookup(root, 'd', 1)!);
  const f = locked(root, () => root.ops.lookup(root, 'f', 1)!);
  const inner = locked(d, () => d.ops.lookup(d, 'inner', 5)!);
  return { root, d, f, inner };
}

function swapForSymlink(path: string, target: string): void {
  nodeFs.renameSync(path, `${path}.old`);
  nodeFs.symlinkSync(target, path);
}

/** A read op under the node's shared lock, as the VFS calls it. */
function locked<T>(vp: Vnode, fn: () => T): T {
  vp.mount.fs.lock(vp, false);
  try {
    return fn();
  } finally {
    vp.mount.fs.unlock(vp);
  }
}

/** Every op the VFS could call with a handle for directory `d`. */
function dirOps(d: Vnode): Record<string, () => unknown> {
  const out: never[] = [];
  return {
    lookup: () => locked(d, () => d.ops.lookup(d, 'inner', 5) ?? 'null'),
    readdir: () => locked(d, () => d.ops.readdir(d, 0, 100, out)),
    getattr: () => locked(d, () => d.ops.getattr(d, new Float64Array(19))),
    access: () => locked(d, () => d.ops.access(d, 4, cred)),
    create: () => d.ops.create(d, 'planted', 7, { mode: 0o644 }, cred),
    mkdir: () => d.ops.mkdir(d, 'planted-dir', 11, { mode: 0o755 }, cred),
    symlink: () => d.ops.symlink(d, 'planted-link', 12, 'x', {}, cred),
    remove: () => d.ops.remove(d, 'inner', 5, cred),
    rename: () => d.ops.rename(d, d, 'inner', 5, 'moved', 5, cred),
    setattr: () => d.ops.setattr(d, { mode: 0o777 }, cred),
    chown: () => d.ops.setattr(d, { uid: 4242, gid: 4242 }, cred),
  };
}

/** Every op the VFS could call with a handle for regular file `f`. */
function fileOps(f: Vnode): Record<string, () => unknown> {
  const file = { flags: 2, id: 1, cred, endPos: 0, data: undefined as unknown };
  return {
    getattr: () => locked(f, () => f.ops.getattr(f, new Float64Array(19))),
    access: () => locked(f, () => f.ops.access(f, 4, cred)),
    open: () => runSync(f.ops.open(f, file, cred)),
    chmod: () => f.ops.setattr(f, { mode: 0o777 }, cred),
    chown: () => f.ops.setattr(f, { uid: 4242, gid: 4242 }, cred),
    truncate: () => f.ops.setattr(f, { size: 0 }, cred),
    utimes: () => f.ops.setattr(f, { atimeSec: 1, atimeNsec: 0, mtimeSec: 1, mtimeNsec: 0 }, cred),
  };
}

function codes(ops: Record<string, () => unknown>): Record<string, string> {
  return Object.fromEntries(Object.entries(ops).map(([k, fn]) => [k, codeOf(fn)]));
}

function all(ops: Record<string, unknown>, code: string): Record<string, string> {
  return Object.fromEntries(Object.keys(ops).map((k) => [k, code]));
}

test('a directory swapped for a symlink to the outside: the old handle is stale for every op', () => {
  const s = setup();
  const { d } = vnodes(s);
  locked(d, () => d.ops.readdir(d, 0, 100, [])); // cache and validate its descriptor first
  swapForSymlink(`${s.root}/d`, s.outside);
  const ops = dirOps(d);
  expect(codes(ops)).toEqual(all(ops, 'ENOENT'));
  expect(nodeFs.readdirSync(`${s.root}/d.old`)).toEqual(['inner']);
});

test('a directory swapped for a symlink, seen from the VFS: cwd, open directories, paths', () => {
  const s = setup();
  const fs = s.as(0, 0, { cwd: `${MNT}/d` });
  expect(fs.readFileSync('inner', 'utf8')).toBe('inside');
  const dir = s.fs.opendirSync(`${MNT}/d`);
  swapForSymlink(`${s.root}/d`, s.outside);
  expect(codeOf(() => fs.readFileSync('inner'))).toBe('ENOENT');
  expect(codeOf(() => fs.readFileSync('secret.txt'))).toBe('ENOENT');
  expect(codeOf(() => fs.writeFileSync('planted', 'x'))).toBe('ENOENT');
  expect(codeOf(() => fs.readdirSync('.'))).toBe('ENOENT');
  expect(codeOf(() => dir.readSync())).toBe('ENOENT');
  dir.closeSync();
  expect(codeOf(() => s.fs.readFileSync(`${MNT}/d/secret.txt`))).toBe('ENOENT'); // follows the link in the VFS
  expect(codeOf(() => s.fs.writeFileSync(`${MNT}/d/planted`, 'x'))).toBe('ENOENT');
});

test('a directory in the middle of a path swapped for a symlink: handles below it are stale too', () => {
  const s = setup();
  nodeFs.mkdirSync(`${s.root}/d/e`);
  nodeFs.writeFileSync(`${s.root}/d/e/g`, 'g');
  const { d } = vnodes(s);
  const e = locked(d, () => d.ops.lookup(d, 'e', 1)!);
  const g = locked(e, () => e.ops.lookup(e, 'g', 1)!);
  locked(e, () => e.ops.readdir(e, 0, 10, []));
  // Outside the root, a tree with the same names for the symlink to lead to.
  const mirror = `${s.base}/limbo/mirror`;
  nodeFs.mkdirSync(`${mirror}/e`, { recursive: true });
  nodeFs.writeFileSync(`${mirror}/e/g`, 'outside g');
  nodeFs.utimesSync(`${mirror}/e/g`, 1000, 1000);
  const before = snapshot(mirror);
  swapForSymlink(`${s.root}/d`, mirror);
  expect(codes(dirOps(e))).toEqual(all(dirOps(e), 'ENOENT'));
  expect(codes(fileOps(g))).toEqual(all(fileOps(g), 'ENOENT'));
  expect(snapshot(mirror)).toEqual(before);
});

test('a file swapped for a symlink to an outside file: the old handle is stale for every op', () => {
  const s = setup();
  const { f, inner } = vnodes(s);
  swapForSymlink(`${s.root}/f`, `${s.outside}/secret.txt`);
  swapForSymlink(`${s.root}/d/inner`, `${s.outside}/secret.txt`);
  expect(codes(fileOps(f))).toEqual(all(fileOps(f), 'ENOENT'));
  expect(codes(fileOps(inner))).toEqual(all(fileOps(inner), 'ENOENT'));
  // A fresh lookup sees a symlink, which the VFS resolves in its own namespace.
  expect(codeOf(() => s.fs.readFileSync(`${MNT}/f`))).toBe('ENOENT');
});

test('a directory moved out of the root by the host is no longer reachable, even by a working directory in it', () => {
  const s = setup();
  const fs = s.as(0, 0, { cwd: `${MNT}/d` });
  const { d } = vnodes(s);
  expect(fs.readdirSync('.')).toEqual(['inner']);
  nodeFs.renameSync(`${s.root}/d`, `${s.base}/limbo/d`);
  expect(codeOf(() => fs.readFileSync('inner'))).toBe('ENOENT');
  expect(codeOf(() => fs.writeFileSync('planted', 'x'))).toBe('ENOENT');
  expect(codeOf(() => fs.readdirSync('.'))).toBe('ENOENT');
  expect(codes(dirOps(d))).toEqual(all(dirOps(d), 'ENOENT'));
  expect(nodeFs.readdirSync(`${s.base}/limbo/d`)).toEqual(['inner']);
  const st = nodeFs.statSync(`${s.base}/limbo/d/inner`);
  expect(st.mode & 0o777).not.toBe(0o777);
  // Moved back, the same handle works again.
  nodeFs.renameSync(`${s.base}/limbo/d`, `${s.root}/d`);
  expect(fs.readFileSync('inner', 'utf8')).toBe('inside');
});

test('a thread swapping a directory and a symlink to the outside as fast as it can: nothing leaks', async () => {
  const s = setup();
  nodeFs.mkdirSync(`${s.root}/real`);
  nodeFs.writeFileSync(`${s.root}/real/inner`, 'real inner');
  nodeFs.writeFileSync(`${s.root}/real/secret.txt`, 'real secret');
  nodeFs.symlinkSync(`${s.outside}/dir`, `${s.root}/evil`);
  nodeFs.symlinkSync('../outside/dir', `${s.root}/evil2`);
  const stop = new Int32Array(new SharedArrayBuffer(4));
  const worker = new Worker(
    `const { workerData } = require('node:worker_threads');
     const fs = require('node:fs');
     const { root, stop } = workerData;
     let n = 0;
     const mv = (a, b) => { try { fs.renameSync(root + '/' + a, root + '/' + b); } catch {} };
     while (Atomics.load(stop, 0) === 0) {
       mv('real', 'd'); mv('d', 'real');
       mv('evil', 'd'); mv('d', 'evil');
       mv('evil2', 'd'); mv('d', 'evil2');
       n++;
     }
     require('node:worker_threads').parentPort.postMessage(n);`,
    { eval: true, workerData: { root: s.root, stop } },
  );
  const rounds = new Promise<number>((resolve) => worker.once('message', resolve));
  nodeFs.rmSync(`${s.root}/d`, { recursive: true }); // the worker brings its own "d"
  const fs = s.fs;
  const seen = new Map<string, number>();
  const deadline = Date.now() + 1500;
  let ops = 0;
  while (Date.now() < deadline) {
    for (const [name, fn] of Object.entries({
      read: () => fs.readFileSync(`${MNT}/d/inner`, 'utf8'),
      'read secret': () => fs.readFileSync(`${MNT}/d/secret.txt`, 'utf8'),
      write: () => fs.writeFileSync(`${MNT}/d/inner`, 'real inner'),
      create: () => fs.writeFileSync(`${MNT}/d/planted`, 'x'),
      chmod: () => fs.chmodSync(`${MNT}/d/inner`, 0o644),
      chown: () => fs.chownSync(`${MNT}/d/inner`, 0, 0),
      utimes: () => fs.utimesSync(`${MNT}/d/inner`, 2_000_000_000, 2_000_000_000),
      truncate: () => fs.truncateSync(`${MNT}/d/inner`, 10),
      readdir: () => fs.readdirSync(`${MNT}/d`),
      mkdir: () => fs.mkdirSync(`${MNT}/d/x`),
      rmdir: () => fs.rmdirSync(`${MNT}/d/x`),
      unlink: () => fs.unlinkSync(`${MNT}/d/planted`),
      rename: () => fs.renameSync(`${MNT}/d/secret.txt`, `${MNT}/d/secret.txt`),
    })) {
      let code: string;
      try {
        const value = fn();
        code = value === 'SECRET' || value === 'INNER' ? 'LEAK' : 'ok';
      } catch (e) {
        code = (e as { code?: string }).code ?? String(e);
      }
      const key = `${name}: ${code}`;
      seen.set(key, (seen.get(key) ?? 0) + 1);
      ops++;
    }
  }
  Atomics.store(stop, 0, 1);
  const n = await rounds;
  await worker.terminate();
  if (process.env["HOSTFS_SHOW_RACE"] === "1") console.log(n, ops, Object.fromEntries(seen));
  for (const key of seen.keys()) expect(key).toMatch(/: (ok|ENOENT|ENOTDIR|EEXIST|ENOTEMPTY)$/);
  expect(ops).toBeGreaterThan(1000);
  expect(n).toBeGreaterThan(100);
  expect([...seen.keys()].some((k) => k.endsWith(': ok'))).toBe(true);
});
