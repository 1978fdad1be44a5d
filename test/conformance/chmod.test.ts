/**
 * Section C: chmod / fchmod / lchmod (R-CHMOD-1 .. R-CHMOD-9).
 * lchmod is BSD's; Node offers it on macOS only, the fs offers it everywhere.
 */

import { expect, test } from 'vitest';
import { forEachSetup } from '../setups.js';
import {
  NON_SYMLINK_TYPES,
  O_CREAT,
  O_RDONLY,
  O_RDWR,
  O_WRONLY,
  USER,
  USER2,
  createNode,
  expectTimesAround,
  ownedDir,
  perms,
  rejects,
  times,
  unprivileged,
  writeFile,
} from './helpers.js';

forEachSetup('chmod', (h, setup) => {
  for (const type of NON_SYMLINK_TYPES) {
    test(`R-CHMOD-1 chmod sets all 12 mode bits on a ${type}`, async () => {
      const harness = h();
      const p = `${harness.dir}/node`;
      // The node's group is the caller's egid, so set-gid is kept for non-root owners too.
      createNode(harness, type, p);
      for (const mode of [0o111, 0o1621, 0o4000, 0o2000, 0o7777, 0o0, 0o6543, 0o755]) {
        await harness.fs.promises.chmod(p, mode);
        expect(perms(harness.admin.lstatSync(p).mode), `${type} ${perms(mode)}`).toBe(perms(mode));
      }
    });
  }

  test('R-CHMOD-1 fchmod sets the mode through a descriptor', async () => {
    const { fs, dir } = h();
    writeFile(fs, `${dir}/f`, 'x');
    const fh = await fs.promises.open(`${dir}/f`, 'r');
    await fh.chmod(0o1621);
    expect(perms(Number((await fh.stat()).mode))).toBe('1621');
    await fh.close();
    const fd = fs.openSync(`${dir}/f`, O_RDONLY);
    fs.fchmodSync(fd, 0o640);
    fs.closeSync(fd);
    expect(perms(fs.statSync(`${dir}/f`).mode)).toBe('0640');
  });

  test('R-CHMOD-2 chmod through a symlink changes the target, not the link', async () => {
    const { fs, dir } = h();
    writeFile(fs, `${dir}/f`, 'x', 0o644);
    fs.symlinkSync('f', `${dir}/l`);
    const linkMode = fs.lstatSync(`${dir}/l`).mode;
    await fs.promises.chmod(`${dir}/l`, 0o600);
    expect(perms(fs.statSync(`${dir}/f`).mode)).toBe('0600');
    expect(fs.lstatSync(`${dir}/l`).mode).toBe(linkMode);
    expect(perms(linkMode)).toBe('0777');
  });

  test('R-CHMOD-2 lchmod changes the link\'s own mode, not the target\'s (extension)', async () => {
    const { fs, dir } = h();
    writeFile(fs, `${dir}/f`, 'x', 0o644);
    fs.symlinkSync('f', `${dir}/l`);
    await fs.promises.lchmod(`${dir}/l`, 0o700);
    expect(perms(fs.lstatSync(`${dir}/l`).mode)).toBe('0700');
    expect(perms(fs.statSync(`${dir}/f`).mode)).toBe('0644');
    fs.lchmodSync(`${dir}/f`, 0o600);
    expect(perms(fs.statSync(`${dir}/f`).mode)).toBe('0600');
  });

  for (const type of NON_SYMLINK_TYPES) {
    test(`R-CHMOD-3 chmod updates the ctime of a ${type} (and only the ctime)`, async () => {
      const harness = h();
      const p = `${harness.dir}/node`;
      createNode(harness, type, p);
      await expectTimesAround(harness.admin, [{ path: p, expect: { ctime: 'changed', mtime: 'same', atime: 'same' } }], () =>
        harness.fs.promises.chmod(p, 0o111),
      );
    });
  }

  test('R-CHMOD-3 chmod through a symlink updates the target\'s ctime, not the link\'s', async () => {
    const { fs, admin, dir } = h();
    writeFile(fs, `${dir}/f`, 'x');
    fs.symlinkSync('f', `${dir}/l`);
    await expectTimesAround(
      admin,
      [
        { path: `${dir}/f`, expect: { ctime: 'changed' } },
        { path: `${dir}/l`, expect: { ctime: 'same', mtime: 'same' } },
      ],
      () => fs.promises.chmod(`${dir}/l`, 0o600),
    );
  });

  for (const type of NON_SYMLINK_TYPES) {
    test(`R-CHMOD-4 chmod of a ${type} by a non-owner gives EPERM and leaves mode and ctime alone`, async () => {
      const harness = h();
      const u = unprivileged(harness, setup);
      const p = `${harness.dir}/node`;
      createNode(harness, type, p, { uid: USER2.uid, gid: USER2.gid, mode: type === 'dir' ? 0o777 : 0o666 });
      const before = harness.admin.lstatSync(p).mode;
      await expectTimesAround(harness.admin, [{ path: p, expect: { ctime: 'same' } }], () => rejects(u.fs.promises.chmod(p, 0o700), 'EPERM'));
      expect(harness.admin.lstatSync(p).mode).toBe(before);
    });
  }

  test('R-CHMOD-4 fchmod by a non-owner gives EPERM', async () => {
    const harness = h();
    const u = unprivileged(harness, setup);
    createNode(harness, 'regular', `${harness.dir}/f`, { uid: USER2.uid, gid: USER2.gid, mode: 0o666 });
    const fh = await u.fs.promises.open(`${harness.dir}/f`, O_RDWR);
    await rejects(fh.chmod(0o600), 'EPERM');
    await fh.close();
    expect(perms(harness.admin.statSync(`${harness.dir}/f`).mode)).toBe('0666');
  });

  test('R-CHMOD-5 the owner may chmod; root may chmod anything', async () => {
    const harness = h();
    const u = unprivileged(harness, setup);
    const base = ownedDir(harness, `${harness.dir}/u`, u);
    createNode(harness, 'regular', `${base}/mine`, { uid: u.uid, gid: u.gid });
    await u.fs.promises.chmod(`${base}/mine`, 0o604);
    expect(perms(harness.admin.statSync(`${base}/mine`).mode)).toBe('0604');
    createNode(harness, 'regular', `${base}/theirs`, { uid: USER2.uid, gid: USER2.gid });
    await harness.admin.promises.chmod(`${base}/theirs`, 0o640);
    expect(perms(harness.admin.statSync(`${base}/theirs`).mode)).toBe('0640');
  });

  test('R-CHMOD-5 through a symlink the target\'s owner decides; root-owned and other users\' files give EPERM', async () => {
    const harness = h();
    const u = unprivileged(harness, setup);
    const base = ownedDir(harness, `${harness.dir}/u`, u);
    createNode(harness, 'regular', `${base}/theirs`, { uid: USER2.uid, gid: USER2.gid });
    createNode(harness, 'regular', `${base}/roots`, { uid: 0, gid: 0 });
    createNode(harness, 'regular', `${base}/mine`, { uid: u.uid, gid: u.gid });
    createNode(harness, 'symlink', `${base}/to-theirs`, { uid: u.uid, gid: u.gid, target: 'theirs' });
    createNode(harness, 'symlink', `${base}/to-mine`, { uid: USER2.uid, gid: USER2.gid, target: 'mine' });
    await rejects(u.fs.promises.chmod(`${base}/to-theirs`, 0o600), 'EPERM');
    await rejects(u.fs.promises.chmod(`${base}/roots`, 0o600), 'EPERM');
    await rejects(u.fs.promises.chmod(`${base}/theirs`, 0o600), 'EPERM');
    await u.fs.promises.chmod(`${base}/to-mine`, 0o600);
    expect(perms(harness.admin.statSync(`${base}/mine`).mode)).toBe('0600');
    expect(perms(harness.admin.statSync(`${base}/theirs`).mode)).toBe('0644');
    expect(perms(harness.admin.statSync(`${base}/roots`).mode)).toBe('0644');
  });

  test('R-CHMOD-6 a non-root owner outside the file\'s group setting set-gid: the bit is silently cleared (Linux)', async () => {
    const harness = h();
    const fs = harness.as({ uid: USER.uid, gid: USER.gid, groups: [USER.gid, 65532] });
    const base = ownedDir(harness, `${harness.dir}/u`, USER);
    createNode(harness, 'regular', `${base}/other-group`, { uid: USER.uid, gid: USER2.gid });
    createNode(harness, 'regular', `${base}/egid`, { uid: USER.uid, gid: USER.gid });
    createNode(harness, 'regular', `${base}/supplementary`, { uid: USER.uid, gid: 65532 });
    await fs.promises.chmod(`${base}/other-group`, 0o2755);
    await fs.promises.chmod(`${base}/egid`, 0o2755);
    await fs.promises.chmod(`${base}/supplementary`, 0o2755);
    expect(perms(harness.admin.statSync(`${base}/other-group`).mode)).toBe('0755');
    expect(perms(harness.admin.statSync(`${base}/egid`).mode)).toBe('2755');
    expect(perms(harness.admin.statSync(`${base}/supplementary`).mode)).toBe('2755');
    // Root keeps it whatever the group.
    await harness.admin.promises.chmod(`${base}/other-group`, 0o2755);
    expect(perms(harness.admin.statSync(`${base}/other-group`).mode)).toBe('2755');
  });

  test('R-CHMOD-7 a non-root owner may set the sticky bit on a file (Linux keeps it) and on a directory', async () => {
    const harness = h();
    const u = unprivileged(harness, setup);
    const base = ownedDir(harness, `${harness.dir}/u`, u);
    createNode(harness, 'regular', `${base}/f`, { uid: u.uid, gid: u.gid });
    createNode(harness, 'dir', `${base}/d`, { uid: u.uid, gid: u.gid });
    await u.fs.promises.chmod(`${base}/f`, 0o1644);
    await u.fs.promises.chmod(`${base}/d`, 0o1755);
    expect(perms(harness.admin.statSync(`${base}/f`).mode)).toBe('1644');
    expect(perms(harness.admin.statSync(`${base}/d`).mode)).toBe('1755');
  });

  for (const mode of [0o4777, 0o2777, 0o6777]) {
    for (const flags of [O_WRONLY, O_RDWR]) {
      test(`R-CHMOD-8 a write by a non-owner clears the set-id bits of ${perms(mode)} (${flags === O_WRONLY ? 'O_WRONLY' : 'O_RDWR'})`, async () => {
        const harness = h();
        const u = unprivileged(harness, setup);
        const p = `${harness.dir}/f`;
        createNode(harness, 'regular', p, { uid: USER2.uid, gid: USER2.gid, mode });
        const fd = u.fs.openSync(p, flags);
        expect(u.fs.writeSync(fd, Buffer.from('x'))).toBe(1);
        expect(perms(u.fs.fstatSync(fd).mode)).toBe('0777');
        u.fs.closeSync(fd);
        expect(perms(harness.admin.statSync(p).mode)).toBe('0777');
      });
    }
  }

  test('R-CHMOD-9 the mode may be an octal string; bits above 07777 are ignored by open and mkdir', async () => {
    const { fs, dir } = h();
    writeFile(fs, `${dir}/f`, 'x');
    await fs.promises.chmod(`${dir}/f`, '640');
    expect(perms(fs.statSync(`${dir}/f`).mode)).toBe('0640');
    fs.chmodSync(`${dir}/f`, '0755');
    expect(perms(fs.statSync(`${dir}/f`).mode)).toBe('0755');
    fs.closeSync(fs.openSync(`${dir}/g`, O_CREAT | O_WRONLY, 0o10644));
    expect(fs.statSync(`${dir}/g`).mode).toBe(0o100644);
    fs.mkdirSync(`${dir}/d`, 0o10755);
    expect(fs.statSync(`${dir}/d`).mode).toBe(0o40755);
    expect(times(fs, `${dir}/d`).ctime > 0n).toBe(true);
  });
});
