/**
 * A worker thread of the cross-thread cases. It opens the file systems it
 * is asked about on first use (the shared one by attach(), or its own
 * separate instances), builds fixtures in them, and measures: one call
 * timed by tinybench, or a window of calls started at the barrier so that
 * several workers run at the same time. Requests are served one at a time,
 * in order (workers/xthread-protocol.ts).
 */

import * as nodeFs from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { createVfs } from '@actorvfs/core';
import { attach } from '@actorvfs/workers';
import * as zen from '@zenfs/core';
import { memfs } from 'memfs';
import { measure } from '../cases/micro.js';
import type { FsLike } from '../peers.js';
import { bindOp, makeFixture, runWindow } from './xthread-ops.js';
import { XTHREAD_PROTOCOL, arriveAndWait, type Instance, type XthreadReply, type XthreadRequest, type XthreadWorkerData } from './xthread-protocol.js';

const data = workerData as XthreadWorkerData;
const port = parentPort!;
const words = new Int32Array(data.barrier);
const opened = new Map<Instance, FsLike>();

async function fsOf(instance: Instance): Promise<FsLike> {
  let fs = opened.get(instance);
  if (fs !== undefined) return fs;
  switch (instance) {
    case 'shared':
      if (data.handle === null) throw new Error('this task has no shared file system');
      fs = (await attach(data.handle, { uid: 0, gid: 0 })) as unknown as FsLike;
      break;
    case 'embedded':
      fs = createVfs().fs as unknown as FsLike;
      break;
    case 'memfs':
      fs = memfs().fs as unknown as FsLike;
      break;
    case 'zenfs':
      // One global fs per thread: this worker's own InMemory root.
      zen.configureSingleSync({ backend: zen.InMemory });
      fs = zen.fs as unknown as FsLike;
      break;
    case 'native':
      fs = nodeFs as unknown as FsLike;
      break;
  }
  opened.set(instance, fs);
  return fs;
}

async function serve(req: XthreadRequest): Promise<unknown> {
  const fs = await fsOf(req.instance);
  switch (req.t) {
    case 'fixtures':
      for (const f of req.fixtures) makeFixture(fs, f);
      return null;
    case 'time': {
      const op = await bindOp(fs, req.spec);
      try {
        const label = `${req.instance}/${req.spec.op}/${data.index}`;
        return req.form === 'sync'
          ? await measure(label, () => op.sync(), false, req.budget, req.budget.timeMs, req.warmupMs)
          : await measure(label, () => op.promise(), true, req.budget, req.budget.timeMs, req.warmupMs);
      } finally {
        await op.close();
      }
    }
    case 'window':
      return runWindow(fs, req.spec, req.form, req.lanes, req.ms, () => arriveAndWait(words, req.gen));
  }
}

let queue: Promise<void> = Promise.resolve();
port.on('message', (req: XthreadRequest) => {
  queue = queue.then(async () => {
    let reply: XthreadReply;
    try {
      reply = { t: 'ok', id: req.id, value: await serve(req) };
    } catch (e) {
      const err = e as { message?: string; code?: string };
      reply = { t: 'error', id: req.id, message: err.message ?? String(e), ...(typeof err.code === 'string' ? { code: err.code } : {}) };
    }
    port.postMessage(reply);
  });
});

// The coordinator checks the version: both sides come from one build, but a stale dist/ would show here.
const ready: XthreadReply = { t: 'ready', protocol: XTHREAD_PROTOCOL };
port.postMessage(ready);
