// Every thread tries to create the same names, in the same order, each name
// with one kind of exclusive create: open 'wx' + write, writeFile 'wx',
// mkdir, symlink. A loser must get EEXIST, nothing else. Even threads use
// the sync forms, odd threads fs.promises.
//
// workerData: { dir, names }  => { wins: number[], tally }

import { attempt, attemptAsync, runThread, tally } from './conc-common.mjs';

await runThread(async ({ fs, data, index, tick }) => {
  const t = tally();
  const wins = [];
  const me = `thread ${index}`;
  const usePromises = index % 2 === 1;
  const p = fs.promises;
  for (let k = 0; k < data.names; k++) {
    const path = `${data.dir}/n${k}`;
    const kind = ['open', 'writeFile', 'mkdir', 'symlink'][k % 4];
    let r;
    if (!usePromises) {
      r = attempt(t, kind, ['EEXIST'], path, () => {
        switch (kind) {
          case 'open': {
            const fd = fs.openSync(path, 'wx');
            try {
              fs.writeSync(fd, me);
            } finally {
              fs.closeSync(fd);
            }
            return;
          }
          case 'writeFile':
            return fs.writeFileSync(path, me, { flag: 'wx' });
          case 'mkdir':
            return fs.mkdirSync(path);
          default:
            return fs.symlinkSync(me, path);
        }
      });
    } else {
      r = await attemptAsync(t, kind, ['EEXIST'], path, async () => {
        switch (kind) {
          case 'open': {
            const fh = await p.open(path, 'wx');
            try {
              await fh.write(me);
            } finally {
              await fh.close();
            }
            return;
          }
          case 'writeFile':
            return p.writeFile(path, me, { flag: 'wx' });
          case 'mkdir':
            return p.mkdir(path);
          default:
            return p.symlink(me, path);
        }
      });
    }
    if (r.ok) wins.push(k);
    tick();
  }
  return { wins, tally: t };
});
