// A thread that lives through every kill of the client fault test: it holds
// an exclusive flock and an fcntl write lock on `held` (the recovery of a
// dead thread must not take them away) and runs the model-checked workload
// (workload.mjs) in `root` meanwhile. When the test asks it to pause, it
// closes `held` (dropping its locks) and waits, so that the test can check
// an idle store; then it takes its locks again and carries on.
//
// workerData: { handle, root, held, seed, ctl }
// ctl words (Int32): [0] stop, [1] pause request (1: pause), [2] paused (1 while paused),
//                    [3] operations done, [4] 1 while it holds its locks.

import { parentPort, workerData } from 'node:worker_threads';
import { attach } from '@actorvfs/workers';
import { Workload } from './workload.mjs';

const STOP = 0;
const PAUSE = 1;
const PAUSED = 2;
const OPS = 3;
const LOCKED = 4;

const { handle, root, held, seed } = workerData;
const ctl = new Int32Array(workerData.ctl);

try {
  const fs = await attach(handle, { uid: 0, gid: 0 });
  const p = fs.promises;
  const w = new Workload(fs, root, seed);
  let fh;
  const take = async () => {
    fh = await p.open(held, 'r+');
    await fh.flock('ex');
    await fh.lock({ type: 'write' });
    Atomics.store(ctl, LOCKED, 1);
  };
  const drop = async () => {
    Atomics.store(ctl, LOCKED, 0);
    await fh.close();
  };
  await take();
  while (Atomics.load(ctl, STOP) === 0) {
    if (Atomics.load(ctl, PAUSE) === 1) {
      await drop();
      Atomics.store(ctl, PAUSED, 1);
      Atomics.notify(ctl, PAUSED);
      while (Atomics.load(ctl, PAUSE) === 1) Atomics.wait(ctl, PAUSE, 1, 1000);
      Atomics.store(ctl, PAUSED, 0);
      await take();
      continue;
    }
    await w.step();
    Atomics.store(ctl, OPS, w.ops);
  }
  await drop();
  parentPort.postMessage({ kind: 'result', value: w.report() });
} catch (err) {
  parentPort.postMessage({ kind: 'error', code: err?.code, message: String(err?.message ?? err), stack: String(err?.stack ?? '') });
}
