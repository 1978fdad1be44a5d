/**
 * fs.watch across threads: a watcher in one thread hears the changes other
 * attached threads make (through the registry's event ring), with the same
 * events it would hear for its own changes.
 */

import { Worker } from 'node:worker_threads';
import { afterEach, expect, test } from 'vitest';
import { SharedVfs } from '@actorvfs/workers';

let svfs: SharedVfs | undefined;
afterEach(async () => {
  await svfs?.close();
  svfs = undefined;
});

const WORKERS = new URL('../../packages/workers/dist/index.js', import.meta.url).href;

/** A worker attached to the file system running `body` (an async function body of `fs`, `port`). */
function start(body: string): Worker {
  const source = `
    const { workerData, parentPort } = require('node:worker_threads');
    import(${JSON.stringify(WORKERS)}).then(async ({ attach }) => {
      const fs = await attach(workerData);
      const port = parentPort;
      await (async () => { ${body} })();
    });`;
  return new Worker(source, { eval: true, workerData: svfs!.handle(), execArgv: [] });
}

function next<T>(w: Worker): Promise<T> {
  return new Promise((resolve, reject) => {
    w.once('message', resolve);
    w.once('error', reject);
  });
}

test('a watcher in the creating thread hears what a worker does in the directory', async () => {
  svfs = await SharedVfs.create();
  const fs = svfs.fs;
  fs.mkdirSync('/dir');
  fs.writeFileSync('/dir/existing', 'x');
  const events: string[] = [];
  const watcher = fs.watch('/dir', (type, name) => events.push(`${type}:${String(name)}`));
  const w = start(`
    fs.writeFileSync('/dir/made-by-worker', 'hello');
    fs.appendFileSync('/dir/existing', 'more');
    fs.renameSync('/dir/made-by-worker', '/dir/renamed');
    await fs.promises.unlink('/dir/renamed');
    port.postMessage('done');
  `);
  await next(w);
  await w.terminate();
  for (let i = 0; i < 200 && !events.includes('rename:renamed'); i++) await new Promise((r) => setTimeout(r, 5));
  watcher.close();
  expect(events).toContain('rename:made-by-worker');
  expect(events).toContain('change:existing');
  expect(events).toContain('rename:renamed');
  // Nothing is heard about other directories, and the creator's own changes are heard once each.
  fs.writeFileSync('/elsewhere', 'y');
  const mine: string[] = [];
  const w2 = fs.watch('/dir', (type, name) => mine.push(`${type}:${String(name)}`));
  fs.writeFileSync('/dir/own', 'z');
  await new Promise((r) => setTimeout(r, 30));
  w2.close();
  expect(mine).toEqual(['rename:own', 'change:own']);
});

test('a watcher in a worker hears the creator and another worker change a file; closing it stops the events', async () => {
  svfs = await SharedVfs.create();
  const fs = svfs.fs;
  fs.writeFileSync('/watched', 'start');
  const watcherThread = start(`
    const seen = [];
    const w = fs.watch('/watched', (type, name) => {
      seen.push(type + ':' + name);
      if (seen.length === 2) { w.close(); port.postMessage(seen); }
    });
    port.postMessage('watching');
  `);
  expect(await next(watcherThread)).toBe('watching');
  const result = next<string[]>(watcherThread);
  fs.writeFileSync('/watched', 'from the creator');
  const other = start(`fs.truncateSync('/watched', 2); port.postMessage('done');`);
  await next(other);
  await other.terminate();
  expect(await result).toEqual(['change:watched', 'change:watched']);
  await watcherThread.terminate();
});
