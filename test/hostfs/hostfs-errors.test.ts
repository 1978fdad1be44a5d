/**
 * hostfs errors: host failures keep their codes (ENOENT, EEXIST, ENOTEMPTY,
 * ENOTDIR, EISDIR, EINVAL, ELOOP, ENAMETOOLONG, EXDEV ...) and reach the
 * caller shaped like Node's errors. FIFOs, devices and sockets cannot be
 * made through the mapping (EPERM, as Linux's answer from a file system
 * without mknod); host ones found in the tree show their attributes but
 * cannot be opened (EOPNOTSUPP).
 */

import { execFileSync } from 'node:child_process';
import * as net from 'node:net';
import { expect, test } from 'vitest';
import { MNT, codeOf, codeOfAsync, nodeFs, useHostSetup } from './helpers.js';

const setup = useHostSetup({
  prepare: (root) => {
    nodeFs.mkdirSync(`${root}/dir/sub`, { recursive: true });
    nodeFs.writeFileSync(`${root}/file`, 'f');
    nodeFs.symlinkSync('loop2', `${root}/loop1`);
    nodeFs.symlinkSync('loop1', `${root}/loop2`);
    nodeFs.symlinkSync('file', `${root}/link`);
    execFileSync('mkfifo', [`${root}/fifo`]);
    execFileSync('mknod', [`${root}/null`, 'c', '1', '3']);
  },
});

test('host failures come back with their own codes', () => {
  const { fs } = setup();
  const cases: Record<string, [() => unknown, string]> = {
    'stat missing': [() => fs.statSync(`${MNT}/missing`), 'ENOENT'],
    'open missing': [() => fs.openSync(`${MNT}/missing/x`, 'r'), 'ENOENT'],
    'mkdir existing': [() => fs.mkdirSync(`${MNT}/dir`), 'EEXIST'],
    'O_EXCL existing': [() => fs.openSync(`${MNT}/file`, 'wx'), 'EEXIST'],
    'symlink over existing': [() => fs.symlinkSync('x', `${MNT}/file`), 'EEXIST'],
    'rmdir non-empty': [() => fs.rmdirSync(`${MNT}/dir`), 'ENOTEMPTY'],
    'path through a file': [() => fs.statSync(`${MNT}/file/x`), 'ENOTDIR'],
    'open dir for writing': [() => fs.openSync(`${MNT}/dir`, 'r+'), 'EISDIR'],
    'read a directory': [() => fs.readFileSync(`${MNT}/dir`), 'EISDIR'],
    'unlink a directory': [() => fs.unlinkSync(`${MNT}/dir`), 'EISDIR'],
    'rename into itself': [() => fs.renameSync(`${MNT}/dir`, `${MNT}/dir/sub/x`), 'EINVAL'],
    'readlink of a file': [() => fs.readlinkSync(`${MNT}/file`), 'EINVAL'],
    'symlink loop': [() => fs.readFileSync(`${MNT}/loop1`), 'ELOOP'],
    'O_NOFOLLOW on a symlink': [() => fs.openSync(`${MNT}/link`, nodeFs.constants.O_RDONLY | nodeFs.constants.O_NOFOLLOW), 'ELOOP'],
    'long name': [() => fs.writeFileSync(`${MNT}/${'n'.repeat(256)}`, ''), 'ENAMETOOLONG'],
    'rename to tmpfs': [() => fs.renameSync(`${MNT}/file`, '/file'), 'EXDEV'],
    'link to tmpfs': [() => fs.linkSync(`${MNT}/file`, '/file'), 'EXDEV'],
    'rename from tmpfs': [() => (fs.writeFileSync('/t', ''), fs.renameSync('/t', `${MNT}/t`)), 'EXDEV'],
    'opendir of a file': [() => fs.opendirSync(`${MNT}/file`), 'ENOTDIR'],
    'truncate a directory': [() => fs.truncateSync(`${MNT}/dir`), 'EISDIR'],
  };
  const got = Object.fromEntries(Object.entries(cases).map(([k, [fn]]) => [k, codeOf(fn)]));
  expect(got).toEqual(Object.fromEntries(Object.entries(cases).map(([k, [, code]]) => [k, code])));
});

test('errors are shaped like Node\'s', () => {
  const { fs } = setup();
  let err: NodeJS.ErrnoException | undefined;
  try {
    fs.openSync(`${MNT}/missing`, 'r');
  } catch (e) {
    err = e as NodeJS.ErrnoException;
  }
  expect(err).toMatchObject({ code: 'ENOENT', errno: -2, syscall: 'open', path: `${MNT}/missing` });
  expect(err?.message).toBe(`ENOENT: no such file or directory, open '${MNT}/missing'`);
});

test('FIFOs, devices and sockets: EPERM to make; host ones are visible but cannot be opened', async () => {
  const { fs, root } = setup();
  expect(codeOf(() => fs.mkfifoSync(`${MNT}/newfifo`))).toBe('EPERM');
  expect(codeOf(() => fs.mknodSync(`${MNT}/newdev`, 0o020644, 0x103))).toBe('EPERM');
  expect(nodeFs.existsSync(`${root}/newfifo`)).toBe(false);
  expect(fs.lstatSync(`${MNT}/fifo`).isFIFO()).toBe(true);
  const dev = fs.lstatSync(`${MNT}/null`);
  expect([dev.isCharacterDevice(), dev.rdev]).toEqual([true, Number(nodeFs.lstatSync(`${root}/null`).rdev)]);
  expect(codeOf(() => fs.openSync(`${MNT}/fifo`, 'r'))).toBe('EOPNOTSUPP');
  expect(codeOf(() => fs.openSync(`${MNT}/null`, 'r+'))).toBe('EOPNOTSUPP');
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(`${root}/sock`, resolve));
  try {
    expect(fs.lstatSync(`${MNT}/sock`).isSocket()).toBe(true);
    expect(await codeOfAsync(fs.promises.open(`${MNT}/sock`, 'r'))).toBe('EOPNOTSUPP');
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
  // They can still be renamed and removed like any entry.
  fs.renameSync(`${MNT}/fifo`, `${MNT}/fifo2`);
  fs.unlinkSync(`${MNT}/fifo2`);
  expect(nodeFs.existsSync(`${root}/fifo2`)).toBe(false);
});
