/**
 * fs.promises.open's FileHandle: Node's read/write forms and null-prototype
 * results, the whole-file helpers at the handle's offset, close() waiting
 * for operations in flight, EBADF 'file closed' after close, asyncDispose.
 */
import { expect, test } from 'vitest';
import { createVfs } from '@actorvfs/core';

async function setup() {
  const fs = createVfs().fs;
  fs.writeFileSync('/f', 'hello world');
  const fh = await fs.promises.open('/f', 'r+');
  return { fs, fh };
}

test('read forms: default buffer, positional, options, buffer + options', async () => {
  const { fh } = await setup();
  const r = await fh.read();
  expect(Object.getPrototypeOf(r)).toBeNull();
  expect(r.bytesRead).toBe(11);
  expect((r.buffer as Buffer).length).toBe(16384);
  const r2 = await fh.read(Buffer.alloc(3), 0, 3, 0);
  expect((r2.buffer as Buffer).toString()).toBe('hel');
  const r3 = await fh.read({ buffer: Buffer.alloc(4), position: 1 });
  expect([r3.bytesRead, (r3.buffer as Buffer).toString()]).toEqual([4, 'ello']);
  const r4 = await fh.read(Buffer.alloc(4), { position: 6, length: 2 });
  expect([r4.bytesRead, (r4.buffer as Buffer).subarray(0, 2).toString()]).toEqual([2, 'wo']);
  expect((await fh.read(Buffer.alloc(3), 0, 0)).bytesRead).toBe(0);
  await expect(fh.read('x' as never)).rejects.toThrow('The "options" argument must be of type object. Received type string (\'x\')');
  await expect(fh.read(Buffer.alloc(3), 5)).rejects.toThrow('The value of "length" is out of range. It must be >= 0. Received -2');
});

test('write forms and results', async () => {
  const { fs, fh } = await setup();
  const w1 = await fh.write('HE', 0);
  expect(Object.getPrototypeOf(w1)).toBeNull();
  expect({ ...w1 }).toEqual({ bytesWritten: 2, buffer: 'HE' });
  const b = Buffer.from('L');
  expect({ ...(await fh.write(b, 0, 1, 2)) }).toEqual({ bytesWritten: 1, buffer: b });
  expect((await fh.write(Buffer.from('xxO'), { offset: 2, position: 4 })).bytesWritten).toBe(1);
  expect((await fh.write(Buffer.alloc(0))).bytesWritten).toBe(0);
  expect((await fh.write('')).bytesWritten).toBe(0);
  expect(fs.readFileSync('/f', 'utf8')).toBe('HELlO world');
  await expect(fh.write(5 as never)).rejects.toMatchObject({ code: 'ERR_INVALID_ARG_TYPE' });
  const rv = [Buffer.alloc(2), Buffer.alloc(2)];
  expect({ ...(await fh.readv(rv, 0)) }).toEqual({ bytesRead: 4, buffers: rv });
  const wv = [Buffer.from('!')];
  expect({ ...(await fh.writev(wv, 11)) }).toEqual({ bytesWritten: 1, buffers: wv });
  expect(fs.readFileSync('/f', 'utf8')).toBe('HELlO world!');
});

test('stat, truncate, chmod, chown, utimes, sync, datasync', async () => {
  const { fs, fh } = await setup();
  expect((await fh.stat()).size).toBe(11);
  expect(typeof (await fh.stat({ bigint: true })).size).toBe('bigint');
  await fh.truncate(-5);
  expect((await fh.stat()).size).toBe(0);
  await expect(fh.truncate('1' as never)).rejects.toThrow('The "len" argument must be of type number');
  await fh.chmod('600');
  await fh.chown(3, 4);
  await fh.utimes(10, new Date(20000));
  await fh.sync();
  await fh.datasync();
  const s = fs.statSync('/f');
  expect([s.mode & 0o777, s.uid, s.gid, s.atimeMs, s.mtimeMs]).toEqual([0o600, 3, 4, 10000, 20000]);
  await expect(fh.utimes('x' as never, 1)).rejects.toThrow('The "atime" argument must be an instance of Date or an Time in seconds');
});

test('readFile and writeFile work from the current offset', async () => {
  const { fs, fh } = await setup();
  await fh.read(Buffer.alloc(6), 0, 6, null);
  expect(await fh.readFile('utf8')).toBe('world');
  await fh.writeFile('!!');
  expect(fs.readFileSync('/f', 'utf8')).toBe('hello world!!');
  await fh.appendFile(['a', Buffer.from('b')]);
  expect(fs.readFileSync('/f', 'utf8')).toBe('hello world!!ab');
  expect(await fs.promises.readFile(fh, 'utf8')).toBe('');
  const fh2 = await fs.promises.open('/g', 'w');
  await fs.promises.writeFile(fh2, 'via handle');
  await fh2.close();
  expect(fs.readFileSync('/g', 'utf8')).toBe('via handle');
});

test('after close: fd is -1, every method rejects with EBADF "file closed"', async () => {
  const { fh } = await setup();
  let closes = 0;
  fh.on('close', () => closes++);
  await fh.close();
  expect(fh.fd).toBe(-1);
  expect(closes).toBe(1);
  const expected: [() => Promise<unknown>, string][] = [
    [() => fh.stat(), 'fstat'],
    [() => fh.read(), 'read'],
    [() => fh.write('x'), 'write'],
    [() => fh.truncate(), 'ftruncate'],
    [() => fh.sync(), 'fsync'],
    [() => fh.datasync(), 'fdatasync'],
    [() => fh.chmod(0o644), 'fchmod'],
    [() => fh.readFile(), 'readFile'],
    [() => fh.writeFile('x'), 'writeFile'],
    [() => fh.appendFile('x'), 'writeFile'],
  ];
  for (const [fn, syscall] of expected) {
    const e = (await fn().catch((x: unknown) => x)) as Error & { code: string; syscall: string };
    expect(e.message).toBe('file closed');
    expect(e.code).toBe('EBADF');
    expect(e.syscall).toBe(syscall);
  }
  await fh.close();
  expect(closes).toBe(1);
});

test('close waits for operations in flight; asyncDispose closes', async () => {
  const { fs } = await setup();
  const fh = await fs.promises.open('/f');
  const fd = fh.fd;
  const reading = fh.read();
  const closing = fh.close();
  expect((await reading).bytesRead).toBe(11);
  await closing;
  expect(() => fs.fstatSync(fd)).toThrow('EBADF');
  const fh2 = await fs.promises.open('/f');
  await fh2[Symbol.asyncDispose]();
  expect(fh2.fd).toBe(-1);
});

test('kernel errors from a handle are Node-shaped', async () => {
  const { fs } = await setup();
  const ro = await fs.promises.open('/f', 'r');
  await expect(ro.write('x')).rejects.toThrow('EBADF: bad file descriptor, write');
  await ro.close();
  await expect(fs.promises.open('/nope')).rejects.toThrow("ENOENT: no such file or directory, open '/nope'");
  await expect(fs.promises.open('/f', 'wx')).rejects.toMatchObject({ code: 'EEXIST', syscall: 'open', path: '/f' });
});

test('readLines and createReadStream on a handle', async () => {
  const { fs } = await setup();
  fs.writeFileSync('/lines', 'a\nb\r\nc');
  const fh = await fs.promises.open('/lines');
  const lines: string[] = [];
  for await (const line of fh.readLines()) lines.push(line);
  expect(lines).toEqual(['a', 'b', 'c']);
  expect(fh.fd).toBe(-1);
  const fh2 = await fs.promises.open('/f');
  let text = '';
  for await (const chunk of fh2.createReadStream({ encoding: 'utf8', start: 6 })) text += chunk as string;
  expect(text).toBe('world');
  const fh3 = await fs.promises.open('/out', 'w');
  const ws = fh3.createWriteStream();
  await new Promise<void>((resolve) => ws.end('streamed', () => resolve()));
  await new Promise((resolve) => ws.on('close', resolve));
  expect(fs.readFileSync('/out', 'utf8')).toBe('streamed');
  expect(fh3.fd).toBe(-1);
});

test('readableWebStream yields the bytes from the offset and leaves the handle open', async () => {
  const { fh } = await setup();
  await fh.read(Buffer.alloc(6), 0, 6, null);
  const chunks: Uint8Array[] = [];
  for await (const c of fh.readableWebStream()) chunks.push(c);
  expect(Buffer.concat(chunks).toString()).toBe('world');
  expect(fh.fd).not.toBe(-1);
  await fh.close();
});
