/**
 * Section A: path resolution, for every path-taking operation
 * (R-PATH-1 .. R-PATH-14).
 */

import { expect, test } from 'vitest';
import { forEachSetup } from '../setups.js';
import {
  FILE_TYPES,
  NAME_MAX,
  PATH_MAX,
  SYMLOOP_MAX,
  createNode,
  errorCode,
  exists,
  longName,
  longPath,
  mkdirs,
  ownedDir,
  rejects,
  throws,
  unprivileged,
  writeFile,
  O_CREAT,
  O_RDONLY,
  O_WRONLY,
  S_IFIFO,
} from './helpers.js';
import { PATH_OPS, all, codesOf, opsWhere, type PathOpContext } from './path-ops.js';

forEachSetup('path resolution', (h, setup) => {
  function context(): PathOpContext {
    const { fs, dir } = h();
    writeFile(fs, `${dir}/file`, 'data');
    return { file: `${dir}/file`, fresh: `${dir}/fresh` };
  }

  for (const type of FILE_TYPES) {
    test(`R-PATH-1 a ${type} used as a directory gives ENOTDIR for every op`, async () => {
      const { fs, dir } = h();
      const ctx = context();
      createNode(h(), type, `${dir}/node`);
      expect(await codesOf(fs, PATH_OPS, `${dir}/node/test`, ctx)).toEqual(all(PATH_OPS, 'ENOTDIR'));
    });
  }

  test('R-PATH-2 a name of NAME_MAX bytes works for every op', async () => {
    const { fs, dir } = h();
    const p = (ch: string) => `${dir}/${longName(NAME_MAX, ch)}`;
    await (await fs.promises.open(p('a'), O_CREAT | O_WRONLY, 0o644)).close();
    expect(fs.statSync(p('a')).isFile()).toBe(true);
    await fs.promises.chmod(p('a'), 0o600);
    await fs.promises.chown(p('a'), -1, -1);
    await fs.promises.lchown(p('a'), -1, -1);
    await fs.promises.truncate(p('a'), 3);
    await fs.promises.utimes(p('a'), 1, 1);
    await fs.promises.lutimes(p('a'), 1, 1);
    await fs.promises.access(p('a'));
    await fs.promises.link(p('a'), p('b'));
    expect(fs.statSync(p('a')).nlink).toBe(2);
    await fs.promises.rename(p('b'), p('c'));
    await fs.promises.unlink(p('c'));
    await fs.promises.unlink(p('a'));
    await fs.promises.mkdir(p('d'), 0o755);
    await fs.promises.rmdir(p('d'));
    await fs.promises.symlink('test', p('e'));
    expect(await fs.promises.readlink(p('e'))).toBe('test');
    await fs.promises.unlink(p('e'));
    await fs.promises.mkfifo(p('f'), 0o644);
    expect(fs.lstatSync(p('f')).isFIFO()).toBe(true);
    await fs.promises.mknod(p('g'), S_IFIFO | 0o644, 0);
    expect(fs.lstatSync(p('g')).isFIFO()).toBe(true);
    expect(fs.readdirSync(dir).sort()).toEqual([longName(NAME_MAX, 'f'), longName(NAME_MAX, 'g')]);
  });

  test('R-PATH-2 a name of NAME_MAX+1 bytes gives ENAMETOOLONG for every op, as last or middle component', async () => {
    const { fs, dir } = h();
    const ctx = context();
    const tooLong = longName(NAME_MAX + 1);
    expect(await codesOf(fs, PATH_OPS, `${dir}/${tooLong}`, ctx)).toEqual(all(PATH_OPS, 'ENAMETOOLONG'));
    expect(await codesOf(fs, PATH_OPS, `${dir}/${tooLong}/test`, ctx)).toEqual(all(PATH_OPS, 'ENAMETOOLONG'));
    expect(fs.readdirSync(dir)).toEqual(['file']);
  });

  test('R-PATH-3 a path of PATH_MAX-1 bytes works for every op', async () => {
    const { fs, dir } = h();
    const { parent, path } = longPath(dir, PATH_MAX - 1);
    expect(Buffer.byteLength(path)).toBe(PATH_MAX - 1);
    mkdirs(fs, parent);
    const other = path.slice(0, -1) + 'y';
    await (await fs.promises.open(path, O_CREAT | O_WRONLY, 0o644)).close();
    await fs.promises.chmod(path, 0o600);
    await fs.promises.chown(path, -1, -1);
    await fs.promises.lchown(path, -1, -1);
    await fs.promises.truncate(path, 5);
    await fs.promises.utimes(path, 1, 1);
    await fs.promises.lutimes(path, 1, 1);
    await fs.promises.access(path);
    expect((await fs.promises.stat(path)).size).toBe(5);
    await fs.promises.link(path, other);
    expect(fs.statSync(path).nlink).toBe(2);
    await fs.promises.unlink(other);
    await fs.promises.rename(path, other);
    await fs.promises.rename(other, path);
    await fs.promises.unlink(path);
    await fs.promises.mkdir(path, 0o755);
    await fs.promises.rmdir(path);
    await fs.promises.symlink('test', path);
    expect(await fs.promises.readlink(path)).toBe('test');
    await fs.promises.unlink(path);
    await fs.promises.mkfifo(path, 0o644);
    await fs.promises.unlink(path);
    await fs.promises.mknod(path, S_IFIFO | 0o644, 0);
    await fs.promises.unlink(path);
    expect(fs.readdirSync(parent)).toEqual([]);
  });

  test('R-PATH-3 a path of PATH_MAX bytes gives ENAMETOOLONG for every op; PATH_MAX-1 with missing parts gives ENOENT', async () => {
    const { fs, dir } = h();
    const ctx = context();
    const { parent, path } = longPath(dir, PATH_MAX);
    mkdirs(fs, parent);
    expect(Buffer.byteLength(path)).toBe(PATH_MAX);
    expect(await codesOf(fs, PATH_OPS, path, ctx)).toEqual(all(PATH_OPS, 'ENAMETOOLONG'));
    expect(await codesOf(fs, PATH_OPS, path + 'x', ctx)).toEqual(all(PATH_OPS, 'ENAMETOOLONG'));
    const missing = longPath(`${dir}/missing`, PATH_MAX - 1).path;
    await rejects(fs.promises.stat(missing), 'ENOENT');
    await rejects(fs.promises.mkdir(missing), 'ENOENT');
  });

  test('R-PATH-4 a missing prefix component gives ENOENT for every op', async () => {
    const { fs, dir } = h();
    const ctx = context();
    expect(await codesOf(fs, PATH_OPS, `${dir}/missing/test`, ctx)).toEqual(all(PATH_OPS, 'ENOENT'));
    expect(fs.readdirSync(dir)).toEqual(['file']);
  });

  test('R-PATH-5 a missing final component gives ENOENT for every op that does not create', async () => {
    const { fs, dir } = h();
    const ctx = context();
    const ops = opsWhere((op) => !op.creates);
    expect(await codesOf(fs, ops, `${dir}/missing`, ctx)).toEqual(all(ops, 'ENOENT'));
  });

  test('R-PATH-6 a dangling symlink as the final component gives ENOENT to ops that follow it', async () => {
    const { fs, dir } = h();
    const ctx = context();
    fs.symlinkSync('nowhere', `${dir}/dangling`);
    const ops = opsWhere((op) => op.follows && !op.creates);
    expect(await codesOf(fs, ops, `${dir}/dangling`, ctx)).toEqual(all(ops, 'ENOENT'));
    expect(fs.lstatSync(`${dir}/dangling`).isSymbolicLink()).toBe(true);
  });

  test('R-PATH-7 missing search permission on a prefix directory gives EACCES for every op', async () => {
    const harness = h();
    const u = unprivileged(harness, setup);
    const base = ownedDir(harness, `${harness.dir}/u`, u, 0o755);
    // u owns the directory; root takes away its x bits.
    ownedDir(harness, `${base}/d`, u, 0o755);
    createNode(harness, 'regular', `${base}/d/test`, { uid: u.uid, gid: u.gid });
    createNode(harness, 'regular', `${base}/file`, { uid: u.uid, gid: u.gid });
    harness.admin.chmodSync(`${base}/d`, 0o644);
    const ctx: PathOpContext = { file: `${base}/file`, fresh: `${base}/fresh` };
    expect(await codesOf(u.fs, PATH_OPS, `${base}/d/test`, ctx)).toEqual(all(PATH_OPS, 'EACCES'));
    expect(await codesOf(u.fs, PATH_OPS, `${base}/d/new`, ctx)).toEqual(all(PATH_OPS, 'EACCES'));
    // Root is not held back by missing search permission.
    expect(harness.admin.statSync(`${base}/d/test`).isFile()).toBe(true);
  });

  test('R-PATH-8 a symlink loop used as a prefix gives ELOOP for every op', async () => {
    const { fs, dir } = h();
    const ctx = context();
    fs.symlinkSync('loop2', `${dir}/loop1`);
    fs.symlinkSync('loop1', `${dir}/loop2`);
    expect(await codesOf(fs, PATH_OPS, `${dir}/loop1/test`, ctx)).toEqual(all(PATH_OPS, 'ELOOP'));
  });

  test('R-PATH-9 a symlink loop as the final component gives ELOOP to ops that follow it', async () => {
    const { fs, dir } = h();
    const ctx = context();
    fs.symlinkSync('loop2', `${dir}/loop1`);
    fs.symlinkSync('loop1', `${dir}/loop2`);
    const ops = opsWhere((op) => op.follows);
    expect(await codesOf(fs, ops, `${dir}/loop1`, ctx)).toEqual(all(ops, 'ELOOP'));
  });

  test('R-PATH-9 ops that do not follow a final looping symlink act on the link', async () => {
    const { fs, dir } = h();
    fs.symlinkSync('loop2', `${dir}/loop1`);
    fs.symlinkSync('loop1', `${dir}/loop2`);
    expect(fs.lstatSync(`${dir}/loop1`).isSymbolicLink()).toBe(true);
    expect(await fs.promises.readlink(`${dir}/loop1`)).toBe('loop2');
    await fs.promises.lchown(`${dir}/loop1`, -1, -1);
    await fs.promises.lutimes(`${dir}/loop1`, 1000, 2000);
    expect(fs.lstatSync(`${dir}/loop1`).mtimeMs).toBe(2_000_000);
    await fs.promises.rename(`${dir}/loop1`, `${dir}/moved`);
    expect(await fs.promises.readlink(`${dir}/moved`)).toBe('loop2');
    expect(exists(fs, `${dir}/loop1`)).toBe(false);
    await fs.promises.unlink(`${dir}/moved`);
    expect(fs.readdirSync(dir)).toEqual(['loop2']);
  });

  test('R-PATH-10 a chain of 40 symlinks resolves, 41 gives ELOOP', async () => {
    const { fs, dir } = h();
    writeFile(fs, `${dir}/target`, 'end');
    fs.mkdirSync(`${dir}/d`);
    writeFile(fs, `${dir}/d/inner`, 'inner');
    let prev = 'target';
    let prevDir = 'd';
    for (let i = 1; i <= SYMLOOP_MAX + 1; i++) {
      fs.symlinkSync(prev, `${dir}/l${i}`);
      fs.symlinkSync(prevDir, `${dir}/dl${i}`);
      prev = `l${i}`;
      prevDir = `dl${i}`;
    }
    const last = `${dir}/l${SYMLOOP_MAX}`;
    expect(fs.statSync(last).isFile()).toBe(true);
    expect(fs.readFileSync(last, 'utf8')).toBe('end');
    await rejects(fs.promises.stat(`${dir}/l${SYMLOOP_MAX + 1}`), 'ELOOP');
    await rejects(fs.promises.open(`${dir}/l${SYMLOOP_MAX + 1}`, 'r'), 'ELOOP');
    // The same budget holds for links met in the middle of a path.
    expect(fs.statSync(`${dir}/dl${SYMLOOP_MAX}/inner`).isFile()).toBe(true);
    await rejects(fs.promises.stat(`${dir}/dl${SYMLOOP_MAX + 1}/inner`), 'ELOOP');
  });

  test('R-PATH-11 a path that is not a string, Buffer or URL gives ERR_INVALID_ARG_TYPE; a NUL byte gives ERR_INVALID_ARG_VALUE', async () => {
    const { fs, dir } = h();
    const bad = 123 as unknown as string;
    throws(() => fs.statSync(bad), 'ERR_INVALID_ARG_TYPE');
    throws(() => fs.openSync(bad, 'r'), 'ERR_INVALID_ARG_TYPE');
    throws(() => fs.mkdirSync(bad), 'ERR_INVALID_ARG_TYPE');
    throws(() => fs.statSync(`${dir}/a\0b`), 'ERR_INVALID_ARG_VALUE');
    throws(() => fs.openSync(`${dir}/a\0b`, 'w'), 'ERR_INVALID_ARG_VALUE');
    throws(() => fs.symlinkSync('x', `${dir}/a\0b`), 'ERR_INVALID_ARG_VALUE');
    throws(() => fs.renameSync(`${dir}/a`, `${dir}/a\0b`), 'ERR_INVALID_ARG_VALUE');
    await expect(fs.promises.stat(`${dir}/a\0b`)).rejects.toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_VALUE' }));
    await expect(fs.promises.stat(bad)).rejects.toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE' }));
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  test('R-PATH-12 a trailing slash after a non-directory gives ENOTDIR', async () => {
    const { fs, dir } = h();
    writeFile(fs, `${dir}/file`, 'x');
    await rejects(fs.promises.stat(`${dir}/file/`), 'ENOTDIR');
    await rejects(fs.promises.open(`${dir}/file/`, 'r'), 'ENOTDIR');
    await rejects(fs.promises.unlink(`${dir}/file/`), 'ENOTDIR');
    await rejects(fs.promises.rename(`${dir}/file/`, `${dir}/x`), 'ENOTDIR');
    await rejects(fs.promises.rename(`${dir}/file`, `${dir}/x/`), 'ENOTDIR');
    expect(fs.readdirSync(dir)).toEqual(['file']);
  });

  test('R-PATH-12 a trailing slash on a new name: open O_CREAT gives EISDIR, link and symlink give ENOENT', async () => {
    const { fs, dir } = h();
    writeFile(fs, `${dir}/file`, 'x');
    await rejects(fs.promises.open(`${dir}/new/`, 'w'), 'EISDIR');
    await rejects(fs.promises.link(`${dir}/file`, `${dir}/new/`), 'ENOENT');
    await rejects(fs.promises.symlink('target', `${dir}/new/`), 'ENOENT');
    expect(fs.readdirSync(dir)).toEqual(['file']);
  });

  test('R-PATH-12 trailing slashes on directories: mkdir, rmdir and rename accept them', async () => {
    const { fs, dir } = h();
    await fs.promises.mkdir(`${dir}/d1/`);
    await fs.promises.mkdir(`${dir}/d2//`);
    expect(fs.statSync(`${dir}/d1`).isDirectory()).toBe(true);
    expect(fs.statSync(`${dir}/d2`).isDirectory()).toBe(true);
    await fs.promises.rename(`${dir}/d1/`, `${dir}/d3/`);
    expect(fs.statSync(`${dir}/d3`).isDirectory()).toBe(true);
    await fs.promises.rmdir(`${dir}/d3/`);
    await fs.promises.rmdir(`${dir}/d2//`);
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  test('R-PATH-13 a trailing slash makes a final symlink resolve', async () => {
    const { fs, dir } = h();
    fs.mkdirSync(`${dir}/d`);
    writeFile(fs, `${dir}/f`, 'x');
    fs.symlinkSync('d', `${dir}/sd`);
    fs.symlinkSync('f', `${dir}/sf`);
    const st = fs.lstatSync(`${dir}/sd/`);
    expect(st.isDirectory()).toBe(true);
    expect(st.ino).toBe(fs.statSync(`${dir}/d`).ino);
    await rejects(fs.promises.lstat(`${dir}/sf/`), 'ENOTDIR');
    await rejects(fs.promises.unlink(`${dir}/sd/`), 'ENOTDIR');
    await rejects(fs.promises.rmdir(`${dir}/sd`), 'ENOTDIR');
    await rejects(fs.promises.readlink(`${dir}/sd/`), 'EINVAL');
    expect(fs.lstatSync(`${dir}/sd`).isSymbolicLink()).toBe(true);
    expect(fs.statSync(`${dir}/d`).isDirectory()).toBe(true);
  });

  test('R-PATH-14 the empty path gives ENOENT; readlink of a non-symlink gives EINVAL', async () => {
    const { fs, dir } = h();
    writeFile(fs, `${dir}/file`, 'x');
    fs.mkdirSync(`${dir}/d`);
    await rejects(fs.promises.stat(''), 'ENOENT');
    await rejects(fs.promises.lstat(''), 'ENOENT');
    await rejects(fs.promises.open('', 'r'), 'ENOENT');
    await rejects(fs.promises.symlink('', `${dir}/empty`), 'ENOENT');
    await rejects(fs.promises.readlink(`${dir}/file`), 'EINVAL');
    await rejects(fs.promises.readlink(`${dir}/d`), 'EINVAL');
    expect(errorCode(() => fs.lstatSync(`${dir}/empty`))).toBe('ENOENT');
  });

  test('R-PATH-14 open of "" with O_CREAT gives ENOENT and creates nothing', async () => {
    const { fs, dir } = h();
    await rejects(fs.promises.open('', O_CREAT | O_WRONLY, 0o644), 'ENOENT');
    await rejects(fs.promises.open('', O_RDONLY), 'ENOENT');
    expect(fs.readdirSync(dir)).toEqual([]);
  });
});
