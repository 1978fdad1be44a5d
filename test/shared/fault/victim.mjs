// The client the client fault test kills. It attaches, then:
//   1. takes an exclusive flock and an fcntl write lock (whole file) on
//      `${dir}/lockfile`;
//   2. (if `held` is given) asks for a write lock on `held`, which another
//      thread holds, and waits for it (a registered waiter, never granted);
//   3. creates `${dir}/ghost`, writes `ghostBytes` into it, unlinks it and
//      keeps it open (its space must come back when this thread dies);
//   4. says READY, then loops until it is terminated (mode 'busy'):
//      big writes into `${dir}/stream<c>` (a new file every STREAM_CHUNKS
//      chunks, the old one unlinked), mkdir `${dir}/tree/m<i>`, rename it
//      to r<i>, rmdir r<i-8>, a temporary file unlinked before its last
//      close (which has the actor reclaim it), small writes into the ghost; each
//      finished call is published in ctl, so the test can tell what it must
//      find (everything done) from what may or may not be there (the call in
//      flight). Mode 'ghost' only keeps writing into the ghost.
//
// Every call's outcome is published *after* it returns, each in one word.
// workerData: { handle, dir, held, ghostBytes, chunk, mode, ctl }
// ctl words (Int32): see W below.

import { parentPort, workerData } from 'node:worker_threads';
import { attach } from '@actorvfs/workers';

// Same layout as VICTIM in helpers.ts.
const W = {
  /** 1 once steps 1-3 are done. */
  READY: 0,
  /** Directories: mkdir m<i> done for i < MK; rename m<i> -> r<i> done for i < RN; rmdir r<i> done for i < RM. */
  MK: 1,
  RN: 2,
  RM: 3,
  /** Stream: cycle * 64 + chunks written into stream<cycle> (one word, so it never tears). */
  STREAM: 4,
  /** Loop iterations done. */
  STEPS: 5,
};
const STREAM_CHUNKS = 8;

/** The byte chunk `k` of stream file `c` is filled with (streamFill in helpers.ts). */
function streamFill(c, k) {
  return ((c * STREAM_CHUNKS + k) % 251) + 1;
}

const { handle, dir, held, ghostBytes, chunk, mode } = workerData;
const ctl = new Int32Array(workerData.ctl);
const MiB = 1 << 20;

try {
  const fs = await attach(handle, { uid: 0, gid: 0 });
  const p = fs.promises;

  // 1. Locks this thread holds when it dies.
  const lockFh = await p.open(`${dir}/lockfile`, 'w+');
  await lockFh.write(Buffer.from('locked by the victim\n'));
  await lockFh.flock('ex');
  await lockFh.lock({ type: 'write' });

  // 2. A lock it waits for when it dies.
  if (held) {
    const heldFh = await p.open(held, 'r+');
    heldFh.lock({ type: 'write', wait: true }).catch(() => undefined);
  }

  // 3. An open file with no name.
  const gfd = fs.openSync(`${dir}/ghost`, 'w+');
  const fill = Buffer.alloc(MiB, 0x47);
  for (let off = 0; off < ghostBytes; off += MiB) fs.writeSync(gfd, fill, 0, Math.min(MiB, ghostBytes - off), off);
  fs.unlinkSync(`${dir}/ghost`);
  const small = Buffer.alloc(4096, 0x48);

  Atomics.store(ctl, W.READY, 1);
  Atomics.notify(ctl, W.READY);

  if (mode === 'ghost') {
    for (let i = 0; ; i++) {
      fs.writeSync(gfd, small, 0, small.length, (i * 4096) % (ghostBytes - 4096));
      if (i % 64 === 0) await new Promise((resolve) => setImmediate(resolve));
      Atomics.store(ctl, W.STEPS, i + 1);
    }
  }

  // 4. Busy until killed.
  let cycle = 0;
  let chunks = 0;
  let sfd = fs.openSync(`${dir}/stream0`, 'w+');
  for (let i = 0; ; i++) {
    const buf = Buffer.alloc(chunk, streamFill(cycle, chunks));
    fs.writeSync(sfd, buf, 0, chunk, chunks * chunk);
    chunks++;
    Atomics.store(ctl, W.STREAM, cycle * 64 + chunks);
    if (chunks === STREAM_CHUNKS) {
      const next = fs.openSync(`${dir}/stream${cycle + 1}`, 'w+');
      cycle++;
      chunks = 0;
      Atomics.store(ctl, W.STREAM, cycle * 64);
      fs.closeSync(sfd);
      sfd = next;
      fs.unlinkSync(`${dir}/stream${cycle - 1}`);
    }

    const m = `${dir}/tree/m${i}`;
    const r = `${dir}/tree/r${i}`;
    if (i % 2 === 0) fs.mkdirSync(m);
    else await p.mkdir(m);
    Atomics.store(ctl, W.MK, i + 1);
    if (i % 3 === 0) await p.rename(m, r);
    else fs.renameSync(m, r);
    Atomics.store(ctl, W.RN, i + 1);
    if (i >= 8) {
      if (i % 2 === 1) fs.rmdirSync(`${dir}/tree/r${i - 8}`);
      else await p.rmdir(`${dir}/tree/r${i - 8}`);
      Atomics.store(ctl, W.RM, i - 7);
    }

    // A file whose last close comes after its unlink: the close has the actor reclaim it.
    const tmp = `${dir}/tmp${i}`;
    const tfd = fs.openSync(tmp, 'w+');
    fs.writeSync(tfd, fill, 0, 65536, 0);
    fs.unlinkSync(tmp);
    fs.closeSync(tfd);

    fs.writeSync(gfd, small, 0, small.length, (i * 4096) % (ghostBytes - 4096));
    Atomics.store(ctl, W.STEPS, i + 1);
  }
} catch (err) {
  parentPort.postMessage({ kind: 'error', code: err?.code, message: String(err?.message ?? err), stack: String(err?.stack ?? '') });
}
