/**
 * hostfs node identity: one small node number per host object (st_dev +
 * st_ino, with the birth time telling a recycled inode from the old one),
 * the same through every name and every lookup; a generation per number, so
 * handles to objects that are gone are recognisably stale (isCurrent false,
 * lock ENOENT), and numbers of freed nodes come back with a new generation;
 * references (ref/rele) keep a removed node's record alive until the last
 * release.
 */

import { expect, test } from 'vitest';
import type { Mount, Vnode } from '@actorvfs/core/internal';
import { MNT, codeOf, nodeFs, useHostSetup, type HostSetup } from './helpers.js';

const setup = useHostSetup({
  prepare: (root) => {
    nodeFs.mkdirSync(`${root}/d`);
    nodeFs.writeFileSync(`${root}/f`, 'f');
  },
});

const cred = { uid: 0, gid: 0, groups: [0] };

function rootVnode(s: HostSetup): Vnode {
  const mount = s.vfs.kernel.mounts.mounts.find((m) => m.fs === s.hostfs) as Mount;
  return s.hostfs.vget(mount, s.hostfs.rootIno())!;
}

test('one number per host object, through every name and every lookup', () => {
  const s = setup();
  const { fs, root } = s;
  nodeFs.linkSync(`${root}/f`, `${root}/d/f-link`);
  const ino = fs.statSync(`${MNT}/f`).ino;
  expect(fs.statSync(`${MNT}/d/f-link`).ino).toBe(ino);
  expect(fs.readdirSync(MNT, { withFileTypes: true }).length).toBe(2);
  nodeFs.renameSync(`${root}/f`, `${root}/d/renamed-on-host`);
  expect(fs.statSync(`${MNT}/d/renamed-on-host`).ino).toBe(ino);
  expect(s.hostfs.rootIno()).toBe(1);
  expect(fs.statSync(MNT).ino).toBe(1);
});

test('handles of removed objects are stale; a recycled number has a new generation', () => {
  const s = setup();
  const root = rootVnode(s);
  const f = root.ops.lookup(root, 'f', 1)!;
  expect(s.hostfs.isCurrent(f)).toBe(true);
  root.ops.remove(root, 'f', 1, cred);
  expect(s.hostfs.isCurrent(f)).toBe(false);
  expect(codeOf(() => s.hostfs.lock(f, false))).toBe('ENOENT');
  expect(codeOf(() => f.ops.getattr(f, new Float64Array(19)))).toBe('ENOENT');
  const g = root.ops.create(root, 'g', 1, { mode: 0o644 }, cred);
  expect(g.ino).toBe(f.ino); // the number came back...
  expect(g.gen).not.toBe(f.gen); // ...with a new generation
  expect(s.hostfs.isCurrent(g)).toBe(true);
  expect(s.hostfs.isCurrent(f)).toBe(false);
  expect(s.hostfs.rele(g)).toBe(true);
});

test('a removed node stays known while referenced, and is freed by the last release', () => {
  const s = setup();
  const root = rootVnode(s);
  const f = root.ops.lookup(root, 'f', 1)!;
  s.hostfs.ref(f);
  const count = s.hostfs.nodeCount();
  root.ops.remove(root, 'f', 1, cred);
  expect(s.hostfs.isCurrent(f)).toBe(true);
  expect(s.hostfs.nodeCount()).toBe(count);
  expect(s.hostfs.rele(f)).toBe(true);
  f.ops.inactive(f);
  expect(s.hostfs.isCurrent(f)).toBe(false);
  expect(s.hostfs.nodeCount()).toBe(count - 1);
});

test('an object replaced on the host, even by one that reuses its inode, is a new node', () => {
  const s = setup();
  const { fs, root } = s;
  const before = fs.statSync(`${MNT}/f`);
  const handle = rootVnode(s).ops.lookup(rootVnode(s), 'f', 1)!;
  // Remove and recreate until the host hands back the same inode number (tmpfs-like
  // file systems often do at once); the birth time still tells them apart.
  const oldIno = nodeFs.statSync(`${root}/f`).ino;
  let reused = false;
  for (let i = 0; i < 50 && !reused; i++) {
    nodeFs.unlinkSync(`${root}/f`);
    nodeFs.writeFileSync(`${root}/f`, 'new');
    reused = nodeFs.statSync(`${root}/f`).ino === oldIno;
  }
  const after = fs.statSync(`${MNT}/f`);
  const fresh = rootVnode(s).ops.lookup(rootVnode(s), 'f', 1)!;
  if (reused) {
    // Same dev+ino on the host: the node number may come back, never the generation.
    expect(s.hostfs.isCurrent(handle)).toBe(false);
  } else {
    expect(after.ino).not.toBe(before.ino);
  }
  expect(fresh.ino === handle.ino && fresh.gen === handle.gen).toBe(false);
  expect(codeOf(() => handle.ops.getattr(handle, new Float64Array(19)))).toBe('ENOENT');
  expect(fs.readFileSync(`${MNT}/f`, 'utf8')).toBe('new');
});

test('a directory renamed on the host: the old handle is stale until looked up again, then it is the same node', () => {
  const s = setup();
  const fs = s.as(0, 0, { cwd: `${MNT}/d` });
  const ino = s.fs.statSync(`${MNT}/d`).ino;
  nodeFs.renameSync(`${s.root}/d`, `${s.root}/e`);
  expect(codeOf(() => fs.readdirSync('.'))).toBe('ENOENT');
  expect(s.fs.statSync(`${MNT}/e`).ino).toBe(ino); // the lookup records its new place...
  expect(fs.readdirSync('.')).toEqual([]); // ...and the working directory works again
});
