/**
 * hostfs mapping a host directory with its whole subtree (the default,
 * rumpfs RUMP_ETFS_DIR_SUBDIRS): every level is visible, attributes are the
 * host's (all of lstat: nanosecond times, blocks, rdev), node numbers are
 * small and stable per host object, and changes made on the host are seen
 * at once.
 */

import { expect, test } from 'vitest';
import { MNT, hostStat, nodeFs, useHostSetup } from './helpers.js';

const setup = useHostSetup({
  prepare: (root) => {
    nodeFs.mkdirSync(`${root}/a/b/c`, { recursive: true });
    nodeFs.writeFileSync(`${root}/a/b/c/deep.txt`, 'deep');
    nodeFs.writeFileSync(`${root}/top.txt`, 'top');
    nodeFs.symlinkSync('a/b', `${root}/rel-link`);
    nodeFs.linkSync(`${root}/top.txt`, `${root}/a/hard.txt`);
    nodeFs.chownSync(`${root}/a/b`, 1234, 5678);
    nodeFs.chmodSync(`${root}/a/b`, 0o2751);
    nodeFs.utimesSync(`${root}/top.txt`, 1_600_000_000.123456, 1_600_000_001.654321);
  },
});

test('every level of the subtree is visible and readable', () => {
  const { fs } = setup();
  expect(fs.readdirSync(MNT).sort()).toEqual(['a', 'rel-link', 'top.txt']);
  expect(fs.readdirSync(`${MNT}/a`).sort()).toEqual(['b', 'hard.txt']);
  expect(fs.readFileSync(`${MNT}/a/b/c/deep.txt`, 'utf8')).toBe('deep');
  const types = Object.fromEntries(fs.readdirSync(MNT, { withFileTypes: true }).map((d) => [d.name, d.isDirectory() ? 'dir' : d.isSymbolicLink() ? 'link' : 'file']));
  expect(types).toEqual({ a: 'dir', 'rel-link': 'link', 'top.txt': 'file' });
});

test('stat reports the host lstat, field by field, with nanosecond times', () => {
  const { fs, root } = setup();
  for (const rel of ['top.txt', 'a', 'a/b', 'a/b/c/deep.txt', 'rel-link']) {
    const mine = fs.lstatSync(`${MNT}/${rel}`, { bigint: true });
    const host = hostStat(`${root}/${rel}`);
    expect({ rel, mode: mine.mode, nlink: mine.nlink, uid: mine.uid, gid: mine.gid, size: mine.size, blocks: mine.blocks, blksize: mine.blksize, rdev: mine.rdev }).toEqual({
      rel,
      mode: host.mode,
      nlink: host.nlink,
      uid: host.uid,
      gid: host.gid,
      size: host.size,
      blocks: host.blocks,
      blksize: host.blksize,
      rdev: host.rdev,
    });
    expect([mine.atimeNs, mine.mtimeNs, mine.ctimeNs, mine.birthtimeNs]).toEqual([host.atimeNs, host.mtimeNs, host.ctimeNs, host.birthtimeNs]);
  }
  const b = fs.statSync(`${MNT}/a/b`);
  expect([b.uid, b.gid, b.mode & 0o7777]).toEqual([1234, 5678, 0o2751]);
  expect(fs.statSync(`${MNT}/top.txt`, { bigint: true }).mtimeNs / 1_000_000_000n).toBe(1_600_000_001n);
});

test('node numbers are small, stable, shared by hard links, and the mount has its own st_dev', () => {
  const { fs } = setup();
  const top = fs.statSync(`${MNT}/top.txt`);
  expect(top.ino).toBeLessThan(100);
  expect(fs.statSync(`${MNT}/a/hard.txt`).ino).toBe(top.ino);
  expect(fs.statSync(`${MNT}/top.txt`).ino).toBe(top.ino);
  expect(fs.statSync(MNT).ino).not.toBe(top.ino);
  expect(top.dev).toBe(fs.statSync(MNT).dev);
  expect(top.dev).not.toBe(fs.statSync('/mnt').dev);
  expect(new Set(['a', 'a/b', 'a/b/c', 'top.txt', 'rel-link'].map((p) => fs.lstatSync(`${MNT}/${p}`).ino)).size).toBe(5);
});

test('relative symlinks and ".." resolve inside the VFS, and ".." of the mount root leaves the mount', () => {
  const { fs } = setup();
  expect(fs.readdirSync(`${MNT}/rel-link`)).toEqual(['c']);
  expect(fs.readFileSync(`${MNT}/rel-link/c/deep.txt`, 'utf8')).toBe('deep');
  expect(fs.readFileSync(`${MNT}/a/b/c/../../../top.txt`, 'utf8')).toBe('top');
  expect(fs.realpathSync(`${MNT}/rel-link/c`)).toBe(`${MNT}/a/b/c`);
  expect(fs.readdirSync(`${MNT}/..`)).toEqual(['host']);
  expect(fs.statSync(`${MNT}/a/..`).ino).toBe(fs.statSync(MNT).ino);
  const user = setup().as(0, 0, { cwd: `${MNT}/a/b` });
  expect(user.readFileSync('c/deep.txt', 'utf8')).toBe('deep');
  expect(user.readFileSync('../../top.txt', 'utf8')).toBe('top');
  expect(user.realpathSync('.')).toBe(`${MNT}/a/b`);
});

test('changes made on the host are seen at once', () => {
  const { fs, root } = setup();
  nodeFs.writeFileSync(`${root}/new-on-host`, 'fresh');
  expect(fs.readFileSync(`${MNT}/new-on-host`, 'utf8')).toBe('fresh');
  nodeFs.appendFileSync(`${root}/new-on-host`, '!');
  expect(fs.statSync(`${MNT}/new-on-host`).size).toBe(6);
  nodeFs.rmSync(`${root}/a/b/c`, { recursive: true });
  expect(() => fs.statSync(`${MNT}/a/b/c/deep.txt`)).toThrow(expect.objectContaining({ code: 'ENOENT' }));
  expect(fs.readdirSync(`${MNT}/a/b`)).toEqual([]);
  nodeFs.mkdirSync(`${root}/a/b/c`);
  expect(fs.readdirSync(`${MNT}/a/b`)).toEqual(['c']);
});
