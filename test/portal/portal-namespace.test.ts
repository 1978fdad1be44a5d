/**
 * The portal's namespace (checks 8-10, 14-20, 54, 57): any name can be
 * looked up, as one node, key kept raw; matching happens at open; stat is
 * cheap, stable and never runs a provider; the root cannot be listed; what
 * the portal does not implement is EOPNOTSUPP, except access and close.
 */

import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, expect, test } from 'vitest';
import { constants } from '@actorvfs/core';
import { P, caught, fixture, scratch, setup, type PortalSetup } from './helpers.js';

let s: PortalSetup | undefined;
const tmp = scratch();
afterEach(async () => {
  await s?.close();
  s = undefined;
});
afterAll(() => tmp.remove());

test('check 14: the root is a directory, mode 0777, nlink 2, owned by root', () => {
  s = setup('tcp/ tcp tcp/\n');
  const st = s.fs.statSync(P);
  expect(st.isDirectory()).toBe(true);
  expect(st.mode & 0o7777).toBe(0o777);
  expect(st.nlink).toBe(2);
  expect([st.uid, st.gid]).toEqual([0, 0]);
});

test('check 15: the root cannot be listed (EOPNOTSUPP)', async () => {
  s = setup('tcp/ tcp tcp/\n');
  expect(caught(() => s!.fs.readdirSync(P))?.code).toBe('EOPNOTSUPP');
  await expect(s.fs.promises.readdir(P)).rejects.toMatchObject({ code: 'EOPNOTSUPP', syscall: 'scandir' });
});

test('check 8: no rule matches: open is ENOENT, stat succeeds (VREG 0666, size 0, nlink 1, uid 0)', () => {
  s = setup('tcp/ tcp tcp/\n');
  const e = caught(() => s!.fs.openSync(`${P}/nothing/here`, 'r'));
  expect(e).toMatchObject({ code: 'ENOENT', syscall: 'open', path: `${P}/nothing/here` });
  const st = s.fs.statSync(`${P}/nothing/here`);
  expect(st.isFile()).toBe(true);
  expect(st.mode & 0o7777).toBe(0o666);
  expect([st.size, st.nlink, st.uid, st.gid, st.blksize]).toEqual([0, 1, 0, 0, 512]);
  expect(s.fs.existsSync(`${P}/anything at all`)).toBe(true);
});

test('check 9: a rule naming an unknown provider (exec included) fails the open with ENOENT', () => {
  s = setup('foo/ exec /bin/x\nbar/ nosuch a b\n');
  expect(caught(() => s!.fs.openSync(`${P}/foo/x`, 'r'))?.code).toBe('ENOENT');
  expect(caught(() => s!.fs.openSync(`${P}/bar/x`, 'r'))?.code).toBe('ENOENT');
});

test('check 10 [D]: a rule with only a key fails the open with ENOENT (no provider to crash)', () => {
  s = setup('lonely/\n');
  expect(s.portal.rules[0]!.provider).toBeNull();
  expect(caught(() => s!.fs.openSync(`${P}/lonely/x`, 'r'))?.code).toBe('ENOENT');
});

test('check 16: unlink and rename inside the mount fail with EOPNOTSUPP', async () => {
  s = setup('tcp/ tcp tcp/\n');
  expect(caught(() => s!.fs.unlinkSync(`${P}/x`))?.code).toBe('EOPNOTSUPP');
  expect(caught(() => s!.fs.renameSync(`${P}/x`, `${P}/y`))?.code).toBe('EOPNOTSUPP');
  await expect(s.fs.promises.rm(`${P}/x`)).rejects.toMatchObject({ code: 'EOPNOTSUPP' });
});

test('check 17: open with O_NONBLOCK fails with EOPNOTSUPP, even when a rule matches', () => {
  s = setup('echo/ rfilter echo/ echo %s\n');
  const e = caught(() => s!.fs.openSync(`${P}/echo/x`, constants.O_RDONLY | constants.O_NONBLOCK));
  expect(e?.code).toBe('EOPNOTSUPP');
});

test('check 18: the key is the raw rest of the path: // and .. stay in it', () => {
  mkdirSync(join(tmp.dir, 'a'));
  writeFileSync(join(tmp.dir, 'b'), 'B');
  s = setup('k/ rfilter k/ echo %s\nfs/ file fs/\n', { file: { root: tmp.dir } });
  expect(s.fs.readFileSync(`${P}/k/a/../b`, 'utf8')).toBe('a/../b\n');
  expect(s.fs.readFileSync(`${P}/k//x//y`, 'utf8')).toBe('/x//y\n');
  // The file provider gets "/a/../b" as it is: the host walks it (a must exist).
  expect(s.fs.readFileSync(`${P}/fs/a/../b`, 'utf8')).toBe('B');
  expect(caught(() => s!.fs.readFileSync(`${P}/fs/nodir/../b`))?.code).toBe('ENOENT');
  expect(s.fs.readFileSync(`${P}/fs//b`, 'utf8')).toBe('B');
  expect(s.fs.readFileSync(`${P}/fs/b`, 'utf8')).toBe('B');
});

test('check 18: with the host root /, fs//etc/hosts and fs/etc/hosts both read /etc/hosts', () => {
  s = setup('fs/ file fs/\n');
  const hosts = readFileSync('/etc/hosts', 'utf8');
  expect(s.fs.readFileSync(`${P}/fs//etc/hosts`, 'utf8')).toBe(hosts);
  expect(s.fs.readFileSync(`${P}/fs/etc/hosts`, 'utf8')).toBe(hosts);
});

test('check 19: a trailing slash stays in the key: tcp/127.0.0.1/7777/ is EINVAL', () => {
  s = setup('tcp/ tcp tcp/\nk/ rfilter k/ echo %s\n');
  expect(caught(() => s!.fs.openSync(`${P}/tcp/127.0.0.1/7777/`, 'r+'))?.code).toBe('EINVAL');
  expect(s.fs.readFileSync(`${P}/k/dir/`, 'utf8')).toBe('dir/\n');
});

test('check 20 [D]: a name keeps its inode number; stat never runs a provider', () => {
  const out = join(tmp.dir, 'never.gz');
  const lines: string[] = [];
  s = setup('gz/ wfilter gz/ gzip > %s\ntcp/ tcp tcp/\n', { trace: (l) => lines.push(l) });
  const a = s.fs.statSync(`${P}/gz/${out}`);
  const b = s.fs.statSync(`${P}/gz/${out}`);
  expect(a.ino).toBe(b.ino);
  expect(s.fs.statSync(`${P}/tcp/10.255.255.1/1`).ino).not.toBe(a.ino);
  expect(s.fs.lstatSync(`${P}/gz/${out}`).ino).toBe(a.ino);
  expect(s.fs.statSync(P).ino).toBe(2);
  // No command ran (the rev 1.8 getattr would have truncated the target) and no open was made.
  expect(existsSync(out)).toBe(false);
  expect(lines.some((l) => l.startsWith('portal: open'))).toBe(false);
});

test('check 54: chmod, chown, utimes and truncate succeed and change nothing', async () => {
  s = setup('e/ echo e/\n', { providers: { echo: fixture('echo-back.mjs') } });
  const path = `${P}/e/x`;
  s.fs.chmodSync(path, 0o700);
  s.fs.chownSync(path, 5, 5);
  s.fs.utimesSync(path, 1, 1);
  // truncate(2) by path; Node's truncate opens the file, so the provider runs for this one.
  s.fs.truncateSync(path, 100);
  const fh = await s.fs.promises.open(path, 'r+');
  await fh.truncate(7);
  await fh.chmod(0o600);
  await fh.close();
  await s.fs.promises.chmod(path, 0o600);
  // Anyone may: the portal pretends to care for everyone.
  s.as(1000, 1000).chmodSync(path, 0o777);
  const st = s.fs.statSync(path);
  expect(st.mode & 0o7777).toBe(0o666);
  expect([st.uid, st.gid, st.size]).toEqual([0, 0, 0]);
  expect(st.mtimeMs).toBeGreaterThan(1000);
});

test('check 57: what the portal does not implement is EOPNOTSUPP; access and close succeed', async () => {
  s = setup('up/ upper up/\n', { providers: { upper: fixture('upper.mjs') } });
  const path = `${P}/up/x`;
  s.fs.accessSync(path, constants.R_OK | constants.W_OK | constants.X_OK);
  s.as(1000, 1000).accessSync(path, constants.R_OK | constants.W_OK | constants.X_OK);
  const fh = await s.fs.promises.open(path, 'r+');
  await expect(fh.flock('ex')).rejects.toMatchObject({ code: 'EOPNOTSUPP' });
  await expect(fh.lock({ type: 'write' })).rejects.toMatchObject({ code: 'EOPNOTSUPP' });
  await fh.close();
  expect(caught(() => s!.fs.readdirSync(P))?.code).toBe('EOPNOTSUPP');
  expect(caught(() => s!.fs.linkSync('/p/up/a', '/p/up/b'))?.code).toBe('EEXIST');
  // Every name exists, so what would make one finds it there already.
  expect(caught(() => s!.fs.mkdirSync(`${P}/d`))?.code).toBe('EEXIST');
  expect(caught(() => s!.fs.openSync(`${P}/up/x`, 'wx'))?.code).toBe('EEXIST');
  expect(caught(() => s!.fs.symlinkSync('/x', `${P}/l`))?.code).toBe('EEXIST');
});
