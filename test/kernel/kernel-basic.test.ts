import { describe, expect, test } from 'vitest';
import { O_CREAT, O_EXCL, O_RDONLY, O_RDWR, O_TRUNC, O_WRONLY, S_IFDIR, S_IFMT, S_IFREG } from '../../packages/core/src/constants.js';
import { St, newStatBuf } from '../../packages/core/src/vfs/sys.js';
import { runSync } from '../../packages/core/src/vfs/wait.js';
import { kernelFixture } from './fixture.js';

function code(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    return (e as { code?: string }).code;
  }
  return undefined;
}

describe('kernel basics', () => {
  test('create, write, read, stat, unlink', () => {
    const { proc } = kernelFixture();
    const p = proc();
    const fd = runSync(p.open('/a', O_CREAT | O_RDWR, 0o644));
    const data = Buffer.from('hello world');
    expect(runSync(p.write(fd, data, 0, data.length, -1))).toBe(11);
    const out = Buffer.alloc(20);
    expect(runSync(p.read(fd, out, 0, 20, 0))).toBe(11);
    expect(out.subarray(0, 11).toString()).toBe('hello world');
    const st = newStatBuf();
    runSync(p.stat('/a', st));
    expect(st[St.Size]).toBe(11);
    expect(st[St.Mode]! & S_IFMT).toBe(S_IFREG);
    expect(st[St.Mode]! & 0o777).toBe(0o644);
    expect(st[St.Nlink]).toBe(1);
    runSync(p.close(fd));
    runSync(p.unlink('/a'));
    expect(code(() => runSync(p.stat('/a', st)))).toBe('ENOENT');
  });

  test('directories: mkdir, readdir, rmdir, nlink', () => {
    const { proc } = kernelFixture();
    const p = proc();
    runSync(p.mkdir('/d', 0o755));
    runSync(p.mkdir('/d/e', 0o755));
    const st = newStatBuf();
    runSync(p.stat('/d', st));
    expect(st[St.Mode]! & S_IFMT).toBe(S_IFDIR);
    expect(st[St.Nlink]).toBe(3);
    for (let i = 0; i < 100; i++) runSync(p.close(runSync(p.open(`/d/f${i}`, O_CREAT | O_WRONLY, 0o600))));
    const names = runSync(p.readdir('/d')).map((e) => e.name).sort();
    expect(names.length).toBe(101);
    expect(code(() => runSync(p.rmdir('/d')))).toBe('ENOTEMPTY');
    runSync(p.rmdir('/d/e'));
    runSync(p.stat('/d', st));
    expect(st[St.Nlink]).toBe(2);
  });

  test('rename over existing, symlinks, links', () => {
    const { proc } = kernelFixture();
    const p = proc();
    runSync(p.close(runSync(p.open('/x', O_CREAT | O_WRONLY, 0o600))));
    runSync(p.close(runSync(p.open('/y', O_CREAT | O_WRONLY, 0o600))));
    runSync(p.link('/y', '/y2'));
    runSync(p.rename('/x', '/y'));
    const st = newStatBuf();
    runSync(p.stat('/y2', st));
    expect(st[St.Nlink]).toBe(1);
    runSync(p.symlink('/y', '/s'));
    expect(runSync(p.readlink('/s'))).toBe('/y');
    runSync(p.stat('/s', st));
    expect(st[St.Mode]! & S_IFMT).toBe(S_IFREG);
    expect(code(() => runSync(p.open('/y', O_CREAT | O_EXCL | O_WRONLY, 0o600)))).toBe('EEXIST');
    expect(runSync(p.realpath('/s'))).toBe('/y');
  });

  test('open-unlinked file stays readable', () => {
    const { proc, fs } = kernelFixture();
    const p = proc();
    const before = fs.inodeCount();
    const fd = runSync(p.open('/u', O_CREAT | O_RDWR | O_TRUNC, 0o600));
    runSync(p.write(fd, Buffer.alloc(10000, 7), 0, 10000, -1));
    runSync(p.unlink('/u'));
    const st = newStatBuf();
    runSync(p.fstat(fd, st));
    expect(st[St.Nlink]).toBe(0);
    const out = Buffer.alloc(10000);
    expect(runSync(p.read(fd, out, 0, 10000, 0))).toBe(10000);
    expect(out.every((b) => b === 7)).toBe(true);
    expect(fs.inodeCount()).toBe(before + 1);
    runSync(p.close(fd));
    expect(fs.inodeCount()).toBe(before);
  });

  test('permissions: first-match classes', () => {
    const { proc } = kernelFixture();
    const root = proc();
    const user = proc({ uid: 65534, gid: 65534 });
    runSync(root.close(runSync(root.open('/f', O_CREAT | O_WRONLY, 0o077))));
    runSync(root.chown('/f', 65534, 65534));
    expect(code(() => runSync(user.open('/f', O_RDONLY, 0)))).toBe('EACCES');
  });
});

describe('regressions', () => {
  test('an inode slab page made from a recycled page starts with clean lock words', () => {
    // 1,025 entries resize the directory table and free its old page; the
    // next inode slab page reuses it and used to keep a stale "lock".
    const { proc } = kernelFixture();
    const p = proc();
    runSync(p.mkdir('/m', 0o755));
    for (let i = 0; i < 1035; i++) runSync(p.close(runSync(p.open(`/m/t${i}`, O_CREAT | O_EXCL | O_WRONLY, 0o600))));
    for (let i = 1034; i >= 0; i--) runSync(p.unlink(`/m/t${i}`));
    expect(runSync(p.readdir('/m'))).toEqual([]);
  });
});
