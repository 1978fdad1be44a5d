/**
 * Section K: symlink / readlink (R-SYM-1 .. R-SYM-5).
 */

import { expect, test } from 'vitest';
import { forEachSetup } from '../setups.js';
import {
  NAME_MAX,
  NODE_TYPES,
  PATH_MAX,
  createNode,
  expectTimesAround,
  expectType,
  longName,
  ownedDir,
  perms,
  readFile,
  rejects,
  unprivileged,
  writeFile,
} from './helpers.js';

forEachSetup('symlink', (h, setup) => {
  test('R-SYM-1 symlink makes a symlink; stat follows it to the target\'s type and mode', async () => {
    const { fs, dir } = h();
    writeFile(fs, `${dir}/f`, 'content', 0o640);
    fs.mkdirSync(`${dir}/d`, 0o751);
    await fs.promises.symlink('f', `${dir}/lf`);
    await fs.promises.symlink('d', `${dir}/ld`);
    expectType(fs.lstatSync(`${dir}/lf`).mode, 'symlink');
    expect(perms(fs.lstatSync(`${dir}/lf`).mode)).toBe('0777');
    const sf = fs.statSync(`${dir}/lf`);
    expectType(sf.mode, 'regular');
    expect([perms(sf.mode), sf.ino]).toEqual(['0640', fs.statSync(`${dir}/f`).ino]);
    expectType(fs.statSync(`${dir}/ld`).mode, 'dir');
    expect(perms(fs.statSync(`${dir}/ld`).mode)).toBe('0751');
    expect(readFile(fs, `${dir}/lf`)).toBe('content');
    expect(fs.lstatSync(`${dir}/lf`).uid).toBe(h().cred.uid);
  });

  test('R-SYM-1 once the target is removed, stat gives ENOENT and the link remains', async () => {
    const { fs, dir } = h();
    writeFile(fs, `${dir}/f`, 'x');
    fs.symlinkSync('f', `${dir}/l`);
    fs.unlinkSync(`${dir}/f`);
    await rejects(fs.promises.stat(`${dir}/l`), 'ENOENT');
    expect(fs.lstatSync(`${dir}/l`).isSymbolicLink()).toBe(true);
    expect(fs.readlinkSync(`${dir}/l`)).toBe('f');
  });

  test('R-SYM-1 relative targets resolve from the link\'s directory; absolute ones from the root', async () => {
    const { fs, dir } = h();
    fs.mkdirSync(`${dir}/a`);
    fs.mkdirSync(`${dir}/a/b`);
    writeFile(fs, `${dir}/a/t`, 'rel');
    fs.symlinkSync('../t', `${dir}/a/b/rel`);
    fs.symlinkSync(`${dir}/a/t`, `${dir}/abs`);
    expect(readFile(fs, `${dir}/a/b/rel`)).toBe('rel');
    expect(readFile(fs, `${dir}/abs`)).toBe('rel');
  });

  test('R-SYM-2 symlink updates the parent\'s mtime and ctime', async () => {
    const { fs, admin, dir } = h();
    fs.mkdirSync(`${dir}/p`);
    await expectTimesAround(admin, [{ path: `${dir}/p`, expect: { mtime: 'changed', ctime: 'changed', atime: 'same' } }], () =>
      fs.promises.symlink('anything', `${dir}/p/l`),
    );
  });

  test('R-SYM-3 the target is not checked as a path: a component of NAME_MAX+1 bytes is kept as is', async () => {
    const { fs, dir } = h();
    const target = longName(NAME_MAX + 1);
    await fs.promises.symlink(target, `${dir}/l`);
    expect(await fs.promises.readlink(`${dir}/l`)).toBe(target);
    await rejects(fs.promises.stat(`${dir}/l`), 'ENAMETOOLONG');
    await fs.promises.symlink('no/such/../../path/..', `${dir}/m`);
    expect(fs.readlinkSync(`${dir}/m`)).toBe('no/such/../../path/..');
  });

  test('R-SYM-3 a target of PATH_MAX-1 bytes works, PATH_MAX bytes or more gives ENAMETOOLONG, empty gives ENOENT', async () => {
    const { fs, dir } = h();
    const ok = 'x/'.repeat((PATH_MAX - 1 - 1) / 2) + 'x';
    expect(ok.length).toBe(PATH_MAX - 1);
    await fs.promises.symlink(ok, `${dir}/ok`);
    expect(fs.readlinkSync(`${dir}/ok`)).toBe(ok);
    expect(fs.lstatSync(`${dir}/ok`).size).toBe(PATH_MAX - 1);
    await rejects(fs.promises.symlink(ok + 'x', `${dir}/long`), 'ENAMETOOLONG');
    await rejects(fs.promises.symlink('y'.repeat(PATH_MAX * 2), `${dir}/longer`), 'ENAMETOOLONG');
    await rejects(fs.promises.symlink('', `${dir}/empty`), 'ENOENT');
    expect(fs.readdirSync(dir)).toEqual(['ok']);
  });

  for (const type of NODE_TYPES) {
    test(`R-SYM-4 symlink onto an existing ${type} gives EEXIST`, async () => {
      const harness = h();
      createNode(harness, type, `${harness.dir}/n`);
      const ino = harness.fs.lstatSync(`${harness.dir}/n`).ino;
      await rejects(harness.fs.promises.symlink('t', `${harness.dir}/n`), 'EEXIST');
      expect(harness.fs.lstatSync(`${harness.dir}/n`).ino).toBe(ino);
    });
  }

  test('R-SYM-4 ENOTDIR, ENOENT and ELOOP for a prefix; EACCES for search or write', async () => {
    const harness = h();
    const { fs, dir } = harness;
    writeFile(fs, `${dir}/f`, 'x');
    fs.symlinkSync('l2', `${dir}/l1`);
    fs.symlinkSync('l1', `${dir}/l2`);
    await rejects(fs.promises.symlink('t', `${dir}/f/l`), 'ENOTDIR');
    await rejects(fs.promises.symlink('t', `${dir}/missing/l`), 'ENOENT');
    await rejects(fs.promises.symlink('t', `${dir}/l1/l`), 'ELOOP');
    const u = unprivileged(harness, setup);
    const base = ownedDir(harness, `${dir}/u`, u);
    ownedDir(harness, `${base}/noexec`, u, 0o644);
    ownedDir(harness, `${base}/nowrite`, u, 0o555);
    await rejects(u.fs.promises.symlink('t', `${base}/noexec/l`), 'EACCES');
    await rejects(u.fs.promises.symlink('t', `${base}/nowrite/l`), 'EACCES');
    await u.fs.promises.symlink('t', `${base}/ok`);
    expect(harness.admin.readdirSync(base).sort()).toEqual(['noexec', 'nowrite', 'ok']);
  });

  test('R-SYM-5 lstat of a symlink reports S_IFLNK and the target\'s length in bytes as its size', async () => {
    const { fs, dir } = h();
    fs.symlinkSync('target', `${dir}/ascii`);
    fs.symlinkSync('é/ü', `${dir}/utf8`);
    const st = fs.lstatSync(`${dir}/ascii`);
    expect(st.isSymbolicLink()).toBe(true);
    expect(st.size).toBe(6);
    expect(fs.lstatSync(`${dir}/utf8`).size).toBe(Buffer.byteLength('é/ü'));
    expect(fs.readlinkSync(`${dir}/utf8`)).toBe('é/ü');
    expect(fs.readlinkSync(`${dir}/utf8`, { encoding: 'buffer' })).toEqual(Buffer.from('é/ü'));
  });

  test('R-SYM-5 a link to "/" can be walked through', async () => {
    const { fs, dir } = h();
    fs.symlinkSync('/', `${dir}/root`);
    writeFile(fs, `${dir}/f`, 'found');
    expect(fs.statSync(`${dir}/root`).ino).toBe(fs.statSync('/').ino);
    expect(fs.statSync(`${dir}/root${dir}`).ino).toBe(fs.statSync(dir).ino);
    expect(readFile(fs, `${dir}/root${dir}/f`)).toBe('found');
    expect(fs.readdirSync(`${dir}/root`)).toEqual(fs.readdirSync('/'));
  });
});
