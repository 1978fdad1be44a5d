/**
 * rm / rmdir({ recursive }) and cp with Node's rules and SystemErrors.
 */
import { expect, test } from 'vitest';
import { createVfs } from '@actorvfs/core';

function setup() {
  const fs = createVfs().fs;
  fs.mkdirSync('/t/a/b', { recursive: true });
  fs.writeFileSync('/t/a/b/f', 'f');
  fs.writeFileSync('/t/g', 'g');
  fs.symlinkSync('/outside', '/t/dangling');
  fs.mkdirSync('/outside');
  fs.writeFileSync('/outside/keep', 'k');
  fs.symlinkSync('/outside', '/t/dirlink');
  return fs;
}

function caught(fn: () => unknown): Error & Record<string, unknown> {
  try {
    fn();
  } catch (e) {
    return e as Error & Record<string, unknown>;
  }
  throw new Error('expected a throw');
}

test('rm removes files and, with recursive, trees; links are removed, not followed', () => {
  const fs = setup();
  fs.rmSync('/t/g');
  expect(fs.existsSync('/t/g')).toBe(false);
  fs.rmSync('/t', { recursive: true });
  expect(fs.existsSync('/t')).toBe(false);
  expect(fs.readFileSync('/outside/keep', 'utf8')).toBe('k');
});

test('rm: ENOENT from lstat unless force; a directory needs recursive', async () => {
  const fs = setup();
  expect(caught(() => fs.rmSync('/nope')).message).toBe("ENOENT: no such file or directory, lstat '/nope'");
  fs.rmSync('/nope', { force: true });
  fs.rmSync('/nope', { force: true, recursive: true });
  expect(caught(() => fs.rmSync('/t/a', { force: true })).code).toBe('ERR_FS_EISDIR');
  await expect(fs.promises.rm('/t/a')).rejects.toMatchObject({ code: 'ERR_FS_EISDIR' });
  await fs.promises.rm('/t/a', { recursive: true });
  expect(fs.existsSync('/t/a')).toBe(false);
  await new Promise<void>((resolve, reject) => fs.rm('/t/g', (e) => (e ? reject(e) : resolve())));
  expect(fs.existsSync('/t/g')).toBe(false);
});

test('rm reports the failing inner operation as Node does', () => {
  const vfs = createVfs();
  const root = vfs.fs;
  root.mkdirSync('/t/locked', { recursive: true });
  root.writeFileSync('/t/locked/f', '');
  root.chmodSync('/t/locked', 0o555);
  root.chownSync('/t', 1000, 1000);
  const user = vfs.context({ uid: 1000, gid: 1000 });
  const e = caught(() => user.rmSync('/t', { recursive: true }));
  expect(e.message).toBe("EACCES: permission denied, unlink '/t/locked/f'");
  expect(root.existsSync('/t/locked/f')).toBe(true);
});

test('rmdir with recursive (deprecated): lstat first, ENOTDIR for files', () => {
  const fs = setup();
  expect(caught(() => fs.rmdirSync('/nope', { recursive: true })).message).toBe("ENOENT: no such file or directory, lstat '/nope'");
  expect(caught(() => fs.rmdirSync('/t/g', { recursive: true })).message).toBe("ENOTDIR: not a directory, rmdir '/t/g'");
  fs.rmdirSync('/t', { recursive: true });
  expect(fs.existsSync('/t')).toBe(false);
  expect(caught(() => fs.rmdirSync('/outside')).code).toBe('ENOTEMPTY');
});

test('cp: files, trees (with parents made), symlinks resolved relative to the source', () => {
  const fs = setup();
  fs.chmodSync('/t/a/b/f', 0o640);
  fs.cpSync('/t/g', '/copy/of/g');
  expect(fs.readFileSync('/copy/of/g', 'utf8')).toBe('g');
  fs.cpSync('/t', '/t2', { recursive: true });
  expect(fs.readdirSync('/t2', { recursive: true }).sort()).toEqual(['a', 'a/b', 'a/b/f', 'dangling', 'dirlink', 'g']);
  expect(fs.statSync('/t2/a/b/f').mode & 0o777).toBe(0o640);
  expect(fs.readlinkSync('/t2/dirlink')).toBe('/outside');
  fs.symlinkSync('a/b/f', '/t/rel');
  fs.cpSync('/t/rel', '/relcopy');
  expect(fs.readlinkSync('/relcopy')).toBe('/t/a/b/f');
  fs.cpSync('/t/rel', '/verbatim', { verbatimSymlinks: true });
  expect(fs.readlinkSync('/verbatim')).toBe('a/b/f');
  fs.cpSync('/t/dirlink', '/deref', { dereference: true, recursive: true });
  expect(fs.readFileSync('/deref/keep', 'utf8')).toBe('k');
});

test('cp: force, errorOnExist, filter, preserveTimestamps', async () => {
  const fs = setup();
  fs.writeFileSync('/dst', 'old');
  fs.cpSync('/t/g', '/dst');
  expect(fs.readFileSync('/dst', 'utf8')).toBe('g');
  fs.writeFileSync('/dst', 'old');
  fs.cpSync('/t/g', '/dst', { force: false });
  expect(fs.readFileSync('/dst', 'utf8')).toBe('old');
  const e = caught(() => fs.cpSync('/t/g', '/dst', { force: false, errorOnExist: true }));
  expect(e.code).toBe('ERR_FS_CP_EEXIST');
  expect(e.message).toBe('Target already exists: cp returned EEXIST (/dst already exists) /dst');
  fs.cpSync('/t', '/filtered', { recursive: true, filter: (src) => !src.endsWith('/b') });
  expect(fs.readdirSync('/filtered', { recursive: true }).sort()).toEqual(['a', 'dangling', 'dirlink', 'g']);
  await fs.promises.cp('/t', '/afiltered', { recursive: true, filter: async (src) => !src.endsWith('/g') });
  expect(fs.existsSync('/afiltered/g')).toBe(false);
  expect(fs.existsSync('/afiltered/a/b/f')).toBe(true);
  expect(caught(() => fs.cpSync('/t/g', '/x', { filter: async () => true })).code).toBe('ERR_INVALID_RETURN_VALUE');
  fs.utimesSync('/t/g', 1000, 2000);
  fs.cpSync('/t/g', '/stamped', { preserveTimestamps: true });
  expect(fs.statSync('/stamped').mtimeMs).toBe(2000000);
});

test('cp refuses what Node refuses', () => {
  const fs = setup();
  const cases: [() => unknown, string, string][] = [
    [() => fs.cpSync('/t/a', '/z'), 'ERR_FS_EISDIR', 'Path is a directory: cp returned EISDIR (/t/a is a directory (not copied)) /t/a'],
    [() => fs.cpSync('/t', '/t', { recursive: true }), 'ERR_FS_CP_EINVAL', 'Invalid src or dest: cp returned EINVAL (src and dest cannot be the same) /t'],
    [
      () => fs.cpSync('/t', '/t/a/inside', { recursive: true }),
      'ERR_FS_CP_EINVAL',
      'Invalid src or dest: cp returned EINVAL (cannot copy /t to a subdirectory of self /t/a/inside) /t/a/inside',
    ],
    [
      () => fs.cpSync('/t/g', '/t/a'),
      'ERR_FS_CP_NON_DIR_TO_DIR',
      'Cannot overwrite directory with non-directory: cp returned ENOTDIR (cannot overwrite directory /t/a with non-directory /t/g) /t/a',
    ],
    [
      () => fs.cpSync('/t/a', '/t/g', { recursive: true }),
      'ERR_FS_CP_DIR_TO_NON_DIR',
      'Cannot overwrite non-directory with directory: cp returned EISDIR (cannot overwrite non-directory /t/g with directory /t/a) /t/g',
    ],
  ];
  for (const [fn, code, message] of cases) {
    const e = caught(fn);
    expect(e.name).toBe('SystemError');
    expect(e.code).toBe(code);
    expect(e.message).toBe(message);
  }
  const eisdir = caught(() => fs.cpSync('/t/a', '/z'));
  expect(eisdir.errno).toBe(22);
  expect((eisdir.info as { code: string }).code).toBe('EISDIR');
  fs.mkfifoSync('/t/fifo');
  expect(caught(() => fs.cpSync('/t/fifo', '/fifo2')).code).toBe('ERR_FS_CP_FIFO_PIPE');
  expect(caught(() => fs.cpSync('/nope', '/x')).message).toBe("ENOENT: no such file or directory, lstat '/nope'");
  expect(caught(() => fs.cpSync('/t', '/x', { dereference: true, verbatimSymlinks: true })).code).toBe('ERR_INCOMPATIBLE_OPTION_PAIR');
});
