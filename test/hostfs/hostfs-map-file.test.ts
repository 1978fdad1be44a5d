/**
 * hostfs mapping a single host regular file (rumpfs RUMP_ETFS_REG): the
 * mount's root is a regular file, mounted over a regular file of the VFS.
 * Reads and writes reach the host file; the covered file reappears on
 * unmount. A file cannot cover a directory, nor a directory a file
 * (ENOTDIR, as Linux bind mounts); a mounted file cannot be unlinked or
 * renamed (EBUSY).
 */

import { expect, test } from 'vitest';
import { createVfs, hostFs } from '@actorvfs/core';
import { cleanup, codeOf, hostStat, makeBase, nodeFs, useHostSetup } from './helpers.js';

// The setup maps its root directory at /mnt/host; these tests map a file next to it.
const setup = useHostSetup({ prepare: (_root, base) => nodeFs.writeFileSync(`${base}/mapped.bin`, 'host content') });

function mountFile(readonly = false) {
  const s = setup();
  const file = `${s.base}/mapped.bin`;
  s.fs.writeFileSync('/file', 'covered file');
  s.vfs.mount('/file', hostFs({ path: file, readonly }));
  return { ...s, file };
}

test('the mapped file is read and written through the mount, seen on both sides', () => {
  const { fs, file, vfs } = mountFile();
  expect(fs.readFileSync('/file', 'utf8')).toBe('host content');
  expect(fs.statSync('/file').size).toBe(12);
  expect(fs.statSync('/file').isFile()).toBe(true);
  fs.writeFileSync('/file', 'written by the vfs');
  expect(nodeFs.readFileSync(file, 'utf8')).toBe('written by the vfs');
  nodeFs.writeFileSync(file, 'host again');
  expect(fs.readFileSync('/file', 'utf8')).toBe('host again');
  fs.appendFileSync('/file', '+');
  fs.truncateSync('/file', 4);
  expect(nodeFs.readFileSync(file, 'utf8')).toBe('host');
  fs.chmodSync('/file', 0o600);
  expect(Number(hostStat(file).mode) & 0o777).toBe(0o600);
  const fd = fs.openSync('/file', 'r+');
  fs.writeSync(fd, 'XY', 2);
  fs.closeSync(fd);
  expect(nodeFs.readFileSync(file, 'utf8')).toBe('hoXY');
  vfs.unmount('/file');
  expect(fs.readFileSync('/file', 'utf8')).toBe('covered file');
});

test('a mounted file cannot be unlinked or renamed (EBUSY), and unmount is EBUSY while it is open', () => {
  const { fs, vfs } = mountFile();
  expect(codeOf(() => fs.unlinkSync('/file'))).toBe('EBUSY');
  expect(codeOf(() => fs.renameSync('/file', '/other'))).toBe('EBUSY');
  fs.writeFileSync('/other', 'x');
  expect(codeOf(() => fs.renameSync('/other', '/file'))).toBe('EBUSY');
  const fd = fs.openSync('/file', 'r');
  expect(codeOf(() => vfs.unmount('/file'))).toBe('EBUSY');
  fs.closeSync(fd);
  vfs.unmount('/file');
  fs.unlinkSync('/file');
});

test('types must match: a file over a directory, or a directory over a file, is ENOTDIR', () => {
  const { fs, vfs, file, root } = mountFile();
  fs.mkdirSync('/dir');
  expect(codeOf(() => vfs.mount('/dir', hostFs({ path: file })))).toBe('ENOTDIR');
  fs.writeFileSync('/plain', 'x');
  expect(codeOf(() => vfs.mount('/plain', hostFs({ path: root })))).toBe('ENOTDIR');
  expect(codeOf(() => vfs.mount('/missing', hostFs({ path: file })))).toBe('ENOENT');
  fs.symlinkSync('/plain', '/link-to-plain');
  vfs.mount('/link-to-plain', hostFs({ path: file })); // mount follows the symlink: covers /plain
  expect(fs.readFileSync('/plain', 'utf8')).toBe('host content');
  vfs.unmount('/plain');
});

test('readonly: the mapped file can be read, not written, truncated or chmod-ed (EROFS)', () => {
  const { fs, file } = mountFile(true);
  expect(fs.readFileSync('/file', 'utf8')).toBe('host content');
  expect(codeOf(() => fs.writeFileSync('/file', 'no'))).toBe('EROFS');
  expect(codeOf(() => fs.openSync('/file', 'r+'))).toBe('EROFS');
  expect(codeOf(() => fs.truncateSync('/file', 0))).toBe('EROFS');
  expect(codeOf(() => fs.chmodSync('/file', 0o777))).toBe('EROFS');
  expect(nodeFs.readFileSync(file, 'utf8')).toBe('host content');
});

test('a symlink given as the path is resolved once, when the file system is made', () => {
  const base = makeBase();
  try {
    nodeFs.writeFileSync(`${base.root}/real`, 'real');
    nodeFs.symlinkSync(`${base.root}/real`, `${base.base}/alias`);
    const h = hostFs({ path: `${base.base}/alias` });
    expect(h.options.path).toBe(`${base.root}/real`);
    const vfs = createVfs();
    vfs.fs.writeFileSync('/f', '');
    vfs.mount('/f', h);
    nodeFs.unlinkSync(`${base.base}/alias`);
    nodeFs.symlinkSync(`${base.outside}/secret.txt`, `${base.base}/alias`);
    expect(vfs.fs.readFileSync('/f', 'utf8')).toBe('real');
    vfs.unmount('/f');
  } finally {
    cleanup(base);
  }
});

