/**
 * Section G: mkfifo / mknod (R-FIFO-1, R-MKNOD-1, R-MKNOD-2), plus the
 * profile's device table (null, zero, full; anything else ENXIO).
 * mknod and mkfifo are extensions of the fs API: mknodSync(path, mode, dev),
 * mkfifoSync(path, mode) and their promise forms.
 */

import { expect, test } from 'vitest';
import { forEachSetup } from '../setups.js';
import {
  NODE_TYPES,
  O_NONBLOCK,
  O_RDONLY,
  O_RDWR,
  S_IFBLK,
  S_IFCHR,
  S_IFDIR,
  S_IFIFO,
  S_IFMT,
  S_IFREG,
  S_IFSOCK,
  createNode,
  expectTimesAround,
  expectType,
  major,
  makedev,
  minor,
  ownedDir,
  perms,
  rejects,
  throws,
  times,
  unprivileged,
  type Fs,
} from './helpers.js';

type Maker = { name: string; make: (fs: Fs, p: string, mode: number) => Promise<unknown> };
const FIFO_MAKERS: Maker[] = [
  { name: 'mkfifo', make: (fs, p, m) => fs.promises.mkfifo(p, m) },
  { name: 'mknod S_IFIFO', make: (fs, p, m) => fs.promises.mknod(p, S_IFIFO | m, 0) },
];

forEachSetup('mkfifo and mknod', (h, setup) => {
  for (const m of FIFO_MAKERS) {
    test(`R-FIFO-1 ${m.name} makes a fifo with mode & ~umask, the caller's uid and egid`, async () => {
      const harness = h();
      const fs = harness.as({ ...harness.cred, umask: 0o027 });
      await m.make(fs, `${harness.dir}/p`, 0o777);
      const st = harness.admin.lstatSync(`${harness.dir}/p`);
      expectType(st.mode, 'fifo');
      expect(st.isFIFO()).toBe(true);
      expect([perms(st.mode), st.uid, st.gid, st.size, st.nlink]).toEqual(['0750', harness.cred.uid, harness.cred.gid, 0, 1]);
    });

    test(`R-FIFO-1 ${m.name} sets the fifo's times and updates the parent's mtime and ctime`, async () => {
      const { fs, admin, dir } = h();
      await expectTimesAround(admin, [{ path: dir, expect: { mtime: 'changed', ctime: 'changed', atime: 'same' } }], () =>
        m.make(fs, `${dir}/p`, 0o644),
      );
      const t = times(admin, `${dir}/p`);
      expect([t.mtime, t.ctime]).toEqual([t.atime, t.atime]);
    });

    test(`R-FIFO-1 ${m.name} onto any existing type gives EEXIST; in a read-only parent EACCES`, async () => {
      const harness = h();
      for (const type of NODE_TYPES) {
        createNode(harness, type, `${harness.dir}/${type}`);
        await rejects(m.make(harness.fs, `${harness.dir}/${type}`, 0o644), 'EEXIST');
      }
      const u = unprivileged(harness, setup);
      const ro = ownedDir(harness, `${harness.dir}/ro`, u, 0o555);
      await rejects(m.make(u.fs, `${ro}/p`, 0o644), 'EACCES');
      await rejects(m.make(u.fs, `${harness.dir}/missing/p`, 0o644), 'ENOENT');
    });
  }

  test('R-FIFO-1 sync forms: mkfifoSync and mknodSync make the same fifo', async () => {
    const { fs, dir } = h();
    fs.mkfifoSync(`${dir}/a`, 0o640);
    fs.mknodSync(`${dir}/b`, S_IFIFO | 0o640, 0);
    expect(fs.lstatSync(`${dir}/a`).mode).toBe(S_IFIFO | 0o640);
    expect(fs.lstatSync(`${dir}/b`).mode).toBe(S_IFIFO | 0o640);
    throws(() => fs.mkfifoSync(`${dir}/a`, 0o640), 'EEXIST');
  });

  test('R-FIFO-1 data written into a fifo comes out of it', async () => {
    const { fs, dir } = h();
    fs.mkfifoSync(`${dir}/p`, 0o644);
    const r = fs.openSync(`${dir}/p`, O_RDONLY | O_NONBLOCK);
    const w = fs.openSync(`${dir}/p`, 'w');
    expect(fs.writeSync(w, Buffer.from('through the pipe'))).toBe(16);
    const buf = Buffer.alloc(64);
    const n = fs.readSync(r, buf, 0, 64, null);
    expect(buf.subarray(0, n).toString()).toBe('through the pipe');
    fs.closeSync(w);
    expect(fs.readSync(r, buf, 0, 64, null)).toBe(0);
    fs.closeSync(r);
    expect(fs.statSync(`${dir}/p`).size).toBe(0);
  });

  test('R-MKNOD-1 root makes block and character devices that record major and minor', async () => {
    const { admin, dir } = h();
    const cases: [string, number, number, number][] = [
      ['blk', S_IFBLK, 1, 2],
      ['chr', S_IFCHR, 1, 2],
      ['big', S_IFCHR, 259, 70000],
    ];
    for (const [name, type, maj, min] of cases) {
      await admin.promises.mknod(`${dir}/${name}`, type | 0o644, makedev(maj, min));
      const st = admin.lstatSync(`${dir}/${name}`);
      expect(st.mode & S_IFMT).toBe(type);
      expect(st.rdev).toBe(makedev(maj, min));
      expect([major(st.rdev), minor(st.rdev)]).toEqual([maj, min]);
    }
    expect(admin.lstatSync(`${dir}/blk`).isBlockDevice()).toBe(true);
    expect(admin.lstatSync(`${dir}/chr`).isCharacterDevice()).toBe(true);
    expect(admin.lstatSync(`${dir}/chr`).size).toBe(0);
  });

  test('R-MKNOD-1 block and character devices need uid 0; fifos and sockets do not', async () => {
    const harness = h();
    const u = unprivileged(harness, setup);
    const base = ownedDir(harness, `${harness.dir}/u`, u);
    await rejects(u.fs.promises.mknod(`${base}/blk`, S_IFBLK | 0o644, makedev(1, 2)), 'EPERM');
    await rejects(u.fs.promises.mknod(`${base}/chr`, S_IFCHR | 0o644, makedev(1, 2)), 'EPERM');
    await u.fs.promises.mknod(`${base}/sock`, S_IFSOCK | 0o644, 0);
    await u.fs.promises.mknod(`${base}/fifo`, S_IFIFO | 0o644, 0);
    expect(harness.admin.readdirSync(base).sort()).toEqual(['fifo', 'sock']);
    expect(harness.admin.lstatSync(`${base}/sock`).isSocket()).toBe(true);
    expect(harness.admin.lstatSync(`${base}/sock`).uid).toBe(u.uid);
  });

  test('R-MKNOD-1 mknod S_IFREG makes an empty regular file; S_IFDIR gives EPERM; a bad type EINVAL (Linux)', async () => {
    const { fs, dir } = h();
    await fs.promises.mknod(`${dir}/reg`, S_IFREG | 0o600, 0);
    const st = fs.lstatSync(`${dir}/reg`);
    expect([st.isFile(), st.size, perms(st.mode)]).toEqual([true, 0, '0600']);
    await rejects(fs.promises.mknod(`${dir}/dir`, S_IFDIR | 0o755, 0), 'EPERM');
    await rejects(fs.promises.mknod(`${dir}/bad`, S_IFMT | 0o644, 0), 'EINVAL');
    expect(fs.readdirSync(dir)).toEqual(['reg']);
  });

  for (const [name, type] of [
    ['block', S_IFBLK],
    ['char', S_IFCHR],
    ['fifo', S_IFIFO],
  ] as const) {
    test(`R-MKNOD-2 mknod of a ${name} sets its times and updates the parent's mtime and ctime`, async () => {
      const { admin, dir } = h();
      admin.mkdirSync(`${dir}/p`);
      await expectTimesAround(admin, [{ path: `${dir}/p`, expect: { mtime: 'changed', ctime: 'changed' } }], () =>
        admin.promises.mknod(`${dir}/p/n`, type | 0o644, makedev(1, 2)),
      );
      const t = times(admin, `${dir}/p/n`);
      expect([t.mtime, t.ctime]).toEqual([t.atime, t.atime]);
    });

    test(`R-MKNOD-2 mknod of a ${name} onto any existing type gives EEXIST`, async () => {
      const harness = h();
      for (const t of NODE_TYPES) {
        createNode(harness, t, `${harness.dir}/${t}`);
        const ino = harness.admin.lstatSync(`${harness.dir}/${t}`).ino;
        await rejects(harness.admin.promises.mknod(`${harness.dir}/${t}`, type | 0o644, makedev(1, 2)), 'EEXIST');
        expect(harness.admin.lstatSync(`${harness.dir}/${t}`).ino).toBe(ino);
      }
    });
  }

  test('profile: character devices 1,3 (null), 1,5 (zero) and 1,7 (full) behave like Linux\'s', async () => {
    const { admin, dir } = h();
    admin.mknodSync(`${dir}/null`, S_IFCHR | 0o666, makedev(1, 3));
    admin.mknodSync(`${dir}/zero`, S_IFCHR | 0o666, makedev(1, 5));
    admin.mknodSync(`${dir}/full`, S_IFCHR | 0o666, makedev(1, 7));
    const fs = h().fs;
    const nul = fs.openSync(`${dir}/null`, O_RDWR);
    expect(fs.writeSync(nul, Buffer.from('gone'))).toBe(4);
    expect(fs.readSync(nul, Buffer.alloc(8), 0, 8, null)).toBe(0);
    fs.closeSync(nul);
    const zero = fs.openSync(`${dir}/zero`, O_RDONLY);
    const buf = Buffer.alloc(16, 0xff);
    expect(fs.readSync(zero, buf, 0, 16, null)).toBe(16);
    expect([...buf]).toEqual(new Array(16).fill(0));
    fs.closeSync(zero);
    const full = fs.openSync(`${dir}/full`, O_RDWR);
    throws(() => fs.writeSync(full, Buffer.from('x')), 'ENOSPC');
    fs.closeSync(full);
  });

  test('profile: opening a device with no driver gives ENXIO', async () => {
    const { admin, dir } = h();
    admin.mknodSync(`${dir}/chr`, S_IFCHR | 0o666, makedev(240, 0));
    admin.mknodSync(`${dir}/blk`, S_IFBLK | 0o666, makedev(240, 0));
    await rejects(h().fs.promises.open(`${dir}/chr`, 'r'), 'ENXIO');
    await rejects(h().fs.promises.open(`${dir}/blk`, 'r'), 'ENXIO');
  });
});
