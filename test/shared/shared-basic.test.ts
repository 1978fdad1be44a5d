import { Worker } from 'node:worker_threads';
import { afterEach, expect, test } from 'vitest';
import { SharedVfs } from '@actorvfs/workers';

let svfs: SharedVfs | undefined;
afterEach(async () => {
  await svfs?.close();
  svfs = undefined;
});

function runWorker(script: string, workerData: unknown): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const w = new Worker(new URL(script, import.meta.url), { workerData, execArgv: [] });
    w.once('message', resolve);
    w.once('error', reject);
    w.once('exit', (code) => code !== 0 && reject(new Error(`worker exited ${code}`)));
  });
}

test('a worker attached to a shared file system sees the creator\'s changes and the creator sees its own', async () => {
  svfs = await SharedVfs.create();
  const fs = svfs.fs;
  fs.writeFileSync('/from-main', 'hello');
  const answer = (await runWorker('./workers/echo.mjs', { handle: svfs.handle() })) as { seen: string; isDir: boolean; list: string[] };
  expect(answer.seen).toBe('hello');
  expect(answer.isDir).toBe(true);
  expect(answer.list).toEqual(['async', 'from-main', 'from-worker', 'wdir']);
  expect(fs.readFileSync('/from-worker', 'utf8')).toBe('worker saw: hello');
  expect(fs.readFileSync('/async', 'utf8')).toBe('via promises');
  expect(fs.readdirSync('/wdir').sort()).toEqual(['a', 'b']);
});
