/**
 * Conformance section A (path resolution) on a hostfs mount, for every
 * path-taking operation the mapping supports (PATH_OPS without mkfifo and
 * mknod, which hostfs refuses): ENOTDIR, ENAMETOOLONG, ENOENT, EACCES for
 * search permission, ELOOP; NAME_MAX and PATH_MAX limits; trailing slashes.
 */

import { expect, test } from 'vitest';
import { NAME_MAX, PATH_MAX, SYMLOOP_MAX, createNode, longName, longPath, mkdirs, ownedDir, rejects, unprivileged, writeFile, O_CREAT, O_WRONLY } from '../conformance/helpers.js';
import { PATH_OPS, all, codesOf, type PathOpContext } from '../conformance/path-ops.js';
import { forEachHostSetup } from './posix-harness.js';

const OPS = PATH_OPS.filter((op) => op.name !== 'mkfifo' && op.name !== 'mknod');

forEachHostSetup('path resolution', (h, setup) => {
  function context(): PathOpContext {
    const { fs, dir } = h();
    writeFile(fs, `${dir}/file`, 'data');
    return { file: `${dir}/file`, fresh: `${dir}/fresh` };
  }

  test('R-PATH-1 a regular file used as a directory gives ENOTDIR for every op', async () => {
    const { fs, dir } = h();
    const ctx = context();
    createNode(h(), 'regular', `${dir}/node`);
    expect(await codesOf(fs, OPS, `${dir}/node/test`, ctx)).toEqual(all(OPS, 'ENOTDIR'));
  });

  test('R-PATH-2 NAME_MAX works; NAME_MAX+1 gives ENAMETOOLONG for every op', async () => {
    const { fs, dir } = h();
    const ctx = context();
    const max = `${dir}/${longName(NAME_MAX)}`;
    writeFile(fs, max, 'x');
    await fs.promises.rename(max, `${max.slice(0, -1)}y`);
    const tooLong = longName(NAME_MAX + 1);
    expect(await codesOf(fs, OPS, `${dir}/${tooLong}`, ctx)).toEqual(all(OPS, 'ENAMETOOLONG'));
    expect(await codesOf(fs, OPS, `${dir}/${tooLong}/test`, ctx)).toEqual(all(OPS, 'ENAMETOOLONG'));
  });

  test('R-PATH-3 a path of PATH_MAX-1 bytes works; PATH_MAX gives ENAMETOOLONG for every op', async () => {
    const { fs, dir } = h();
    const ctx = context();
    const ok = longPath(dir, PATH_MAX - 1);
    mkdirs(fs, ok.parent);
    await (await fs.promises.open(ok.path, O_CREAT | O_WRONLY, 0o644)).close();
    await fs.promises.truncate(ok.path, 5);
    expect((await fs.promises.stat(ok.path)).size).toBe(5);
    await fs.promises.unlink(ok.path);
    const tooLong = longPath(dir, PATH_MAX);
    mkdirs(fs, tooLong.parent);
    expect(await codesOf(fs, OPS, tooLong.path, ctx)).toEqual(all(OPS, 'ENAMETOOLONG'));
  });

  test('R-PATH-4/5 missing components give ENOENT for every op', async () => {
    const { fs, dir } = h();
    const ctx = context();
    expect(await codesOf(fs, OPS, `${dir}/missing/test`, ctx)).toEqual(all(OPS, 'ENOENT'));
    const notCreating = OPS.filter((op) => !op.creates);
    expect(await codesOf(fs, notCreating, `${dir}/missing`, ctx)).toEqual(all(notCreating, 'ENOENT'));
  });

  test('R-PATH-7 missing search permission on a prefix directory gives EACCES for every op', async () => {
    const harness = h();
    const u = unprivileged(harness, setup);
    const base = ownedDir(harness, `${harness.dir}/u`, u, 0o755);
    ownedDir(harness, `${base}/d`, u, 0o755);
    createNode(harness, 'regular', `${base}/d/test`, { uid: u.uid, gid: u.gid });
    createNode(harness, 'regular', `${base}/file`, { uid: u.uid, gid: u.gid });
    harness.admin.chmodSync(`${base}/d`, 0o644);
    const ctx: PathOpContext = { file: `${base}/file`, fresh: `${base}/fresh` };
    expect(await codesOf(u.fs, OPS, `${base}/d/test`, ctx)).toEqual(all(OPS, 'EACCES'));
    expect(harness.admin.statSync(`${base}/d/test`).isFile()).toBe(true);
  });

  test('R-PATH-8/10 symlink loops give ELOOP; a chain of 40 links resolves, 41 does not', async () => {
    const { fs, dir } = h();
    const ctx = context();
    fs.symlinkSync('loop2', `${dir}/loop1`);
    fs.symlinkSync('loop1', `${dir}/loop2`);
    expect(await codesOf(fs, OPS, `${dir}/loop1/test`, ctx)).toEqual(all(OPS, 'ELOOP'));
    writeFile(fs, `${dir}/target`, 'end');
    let prev = 'target';
    for (let i = 1; i <= SYMLOOP_MAX + 1; i++) {
      fs.symlinkSync(prev, `${dir}/l${i}`);
      prev = `l${i}`;
    }
    expect(fs.readFileSync(`${dir}/l${SYMLOOP_MAX}`, 'utf8')).toBe('end');
    await rejects(fs.promises.stat(`${dir}/l${SYMLOOP_MAX + 1}`), 'ELOOP');
  });

  test('R-PATH-12 trailing slashes after a non-directory give ENOTDIR; on a new name EISDIR/ENOENT', async () => {
    const { fs, dir } = h();
    writeFile(fs, `${dir}/file`, 'x');
    await rejects(fs.promises.stat(`${dir}/file/`), 'ENOTDIR');
    await rejects(fs.promises.unlink(`${dir}/file/`), 'ENOTDIR');
    await rejects(fs.promises.rename(`${dir}/file`, `${dir}/x/`), 'ENOTDIR');
    await rejects(fs.promises.open(`${dir}/new/`, 'w'), 'EISDIR');
    await rejects(fs.promises.symlink('target', `${dir}/new/`), 'ENOENT');
    expect(fs.readdirSync(dir)).toEqual(['file']);
  });
});
