/**
 * vfs.context() objects act with their own credentials, umask, root and
 * cwd, and permission failures come back as Node-shaped EACCES / EPERM.
 */
import { expect, test } from 'vitest';
import { createVfs } from '@actorvfs/core';

function setup() {
  const vfs = createVfs();
  const root = vfs.fs;
  root.mkdirSync('/home/u', { recursive: true });
  root.chownSync('/home/u', 1000, 1000);
  root.writeFileSync('/ro', 'x', { mode: 0o444 });
  root.writeFileSync('/secret', 's', { mode: 0o600 });
  const user = vfs.context({ uid: 1000, gid: 1000, umask: 0o027 });
  return { vfs, root, user };
}

test('a user gets EACCES where root does not', async () => {
  const { root, user } = setup();
  expect(() => user.writeFileSync('/ro', 'y')).toThrow("EACCES: permission denied, open '/ro'");
  expect(() => user.readFileSync('/secret')).toThrow("EACCES: permission denied, open '/secret'");
  expect(() => user.accessSync('/ro', user.constants.W_OK)).toThrow("EACCES: permission denied, access '/ro'");
  user.accessSync('/ro', user.constants.R_OK);
  root.accessSync('/ro', root.constants.W_OK);
  root.writeFileSync('/ro', 'root may');
  expect(() => user.mkdirSync('/top')).toThrow("EACCES: permission denied, mkdir '/top'");
  await expect(user.promises.unlink('/ro')).rejects.toMatchObject({ code: 'EACCES', errno: -13, syscall: 'unlink', path: '/ro' });
  const cbErr = await new Promise<Error | null>((resolve) => user.rename('/ro', '/home/u/ro', (e) => resolve(e)));
  expect(cbErr!.message).toBe("EACCES: permission denied, rename '/ro' -> '/home/u/ro'");
});

test('ownership rules: chmod/chown by a non-owner is EPERM', () => {
  const { user } = setup();
  expect(() => user.chmodSync('/ro', 0o777)).toThrow("EPERM: operation not permitted, chmod '/ro'");
  expect(() => user.chownSync('/home/u', 0, 0)).toThrow("EPERM: operation not permitted, chown '/home/u'");
  user.chmodSync('/home/u', 0o700);
});

test('new files get the context\'s ids and umask', () => {
  const { user } = setup();
  user.writeFileSync('/home/u/f', 'x');
  user.mkdirSync('/home/u/d');
  const f = user.statSync('/home/u/f');
  expect([f.uid, f.gid, f.mode & 0o777]).toEqual([1000, 1000, 0o640]);
  expect(user.statSync('/home/u/d').mode & 0o777).toBe(0o750);
  const fd = user.openSync('/home/u/g', 'w', 0o666);
  user.closeSync(fd);
  expect(user.statSync('/home/u/g').mode & 0o777).toBe(0o640);
});

test('root and cwd confine a context', () => {
  const { vfs, root } = setup();
  root.writeFileSync('/home/u/inside', 'in');
  const jailed = vfs.context({ uid: 1000, gid: 1000, root: '/home/u', cwd: '/' });
  expect(jailed.readFileSync('/inside', 'utf8')).toBe('in');
  expect(jailed.readFileSync('inside', 'utf8')).toBe('in');
  expect(jailed.readdirSync('/..')).toEqual(jailed.readdirSync('/'));
  expect(() => jailed.statSync('/ro')).toThrow("ENOENT: no such file or directory, stat '/ro'");
  const cwd = vfs.context({ uid: 0, gid: 0, cwd: '/home' });
  expect(cwd.readdirSync('.')).toEqual(['u']);
  expect(cwd.existsSync('u/inside')).toBe(true);
});
