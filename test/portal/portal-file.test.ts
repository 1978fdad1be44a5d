/**
 * The file provider against real host files (checks 27-31, 51 for files),
 * confined under a host root, with the caller's credentials enforced by the
 * VFS's permission rules.
 */

import * as nodeFs from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, test } from 'vitest';
import { P, caught, scratch, setup, type PortalSetup } from './helpers.js';

let s: PortalSetup | undefined;
let tmp: ReturnType<typeof scratch>;
beforeEach(() => {
  tmp = scratch();
});
afterEach(async () => {
  await s?.close();
  s = undefined;
  tmp.remove();
});

test('check 27: fs/tmp/t1 reads the host file /tmp/t1', () => {
  nodeFs.writeFileSync(join(tmp.dir, 't1'), 'host data\n');
  s = setup('fs/ file fs/\n');
  expect(s.fs.readFileSync(`${P}/fs${tmp.dir}/t1`, 'utf8')).toBe('host data\n');
});

test('check 28: opening a missing file for reading creates it, empty, mode 0666 minus the umask, owned by the caller', async () => {
  s = setup('fs/ file fs/\n', { file: { umask: 0o022 } });
  const fh = await s.fs.promises.open(`${P}/fs${tmp.dir}/missing`, 'r');
  await fh.close();
  const st = nodeFs.statSync(join(tmp.dir, 'missing'));
  expect(st.size).toBe(0);
  expect(st.mode & 0o7777).toBe(0o644);
  const user = s.as(1000, 1001);
  user.closeSync(user.openSync(`${P}/fs${tmp.dir}/mine`, 'r'));
  const mine = nodeFs.statSync(join(tmp.dir, 'mine'));
  expect([mine.uid, mine.gid]).toEqual([1000, 1001]);
});

test('check 29: only the length of the strip token matters', () => {
  nodeFs.writeFileSync(join(tmp.dir, 'h'), 'H');
  s = setup('xx/ file ab/\n');
  expect(s.fs.readFileSync(`${P}/xx${tmp.dir}/h`, 'utf8')).toBe('H');
});

test('check 30: a file the caller may read but not write opens read-only; one it may not read is EACCES', async () => {
  nodeFs.writeFileSync(join(tmp.dir, 'ro'), 'read me');
  nodeFs.chmodSync(join(tmp.dir, 'ro'), 0o644);
  nodeFs.writeFileSync(join(tmp.dir, 'secret'), 'no');
  nodeFs.chmodSync(join(tmp.dir, 'secret'), 0o600);
  s = setup('fs/ file fs/\n');
  const user = s.as(1000, 1000);
  const fh = await user.promises.open(`${P}/fs${tmp.dir}/ro`, 'r+');
  const b = Buffer.alloc(20);
  expect((await fh.read(b, 0, 20, 0)).bytesRead).toBe(7);
  // [D] the write fails with the real reason (the original: EIO).
  await expect(fh.write('x')).rejects.toMatchObject({ code: 'EBADF', syscall: 'write' });
  await fh.close();
  expect(nodeFs.readFileSync(join(tmp.dir, 'ro'), 'utf8')).toBe('read me');
  await expect(user.promises.open(`${P}/fs${tmp.dir}/secret`, 'r')).rejects.toMatchObject({ code: 'EACCES' });
  // Group and supplementary groups count (the original lost them).
  nodeFs.chownSync(join(tmp.dir, 'secret'), 0, 4242);
  nodeFs.chmodSync(join(tmp.dir, 'secret'), 0o640);
  expect(s.as(1000, 1000, [4242]).readFileSync(`${P}/fs${tmp.dir}/secret`, 'utf8')).toBe('no');
  // A directory the caller may not search.
  nodeFs.mkdirSync(join(tmp.dir, 'closed'), { mode: 0o700 });
  nodeFs.writeFileSync(join(tmp.dir, 'closed', 'f'), 'f');
  await expect(user.promises.open(`${P}/fs${tmp.dir}/closed/f`, 'r')).rejects.toMatchObject({ code: 'EACCES' });
});

test('check 31: providers acting as a non-root identity serve only that identity (EPERM)', async () => {
  nodeFs.writeFileSync(join(tmp.dir, 'f'), 'F');
  nodeFs.chmodSync(join(tmp.dir, 'f'), 0o644);
  s = setup('fs/ file fs/\n', { identity: { uid: 1000, gid: 1000 } });
  expect(s.as(1000, 1000).readFileSync(`${P}/fs${tmp.dir}/f`, 'utf8')).toBe('F');
  await expect(s.as(1001, 1000).promises.open(`${P}/fs${tmp.dir}/f`, 'r')).rejects.toMatchObject({ code: 'EPERM' });
  await expect(s.as(1000, 1001).promises.open(`${P}/fs${tmp.dir}/f`, 'r')).rejects.toMatchObject({ code: 'EPERM' });
  await expect(s.fs.promises.open(`${P}/fs${tmp.dir}/f`, 'r')).rejects.toMatchObject({ code: 'EPERM' });
});

test('check 51: a file portal seeks: a read at 10 returns data from byte 10; writes go where asked', async () => {
  nodeFs.writeFileSync(join(tmp.dir, 'data'), '0123456789abcdefghij');
  s = setup('fs/ file fs/\n');
  const fd = s.fs.openSync(`${P}/fs${tmp.dir}/data`, 'r+');
  const b = Buffer.alloc(5);
  expect(s.fs.readSync(fd, b, 0, 5, 10)).toBe(5);
  expect(b.toString()).toBe('abcde');
  // The descriptor's own offset moves with sequential reads, as with any file.
  expect(s.fs.readSync(fd, b, 0, 5, null)).toBe(5);
  expect(b.toString()).toBe('01234');
  s.fs.writeSync(fd, 'XY', 2);
  expect(s.fs.readSync(fd, b, 0, 5, null)).toBe(5);
  expect(b.toString()).toBe('56789');
  s.fs.closeSync(fd);
  expect(nodeFs.readFileSync(join(tmp.dir, 'data'), 'utf8')).toBe('01XY456789abcdefghij');
  // Appends land at the end.
  s.fs.appendFileSync(`${P}/fs${tmp.dir}/data`, '!');
  expect(nodeFs.readFileSync(join(tmp.dir, 'data'), 'utf8')).toBe('01XY456789abcdefghij!');
  const rs = s.fs.createReadStream(`${P}/fs${tmp.dir}/data`, { start: 15, end: 17, encoding: 'utf8' });
  let got = '';
  for await (const c of rs) got += c;
  expect(got).toBe('fgh');
});

test('the file provider stays under its host root: .. stops there, symlinks resolve inside it', () => {
  const root = join(tmp.dir, 'root');
  nodeFs.mkdirSync(join(root, 'etc'), { recursive: true });
  nodeFs.writeFileSync(join(root, 'etc', 'hosts'), 'inside\n');
  nodeFs.writeFileSync(join(tmp.dir, 'outside'), 'OUTSIDE');
  nodeFs.symlinkSync('/etc/hosts', join(root, 'abs-link'));
  nodeFs.symlinkSync('../../outside', join(root, 'etc', 'rel-link'));
  s = setup('fs/ file fs/\n', { file: { root } });
  expect(s.fs.readFileSync(`${P}/fs/etc/hosts`, 'utf8')).toBe('inside\n');
  expect(s.fs.readFileSync(`${P}/fs/../../../etc/hosts`, 'utf8')).toBe('inside\n');
  expect(s.fs.readFileSync(`${P}/fs/abs-link`, 'utf8')).toBe('inside\n');
  // ../../outside from root/etc climbs to the root and stops: root/outside, which is missing, so it is made there.
  expect(s.fs.readFileSync(`${P}/fs/etc/rel-link`, 'utf8')).toBe('');
  expect(nodeFs.readFileSync(join(tmp.dir, 'outside'), 'utf8')).toBe('OUTSIDE');
  expect(nodeFs.existsSync(join(root, 'outside'))).toBe(true);
  expect(caught(() => s!.fs.readFileSync(`${P}/fs/etc`))?.code).toBe('EISDIR');
});

test('host FIFOs and devices cannot be opened through the file provider', () => {
  s = setup('fs/ file fs/\n');
  expect(caught(() => s!.fs.readFileSync(`${P}/fs/dev/null`))?.code).toBe('EOPNOTSUPP');
});
