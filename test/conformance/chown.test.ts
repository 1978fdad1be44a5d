/**
 * Section D: chown / fchown / lchown (R-CHOWN-1 .. R-CHOWN-12).
 */

import { expect, test } from 'vitest';
import { forEachSetup, type Cred } from '../setups.js';
import {
  NODE_TYPES,
  NON_SYMLINK_TYPES,
  O_RDONLY,
  USER,
  USER2,
  createNode,
  expectTimesAround,
  ownedDir,
  perms,
  rejects,
  unprivileged,
  writeFile,
} from './helpers.js';

/** 65534 with two supplementary groups, as pjdfstest's `-u 65534 -g 65534,65532,65531`. */
const MEMBER: Cred = { uid: USER.uid, gid: USER.gid, groups: [USER.gid, 65532, 65531] };

forEachSetup('chown', (h, setup) => {
  for (const type of NODE_TYPES) {
    test(`R-CHOWN-1 root may set any uid and gid on a ${type}`, async () => {
      const harness = h();
      const p = `${harness.dir}/node`;
      createNode(harness, type, p);
      for (const [uid, gid] of [
        [123, 456],
        [0, 0],
        [USER.uid, USER2.gid],
        [4_000_000, 4_000_001],
      ] as const) {
        await harness.admin.promises.lchown(p, uid, gid);
        const st = harness.admin.lstatSync(p);
        expect([st.uid, st.gid], type).toEqual([uid, gid]);
      }
      if (type !== 'symlink') {
        await harness.admin.promises.chown(p, 77, 88);
        const st = harness.admin.lstatSync(p);
        expect([st.uid, st.gid]).toEqual([77, 88]);
      }
    });
  }

  test('R-CHOWN-1 chown follows a symlink; lchown changes the link itself', async () => {
    const { admin, dir } = h();
    writeFile(admin, `${dir}/f`, 'x');
    admin.symlinkSync('f', `${dir}/l`);
    await admin.promises.chown(`${dir}/l`, 123, 456);
    expect([admin.statSync(`${dir}/f`).uid, admin.statSync(`${dir}/f`).gid]).toEqual([123, 456]);
    expect([admin.lstatSync(`${dir}/l`).uid, admin.lstatSync(`${dir}/l`).gid]).toEqual([0, 0]);
    await admin.promises.lchown(`${dir}/l`, 789, 987);
    expect([admin.lstatSync(`${dir}/l`).uid, admin.lstatSync(`${dir}/l`).gid]).toEqual([789, 987]);
    expect([admin.statSync(`${dir}/f`).uid, admin.statSync(`${dir}/f`).gid]).toEqual([123, 456]);
  });

  test('R-CHOWN-2 the owner may set the group to his egid or any supplementary group, and the uid to his own', async () => {
    const harness = h();
    const fs = harness.as(MEMBER);
    const base = ownedDir(harness, `${harness.dir}/u`, USER);
    const p = `${base}/f`;
    createNode(harness, 'regular', p, { uid: USER.uid, gid: USER.gid });
    await fs.promises.chown(p, -1, 65532);
    expect(harness.admin.statSync(p).gid).toBe(65532);
    await fs.promises.chown(p, USER.uid, 65531);
    expect([harness.admin.statSync(p).uid, harness.admin.statSync(p).gid]).toEqual([USER.uid, 65531]);
    await fs.promises.chown(p, -1, USER.gid);
    expect(harness.admin.statSync(p).gid).toBe(USER.gid);
    // Through a symlink, and with lchown on a link he owns.
    createNode(harness, 'symlink', `${base}/l`, { uid: USER.uid, gid: USER.gid, target: 'f' });
    await fs.promises.chown(`${base}/l`, -1, 65532);
    expect(harness.admin.statSync(p).gid).toBe(65532);
    await fs.promises.lchown(`${base}/l`, -1, 65531);
    expect(harness.admin.lstatSync(`${base}/l`).gid).toBe(65531);
    // And through a descriptor.
    const fh = await fs.promises.open(p, O_RDONLY);
    await fh.chown(-1, 65531);
    await fh.close();
    expect(harness.admin.statSync(p).gid).toBe(65531);
  });

  test('R-CHOWN-3 chown(-1, -1) by anyone, even a non-owner, succeeds and changes nothing', async () => {
    const harness = h();
    const u = unprivileged(harness, setup);
    const p = `${harness.dir}/f`;
    createNode(harness, 'regular', p, { uid: USER2.uid, gid: USER2.gid, mode: 0o644 });
    await u.fs.promises.chown(p, -1, -1);
    await u.fs.promises.lchown(p, -1, -1);
    const st = harness.admin.statSync(p);
    expect([st.uid, st.gid, perms(st.mode)]).toEqual([USER2.uid, USER2.gid, '0644']);
  });

  test('R-CHOWN-4 a non-root caller may neither give a file away nor take one', async () => {
    const harness = h();
    const fs = harness.as(USER);
    const base = ownedDir(harness, `${harness.dir}/u`, USER, 0o777);
    createNode(harness, 'regular', `${base}/mine`, { uid: USER.uid, gid: USER.gid });
    createNode(harness, 'regular', `${base}/theirs`, { uid: USER2.uid, gid: USER2.gid });
    await rejects(fs.promises.chown(`${base}/mine`, USER2.uid, -1), 'EPERM');
    await rejects(fs.promises.chown(`${base}/mine`, USER2.uid, USER.gid), 'EPERM');
    await rejects(fs.promises.chown(`${base}/theirs`, USER.uid, -1), 'EPERM');
    await rejects(fs.promises.lchown(`${base}/theirs`, USER.uid, USER.gid), 'EPERM');
    expect(harness.admin.statSync(`${base}/mine`).uid).toBe(USER.uid);
    expect(harness.admin.statSync(`${base}/theirs`).uid).toBe(USER2.uid);
  });

  test('R-CHOWN-5 a non-root owner may not set a group he is not in', async () => {
    const harness = h();
    const fs = harness.as(MEMBER);
    const base = ownedDir(harness, `${harness.dir}/u`, USER);
    createNode(harness, 'regular', `${base}/f`, { uid: USER.uid, gid: USER.gid });
    await rejects(fs.promises.chown(`${base}/f`, -1, USER2.gid), 'EPERM');
    await rejects(fs.promises.chown(`${base}/f`, USER.uid, 0), 'EPERM');
    const fh = await fs.promises.open(`${base}/f`, O_RDONLY);
    await rejects(fh.chown(-1, USER2.gid), 'EPERM');
    await fh.close();
    expect(harness.admin.statSync(`${base}/f`).gid).toBe(USER.gid);
  });

  test('R-CHOWN-6 a non-owner may not change the group, even to one of his own groups, nor the uid', async () => {
    const harness = h();
    const fs = harness.as(MEMBER);
    const base = ownedDir(harness, `${harness.dir}/u`, USER);
    createNode(harness, 'regular', `${base}/f`, { uid: USER2.uid, gid: USER2.gid });
    await rejects(fs.promises.chown(`${base}/f`, -1, USER.gid), 'EPERM');
    await rejects(fs.promises.chown(`${base}/f`, -1, 65532), 'EPERM');
    await rejects(fs.promises.chown(`${base}/f`, -1, USER2.gid), 'EPERM');
    await rejects(fs.promises.chown(`${base}/f`, USER2.uid, -1), 'EPERM');
    const st = harness.admin.statSync(`${base}/f`);
    expect([st.uid, st.gid]).toEqual([USER2.uid, USER2.gid]);
  });

  test('R-CHOWN-7 a root chown of a file clears set-uid, and set-gid when group-exec is set (Linux)', async () => {
    const { admin, dir } = h();
    const cases: [number, string][] = [
      [0o6555, '0555'],
      [0o6545, '2545'],
      [0o4755, '0755'],
    ];
    for (const [i, [mode, want]] of cases.entries()) {
      createNode(h(), 'regular', `${dir}/f${i}`, { uid: 0, gid: 0, mode });
      await admin.promises.chown(`${dir}/f${i}`, USER.uid, USER2.gid);
      expect(perms(admin.statSync(`${dir}/f${i}`).mode), perms(mode)).toBe(want);
    }
    // Other non-directories too.
    createNode(h(), 'fifo', `${dir}/p`, { uid: 0, gid: 0, mode: 0o6555 });
    await admin.promises.chown(`${dir}/p`, USER.uid, -1);
    expect(perms(admin.statSync(`${dir}/p`).mode)).toBe('0555');
    // A directory keeps them.
    createNode(h(), 'dir', `${dir}/d`, { uid: 0, gid: 0, mode: 0o6755 });
    await admin.promises.chown(`${dir}/d`, USER.uid, USER2.gid);
    expect(perms(admin.statSync(`${dir}/d`).mode)).toBe('6755');
  });

  test('R-CHOWN-8 a non-root chown of a file clears set-uid, and set-gid when group-exec is set', async () => {
    const harness = h();
    const fs = harness.as(MEMBER);
    const base = ownedDir(harness, `${harness.dir}/u`, USER);
    const cases: [number, string][] = [
      [0o6555, '0555'],
      [0o6545, '2545'],
      [0o4555, '0555'],
      [0o2555, '0555'],
    ];
    for (const [i, [mode, want]] of cases.entries()) {
      createNode(harness, 'regular', `${base}/f${i}`, { uid: USER.uid, gid: USER.gid, mode });
      await fs.promises.chown(`${base}/f${i}`, -1, 65532);
      expect(perms(harness.admin.statSync(`${base}/f${i}`).mode), perms(mode)).toBe(want);
    }
    // Setting his own uid changes nothing but still clears them.
    createNode(harness, 'regular', `${base}/same`, { uid: USER.uid, gid: USER.gid, mode: 0o6555 });
    await fs.promises.chown(`${base}/same`, USER.uid, -1);
    expect(perms(harness.admin.statSync(`${base}/same`).mode)).toBe('0555');
  });

  test('R-CHOWN-8 a non-root chown of a directory keeps its set-id bits (Linux)', async () => {
    const harness = h();
    const fs = harness.as(MEMBER);
    const base = ownedDir(harness, `${harness.dir}/u`, USER);
    createNode(harness, 'dir', `${base}/d`, { uid: USER.uid, gid: USER.gid, mode: 0o6755 });
    await fs.promises.chown(`${base}/d`, -1, 65532);
    const st = harness.admin.statSync(`${base}/d`);
    expect([st.gid, perms(st.mode)]).toEqual([65532, '6755']);
  });

  for (const type of NON_SYMLINK_TYPES) {
    test(`R-CHOWN-9 a successful chown updates the ctime of a ${type}`, async () => {
      const harness = h();
      const p = `${harness.dir}/node`;
      createNode(harness, type, p, { uid: USER.uid, gid: USER.gid });
      await expectTimesAround(harness.admin, [{ path: p, expect: { ctime: 'changed', mtime: 'same', atime: 'same' } }], () =>
        harness.admin.promises.chown(p, USER2.uid, USER2.gid),
      );
      const fs = harness.as(MEMBER);
      harness.admin.chownSync(p, USER.uid, USER.gid);
      await expectTimesAround(harness.admin, [{ path: p, expect: { ctime: 'changed' } }], () => fs.promises.chown(p, -1, 65532));
    });
  }

  test('R-CHOWN-9 chown through a symlink updates the target\'s ctime; lchown updates the link\'s', async () => {
    const { admin, dir } = h();
    writeFile(admin, `${dir}/f`, 'x');
    admin.symlinkSync('f', `${dir}/l`);
    await expectTimesAround(
      admin,
      [
        { path: `${dir}/f`, expect: { ctime: 'changed' } },
        { path: `${dir}/l`, expect: { ctime: 'same' } },
      ],
      () => admin.promises.chown(`${dir}/l`, 1, 1),
    );
    await expectTimesAround(
      admin,
      [
        { path: `${dir}/f`, expect: { ctime: 'same' } },
        { path: `${dir}/l`, expect: { ctime: 'changed' } },
      ],
      () => admin.promises.lchown(`${dir}/l`, 2, 2),
    );
  });

  test('R-CHOWN-10 chown(-1, -1) updates ctime (Linux), for the owner, root and a non-owner', async () => {
    const harness = h();
    const u = unprivileged(harness, setup);
    const p = `${harness.dir}/f`;
    createNode(harness, 'regular', p);
    await expectTimesAround(harness.admin, [{ path: p, expect: { ctime: 'changed', mtime: 'same' } }], () => harness.fs.promises.chown(p, -1, -1));
    await expectTimesAround(harness.admin, [{ path: p, expect: { ctime: 'changed' } }], () => harness.admin.promises.chown(p, -1, -1));
    harness.admin.chownSync(p, USER2.uid, USER2.gid);
    await expectTimesAround(harness.admin, [{ path: p, expect: { ctime: 'changed' } }], () => u.fs.promises.chown(p, -1, -1));
  });

  test('R-CHOWN-10 chown(-1, -1) of a set-uid file by its owner clears set-uid (Linux)', async () => {
    const harness = h();
    const fs = harness.as(USER);
    const base = ownedDir(harness, `${harness.dir}/u`, USER);
    createNode(harness, 'regular', `${base}/f`, { uid: USER.uid, gid: USER.gid, mode: 0o6555 });
    await fs.promises.chown(`${base}/f`, -1, -1);
    expect(perms(harness.admin.statSync(`${base}/f`).mode)).toBe('0555');
  });

  test('R-CHOWN-11 a failed chown changes neither ids nor ctime', async () => {
    const harness = h();
    const fs = harness.as(MEMBER);
    const base = ownedDir(harness, `${harness.dir}/u`, USER);
    createNode(harness, 'regular', `${base}/mine`, { uid: USER.uid, gid: USER.gid });
    createNode(harness, 'regular', `${base}/theirs`, { uid: USER2.uid, gid: USER2.gid });
    await expectTimesAround(
      harness.admin,
      [
        { path: `${base}/mine`, expect: { ctime: 'same' } },
        { path: `${base}/theirs`, expect: { ctime: 'same' } },
      ],
      async () => {
        await rejects(fs.promises.chown(`${base}/mine`, USER2.uid, -1), 'EPERM');
        await rejects(fs.promises.chown(`${base}/mine`, -1, USER2.gid), 'EPERM');
        await rejects(fs.promises.chown(`${base}/theirs`, -1, USER.gid), 'EPERM');
        await rejects(fs.promises.lchown(`${base}/theirs`, USER.uid, -1), 'EPERM');
      },
    );
    expect(harness.admin.statSync(`${base}/mine`).uid).toBe(USER.uid);
  });

  test('R-CHOWN-12 chown with -1 leaves that id alone (path, symlink, descriptor)', async () => {
    const { admin, dir } = h();
    writeFile(admin, `${dir}/f`, 'x');
    admin.chownSync(`${dir}/f`, 10, 20);
    await admin.promises.chown(`${dir}/f`, -1, -1);
    expect([admin.statSync(`${dir}/f`).uid, admin.statSync(`${dir}/f`).gid]).toEqual([10, 20]);
    await admin.promises.chown(`${dir}/f`, 11, -1);
    expect([admin.statSync(`${dir}/f`).uid, admin.statSync(`${dir}/f`).gid]).toEqual([11, 20]);
    await admin.promises.chown(`${dir}/f`, -1, 21);
    expect([admin.statSync(`${dir}/f`).uid, admin.statSync(`${dir}/f`).gid]).toEqual([11, 21]);
    const fd = admin.openSync(`${dir}/f`, O_RDONLY);
    admin.fchownSync(fd, -1, 22);
    admin.fchownSync(fd, 12, -1);
    admin.closeSync(fd);
    expect([admin.statSync(`${dir}/f`).uid, admin.statSync(`${dir}/f`).gid]).toEqual([12, 22]);
    admin.symlinkSync('f', `${dir}/l`);
    admin.lchownSync(`${dir}/l`, 5, 6);
    admin.lchownSync(`${dir}/l`, -1, -1);
    expect([admin.lstatSync(`${dir}/l`).uid, admin.lstatSync(`${dir}/l`).gid]).toEqual([5, 6]);
  });
});
