/**
 * fs.ReadStream / fs.WriteStream over the vfs: Node's options (start, end,
 * highWaterMark, fd, autoClose, flags, mode, encoding, flush), events
 * ('open', 'ready', 'close'), counters and error paths.
 */
import { once } from 'node:events';
import { expect, test } from 'vitest';
import { createVfs } from '@actorvfs/core';

function setup() {
  const fs = createVfs().fs;
  fs.writeFileSync('/nums', '0123456789');
  return fs;
}

async function collect(stream: AsyncIterable<unknown>): Promise<string[]> {
  const out: string[] = [];
  for await (const c of stream) out.push(String(c));
  return out;
}

test('read stream: events, counters, pending, path', async () => {
  const fs = setup();
  const s = fs.createReadStream('/nums');
  expect(s).toBeInstanceOf(fs.ReadStream);
  expect(s.pending).toBe(true);
  const events: string[] = [];
  s.on('open', (fd: number) => events.push(`open:${typeof fd}`));
  s.on('ready', () => events.push('ready'));
  s.on('close', () => events.push('close'));
  expect((await collect(s)).join('')).toBe('0123456789');
  await new Promise((r) => setImmediate(r));
  expect(events).toEqual(['open:number', 'ready', 'close']);
  expect(s.bytesRead).toBe(10);
  expect(s.path).toBe('/nums');
  expect([s.flags, s.mode, s.start, s.end]).toEqual(['r', 0o666, undefined, Infinity]);
});

test('read stream: start/end are inclusive byte offsets; highWaterMark sizes chunks', async () => {
  const fs = setup();
  expect((await collect(fs.createReadStream('/nums', { start: 2, end: 5, encoding: 'utf8' }))).join('')).toBe('2345');
  expect(await collect(fs.createReadStream('/nums', { highWaterMark: 3 }))).toEqual(['012', '345', '678', '9']);
  expect((await collect(fs.createReadStream('/nums', { start: 9 }))).join('')).toBe('9');
  expect(() => fs.createReadStream('/nums', { start: -1 })).toThrow(
    'The value of "start" is out of range. It must be >= 0 && <= 9007199254740991. Received -1',
  );
  expect(() => fs.createReadStream('/nums', { start: 5, end: 2 })).toThrow('The value of "start" is out of range. It must be <= "end" (here: 2). Received 5');
});

test('read stream from a descriptor: autoClose decides who closes it', async () => {
  const fs = setup();
  const fd = fs.openSync('/nums', 'r');
  const s = fs.createReadStream(null as never, { fd, start: 8 });
  expect(s.path).toBeUndefined();
  expect((await collect(s)).join('')).toBe('89');
  await new Promise((r) => setImmediate(r));
  expect(() => fs.fstatSync(fd)).toThrow('EBADF');
  const fd2 = fs.openSync('/nums', 'r');
  const kept = fs.createReadStream(null as never, { fd: fd2, autoClose: false });
  expect((await collect(kept)).join('')).toBe('0123456789');
  expect(fs.fstatSync(fd2).size).toBe(10);
  fs.closeSync(fd2);
});

test('read stream errors: missing file, and close(cb)', async () => {
  const fs = setup();
  const s = fs.createReadStream('/nope');
  const [err] = (await once(s, 'error')) as [Error & { code: string; syscall: string }];
  expect(err.message).toBe("ENOENT: no such file or directory, open '/nope'");
  const c = fs.createReadStream('/nums');
  await new Promise<void>((resolve) => c.close(() => resolve()));
  expect(c.destroyed).toBe(true);
});

test('write stream: writes, writev, events, bytesWritten', async () => {
  const fs = setup();
  const s = fs.createWriteStream('/out');
  expect(s).toBeInstanceOf(fs.WriteStream);
  const events: string[] = [];
  s.on('open', () => events.push('open'));
  s.on('ready', () => events.push('ready'));
  s.on('finish', () => events.push('finish'));
  s.write('abc');
  s.cork();
  s.write(Buffer.from('d'));
  s.write('e');
  s.uncork();
  s.end('f');
  await once(s, 'close');
  expect(fs.readFileSync('/out', 'utf8')).toBe('abcdef');
  expect(events).toEqual(['open', 'ready', 'finish']);
  expect(s.bytesWritten).toBe(6);
  expect([s.flags, s.mode, s.pending]).toEqual(['w', 0o666, true]);
});

test('write stream: start with r+, append, encoding, mode, flush', async () => {
  const fs = setup();
  const r = fs.createWriteStream('/nums', { flags: 'r+', start: 2 });
  r.end('ab');
  await once(r, 'close');
  expect(fs.readFileSync('/nums', 'utf8')).toBe('01ab456789');
  const a = fs.createWriteStream('/nums', { flags: 'a' });
  a.end('Z');
  await once(a, 'close');
  expect(fs.readFileSync('/nums', 'utf8')).toBe('01ab456789Z');
  const h = fs.createWriteStream('/hex', { encoding: 'hex', mode: 0o600, flush: true });
  h.end('414243');
  await once(h, 'close');
  expect(fs.readFileSync('/hex', 'utf8')).toBe('ABC');
  expect(fs.statSync('/hex').mode & 0o777).toBe(0o600);
});

test('write stream: close(cb) ends it; a missing directory errors', async () => {
  const fs = setup();
  const s = fs.createWriteStream('/c');
  s.write('x');
  await new Promise<void>((resolve) => s.close(() => resolve()));
  expect(fs.readFileSync('/c', 'utf8')).toBe('x');
  const bad = fs.createWriteStream('/nope/x');
  const [err] = (await once(bad, 'error')) as [Error];
  expect(err.message).toBe("ENOENT: no such file or directory, open '/nope/x'");
});

test('streams act with the credentials of their fs object', async () => {
  const vfs = createVfs();
  vfs.fs.writeFileSync('/secret', 's', { mode: 0o600 });
  const user = vfs.context({ uid: 1000, gid: 1000 });
  const s = user.createReadStream('/secret');
  const [err] = (await once(s, 'error')) as [Error & { code: string }];
  expect(err.code).toBe('EACCES');
});

test('pipeline between two files', async () => {
  const fs = setup();
  const { pipeline } = await import('node:stream/promises');
  const big = Buffer.alloc(200000, 5);
  fs.writeFileSync('/big', big);
  await pipeline(fs.createReadStream('/big', { highWaterMark: 4096 }), fs.createWriteStream('/copy'));
  expect(fs.readFileSync('/copy').equals(big)).toBe(true);
});
