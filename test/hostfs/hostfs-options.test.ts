/**
 * hostfs options and life cycle: options are checked, normalised (real
 * absolute path, defaults), frozen and structured-cloneable, and a second
 * instance built from them (as shared mode's actor will) maps the same
 * thing; statfs and pathconf answer; unmount closes every host descriptor
 * the instance held, and the instance answers EIO afterwards.
 */

import { execFileSync } from 'node:child_process';
import { expect, test } from 'vitest';
import { constants, createVfs, hostFs, type HostFsOptions } from '@actorvfs/core';
import type { Mount } from '@actorvfs/core/internal';
import { MNT, cleanup, codeOf, makeBase, nodeFs, nodePath, useHostSetup } from './helpers.js';

const setup = useHostSetup({ prepare: (root) => nodeFs.writeFileSync(`${root}/f`, 'data') });

function openFds(): number {
  return nodeFs.readdirSync('/proc/self/fd').length;
}

test('options are normalised, frozen and survive structuredClone; a rebuilt instance maps the same tree', () => {
  const s = setup();
  expect(s.hostfs.options).toEqual({ path: s.root, subtree: true, readonly: false });
  expect(Object.isFrozen(s.hostfs.options)).toBe(true);
  expect(s.hostfs.type).toBe('hostfs');
  const relative = hostFs({ path: nodePath.relative(process.cwd(), s.root) + '/./', subtree: false, readonly: true });
  expect(relative.options).toEqual({ path: s.root, subtree: false, readonly: true });
  const clone = structuredClone(s.hostfs.options);
  const again = hostFs(clone);
  const vfs2 = createVfs();
  vfs2.fs.mkdirSync('/m');
  vfs2.mount('/m', again);
  expect(vfs2.fs.readFileSync('/m/f', 'utf8')).toBe('data');
  vfs2.fs.writeFileSync('/m/g', 'via the twin');
  expect(s.fs.readFileSync(`${MNT}/g`, 'utf8')).toBe('via the twin');
  vfs2.unmount('/m');
  relative.unmount();
});

test('bad options: TypeError for wrong types, the host\'s error for bad paths', () => {
  const base = makeBase();
  try {
    execFileSync('mkfifo', [`${base.root}/fifo`]);
    const bad: [unknown, string][] = [
      [undefined, 'ERR_INVALID_ARG_VALUE'],
      [{}, 'ERR_INVALID_ARG_VALUE'],
      [{ path: 42 }, 'ERR_INVALID_ARG_VALUE'],
      [{ path: '' }, 'ERR_INVALID_ARG_VALUE'],
      [{ path: 'a\0b' }, 'ERR_INVALID_ARG_VALUE'],
      [{ path: base.root, subtree: 'yes' }, 'ERR_INVALID_ARG_VALUE'],
      [{ path: base.root, readonly: 1 }, 'ERR_INVALID_ARG_VALUE'],
      [{ path: `${base.root}/missing` }, 'ENOENT'],
      [{ path: `${base.root}/fifo` }, 'EINVAL'],
    ];
    for (const [options, code] of bad) expect(codeOf(() => hostFs(options as HostFsOptions)), JSON.stringify(options)).toBe(code);
    let err: unknown;
    try {
      hostFs({ path: `${base.root}/missing` });
    } catch (e) {
      err = e;
    }
    expect(err).toMatchObject({ code: 'ENOENT', syscall: 'hostfs', path: `${base.root}/missing` });
  } finally {
    cleanup(base);
  }
});

test('statfs is the host file system\'s; pathconf answers Linux\'s limits', () => {
  const { fs, root, vfs, hostfs } = setup();
  const mine = fs.statfsSync(MNT);
  const host = nodeFs.statfsSync(root);
  expect([mine.type, mine.bsize]).toEqual([host.type, host.bsize]);
  expect(mine.blocks).toBe(host.blocks);
  const mount = vfs.kernel.mounts.mounts.find((m) => m.fs === hostfs) as Mount;
  const vp = hostfs.vget(mount, hostfs.rootIno())!;
  const { _PC_NAME_MAX, _PC_PATH_MAX, _PC_LINK_MAX, _PC_NO_TRUNC } = constants;
  expect([_PC_NAME_MAX, _PC_PATH_MAX, _PC_LINK_MAX, _PC_NO_TRUNC].map((n) => vp.ops.pathconf(vp, n))).toEqual([255, 4096, constants.LINK_MAX, 1]);
  expect(codeOf(() => vp.ops.pathconf(vp, 9999))).toBe('EINVAL');
});

test('unmount closes every host descriptor; the instance answers EIO afterwards', () => {
  const base = makeBase();
  try {
    nodeFs.mkdirSync(`${base.root}/a/b/c`, { recursive: true });
    nodeFs.writeFileSync(`${base.root}/a/b/c/f`, 'x');
    const before = openFds();
    const vfs = createVfs();
    vfs.fs.mkdirSync('/m');
    const h = hostFs({ path: base.root });
    vfs.mount('/m', h);
    for (let i = 0; i < 5; i++) vfs.fs.readFileSync('/m/a/b/c/f');
    const fd = vfs.fs.openSync('/m/a/b/c/f', 'r');
    expect(openFds()).toBeGreaterThan(before);
    expect(codeOf(() => vfs.unmount('/m'))).toBe('EBUSY');
    vfs.fs.closeSync(fd);
    vfs.unmount('/m');
    expect(openFds()).toBe(before);
    expect(codeOf(() => h.statfs())).toBe('EIO');
    h.unmount(); // twice is harmless
  } finally {
    cleanup(base);
  }
});

test('an instance can be mounted once at a time', () => {
  const { vfs, hostfs } = setup();
  vfs.fs.mkdirSync('/other');
  expect(codeOf(() => vfs.mount('/other', hostfs))).toBe('EBUSY');
});
