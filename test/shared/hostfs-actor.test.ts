/**
 * hostfs on a SharedVfs: a real temporary host directory served by its
 * mount's actor thread, used from the creating thread and from attached
 * worker threads at once. (The whole hostfs suite also runs through the
 * actor: the hostfs-shared test project.)
 */

import * as nodeFs from 'node:fs';
import * as os from 'node:os';
import * as nodePath from 'node:path';
import { Worker } from 'node:worker_threads';
import { afterEach, beforeEach, expect, test } from 'vitest';
import { createVfs, hostFs, tmpfs } from '@actorvfs/core';
import { SharedVfs } from '@actorvfs/workers';

let svfs: SharedVfs | undefined;
let base = '';
let root = '';
let outside = '';

beforeEach(async () => {
  base = nodeFs.mkdtempSync(nodePath.join(os.tmpdir(), 'avfs-shared-hostfs-'));
  root = nodePath.join(base, 'root');
  outside = nodePath.join(base, 'outside');
  nodeFs.mkdirSync(nodePath.join(root, 'sub'), { recursive: true });
  nodeFs.mkdirSync(outside);
  nodeFs.writeFileSync(nodePath.join(outside, 'secret'), 'SECRET');
  nodeFs.writeFileSync(nodePath.join(root, 'hello.txt'), 'hello from the host');
  nodeFs.symlinkSync(nodePath.join(outside, 'secret'), nodePath.join(root, 'abs-link'));
  nodeFs.symlinkSync('../outside', nodePath.join(root, 'rel-link'));
  svfs = await SharedVfs.create();
  svfs.fs.mkdirSync('/h');
  await svfs.mount('/h', hostFs({ path: root }));
});

afterEach(async () => {
  await svfs?.close();
  svfs = undefined;
  expect(nodeFs.readdirSync(outside), 'nothing outside the mapped root was created').toEqual(['secret']);
  expect(nodeFs.readFileSync(nodePath.join(outside, 'secret'), 'utf8')).toBe('SECRET');
  nodeFs.rmSync(base, { recursive: true, force: true });
});

/** Run `body` (the text of an async function of `fs` and `data`) in a worker attached to the file system. */
function inWorker<T>(body: string, data: unknown = null): Promise<T> {
  const source = `
    const { workerData, parentPort } = require('node:worker_threads');
    import(${JSON.stringify(new URL('../../packages/workers/dist/index.js', import.meta.url).href)}).then(async ({ attach }) => {
      const fs = await attach(workerData.handle);
      const data = workerData.data;
      try {
        const result = await (async () => { ${body} })();
        parentPort.postMessage({ ok: true, result });
      } catch (e) {
        parentPort.postMessage({ ok: false, error: { code: e.code, message: e.message, syscall: e.syscall, path: e.path } });
      }
    });`;
  return new Promise((resolve, reject) => {
    const w = new Worker(source, { eval: true, workerData: { handle: svfs!.handle(), data }, execArgv: [] });
    w.once('message', (m: { ok: boolean; result?: T; error?: unknown }) => {
      void w.terminate();
      if (m.ok) resolve(m.result as T);
      else reject(Object.assign(new Error('worker failed'), m.error));
    });
    w.once('error', reject);
  });
}

test('a worker sees the host files, writes through the actor, and the host and the creator see its changes', async () => {
  const seen = await inWorker<{ list: string[]; text: string; big: number; plist: string[] }>(`
    const list = fs.readdirSync('/h').sort();
    const text = fs.readFileSync('/h/hello.txt', 'utf8');
    fs.writeFileSync('/h/sub/from-worker', 'worker data');
    await fs.promises.writeFile('/h/big', Buffer.alloc(300000, 7));
    const big = (await fs.promises.readFile('/h/big')).length;
    fs.renameSync('/h/sub/from-worker', '/h/moved');
    const plist = (await fs.promises.readdir('/h')).sort();
    return { list, text, big, plist };
  `);
  expect(seen.list).toEqual(['abs-link', 'hello.txt', 'rel-link', 'sub']);
  expect(seen.text).toBe('hello from the host');
  expect(seen.big).toBe(300000);
  expect(seen.plist).toEqual(['abs-link', 'big', 'hello.txt', 'moved', 'rel-link', 'sub']);
  expect(nodeFs.readFileSync(nodePath.join(root, 'moved'), 'utf8')).toBe('worker data');
  expect(nodeFs.readFileSync(nodePath.join(root, 'big')).equals(Buffer.alloc(300000, 7))).toBe(true);
  const fs = svfs!.fs;
  expect(fs.readFileSync('/h/moved', 'utf8')).toBe('worker data');
  expect(await fs.promises.readFile('/h/moved', 'utf8')).toBe('worker data');
  expect(fs.statSync('/h/big').size).toBe(300000);
});

test('changes made on the host are seen by every thread', async () => {
  nodeFs.writeFileSync(nodePath.join(root, 'later'), 'written on the host');
  expect(svfs!.fs.readFileSync('/h/later', 'utf8')).toBe('written on the host');
  expect(await inWorker<string>(`return fs.readFileSync('/h/later', 'utf8');`)).toBe('written on the host');
});

test('errors keep their Node shape across threads, sync and promise', async () => {
  const codes = await inWorker<Record<string, unknown>>(`
    const out = {};
    const grab = (fn) => { try { fn(); return 'ok'; } catch (e) { return { code: e.code, syscall: e.syscall, path: e.path, errno: e.errno }; } };
    const grabAsync = async (p) => { try { await p; return 'ok'; } catch (e) { return { code: e.code, syscall: e.syscall, path: e.path, errno: e.errno }; } };
    out.missing = grab(() => fs.readFileSync('/h/missing'));
    out.notdir = grab(() => fs.readdirSync('/h/hello.txt'));
    out.exists = grab(() => fs.mkdirSync('/h/sub'));
    out.notempty = grab(() => { fs.writeFileSync('/h/sub/x', ''); fs.rmdirSync('/h/sub'); });
    out.pmissing = await grabAsync(fs.promises.stat('/h/missing/deeper'));
    out.pexists = await grabAsync(fs.promises.writeFile('/h/hello.txt', 'x', { flag: 'wx' }));
    return out;
  `);
  expect(codes['missing']).toEqual({ code: 'ENOENT', syscall: 'open', path: '/h/missing', errno: -2 });
  expect(codes['notdir']).toMatchObject({ code: 'ENOTDIR', syscall: 'scandir', path: '/h/hello.txt' });
  expect(codes['exists']).toMatchObject({ code: 'EEXIST', syscall: 'mkdir', path: '/h/sub' });
  expect(codes['notempty']).toMatchObject({ code: 'ENOTEMPTY', syscall: 'rmdir' });
  expect(codes['pmissing']).toMatchObject({ code: 'ENOENT', syscall: 'stat', path: '/h/missing/deeper' });
  expect(codes['pexists']).toMatchObject({ code: 'EEXIST', syscall: 'open' });
  expect(nodeFs.readFileSync(nodePath.join(root, 'hello.txt'), 'utf8')).toBe('hello from the host');
});

test('escape attempts from a worker: host symlinks and ".." never leave the mapped root', async () => {
  svfs!.fs.writeFileSync('/decoy', 'the VFS own file');
  const results = await inWorker<Record<string, string>>(`
    const code = (fn) => { try { const v = fn(); return typeof v === 'string' ? 'read:' + v : 'ok'; } catch (e) { return e.code; } };
    return {
      abs: code(() => fs.readFileSync('/h/abs-link', 'utf8')),
      rel: code(() => fs.readFileSync('/h/rel-link/secret', 'utf8')),
      relWrite: code(() => fs.writeFileSync('/h/rel-link/planted', 'x')),
      dotdot: code(() => fs.readdirSync('/h/..').sort().join(',')),
      deep: code(() => fs.readFileSync('/h/sub/../../h/../decoy', 'utf8')),
      linkTarget: fs.readlinkSync('/h/rel-link'),
    };
  `);
  // The targets are resolved in the VFS's namespace, where they do not exist.
  expect(results['abs']).toBe('ENOENT');
  expect(results['rel']).toBe('ENOENT');
  expect(results['relWrite']).toBe('ENOENT');
  // ".." of the mount's root is the covered directory's parent, the VFS root.
  expect(results['dotdot']).toBe('read:decoy,h');
  expect(results['deep']).toBe('read:the VFS own file');
  expect(results['linkTarget']).toBe('../outside');
});

test('flock on a host file conflicts across threads; a killed holder releases it', async () => {
  const fs = svfs!.fs;
  const holder = new Worker(
    `
    const { workerData, parentPort } = require('node:worker_threads');
    import(${JSON.stringify(new URL('../../packages/workers/dist/index.js', import.meta.url).href)}).then(async ({ attach }) => {
      const fs = await attach(workerData);
      const fh = await fs.promises.open('/h/hello.txt', 'r');
      await fh.flock('ex');
      parentPort.postMessage('locked');
      setInterval(() => {}, 1000);
    });`,
    { eval: true, workerData: svfs!.handle(), execArgv: [] },
  );
  await new Promise((resolve, reject) => {
    holder.once('message', resolve);
    holder.once('error', reject);
  });
  const mine = await fs.promises.open('/h/hello.txt', 'r');
  await expect(mine.flock('ex')).rejects.toMatchObject({ code: 'EAGAIN', syscall: 'flock' });
  // A blocking request waits in the actor without holding up anyone else.
  const waiting = mine.flock('ex', { wait: true });
  expect(fs.readFileSync('/h/hello.txt', 'utf8')).toBe('hello from the host');
  expect(await inWorker<string>(`return fs.readFileSync('/h/hello.txt', 'utf8');`)).toBe('hello from the host');
  await holder.terminate();
  await svfs!.settled();
  await waiting;
  await mine.flock('un');
  await mine.close();
});

test('a killed actor is restarted: lookups work again; files open across the crash fail with EIO', async () => {
  const fs = svfs!.fs;
  const fd = fs.openSync('/h/hello.txt', 'r');
  await svfs!.actorWorker('/h').terminate();
  // The coordinator restarts it on its exit event.
  await new Promise((resolve) => setTimeout(resolve, 50));
  for (let i = 0; i < 100 && (await svfs!.stats()).length < 2; i++) await new Promise((resolve) => setTimeout(resolve, 20));
  expect(await fs.promises.readFile('/h/hello.txt', 'utf8')).toBe('hello from the host');
  expect(fs.readdirSync('/h').sort()).toEqual(['abs-link', 'hello.txt', 'rel-link', 'sub']);
  expect(() => fs.readSync(fd, Buffer.alloc(4))).toThrow(expect.objectContaining({ code: 'EIO' }) as Error);
  fs.closeSync(fd);
  fs.writeFileSync('/h/after', 'ok');
  expect(nodeFs.readFileSync(nodePath.join(root, 'after'), 'utf8')).toBe('ok');
  expect(svfs!.recoveries().length).toBeGreaterThan(0);
});

test('a killed client: its open host files are closed and its locks released', async () => {
  const fs = svfs!.fs;
  const victim = new Worker(
    `
    const { workerData, parentPort } = require('node:worker_threads');
    import(${JSON.stringify(new URL('../../packages/workers/dist/index.js', import.meta.url).href)}).then(async ({ attach }) => {
      const fs = await attach(workerData);
      const fds = [];
      for (let i = 0; i < 5; i++) fds.push(fs.openSync('/h/f' + i, 'w'));
      const fh = await fs.promises.open('/h/hello.txt', 'r');
      await fh.flock('sh');
      parentPort.postMessage('ready');
      for (let i = 0; ; i++) fs.writeSync(fds[i % 5], 'x');
    });`,
    { eval: true, workerData: svfs!.handle(), execArgv: [] },
  );
  await new Promise((resolve, reject) => {
    victim.once('message', resolve);
    victim.once('error', reject);
  });
  await new Promise((resolve) => setTimeout(resolve, 30));
  await victim.terminate();
  await svfs!.settled();
  const fh = await fs.promises.open('/h/hello.txt', 'r');
  await fh.flock('ex');
  await fh.close();
  // The host descriptors are gone with the files (the actor's own /proc/self/fd shows none open on f0..f4).
  for (let i = 0; i < 5; i++) expect(nodeFs.existsSync(nodePath.join(root, `f${i}`))).toBe(true);
  fs.unlinkSync('/h/f0');
  expect(nodeFs.existsSync(nodePath.join(root, 'f0'))).toBe(false);
});

test('mount checks: what cannot be shared, a missing host path, a file over a directory, unmount', async () => {
  const s = svfs!;
  s.fs.mkdirSync('/m');
  await expect(s.mount('/m', tmpfs())).rejects.toMatchObject({ code: 'ERR_INVALID_ARG_VALUE' });
  const embedded = createVfs().kernel.rootMount.fs;
  await expect(s.mount('/m', { ...embedded, type: 'custom', vget: embedded.vget.bind(embedded), rootIno: embedded.rootIno.bind(embedded) })).rejects.toMatchObject({ code: 'ERR_INVALID_ARG_VALUE' });
  expect(() => hostFs({ path: nodePath.join(base, 'nope') })).toThrow(expect.objectContaining({ code: 'ENOENT' }) as Error);
  await expect(s.mount('/m', hostFs({ path: nodePath.join(root, 'hello.txt') }))).rejects.toMatchObject({ code: 'ENOTDIR', syscall: 'mount' });
  s.fs.writeFileSync('/file', 'covered');
  await s.mount('/file', hostFs({ path: nodePath.join(root, 'hello.txt'), readonly: true }));
  expect(s.fs.readFileSync('/file', 'utf8')).toBe('hello from the host');
  expect(() => s.fs.writeFileSync('/file', 'x')).toThrow(expect.objectContaining({ code: 'EROFS' }) as Error);
  expect(await inWorker<string>(`return fs.readFileSync('/file', 'utf8');`)).toBe('hello from the host');
  await s.unmount('/file');
  expect(s.fs.readFileSync('/file', 'utf8')).toBe('covered');
  await s.unmount('/h');
  expect(s.fs.readdirSync('/h')).toEqual([]);
  expect(await inWorker<string[]>(`return fs.readdirSync('/h');`)).toEqual([]);
});
