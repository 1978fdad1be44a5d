// A thread that changes a shared tmpfs store through a journal, one
// operation per transaction (as an actor does), until it is terminated.
// It counts finished operations in `progress[0]` right after each commit.
import { workerData } from 'node:worker_threads';
import { Journal, Kernel, Tmpfs, createNodeFs, newContext, systemClock } from '@actorvfs/core/internal';
import { crashOps } from './crash-ops-list.mjs';

const { image, journal, refs, progress, seed, count } = workerData;
const fs = Tmpfs.attach({ store: image, atime: 'noatime' });
fs.tid = 5;
fs.st.id = 1;
const j = new Journal(journal, refs, 5);
fs.st.useJournal(j);
let id = 0;
const kernel = new Kernel(fs, systemClock, () => ++id);
const vfs = createNodeFs(newContext(kernel, { uid: 0, gid: 0 }));
const ops = crashOps(seed, count);
Atomics.store(progress, 1, 1);
Atomics.notify(progress, 1);
for (let i = 0; i < ops.length; i++) {
  j.begin(0);
  try {
    ops[i](vfs);
  } catch (e) {
    if (typeof e?.code !== 'string') throw e;
    j.abort();
  }
  j.end();
  Atomics.store(progress, 0, i + 1);
}
Atomics.store(progress, 2, 1);
