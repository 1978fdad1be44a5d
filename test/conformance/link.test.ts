/**
 * Section E: link (R-LINK-1 .. R-LINK-9).
 * R-LINK-8: EXDEV and EROFS are in readonly-mount.test.ts (they need
 * mounts); the file-flag cases use the fs's chflags extension.
 */

import { expect, test } from 'vitest';
import { forEachSetup } from '../setups.js';
import {
  FILE_TYPES,
  NAME_MAX,
  NODE_TYPES,
  PATH_MAX,
  SF_IMMUTABLE,
  UF_APPEND,
  UF_IMMUTABLE,
  createNode,
  expectTimesAround,
  exists,
  longName,
  longPath,
  mkdirs,
  ownedDir,
  rejects,
  unprivileged,
  writeFile,
} from './helpers.js';

forEachSetup('link', (h, setup) => {
  for (const type of FILE_TYPES) {
    test(`R-LINK-1 a ${type} gets a second name with the same inode, type, mode, nlink and owner`, async () => {
      const harness = h();
      const { fs, admin, dir } = harness;
      const a = `${dir}/a`;
      createNode(harness, type, a, { mode: 0o640 });
      expect(fs.lstatSync(a).nlink).toBe(1);
      await fs.promises.link(a, `${dir}/b`);
      await fs.promises.link(`${dir}/b`, `${dir}/c`);
      const pick = (p: string) => {
        const st = fs.lstatSync(p);
        return { ino: st.ino, mode: st.mode, nlink: st.nlink, uid: st.uid, gid: st.gid };
      };
      expect(pick(a).nlink).toBe(3);
      expect(pick(`${dir}/b`)).toEqual(pick(a));
      expect(pick(`${dir}/c`)).toEqual(pick(a));
      // chmod and chown through one name show through all.
      await admin.promises.chmod(`${dir}/b`, 0o604);
      await admin.promises.chown(`${dir}/c`, 123, 456);
      expect(pick(a)).toEqual(pick(`${dir}/b`));
      expect(pick(a)).toMatchObject({ mode: (fs.lstatSync(a).mode & ~0o7777) | 0o604, uid: 123, gid: 456 });
      await admin.promises.unlink(`${dir}/b`);
      expect(admin.lstatSync(a).nlink).toBe(2);
      await admin.promises.unlink(a);
      expect(admin.lstatSync(`${dir}/c`).nlink).toBe(1);
      expect(admin.lstatSync(`${dir}/c`).ino).toBe(pick(`${dir}/c`).ino);
    });
  }

  test('R-LINK-1 data written through one name reads through the other', async () => {
    const { fs, dir } = h();
    writeFile(fs, `${dir}/a`, 'one');
    fs.linkSync(`${dir}/a`, `${dir}/b`);
    fs.appendFileSync(`${dir}/b`, '-two');
    expect(fs.readFileSync(`${dir}/a`, 'utf8')).toBe('one-two');
  });

  test('R-LINK-1 link does not follow a symlink source: it links the symlink itself (Linux)', async () => {
    const { fs, dir } = h();
    writeFile(fs, `${dir}/f`, 'x');
    fs.symlinkSync('f', `${dir}/s`);
    await fs.promises.link(`${dir}/s`, `${dir}/s2`);
    expect(fs.lstatSync(`${dir}/s2`).isSymbolicLink()).toBe(true);
    expect(fs.lstatSync(`${dir}/s2`).ino).toBe(fs.lstatSync(`${dir}/s`).ino);
    expect(fs.statSync(`${dir}/f`).nlink).toBe(1);
  });

  for (const type of FILE_TYPES) {
    test(`R-LINK-2 link of a ${type} updates its ctime and the new parent's mtime and ctime`, async () => {
      const harness = h();
      const { fs, admin, dir } = harness;
      createNode(harness, type, `${dir}/a`);
      fs.mkdirSync(`${dir}/p`);
      await expectTimesAround(
        admin,
        [
          { path: `${dir}/a`, expect: { ctime: 'changed', mtime: 'same', atime: 'same' }, label: 'node' },
          { path: `${dir}/p`, expect: { ctime: 'changed', mtime: 'changed' }, label: 'new parent' },
        ],
        () => fs.promises.link(`${dir}/a`, `${dir}/p/b`),
      );
    });
  }

  test('R-LINK-3 a failed link (EACCES) changes neither the node\'s ctime nor the parent\'s times', async () => {
    const harness = h();
    const u = unprivileged(harness, setup);
    const base = ownedDir(harness, `${harness.dir}/u`, u);
    createNode(harness, 'regular', `${base}/a`, { uid: u.uid, gid: u.gid });
    ownedDir(harness, `${base}/ro`, u, 0o555);
    await expectTimesAround(
      harness.admin,
      [
        { path: `${base}/a`, expect: { ctime: 'same' } },
        { path: `${base}/ro`, expect: { ctime: 'same', mtime: 'same' } },
      ],
      () => rejects(u.fs.promises.link(`${base}/a`, `${base}/ro/b`), 'EACCES'),
    );
    expect(harness.admin.statSync(`${base}/a`).nlink).toBe(1);
  });

  test('R-LINK-4 a missing source gives ENOENT', async () => {
    const { fs, dir } = h();
    await rejects(fs.promises.link(`${dir}/missing`, `${dir}/b`), 'ENOENT');
    expect(exists(fs, `${dir}/b`)).toBe(false);
  });

  for (const type of NODE_TYPES) {
    test(`R-LINK-4 an existing ${type} as the new name gives EEXIST`, async () => {
      const harness = h();
      writeFile(harness.fs, `${harness.dir}/a`, 'x');
      createNode(harness, type, `${harness.dir}/b`);
      const ino = harness.fs.lstatSync(`${harness.dir}/b`).ino;
      await rejects(harness.fs.promises.link(`${harness.dir}/a`, `${harness.dir}/b`), 'EEXIST');
      expect(harness.fs.lstatSync(`${harness.dir}/b`).ino).toBe(ino);
      expect(harness.fs.statSync(`${harness.dir}/a`).nlink).toBe(1);
    });
  }

  test('R-LINK-5 linking a directory gives EPERM, for root and non-root', async () => {
    const harness = h();
    const { fs, admin, dir } = harness;
    fs.mkdirSync(`${dir}/d`);
    await rejects(fs.promises.link(`${dir}/d`, `${dir}/e`), 'EPERM');
    await rejects(admin.promises.link(`${dir}/d`, `${dir}/e`), 'EPERM');
    const u = unprivileged(harness, setup);
    const base = ownedDir(harness, `${dir}/u`, u);
    ownedDir(harness, `${base}/d`, u);
    await rejects(u.fs.promises.link(`${base}/d`, `${base}/e`), 'EPERM');
    expect(fs.statSync(`${dir}/d`).nlink).toBe(2);
    expect(exists(fs, `${dir}/e`)).toBe(false);
  });

  test('R-LINK-6 missing search permission on either prefix, or write permission on the new parent, gives EACCES', async () => {
    const harness = h();
    const u = unprivileged(harness, setup);
    const base = ownedDir(harness, `${harness.dir}/u`, u);
    ownedDir(harness, `${base}/src`, u);
    ownedDir(harness, `${base}/dst`, u);
    createNode(harness, 'regular', `${base}/src/a`, { uid: u.uid, gid: u.gid });
    createNode(harness, 'regular', `${base}/b`, { uid: u.uid, gid: u.gid });
    await u.fs.promises.link(`${base}/src/a`, `${base}/dst/ok`);
    harness.admin.chmodSync(`${base}/src`, 0o644);
    await rejects(u.fs.promises.link(`${base}/src/a`, `${base}/dst/x`), 'EACCES');
    harness.admin.chmodSync(`${base}/src`, 0o755);
    harness.admin.chmodSync(`${base}/dst`, 0o644);
    await rejects(u.fs.promises.link(`${base}/b`, `${base}/dst/x`), 'EACCES');
    harness.admin.chmodSync(`${base}/dst`, 0o555);
    await rejects(u.fs.promises.link(`${base}/b`, `${base}/dst/x`), 'EACCES');
    expect(harness.admin.readdirSync(`${base}/dst`)).toEqual(['ok']);
    expect(harness.admin.statSync(`${base}/b`).nlink).toBe(1);
  });

  test('R-LINK-7 NAME_MAX works and NAME_MAX+1 gives ENAMETOOLONG, for either argument', async () => {
    const { fs, dir } = h();
    const max = `${dir}/${longName(NAME_MAX)}`;
    const tooLong = `${dir}/${longName(NAME_MAX + 1)}`;
    writeFile(fs, `${dir}/a`, 'x');
    await fs.promises.link(`${dir}/a`, max);
    expect(fs.statSync(`${dir}/a`).nlink).toBe(2);
    await fs.promises.link(max, `${dir}/b`);
    expect(fs.statSync(`${dir}/a`).nlink).toBe(3);
    await rejects(fs.promises.link(`${dir}/a`, tooLong), 'ENAMETOOLONG');
    await rejects(fs.promises.link(tooLong, `${dir}/c`), 'ENAMETOOLONG');
    await fs.promises.unlink(max);
    await fs.promises.unlink(`${dir}/b`);
    expect(fs.statSync(`${dir}/a`).nlink).toBe(1);
  });

  test('R-LINK-7 PATH_MAX-1 works and PATH_MAX gives ENAMETOOLONG, for either argument', async () => {
    const { fs, dir } = h();
    const ok = longPath(dir, PATH_MAX - 1);
    const tooLong = longPath(dir, PATH_MAX);
    mkdirs(fs, ok.parent);
    mkdirs(fs, tooLong.parent);
    writeFile(fs, `${dir}/a`, 'x');
    await fs.promises.link(`${dir}/a`, ok.path);
    expect(fs.statSync(`${dir}/a`).nlink).toBe(2);
    await rejects(fs.promises.link(`${dir}/a`, tooLong.path), 'ENAMETOOLONG');
    await rejects(fs.promises.link(tooLong.path, `${dir}/b`), 'ENAMETOOLONG');
    await fs.promises.unlink(ok.path);
    expect(fs.statSync(`${dir}/a`).nlink).toBe(1);
  });

  test('R-LINK-8 an immutable or append-only source, or an immutable new parent, gives EPERM (chflags extension)', async () => {
    const { fs, dir } = h();
    writeFile(fs, `${dir}/f`, 'x');
    fs.mkdirSync(`${dir}/d`);
    for (const flag of [UF_IMMUTABLE, UF_APPEND]) {
      await fs.promises.chflags(`${dir}/f`, flag);
      await rejects(fs.promises.link(`${dir}/f`, `${dir}/g`), 'EPERM');
    }
    await fs.promises.chflags(`${dir}/f`, 0);
    await fs.promises.chflags(`${dir}/d`, UF_IMMUTABLE);
    await rejects(fs.promises.link(`${dir}/f`, `${dir}/d/g`), 'EPERM');
    await fs.promises.chflags(`${dir}/d`, 0);
    await fs.promises.link(`${dir}/f`, `${dir}/d/g`);
    expect(fs.statSync(`${dir}/f`).nlink).toBe(2);
    expect(exists(fs, `${dir}/g`)).toBe(false);
  });

  test('R-LINK-8 system flags need uid 0; a system-immutable source gives EPERM even to root', async () => {
    const harness = h();
    const u = unprivileged(harness, setup);
    const base = ownedDir(harness, `${harness.dir}/u`, u);
    createNode(harness, 'regular', `${base}/f`, { uid: u.uid, gid: u.gid });
    await rejects(u.fs.promises.chflags(`${base}/f`, SF_IMMUTABLE), 'EPERM');
    await harness.admin.promises.chflags(`${base}/f`, SF_IMMUTABLE);
    await rejects(harness.admin.promises.link(`${base}/f`, `${base}/g`), 'EPERM');
    await rejects(u.fs.promises.chflags(`${base}/f`, 0), 'EPERM');
    await harness.admin.promises.chflags(`${base}/f`, 0);
    await u.fs.promises.link(`${base}/f`, `${base}/g`);
  });

  // LINK_MAX: Linux tmpfs has no link-count limit and the profile sets none to test against.
  test.skip('R-LINK-8 more links than LINK_MAX give EMLINK', () => {});
  // ENOSPC: the harness cannot size the file system; test/random/enospc-recovery.test.ts fills one.
  test.skip('R-LINK-8 a full file system gives ENOSPC', () => {});

  test('R-LINK-9 a trailing slash on the new name gives ENOENT', async () => {
    const { fs, dir } = h();
    writeFile(fs, `${dir}/a`, 'x');
    await rejects(fs.promises.link(`${dir}/a`, `${dir}/b/`), 'ENOENT');
    expect(fs.readdirSync(dir)).toEqual(['a']);
  });
});
