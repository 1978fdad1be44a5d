/**
 * Section J: rmdir (R-RMDIR-1 .. R-RMDIR-6). Sticky directories
 * (R-RMDIR-8) are in sticky.test.ts; mount points and a removed working
 * directory (R-RMDIR-7) in readonly-mount.test.ts, which can mount and
 * set a cwd.
 */

import { expect, test } from 'vitest';
import { forEachSetup } from '../setups.js';
import {
  FILE_TYPES,
  NODE_TYPES,
  createNode,
  expectTimesAround,
  exists,
  ownedDir,
  rejects,
  unprivileged,
  writeFile,
} from './helpers.js';

forEachSetup('rmdir', (h, setup) => {
  test('R-RMDIR-1 rmdir removes the directory and updates the parent\'s mtime and ctime', async () => {
    const { fs, admin, dir } = h();
    fs.mkdirSync(`${dir}/p`);
    fs.mkdirSync(`${dir}/p/d`);
    await expectTimesAround(admin, [{ path: `${dir}/p`, expect: { mtime: 'changed', ctime: 'changed', atime: 'same' } }], () =>
      fs.promises.rmdir(`${dir}/p/d`),
    );
    await rejects(fs.promises.stat(`${dir}/p/d`), 'ENOENT');
    expect(fs.statSync(`${dir}/p`).nlink).toBe(2);
    expect(fs.readdirSync(`${dir}/p`)).toEqual([]);
  });

  for (const type of FILE_TYPES) {
    test(`R-RMDIR-2 rmdir of a ${type} gives ENOTDIR, and so does a ${type} as a prefix`, async () => {
      const harness = h();
      createNode(harness, type, `${harness.dir}/n`);
      await rejects(harness.fs.promises.rmdir(`${harness.dir}/n`), 'ENOTDIR');
      await rejects(harness.fs.promises.rmdir(`${harness.dir}/n/x`), 'ENOTDIR');
      expect(exists(harness.fs, `${harness.dir}/n`)).toBe(true);
    });
  }

  test('R-RMDIR-2 rmdir never follows a final symlink: a link to a directory or a dangling link gives ENOTDIR', async () => {
    const { fs, dir } = h();
    fs.mkdirSync(`${dir}/d`);
    fs.symlinkSync('d', `${dir}/to-dir`);
    fs.symlinkSync('nowhere', `${dir}/dangling`);
    await rejects(fs.promises.rmdir(`${dir}/to-dir`), 'ENOTDIR');
    await rejects(fs.promises.rmdir(`${dir}/dangling`), 'ENOTDIR');
    expect(fs.readdirSync(dir).sort()).toEqual(['d', 'dangling', 'to-dir']);
  });

  test('R-RMDIR-3 a missing directory gives ENOENT; a prefix loop gives ELOOP', async () => {
    const { fs, dir } = h();
    fs.symlinkSync('l2', `${dir}/l1`);
    fs.symlinkSync('l1', `${dir}/l2`);
    await rejects(fs.promises.rmdir(`${dir}/missing`), 'ENOENT');
    await rejects(fs.promises.rmdir(`${dir}/missing/d`), 'ENOENT');
    await rejects(fs.promises.rmdir(`${dir}/l1/d`), 'ELOOP');
  });

  for (const type of NODE_TYPES) {
    test(`R-RMDIR-4 a directory containing a ${type} gives ENOTEMPTY`, async () => {
      const harness = h();
      harness.fs.mkdirSync(`${harness.dir}/d`);
      createNode(harness, type, `${harness.dir}/d/entry`);
      await rejects(harness.fs.promises.rmdir(`${harness.dir}/d`), 'ENOTEMPTY');
      expect(harness.fs.readdirSync(`${harness.dir}/d`)).toEqual(['entry']);
    });
  }

  test('R-RMDIR-4 once emptied, the directory can be removed', async () => {
    const { fs, dir } = h();
    fs.mkdirSync(`${dir}/d`);
    writeFile(fs, `${dir}/d/f`, 'x');
    await rejects(fs.promises.rmdir(`${dir}/d`), 'ENOTEMPTY');
    fs.unlinkSync(`${dir}/d/f`);
    await fs.promises.rmdir(`${dir}/d`);
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  test('R-RMDIR-5 missing search permission or write permission on the parent gives EACCES', async () => {
    const harness = h();
    const u = unprivileged(harness, setup);
    const base = ownedDir(harness, `${harness.dir}/u`, u);
    ownedDir(harness, `${base}/p`, u);
    ownedDir(harness, `${base}/p/d`, u);
    harness.admin.chmodSync(`${base}/p`, 0o644);
    await rejects(u.fs.promises.rmdir(`${base}/p/d`), 'EACCES');
    harness.admin.chmodSync(`${base}/p`, 0o555);
    await rejects(u.fs.promises.rmdir(`${base}/p/d`), 'EACCES');
    harness.admin.chmodSync(`${base}/p`, 0o755);
    await u.fs.promises.rmdir(`${base}/p/d`);
    expect(harness.admin.readdirSync(`${base}/p`)).toEqual([]);
  });

  test('R-RMDIR-6 "." as the last component gives EINVAL, ".." gives ENOTEMPTY (Linux)', async () => {
    const { fs, dir } = h();
    fs.mkdirSync(`${dir}/d`);
    fs.mkdirSync(`${dir}/d/e`);
    fs.mkdirSync(`${dir}/empty`);
    await rejects(fs.promises.rmdir(`${dir}/empty/.`), 'EINVAL');
    await rejects(fs.promises.rmdir(`${dir}/d/e/..`), 'ENOTEMPTY');
    await rejects(fs.promises.rmdir(`${dir}/empty/..`), 'ENOTEMPTY');
    expect(fs.readdirSync(dir).sort()).toEqual(['d', 'empty']);
  });

  test('R-RMDIR-1 rmdir through a path with ".." components removes the right directory', async () => {
    const { fs, dir } = h();
    fs.mkdirSync(`${dir}/a`);
    fs.mkdirSync(`${dir}/b`);
    await fs.promises.rmdir(`${dir}/a/../b`);
    expect(fs.readdirSync(dir)).toEqual(['a']);
  });
});
