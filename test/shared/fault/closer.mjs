// A thread that is killed in the last close of an unlinked file: it opens
// `file`, unlinks it, says ready (ctl[0] = 1), waits for the go (ctl[1]),
// says it is closing (ctl[0] = 2) and closes. That close has the actor
// reclaim the file and waits for it; the test kills the thread meanwhile.
//
// workerData: { handle, file, ctl }

import { parentPort, workerData } from 'node:worker_threads';
import { attach } from '@actorvfs/workers';

const { handle, file } = workerData;
const ctl = new Int32Array(workerData.ctl);

try {
  const fs = await attach(handle, { uid: 0, gid: 0 });
  const fd = fs.openSync(file, 'r');
  fs.unlinkSync(file);
  Atomics.store(ctl, 0, 1);
  Atomics.notify(ctl, 0);
  while (Atomics.load(ctl, 1) === 0) Atomics.wait(ctl, 1, 0);
  Atomics.store(ctl, 0, 2);
  fs.closeSync(fd);
  Atomics.store(ctl, 0, 3);
  parentPort.postMessage({ kind: 'result', value: 'closed' });
} catch (err) {
  parentPort.postMessage({ kind: 'error', code: err?.code, message: String(err?.message ?? err), stack: String(err?.stack ?? '') });
}
