/**
 * hostfs with `readonly: true`: every change, and every open for writing,
 * is refused with EROFS before reaching the host; reading works; statfs says
 * ST_RDONLY. (A read-write hostfs mounted with the VFS's own `readonly`
 * mount flag behaves the same from the VFS side.)
 */

import { describe, expect, test } from 'vitest';
import { MNT, codeOf, mountAtMnt, nodeFs, snapshot, useHostSetup } from './helpers.js';

const prepare = (root: string): void => {
  nodeFs.mkdirSync(`${root}/d`);
  nodeFs.writeFileSync(`${root}/d/f`, 'content');
  nodeFs.symlinkSync('d/f', `${root}/l`);
};

function refusesEveryChange(fs: ReturnType<ReturnType<typeof useHostSetup>>['fs'], root: string): void {
  const before = snapshot(root);
  const attempts: Record<string, () => unknown> = {
    create: () => fs.writeFileSync(`${MNT}/new`, 'x'),
    'open r+': () => fs.openSync(`${MNT}/d/f`, 'r+'),
    'open w': () => fs.openSync(`${MNT}/d/f`, 'w'),
    'open a': () => fs.openSync(`${MNT}/d/f`, 'a'),
    mkdir: () => fs.mkdirSync(`${MNT}/nd`),
    symlink: () => fs.symlinkSync('x', `${MNT}/ns`),
    link: () => fs.linkSync(`${MNT}/d/f`, `${MNT}/nl`),
    unlink: () => fs.unlinkSync(`${MNT}/d/f`),
    rmdir: () => fs.rmdirSync(`${MNT}/d`),
    rename: () => fs.renameSync(`${MNT}/d/f`, `${MNT}/d/g`),
    chmod: () => fs.chmodSync(`${MNT}/d/f`, 0o777),
    chown: () => fs.chownSync(`${MNT}/d/f`, 1, 1),
    lchown: () => fs.lchownSync(`${MNT}/l`, 1, 1),
    utimes: () => fs.utimesSync(`${MNT}/d/f`, 1, 1),
    truncate: () => fs.truncateSync(`${MNT}/d/f`, 0),
    'access W_OK': () => fs.accessSync(`${MNT}/d/f`, nodeFs.constants.W_OK),
    mknod: () => fs.mkfifoSync(`${MNT}/fifo`),
  };
  const codes = Object.fromEntries(Object.entries(attempts).map(([k, fn]) => [k, codeOf(fn)]));
  expect(codes).toEqual(Object.fromEntries(Object.keys(attempts).map((k) => [k, 'EROFS'])));
  expect(snapshot(root)).toEqual(before);
  expect(fs.readFileSync(`${MNT}/d/f`, 'utf8')).toBe('content');
  expect(fs.readFileSync(`${MNT}/l`, 'utf8')).toBe('content');
  expect(fs.readdirSync(`${MNT}/d`)).toEqual(['f']);
  fs.accessSync(`${MNT}/d/f`, nodeFs.constants.R_OK);
}

describe('the readonly option', () => {
  const setup = useHostSetup({ options: { readonly: true }, prepare });
  test('refuses every change with EROFS; reads work; the host is untouched', () => {
    const s = setup();
    const { fs, root, hostfs } = s;
    refusesEveryChange(fs, root);
    expect(fs.statfsSync(MNT).type).toBe(nodeFs.statfsSync(root).type);
    // Shared setup: the actor's instance, asked over the ring.
    expect(mountAtMnt(s).fs.statfs().flags & 1).toBe(1);
    expect(hostfs.options.readonly).toBe(true);
  });
  test('refuses writes through a context too (EROFS before EACCES)', () => {
    const { as } = setup();
    expect(codeOf(() => as(1500, 1500).writeFileSync(`${MNT}/d/f`, 'x'))).toBe('EROFS');
  });
});

describe('the VFS readonly mount flag over a read-write hostfs', () => {
  const setup = useHostSetup({ mount: { readonly: true }, prepare });
  test('refuses every change with EROFS too', () => {
    const { fs, root } = setup();
    refusesEveryChange(fs, root);
  });
});

