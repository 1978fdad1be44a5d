/**
 * Matrix Q: which times of the node (N) and of its parent directory (P)
 * each operation changes. Reads follow the profile's `relatime`: atime moves
 * when it is not newer than mtime or ctime (or is a day old).
 */

import { expect, test } from 'vitest';
import { forEachSetup } from '../setups.js';
import {
  O_CREAT,
  O_RDONLY,
  O_RDWR,
  O_TRUNC,
  O_WRONLY,
  S_IFIFO,
  expectTimes,
  expectTimesAround,
  nap,
  rejects,
  times,
  writeFile,
  type Fs,
  type TimeSpec,
} from './helpers.js';

const UNCHANGED: TimeSpec = { atime: 'same', mtime: 'same', ctime: 'same' };

forEachSetup('timestamp matrix', (h) => {
  /** Run op; check N (by path, lstat) and P. */
  async function row(node: string | null, nodeSpec: TimeSpec, parent: string, parentSpec: TimeSpec, op: () => unknown): Promise<void> {
    const { admin } = h();
    const watched = [{ path: parent, expect: parentSpec, label: 'P' }];
    if (node !== null) watched.push({ path: node, expect: nodeSpec, label: 'N' });
    await expectTimesAround(admin, watched, op);
  }

  const creates: [string, (fs: Fs, p: string) => unknown][] = [
    ['open O_CREAT', (fs, p) => fs.closeSync(fs.openSync(p, O_CREAT | O_WRONLY, 0o644))],
    ['mkdir', (fs, p) => fs.mkdirSync(p)],
    ['mkfifo', (fs, p) => fs.mkfifoSync(p, 0o644)],
    ['mknod', (fs, p) => fs.mknodSync(p, S_IFIFO | 0o644, 0)],
    ['symlink', (fs, p) => fs.symlinkSync('t', p)],
  ];
  for (const [name, make] of creates) {
    test(`Q create (${name}): N times all set to one "now", P mtime and ctime change`, async () => {
      const { fs, admin, dir } = h();
      const before = times(admin, dir);
      await row(null, {}, dir, { mtime: 'changed', ctime: 'changed', atime: 'same' }, () => make(fs, `${dir}/n`));
      const n = times(admin, `${dir}/n`);
      expect([n.mtime, n.ctime]).toEqual([n.atime, n.atime]);
      expect(n.ctime > before.ctime).toBe(true);
      expect(n.ctime <= times(admin, dir).ctime).toBe(true);
    });
  }

  test('Q open O_CREAT on an existing file: nothing changes, neither N nor P', async () => {
    const { fs, dir } = h();
    writeFile(fs, `${dir}/f`, 'x');
    await row(`${dir}/f`, UNCHANGED, dir, UNCHANGED, () => fs.closeSync(fs.openSync(`${dir}/f`, O_CREAT | O_RDWR, 0o644)));
  });

  test('Q open O_TRUNC on an existing file: N mtime and ctime, P nothing', async () => {
    const { fs, dir } = h();
    writeFile(fs, `${dir}/f`, 'abc');
    await row(`${dir}/f`, { mtime: 'changed', ctime: 'changed', atime: 'same' }, dir, UNCHANGED, () =>
      fs.closeSync(fs.openSync(`${dir}/f`, O_WRONLY | O_TRUNC)),
    );
  });

  test('Q link: N ctime, P (of the new name) mtime and ctime', async () => {
    const { fs, dir } = h();
    fs.mkdirSync(`${dir}/src`);
    fs.mkdirSync(`${dir}/dst`);
    writeFile(fs, `${dir}/src/f`, 'x');
    await expectTimesAround(
      h().admin,
      [
        { path: `${dir}/src/f`, expect: { ctime: 'changed', mtime: 'same', atime: 'same' }, label: 'N' },
        { path: `${dir}/dst`, expect: { mtime: 'changed', ctime: 'changed' }, label: 'new P' },
        { path: `${dir}/src`, expect: UNCHANGED, label: 'old P' },
      ],
      () => fs.linkSync(`${dir}/src/f`, `${dir}/dst/g`),
    );
  });

  test('Q unlink: N ctime when links remain, P mtime and ctime', async () => {
    const { fs, dir } = h();
    writeFile(fs, `${dir}/f`, 'x');
    fs.linkSync(`${dir}/f`, `${dir}/g`);
    await expectTimesAround(
      h().admin,
      [
        { path: `${dir}/g`, expect: { ctime: 'changed', mtime: 'same', atime: 'same' }, label: 'N' },
        { path: dir, expect: { mtime: 'changed', ctime: 'changed', atime: 'same' }, label: 'P' },
      ],
      () => fs.unlinkSync(`${dir}/f`),
    );
  });

  test('Q rmdir: P mtime and ctime', async () => {
    const { fs, dir } = h();
    fs.mkdirSync(`${dir}/d`);
    await row(null, {}, dir, { mtime: 'changed', ctime: 'changed', atime: 'same' }, () => fs.rmdirSync(`${dir}/d`));
  });

  test('Q rename: N ctime (Linux), both parents\' mtime and ctime', async () => {
    const { fs, admin, dir } = h();
    fs.mkdirSync(`${dir}/a`);
    fs.mkdirSync(`${dir}/b`);
    writeFile(fs, `${dir}/a/f`, 'x');
    const n = times(admin, `${dir}/a/f`);
    await expectTimesAround(
      admin,
      [
        { path: `${dir}/a`, expect: { mtime: 'changed', ctime: 'changed' }, label: 'old P' },
        { path: `${dir}/b`, expect: { mtime: 'changed', ctime: 'changed' }, label: 'new P' },
      ],
      () => fs.renameSync(`${dir}/a/f`, `${dir}/b/f`),
    );
    expectTimes(n, times(admin, `${dir}/b/f`), { ctime: 'changed', mtime: 'same', atime: 'same' }, 'N');
  });

  test('Q rename within one directory: P mtime and ctime', async () => {
    const { fs, dir } = h();
    writeFile(fs, `${dir}/f`, 'x');
    await row(null, {}, dir, { mtime: 'changed', ctime: 'changed' }, () => fs.renameSync(`${dir}/f`, `${dir}/g`));
  });

  test('Q rename over a multiply linked target: the replaced inode\'s ctime', async () => {
    const { fs, dir } = h();
    writeFile(fs, `${dir}/src`, 'new');
    writeFile(fs, `${dir}/dst`, 'old');
    fs.linkSync(`${dir}/dst`, `${dir}/keep`);
    await row(`${dir}/keep`, { ctime: 'changed', mtime: 'same' }, dir, { mtime: 'changed', ctime: 'changed' }, () =>
      fs.renameSync(`${dir}/src`, `${dir}/dst`),
    );
  });

  test('Q chmod and chown: N ctime only; P nothing', async () => {
    const { fs, dir } = h();
    writeFile(fs, `${dir}/f`, 'x');
    const spec: TimeSpec = { ctime: 'changed', mtime: 'same', atime: 'same' };
    await row(`${dir}/f`, spec, dir, UNCHANGED, () => fs.chmodSync(`${dir}/f`, 0o600));
    await row(`${dir}/f`, spec, dir, UNCHANGED, () => h().admin.chownSync(`${dir}/f`, 42, 43));
    await row(`${dir}/f`, spec, dir, UNCHANGED, () => h().admin.chownSync(`${dir}/f`, -1, -1));
  });

  test('Q truncate and ftruncate: N mtime and ctime; P nothing', async () => {
    const { fs, dir } = h();
    writeFile(fs, `${dir}/f`, 'abc');
    const spec: TimeSpec = { mtime: 'changed', ctime: 'changed', atime: 'same' };
    await row(`${dir}/f`, spec, dir, UNCHANGED, () => fs.truncateSync(`${dir}/f`, 10));
    const fd = fs.openSync(`${dir}/f`, O_RDWR);
    await row(`${dir}/f`, spec, dir, UNCHANGED, () => fs.ftruncateSync(fd, 2));
    fs.closeSync(fd);
  });

  test('Q write of at least one byte: N mtime and ctime, not atime; P nothing', async () => {
    const { fs, dir } = h();
    writeFile(fs, `${dir}/f`, 'abc');
    const fd = fs.openSync(`${dir}/f`, O_RDWR);
    const spec: TimeSpec = { mtime: 'changed', ctime: 'changed', atime: 'same' };
    await row(`${dir}/f`, spec, dir, UNCHANGED, () => fs.writeSync(fd, Buffer.from('x'), 0, 1, 0));
    await row(`${dir}/f`, spec, dir, UNCHANGED, () => fs.writeSync(fd, Buffer.from('y'), 0, 1, 100));
    fs.closeSync(fd);
    const fh = await fs.promises.open(`${dir}/f`, 'a');
    await row(`${dir}/f`, spec, dir, UNCHANGED, () => fh.appendFile('tail'));
    await fh.close();
  });

  test('Q write of zero bytes: no time changes', async () => {
    const { fs, dir } = h();
    writeFile(fs, `${dir}/f`, 'abc');
    const fd = fs.openSync(`${dir}/f`, O_WRONLY);
    await row(`${dir}/f`, UNCHANGED, dir, UNCHANGED, () => fs.writeSync(fd, Buffer.alloc(0)));
    fs.closeSync(fd);
  });

  test('Q read (relatime): atime moves when it is older than mtime, then stays; nothing else changes', async () => {
    const { fs, admin, dir } = h();
    writeFile(fs, `${dir}/f`, 'content');
    fs.utimesSync(`${dir}/f`, 1000, 2000);
    await row(`${dir}/f`, { atime: 'changed', mtime: 'same', ctime: 'same' }, dir, UNCHANGED, () => fs.readFileSync(`${dir}/f`));
    const t = times(admin, `${dir}/f`);
    expect(t.atime > t.ctime && t.atime > t.mtime).toBe(true);
    // atime is now newer than mtime and ctime: a second read leaves it alone.
    await row(`${dir}/f`, UNCHANGED, dir, UNCHANGED, () => {
      const fd = fs.openSync(`${dir}/f`, O_RDONLY);
      fs.readSync(fd, Buffer.alloc(4), 0, 4, 0);
      fs.closeSync(fd);
    });
  });

  test('Q read (relatime): a change of ctime after the last read makes the next read move atime', async () => {
    const { fs, admin, dir } = h();
    writeFile(fs, `${dir}/f`, 'content');
    fs.utimesSync(`${dir}/f`, 1000, 2000);
    fs.readFileSync(`${dir}/f`);
    await nap();
    fs.chmodSync(`${dir}/f`, 0o600);
    const before = times(admin, `${dir}/f`);
    await nap();
    fs.readFileSync(`${dir}/f`);
    expectTimes(before, times(admin, `${dir}/f`), { atime: 'changed', mtime: 'same', ctime: 'same' });
    // A write (mtime moves) does the same.
    await nap();
    writeFile(fs, `${dir}/f`, 'more');
    const again = times(admin, `${dir}/f`);
    await nap();
    await fs.promises.readFile(`${dir}/f`);
    expectTimes(again, times(admin, `${dir}/f`), { atime: 'changed', mtime: 'same', ctime: 'same' });
  });

  test('Q stat, readdir, readlink and open without reading change no time of N or P', async () => {
    const { fs, dir } = h();
    fs.mkdirSync(`${dir}/d`);
    writeFile(fs, `${dir}/d/f`, 'x');
    fs.symlinkSync('f', `${dir}/d/l`);
    // Bring atimes past mtime and ctime so relatime would not move them anyway.
    fs.readdirSync(`${dir}/d`);
    fs.readlinkSync(`${dir}/d/l`);
    await nap();
    await expectTimesAround(
      h().admin,
      [
        { path: `${dir}/d`, expect: { mtime: 'same', ctime: 'same' }, label: 'P' },
        { path: `${dir}/d/f`, expect: UNCHANGED, label: 'N' },
      ],
      () => {
        fs.statSync(`${dir}/d/f`);
        fs.readdirSync(`${dir}/d`);
        fs.readlinkSync(`${dir}/d/l`);
        fs.closeSync(fs.openSync(`${dir}/d/f`, O_RDONLY));
      },
    );
  });

  test('Q utimes: atime and mtime as set, ctime now', async () => {
    const { fs, admin, dir } = h();
    writeFile(fs, `${dir}/f`, 'x');
    const before = times(admin, `${dir}/f`);
    await nap();
    fs.utimesSync(`${dir}/f`, 5, 6);
    const after = times(admin, `${dir}/f`);
    expect([after.atime, after.mtime]).toEqual([5_000_000_000n, 6_000_000_000n]);
    expect(after.ctime > before.ctime).toBe(true);
  });

  test('Q a failed operation changes no time of N or P', async () => {
    const { fs, dir } = h();
    fs.mkdirSync(`${dir}/d`);
    writeFile(fs, `${dir}/f`, 'x');
    await row(`${dir}/f`, UNCHANGED, dir, UNCHANGED, async () => {
      await rejects(fs.promises.mkdir(`${dir}/d`), 'EEXIST');
      await rejects(fs.promises.open(`${dir}/f`, 'wx'), 'EEXIST');
      await rejects(fs.promises.link(`${dir}/f`, `${dir}/d`), 'EEXIST');
      await rejects(fs.promises.rename(`${dir}/missing`, `${dir}/g`), 'ENOENT');
      await rejects(fs.promises.rename(`${dir}/d`, `${dir}/f`), 'ENOTDIR');
      await rejects(fs.promises.unlink(`${dir}/missing`), 'ENOENT');
      await rejects(fs.promises.rmdir(`${dir}/f`), 'ENOTDIR');
      await rejects(fs.promises.symlink('x', `${dir}/f`), 'EEXIST');
    });
  });
});
