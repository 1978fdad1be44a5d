// Threads move the same entries back and forth between two directories:
// rename a/eK -> b/eK or b/eK -> a/eK, K picked at random. Even K are files,
// odd K directories holding a file `inner`. The only failure a racing mover
// can get is ENOENT (someone else moved it first). Now and then a thread
// reads an entry through either directory: it must be absent (ENOENT) or
// hold its own contents. Even threads use the sync forms, odd ones
// fs.promises.
//
// workerData: { a, b, entries, ops, seed }  => { moves: { ab: number[], ba: number[] }, tally }

import { attempt, attemptAsync, rng, runThread, tally, unexpected } from './conc-common.mjs';

await runThread(async ({ fs, data, index, tick }) => {
  const t = tally();
  const r = rng(data.seed * 1000 + index);
  const ab = new Array(data.entries).fill(0);
  const ba = new Array(data.entries).fill(0);
  const usePromises = index % 2 === 1;
  for (let i = 0; i < data.ops; i++) {
    const k = r.below(data.entries);
    const name = `e${k}`;
    if (r.chance(0.25)) {
      const dir = r.chance(0.5) ? data.a : data.b;
      const path = k % 2 === 0 ? `${dir}/${name}` : `${dir}/${name}/inner`;
      const got = usePromises
        ? await attemptAsync(t, 'read', ['ENOENT'], path, () => fs.promises.readFile(path, 'utf8'))
        : attempt(t, 'read', ['ENOENT'], path, () => fs.readFileSync(path, 'utf8'));
      if (got.ok && got.value !== name) unexpected(t, `read ${path}: ${JSON.stringify(got.value)}, want ${name}`);
    } else {
      const toB = r.chance(0.5);
      const from = `${toB ? data.a : data.b}/${name}`;
      const to = `${toB ? data.b : data.a}/${name}`;
      const got = usePromises
        ? await attemptAsync(t, 'rename', ['ENOENT'], `${from} -> ${to}`, () => fs.promises.rename(from, to))
        : attempt(t, 'rename', ['ENOENT'], `${from} -> ${to}`, () => fs.renameSync(from, to));
      if (got.ok) (toB ? ab : ba)[k]++;
    }
    tick();
  }
  return { moves: { ab, ba }, tally: t };
});
