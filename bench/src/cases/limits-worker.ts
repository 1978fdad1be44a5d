/**
 * The other end of the round trips in limits.ts. Started with workerData
 * saying which game to play:
 *
 *   { kind: 'atomics', sab, spin }  ping-pong on two Int32 words: word 0 is
 *        the ping sequence (-1 stops), word 1 the echoed pong; spin > 0
 *        polls that many times before sleeping in Atomics.wait.
 *   { kind: 'echo' }                 posts every message straight back.
 */

import { parentPort, workerData } from 'node:worker_threads';

export type LimitsWorkerData = { kind: 'atomics'; sab: SharedArrayBuffer; spin: number } | { kind: 'echo' };

const job = workerData as LimitsWorkerData;

if (job.kind === 'atomics') {
  const words = new Int32Array(job.sab);
  let last = 0;
  for (;;) {
    let v = Atomics.load(words, 0);
    for (let n = 0; v === last && n < job.spin; n++) v = Atomics.load(words, 0);
    while (v === last) {
      Atomics.wait(words, 0, last);
      v = Atomics.load(words, 0);
    }
    if (v < 0) break;
    last = v;
    Atomics.store(words, 1, v);
    Atomics.notify(words, 1);
  }
  parentPort!.postMessage('done');
} else {
  parentPort!.on('message', (m: unknown) => parentPort!.postMessage(m));
}
