// Threads race mkdir and rmdir on a few shared names, two levels deep:
// root/dK and root/dK/sJ. The only failures a racing caller can get are
// EEXIST, ENOENT and ENOTEMPTY (each where it makes sense). Every success is
// counted per path, so the test can check each path's final state against
// them. Even threads use the sync forms, odd ones fs.promises.
//
// workerData: { root, tops, subs, ops, seed }  => { made: {path: n}, removed: {path: n}, tally }

import { attempt, attemptAsync, rng, runThread, tally } from './conc-common.mjs';

await runThread(async ({ fs, data, index, tick }) => {
  const t = tally();
  const r = rng(data.seed * 1000 + index);
  const made = {};
  const removed = {};
  const usePromises = index % 2 === 1;
  const call = (op, allowed, path, sync, promise) => (usePromises ? attemptAsync(t, op, allowed, path, promise) : attempt(t, op, allowed, path, sync));
  for (let i = 0; i < data.ops; i++) {
    const top = `${data.root}/d${r.below(data.tops)}`;
    const deep = r.chance(0.5);
    const path = deep ? `${top}/s${r.below(data.subs)}` : top;
    let got;
    if (r.chance(0.5)) {
      got = await call(deep ? 'mkdir2' : 'mkdir1', deep ? ['EEXIST', 'ENOENT'] : ['EEXIST'], path, () => fs.mkdirSync(path), () => fs.promises.mkdir(path));
      if (got.ok) made[path] = (made[path] ?? 0) + 1;
    } else {
      got = await call(deep ? 'rmdir2' : 'rmdir1', deep ? ['ENOENT'] : ['ENOENT', 'ENOTEMPTY'], path, () => fs.rmdirSync(path), () => fs.promises.rmdir(path));
      if (got.ok) removed[path] = (removed[path] ?? 0) + 1;
    }
    tick();
  }
  return { made, removed, tally: t };
});
