// Threads race link and unlink of names for one inode: link(base, hK) may
// fail only with EEXIST, unlink(hK) only with ENOENT. Every success is
// counted per name. Now and then a thread checks the inode's link count,
// through a path and through a descriptor it holds: it must stay within
// [1, 1 + names]. Even threads use the sync forms, odd ones fs.promises.
//
// workerData: { dir, base, names, ops, seed }  => { linked: number[], unlinked: number[], tally }

import { attempt, attemptAsync, rng, runThread, tally, unexpected } from './conc-common.mjs';

await runThread(async ({ fs, data, index, tick }) => {
  const t = tally();
  const r = rng(data.seed * 1000 + index);
  const linked = new Array(data.names).fill(0);
  const unlinked = new Array(data.names).fill(0);
  const usePromises = index % 2 === 1;
  const p = fs.promises;
  const fd = fs.openSync(data.base, 'r');
  const checkNlink = (n, how) => {
    if (!(n >= 1 && n <= 1 + data.names)) unexpected(t, `${how}: nlink ${n}, outside [1, ${1 + data.names}]`, 'nlink out of range');
  };
  for (let i = 0; i < data.ops; i++) {
    const k = r.below(data.names);
    const name = `${data.dir}/h${k}`;
    const what = r.below(10);
    if (what < 4) {
      const got = usePromises ? await attemptAsync(t, 'link', ['EEXIST'], name, () => p.link(data.base, name)) : attempt(t, 'link', ['EEXIST'], name, () => fs.linkSync(data.base, name));
      if (got.ok) linked[k]++;
    } else if (what < 8) {
      const got = usePromises ? await attemptAsync(t, 'unlink', ['ENOENT'], name, () => p.unlink(name)) : attempt(t, 'unlink', ['ENOENT'], name, () => fs.unlinkSync(name));
      if (got.ok) unlinked[k]++;
    } else if (what === 8) {
      const got = attempt(t, 'stat', [], data.base, () => fs.statSync(data.base).nlink);
      if (got.ok) checkNlink(got.value, 'stat');
    } else {
      const got = attempt(t, 'fstat', [], data.base, () => fs.fstatSync(fd).nlink);
      if (got.ok) checkNlink(got.value, 'fstat');
    }
    tick();
  }
  fs.closeSync(fd);
  return { linked, unlinked, tally: t };
});
