// The thread attached after a victim was killed, in the client fault test:
//   - it takes the dead victim's locks on `lockFile` without waiting (an
//     exclusive flock and an fcntl write lock, both non-blocking: EAGAIN
//     would mean they outlived it);
//   - it tries the same on `held`, which the live bystander holds: that
//     must still say EAGAIN (the recovery released only the dead thread's);
//   - it carries on with a normal workload (workload.mjs) in `root`;
//   - it removes the victim's directory `victimDir` (every lock on it free).
//
// workerData: { handle, lockFile, held, root, victimDir, ops, seed }
// => { lockFile: {flock, fcntl, holder}, held: {flock, fcntl}, removed, report }

import { parentPort, workerData } from 'node:worker_threads';
import { attach } from '@actorvfs/workers';
import { Workload } from './workload.mjs';

const { handle, lockFile, held, root, victimDir, ops, seed } = workerData;

const outcome = async (fn) => {
  try {
    await fn();
    return 'ok';
  } catch (err) {
    return err?.code ?? `thrown: ${err?.message ?? err}`;
  }
};

try {
  const fs = await attach(handle, { uid: 0, gid: 0 });
  const p = fs.promises;

  const lf = await p.open(lockFile, 'r+');
  const holder = await lf.getLock({ type: 'write' });
  const lockFileResult = {
    holder,
    flock: await outcome(() => lf.flock('ex')),
    fcntl: await outcome(() => lf.lock({ type: 'write' })),
  };
  await lf.close();

  const hf = await p.open(held, 'r+');
  const heldResult = {
    flock: await outcome(() => hf.flock('ex')),
    fcntl: await outcome(() => hf.lock({ type: 'write' })),
  };
  await hf.close();

  await p.mkdir(root);
  const w = new Workload(fs, root, seed);
  for (let i = 0; i < ops; i++) await w.step();

  const removed = await outcome(() => p.rm(victimDir, { recursive: true }));
  parentPort.postMessage({ kind: 'result', value: { lockFile: lockFileResult, held: heldResult, removed, report: w.report() } });
} catch (err) {
  parentPort.postMessage({ kind: 'error', code: err?.code, message: String(err?.message ?? err), stack: String(err?.stack ?? '') });
}
