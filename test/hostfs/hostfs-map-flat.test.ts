/**
 * hostfs with `subtree: false` (rumpfs RUMP_ETFS_DIR): the mapped
 * directory's own entries are visible, its subdirectories are not (not by
 * lookup, not in readdir, not through symlinks), and none can be made.
 * Files in it can be made, written, renamed and removed as usual.
 */

import { expect, test } from 'vitest';
import { MNT, codeOf, nodeFs, useHostSetup } from './helpers.js';

const setup = useHostSetup({
  options: { subtree: false },
  prepare: (root) => {
    nodeFs.writeFileSync(`${root}/visible.txt`, 'visible');
    nodeFs.mkdirSync(`${root}/hidden`);
    nodeFs.writeFileSync(`${root}/hidden/inside.txt`, 'inside');
    nodeFs.symlinkSync('hidden', `${root}/to-hidden`);
    nodeFs.symlinkSync('visible.txt', `${root}/to-visible`);
  },
});

test('files and symlinks are visible; subdirectories are not', () => {
  const { fs } = setup();
  expect(fs.readdirSync(MNT).sort()).toEqual(['to-hidden', 'to-visible', 'visible.txt']);
  expect(fs.readFileSync(`${MNT}/visible.txt`, 'utf8')).toBe('visible');
  expect(fs.readFileSync(`${MNT}/to-visible`, 'utf8')).toBe('visible');
  expect(codeOf(() => fs.statSync(`${MNT}/hidden`))).toBe('ENOENT');
  expect(codeOf(() => fs.readFileSync(`${MNT}/hidden/inside.txt`))).toBe('ENOENT');
  expect(codeOf(() => fs.readdirSync(`${MNT}/to-hidden`))).toBe('ENOENT');
  expect(fs.lstatSync(`${MNT}/to-hidden`).isSymbolicLink()).toBe(true);
  expect(codeOf(() => fs.rmdirSync(`${MNT}/hidden`))).toBe('ENOENT');
  expect(codeOf(() => fs.renameSync(`${MNT}/hidden`, `${MNT}/shown`))).toBe('ENOENT');
});

test('no directory can be made (EPERM); files can', () => {
  const { fs, root } = setup();
  expect(codeOf(() => fs.mkdirSync(`${MNT}/newdir`))).toBe('EPERM');
  expect(nodeFs.existsSync(`${root}/newdir`)).toBe(false);
  fs.writeFileSync(`${MNT}/made.txt`, 'made');
  expect(nodeFs.readFileSync(`${root}/made.txt`, 'utf8')).toBe('made');
  fs.renameSync(`${MNT}/made.txt`, `${MNT}/renamed.txt`);
  expect(nodeFs.readdirSync(root).sort()).toEqual(['hidden', 'renamed.txt', 'to-hidden', 'to-visible', 'visible.txt']);
  fs.unlinkSync(`${MNT}/renamed.txt`);
  expect(nodeFs.existsSync(`${root}/renamed.txt`)).toBe(false);
});

test('a file cannot be moved into a hidden directory, and the hidden tree is untouched', () => {
  const { fs, root } = setup();
  expect(codeOf(() => fs.renameSync(`${MNT}/visible.txt`, `${MNT}/hidden/x`))).toBe('ENOENT');
  expect(codeOf(() => fs.writeFileSync(`${MNT}/hidden/x`, 'x'))).toBe('ENOENT');
  expect(nodeFs.readdirSync(`${root}/hidden`)).toEqual(['inside.txt']);
});
