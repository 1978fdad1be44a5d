/**
 * Section B: rules shared by the creating operations (open O_CREAT, mkdir,
 * mkfifo, mknod, symlink, link): R-CRE-1 .. R-CRE-7.
 */

import { expect, test } from 'vitest';
import { forEachSetup, type Cred } from '../setups.js';
import {
  NODE_TYPES,
  O_CREAT,
  O_EXCL,
  O_RDWR,
  O_WRONLY,
  S_IFBLK,
  S_IFCHR,
  S_IFIFO,
  S_ISGID,
  USER,
  createNode,
  expectTimesAround,
  makedev,
  ownedDir,
  perms,
  rejects,
  times,
  unprivileged,
  writeFile,
  type Fs,
} from './helpers.js';

interface Creator {
  name: string;
  /** Only root may use it (block and character devices). */
  rootOnly?: boolean;
  make(fs: Fs, path: string, mode: number): Promise<unknown>;
}

/** Creators that take a mode (R-CRE-1). */
const WITH_MODE: Creator[] = [
  { name: 'open O_CREAT', make: async (fs, p, m) => (await fs.promises.open(p, O_CREAT | O_WRONLY, m)).close() },
  { name: 'mkdir', make: (fs, p, m) => fs.promises.mkdir(p, m) },
  { name: 'mkfifo', make: (fs, p, m) => fs.promises.mkfifo(p, m) },
  { name: 'mknod fifo', make: (fs, p, m) => fs.promises.mknod(p, S_IFIFO | m, 0) },
];

const DEVICES: Creator[] = [
  { name: 'mknod block', rootOnly: true, make: (fs, p, m) => fs.promises.mknod(p, S_IFBLK | m, makedev(1, 2)) },
  { name: 'mknod char', rootOnly: true, make: (fs, p, m) => fs.promises.mknod(p, S_IFCHR | m, makedev(1, 2)) },
];

/** Every creator; `link` links `${dir}/src`, which the test must create first. */
function allCreators(src: string): Creator[] {
  return [
    ...WITH_MODE,
    ...DEVICES,
    { name: 'symlink', make: (fs, p) => fs.promises.symlink('test', p) },
    { name: 'link', make: (fs, p) => fs.promises.link(src, p) },
  ];
}

forEachSetup('rules shared by creating ops', (h, setup) => {
  const umaskCases: [number, number, number][] = [
    [0o755, 0, 0o755],
    [0o151, 0, 0o151],
    [0o151, 0o077, 0o100],
    [0o345, 0o070, 0o305],
    [0o345, 0o501, 0o244],
  ];

  for (const c of WITH_MODE) {
    test(`R-CRE-1 ${c.name}: permission bits are mode & ~umask`, async () => {
      const harness = h();
      const got: string[] = [];
      for (const [i, [mode, umask, want]] of umaskCases.entries()) {
        const fs = harness.as({ ...harness.cred, umask });
        const p = `${harness.dir}/n${i}`;
        await c.make(fs, p, mode);
        got.push(`${perms(mode)}/${perms(umask)} -> ${perms(harness.admin.lstatSync(p).mode)}`);
        expect(perms(harness.admin.lstatSync(p).mode)).toBe(perms(want));
      }
      expect(got).toHaveLength(umaskCases.length);
    });
  }

  test('R-CRE-1 mknod block and char: permission bits are mode & ~umask (root)', async () => {
    const harness = h();
    const root = harness.as({ uid: 0, gid: 0, groups: [0], umask: 0o027 });
    for (const c of DEVICES) {
      const p = `${harness.dir}/${c.name.replace(' ', '-')}`;
      await c.make(root, p, 0o777);
      expect(perms(harness.admin.lstatSync(p).mode)).toBe('0750');
    }
  });

  test('R-CRE-2 the new node belongs to the caller (euid) for every creating op', async () => {
    const harness = h();
    const { fs, dir, cred } = harness;
    writeFile(fs, `${dir}/src`, 'x');
    for (const c of allCreators(`${dir}/src`)) {
      if (c.rootOnly && !setup.privileged) continue;
      const p = `${dir}/${c.name.replace(' ', '-')}`;
      await c.make(fs, p, 0o644);
      expect(fs.lstatSync(p).uid, c.name).toBe(cred.uid);
    }
    // And for a caller other than the directory's owner.
    const u = unprivileged(harness, setup);
    const ud = ownedDir(harness, `${dir}/ud`, { uid: 0, gid: 0 }, 0o777);
    await u.fs.promises.mkdir(`${ud}/d`);
    writeFile(u.fs, `${ud}/f`, 'x');
    expect(harness.admin.statSync(`${ud}/d`).uid).toBe(u.uid);
    expect(harness.admin.statSync(`${ud}/f`).uid).toBe(u.uid);
  });

  test('R-CRE-3 in a directory without set-gid, the new node gets the caller\'s egid (Linux)', async () => {
    const harness = h();
    const caller: Cred = { uid: USER.uid, gid: USER.gid, groups: [USER.gid, 1234] };
    const fs = harness.as(caller);
    const parent = ownedDir(harness, `${harness.dir}/p`, { uid: 0, gid: 1234 }, 0o777);
    writeFile(fs, `${parent}/src`, 'x');
    for (const c of allCreators(`${parent}/src`)) {
      if (c.rootOnly) continue;
      const p = `${parent}/${c.name.replace(' ', '-')}`;
      await c.make(fs, p, 0o755);
      expect(harness.admin.lstatSync(p).gid, c.name).toBe(USER.gid);
    }
    // A device made by root: root's egid.
    await DEVICES[0]!.make(harness.admin, `${parent}/blk`, 0o644);
    expect(harness.admin.lstatSync(`${parent}/blk`).gid).toBe(0);
  });

  test('R-CRE-3 in a set-gid directory, the new node gets the directory\'s gid (Linux)', async () => {
    const harness = h();
    const fs = harness.as(USER);
    const parent = ownedDir(harness, `${harness.dir}/p`, { uid: 0, gid: 1234 }, 0o2777);
    writeFile(fs, `${parent}/src`, 'x');
    expect(harness.admin.statSync(`${parent}/src`).gid).toBe(1234);
    for (const c of allCreators(`${parent}/src`)) {
      if (c.rootOnly) continue;
      const p = `${parent}/${c.name.replace(' ', '-')}`;
      await c.make(fs, p, 0o755);
      if (c.name !== 'link') expect(harness.admin.lstatSync(p).gid, c.name).toBe(1234);
    }
    // R-SUID-4: a new subdirectory is set-gid too; other nodes are not.
    expect(harness.admin.statSync(`${parent}/mkdir`).mode & S_ISGID).toBe(S_ISGID);
    expect(harness.admin.statSync(`${parent}/mkfifo`).mode & S_ISGID).toBe(0);
    await DEVICES[1]!.make(harness.admin, `${parent}/chr`, 0o644);
    expect(harness.admin.lstatSync(`${parent}/chr`).gid).toBe(1234);
  });

  const creatorsWithTimes: Creator[] = [...WITH_MODE, ...DEVICES];
  for (const c of creatorsWithTimes) {
    test(`R-CRE-4 ${c.name} sets the new node's atime, mtime and ctime to now and updates the parent's mtime and ctime`, async () => {
      const { admin, dir } = h();
      const fs = c.rootOnly ? admin : h().fs;
      fs.mkdirSync(`${dir}/p`);
      const parentBefore = times(admin, `${dir}/p`);
      await expectTimesAround(admin, [{ path: `${dir}/p`, expect: { mtime: 'changed', ctime: 'changed', atime: 'same' } }], () =>
        c.make(fs, `${dir}/p/new`, 0o644),
      );
      const t = times(admin, `${dir}/p/new`);
      expect(t.mtime).toBe(t.atime);
      expect(t.ctime).toBe(t.atime);
      expect(t.ctime > parentBefore.ctime).toBe(true);
    });
  }

  test('R-CRE-4 symlink and link update the parent\'s mtime and ctime', async () => {
    const { fs, admin, dir } = h();
    writeFile(fs, `${dir}/src`, 'x');
    fs.mkdirSync(`${dir}/p`);
    const parent = [{ path: `${dir}/p`, expect: { mtime: 'changed', ctime: 'changed' } as const }];
    await expectTimesAround(admin, parent, () => fs.promises.symlink('test', `${dir}/p/sym`));
    await expectTimesAround(admin, parent, () => fs.promises.link(`${dir}/src`, `${dir}/p/lnk`));
    const t = times(admin, `${dir}/p/sym`);
    expect(t.mtime).toBe(t.ctime);
  });

  // open O_CREAT without O_EXCL opens an existing file; O_EXCL is checked below.
  for (const c of allCreators('/unused').filter((x) => x.name !== 'open O_CREAT')) {
    test(`R-CRE-5 ${c.name} onto an existing name of any of the 7 types gives EEXIST`, async () => {
      const harness = h();
      const fs = c.rootOnly ? harness.admin : harness.fs;
      const src = `${harness.dir}/src`;
      writeFile(harness.fs, src, 'x');
      const creator = c.name === 'link' ? allCreators(src).find((x) => x.name === 'link')! : c;
      for (const type of NODE_TYPES) {
        const p = `${harness.dir}/${type}`;
        createNode(harness, type, p);
        const before = harness.admin.lstatSync(p);
        await rejects(creator.make(fs, p, 0o644), 'EEXIST');
        const after = harness.admin.lstatSync(p);
        expect(after.ino, type).toBe(before.ino);
        expect(after.mode, type).toBe(before.mode);
      }
    });
  }

  test('R-CRE-5 open O_CREAT|O_EXCL onto any of the 7 types gives EEXIST and never follows a symlink', async () => {
    const harness = h();
    for (const type of NODE_TYPES) {
      const p = `${harness.dir}/${type}`;
      createNode(harness, type, p);
      await rejects(harness.fs.promises.open(p, O_CREAT | O_EXCL | O_WRONLY, 0o644), 'EEXIST');
    }
    // The dangling link's target ("test") was not created.
    expect(harness.fs.readdirSync(harness.dir).sort()).toEqual([...NODE_TYPES].sort());
  });

  for (const c of allCreators('/unused')) {
    test(`R-CRE-6 ${c.name} in a parent without write permission gives EACCES`, async () => {
      const harness = h();
      // Devices need root, but the parent's write permission is checked first.
      const u = unprivileged(harness, setup);
      const base = ownedDir(harness, `${harness.dir}/u`, u, 0o755);
      createNode(harness, 'regular', `${base}/src`, { uid: u.uid, gid: u.gid });
      ownedDir(harness, `${base}/ro`, u, 0o555);
      const creator = c.name === 'link' ? allCreators(`${base}/src`).find((x) => x.name === 'link')! : c;
      await rejects(creator.make(u.fs, `${base}/ro/new`, 0o644), 'EACCES');
      expect(harness.admin.readdirSync(`${base}/ro`)).toEqual([]);
    });
  }

  test('R-CRE-7 a file created with mode 0 gives the creator a working descriptor', async () => {
    const harness = h();
    for (const [i, caller] of [harness.fs, harness.as(USER)].entries()) {
      const base = `${harness.dir}/${i}`;
      harness.admin.mkdirSync(base, 0o777);
      const fh = await caller.promises.open(`${base}/f`, O_CREAT | O_RDWR, 0);
      await fh.write(Buffer.from('hello'), 0, 5, 0);
      await fh.truncate(3);
      const buf = Buffer.alloc(8);
      const { bytesRead } = await fh.read(buf, 0, 8, 0);
      expect(buf.subarray(0, bytesRead).toString()).toBe('hel');
      await fh.close();
      expect(perms(harness.admin.statSync(`${base}/f`).mode)).toBe('0000');
    }
  });

  test('R-CRE-7 permission is checked against the mode once the file exists', async () => {
    const harness = h();
    const u = unprivileged(harness, setup);
    const base = ownedDir(harness, `${harness.dir}/u`, u, 0o755);
    const fd = u.fs.openSync(`${base}/f`, O_CREAT | O_RDWR, 0);
    u.fs.writeSync(fd, 'x');
    u.fs.closeSync(fd);
    await rejects(u.fs.promises.open(`${base}/f`, 'r'), 'EACCES');
    await rejects(u.fs.promises.open(`${base}/f`, O_CREAT | O_WRONLY, 0o644), 'EACCES');
    // Root may still open it.
    expect(harness.admin.readFileSync(`${base}/f`, 'utf8')).toBe('x');
  });
});
