/**
 * hostfs file data: what one side writes the other reads (VFS -> host and
 * host -> VFS), at positions (pread/pwrite), with O_APPEND, past EOF
 * (zero-filled), in bulk, through streams and FileHandles, and through an
 * open file whose name is gone.
 */

import { randomBytes } from 'node:crypto';
import { pipeline } from 'node:stream/promises';
import { expect, test } from 'vitest';
import { MNT, nodeFs, useHostSetup } from './helpers.js';

const setup = useHostSetup();

test('written through the VFS, read on the host, and the other way round', async () => {
  const { fs, root } = setup();
  fs.writeFileSync(`${MNT}/a.txt`, 'from the vfs');
  expect(nodeFs.readFileSync(`${root}/a.txt`, 'utf8')).toBe('from the vfs');
  nodeFs.writeFileSync(`${root}/b.txt`, 'from the host');
  expect(fs.readFileSync(`${MNT}/b.txt`, 'utf8')).toBe('from the host');
  await fs.promises.writeFile(`${MNT}/c.txt`, 'promised');
  expect(nodeFs.readFileSync(`${root}/c.txt`, 'utf8')).toBe('promised');
  expect(await fs.promises.readFile(`${MNT}/b.txt`, 'utf8')).toBe('from the host');
});

test('pread and pwrite at positions; writes past EOF leave zeros', () => {
  const { fs, root } = setup();
  nodeFs.writeFileSync(`${root}/f`, 'abcdefgh');
  const fd = fs.openSync(`${MNT}/f`, 'r+');
  try {
    const buf = Buffer.alloc(3);
    expect(fs.readSync(fd, buf, 0, 3, 2)).toBe(3);
    expect(buf.toString()).toBe('cde');
    expect(fs.writeSync(fd, Buffer.from('XY'), 0, 2, 6)).toBe(2);
    expect(nodeFs.readFileSync(`${root}/f`, 'utf8')).toBe('abcdefXY');
    expect(fs.writeSync(fd, Buffer.from('Z'), 0, 1, 12)).toBe(1);
    expect(nodeFs.readFileSync(`${root}/f`)).toEqual(Buffer.from('abcdefXY\0\0\0\0Z'));
    // Sequential reads and writes use and move the file offset.
    expect(fs.readSync(fd, buf, 0, 3, null)).toBe(3);
    expect(buf.toString()).toBe('abc');
    fs.writeSync(fd, 'Q');
    expect(nodeFs.readFileSync(`${root}/f`, 'utf8').slice(0, 4)).toBe('abcQ');
  } finally {
    fs.closeSync(fd);
  }
});

test('O_APPEND writes at the end, even when the host grew the file meanwhile', () => {
  const { fs, root } = setup();
  nodeFs.writeFileSync(`${root}/log`, 'one\n');
  const fd = fs.openSync(`${MNT}/log`, 'a');
  try {
    fs.writeSync(fd, 'two\n');
    nodeFs.appendFileSync(`${root}/log`, 'host\n');
    fs.writeSync(fd, 'three\n', 0); // a position is ignored with O_APPEND
    expect(nodeFs.readFileSync(`${root}/log`, 'utf8')).toBe('one\ntwo\nhost\nthree\n');
  } finally {
    fs.closeSync(fd);
  }
  const rw = fs.openSync(`${MNT}/log`, 'a+');
  try {
    fs.writeSync(rw, 'four\n');
    expect(fs.fstatSync(rw).size).toBe(24);
  } finally {
    fs.closeSync(rw);
  }
});

test('bulk data round-trips byte for byte, through streams too', async () => {
  const { fs, root } = setup();
  const data = randomBytes(3 * 1024 * 1024 + 17);
  fs.writeFileSync(`${MNT}/big`, data);
  expect(nodeFs.readFileSync(`${root}/big`).equals(data)).toBe(true);
  nodeFs.writeFileSync(`${root}/big2`, data);
  expect(fs.readFileSync(`${MNT}/big2`).equals(data)).toBe(true);
  await pipeline(fs.createReadStream(`${MNT}/big2`), fs.createWriteStream(`${MNT}/copy`));
  expect(nodeFs.readFileSync(`${root}/copy`).equals(data)).toBe(true);
  fs.copyFileSync(`${MNT}/copy`, `${MNT}/copy2`);
  expect(nodeFs.readFileSync(`${root}/copy2`).equals(data)).toBe(true);
  fs.copyFileSync(`${MNT}/copy2`, '/in-tmpfs');
  expect(fs.readFileSync('/in-tmpfs').equals(data)).toBe(true);
});

test('FileHandle: read, write, sync, stat, truncate', async () => {
  const { fs, root } = setup();
  const fh = await fs.promises.open(`${MNT}/h`, 'w+');
  try {
    await fh.write('hello world');
    await fh.sync();
    await fh.datasync();
    expect((await fh.stat()).size).toBe(11);
    await fh.truncate(5);
    const buf = Buffer.alloc(10);
    const { bytesRead } = await fh.read(buf, 0, 10, 0);
    expect(buf.subarray(0, bytesRead).toString()).toBe('hello');
  } finally {
    await fh.close();
  }
  expect(nodeFs.readFileSync(`${root}/h`, 'utf8')).toBe('hello');
});

test('an open file stays readable, writable and stat-able after its name is removed', () => {
  const { fs, root } = setup();
  fs.writeFileSync(`${MNT}/tmp`, 'still here');
  const fd = fs.openSync(`${MNT}/tmp`, 'r+');
  try {
    fs.unlinkSync(`${MNT}/tmp`);
    expect(nodeFs.existsSync(`${root}/tmp`)).toBe(false);
    const buf = Buffer.alloc(10);
    expect(fs.readSync(fd, buf, 0, 10, 0)).toBe(10);
    expect(buf.toString()).toBe('still here');
    fs.writeSync(fd, '!', 10);
    const st = fs.fstatSync(fd);
    expect([st.size, st.nlink]).toEqual([11, 0]);
    fs.ftruncateSync(fd, 5);
    fs.fchmodSync(fd, 0o600);
    expect(fs.fstatSync(fd).size).toBe(5);
    expect(fs.fstatSync(fd).mode & 0o777).toBe(0o600);
  } finally {
    fs.closeSync(fd);
  }
});

test('a file renamed on the host stays usable through its open descriptor', () => {
  const { fs, root } = setup();
  nodeFs.writeFileSync(`${root}/before`, 'data');
  const fd = fs.openSync(`${MNT}/before`, 'r+');
  try {
    nodeFs.renameSync(`${root}/before`, `${root}/after`);
    fs.writeSync(fd, 'DATA', 0);
    expect(nodeFs.readFileSync(`${root}/after`, 'utf8')).toBe('DATA');
    expect(fs.fstatSync(fd).size).toBe(4);
    expect(fs.statSync(`${MNT}/after`).ino).toBe(fs.fstatSync(fd).ino);
  } finally {
    fs.closeSync(fd);
  }
});
