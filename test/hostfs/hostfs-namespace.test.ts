/**
 * hostfs namespace changes, checked on the host: create, mkdir, symlink,
 * link, rename (files, directories, replacing, across directories), unlink,
 * rmdir; and node numbers following the objects through them.
 */

import { expect, test } from 'vitest';
import { MNT, codeOf, hostStat, nodeFs, useHostSetup } from './helpers.js';

const setup = useHostSetup();

test('create, mkdir and symlink make the same objects on the host', () => {
  const { fs, root } = setup();
  fs.writeFileSync(`${MNT}/file`, 'x', { mode: 0o640 });
  fs.mkdirSync(`${MNT}/dir`, { mode: 0o750 });
  fs.mkdirSync(`${MNT}/dir/a/b/c`, { recursive: true });
  fs.symlinkSync('dir/a', `${MNT}/link`);
  fs.symlinkSync('/absolute/target', `${MNT}/abs`);
  expect(hostStat(`${root}/file`).isFile()).toBe(true);
  expect(Number(hostStat(`${root}/file`).mode) & 0o777).toBe(0o640);
  expect(Number(hostStat(`${root}/dir`).mode) & 0o777).toBe(0o750);
  expect(hostStat(`${root}/dir/a/b/c`).isDirectory()).toBe(true);
  expect(nodeFs.readlinkSync(`${root}/link`)).toBe('dir/a');
  expect(nodeFs.readlinkSync(`${root}/abs`)).toBe('/absolute/target');
  expect(fs.readlinkSync(`${MNT}/abs`)).toBe('/absolute/target');
  expect(fs.readdirSync(`${MNT}/link`)).toEqual(['b']);
});

test('modes are exact: the host process umask does not apply', () => {
  const { fs, root } = setup();
  const old = process.umask(0o077);
  try {
    fs.writeFileSync(`${MNT}/f`, '', { mode: 0o666 });
    fs.mkdirSync(`${MNT}/d`, { mode: 0o777 });
  } finally {
    process.umask(old);
  }
  // The VFS context's umask (0o022 for vfs.fs) applies; the host's does not.
  expect(Number(hostStat(`${root}/f`).mode) & 0o777).toBe(0o644);
  expect(Number(hostStat(`${root}/d`).mode) & 0o777).toBe(0o755);
});

test('link adds a host hard link; the node number is shared', () => {
  const { fs, root } = setup();
  fs.writeFileSync(`${MNT}/orig`, 'shared');
  fs.mkdirSync(`${MNT}/sub`);
  fs.linkSync(`${MNT}/orig`, `${MNT}/sub/alias`);
  expect(hostStat(`${root}/sub/alias`).ino).toBe(hostStat(`${root}/orig`).ino);
  expect(hostStat(`${root}/orig`).nlink).toBe(2n);
  expect(fs.statSync(`${MNT}/sub/alias`).ino).toBe(fs.statSync(`${MNT}/orig`).ino);
  expect(fs.statSync(`${MNT}/orig`).nlink).toBe(2);
  expect(codeOf(() => fs.linkSync(`${MNT}/orig`, `${MNT}/sub/alias`))).toBe('EEXIST');
  expect(codeOf(() => fs.linkSync(`${MNT}/sub`, `${MNT}/sub2`))).toBe('EPERM');
  fs.symlinkSync('orig', `${MNT}/sym`);
  fs.linkSync(`${MNT}/sym`, `${MNT}/sym-hard`); // link(2) links the symlink itself
  expect(nodeFs.lstatSync(`${root}/sym-hard`).isSymbolicLink()).toBe(true);
});

test('rename moves files and directories on the host and keeps node numbers', () => {
  const { fs, root } = setup();
  fs.mkdirSync(`${MNT}/a/deep`, { recursive: true });
  fs.writeFileSync(`${MNT}/a/deep/f`, 'payload');
  fs.mkdirSync(`${MNT}/b`);
  const dirIno = fs.statSync(`${MNT}/a`).ino;
  const fileIno = fs.statSync(`${MNT}/a/deep/f`).ino;
  fs.renameSync(`${MNT}/a`, `${MNT}/b/moved`);
  expect(nodeFs.readFileSync(`${root}/b/moved/deep/f`, 'utf8')).toBe('payload');
  expect(nodeFs.existsSync(`${root}/a`)).toBe(false);
  expect(fs.statSync(`${MNT}/b/moved`).ino).toBe(dirIno);
  expect(fs.statSync(`${MNT}/b/moved/deep/f`).ino).toBe(fileIno);
  fs.renameSync(`${MNT}/b/moved/deep/f`, `${MNT}/top`);
  expect(nodeFs.readFileSync(`${root}/top`, 'utf8')).toBe('payload');
  expect(fs.statSync(`${MNT}/top`).ino).toBe(fileIno);
});

test('rename replaces a file atomically and an empty directory; not a non-empty one', () => {
  const { fs, root } = setup();
  fs.writeFileSync(`${MNT}/new`, 'new');
  fs.writeFileSync(`${MNT}/old`, 'old');
  fs.renameSync(`${MNT}/new`, `${MNT}/old`);
  expect(nodeFs.readdirSync(root)).toEqual(['old']);
  expect(nodeFs.readFileSync(`${root}/old`, 'utf8')).toBe('new');
  fs.mkdirSync(`${MNT}/d1`);
  fs.mkdirSync(`${MNT}/d2`);
  fs.renameSync(`${MNT}/d1`, `${MNT}/d2`);
  expect(nodeFs.readdirSync(root).sort()).toEqual(['d2', 'old']);
  fs.mkdirSync(`${MNT}/d3`);
  fs.writeFileSync(`${MNT}/d2/x`, '');
  expect(codeOf(() => fs.renameSync(`${MNT}/d3`, `${MNT}/d2`))).toBe('ENOTEMPTY');
  expect(codeOf(() => fs.renameSync(`${MNT}/d3`, `${MNT}/old`))).toBe('ENOTDIR');
  expect(codeOf(() => fs.renameSync(`${MNT}/old`, `${MNT}/d3`))).toBe('EISDIR');
  expect(codeOf(() => fs.renameSync(`${MNT}/d2`, `${MNT}/d2/x/inside`))).toBe('ENOTDIR');
  fs.mkdirSync(`${MNT}/d2/sub`);
  expect(codeOf(() => fs.renameSync(`${MNT}/d2`, `${MNT}/d2/sub/inside`))).toBe('EINVAL');
  fs.linkSync(`${MNT}/old`, `${MNT}/old2`);
  fs.renameSync(`${MNT}/old`, `${MNT}/old2`); // two names of one file: nothing happens
  expect(nodeFs.readdirSync(root).sort()).toEqual(['d2', 'd3', 'old', 'old2']);
});

test('unlink and rmdir remove host objects; rmdir of a non-empty directory is ENOTEMPTY', () => {
  const { fs, root } = setup();
  fs.mkdirSync(`${MNT}/d/e`, { recursive: true });
  fs.writeFileSync(`${MNT}/d/f`, '');
  expect(codeOf(() => fs.rmdirSync(`${MNT}/d`))).toBe('ENOTEMPTY');
  expect(codeOf(() => fs.unlinkSync(`${MNT}/d`))).toBe('EISDIR');
  expect(codeOf(() => fs.rmdirSync(`${MNT}/d/f`))).toBe('ENOTDIR');
  fs.unlinkSync(`${MNT}/d/f`);
  fs.rmdirSync(`${MNT}/d/e`);
  expect(nodeFs.readdirSync(`${root}/d`)).toEqual([]);
  fs.rmSync(`${MNT}/d`, { recursive: true });
  expect(nodeFs.readdirSync(root)).toEqual([]);
  expect(codeOf(() => fs.unlinkSync(`${MNT}/d`))).toBe('ENOENT');
});

test('names with dots, spaces and unicode are single components on the host', () => {
  const { fs, root } = setup();
  for (const name of ['..a', 'a..', 'a..b', '...', '. x', 'ünïcødé ✓', '-rf', 'a\nb']) fs.writeFileSync(`${MNT}/${name}`, name);
  expect(nodeFs.readdirSync(root).sort()).toEqual(['..a', 'a..', 'a..b', '...', '. x', 'ünïcødé ✓', '-rf', 'a\nb'].sort());
  expect(fs.readdirSync(MNT).sort()).toEqual(nodeFs.readdirSync(root).sort());
  expect(nodeFs.readFileSync(`${root}/a..b`, 'utf8')).toBe('a..b');
});
