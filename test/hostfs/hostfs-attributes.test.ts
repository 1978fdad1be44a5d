/**
 * hostfs attribute changes, checked on the host: chmod (set-id bits
 * included), chown and lchown, utimes (microsecond precision: Node's utimes
 * takes seconds as a double and libuv keeps microseconds), truncate; owners
 * of new nodes follow the caller's credentials and set-gid directories;
 * writes by non-root callers clear set-id bits as Linux does; chflags and
 * chmod of a symlink are EOPNOTSUPP.
 */

import { expect, test } from 'vitest';
import { MNT, codeOf, hostStat, nodeFs, useHostSetup } from './helpers.js';

const setup = useHostSetup();

test('chmod sets the host mode bits exactly, set-id and sticky bits included', () => {
  const { fs, root } = setup();
  fs.writeFileSync(`${MNT}/f`, 'x');
  fs.mkdirSync(`${MNT}/d`);
  for (const mode of [0o600, 0o4755, 0o2750, 0o1777, 0o000]) {
    fs.chmodSync(`${MNT}/f`, mode);
    expect(Number(hostStat(`${root}/f`).mode) & 0o7777).toBe(mode);
  }
  fs.chmodSync(`${MNT}/d`, 0o1733);
  expect(Number(hostStat(`${root}/d`).mode) & 0o7777).toBe(0o1733);
  const fd = fs.openSync(`${MNT}/f`, 'r');
  fs.fchmodSync(fd, 0o644);
  fs.closeSync(fd);
  expect(Number(hostStat(`${root}/f`).mode) & 0o7777).toBe(0o644);
});

test('chown and lchown set host owners; chown of a symlink follows it, lchown does not', () => {
  const { fs, root } = setup();
  fs.writeFileSync(`${MNT}/f`, 'x');
  fs.symlinkSync('f', `${MNT}/l`);
  fs.chownSync(`${MNT}/f`, 1001, 1002);
  expect([hostStat(`${root}/f`).uid, hostStat(`${root}/f`).gid]).toEqual([1001n, 1002n]);
  fs.lchownSync(`${MNT}/l`, 2001, 2002);
  expect([hostStat(`${root}/l`).uid, hostStat(`${root}/l`).gid]).toEqual([2001n, 2002n]);
  expect(hostStat(`${root}/f`).uid).toBe(1001n);
  fs.chownSync(`${MNT}/l`, 3001, -1);
  expect([hostStat(`${root}/f`).uid, hostStat(`${root}/f`).gid]).toEqual([3001n, 1002n]);
  expect(hostStat(`${root}/l`).uid).toBe(2001n);
  fs.chmodSync(`${MNT}/f`, 0o4755);
  fs.chownSync(`${MNT}/f`, 3001, 1002);
  expect(Number(hostStat(`${root}/f`).mode) & 0o7777).toBe(0o755); // chown clears set-uid
});

test('utimes and lutimes set host times to the microsecond, exactly as the VFS gives them', () => {
  const { fs, root } = setup();
  fs.writeFileSync(`${MNT}/f`, 'x');
  fs.writeFileSync('/ref', 'x'); // the same call on tmpfs is the reference
  fs.symlinkSync('f', `${MNT}/l`);
  const cases: [number | Date, number | Date][] = [
    [1_000_000_000.123456, 1_500_000_000.654321],
    [1.000001, 2.999999],
    [0, 4_000_000_000.5],
    [new Date('2001-02-03T04:05:06.789Z'), new Date('1969-07-20T20:17:40.001Z')],
  ];
  for (const [a, m] of cases) {
    fs.utimesSync(`${MNT}/f`, a, m);
    fs.utimesSync('/ref', a, m);
    const ref = fs.statSync('/ref', { bigint: true });
    const st = hostStat(`${root}/f`);
    expect([st.atimeNs, st.mtimeNs]).toEqual([ref.atimeNs, ref.mtimeNs]);
    expect(fs.statSync(`${MNT}/f`, { bigint: true }).mtimeNs).toBe(ref.mtimeNs);
  }
  expect(hostStat(`${root}/f`).mtimeNs).toBeLessThan(0n); // before 1970, on the host too
  fs.lutimesSync(`${MNT}/l`, 42, 43);
  expect(hostStat(`${root}/l`).mtimeNs).toBe(43_000_000_000n);
  expect(hostStat(`${root}/f`).mtimeNs).not.toBe(43_000_000_000n);
  fs.utimesSync(`${MNT}/l`, 5, 6); // follows the symlink
  expect(hostStat(`${root}/f`).mtimeNs).toBe(6_000_000_000n);
  const fd = fs.openSync(`${MNT}/f`, 'r');
  fs.futimesSync(fd, 7, 8);
  fs.closeSync(fd);
  expect(hostStat(`${root}/f`).mtimeNs).toBe(8_000_000_000n);
  const before = Date.now();
  fs.utimesSync(`${MNT}/f`, -1, -1); // Node: a negative time means "now"
  expect(Number(hostStat(`${root}/f`).mtimeNs / 1_000_000n)).toBeGreaterThanOrEqual(before - 1000);
});

test('truncate grows and shrinks the host file', () => {
  const { fs, root } = setup();
  fs.writeFileSync(`${MNT}/f`, 'abcdef');
  fs.truncateSync(`${MNT}/f`, 3);
  expect(nodeFs.readFileSync(`${root}/f`, 'utf8')).toBe('abc');
  fs.truncateSync(`${MNT}/f`, 5);
  expect(nodeFs.readFileSync(`${root}/f`)).toEqual(Buffer.from('abc\0\0'));
  const fd = fs.openSync(`${MNT}/f`, 'r+');
  fs.ftruncateSync(fd, 1);
  fs.closeSync(fd);
  expect(nodeFs.readFileSync(`${root}/f`, 'utf8')).toBe('a');
  fs.writeFileSync(`${MNT}/f`, 'zzz', { flag: 'w' }); // O_TRUNC
  expect(nodeFs.readFileSync(`${root}/f`, 'utf8')).toBe('zzz');
  expect(codeOf(() => fs.truncateSync(MNT, 0))).toBe('EISDIR');
});

test('new nodes belong to the caller; a set-gid directory passes on its group (and the bit, to subdirectories)', () => {
  const { fs, root, as } = setup();
  fs.mkdirSync(`${MNT}/pub`, { mode: 0o777 });
  fs.chmodSync(`${MNT}/pub`, 0o777);
  const user = as(1500, 1600, { umask: 0o022 });
  user.writeFileSync(`${MNT}/pub/mine`, 'x');
  user.mkdirSync(`${MNT}/pub/mydir`);
  user.symlinkSync('mine', `${MNT}/pub/mylink`);
  for (const name of ['mine', 'mydir', 'mylink']) expect([hostStat(`${root}/pub/${name}`).uid, hostStat(`${root}/pub/${name}`).gid]).toEqual([1500n, 1600n]);
  expect(Number(hostStat(`${root}/pub/mine`).mode) & 0o777).toBe(0o644);
  fs.mkdirSync(`${MNT}/sgid`);
  fs.chownSync(`${MNT}/sgid`, 0, 4242);
  fs.chmodSync(`${MNT}/sgid`, 0o2777);
  user.writeFileSync(`${MNT}/sgid/f`, '');
  user.mkdirSync(`${MNT}/sgid/sub`);
  expect(hostStat(`${root}/sgid/f`).gid).toBe(4242n);
  expect(hostStat(`${root}/sgid/sub`).gid).toBe(4242n);
  expect(Number(hostStat(`${root}/sgid/sub`).mode) & 0o2000).toBe(0o2000);
});

test('a write or truncate by a non-root caller clears set-id bits; by root it does not', () => {
  const { fs, root, as } = setup();
  fs.writeFileSync(`${MNT}/prog`, 'x');
  fs.chownSync(`${MNT}/prog`, 1500, 1500);
  fs.chmodSync(`${MNT}/prog`, 0o6775);
  fs.appendFileSync(`${MNT}/prog`, 'root');
  expect(Number(hostStat(`${root}/prog`).mode) & 0o7777).toBe(0o6775);
  as(1500, 1500).appendFileSync(`${MNT}/prog`, 'user');
  expect(Number(hostStat(`${root}/prog`).mode) & 0o7777).toBe(0o775);
  fs.chmodSync(`${MNT}/prog`, 0o6775);
  as(1500, 1500).truncateSync(`${MNT}/prog`, 1);
  expect(Number(hostStat(`${root}/prog`).mode) & 0o7777).toBe(0o775);
});

test('chflags and chmod of a symlink are not supported', () => {
  const { fs } = setup();
  fs.writeFileSync(`${MNT}/f`, 'x');
  fs.symlinkSync('f', `${MNT}/l`);
  expect(codeOf(() => fs.chflagsSync(`${MNT}/f`, 0x2))).toBe('EOPNOTSUPP');
  expect(codeOf(() => fs.lchmodSync(`${MNT}/l`, 0o600))).toBe('EOPNOTSUPP');
});
