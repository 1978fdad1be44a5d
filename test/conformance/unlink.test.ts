/**
 * Section M: unlink (R-UNL-1 .. R-UNL-7). Sticky directories (R-UNL-8) are
 * in sticky.test.ts.
 */

import { expect, test } from 'vitest';
import { forEachSetup } from '../setups.js';
import {
  NON_DIR_TYPES,
  O_RDWR,
  createNode,
  expectTimesAround,
  exists,
  ownedDir,
  readFile,
  rejects,
  unprivileged,
  writeFile,
} from './helpers.js';

forEachSetup('unlink', (h, setup) => {
  for (const type of NON_DIR_TYPES) {
    test(`R-UNL-1 unlink removes a ${type} and updates the parent's mtime and ctime (R-UNL-3)`, async () => {
      const harness = h();
      const { fs, admin, dir } = harness;
      fs.mkdirSync(`${dir}/p`);
      createNode(harness, type, `${dir}/p/n`);
      await expectTimesAround(admin, [{ path: `${dir}/p`, expect: { mtime: 'changed', ctime: 'changed', atime: 'same' } }], () =>
        fs.promises.unlink(`${dir}/p/n`),
      );
      await rejects(fs.promises.lstat(`${dir}/p/n`), 'ENOENT');
      expect(fs.readdirSync(`${dir}/p`)).toEqual([]);
    });
  }

  test('R-UNL-1 unlink of a symlink removes the link, not its target', async () => {
    const { fs, dir } = h();
    writeFile(fs, `${dir}/f`, 'x');
    fs.symlinkSync('f', `${dir}/l`);
    await fs.promises.unlink(`${dir}/l`);
    expect(fs.readdirSync(dir)).toEqual(['f']);
    expect(readFile(fs, `${dir}/f`)).toBe('x');
  });

  test('R-UNL-2 unlinking one of several hard links updates the surviving inode\'s ctime and nlink', async () => {
    const { fs, admin, dir } = h();
    writeFile(fs, `${dir}/a`, 'x');
    fs.linkSync(`${dir}/a`, `${dir}/b`);
    fs.linkSync(`${dir}/a`, `${dir}/c`);
    await expectTimesAround(admin, [{ path: `${dir}/b`, expect: { ctime: 'changed', mtime: 'same' } }], () =>
      fs.promises.unlink(`${dir}/a`),
    );
    expect(fs.statSync(`${dir}/b`).nlink).toBe(2);
    await fs.promises.unlink(`${dir}/c`);
    expect(fs.statSync(`${dir}/b`).nlink).toBe(1);
    expect(readFile(fs, `${dir}/b`)).toBe('x');
  });

  test('R-UNL-4 a failed unlink (EACCES) changes neither the node\'s nor the parent\'s times', async () => {
    const harness = h();
    const u = unprivileged(harness, setup);
    const p = ownedDir(harness, `${harness.dir}/p`, { uid: 0, gid: 0 }, 0o755);
    createNode(harness, 'regular', `${p}/f`, { uid: u.uid, gid: u.gid, mode: 0o666 });
    await expectTimesAround(
      harness.admin,
      [
        { path: `${p}/f`, expect: { ctime: 'same' } },
        { path: p, expect: { ctime: 'same', mtime: 'same' } },
      ],
      () => rejects(u.fs.promises.unlink(`${p}/f`), 'EACCES'),
    );
    expect(exists(harness.admin, `${p}/f`)).toBe(true);
  });

  test('R-UNL-5 ENOTDIR for a prefix, ENOENT, EACCES for search or write, ELOOP for a prefix', async () => {
    const harness = h();
    const { fs, dir } = harness;
    writeFile(fs, `${dir}/f`, 'x');
    fs.symlinkSync('l2', `${dir}/l1`);
    fs.symlinkSync('l1', `${dir}/l2`);
    await rejects(fs.promises.unlink(`${dir}/f/x`), 'ENOTDIR');
    await rejects(fs.promises.unlink(`${dir}/missing`), 'ENOENT');
    await rejects(fs.promises.unlink(`${dir}/missing/x`), 'ENOENT');
    await rejects(fs.promises.unlink(`${dir}/l1/x`), 'ELOOP');
    const u = unprivileged(harness, setup);
    const base = ownedDir(harness, `${dir}/u`, u);
    ownedDir(harness, `${base}/noexec`, u);
    ownedDir(harness, `${base}/nowrite`, u);
    createNode(harness, 'regular', `${base}/noexec/f`, { uid: u.uid, gid: u.gid });
    createNode(harness, 'regular', `${base}/nowrite/f`, { uid: u.uid, gid: u.gid });
    harness.admin.chmodSync(`${base}/noexec`, 0o644);
    harness.admin.chmodSync(`${base}/nowrite`, 0o555);
    await rejects(u.fs.promises.unlink(`${base}/noexec/f`), 'EACCES');
    await rejects(u.fs.promises.unlink(`${base}/nowrite/f`), 'EACCES');
    expect(exists(harness.admin, `${base}/nowrite/f`)).toBe(true);
  });

  test('R-UNL-6 unlink of a directory gives EISDIR (Linux), for root too', async () => {
    const { fs, admin, dir } = h();
    fs.mkdirSync(`${dir}/d`);
    await rejects(fs.promises.unlink(`${dir}/d`), 'EISDIR');
    await rejects(admin.promises.unlink(`${dir}/d`), 'EISDIR');
    expect(fs.statSync(`${dir}/d`).isDirectory()).toBe(true);
  });

  test('R-UNL-7 an open file survives unlink: fstat shows nlink 0, write and pread still work', async () => {
    const { fs, dir } = h();
    writeFile(fs, `${dir}/f`, 'before');
    const fd = fs.openSync(`${dir}/f`, O_RDWR);
    await fs.promises.unlink(`${dir}/f`);
    expect(exists(fs, `${dir}/f`)).toBe(false);
    expect(fs.fstatSync(fd).nlink).toBe(0);
    const off = 654321;
    expect(fs.writeSync(fd, Buffer.from('after'), 0, 5, off)).toBe(5);
    expect(fs.fstatSync(fd).size).toBe(off + 5);
    const buf = Buffer.alloc(6);
    fs.readSync(fd, buf, 0, 6, 0);
    expect(buf.toString()).toBe('before');
    const tail = Buffer.alloc(5);
    fs.readSync(fd, tail, 0, 5, off);
    expect(tail.toString()).toBe('after');
    fs.closeSync(fd);
    // A new file of the same name is a different one.
    writeFile(fs, `${dir}/f`, 'new');
    expect(fs.statSync(`${dir}/f`).size).toBe(3);
  });

  test('R-UNL-7 a FileHandle keeps reading an unlinked file', async () => {
    const { fs, dir } = h();
    writeFile(fs, `${dir}/f`, 'still here');
    const fh = await fs.promises.open(`${dir}/f`, 'r');
    await fs.promises.unlink(`${dir}/f`);
    expect((await fh.stat()).nlink).toBe(0);
    expect((await fh.readFile('utf8')) as string).toBe('still here');
    await fh.close();
    expect(fs.readdirSync(dir)).toEqual([]);
  });
});
