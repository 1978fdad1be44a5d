/**
 * Read-only mounts and remount (section S; R-LINK-8, R-REN-16, R-OPEN-20's
 * EROFS), plus the rules that need more than one mount or a working
 * directory: EXDEV between mounts, EBUSY for mount points (R-RMDIR-7) and a
 * removed working directory (R-RMDIR-7, t_vnops).
 * These build their own file system with createVfs: the harness has no
 * mount API. Expected answers were checked against Linux tmpfs mounted
 * read-only.
 */

import { describe, expect, test } from 'vitest';
import { createVfs, tmpfs } from '@actorvfs/core';
import {
  O_CREAT,
  O_RDONLY,
  O_RDWR,
  O_TRUNC,
  O_WRONLY,
  S_IFCHR,
  S_IFIFO,
  errorCodeOf,
  makedev,
  nap,
  rejects,
  throws,
  times,
  writeFile,
  type Fs,
} from './helpers.js';

function setup() {
  const vfs = createVfs();
  const fs: Fs = vfs.context({ uid: 0, gid: 0, groups: [0], umask: 0 });
  return { vfs, fs };
}

/** A rw tmpfs at /m with one node of each kind, then remounted read-only. */
function populatedReadOnly() {
  const { vfs, fs } = setup();
  fs.mkdirSync('/m');
  vfs.mount('/m', tmpfs());
  writeFile(fs, '/m/f', 'hello');
  fs.linkSync('/m/f', '/m/hl');
  fs.mkdirSync('/m/d');
  fs.mkdirSync('/m/empty');
  fs.symlinkSync('f', '/m/l');
  fs.mkfifoSync('/m/p', 0o644);
  fs.mknodSync('/m/null', S_IFCHR | 0o666, makedev(1, 3));
  fs.mkdirSync('/elsewhere');
  writeFile(fs, '/elsewhere/g', 'outside');
  vfs.remount('/m', { readonly: true });
  return { vfs, fs };
}

/** Every modifying operation, with the answer Linux gives on a read-only mount. */
function modifyingOps(fs: Fs): [string, () => Promise<unknown>][] {
  const p = fs.promises;
  const openClose = async (path: string, flags: number) => (await p.open(path, flags, 0o644)).close();
  return [
    ['chmod', () => p.chmod('/m/f', 0o600)],
    ['chmod to the same mode', () => p.chmod('/m/f', 0o644)],
    ['chown', () => p.chown('/m/f', 1, 1)],
    ['chown -1 -1', () => p.chown('/m/f', -1, -1)],
    ['lchown', () => p.lchown('/m/l', -1, -1)],
    ['link', () => p.link('/m/f', '/m/f2')],
    ['mkdir', () => p.mkdir('/m/x')],
    ['mkfifo', () => p.mkfifo('/m/q', 0o644)],
    ['mknod', () => p.mknod('/m/q', S_IFIFO | 0o644, 0)],
    ['open O_WRONLY', () => openClose('/m/f', O_WRONLY)],
    ['open O_RDWR', () => openClose('/m/f', O_RDWR)],
    ['open O_RDONLY|O_TRUNC', () => openClose('/m/f', O_RDONLY | O_TRUNC)],
    ['open O_CREAT (new)', () => openClose('/m/new', O_CREAT | O_WRONLY)],
    ['open "a"', () => p.open('/m/f', 'a')],
    ['writeFile', () => p.writeFile('/m/f', 'x')],
    ['appendFile', () => p.appendFile('/m/f', 'x')],
    ['copyFile into', () => p.copyFile('/elsewhere/g', '/m/copy')],
    ['rename', () => p.rename('/m/f', '/m/g')],
    ['rmdir', () => p.rmdir('/m/empty')],
    ['symlink', () => p.symlink('x', '/m/s')],
    ['truncate', () => p.truncate('/m/f', 0)],
    ['unlink', () => p.unlink('/m/f')],
    ['utimes', () => p.utimes('/m/f', 1, 1)],
    ['lutimes', () => p.lutimes('/m/l', 1, 1)],
    ['chmod of the mount root', () => p.chmod('/m', 0o700)],
    ['access W_OK (file)', () => p.access('/m/f', 2)],
    ['access W_OK (dir)', () => p.access('/m/d', 2)],
  ];
}

describe('read-only mounts', () => {
  test('an empty tmpfs mounted read-only: reads work, every creation gives EROFS', async () => {
    const { vfs, fs } = setup();
    fs.mkdirSync('/ro');
    vfs.mount('/ro', tmpfs(), { readonly: true });
    expect(fs.statSync('/ro').isDirectory()).toBe(true);
    expect(fs.readdirSync('/ro')).toEqual([]);
    await rejects(fs.promises.mkdir('/ro/x'), 'EROFS');
    await rejects(fs.promises.open('/ro/f', 'w'), 'EROFS');
    await rejects(fs.promises.symlink('t', '/ro/l'), 'EROFS');
    await rejects(fs.promises.mkfifo('/ro/p', 0o644), 'EROFS');
    await rejects(fs.promises.chmod('/ro', 0o700), 'EROFS');
    await rejects(fs.promises.utimes('/ro', 1, 1), 'EROFS');
    throws(() => fs.mkdirSync('/ro/y'), 'EROFS');
    expect(fs.readdirSync('/ro')).toEqual([]);
  });

  test('remounted read-only: every modifying operation gives EROFS and changes nothing', async () => {
    const { fs } = populatedReadOnly();
    const before = fs.readdirSync('/m').sort();
    const st = fs.statSync('/m/f', { bigint: true });
    const got: Record<string, string> = {};
    for (const [name, op] of modifyingOps(fs)) got[name] = (await errorCodeOf(op())) ?? 'ok';
    expect(got).toEqual(Object.fromEntries(modifyingOps(fs).map(([name]) => [name, 'EROFS'])));
    expect(fs.readdirSync('/m').sort()).toEqual(before);
    const after = fs.statSync('/m/f', { bigint: true });
    expect([after.mode, after.uid, after.size, after.mtimeNs, after.ctimeNs]).toEqual([st.mode, st.uid, st.size, st.mtimeNs, st.ctimeNs]);
    expect(fs.readFileSync('/m/f', 'utf8')).toBe('hello');
  });

  test('remounted read-only: the sync API gives EROFS too', async () => {
    const { fs } = populatedReadOnly();
    throws(() => fs.writeFileSync('/m/f', 'x'), 'EROFS');
    throws(() => fs.unlinkSync('/m/f'), 'EROFS');
    throws(() => fs.renameSync('/m/f', '/m/g'), 'EROFS');
    throws(() => fs.openSync('/m/f', 'r+'), 'EROFS');
    throws(() => fs.mknodSync('/m/c', S_IFCHR | 0o644, makedev(1, 3)), 'EROFS');
  });

  test('remounted read-only: reads work (stat, readdir, readFile, readlink, open O_RDONLY, access R_OK)', async () => {
    const { fs } = populatedReadOnly();
    expect(fs.readdirSync('/m').sort()).toEqual(['d', 'empty', 'f', 'hl', 'l', 'null', 'p']);
    expect(fs.readFileSync('/m/f', 'utf8')).toBe('hello');
    expect(fs.readFileSync('/m/l', 'utf8')).toBe('hello');
    expect(fs.readlinkSync('/m/l')).toBe('f');
    expect(fs.statSync('/m/hl').nlink).toBe(2);
    expect(fs.lstatSync('/m/p').isFIFO()).toBe(true);
    fs.accessSync('/m/f', 4);
    const fh = await fs.promises.open('/m/f', O_RDONLY);
    expect(await fh.readFile('utf8')).toBe('hello');
    await fh.close();
    // A device node is not the file system: it may still be written.
    fs.accessSync('/m/null', 2);
    const fd = fs.openSync('/m/null', O_RDWR);
    expect(fs.writeSync(fd, Buffer.from('x'))).toBe(1);
    fs.closeSync(fd);
  });

  test('remounted read-only: removing or renaming a missing name gives EROFS before ENOENT (Linux)', async () => {
    const { fs } = populatedReadOnly();
    await rejects(fs.promises.unlink('/m/missing'), 'EROFS');
    await rejects(fs.promises.rmdir('/m/missing'), 'EROFS');
    await rejects(fs.promises.rename('/m/missing', '/m/g'), 'EROFS');
  });

  test('remounted read-only: existing names still give EEXIST, and O_CREAT of an existing file opens it (Linux)', async () => {
    const { fs } = populatedReadOnly();
    await rejects(fs.promises.mkdir('/m/d'), 'EEXIST');
    await rejects(fs.promises.open('/m/f', 'wx'), 'EEXIST');
    const fh = await fs.promises.open('/m/f', O_CREAT | O_RDONLY, 0o644);
    await fh.close();
  });

  test('remounted read-only: descriptor operations give EROFS; ftruncate on a read-only descriptor EINVAL', async () => {
    const { fs } = populatedReadOnly();
    const fd = fs.openSync('/m/f', O_RDONLY);
    throws(() => fs.fchmodSync(fd, 0o600), 'EROFS');
    throws(() => fs.fchownSync(fd, -1, -1), 'EROFS');
    throws(() => fs.futimesSync(fd, 1, 1), 'EROFS');
    throws(() => fs.ftruncateSync(fd, 0), 'EINVAL');
    fs.closeSync(fd);
  });

  test('remounted read-only: reading does not move atime', async () => {
    const { fs } = populatedReadOnly();
    const before = times(fs, '/m/f');
    await nap();
    fs.readFileSync('/m/f');
    expect(times(fs, '/m/f')).toEqual(before);
  });

  test('remounting read-write makes the file system writable again, with its content intact', async () => {
    const { vfs, fs } = populatedReadOnly();
    vfs.remount('/m', { readonly: false });
    writeFile(fs, '/m/f', 'changed');
    fs.mkdirSync('/m/new');
    fs.unlinkSync('/m/hl');
    expect(fs.readFileSync('/m/f', 'utf8')).toBe('changed');
    expect(fs.readdirSync('/m').sort()).toEqual(['d', 'empty', 'f', 'l', 'new', 'null', 'p']);
    vfs.remount('/m', { readonly: true });
    await rejects(fs.promises.writeFile('/m/f', 'again'), 'EROFS');
  });

  test('read-only applies to the mount only: the rest of the tree stays writable, and other users get EROFS too', async () => {
    const { vfs, fs } = populatedReadOnly();
    writeFile(fs, '/elsewhere/h', 'fine');
    expect(fs.readFileSync('/elsewhere/h', 'utf8')).toBe('fine');
    const user = vfs.context({ uid: 1000, gid: 1000, umask: 0 });
    await rejects(user.promises.writeFile('/m/f', 'x'), 'EROFS');
    expect(user.readFileSync('/m/f', 'utf8')).toBe('hello');
  });
});

describe('mount boundaries', () => {
  function twoMounts() {
    const { vfs, fs } = setup();
    fs.mkdirSync('/a');
    fs.mkdirSync('/b');
    vfs.mount('/b', tmpfs());
    writeFile(fs, '/a/f', 'x');
    fs.mkdirSync('/a/d');
    writeFile(fs, '/b/g', 'y');
    return { vfs, fs };
  }

  test('R-REN-16 rename between two file systems gives EXDEV, either way, for files and directories', async () => {
    const { fs } = twoMounts();
    await rejects(fs.promises.rename('/a/f', '/b/f'), 'EXDEV');
    await rejects(fs.promises.rename('/b/g', '/a/g'), 'EXDEV');
    await rejects(fs.promises.rename('/a/d', '/b/d'), 'EXDEV');
    expect(fs.readdirSync('/a').sort()).toEqual(['d', 'f']);
    expect(fs.readdirSync('/b')).toEqual(['g']);
  });

  test('R-LINK-8 link between two file systems gives EXDEV', async () => {
    const { fs } = twoMounts();
    await rejects(fs.promises.link('/a/f', '/b/f'), 'EXDEV');
    await rejects(fs.promises.link('/b/g', '/a/g'), 'EXDEV');
    expect(fs.statSync('/a/f').nlink).toBe(1);
  });

  test('R-RMDIR-7 rmdir or rename of a mount point gives EBUSY', async () => {
    const { fs } = twoMounts();
    await rejects(fs.promises.rmdir('/b'), 'EBUSY');
    await rejects(fs.promises.rename('/b', '/c'), 'EBUSY');
    expect(fs.readdirSync('/b')).toEqual(['g']);
  });

  test('a mounted file system has its own device number; ".." at its root leads back to the parent', async () => {
    const { fs } = twoMounts();
    expect(fs.statSync('/b').dev).not.toBe(fs.statSync('/a').dev);
    expect(fs.statSync('/b/g').dev).toBe(fs.statSync('/b').dev);
    expect(fs.statSync('/b/..').ino).toBe(fs.statSync('/').ino);
  });

  test('unmount shows the covered directory again', async () => {
    const { vfs, fs } = twoMounts();
    vfs.unmount('/b');
    expect(fs.readdirSync('/b')).toEqual([]);
  });
});

describe('a removed working directory (R-RMDIR-7)', () => {
  test('stat(".") shows nlink 0, readdir is empty, and nothing can be created in it', async () => {
    const { vfs, fs } = setup();
    fs.mkdirSync('/d');
    const inside = vfs.context({ uid: 0, gid: 0, umask: 0, cwd: '/d' });
    fs.rmdirSync('/d');
    expect(inside.statSync('.').nlink).toBe(0);
    expect(inside.readdirSync('.')).toEqual([]);
    await rejects(inside.promises.open('x', O_CREAT | O_WRONLY, 0o644), 'ENOENT');
    await rejects(inside.promises.mkdir('x'), 'ENOENT');
    expect(fs.readdirSync('/')).not.toContain('d');
  });
});
