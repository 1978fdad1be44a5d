/**
 * Data paths: read/write with Node's argument forms (offset/length/position,
 * options objects, strings with encodings), vectored I/O, and the
 * whole-file helpers readFile/writeFile/appendFile/truncate/copyFile.
 */
import { expect, test } from 'vitest';
import { createVfs } from '@actorvfs/core';

function setup() {
  const fs = createVfs().fs;
  fs.writeFileSync('/f', '0123456789');
  return fs;
}

test('readSync: explicit position leaves the offset; null/-1 reads at and advances it', () => {
  const fs = setup();
  const fd = fs.openSync('/f', 'r');
  const b = Buffer.alloc(4);
  expect(fs.readSync(fd, b, 0, 4, 6)).toBe(4);
  expect(b.toString()).toBe('6789');
  expect(fs.readSync(fd, b, 0, 2, null)).toBe(2);
  expect(b.subarray(0, 2).toString()).toBe('01');
  expect(fs.readSync(fd, b, 0, 2, -1)).toBe(2);
  expect(b.subarray(0, 2).toString()).toBe('23');
  expect(fs.readSync(fd, b, 0, 4, 1n)).toBe(4);
  expect(b.toString()).toBe('1234');
  expect(fs.readSync(fd, b, 0, 4, 100)).toBe(0);
});

test('readSync: options object, defaults, zero lengths, typed arrays', () => {
  const fs = setup();
  const fd = fs.openSync('/f', 'r');
  const b = Buffer.alloc(6, 0x2e);
  expect(fs.readSync(fd, b, { offset: 1, length: 3, position: 2 })).toBe(3);
  expect(b.toString()).toBe('.234..');
  expect(fs.readSync(fd, Buffer.alloc(4), { position: 8 })).toBe(2);
  expect(fs.readSync(fd, Buffer.alloc(4), 0, 0, 0)).toBe(0);
  expect(fs.readSync(fd, Buffer.alloc(0), 0, 0, 0)).toBe(0);
  expect(() => fs.readSync(fd, Buffer.alloc(0), 0, 1, 0)).toThrow("The argument 'buffer' is empty and cannot be written. Received <Buffer >");
  const u16 = new Uint16Array(2);
  expect(fs.readSync(fd, u16, 0, 4, 0)).toBe(4);
  expect(Buffer.from(u16.buffer).toString()).toBe('0123');
  expect(() => fs.readSync(fd, Buffer.alloc(2), 0, 5, 0)).toThrow('The value of "length" is out of range. It must be <= 2. Received 5');
  expect(() => fs.readSync(fd, Buffer.alloc(2), 3, 1, 0)).toThrow('The value of "length" is out of range. It must be <= -1. Received 1');
  expect(() => fs.readSync(fd, Buffer.alloc(2), 0, 1, -2)).toThrow(
    'The value of "position" is out of range. It must be >= -1 && <= 9007199254740991. Received -2',
  );
  expect(() => fs.readSync(fd, Buffer.alloc(4), 0 as never)).toThrow('The "options" argument must be of type object. Received type number (0)');
});

test('writeSync: buffers with offset/length/position, strings with position and encoding', () => {
  const fs = setup();
  const fd = fs.openSync('/f', 'r+');
  expect(fs.writeSync(fd, Buffer.from('abcdef'), 2, 3, 0)).toBe(3);
  expect(fs.writeSync(fd, 'XY', 5)).toBe(2);
  expect(fs.writeSync(fd, '5a5a', 8, 'hex')).toBe(2);
  expect(fs.readFileSync('/f', 'latin1')).toBe('cde34XY7Z' + 'Z');
  expect(fs.writeSync(fd, Buffer.from('zz'), { offset: 1, position: 0 })).toBe(1);
  expect(fs.readFileSync('/f', 'utf8')[0]).toBe('z');
  // non-integer or non-number positions mean "at the file offset"
  const fd2 = fs.openSync('/g', 'w+');
  fs.writeSync(fd2, 'ab');
  fs.writeSync(fd2, Buffer.from('c'), 0, 1, 1.5);
  fs.writeSync(fd2, Buffer.from('d'), 0, 1, '0' as never);
  expect(fs.readFileSync('/g', 'utf8')).toBe('abcd');
  expect(fs.writeSync(fd2, Buffer.alloc(0))).toBe(0);
  expect(() => fs.writeSync(fd2, 'abc', 0, 'hex')).toThrow("The argument 'encoding' is invalid for data of length 3. Received 'hex'");
  expect(() => fs.writeSync(fd2, Buffer.from('ab'), 3)).toThrow('The value of "offset" is out of range. It must be <= 2. Received 3');
  expect(() => fs.writeSync(fd2, 5 as never)).toThrow(
    'The "buffer" argument must be of type string or an instance of Buffer, TypedArray, or DataView. Received type number (5)',
  );
});

test('O_APPEND writes go to the end whatever the position', () => {
  const fs = setup();
  const fd = fs.openSync('/f', 'a');
  fs.writeSync(fd, 'A', 0);
  fs.writeSync(fd, 'B');
  expect(fs.readFileSync('/f', 'utf8')).toBe('0123456789AB');
});

test('readvSync/writevSync', () => {
  const fs = setup();
  const fd = fs.openSync('/f', 'r+');
  const a = Buffer.alloc(3);
  const b = Buffer.alloc(4);
  expect(fs.readvSync(fd, [a, b], 2)).toBe(7);
  expect([a.toString(), b.toString()]).toEqual(['234', '5678']);
  expect(fs.writevSync(fd, [Buffer.from('ab'), new Uint8Array([0x63])], 0)).toBe(3);
  expect(fs.readFileSync('/f', 'utf8')).toBe('abc3456789');
  expect(fs.writevSync(fd, [])).toBe(0);
  expect(() => fs.readvSync(fd, [])).toThrow('EINVAL: invalid argument, read');
  expect(() => fs.readvSync(fd, [Buffer.alloc(1), 'x' as never])).toThrow('The "buffers" argument must be an ArrayBufferView[]. Received an instance of Array');
});

test('readFile/writeFile/appendFile with encodings, flags, modes and descriptors', () => {
  const fs = setup();
  expect(fs.readFileSync('/f', 'utf8')).toBe('0123456789');
  expect(fs.readFileSync('/f', { encoding: 'hex' })).toBe('30313233343536373839');
  expect(fs.readFileSync('/made', { flag: 'a+', encoding: 'utf8' })).toBe('');
  expect(fs.existsSync('/made')).toBe(true);
  expect(() => fs.readFileSync('/f', { flag: 'ax+' })).toThrow("EEXIST: file already exists, open '/f'");
  fs.writeFileSync('/w', 'é', 'latin1');
  expect(fs.readFileSync('/w')).toEqual(Buffer.from([0xe9]));
  fs.writeFileSync('/w', new Uint16Array([0x6261]));
  expect(fs.readFileSync('/w', 'utf8')).toBe('ab');
  fs.writeFileSync('/m', 'x', { mode: 0o600 });
  expect(fs.statSync('/m').mode & 0o777).toBe(0o600);
  fs.writeFileSync('/w', 'more', { flag: 'a' });
  expect(fs.readFileSync('/w', 'utf8')).toBe('abmore');
  fs.appendFileSync('/ap', 'a');
  fs.appendFileSync('/ap', Buffer.from('b'));
  expect(fs.readFileSync('/ap', 'utf8')).toBe('ab');
  // a descriptor: not closed, read from and written at its offset
  const fd = fs.openSync('/f', 'r+');
  fs.readSync(fd, Buffer.alloc(4), 0, 4, null);
  expect(fs.readFileSync(fd, 'utf8')).toBe('456789');
  fs.writeFileSync(fd, 'END');
  expect(fs.readFileSync('/f', 'utf8')).toBe('0123456789END');
  fs.fstatSync(fd);
  const big = Buffer.alloc(300000, 7);
  fs.writeFileSync('/big', big);
  expect(fs.readFileSync('/big').equals(big)).toBe(true);
});

test('truncate and ftruncate shrink, grow with zeros, and default to 0', () => {
  const fs = setup();
  fs.truncateSync('/f', 4);
  expect(fs.readFileSync('/f', 'utf8')).toBe('0123');
  fs.truncateSync('/f', 6);
  expect(fs.readFileSync('/f')).toEqual(Buffer.from('0123\0\0'));
  const fd = fs.openSync('/f', 'r+');
  fs.ftruncateSync(fd, 2);
  expect(fs.readFileSync('/f', 'utf8')).toBe('01');
  fs.ftruncateSync(fd);
  expect(fs.statSync('/f').size).toBe(0);
  fs.writeFileSync('/g', 'abc');
  fs.truncateSync('/g');
  expect(fs.statSync('/g').size).toBe(0);
});

test('copyFile copies content and mode, EXCL refuses an existing dest, copying onto itself is a no-op', () => {
  const fs = setup();
  fs.chmodSync('/f', 0o640);
  fs.writeFileSync('/dst', 'old content that is longer');
  fs.chmodSync('/dst', 0o600);
  fs.copyFileSync('/f', '/dst');
  expect(fs.readFileSync('/dst', 'utf8')).toBe('0123456789');
  expect(fs.statSync('/dst').mode & 0o777).toBe(0o640);
  expect(() => fs.copyFileSync('/f', '/dst', fs.constants.COPYFILE_EXCL)).toThrow("EEXIST: file already exists, copyfile '/f' -> '/dst'");
  fs.copyFileSync('/f', '/f');
  expect(fs.readFileSync('/f', 'utf8')).toBe('0123456789');
  fs.mkdirSync('/d');
  expect(() => fs.copyFileSync('/d', '/x')).toThrow("EISDIR: illegal operation on a directory, copyfile '/d' -> '/x'");
  expect(() => fs.copyFileSync('/f', '/d')).toThrow("EISDIR: illegal operation on a directory, copyfile '/f' -> '/d'");
  const big = Buffer.alloc(3 << 20, 9);
  fs.writeFileSync('/big', big);
  fs.copyFileSync('/big', '/big2');
  expect(fs.readFileSync('/big2').equals(big)).toBe(true);
});

test('promise forms of the whole-file helpers', async () => {
  const fs = setup();
  const P = fs.promises;
  await P.writeFile('/p', ['a', Buffer.from('b')]);
  expect(await P.readFile('/p', 'utf8')).toBe('ab');
  await P.writeFile('/p', (async function* () {
    yield 'x';
    yield new Uint8Array([0x79]);
  })());
  expect(await P.readFile('/p', 'utf8')).toBe('xy');
  await P.appendFile('/p', 'z');
  await P.truncate('/p', 2);
  expect(await P.readFile('/p', 'utf8')).toBe('xy');
  await P.copyFile('/p', '/q');
  expect(fs.readFileSync('/q', 'utf8')).toBe('xy');
  await expect(P.readFile('/p', { signal: AbortSignal.abort() })).rejects.toMatchObject({ name: 'AbortError', code: 'ABORT_ERR' });
  await expect(P.writeFile('/p', 5 as never)).rejects.toMatchObject({ code: 'ERR_INVALID_ARG_TYPE' });
});

test('openAsBlob snapshots the file into a Blob', async () => {
  const fs = setup();
  const blob = await fs.openAsBlob('/f', { type: 'text/plain' });
  expect(blob.size).toBe(10);
  expect(blob.type).toBe('text/plain');
  expect(await blob.text()).toBe('0123456789');
  expect(() => fs.openAsBlob('/nope')).toThrow(/ENOENT/);
});
