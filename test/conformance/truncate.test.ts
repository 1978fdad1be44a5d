/**
 * Section L: truncate / ftruncate (R-TRUNC-1 .. R-TRUNC-9).
 * Node's truncate(path) opens the file r+ and ftruncates it, so path errors
 * report syscall 'open'; Node also turns a negative length into 0, hiding
 * the kernel's EINVAL (R-TRUNC-5, R-TRUNC-9).
 */

import { expect, test } from 'vitest';
import { forEachSetup } from '../setups.js';
import {
  O_CREAT,
  O_RDONLY,
  O_RDWR,
  O_WRONLY,
  USER,
  createNode,
  expectTimesAround,
  ownedDir,
  readFile,
  rejects,
  throws,
  unprivileged,
  writeFile,
  type Fs,
} from './helpers.js';

function allZero(buf: Uint8Array): boolean {
  return buf.every((b) => b === 0);
}

function readRange(fs: Fs, path: string, pos: number, len: number): Buffer {
  const fd = fs.openSync(path, O_RDONLY);
  try {
    const buf = Buffer.alloc(len);
    const n = fs.readSync(fd, buf, 0, len, pos);
    return buf.subarray(0, n);
  } finally {
    fs.closeSync(fd);
  }
}

forEachSetup('truncate', (h, setup) => {
  test('R-TRUNC-1 truncate grows a sparse file with zeros and shrinks it', async () => {
    const { fs, dir } = h();
    writeFile(fs, `${dir}/f`, '');
    await fs.promises.truncate(`${dir}/f`, 1234567);
    expect(fs.statSync(`${dir}/f`).size).toBe(1234567);
    expect(allZero(fs.readFileSync(`${dir}/f`))).toBe(true);
    await fs.promises.truncate(`${dir}/f`, 567);
    expect(fs.statSync(`${dir}/f`).size).toBe(567);
    await fs.promises.truncate(`${dir}/f`, 1);
    expect(fs.statSync(`${dir}/f`).size).toBe(1);
    expect([...fs.readFileSync(`${dir}/f`)]).toEqual([0]);
  });

  test('R-TRUNC-1 shrinking a filled file keeps the prefix; growing it again reads zeros past the old end', async () => {
    const { fs, dir } = h();
    const data = Buffer.alloc(1234567);
    for (let i = 0; i < data.length; i++) data[i] = (i % 251) + 1;
    writeFile(fs, `${dir}/f`, data);
    await fs.promises.truncate(`${dir}/f`, 567);
    expect(fs.readFileSync(`${dir}/f`)).toEqual(data.subarray(0, 567));
    await fs.promises.truncate(`${dir}/f`, 1234567);
    const back = fs.readFileSync(`${dir}/f`);
    expect(back.length).toBe(1234567);
    expect(back.subarray(0, 567)).toEqual(data.subarray(0, 567));
    expect(allZero(back.subarray(567))).toBe(true);
    // Shrinking inside a page, then growing, must not bring the old bytes back.
    await fs.promises.truncate(`${dir}/f`, 1);
    await fs.promises.truncate(`${dir}/f`, 10);
    expect([...readRange(fs, `${dir}/f`, 0, 10)]).toEqual([data[0], 0, 0, 0, 0, 0, 0, 0, 0, 0]);
  });

  test('R-TRUNC-1 ftruncate through a descriptor grows and shrinks', async () => {
    const { fs, dir } = h();
    writeFile(fs, `${dir}/f`, 'hello world');
    const fd = fs.openSync(`${dir}/f`, O_RDWR);
    fs.ftruncateSync(fd, 5);
    expect(fs.fstatSync(fd).size).toBe(5);
    fs.ftruncateSync(fd, 8);
    fs.closeSync(fd);
    expect(fs.readFileSync(`${dir}/f`)).toEqual(Buffer.from('hello\0\0\0'));
    const fh = await fs.promises.open(`${dir}/f`, 'r+');
    await fh.truncate(2);
    await fh.close();
    expect(readFile(fs, `${dir}/f`)).toBe('he');
  });

  test('R-TRUNC-2 truncate and ftruncate update mtime and ctime, even to the same size', async () => {
    const { fs, admin, dir } = h();
    writeFile(fs, `${dir}/f`, 'abc');
    const file = [{ path: `${dir}/f`, expect: { mtime: 'changed', ctime: 'changed', atime: 'same' } as const }];
    await expectTimesAround(admin, file, () => fs.promises.truncate(`${dir}/f`, 100));
    await expectTimesAround(admin, file, () => fs.promises.truncate(`${dir}/f`, 100));
    const fd = fs.openSync(`${dir}/f`, O_WRONLY);
    await expectTimesAround(admin, file, () => fs.ftruncateSync(fd, 1));
    await expectTimesAround(admin, file, () => fs.ftruncateSync(fd, 1));
    fs.closeSync(fd);
    writeFile(fs, `${dir}/empty`, '');
    await expectTimesAround(admin, [{ path: `${dir}/empty`, expect: { mtime: 'changed', ctime: 'changed' } }], () =>
      fs.promises.truncate(`${dir}/empty`, 0),
    );
  });

  test('R-TRUNC-3 without write permission truncate gives EACCES, even for the owner of a 0444 file; ctime stays', async () => {
    const harness = h();
    const u = unprivileged(harness, setup);
    const base = ownedDir(harness, `${harness.dir}/u`, u);
    createNode(harness, 'regular', `${base}/ro`, { uid: u.uid, gid: u.gid, mode: 0o644 });
    writeFile(harness.admin, `${base}/ro`, 'keep');
    harness.admin.chmodSync(`${base}/ro`, 0o444);
    createNode(harness, 'regular', `${base}/theirs`, { uid: 0, gid: 0, mode: 0o644 });
    await expectTimesAround(harness.admin, [{ path: `${base}/ro`, expect: { ctime: 'same', mtime: 'same' } }], async () => {
      await rejects(u.fs.promises.truncate(`${base}/ro`, 1), 'EACCES');
      await rejects(u.fs.promises.truncate(`${base}/theirs`, 1), 'EACCES');
    });
    expect(readFile(harness.admin, `${base}/ro`)).toBe('keep');
    // Root is not refused.
    await harness.admin.promises.truncate(`${base}/ro`, 1);
    expect(readFile(harness.admin, `${base}/ro`)).toBe('k');
  });

  test('R-TRUNC-4 truncate of a directory gives EISDIR', async () => {
    const { fs, dir } = h();
    fs.mkdirSync(`${dir}/d`);
    await rejects(fs.promises.truncate(`${dir}/d`, 0), 'EISDIR');
    throws(() => fs.truncateSync(`${dir}/d`, 0), 'EISDIR');
  });

  test('R-TRUNC-5 a huge length (999 999 999 999 999) succeeds with that size (Linux tmpfs), reading zeros', async () => {
    const { fs, dir } = h();
    writeFile(fs, `${dir}/f`, 'x');
    await fs.promises.truncate(`${dir}/f`, 999_999_999_999_999);
    expect(fs.statSync(`${dir}/f`).size).toBe(999_999_999_999_999);
    expect([...readRange(fs, `${dir}/f`, 999_999_999_999_990, 20)]).toEqual(new Array(9).fill(0));
    expect(readRange(fs, `${dir}/f`, 0, 1).toString()).toBe('x');
  });

  test('R-TRUNC-6 ftruncate on a read-only descriptor gives EINVAL and changes nothing', async () => {
    const { fs, admin, dir } = h();
    writeFile(fs, `${dir}/f`, 'abc');
    const fd = fs.openSync(`${dir}/f`, O_RDONLY);
    await expectTimesAround(admin, [{ path: `${dir}/f`, expect: { ctime: 'same', mtime: 'same' } }], () =>
      throws(() => fs.ftruncateSync(fd, 1), 'EINVAL'),
    );
    fs.closeSync(fd);
    const fh = await fs.promises.open(`${dir}/f`, 'r');
    await rejects(fh.truncate(0), 'EINVAL');
    await fh.close();
    expect(readFile(fs, `${dir}/f`)).toBe('abc');
  });

  test('R-TRUNC-7 ftruncate works on a descriptor from open(O_CREAT|O_RDWR, 0), for root and non-root', async () => {
    const harness = h();
    const callers: [string, Fs][] = [
      ['setup', harness.fs],
      ['root', harness.admin],
      ['user', harness.as(USER)],
    ];
    harness.admin.mkdirSync(`${harness.dir}/pub`, 0o777);
    harness.admin.chmodSync(`${harness.dir}/pub`, 0o777);
    for (const [name, fs] of callers) {
      const p = `${harness.dir}/pub/${name}`;
      const fd = fs.openSync(p, O_CREAT | O_RDWR, 0);
      fs.ftruncateSync(fd, 567);
      expect(fs.fstatSync(fd).size, name).toBe(567);
      fs.closeSync(fd);
    }
    const fh = await harness.as(USER).promises.open(`${harness.dir}/pub/fh`, O_CREAT | O_RDWR, 0);
    await fh.truncate(12);
    expect((await fh.stat()).size).toBe(12);
    await fh.close();
  });

  test('R-TRUNC-8 truncate(path): ENOTDIR, ENAMETOOLONG, ENOENT, EACCES (search) and ELOOP', async () => {
    const harness = h();
    const { fs, dir } = harness;
    writeFile(fs, `${dir}/f`, 'x');
    fs.symlinkSync('l2', `${dir}/l1`);
    fs.symlinkSync('l1', `${dir}/l2`);
    await rejects(fs.promises.truncate(`${dir}/f/x`, 0), 'ENOTDIR');
    await rejects(fs.promises.truncate(`${dir}/${'x'.repeat(256)}`, 0), 'ENAMETOOLONG');
    await rejects(fs.promises.truncate(`${dir}/missing`, 0), 'ENOENT');
    await rejects(fs.promises.truncate(`${dir}/missing/f`, 0), 'ENOENT');
    await rejects(fs.promises.truncate(`${dir}/l1/f`, 0), 'ELOOP');
    await rejects(fs.promises.truncate(`${dir}/l1`, 0), 'ELOOP');
    const u = unprivileged(harness, setup);
    const base = ownedDir(harness, `${dir}/u`, u);
    ownedDir(harness, `${base}/d`, u);
    createNode(harness, 'regular', `${base}/d/f`, { uid: u.uid, gid: u.gid });
    harness.admin.chmodSync(`${base}/d`, 0o644);
    await rejects(u.fs.promises.truncate(`${base}/d/f`, 0), 'EACCES');
  });

  test('R-TRUNC-9 Node: a negative length means 0, undefined means 0, a fraction ERR_OUT_OF_RANGE, a non-number ERR_INVALID_ARG_TYPE', async () => {
    const { fs, dir } = h();
    writeFile(fs, `${dir}/f`, 'abcdef');
    fs.truncateSync(`${dir}/f`, -5);
    expect(fs.statSync(`${dir}/f`).size).toBe(0);
    writeFile(fs, `${dir}/f`, 'abcdef');
    await fs.promises.truncate(`${dir}/f`, -1);
    expect(fs.statSync(`${dir}/f`).size).toBe(0);
    writeFile(fs, `${dir}/f`, 'abcdef');
    fs.truncateSync(`${dir}/f`);
    expect(fs.statSync(`${dir}/f`).size).toBe(0);
    writeFile(fs, `${dir}/f`, 'abcdef');
    const fd = fs.openSync(`${dir}/f`, O_RDWR);
    fs.ftruncateSync(fd, -3);
    expect(fs.fstatSync(fd).size).toBe(0);
    fs.closeSync(fd);
    throws(() => fs.truncateSync(`${dir}/f`, 1.5), 'ERR_OUT_OF_RANGE');
    throws(() => fs.truncateSync(`${dir}/f`, '1' as unknown as number), 'ERR_INVALID_ARG_TYPE');
  });

  test('R-TRUNC-9 Node: truncate of a missing file reports syscall "open"', async () => {
    const { fs, dir } = h();
    expect(() => fs.truncateSync(`${dir}/missing`, 1)).toThrow(
      expect.objectContaining({ code: 'ENOENT', syscall: 'open', path: `${dir}/missing` }),
    );
    await expect(fs.promises.truncate(`${dir}/missing`, 1)).rejects.toThrow(expect.objectContaining({ code: 'ENOENT', syscall: 'open' }));
  });
});
