/**
 * What callers see when nothing serves a mount any more: after svfs.close(),
 * and after an actor that keeps dying is given up. Every call answers
 * (EIO), none hangs; reading a tmpfs still works where it needs no actor.
 */

import * as nodeFs from 'node:fs';
import * as os from 'node:os';
import * as nodePath from 'node:path';
import { Worker } from 'node:worker_threads';
import { afterEach, expect, test } from 'vitest';
import { hostFs } from '@actorvfs/core';
import { SharedVfs } from '@actorvfs/workers';

let svfs: SharedVfs | undefined;
let dir: string | undefined;
afterEach(async () => {
  await svfs?.close();
  svfs = undefined;
  if (dir !== undefined) nodeFs.rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

const WORKERS = new URL('../../packages/workers/dist/index.js', import.meta.url).href;

test('after close, an attached thread gets EIO for every change instead of waiting forever', async () => {
  svfs = await SharedVfs.create();
  svfs.fs.writeFileSync('/f', 'x');
  const w = new Worker(
    `const { workerData, parentPort } = require('node:worker_threads');
     import(${JSON.stringify(WORKERS)}).then(async ({ attach }) => {
       const fs = await attach(workerData);
       const fd = fs.openSync('/f', 'r');
       parentPort.postMessage('ready');
       await new Promise((r) => parentPort.once('message', r));
       const code = (fn) => { try { fn(); return 'ok'; } catch (e) { return e.code; } };
       const acode = async (p) => { try { await p; return 'ok'; } catch (e) { return e.code; } };
       parentPort.postMessage({
         mkdir: code(() => fs.mkdirSync('/d')),
         write: code(() => fs.writeFileSync('/g', 'y')),
         close: code(() => fs.closeSync(fd)),
         pmkdir: await acode(fs.promises.mkdir('/e')),
         read: code(() => fs.readFileSync('/f', 'utf8')),
       });
     });`,
    { eval: true, workerData: svfs.handle(), execArgv: [] },
  );
  await new Promise((r) => w.once('message', r));
  await svfs.close();
  svfs = undefined;
  const answer = new Promise((r) => w.once('message', r));
  w.postMessage('go');
  const got = (await answer) as Record<string, string>;
  await w.terminate();
  expect(got['mkdir']).toBe('EIO');
  expect(got['write']).toBe('EIO');
  expect(got['pmkdir']).toBe('EIO');
  // Closing a descriptor lets go of it whatever the actor's fate; a read
  // answers too (it may need the actor: an open may update atime).
  expect(['ok', 'EIO']).toContain(got['close']);
  expect(['ok', 'EIO']).toContain(got['read']);
});

test('an actor that keeps dying is given up: its mount answers EIO, other mounts carry on', async () => {
  svfs = await SharedVfs.create();
  const fs = svfs.fs;
  dir = nodeFs.mkdtempSync(nodePath.join(os.tmpdir(), 'avfs-giveup-'));
  fs.mkdirSync('/h');
  await svfs.mount('/h', hostFs({ path: dir }));
  fs.writeFileSync('/h/a', 'a');
  for (let i = 0; i < 6; i++) {
    const w = svfs.actorWorker('/h');
    await w.terminate();
    // Wait for the restart (or the giving up after the sixth death).
    for (let k = 0; k < 200; k++) {
      await new Promise((r) => setTimeout(r, 10));
      if (i === 5) break;
      try {
        if (svfs.actorWorker('/h') !== w) break;
      } catch {
        break;
      }
    }
  }
  await new Promise((r) => setTimeout(r, 50));
  expect(() => fs.readFileSync('/h/a', 'utf8')).toThrow(expect.objectContaining({ code: 'EIO' }) as Error);
  await expect(fs.promises.writeFile('/h/b', 'b')).rejects.toMatchObject({ code: 'EIO' });
  fs.writeFileSync('/root-still-works', 'yes');
  expect(fs.readFileSync('/root-still-works', 'utf8')).toBe('yes');
});

test('a big host directory lists whole (in slot-sized pieces)', async () => {
  svfs = await SharedVfs.create();
  dir = nodeFs.mkdtempSync(nodePath.join(os.tmpdir(), 'avfs-bigdir-'));
  const names = Array.from({ length: 3000 }, (_, i) => `entry-with-a-rather-long-name-${String(i).padStart(5, '0')}-${'x'.repeat(100)}`);
  for (const n of names) nodeFs.writeFileSync(nodePath.join(dir, n), '');
  svfs.fs.mkdirSync('/h');
  await svfs.mount('/h', hostFs({ path: dir }));
  expect(svfs.fs.readdirSync('/h').sort()).toEqual(names);
  expect((await svfs.fs.promises.readdir('/h')).sort()).toEqual(names);
});

test('a tmpfs unmounted and a hostFs mounted in its actor slot: threads attached before use the new, bigger ring', async () => {
  svfs = await SharedVfs.create();
  const fs = svfs.fs;
  fs.mkdirSync('/m');
  await svfs.mount('/m', { maxBytes: 1 << 20 });
  const w = new Worker(
    `const { workerData, parentPort } = require('node:worker_threads');
     import(${JSON.stringify(WORKERS)}).then(async ({ attach }) => {
       const fs = await attach(workerData);
       fs.writeFileSync('/m/t', 'tmpfs');
       parentPort.postMessage('ready');
       await new Promise((r) => parentPort.once('message', r));
       await fs.promises.writeFile('/m/big', Buffer.alloc(200000, 3));
       parentPort.postMessage((await fs.promises.readFile('/m/big')).length);
     });`,
    { eval: true, workerData: svfs.handle(), execArgv: [] },
  );
  await new Promise((r) => w.once('message', r));
  fs.unlinkSync('/m/t');
  await svfs.unmount('/m');
  dir = nodeFs.mkdtempSync(nodePath.join(os.tmpdir(), 'avfs-reuse-'));
  await svfs.mount('/m', hostFs({ path: dir }));
  const answer = new Promise((r) => w.once('message', r));
  w.postMessage('go');
  expect(await answer).toBe(200000);
  await w.terminate();
  expect(nodeFs.statSync(nodePath.join(dir, 'big')).size).toBe(200000);
});
