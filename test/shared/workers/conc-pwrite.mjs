// Writers to disjoint ranges of one file: chunk j of the file belongs to
// thread j % threads. Chunks are not page-aligned, so neighbours share pages.
// In each round a thread rewrites all its chunks (in a random order) with
// that round's pattern, then reads them back: nobody else writes those
// bytes, so they must be exactly what it wrote (a neighbour's write to a
// shared page must not bring back older bytes). Forms by thread: writeSync,
// FileHandle.write, writevSync, FileHandle.writev.
//
// workerData: { path, chunk, chunks, rounds }  => { tally, form }

import { attempt, attemptAsync, rng, runThread, tally, unexpected } from './conc-common.mjs';

function pattern(thread, round, j, len) {
  const buf = Buffer.alloc(len);
  for (let i = 0; i < len; i++) buf[i] = (thread * 53 + round * 29 + j * 7 + i) & 0xff;
  return buf;
}

await runThread(async ({ fs, data, index, threads, tick }) => {
  const t = tally();
  const r = rng(index + 7);
  const { path, chunk, chunks, rounds } = data;
  const form = ['writeSync', 'write', 'writevSync', 'writev'][index % 4];
  const mine = [];
  for (let j = index; j < chunks; j += threads) mine.push(j);
  const fd = fs.openSync(path, 'r+');
  const fh = await fs.promises.open(path, 'r+');
  for (let round = 0; round < rounds; round++) {
    const order = [...mine];
    for (let i = order.length - 1; i > 0; i--) {
      const k = r.below(i + 1);
      [order[i], order[k]] = [order[k], order[i]];
    }
    for (const j of order) {
      const buf = pattern(index, round, j, chunk);
      const pos = j * chunk;
      const half = 1 + r.below(chunk - 1);
      const what = `chunk ${j} round ${round}`;
      let got;
      if (form === 'writeSync') got = attempt(t, 'pwrite', [], what, () => fs.writeSync(fd, buf, 0, chunk, pos));
      else if (form === 'writevSync') got = attempt(t, 'pwrite', [], what, () => fs.writevSync(fd, [buf.subarray(0, half), buf.subarray(half)], pos));
      else if (form === 'write') got = await attemptAsync(t, 'pwrite', [], what, async () => (await fh.write(buf, 0, chunk, pos)).bytesWritten);
      else got = await attemptAsync(t, 'pwrite', [], what, async () => (await fh.writev([buf.subarray(0, half), buf.subarray(half)], pos)).bytesWritten);
      if (got.ok && got.value !== chunk) unexpected(t, `${what}: wrote ${got.value} of ${chunk} bytes`, 'short write');
      tick();
    }
    // Read back what this thread owns.
    const back = Buffer.alloc(chunk);
    for (const j of mine) {
      const got = attempt(t, 'pread', [], `chunk ${j}`, () => fs.readSync(fd, back, 0, chunk, j * chunk));
      if (got.ok && (got.value !== chunk || !back.equals(pattern(index, round, j, chunk)))) {
        const at = back.findIndex((b, i) => b !== pattern(index, round, j, chunk)[i]);
        unexpected(t, `chunk ${j} after round ${round}: read ${got.value} bytes, first wrong byte at ${at}`, 'own chunk changed');
      }
    }
  }
  fs.closeSync(fd);
  await fh.close();
  return { tally: t, form };
});
