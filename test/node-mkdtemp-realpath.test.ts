/**
 * mkdtemp (six random [A-Za-z0-9], mode 0700, encodings) and realpath
 * (JS realpath's 'lstat' errors, realpath.native / promises.realpath
 * 'realpath' errors, loops, relative links, contexts with their own root).
 */
import { expect, test } from 'vitest';
import { createVfs } from '@actorvfs/core';

test('mkdtemp: prefix + six letters, a fresh 0700 directory each time', async () => {
  const vfs = createVfs({ umask: 0 });
  const fs = vfs.fs;
  fs.mkdirSync('/tmp');
  const seen = new Set<string>();
  for (let i = 0; i < 50; i++) {
    const d = fs.mkdtempSync('/tmp/x-');
    expect(d).toMatch(/^\/tmp\/x-[A-Za-z0-9]{6}$/);
    seen.add(d);
    expect(fs.statSync(d).isDirectory()).toBe(true);
    expect(fs.statSync(d).mode & 0o777).toBe(0o700);
  }
  expect(seen.size).toBe(50);
  const b = fs.mkdtempSync('/tmp/b-', 'buffer');
  expect(Buffer.isBuffer(b)).toBe(true);
  expect(fs.existsSync(b)).toBe(true);
  expect(await fs.promises.mkdtemp('/tmp/p-')).toMatch(/^\/tmp\/p-[A-Za-z0-9]{6}$/);
  expect(fs.mkdtempSync(Buffer.from('/tmp/u-'))).toMatch(/^\/tmp\/u-/);
  expect(() => fs.mkdtempSync('/tmp/\0')).toThrow("The argument 'prefix' must be a string, Uint8Array, or URL without null bytes");
  expect(() => fs.mkdtempSync(5 as never)).toThrow('The "prefix" argument must be of type string or an instance of Buffer or URL. Received type number (5)');
  expect(() => fs.mkdtempSync('/none/x-')).toThrow("ENOENT: no such file or directory, mkdtemp '/none/x-XXXXXX'");
});

test('mkdtemp follows the context\'s permissions', () => {
  const vfs = createVfs();
  vfs.fs.mkdirSync('/ro', 0o755);
  const user = vfs.context({ uid: 1000, gid: 1000 });
  expect(() => user.mkdtempSync('/ro/x')).toThrow("EACCES: permission denied, mkdtemp '/ro/xXXXXXX'");
});

function tree() {
  const fs = createVfs().fs;
  fs.mkdirSync('/a/b/c', { recursive: true });
  fs.writeFileSync('/a/b/c/file', '');
  fs.symlinkSync('b/c', '/a/rel');
  fs.symlinkSync('/a/rel/file', '/abs');
  fs.symlinkSync('../..', '/a/b/c/up');
  fs.symlinkSync('/loop2', '/loop1');
  fs.symlinkSync('/loop1', '/loop2');
  return fs;
}

test('realpath resolves relative and absolute links, .. and chains', async () => {
  const fs = tree();
  expect(fs.realpathSync('/abs')).toBe('/a/b/c/file');
  expect(fs.realpathSync('/a/rel/up/b/./c/../c/file')).toBe('/a/b/c/file');
  expect(fs.realpathSync('/a/rel/up/rel/up/rel')).toBe('/a/b/c');
  expect(fs.realpathSync('/')).toBe('/');
  expect(fs.realpathSync.native('/abs')).toBe('/a/b/c/file');
  expect(await fs.promises.realpath('/abs')).toBe('/a/b/c/file');
  expect(Buffer.isBuffer(fs.realpathSync('/abs', 'buffer'))).toBe(true);
  expect(fs.realpathSync('/abs', { encoding: 'buffer' }).toString()).toBe('/a/b/c/file');
});

test('realpath errors: lstat for the JS form, realpath for native and promises', async () => {
  const fs = tree();
  const js = (() => {
    try {
      fs.realpathSync('/a/nope/deeper');
    } catch (e) {
      return e as Error & { syscall: string; path: string };
    }
    throw new Error('no throw');
  })();
  expect(js.message).toBe("ENOENT: no such file or directory, lstat '/a/nope'");
  expect(() => fs.realpathSync.native('/a/nope/deeper')).toThrow("ENOENT: no such file or directory, realpath '/a/nope/deeper'");
  await expect(fs.promises.realpath('/a/nope/deeper')).rejects.toThrow("ENOENT: no such file or directory, realpath '/a/nope/deeper'");
  expect(() => fs.realpathSync('/loop1')).toThrow(expect.objectContaining({ code: 'ELOOP' }));
  expect(() => fs.realpathSync.native('/loop1')).toThrow(expect.objectContaining({ code: 'ELOOP', syscall: 'realpath', path: '/loop1' }));
});

test('realpath inside a context root is relative to that root', () => {
  const vfs = createVfs();
  vfs.fs.mkdirSync('/jail/home', { recursive: true });
  vfs.fs.symlinkSync('/home', '/jail/link');
  const jailed = vfs.context({ uid: 0, gid: 0, root: '/jail', cwd: '/home' });
  expect(jailed.realpathSync('/link')).toBe('/home');
  expect(jailed.realpathSync('.')).toBe('/home');
  expect(jailed.realpathSync('../../..')).toBe('/');
});
