/**
 * hostfs permission checks: the VFS's one set of rules (vfs/access.ts)
 * applied to the host's uid, gid and mode, for the VFS caller's
 * credentials, although the host process itself is root: first-match
 * owner/group/other, search permission on every directory, sticky
 * directories, and the chmod/chown/utimes rules. A refused call changes
 * nothing on the host.
 */

import { expect, test } from 'vitest';
import { MNT, codeOf, hostStat, nodeFs, useHostSetup } from './helpers.js';

const setup = useHostSetup({
  prepare: (root) => {
    nodeFs.writeFileSync(`${root}/root-only`, 'private', { mode: 0o600 });
    nodeFs.chmodSync(`${root}/root-only`, 0o600);
    nodeFs.mkdirSync(`${root}/closed`, { mode: 0o700 });
    nodeFs.chmodSync(`${root}/closed`, 0o700);
    nodeFs.writeFileSync(`${root}/closed/inner`, 'inner', { mode: 0o644 });
    nodeFs.writeFileSync(`${root}/owned`, 'owned');
    nodeFs.chownSync(`${root}/owned`, 1500, 1500);
    nodeFs.chmodSync(`${root}/owned`, 0o070); // the owner is refused; its group would be let in
    nodeFs.mkdirSync(`${root}/sticky`);
    nodeFs.chmodSync(`${root}/sticky`, 0o1777);
    nodeFs.writeFileSync(`${root}/sticky/others`, 'x');
    nodeFs.chownSync(`${root}/sticky/others`, 1600, 1600);
  },
});

test('read, write and search permission follow the host modes for the caller', () => {
  const { as, root } = setup();
  const user = as(1500, 1500);
  expect(codeOf(() => user.readFileSync(`${MNT}/root-only`))).toBe('EACCES');
  expect(codeOf(() => user.writeFileSync(`${MNT}/root-only`, 'x'))).toBe('EACCES');
  expect(codeOf(() => user.statSync(`${MNT}/closed/inner`))).toBe('EACCES');
  expect(codeOf(() => user.readdirSync(`${MNT}/closed`))).toBe('EACCES');
  expect(codeOf(() => user.writeFileSync(`${MNT}/new`, 'x'))).toBe('EACCES'); // the root dir is 0755 root
  expect(codeOf(() => user.readFileSync(`${MNT}/owned`))).toBe('EACCES'); // owner bits 0: first match wins
  expect(as(1700, 1500).readFileSync(`${MNT}/owned`, 'utf8')).toBe('owned'); // group bits
  expect(codeOf(() => user.accessSync(`${MNT}/root-only`, nodeFs.constants.R_OK))).toBe('EACCES');
  expect(setup().fs.readFileSync(`${MNT}/root-only`, 'utf8')).toBe('private');
  expect(nodeFs.readFileSync(`${root}/root-only`, 'utf8')).toBe('private');
  expect(nodeFs.existsSync(`${root}/new`)).toBe(false);
});

test('sticky directory: only the owner of an entry (or of the directory, or root) may remove or replace it', () => {
  const { as, fs, root } = setup();
  const stranger = as(1500, 1500);
  expect(codeOf(() => stranger.unlinkSync(`${MNT}/sticky/others`))).toBe('EPERM');
  stranger.writeFileSync(`${MNT}/sticky/mine`, 'm');
  expect(codeOf(() => stranger.renameSync(`${MNT}/sticky/mine`, `${MNT}/sticky/others`))).toBe('EPERM');
  expect(codeOf(() => as(1600, 1600).unlinkSync(`${MNT}/sticky/mine`))).toBe('EPERM');
  as(1600, 1600).unlinkSync(`${MNT}/sticky/others`);
  stranger.unlinkSync(`${MNT}/sticky/mine`);
  fs.writeFileSync(`${MNT}/sticky/again`, '');
  fs.unlinkSync(`${MNT}/sticky/again`);
  expect(nodeFs.readdirSync(`${root}/sticky`)).toEqual([]);
});

test('chmod, chown and utimes follow the ownership rules; refused calls change nothing', () => {
  const { as, root } = setup();
  const owner = as(1500, 1500, { groups: [1500, 1501] });
  const other = as(1600, 1600);
  const before = hostStat(`${root}/owned`);
  expect(codeOf(() => other.chmodSync(`${MNT}/owned`, 0o777))).toBe('EPERM');
  expect(codeOf(() => other.chownSync(`${MNT}/owned`, 1600, 1600))).toBe('EPERM');
  expect(codeOf(() => owner.chownSync(`${MNT}/owned`, 1600, -1))).toBe('EPERM');
  expect(codeOf(() => owner.chownSync(`${MNT}/owned`, -1, 1700))).toBe('EPERM');
  expect(codeOf(() => other.utimesSync(`${MNT}/owned`, 1, 1))).toBe('EPERM');
  const after = hostStat(`${root}/owned`);
  expect([after.mode, after.uid, after.gid, after.mtimeNs, after.ctimeNs]).toEqual([before.mode, before.uid, before.gid, before.mtimeNs, before.ctimeNs]);
  owner.chmodSync(`${MNT}/owned`, 0o640);
  owner.chownSync(`${MNT}/owned`, -1, 1501);
  owner.utimesSync(`${MNT}/owned`, 5, 6);
  const done = hostStat(`${root}/owned`);
  expect([Number(done.mode) & 0o7777, done.gid, done.mtimeNs]).toEqual([0o640, 1501n, 6_000_000_000n]);
  owner.chmodSync(`${MNT}/owned`, 0o2640); // not in group 1501? it is: the bit stays
  expect(Number(hostStat(`${root}/owned`).mode) & 0o7777).toBe(0o2640);
  owner.chownSync(`${MNT}/owned`, -1, 1500);
  as(1500, 1500, { groups: [1500] }).chmodSync(`${MNT}/owned`, 0o2640);
  expect(Number(hostStat(`${root}/owned`).mode) & 0o7777).toBe(0o2640);
});

test('"touch" (times to now) needs only write permission', () => {
  const { as, fs, root } = setup();
  fs.writeFileSync(`${MNT}/shared`, '');
  fs.chmodSync(`${MNT}/shared`, 0o666);
  fs.utimesSync(`${MNT}/shared`, 1, 1);
  const writer = as(1600, 1600);
  const fd = writer.openSync(`${MNT}/shared`, 'r');
  writer.closeSync(fd);
  expect(codeOf(() => writer.utimesSync(`${MNT}/shared`, 3, 3))).toBe('EPERM');
  fs.chmodSync(`${MNT}/shared`, 0o644);
  expect(hostStat(`${root}/shared`).mtimeNs).toBe(1_000_000_000n);
});
