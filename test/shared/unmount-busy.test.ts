/**
 * Unmount in shared mode: EBUSY while any thread uses the mount (an open
 * file, a working directory), for a tmpfs and for a hostFs served by its
 * actor; once they let go, the unmount goes through for every thread.
 */

import * as nodeFs from 'node:fs';
import * as os from 'node:os';
import * as nodePath from 'node:path';
import { Worker } from 'node:worker_threads';
import { afterEach, expect, test } from 'vitest';
import { hostFs } from '@actorvfs/core';
import { SharedVfs } from '@actorvfs/workers';

let svfs: SharedVfs | undefined;
let hostDir: string | undefined;
afterEach(async () => {
  await svfs?.close();
  svfs = undefined;
  if (hostDir !== undefined) nodeFs.rmSync(hostDir, { recursive: true, force: true });
  hostDir = undefined;
});

const WORKERS = new URL('../../packages/workers/dist/index.js', import.meta.url).href;

/** A worker that opens `path`, reports, waits for a message, closes it, reports again. */
function holder(path: string): Worker {
  const source = `
    const { workerData, parentPort } = require('node:worker_threads');
    import(${JSON.stringify(WORKERS)}).then(async ({ attach }) => {
      const fs = await attach(workerData.handle);
      const fd = fs.openSync(workerData.path, 'r');
      parentPort.postMessage('open');
      parentPort.once('message', () => {
        fs.closeSync(fd);
        parentPort.postMessage('closed');
      });
    });`;
  return new Worker(source, { eval: true, workerData: { handle: svfs!.handle(), path }, execArgv: [] });
}

function next(w: Worker): Promise<unknown> {
  return new Promise((resolve, reject) => {
    w.once('message', resolve);
    w.once('error', reject);
  });
}

for (const kind of ['tmpfs', 'hostfs'] as const) {
  test(`${kind}: a file open in another thread makes unmount EBUSY; after its close the unmount goes through`, async () => {
    svfs = await SharedVfs.create();
    const fs = svfs.fs;
    fs.mkdirSync('/m');
    if (kind === 'tmpfs') await svfs.mount('/m', { maxBytes: 1 << 20 });
    else {
      hostDir = nodeFs.mkdtempSync(nodePath.join(os.tmpdir(), 'avfs-umount-'));
      await svfs.mount('/m', hostFs({ path: hostDir }));
    }
    fs.writeFileSync('/m/file', 'data');
    const w = holder('/m/file');
    expect(await next(w)).toBe('open');
    await expect(svfs.unmount('/m')).rejects.toMatchObject({ code: 'EBUSY', syscall: 'umount' });
    expect(fs.readFileSync('/m/file', 'utf8')).toBe('data');
    w.postMessage('close');
    expect(await next(w)).toBe('closed');
    await svfs.unmount('/m');
    expect(fs.readdirSync('/m')).toEqual([]);
    await w.terminate();
  });
}
