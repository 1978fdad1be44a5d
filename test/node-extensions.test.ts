/**
 * Extensions beyond node:fs, in Node's style: mknod, mkfifo, chflags and a
 * working lchmod, each in sync, callback and promise forms; extra
 * constants.
 */
import { expect, test } from 'vitest';
import { createVfs } from '@actorvfs/core';

test('mkfifo and mknod in all three forms', async () => {
  const vfs = createVfs({ umask: 0 });
  const fs = vfs.fs;
  fs.mkfifoSync('/p1');
  await fs.promises.mkfifo('/p2', 0o600);
  await new Promise<void>((resolve, reject) => fs.mkfifo('/p3', (e) => (e ? reject(e) : resolve())));
  expect(fs.statSync('/p1').isFIFO()).toBe(true);
  expect(fs.statSync('/p1').mode & 0o777).toBe(0o666);
  expect(fs.statSync('/p2').mode & 0o777).toBe(0o600);
  expect(fs.statSync('/p3').isFIFO()).toBe(true);
  fs.mknodSync('/reg');
  expect(fs.statSync('/reg').isFile()).toBe(true);
  fs.mknodSync('/zero', fs.constants.S_IFCHR | 0o666, (1 << 8) | 5);
  await fs.promises.mknod('/blk', fs.constants.S_IFBLK | 0o600, 7);
  await new Promise<void>((resolve, reject) => fs.mknod('/sock', fs.constants.S_IFSOCK | 0o600, 0, (e) => (e ? reject(e) : resolve())));
  expect(fs.statSync('/zero').isCharacterDevice()).toBe(true);
  expect(fs.statSync('/blk').isBlockDevice()).toBe(true);
  expect(fs.statSync('/sock').isSocket()).toBe(true);
  const fd = fs.openSync('/zero', 'r');
  const b = Buffer.alloc(4, 1);
  expect(fs.readSync(fd, b)).toBe(4);
  expect(b).toEqual(Buffer.alloc(4));
  expect(() => fs.mkfifoSync('/p1')).toThrow("EEXIST: file already exists, mkfifo '/p1'");
  const user = vfs.context({ uid: 1000, gid: 1000 });
  fs.chmodSync('/', 0o777);
  expect(() => user.mknodSync('/dev2', fs.constants.S_IFCHR | 0o666, 0)).toThrow("EPERM: operation not permitted, mknod '/dev2'");
});

test('a FIFO carries data between a writer and a reader', async () => {
  const fs = createVfs().fs;
  fs.mkfifoSync('/fifo');
  const reader = fs.promises.open('/fifo', 'r');
  const writer = await fs.promises.open('/fifo', 'w');
  const r = await reader;
  await writer.write('through the pipe');
  await writer.close();
  expect(await r.readFile('utf8')).toBe('through the pipe');
  await r.close();
});

test('chflags: immutable and append-only are enforced', async () => {
  const fs = createVfs().fs;
  fs.writeFileSync('/f', 'x');
  fs.chflagsSync('/f', fs.constants.UF_IMMUTABLE);
  expect(() => fs.writeFileSync('/f', 'y')).toThrow("EPERM: operation not permitted, open '/f'");
  expect(() => fs.unlinkSync('/f')).toThrow("EPERM: operation not permitted, unlink '/f'");
  await fs.promises.chflags('/f', 0);
  fs.writeFileSync('/f', 'y');
  await new Promise<void>((resolve, reject) => fs.chflags('/f', fs.constants.UF_APPEND, (e) => (e ? reject(e) : resolve())));
  fs.appendFileSync('/f', 'z');
  expect(fs.readFileSync('/f', 'utf8')).toBe('yz');
  expect(() => fs.chflagsSync('/f', -1)).toThrow('The value of "flags" is out of range');
});

test('lchmod changes the link, not its target', async () => {
  const fs = createVfs().fs;
  fs.writeFileSync('/t', 'x', { mode: 0o644 });
  fs.symlinkSync('/t', '/l');
  fs.lchmodSync('/l', 0o600);
  expect(fs.statSync('/t').mode & 0o777).toBe(0o644);
  await fs.promises.lchmod('/l', 0o640);
  expect(fs.statSync('/t').mode & 0o777).toBe(0o644);
});

test('constants: node:fs values on Linux plus extras', () => {
  const fs = createVfs().fs;
  const c = fs.constants;
  expect([c.O_CREAT, c.O_EXCL, c.O_TRUNC, c.O_APPEND, c.O_DIRECTORY, c.O_NOFOLLOW, c.O_SYNC, c.O_DSYNC]).toEqual([
    64, 128, 512, 1024, 65536, 131072, 1052672, 4096,
  ]);
  expect([c.S_IFMT, c.S_IFREG, c.S_IFDIR, c.S_IFLNK, c.COPYFILE_FICLONE_FORCE, c.UV_DIRENT_BLOCK]).toEqual([61440, 32768, 16384, 40960, 4, 7]);
  expect([c.S_ISUID, c.S_ISGID, c.S_ISVTX, c.SEEK_END, c.LOCK_EX]).toEqual([0o4000, 0o2000, 0o1000, 2, 2]);
  expect(fs.promises.constants).toBe(c);
  expect([fs.F_OK, fs.R_OK, fs.W_OK, fs.X_OK]).toEqual([0, 4, 2, 1]);
  expect(Object.isFrozen(c)).toBe(true);
});
