/**
 * Section I: rename (R-REN-1 .. R-REN-15). Sticky directories (R-REN-17)
 * are in rename-sticky.test.ts; EXDEV and EROFS (R-REN-16) in
 * readonly-mount.test.ts.
 */

import { expect, test } from 'vitest';
import { forEachSetup } from '../setups.js';
import {
  NAME_MAX,
  NODE_TYPES,
  NON_DIR_TYPES,
  PATH_MAX,
  USER,
  createNode,
  expectTimesAround,
  exists,
  longName,
  longPath,
  mkdirs,
  ownedDir,
  readFile,
  rejects,
  unprivileged,
  writeFile,
  type Fs,
} from './helpers.js';

function identity(fs: Fs, p: string) {
  const st = fs.lstatSync(p);
  return { ino: st.ino, mode: st.mode, nlink: st.nlink, uid: st.uid, gid: st.gid };
}

forEachSetup('rename', (h, setup) => {
  for (const type of NODE_TYPES) {
    test(`R-REN-1 rename of a ${type} keeps inode, type, mode and nlink; the old name is gone`, async () => {
      const harness = h();
      const { fs, dir } = harness;
      createNode(harness, type, `${dir}/a`, { mode: type === 'dir' ? 0o751 : 0o640 });
      const before = identity(fs, `${dir}/a`);
      await fs.promises.rename(`${dir}/a`, `${dir}/b`);
      expect(identity(fs, `${dir}/b`)).toEqual(before);
      await rejects(fs.promises.lstat(`${dir}/a`), 'ENOENT');
      fs.mkdirSync(`${dir}/sub`);
      await fs.promises.rename(`${dir}/b`, `${dir}/sub/c`);
      expect(identity(fs, `${dir}/sub/c`)).toEqual(before);
      expect(fs.readdirSync(dir)).toEqual(['sub']);
    });
  }

  test('R-REN-1 renaming one of two hard links leaves the other; nlink stays 2', async () => {
    const { fs, dir } = h();
    writeFile(fs, `${dir}/a`, 'data');
    fs.linkSync(`${dir}/a`, `${dir}/a2`);
    const ino = fs.statSync(`${dir}/a`).ino;
    await fs.promises.rename(`${dir}/a`, `${dir}/b`);
    expect(fs.statSync(`${dir}/b`).nlink).toBe(2);
    expect(fs.statSync(`${dir}/a2`).ino).toBe(ino);
    expect(fs.statSync(`${dir}/b`).ino).toBe(ino);
    expect(readFile(fs, `${dir}/b`)).toBe('data');
  });

  test('R-REN-1 rename onto an existing file replaces it', async () => {
    const { fs, dir } = h();
    writeFile(fs, `${dir}/a`, 'new');
    writeFile(fs, `${dir}/b`, 'old');
    const ino = fs.statSync(`${dir}/a`).ino;
    await fs.promises.rename(`${dir}/a`, `${dir}/b`);
    expect(fs.statSync(`${dir}/b`).ino).toBe(ino);
    expect(readFile(fs, `${dir}/b`)).toBe('new');
    expect(fs.readdirSync(dir)).toEqual(['b']);
  });

  test('R-REN-2 renaming a symlink moves the link, not its target', async () => {
    const { fs, admin, dir } = h();
    writeFile(fs, `${dir}/target`, 'x');
    fs.symlinkSync('target', `${dir}/link`);
    const linkIno = fs.lstatSync(`${dir}/link`).ino;
    await expectTimesAround(admin, [{ path: `${dir}/target`, expect: { ctime: 'same', mtime: 'same' } }], () =>
      fs.promises.rename(`${dir}/link`, `${dir}/moved`),
    );
    expect(fs.lstatSync(`${dir}/moved`).ino).toBe(linkIno);
    expect(fs.lstatSync(`${dir}/moved`).isSymbolicLink()).toBe(true);
    expect(fs.readlinkSync(`${dir}/moved`)).toBe('target');
    expect(fs.statSync(`${dir}/target`).isFile()).toBe(true);
  });

  test('R-REN-3 a failed rename (EACCES) changes no ctime', async () => {
    const harness = h();
    const u = unprivileged(harness, setup);
    const base = ownedDir(harness, `${harness.dir}/u`, u);
    ownedDir(harness, `${base}/ro`, u, 0o555);
    createNode(harness, 'regular', `${base}/ro/f`, { uid: u.uid, gid: u.gid });
    ownedDir(harness, `${base}/rw`, u);
    await expectTimesAround(
      harness.admin,
      [
        { path: `${base}/ro/f`, expect: { ctime: 'same' } },
        { path: `${base}/ro`, expect: { ctime: 'same', mtime: 'same' } },
        { path: `${base}/rw`, expect: { ctime: 'same', mtime: 'same' } },
      ],
      () => rejects(u.fs.promises.rename(`${base}/ro/f`, `${base}/rw/f`), 'EACCES'),
    );
    expect(exists(harness.admin, `${base}/ro/f`)).toBe(true);
  });

  test('R-REN-4 NAME_MAX works and NAME_MAX+1 gives ENAMETOOLONG, for either argument', async () => {
    const { fs, dir } = h();
    const max = `${dir}/${longName(NAME_MAX)}`;
    const tooLong = `${dir}/${longName(NAME_MAX + 1)}`;
    writeFile(fs, `${dir}/a`, 'x');
    await fs.promises.rename(`${dir}/a`, max);
    await rejects(fs.promises.rename(max, tooLong), 'ENAMETOOLONG');
    await rejects(fs.promises.rename(tooLong, `${dir}/b`), 'ENAMETOOLONG');
    await fs.promises.rename(max, `${dir}/a`);
    expect(fs.readdirSync(dir)).toEqual(['a']);
  });

  test('R-REN-4 PATH_MAX-1 works and PATH_MAX gives ENAMETOOLONG, for either argument', async () => {
    const { fs, dir } = h();
    const ok = longPath(dir, PATH_MAX - 1);
    const tooLong = longPath(dir, PATH_MAX);
    mkdirs(fs, ok.parent);
    mkdirs(fs, tooLong.parent);
    writeFile(fs, `${dir}/a`, 'x');
    await fs.promises.rename(`${dir}/a`, ok.path);
    await rejects(fs.promises.rename(ok.path, tooLong.path), 'ENAMETOOLONG');
    await rejects(fs.promises.rename(tooLong.path, `${dir}/a`), 'ENAMETOOLONG');
    await fs.promises.rename(ok.path, `${dir}/a`);
    expect(readFile(fs, `${dir}/a`)).toBe('x');
  });

  test('R-REN-4 a missing source or a missing target prefix gives ENOENT', async () => {
    const { fs, dir } = h();
    writeFile(fs, `${dir}/a`, 'x');
    await rejects(fs.promises.rename(`${dir}/missing`, `${dir}/b`), 'ENOENT');
    await rejects(fs.promises.rename(`${dir}/a`, `${dir}/missing/b`), 'ENOENT');
    await rejects(fs.promises.rename(`${dir}/missing/a`, `${dir}/b`), 'ENOENT');
    expect(fs.readdirSync(dir)).toEqual(['a']);
  });

  test('R-REN-5 missing search permission on either prefix gives EACCES', async () => {
    const harness = h();
    const u = unprivileged(harness, setup);
    const base = ownedDir(harness, `${harness.dir}/u`, u);
    ownedDir(harness, `${base}/src`, u);
    ownedDir(harness, `${base}/dst`, u);
    createNode(harness, 'regular', `${base}/src/f`, { uid: u.uid, gid: u.gid });
    createNode(harness, 'regular', `${base}/g`, { uid: u.uid, gid: u.gid });
    harness.admin.chmodSync(`${base}/src`, 0o644);
    await rejects(u.fs.promises.rename(`${base}/src/f`, `${base}/h`), 'EACCES');
    harness.admin.chmodSync(`${base}/src`, 0o755);
    harness.admin.chmodSync(`${base}/dst`, 0o644);
    await rejects(u.fs.promises.rename(`${base}/g`, `${base}/dst/g`), 'EACCES');
    harness.admin.chmodSync(`${base}/dst`, 0o755);
    await u.fs.promises.rename(`${base}/src/f`, `${base}/dst/f`);
    expect(harness.admin.readdirSync(`${base}/dst`)).toEqual(['f']);
  });

  test('R-REN-5 no write permission on the source or the target parent gives EACCES', async () => {
    const harness = h();
    const u = unprivileged(harness, setup);
    const base = ownedDir(harness, `${harness.dir}/u`, u);
    ownedDir(harness, `${base}/src`, u);
    ownedDir(harness, `${base}/dst`, u);
    createNode(harness, 'regular', `${base}/src/f`, { uid: u.uid, gid: u.gid });
    harness.admin.chmodSync(`${base}/src`, 0o555);
    await rejects(u.fs.promises.rename(`${base}/src/f`, `${base}/dst/f`), 'EACCES');
    await rejects(u.fs.promises.rename(`${base}/src/f`, `${base}/src/g`), 'EACCES');
    harness.admin.chmodSync(`${base}/src`, 0o755);
    harness.admin.chmodSync(`${base}/dst`, 0o555);
    await rejects(u.fs.promises.rename(`${base}/src/f`, `${base}/dst/f`), 'EACCES');
    // Replacing an existing entry needs the same permission.
    createNode(harness, 'regular', `${base}/dst/f`, { uid: u.uid, gid: u.gid });
    await rejects(u.fs.promises.rename(`${base}/src/f`, `${base}/dst/f`), 'EACCES');
    expect(harness.admin.readdirSync(`${base}/src`)).toEqual(['f']);
  });

  for (const type of NON_DIR_TYPES) {
    test(`R-REN-6 a directory onto an existing ${type} gives ENOTDIR; the ${type} onto a directory gives EISDIR`, async () => {
      const harness = h();
      const { fs, dir } = harness;
      fs.mkdirSync(`${dir}/d`);
      createNode(harness, type, `${dir}/n`);
      const d = identity(fs, `${dir}/d`);
      const n = identity(fs, `${dir}/n`);
      await rejects(fs.promises.rename(`${dir}/d`, `${dir}/n`), 'ENOTDIR');
      await rejects(fs.promises.rename(`${dir}/n`, `${dir}/d`), 'EISDIR');
      expect(identity(fs, `${dir}/d`)).toEqual(d);
      expect(identity(fs, `${dir}/n`)).toEqual(n);
    });
  }

  test('R-REN-7 a directory onto a non-empty directory gives ENOTEMPTY', async () => {
    const harness = h();
    const { fs, dir } = harness;
    fs.mkdirSync(`${dir}/a`);
    for (const type of NODE_TYPES) {
      fs.mkdirSync(`${dir}/b-${type}`);
      createNode(harness, type, `${dir}/b-${type}/entry`);
      await rejects(fs.promises.rename(`${dir}/a`, `${dir}/b-${type}`), 'ENOTEMPTY');
      expect(fs.readdirSync(`${dir}/b-${type}`)).toEqual(['entry']);
    }
    expect(fs.statSync(`${dir}/a`).isDirectory()).toBe(true);
  });

  test('R-REN-7 a directory onto an empty directory replaces it', async () => {
    const { fs, dir } = h();
    fs.mkdirSync(`${dir}/p`);
    fs.mkdirSync(`${dir}/p/a`);
    writeFile(fs, `${dir}/p/a/inside`, 'x');
    fs.mkdirSync(`${dir}/p/b`);
    const ino = fs.statSync(`${dir}/p/a`).ino;
    expect(fs.statSync(`${dir}/p`).nlink).toBe(4);
    await fs.promises.rename(`${dir}/p/a`, `${dir}/p/b`);
    expect(fs.statSync(`${dir}/p/b`).ino).toBe(ino);
    expect(fs.readdirSync(`${dir}/p/b`)).toEqual(['inside']);
    expect(fs.readdirSync(`${dir}/p`)).toEqual(['b']);
    expect(fs.statSync(`${dir}/p`).nlink).toBe(3);
  });

  test('R-REN-8 moving a directory into its own subtree gives EINVAL', async () => {
    const { fs, dir } = h();
    fs.mkdirSync(`${dir}/a`);
    fs.mkdirSync(`${dir}/a/b`);
    fs.mkdirSync(`${dir}/a/b/c`);
    await rejects(fs.promises.rename(`${dir}/a`, `${dir}/a/x`), 'EINVAL');
    await rejects(fs.promises.rename(`${dir}/a`, `${dir}/a/b`), 'EINVAL');
    await rejects(fs.promises.rename(`${dir}/a`, `${dir}/a/b/x`), 'EINVAL');
    await rejects(fs.promises.rename(`${dir}/a`, `${dir}/a/b/c`), 'EINVAL');
    await rejects(fs.promises.rename(`${dir}/a/b`, `${dir}/a/b/c/x`), 'EINVAL');
    expect(fs.readdirSync(`${dir}/a/b`)).toEqual(['c']);
    expect(fs.readdirSync(dir)).toEqual(['a']);
  });

  test('R-REN-9 "." or ".." as the last component of either path gives EBUSY (Linux)', async () => {
    const { fs, dir } = h();
    fs.mkdirSync(`${dir}/d`);
    fs.mkdirSync(`${dir}/d/sub`);
    fs.mkdirSync(`${dir}/e`);
    writeFile(fs, `${dir}/f`, 'x');
    await rejects(fs.promises.rename(`${dir}/d/.`, `${dir}/x`), 'EBUSY');
    await rejects(fs.promises.rename(`${dir}/d/sub/..`, `${dir}/x`), 'EBUSY');
    await rejects(fs.promises.rename(`${dir}/e`, `${dir}/d/.`), 'EBUSY');
    await rejects(fs.promises.rename(`${dir}/e`, `${dir}/d/sub/..`), 'EBUSY');
    await rejects(fs.promises.rename(`${dir}/f`, `${dir}/d/.`), 'EBUSY');
    expect(fs.readdirSync(dir).sort()).toEqual(['d', 'e', 'f']);
  });

  test('R-REN-10 moving a directory to another parent needs write permission on the directory itself', async () => {
    const harness = h();
    const u = unprivileged(harness, setup);
    const base = ownedDir(harness, `${harness.dir}/u`, u, 0o777);
    ownedDir(harness, `${base}/src`, { uid: 0, gid: 0 }, 0o777);
    ownedDir(harness, `${base}/dst`, { uid: 0, gid: 0 }, 0o777);
    ownedDir(harness, `${base}/src/sub`, { uid: 0, gid: 0 }, 0o755);
    await rejects(u.fs.promises.rename(`${base}/src/sub`, `${base}/dst/sub`), 'EACCES');
    // Within the same parent, write permission on the parent is enough.
    await u.fs.promises.rename(`${base}/src/sub`, `${base}/src/renamed`);
    // With write permission on the directory it may move.
    harness.admin.chmodSync(`${base}/src/renamed`, 0o757);
    await u.fs.promises.rename(`${base}/src/renamed`, `${base}/dst/sub`);
    expect(harness.admin.readdirSync(`${base}/dst`)).toEqual(['sub']);
  });

  test('R-REN-10 a file the caller cannot write moves between writable parents', async () => {
    const harness = h();
    const u = unprivileged(harness, setup);
    const base = ownedDir(harness, `${harness.dir}/u`, u);
    ownedDir(harness, `${base}/a`, u);
    ownedDir(harness, `${base}/b`, u);
    createNode(harness, 'regular', `${base}/a/f`, { uid: 0, gid: 0, mode: 0o400 });
    await u.fs.promises.rename(`${base}/a/f`, `${base}/b/f`);
    expect(harness.admin.statSync(`${base}/b/f`).uid).toBe(0);
  });

  test('R-REN-11 rename updates the moved node\'s ctime (Linux), not its mtime', async () => {
    const { fs, admin, dir } = h();
    writeFile(fs, `${dir}/f`, 'x');
    fs.mkdirSync(`${dir}/d`);
    await expectTimesAround(admin, [{ path: `${dir}/f`, expect: { ctime: 'changed', mtime: 'same' } }], async () => {
      await fs.promises.rename(`${dir}/f`, `${dir}/g`);
      await fs.promises.rename(`${dir}/g`, `${dir}/f`);
    });
    await expectTimesAround(admin, [{ path: `${dir}/d`, expect: { ctime: 'changed', mtime: 'same' } }], async () => {
      await fs.promises.rename(`${dir}/d`, `${dir}/e`);
      await fs.promises.rename(`${dir}/e`, `${dir}/d`);
    });
  });

  test('R-REN-12 replacing a target with other hard links: its nlink drops by one and its ctime changes', async () => {
    const { fs, admin, dir } = h();
    writeFile(fs, `${dir}/src`, 'new');
    writeFile(fs, `${dir}/dst`, 'old');
    fs.linkSync(`${dir}/dst`, `${dir}/other`);
    const ino = fs.statSync(`${dir}/dst`).ino;
    expect(fs.statSync(`${dir}/other`).nlink).toBe(2);
    await expectTimesAround(admin, [{ path: `${dir}/other`, expect: { ctime: 'changed', mtime: 'same' } }], () =>
      fs.promises.rename(`${dir}/src`, `${dir}/dst`),
    );
    const st = fs.statSync(`${dir}/other`);
    expect([st.ino, st.nlink]).toEqual([ino, 1]);
    expect(readFile(fs, `${dir}/other`)).toBe('old');
    expect(readFile(fs, `${dir}/dst`)).toBe('new');
  });

  test('R-REN-13 moving a directory: the old parent\'s nlink drops, the new parent\'s rises, ".." follows', async () => {
    const { fs, dir } = h();
    fs.mkdirSync(`${dir}/p1`);
    fs.mkdirSync(`${dir}/p2`);
    fs.mkdirSync(`${dir}/p1/d`);
    expect([fs.statSync(`${dir}/p1`).nlink, fs.statSync(`${dir}/p2`).nlink]).toEqual([3, 2]);
    await fs.promises.rename(`${dir}/p1/d`, `${dir}/p2/d`);
    expect([fs.statSync(`${dir}/p1`).nlink, fs.statSync(`${dir}/p2`).nlink]).toEqual([2, 3]);
    expect(fs.statSync(`${dir}/p2/d/..`).ino).toBe(fs.statSync(`${dir}/p2`).ino);
    expect(fs.statSync(`${dir}/p2/d`).nlink).toBe(2);
    // Replacing an empty directory in another parent.
    fs.mkdirSync(`${dir}/p1/e`);
    await fs.promises.rename(`${dir}/p2/d`, `${dir}/p1/e`);
    expect([fs.statSync(`${dir}/p1`).nlink, fs.statSync(`${dir}/p2`).nlink]).toEqual([3, 2]);
    expect(fs.statSync(`${dir}/p1/e/..`).ino).toBe(fs.statSync(`${dir}/p1`).ino);
  });

  test('R-REN-14 rename of a name onto itself, or onto another link of the same inode, succeeds and does nothing', async () => {
    const { fs, dir } = h();
    writeFile(fs, `${dir}/a`, 'x');
    fs.linkSync(`${dir}/a`, `${dir}/b`);
    fs.mkdirSync(`${dir}/d`);
    await fs.promises.rename(`${dir}/a`, `${dir}/a`);
    await fs.promises.rename(`${dir}/a`, `${dir}/b`);
    await fs.promises.rename(`${dir}/d`, `${dir}/d`);
    expect(fs.readdirSync(dir).sort()).toEqual(['a', 'b', 'd']);
    expect(fs.statSync(`${dir}/a`).nlink).toBe(2);
    expect(fs.statSync(`${dir}/b`).nlink).toBe(2);
  });

  test('R-REN-15 a symlink loop or a file in either prefix gives ELOOP or ENOTDIR', async () => {
    const { fs, dir } = h();
    writeFile(fs, `${dir}/a`, 'x');
    writeFile(fs, `${dir}/file`, 'x');
    fs.symlinkSync('l2', `${dir}/l1`);
    fs.symlinkSync('l1', `${dir}/l2`);
    await rejects(fs.promises.rename(`${dir}/l1/x`, `${dir}/b`), 'ELOOP');
    await rejects(fs.promises.rename(`${dir}/a`, `${dir}/l1/x`), 'ELOOP');
    await rejects(fs.promises.rename(`${dir}/file/x`, `${dir}/b`), 'ENOTDIR');
    await rejects(fs.promises.rename(`${dir}/a`, `${dir}/file/x`), 'ENOTDIR');
    expect(fs.readdirSync(dir).sort()).toEqual(['a', 'file', 'l1', 'l2']);
  });

  test('R-REN-1 rename by another user keeps the node\'s owner', async () => {
    const harness = h();
    const fs = harness.as(USER);
    const base = ownedDir(harness, `${harness.dir}/u`, USER);
    createNode(harness, 'regular', `${base}/f`, { uid: 123, gid: 456 });
    await fs.promises.rename(`${base}/f`, `${base}/g`);
    const st = harness.admin.statSync(`${base}/g`);
    expect([st.uid, st.gid]).toEqual([123, 456]);
  });
});
