// A client of the actor fault test: attach, then run the model-checked
// workload (workload.mjs) in its own directory until the test says stop
// (and at least `minOps` operations), publishing its progress; post the
// report with the model.
//
// workerData: { handle, root, seed, index, minOps, ctl }
// ctl: Int32Array over a SharedArrayBuffer: [0] stop (0 -> 1), [1 + index] operations done.

import { parentPort, workerData } from 'node:worker_threads';
import { attach } from '@actorvfs/workers';
import { Workload } from './workload.mjs';

const { handle, root, seed, index, minOps } = workerData;
const ctl = new Int32Array(workerData.ctl);

try {
  const fs = await attach(handle, { uid: 0, gid: 0 });
  const w = new Workload(fs, root, seed);
  while (Atomics.load(ctl, 0) === 0 || w.ops < minOps) {
    await w.step();
    Atomics.store(ctl, 1 + index, w.ops);
  }
  parentPort.postMessage({ kind: 'result', value: w.report() });
} catch (err) {
  parentPort.postMessage({ kind: 'error', code: err?.code, message: String(err?.message ?? err), stack: String(err?.stack ?? '') });
}
