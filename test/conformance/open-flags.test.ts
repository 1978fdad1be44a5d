/**
 * Section H: open flags and descriptors (R-OPEN-1 .. R-OPEN-5, R-OPEN-10,
 * R-OPEN-12 .. R-OPEN-21). The permission matrix (R-OPEN-6 .. 9, 11) is in
 * open-permissions.test.ts.
 * R-OPEN-20: Node has no O_SHLOCK/O_EXLOCK; the same conflict is checked
 * with the FileHandle flock extension. Its EROFS case is in
 * readonly-mount.test.ts.
 */

import { expect, test } from 'vitest';
import { forEachSetup } from '../setups.js';
import {
  NODE_TYPES,
  O_APPEND,
  O_CREAT,
  O_DIRECTORY,
  O_EXCL,
  O_NOFOLLOW,
  O_NONBLOCK,
  O_RDONLY,
  O_RDWR,
  O_TRUNC,
  O_WRONLY,
  S_IFSOCK,
  createNode,
  expectTimesAround,
  expectType,
  exists,
  perms,
  readFile,
  rejects,
  throws,
  times,
  writeFile,
} from './helpers.js';

forEachSetup('open flags', (h) => {
  test('R-OPEN-1 O_CREAT makes a regular file with mode & ~umask, the caller\'s ids, and fresh times', async () => {
    const harness = h();
    const fs = harness.as({ ...harness.cred, umask: 0o022 });
    const { dir, admin } = harness;
    await expectTimesAround(admin, [{ path: dir, expect: { mtime: 'changed', ctime: 'changed' } }], async () => {
      const fh = await fs.promises.open(`${dir}/f`, O_CREAT | O_WRONLY, 0o666);
      await fh.close();
    });
    const st = admin.statSync(`${dir}/f`);
    expectType(st.mode, 'regular');
    expect([perms(st.mode), st.uid, st.gid, st.size, st.nlink]).toEqual(['0644', harness.cred.uid, harness.cred.gid, 0, 1]);
    const t = times(admin, `${dir}/f`);
    expect([t.mtime, t.ctime]).toEqual([t.atime, t.atime]);
    // Node's default mode is 0666.
    fs.closeSync(fs.openSync(`${dir}/g`, 'w'));
    expect(perms(admin.statSync(`${dir}/g`).mode)).toBe('0644');
  });

  test('R-OPEN-2 O_CREAT on an existing file changes neither the file nor the parent\'s times', async () => {
    const { fs, admin, dir } = h();
    writeFile(fs, `${dir}/f`, 'keep');
    await expectTimesAround(
      admin,
      [
        { path: dir, expect: { mtime: 'same', ctime: 'same' }, label: 'parent' },
        { path: `${dir}/f`, expect: { mtime: 'same', ctime: 'same' }, label: 'file' },
      ],
      async () => {
        const fh = await fs.promises.open(`${dir}/f`, O_CREAT | O_RDWR, 0o600);
        await fh.close();
      },
    );
    expect(readFile(fs, `${dir}/f`)).toBe('keep');
    expect(perms(fs.statSync(`${dir}/f`).mode)).toBe('0644');
  });

  test('R-OPEN-3 O_TRUNC empties a file and updates its mtime and ctime', async () => {
    const { fs, admin, dir } = h();
    writeFile(fs, `${dir}/f`, 'some data');
    await expectTimesAround(admin, [{ path: `${dir}/f`, expect: { mtime: 'changed', ctime: 'changed' } }], async () => {
      const fh = await fs.promises.open(`${dir}/f`, O_WRONLY | O_TRUNC);
      await fh.close();
    });
    expect(fs.statSync(`${dir}/f`).size).toBe(0);
  });

  test('R-OPEN-3 O_TRUNC of an already empty file still updates mtime and ctime', async () => {
    const { fs, admin, dir } = h();
    writeFile(fs, `${dir}/f`, '');
    for (let i = 0; i < 3; i++) {
      await expectTimesAround(admin, [{ path: `${dir}/f`, expect: { mtime: 'changed', ctime: 'changed' } }], () =>
        fs.closeSync(fs.openSync(`${dir}/f`, O_WRONLY | O_TRUNC)),
      );
    }
  });

  test('R-OPEN-3 opening r+ without O_TRUNC changes no time', async () => {
    const { fs, admin, dir } = h();
    writeFile(fs, `${dir}/f`, 'data');
    await expectTimesAround(admin, [{ path: `${dir}/f`, expect: { mtime: 'same', ctime: 'same' } }], () =>
      fs.closeSync(fs.openSync(`${dir}/f`, 'r+')),
    );
    expect(readFile(fs, `${dir}/f`)).toBe('data');
  });

  test('R-OPEN-4 a file as a prefix gives ENOTDIR, with and without O_CREAT', async () => {
    const { fs, dir } = h();
    writeFile(fs, `${dir}/f`, 'x');
    await rejects(fs.promises.open(`${dir}/f/x`, O_RDONLY), 'ENOTDIR');
    await rejects(fs.promises.open(`${dir}/f/x`, O_CREAT | O_WRONLY, 0o644), 'ENOTDIR');
  });

  test('R-OPEN-5 a missing prefix with O_CREAT gives ENOENT; a missing file without O_CREAT gives ENOENT', async () => {
    const { fs, dir } = h();
    await rejects(fs.promises.open(`${dir}/missing/f`, O_CREAT | O_WRONLY, 0o644), 'ENOENT');
    await rejects(fs.promises.open(`${dir}/missing`, O_RDONLY), 'ENOENT');
    await rejects(fs.promises.open(`${dir}/missing`, O_RDWR), 'ENOENT');
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  test('R-OPEN-10 a directory opens O_RDONLY; O_WRONLY, O_RDWR and any O_TRUNC give EISDIR', async () => {
    const { fs, dir } = h();
    fs.mkdirSync(`${dir}/d`);
    const fh = await fs.promises.open(`${dir}/d`, O_RDONLY);
    expect((await fh.stat()).isDirectory()).toBe(true);
    await fh.close();
    for (const flags of [O_WRONLY, O_RDWR, O_WRONLY | O_TRUNC, O_RDWR | O_TRUNC, O_RDONLY | O_TRUNC, O_CREAT | O_WRONLY, 'r+', 'w', 'a', 'a+']) {
      await rejects(fs.promises.open(`${dir}/d`, flags), 'EISDIR');
    }
    expect(fs.statSync(`${dir}/d`).isDirectory()).toBe(true);
  });

  test('R-OPEN-10 read() on a directory descriptor gives EISDIR', async () => {
    const { fs, dir } = h();
    fs.mkdirSync(`${dir}/d`);
    const fd = fs.openSync(`${dir}/d`, O_RDONLY | O_DIRECTORY);
    throws(() => fs.readSync(fd, Buffer.alloc(10), 0, 10, null), 'EISDIR');
    throws(() => fs.readSync(fd, Buffer.alloc(10), 0, 10, 0), 'EISDIR');
    fs.closeSync(fd);
    await rejects(fs.promises.readFile(`${dir}/d`), 'EISDIR');
  });

  test('R-OPEN-10 O_DIRECTORY on a non-directory gives ENOTDIR', async () => {
    const { fs, dir } = h();
    writeFile(fs, `${dir}/f`, 'x');
    await rejects(fs.promises.open(`${dir}/f`, O_RDONLY | O_DIRECTORY), 'ENOTDIR');
  });

  test('R-OPEN-12 a symlink loop as a prefix gives ELOOP; as the final component with O_CREAT too', async () => {
    const { fs, dir } = h();
    fs.symlinkSync('l2', `${dir}/l1`);
    fs.symlinkSync('l1', `${dir}/l2`);
    await rejects(fs.promises.open(`${dir}/l1/f`, O_RDONLY), 'ELOOP');
    await rejects(fs.promises.open(`${dir}/l1/f`, O_CREAT | O_WRONLY, 0o644), 'ELOOP');
    await rejects(fs.promises.open(`${dir}/l1`, O_CREAT | O_WRONLY, 0o644), 'ELOOP');
    await rejects(fs.promises.open(`${dir}/l1`, O_RDONLY), 'ELOOP');
  });

  test('R-OPEN-13 O_NOFOLLOW on a final symlink gives ELOOP for every access mode, with O_CREAT too', async () => {
    const { fs, dir } = h();
    writeFile(fs, `${dir}/f`, 'x');
    fs.symlinkSync('f', `${dir}/link`);
    fs.symlinkSync('nowhere', `${dir}/dangling`);
    for (const path of [`${dir}/link`, `${dir}/dangling`]) {
      for (const acc of [O_RDONLY, O_WRONLY, O_RDWR]) {
        await rejects(fs.promises.open(path, acc | O_NOFOLLOW), 'ELOOP');
        await rejects(fs.promises.open(path, acc | O_NOFOLLOW | O_CREAT, 0o644), 'ELOOP');
      }
    }
    expect(exists(fs, `${dir}/nowhere`)).toBe(false);
    // O_NOFOLLOW only concerns the last component.
    fs.mkdirSync(`${dir}/d`);
    fs.symlinkSync('d', `${dir}/dl`);
    writeFile(fs, `${dir}/d/g`, 'g');
    const fh = await fs.promises.open(`${dir}/dl/g`, O_RDONLY | O_NOFOLLOW);
    await fh.close();
  });

  test('R-OPEN-14 O_WRONLY|O_NONBLOCK on a fifo with no reader gives ENXIO; O_RDONLY|O_NONBLOCK works', async () => {
    const { fs, dir } = h();
    fs.mkfifoSync(`${dir}/p`, 0o644);
    await rejects(fs.promises.open(`${dir}/p`, O_WRONLY | O_NONBLOCK), 'ENXIO');
    const r = fs.openSync(`${dir}/p`, O_RDONLY | O_NONBLOCK);
    // With a reader present, the writer opens.
    const w = fs.openSync(`${dir}/p`, O_WRONLY | O_NONBLOCK);
    fs.closeSync(w);
    fs.closeSync(r);
    await rejects(fs.promises.open(`${dir}/p`, O_WRONLY | O_NONBLOCK), 'ENXIO');
  });

  for (const type of NODE_TYPES) {
    test(`R-OPEN-15 O_CREAT|O_EXCL on an existing ${type} gives EEXIST`, async () => {
      const harness = h();
      const p = `${harness.dir}/node`;
      createNode(harness, type, p);
      const before = harness.fs.lstatSync(p);
      for (const acc of [O_RDONLY, O_WRONLY, O_RDWR]) {
        await rejects(harness.fs.promises.open(p, O_CREAT | O_EXCL | acc, 0o644), 'EEXIST');
      }
      await rejects(harness.fs.promises.open(p, 'wx'), 'EEXIST');
      expect(harness.fs.lstatSync(p).ino).toBe(before.ino);
      expect(exists(harness.fs, `${harness.dir}/test`)).toBe(false);
    });
  }

  test('R-OPEN-16 O_CREAT without O_EXCL through a dangling symlink creates the target', async () => {
    const { fs, dir } = h();
    fs.symlinkSync('target', `${dir}/link`);
    const fh = await fs.promises.open(`${dir}/link`, O_CREAT | O_WRONLY, 0o640);
    await fh.write(Buffer.from('via link'));
    await fh.close();
    expect(fs.lstatSync(`${dir}/link`).isSymbolicLink()).toBe(true);
    expect(readFile(fs, `${dir}/target`)).toBe('via link');
    expect(perms(fs.statSync(`${dir}/target`).mode)).toBe('0640');
  });

  test('R-OPEN-17 access mode 3 (O_WRONLY|O_RDWR) opens, but neither reads nor writes (Linux)', async () => {
    const { fs, dir } = h();
    writeFile(fs, `${dir}/f`, 'abc');
    const fd = fs.openSync(`${dir}/f`, O_WRONLY | O_RDWR);
    throws(() => fs.readSync(fd, Buffer.alloc(3), 0, 3, 0), 'EBADF');
    throws(() => fs.writeSync(fd, Buffer.from('x'), 0, 1, 0), 'EBADF');
    fs.closeSync(fd);
    expect(readFile(fs, `${dir}/f`)).toBe('abc');
  });

  test('R-OPEN-18 opening a socket node gives ENXIO', async () => {
    const { fs, dir } = h();
    fs.mknodSync(`${dir}/sock`, S_IFSOCK | 0o666, 0);
    for (const flags of [O_RDONLY, O_WRONLY, O_RDWR, O_RDONLY | O_NONBLOCK]) {
      await rejects(fs.promises.open(`${dir}/sock`, flags), 'ENXIO');
    }
  });

  test('R-OPEN-19 offsets beyond 2 GiB work: pwrite at 2^31+1 gives size 2^31+2 and reads back', async () => {
    const { fs, dir } = h();
    const fd = fs.openSync(`${dir}/big`, O_CREAT | O_RDWR, 0o644);
    const off = 2 ** 31 + 1;
    expect(fs.writeSync(fd, Buffer.from('Q'), 0, 1, off)).toBe(1);
    expect(fs.fstatSync(fd).size).toBe(off + 1);
    const buf = Buffer.alloc(3, 0xff);
    expect(fs.readSync(fd, buf, 0, 3, off - 2)).toBe(3);
    expect([...buf]).toEqual([0, 0, 'Q'.charCodeAt(0)]);
    // Beyond 4 GiB as well.
    const far = 2 ** 32 + 7;
    fs.writeSync(fd, Buffer.from('R'), 0, 1, far);
    expect(fs.fstatSync(fd).size).toBe(far + 1);
    expect(fs.readSync(fd, buf, 0, 1, far)).toBe(1);
    expect(buf[0]).toBe('R'.charCodeAt(0));
    fs.closeSync(fd);
  });

  test('R-OPEN-20 a non-waiting lock request against an incompatible flock gives EAGAIN (EWOULDBLOCK)', async () => {
    const { fs, dir } = h();
    writeFile(fs, `${dir}/f`, 'x');
    const a = await fs.promises.open(`${dir}/f`, 'r');
    const b = await fs.promises.open(`${dir}/f`, 'r');
    await a.flock('ex');
    await rejects(b.flock('sh'), 'EAGAIN');
    await rejects(b.flock('ex'), 'EAGAIN');
    await a.flock('sh');
    await b.flock('sh');
    await rejects(a.flock('ex'), 'EAGAIN');
    await b.close();
    await a.flock('ex');
    await a.close();
  });

  test('R-OPEN-21 a write to a read-only descriptor and a read from a write-only one give EBADF', async () => {
    const { fs, dir } = h();
    writeFile(fs, `${dir}/f`, 'abc');
    const r = fs.openSync(`${dir}/f`, O_RDONLY);
    throws(() => fs.writeSync(r, Buffer.from('x')), 'EBADF');
    fs.closeSync(r);
    const w = fs.openSync(`${dir}/f`, O_WRONLY);
    throws(() => fs.readSync(w, Buffer.alloc(3), 0, 3, 0), 'EBADF');
    fs.closeSync(w);
    const fh = await fs.promises.open(`${dir}/f`, 'r');
    await rejects(fh.write(Buffer.from('x')), 'EBADF');
    await fh.close();
    expect(readFile(fs, `${dir}/f`)).toBe('abc');
  });

  test('R-OPEN-21 closing a closed descriptor and fstat of an unknown one give EBADF', async () => {
    const { fs, dir } = h();
    writeFile(fs, `${dir}/f`, 'abc');
    const fd = fs.openSync(`${dir}/f`, O_RDONLY);
    fs.closeSync(fd);
    throws(() => fs.closeSync(fd), 'EBADF');
    throws(() => fs.fstatSync(9999), 'EBADF');
    throws(() => fs.readSync(9999, Buffer.alloc(1), 0, 1, null), 'EBADF');
  });

  test('R-OPEN-21 with O_APPEND every write goes to the end, whatever position is passed', async () => {
    const { fs, dir } = h();
    writeFile(fs, `${dir}/f`, 'abc');
    const fd = fs.openSync(`${dir}/f`, 'a');
    fs.writeSync(fd, Buffer.from('Z'), 0, 1, 0);
    fs.writeSync(fd, Buffer.from('Y'));
    fs.closeSync(fd);
    expect(readFile(fs, `${dir}/f`)).toBe('abcZY');
    const fd2 = fs.openSync(`${dir}/f`, O_RDWR | O_APPEND);
    fs.writeSync(fd2, Buffer.from('!'), 0, 1, 1);
    const buf = Buffer.alloc(2);
    expect(fs.readSync(fd2, buf, 0, 2, 0)).toBe(2);
    expect(buf.toString()).toBe('ab');
    fs.closeSync(fd2);
    expect(readFile(fs, `${dir}/f`)).toBe('abcZY!');
  });
});
