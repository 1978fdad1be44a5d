// A thread attached after the faults, checking that nothing stays locked:
// in every directory under `root` it creates, writes, renames and removes a
// file and a subdirectory (each takes the directory's vnode lock at the
// actor), and every regular file in the tree it opens for writing and locks
// with a non-blocking exclusive flock and a non-blocking fcntl write lock
// over the whole file (EAGAIN would mean a dead thread's lock survived).
// Every failure is listed; nothing waits.
//
// workerData: { handle, root, skip: [paths whose locks another live thread holds] }
// => { dirs, files, locked, errors }

import { parentPort, workerData } from 'node:worker_threads';
import { attach } from '@actorvfs/workers';

const { handle, root } = workerData;
const skip = new Set(workerData.skip ?? []);

try {
  const fs = await attach(handle, { uid: 0, gid: 0 });
  const p = fs.promises;
  const errors = [];
  let dirs = 0;
  let files = 0;
  let locked = 0;
  const note = (what, err) => errors.push(`${what}: ${err?.code ?? 'thrown'} ${err?.message ?? err}`);

  const lockFile = async (path) => {
    let fh;
    try {
      fh = await p.open(path, 'r+');
      await fh.flock('ex');
      await fh.lock({ type: 'write' });
      const holder = await fh.getLock({ type: 'write' });
      if (holder !== null) errors.push(`getLock ${path}: ${JSON.stringify(holder)} while this thread holds the lock`);
      await fh.write(Buffer.from('x'), 0, 1, 0);
      await fh.lock({ type: 'unlock' });
      await fh.flock('un');
      locked++;
    } catch (err) {
      note(`lock ${path}`, err);
    } finally {
      await fh?.close().catch((err) => note(`close ${path}`, err));
    }
  };

  const visit = async (dir) => {
    dirs++;
    const names = (await p.readdir(dir)).sort();
    for (const name of names) {
      const path = dir === '/' ? `/${name}` : `${dir}/${name}`;
      const st = await p.lstat(path);
      if (st.isDirectory()) await visit(path);
      else if (st.isFile() && !skip.has(path)) {
        files++;
        await lockFile(path);
      }
    }
    const base = dir === '/' ? '' : dir;
    const f = `${base}/fresh-file`;
    const g = `${base}/fresh-renamed`;
    const d = `${base}/fresh-dir`;
    try {
      fs.writeFileSync(f, Buffer.alloc(5000, 7), { flag: 'wx' });
      await lockFile(f);
      fs.renameSync(f, g);
      if (fs.statSync(g).size !== 5000) errors.push(`${g}: size ${fs.statSync(g).size}, wrote 5000`);
      fs.unlinkSync(g);
      await p.mkdir(d);
      await p.writeFile(`${d}/x`, 'x');
      await p.unlink(`${d}/x`);
      fs.rmdirSync(d);
    } catch (err) {
      note(`create/rename/remove in ${dir}`, err);
    }
  };
  await visit(root);
  parentPort.postMessage({ kind: 'result', value: { dirs, files, locked, errors } });
} catch (err) {
  parentPort.postMessage({ kind: 'error', code: err?.code, message: String(err?.message ?? err), stack: String(err?.stack ?? '') });
}
