/**
 * Section F: mkdir (R-MKDIR-1 .. R-MKDIR-5).
 */

import { expect, test } from 'vitest';
import { forEachSetup } from '../setups.js';
import {
  NAME_MAX,
  NODE_TYPES,
  PATH_MAX,
  USER,
  createNode,
  expectTimesAround,
  expectType,
  longName,
  longPath,
  mkdirs,
  ownedDir,
  perms,
  rejects,
  times,
  unprivileged,
  writeFile,
} from './helpers.js';

forEachSetup('mkdir', (h, setup) => {
  test('R-MKDIR-1 the new directory has type dir, mode & ~umask, the caller\'s uid and egid', async () => {
    const harness = h();
    const fs = harness.as({ ...harness.cred, umask: 0o022 });
    await fs.promises.mkdir(`${harness.dir}/d`, 0o777);
    const st = harness.admin.statSync(`${harness.dir}/d`);
    expectType(st.mode, 'dir');
    expect([perms(st.mode), st.uid, st.gid]).toEqual(['0755', harness.cred.uid, harness.cred.gid]);
    expect(st.nlink).toBe(2);
    expect(harness.fs.readdirSync(`${harness.dir}/d`)).toEqual([]);
  });

  test('R-MKDIR-1 mkdir keeps the sticky bit of the mode (Linux) and the default mode is 0777 & ~umask', async () => {
    const harness = h();
    const fs = harness.as({ ...harness.cred, umask: 0o002 });
    await fs.promises.mkdir(`${harness.dir}/s`, 0o1777);
    await fs.promises.mkdir(`${harness.dir}/def`);
    expect(perms(harness.admin.statSync(`${harness.dir}/s`).mode)).toBe('1775');
    expect(perms(harness.admin.statSync(`${harness.dir}/def`).mode)).toBe('0775');
  });

  test('R-MKDIR-2 mkdir sets the new directory\'s times to now and updates the parent\'s mtime and ctime', async () => {
    const { fs, admin, dir } = h();
    const before = times(admin, dir);
    await expectTimesAround(admin, [{ path: dir, expect: { mtime: 'changed', ctime: 'changed', atime: 'same' } }], () =>
      fs.promises.mkdir(`${dir}/d`),
    );
    const t = times(admin, `${dir}/d`);
    expect(t.atime).toBe(t.mtime);
    expect(t.ctime).toBe(t.mtime);
    expect(t.mtime > before.mtime).toBe(true);
  });

  for (const type of NODE_TYPES) {
    test(`R-MKDIR-3 mkdir onto an existing ${type} gives EEXIST`, async () => {
      const harness = h();
      const p = `${harness.dir}/node`;
      createNode(harness, type, p);
      const ino = harness.fs.lstatSync(p).ino;
      await rejects(harness.fs.promises.mkdir(p), 'EEXIST');
      expect(harness.fs.lstatSync(p).ino).toBe(ino);
    });
  }

  test('R-MKDIR-3 mkdir of ".", ".." and "dangling/" gives EEXIST', async () => {
    const { fs, dir } = h();
    fs.mkdirSync(`${dir}/d`);
    fs.symlinkSync('nowhere', `${dir}/dangling`);
    await rejects(fs.promises.mkdir(`${dir}/d/.`), 'EEXIST');
    await rejects(fs.promises.mkdir(`${dir}/d/..`), 'EEXIST');
    await rejects(fs.promises.mkdir(`${dir}/dangling/`), 'EEXIST');
    expect(fs.readdirSync(dir).sort()).toEqual(['d', 'dangling']);
  });

  test('R-MKDIR-4 a file prefix gives ENOTDIR, a missing prefix ENOENT, a prefix loop ELOOP', async () => {
    const { fs, dir } = h();
    writeFile(fs, `${dir}/f`, 'x');
    fs.symlinkSync('l2', `${dir}/l1`);
    fs.symlinkSync('l1', `${dir}/l2`);
    await rejects(fs.promises.mkdir(`${dir}/f/d`), 'ENOTDIR');
    await rejects(fs.promises.mkdir(`${dir}/missing/d`), 'ENOENT');
    await rejects(fs.promises.mkdir(`${dir}/l1/d`), 'ELOOP');
  });

  test('R-MKDIR-4 NAME_MAX and PATH_MAX limits', async () => {
    const { fs, dir } = h();
    await fs.promises.mkdir(`${dir}/${longName(NAME_MAX)}`);
    await rejects(fs.promises.mkdir(`${dir}/${longName(NAME_MAX + 1)}`), 'ENAMETOOLONG');
    const ok = longPath(dir, PATH_MAX - 1);
    mkdirs(fs, ok.parent);
    await fs.promises.mkdir(ok.path);
    const tooLong = longPath(dir, PATH_MAX);
    await rejects(fs.promises.mkdir(tooLong.path), 'ENAMETOOLONG');
    expect(fs.statSync(ok.path).isDirectory()).toBe(true);
  });

  test('R-MKDIR-4 missing search or write permission gives EACCES', async () => {
    const harness = h();
    const u = unprivileged(harness, setup);
    const base = ownedDir(harness, `${harness.dir}/u`, u);
    ownedDir(harness, `${base}/noexec`, u, 0o644);
    ownedDir(harness, `${base}/nowrite`, u, 0o555);
    await rejects(u.fs.promises.mkdir(`${base}/noexec/d`), 'EACCES');
    await rejects(u.fs.promises.mkdir(`${base}/nowrite/d`), 'EACCES');
    // Another user's 0755 directory.
    ownedDir(harness, `${base}/theirs`, { uid: 0, gid: 0 });
    await rejects(u.fs.promises.mkdir(`${base}/theirs/d`), 'EACCES');
    expect(harness.admin.readdirSync(`${base}/nowrite`)).toEqual([]);
  });

  test('R-MKDIR-5 a directory\'s nlink is 2 plus its number of subdirectories', async () => {
    const { fs, dir } = h();
    fs.mkdirSync(`${dir}/p`);
    expect(fs.statSync(`${dir}/p`).nlink).toBe(2);
    for (let i = 1; i <= 3; i++) {
      fs.mkdirSync(`${dir}/p/d${i}`);
      expect(fs.statSync(`${dir}/p`).nlink).toBe(2 + i);
    }
    writeFile(fs, `${dir}/p/file`, 'x');
    fs.symlinkSync('d1', `${dir}/p/link`);
    expect(fs.statSync(`${dir}/p`).nlink).toBe(5);
    fs.rmdirSync(`${dir}/p/d2`);
    expect(fs.statSync(`${dir}/p`).nlink).toBe(4);
    expect(fs.statSync(`${dir}/p/d1`).nlink).toBe(2);
  });

  test('R-MKDIR-1 a non-root caller\'s directory in a 0777 root-owned dir belongs to him', async () => {
    const harness = h();
    const fs = harness.as(USER);
    const p = ownedDir(harness, `${harness.dir}/pub`, { uid: 0, gid: 0 }, 0o777);
    await fs.promises.mkdir(`${p}/d`, 0o700);
    const st = harness.admin.statSync(`${p}/d`);
    expect([st.uid, st.gid, perms(st.mode)]).toEqual([USER.uid, USER.gid, '0700']);
  });
});
