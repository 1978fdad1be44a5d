/**
 * Containment against "..": a ".." chain from inside the mount climbs to its
 * root and then, through the VFS, into the directory the mount covers, never
 * to the host's parent of the mapped directory; a context rooted at the
 * mount stays at its root however many ".." it asks for; names that merely
 * contain dots are ordinary names. Below the VFS, the vnode ops themselves
 * refuse names with "/" or "." / ".." (a guard against a VFS bug).
 */

import { expect, test } from 'vitest';
import type { Vnode } from '@actorvfs/core/internal';
import { MNT, codeOf, mountAtMnt, mutate, nodeFs, useHostSetup } from './helpers.js';

const setup = useHostSetup({
  prepare: (root) => {
    nodeFs.mkdirSync(`${root}/a/b/c`, { recursive: true });
    nodeFs.writeFileSync(`${root}/a/b/c/f`, 'f');
    nodeFs.writeFileSync(`${root}/top`, 'top');
  },
});

test('".." chains from inside the mount reach the VFS, never the host', () => {
  const { fs } = setup();
  fs.writeFileSync('/vfs-root-marker', '');
  for (const p of [`${MNT}/..`, `${MNT}/../..`, `${MNT}/a/b/c/../../../../../..`, `${MNT}/${'../'.repeat(64)}`, `${MNT}/a/../../../mnt/..`]) {
    expect(fs.readdirSync(p).includes('outside'), p).toBe(false);
    expect(fs.realpathSync(p).startsWith('/'), p).toBe(true);
  }
  expect(fs.readdirSync(`${MNT}/a/b/c/../../../../../..`).sort()).toEqual(['mnt', 'vfs-root-marker']);
  expect(fs.readdirSync(`${MNT}/..`)).toEqual(['host']);
  expect(codeOf(() => fs.readFileSync(`${MNT}/../outside/secret.txt`))).toBe('ENOENT');
  expect(codeOf(() => fs.readFileSync(`${MNT}/../../outside/secret.txt`))).toBe('ENOENT');
  expect(codeOf(() => fs.writeFileSync(`${MNT}/a/../../outside`, 'x'))).toBe('ok'); // /mnt/outside, a tmpfs file
  expect(fs.statSync('/mnt/outside').dev).toBe(fs.statSync('/').dev);
});

test('a context rooted at the mount cannot climb above it', () => {
  const { as } = setup();
  const jailed = as(0, 0, { root: MNT });
  expect(jailed.readdirSync('/').sort()).toEqual(['a', 'top']);
  for (const p of ['/..', '/../..', '../../../..', '/a/b/c/../../../..', `/${'../'.repeat(100)}`]) expect(jailed.readdirSync(p).sort(), p).toEqual(['a', 'top']);
  expect(jailed.realpathSync('/../../a/..')).toBe('/');
  expect(codeOf(() => jailed.readFileSync('/../outside/secret.txt'))).toBe('ENOENT');
  jailed.symlinkSync('/../../../outside/secret.txt', '/a/escape');
  expect(codeOf(() => jailed.readFileSync('/a/escape'))).toBe('ENOENT');
  jailed.symlinkSync('../../../../..', '/a/b/up');
  expect(jailed.readdirSync('/a/b/up').sort()).toEqual(['a', 'top']);
  const cwd = as(0, 0, { root: MNT, cwd: '/a/b/c' });
  expect(cwd.readFileSync('../../../../../top', 'utf8')).toBe('top');
  expect(cwd.readFileSync('f', 'utf8')).toBe('f');
});

test('"." and ".." cannot be made, removed or renamed; dotted names are plain names', () => {
  const { fs, root } = setup();
  expect(codeOf(() => fs.mkdirSync(`${MNT}/a/..`))).toBe('EEXIST');
  expect(codeOf(() => fs.symlinkSync('x', `${MNT}/a/..`))).toBe('EEXIST');
  expect(codeOf(() => fs.rmdirSync(`${MNT}/a/..`))).toBe('ENOTEMPTY');
  expect(codeOf(() => fs.renameSync(`${MNT}/top`, `${MNT}/a/..`))).toBe('EBUSY');
  expect(codeOf(() => fs.linkSync(`${MNT}/top`, `${MNT}/a/..`))).toBe('EEXIST');
  for (const name of ['..x', 'x..', '...', '.. ']) fs.writeFileSync(`${MNT}/a/${name}`, name);
  expect(nodeFs.readdirSync(`${root}/a`).sort()).toEqual(['.. ', '...', '..x', 'b', 'x..']);
  expect(nodeFs.readdirSync(root).sort()).toEqual(['a', 'top']);
});

test('the vnode ops themselves refuse names that are not single components', () => {
  // Shared setup: the ops travel to the actor, whose hostfs must refuse them the same way.
  const s = setup();
  const mount = mountAtMnt(s);
  const dir: Vnode = mount.fs.vget(mount, mount.fs.rootIno())!;
  const root = s.root;
  const cred = { uid: 0, gid: 0, groups: [0] };
  const bad = ['../outside', '..', '.', 'a/b', '/etc', '', 'x\0y'];
  for (const name of bad) {
    expect(codeOf(() => mutate('create', dir, name, name.length, { mode: 0o644 }, cred)), `create ${JSON.stringify(name)}`).toBe('EINVAL');
    expect(codeOf(() => mutate('mkdir', dir, name, name.length, { mode: 0o755 }, cred)), `mkdir ${JSON.stringify(name)}`).toBe('EINVAL');
    expect(codeOf(() => mutate('symlink', dir, name, name.length, 'x', {}, cred)), `symlink ${JSON.stringify(name)}`).toBe('EINVAL');
    expect(codeOf(() => mutate('remove', dir, name, name.length, cred)), `remove ${JSON.stringify(name)}`).toBe('EINVAL');
    expect(codeOf(() => mutate('rename', dir, dir, 'top', 3, name, name.length, cred)), `rename ${JSON.stringify(name)}`).toBe('EINVAL');
  }
  for (const name of ['../outside', 'a/b', '/etc', 'x\0y']) expect(dir.ops.lookup(dir, name, name.length), name).toBeNull();
  expect(dir.ops.lookup(dir, '..', 2)).toBe(dir); // ".." of the mapped root is the root
  expect(nodeFs.readdirSync(root).sort()).toEqual(['a', 'top']);
});
