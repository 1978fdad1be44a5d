/**
 * Kernel errors reach the caller shaped like node:fs's: message
 * `CODE: text, syscall 'path' [-> 'dest']`, negative errno, own enumerable
 * errno/code/syscall/path[/dest], and the syscall names Node reports
 * (scandir, open for readFile and truncate, lstat for realpath, ...).
 * Expected values were taken from Node 20 on Linux.
 */
import { expect, test } from 'vitest';
import { createVfs } from '@actorvfs/core';

function setup() {
  const fs = createVfs().fs;
  fs.mkdirSync('/d/sub', { recursive: true });
  fs.writeFileSync('/d/x', 'x');
  fs.writeFileSync('/f', 'hello');
  fs.symlinkSync('/f', '/lnk');
  return fs;
}

function caught(fn: () => unknown): Error & Record<string, unknown> {
  try {
    fn();
  } catch (e) {
    return e as Error & Record<string, unknown>;
  }
  throw new Error('expected a throw');
}

test('ENOENT from statSync has the uvException shape', () => {
  const fs = setup();
  const e = caught(() => fs.statSync('/nope'));
  expect(e).toBeInstanceOf(Error);
  expect(e.message).toBe("ENOENT: no such file or directory, stat '/nope'");
  expect(e.name).toBe('Error');
  expect(Object.keys(e)).toEqual(['errno', 'code', 'syscall', 'path']);
  expect(e.errno).toBe(-2);
  expect(e.code).toBe('ENOENT');
  expect(e.syscall).toBe('stat');
  expect(e.path).toBe('/nope');
  expect(String(e)).toBe("Error: ENOENT: no such file or directory, stat '/nope'");
});

test('two-path operations carry dest', () => {
  const fs = setup();
  const r = caught(() => fs.renameSync('/nope', '/other'));
  expect(r.message).toBe("ENOENT: no such file or directory, rename '/nope' -> '/other'");
  expect(Object.keys(r)).toEqual(['errno', 'code', 'syscall', 'path', 'dest']);
  expect(r.dest).toBe('/other');
  const l = caught(() => fs.linkSync('/f', '/d/x'));
  expect(l.message).toBe("EEXIST: file already exists, link '/f' -> '/d/x'");
  const s = caught(() => fs.symlinkSync('target', '/f'));
  expect(s.message).toBe("EEXIST: file already exists, symlink 'target' -> '/f'");
  expect(s.path).toBe('target');
  expect(s.dest).toBe('/f');
  const c = caught(() => fs.copyFileSync('/nope', '/c'));
  expect(c.message).toBe("ENOENT: no such file or directory, copyfile '/nope' -> '/c'");
});

test('syscall names follow Node, not the kernel', () => {
  const fs = setup();
  expect(caught(() => fs.readdirSync('/f')).message).toBe("ENOTDIR: not a directory, scandir '/f'");
  expect(caught(() => fs.readFileSync('/nope')).message).toBe("ENOENT: no such file or directory, open '/nope'");
  const dirRead = caught(() => fs.readFileSync('/d'));
  expect(dirRead.message).toBe('EISDIR: illegal operation on a directory, read');
  expect(Object.keys(dirRead)).toEqual(['errno', 'code', 'syscall']);
  expect(caught(() => fs.truncateSync('/nope')).message).toBe("ENOENT: no such file or directory, open '/nope'");
  expect(caught(() => fs.truncateSync('/d')).message).toBe("EISDIR: illegal operation on a directory, open '/d'");
  expect(caught(() => fs.realpathSync('/nope/x')).message).toBe("ENOENT: no such file or directory, lstat '/nope'");
  expect(caught(() => fs.realpathSync.native('/nope/x')).message).toBe("ENOENT: no such file or directory, realpath '/nope/x'");
  expect(caught(() => fs.utimesSync('/nope', 1, 1)).message).toBe("ENOENT: no such file or directory, utime '/nope'");
  expect(caught(() => fs.lutimesSync('/nope', 1, 1)).message).toBe("ENOENT: no such file or directory, lutime '/nope'");
  expect(caught(() => fs.futimesSync(999, 1, 1)).message).toBe('EBADF: bad file descriptor, futime');
  expect(caught(() => fs.rmSync('/nope')).message).toBe("ENOENT: no such file or directory, lstat '/nope'");
  expect(caught(() => fs.mkdtempSync('/nope/x')).message).toBe("ENOENT: no such file or directory, mkdtemp '/nope/xXXXXXX'");
  const od = caught(() => fs.opendirSync('/f'));
  expect(od.message).toBe('ENOTDIR: not a directory, opendir');
  expect(caught(() => fs.unlinkSync('/d')).message).toBe("EISDIR: illegal operation on a directory, unlink '/d'");
  expect(caught(() => fs.rmdirSync('/f')).message).toBe("ENOTDIR: not a directory, rmdir '/f'");
  expect(caught(() => fs.readlinkSync('/f')).message).toBe("EINVAL: invalid argument, readlink '/f'");
});

test('descriptor errors have no path', () => {
  const fs = setup();
  for (const [fn, syscall] of [
    [() => fs.closeSync(999), 'close'],
    [() => fs.fstatSync(999), 'fstat'],
    [() => fs.readSync(999, Buffer.alloc(1)), 'read'],
    [() => fs.writeSync(999, 'x'), 'write'],
    [() => fs.ftruncateSync(999), 'ftruncate'],
    [() => fs.fsyncSync(999), 'fsync'],
    [() => fs.fdatasyncSync(999), 'fdatasync'],
    [() => fs.fchmodSync(999, 0o644), 'fchmod'],
    [() => fs.fchownSync(999, 0, 0), 'fchown'],
  ] as const) {
    const e = caught(fn);
    expect(e.message).toBe(`EBADF: bad file descriptor, ${syscall}`);
    expect(e.errno).toBe(-9);
    expect(e.path).toBeUndefined();
  }
});

test('rm of a directory without recursive is SystemError ERR_FS_EISDIR, even with force', () => {
  const fs = setup();
  for (const opts of [undefined, { force: true }]) {
    const e = caught(() => fs.rmSync('/d', opts));
    expect(e.name).toBe('SystemError');
    expect(e.code).toBe('ERR_FS_EISDIR');
    expect(e.message).toBe('Path is a directory: rm returned EISDIR (is a directory) /d');
    expect(String(e)).toBe('SystemError [ERR_FS_EISDIR]: Path is a directory: rm returned EISDIR (is a directory) /d');
    expect(e.info).toEqual({ code: 'EISDIR', message: 'is a directory', path: '/d', syscall: 'rm', errno: 21 });
    expect(e.errno).toBe(21);
    expect(e.syscall).toBe('rm');
    expect(e.path).toBe('/d');
    expect(Object.keys(e)).toEqual(['code', 'info', 'errno', 'syscall', 'path']);
  }
  expect(fs.existsSync('/d/x')).toBe(true);
});

test('COPYFILE_FICLONE_FORCE fails with ENOTSUP and creates nothing; FICLONE copies', () => {
  const fs = setup();
  const e = caught(() => fs.copyFileSync('/f', '/c', fs.constants.COPYFILE_FICLONE_FORCE));
  expect(e.code).toBe('ENOTSUP');
  expect(e.errno).toBe(-95);
  expect(e.message).toBe("ENOTSUP: operation not supported on socket, copyfile '/f' -> '/c'");
  expect(fs.existsSync('/c')).toBe(false);
  fs.copyFileSync('/f', '/c', fs.constants.COPYFILE_FICLONE);
  expect(fs.readFileSync('/c', 'utf8')).toBe('hello');
  // a missing source is reported before the clone check
  expect(caught(() => fs.copyFileSync('/nope', '/c2', fs.constants.COPYFILE_FICLONE_FORCE)).code).toBe('ENOENT');
});

test('the stack starts at the caller, not inside the facade', () => {
  const fs = setup();
  function callerOfStat(): void {
    fs.statSync('/nope');
  }
  const e = caught(callerOfStat);
  const frames = e.stack!.split('\n');
  expect(frames[0]).toBe("Error: ENOENT: no such file or directory, stat '/nope'");
  expect(frames[1]).toContain('callerOfStat');
});

test('promise errors keep the awaiting caller in the async stack', async () => {
  const fs = setup();
  async function callerOfMkdir(): Promise<void> {
    await fs.promises.mkdir('/nope/x');
  }
  const e = (await callerOfMkdir().catch((x: unknown) => x)) as Error & { code: string; syscall: string };
  expect(e.message).toBe("ENOENT: no such file or directory, mkdir '/nope/x'");
  expect(e.syscall).toBe('mkdir');
  expect(e.stack).toContain('callerOfMkdir');
});

test('async forms report the names Node reports there', async () => {
  const fs = setup();
  const P = fs.promises;
  await expect(P.realpath('/nope/x')).rejects.toMatchObject({ syscall: 'realpath', path: '/nope/x' });
  await expect(P.opendir('/nope')).rejects.toThrow("ENOENT: no such file or directory, opendir '/nope'");
  const t = (await P.mkdtemp('/nope/x').catch((x: unknown) => x)) as Error & { path: string };
  expect(t.path).toMatch(/^\/nope\/x[A-Za-z0-9]{6}$/);
  await expect(P.access('/nope')).rejects.toThrow("ENOENT: no such file or directory, access '/nope'");
  await expect(P.readdir('/f')).rejects.toThrow("ENOTDIR: not a directory, scandir '/f'");
  await expect(P.rm('/d')).rejects.toMatchObject({ code: 'ERR_FS_EISDIR', name: 'SystemError' });
});
