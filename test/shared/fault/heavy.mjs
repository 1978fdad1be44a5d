// A client whose requests keep the actor busy for long: it rewrites two
// multi-megabyte files in turn (opening with O_TRUNC has the actor free every
// page of the old contents) and truncates them to odd sizes, so that a kill
// aimed at a busy actor often lands inside a request. Every op it also
// creates and removes `batch` empty files, so whole pages of inode records
// fall empty and the actor retires them. It also checks its own
// work: after each rewrite the file reads back what it wrote; at the end the
// test compares the files with `last` (the last completed call on each).
//
// workerData: { handle, root, bytes, batch, index, ctl } (ctl as in actor-client.mjs)
// => { ops, last: { [name]: { fill, size } }, unexpected, eio }

import { parentPort, workerData } from 'node:worker_threads';
import { attach } from '@actorvfs/workers';

const { handle, root, bytes, batch, index } = workerData;
const ctl = new Int32Array(workerData.ctl);

try {
  const fs = await attach(handle, { uid: 0, gid: 0 });
  const last = {};
  const unexpected = [];
  const eio = [];
  let ops = 0;
  fs.mkdirSync(`${root}/batch`);
  const attempt = (what, fn) => {
    try {
      fn();
      return true;
    } catch (err) {
      if (err?.code === 'EIO') eio.push(what);
      else unexpected.push(`${what}: ${err?.code ?? 'thrown'} ${err?.message ?? err}`);
      return false;
    }
  };
  while (Atomics.load(ctl, 0) === 0) {
    const name = `big${ops % 2}`;
    const path = `${root}/${name}`;
    const fill = 1 + (ops % 250);
    const buf = Buffer.alloc(bytes, fill);
    if (attempt(`writeFile ${path}`, () => fs.writeFileSync(path, buf))) {
      last[name] = { fill, size: bytes };
      const size = fs.statSync(path).size;
      const ends = Buffer.alloc(2);
      const fd = fs.openSync(path, 'r');
      try {
        fs.readSync(fd, ends, 0, 1, 0);
        fs.readSync(fd, ends, 1, 1, bytes - 1);
      } finally {
        fs.closeSync(fd);
      }
      if (size !== bytes || ends[0] !== fill || ends[1] !== fill) unexpected.push(`${path}: ${size} bytes, starting with ${ends[0]} and ending with ${ends[1]}; wrote ${bytes} of ${fill}`);
    } else delete last[name];
    const size = (bytes >> 1) + 12345 * (ops % 7);
    if (name in last) {
      const p = fs.promises;
      try {
        await p.truncate(path, size);
        last[name] = { fill, size };
      } catch (err) {
        if (err?.code === 'EIO') eio.push(`truncate ${path}`);
        else unexpected.push(`truncate ${path}: ${err?.code ?? 'thrown'} ${err?.message ?? err}`);
        delete last[name];
      }
    }
    const made = [];
    for (let j = 0; j < batch; j++) {
      const f = `${root}/batch/b${j}`;
      if (attempt(`create ${f}`, () => fs.closeSync(fs.openSync(f, 'wx')))) made.push(f);
      else if (fs.existsSync(f)) made.push(f); // an EIO create may have happened
    }
    for (const f of made) attempt(`unlink ${f}`, () => fs.unlinkSync(f));
    ops++;
    Atomics.store(ctl, 1 + index, ops);
  }
  parentPort.postMessage({ kind: 'result', value: { ops, last, unexpected, eio } });
} catch (err) {
  parentPort.postMessage({ kind: 'error', code: err?.code, message: String(err?.message ?? err), stack: String(err?.stack ?? '') });
}
