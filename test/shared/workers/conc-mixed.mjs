// A mixed random workload in overlapping directories: every thread runs
// `ops` random creates, record writes, appends, truncates, mkdirs, rmdirs,
// unlinks, renames, links, symlinks, readdirs and reads on the same small
// namespace (root/dX/nY and root/dX/nY/nZ), so they collide all the time.
// Each op may fail only with the codes a racing caller can get for it.
//
// File data is always whole 64-byte records at record-aligned offsets, each
// naming its thread and a sequence number (never reused) and ending with a
// checksum; truncates keep sizes whole records. So afterwards every file
// must be whole records, each intact or all zero, and no record may appear
// twice anywhere. Even threads use the sync forms, odd ones fs.promises.
//
// workerData: { root, tops, names, ops, seed, record, maxRecords }  => { tally }

import { fnv1a, attempt, attemptAsync, rng, runThread, tally } from './conc-common.mjs';

// Any path may fail to resolve: a component missing, not a directory, or a
// loop of the symlinks this workload makes (nY -> nZ -> nY).
const NOT_THERE = ['ENOENT', 'ENOTDIR', 'ELOOP'];
const ALLOWED = {
  create: [...NOT_THERE, 'EEXIST'],
  write: [...NOT_THERE, 'EISDIR'],
  append: [...NOT_THERE, 'EISDIR'],
  truncate: [...NOT_THERE, 'EISDIR'],
  mkdir: [...NOT_THERE, 'EEXIST'],
  rmdir: [...NOT_THERE, 'ENOTEMPTY'],
  unlink: [...NOT_THERE, 'EISDIR'],
  rename: [...NOT_THERE, 'EISDIR', 'ENOTEMPTY', 'EINVAL'],
  link: [...NOT_THERE, 'EEXIST', 'EPERM'],
  symlink: [...NOT_THERE, 'EEXIST'],
  readdir: [...NOT_THERE],
  stat: [...NOT_THERE],
  readFile: [...NOT_THERE, 'EISDIR'],
};

await runThread(async ({ fs, data, index, tick }) => {
  const t = tally();
  const r = rng(data.seed * 1000 + index);
  const usePromises = index % 2 === 1;
  const p = fs.promises;
  const R = data.record;
  let seq = 0;

  const records = (n) => {
    const buf = Buffer.alloc(n * R);
    for (let k = 0; k < n; k++) {
      const at = k * R;
      const head = `F${String(index).padStart(2, '0')}:${String(seq).padStart(7, '0')}:`;
      buf.write(head, at, 'latin1');
      buf.fill(97 + ((index + seq) % 26), at + head.length, at + R - 9);
      buf.write(fnv1a(buf, at, at + R - 9).toString(16).padStart(8, '0'), at + R - 9, 'latin1');
      buf[at + R - 1] = 10;
      seq++;
    }
    return buf;
  };
  const name = () => `n${r.below(data.names)}`;
  const path = () => {
    const top = `${data.root}/d${r.below(data.tops)}/${name()}`;
    return r.chance(0.6) ? top : `${top}/${name()}`;
  };
  const run = (op, what, sync, promise) => (usePromises ? attemptAsync(t, op, ALLOWED[op], what, promise) : attempt(t, op, ALLOWED[op], what, sync));

  // Each op: [weight, name, body]
  const ops = [
    [10, 'create', async () => {
      const at = path();
      const buf = records(1 + r.below(4));
      await run('create', at,
        () => { const fd = fs.openSync(at, 'wx'); try { fs.writeSync(fd, buf, 0, buf.length, 0); } finally { fs.closeSync(fd); } },
        async () => { const fh = await p.open(at, 'wx'); try { await fh.write(buf, 0, buf.length, 0); } finally { await fh.close(); } });
    }],
    [14, 'write', async () => {
      const at = path();
      const buf = records(1 + r.below(8));
      const pos = R * r.below(data.maxRecords);
      await run('write', at,
        () => { const fd = fs.openSync(at, 'r+'); try { fs.writeSync(fd, buf, 0, buf.length, pos); } finally { fs.closeSync(fd); } },
        async () => { const fh = await p.open(at, 'r+'); try { await fh.write(buf, 0, buf.length, pos); } finally { await fh.close(); } });
    }],
    [8, 'append', async () => {
      const at = path();
      const buf = records(1 + r.below(3));
      await run('append', at, () => fs.appendFileSync(at, buf, { flag: 'a' }), () => p.appendFile(at, buf, { flag: 'a' }));
    }],
    [4, 'truncate', async () => {
      const at = path();
      const len = R * r.below(data.maxRecords);
      await run('truncate', at, () => fs.truncateSync(at, len), () => p.truncate(at, len));
    }],
    [10, 'mkdir', async () => {
      const at = path();
      await run('mkdir', at, () => fs.mkdirSync(at), () => p.mkdir(at));
    }],
    [8, 'rmdir', async () => {
      const at = path();
      await run('rmdir', at, () => fs.rmdirSync(at), () => p.rmdir(at));
    }],
    [9, 'unlink', async () => {
      const at = path();
      await run('unlink', at, () => fs.unlinkSync(at), () => p.unlink(at));
    }],
    [14, 'rename', async () => {
      const from = path();
      const to = path();
      await run('rename', `${from} -> ${to}`, () => fs.renameSync(from, to), () => p.rename(from, to));
    }],
    [6, 'link', async () => {
      const from = path();
      const to = path();
      await run('link', `${from} -> ${to}`, () => fs.linkSync(from, to), () => p.link(from, to));
    }],
    [4, 'symlink', async () => {
      const at = path();
      const target = name();
      await run('symlink', at, () => fs.symlinkSync(target, at), () => p.symlink(target, at));
    }],
    [5, 'readdir', async () => {
      const dir = r.chance(0.5) ? `${data.root}/d${r.below(data.tops)}` : path();
      const got = await run('readdir', dir, () => fs.readdirSync(dir), () => p.readdir(dir));
      if (!got.ok) return;
      for (const entry of got.value) {
        const at = `${dir}/${entry}`;
        await run('stat', at, () => fs.lstatSync(at), () => p.lstat(at));
      }
    }],
    [8, 'readFile', async () => {
      const at = path();
      await run('readFile', at, () => fs.readFileSync(at), () => p.readFile(at));
    }],
  ];
  const weights = ops.reduce((s, o) => s + o[0], 0);
  for (let i = 0; i < data.ops; i++) {
    let w = r.below(weights);
    let k = 0;
    while (w >= ops[k][0]) w -= ops[k++][0];
    await ops[k][2]();
    tick();
  }
  return { tally: t };
});
