/**
 * Inode pages freed in shared mode wait in the store's limbo list until no
 * thread can hold a handle into them, then go back to the page pool. The
 * list is in the store, so an actor killed before it got to them leaves
 * nothing leaked: its successor frees them.
 */

import { Worker } from 'node:worker_threads';
import { afterEach, expect, test } from 'vitest';
import { SB, fsck, type Store } from '@actorvfs/core/internal';
import { SharedVfs } from '@actorvfs/workers';

let svfs: SharedVfs | undefined;
afterEach(async () => {
  await svfs?.close();
  svfs = undefined;
});

function rootStore(s: SharedVfs): Store {
  s.client.syncMounts();
  return [...s.client.stores().values()][0]!;
}

async function until(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !cond(); i++) await new Promise((r) => setTimeout(r, 10));
}

test('pages of freed inodes come back once no thread is in a call; an actor killed meanwhile leaks none', async () => {
  svfs = await SharedVfs.create();
  const fs = svfs.fs;
  const st = rootStore(svfs);
  fs.mkdirSync('/d');
  fs.mkfifoSync('/fifo', 0o666);
  const fill = (): void => {
    for (let i = 0; i < 3000; i++) fs.writeFileSync(`/d/f${i}`, '');
  };
  const empty = (): void => {
    for (let i = 0; i < 3000; i++) fs.unlinkSync(`/d/f${i}`);
  };
  // First round: the directory's own tables grow (and stay grown); the inode pages come back.
  const start = st.sb[SB.PAGES_USED]!;
  fill();
  const full = st.sb[SB.PAGES_USED]!;
  expect(full).toBeGreaterThan(start + 50);
  empty();
  await until(() => st.sb[SB.LIMBO] === 0);
  expect(st.sb[SB.LIMBO]).toBe(0);
  const settled = st.sb[SB.PAGES_USED]!;
  expect(full - settled).toBeGreaterThan(50);
  // Second round: a worker stays inside a call (a blocking open of a FIFO),
  // so the retired pages must wait in the store's limbo list; the actor is
  // killed meanwhile, and its successor frees them once the worker's call ends.
  const reader = new Worker(
    `const { workerData, parentPort } = require('node:worker_threads');
     import(${JSON.stringify(new URL('../../packages/workers/dist/index.js', import.meta.url).href)}).then(async ({ attach }) => {
       const fs = await attach(workerData);
       parentPort.postMessage('opening');
       const fd = fs.openSync('/fifo', 'r');
       fs.closeSync(fd);
       parentPort.postMessage('done');
     });`,
    { eval: true, workerData: svfs.handle(), execArgv: [] },
  );
  await new Promise((r) => reader.once('message', r));
  await new Promise((r) => setTimeout(r, 50));
  fill();
  empty();
  await new Promise((r) => setTimeout(r, 20));
  expect(st.sb[SB.LIMBO], 'pages wait in limbo while a thread is in a call').not.toBe(0);
  await svfs.actorWorker('/').terminate();
  const done = new Promise((r) => reader.once('message', r));
  fs.closeSync(fs.openSync('/fifo', 'w'));
  await done;
  await reader.terminate();
  // (About a hundred inode pages were retired; a page or two may have gone to
  // the FIFO's ring and the directory's tables meanwhile.)
  await until(() => st.sb[SB.LIMBO] === 0 && st.sb[SB.PAGES_USED]! <= settled + 2);
  expect(st.sb[SB.LIMBO]).toBe(0);
  expect(st.sb[SB.PAGES_USED]!).toBeLessThanOrEqual(settled + 2);
  // The restarted actor serves on; nothing is leaked or broken.
  fs.writeFileSync('/d/after', 'x');
  fs.unlinkSync('/d/after');
  await svfs.settled();
  const report = fsck(st, { idle: true });
  expect(report.problems).toEqual([]);
  expect(report.pagesUnreachable).toBe(0);
});
