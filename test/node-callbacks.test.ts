/**
 * The callback API: callbacks run on a later tick with `this` undefined,
 * get `(err)` / `(null, result)` (or Node's several results for read and
 * write), and an exception thrown by a callback is not swallowed.
 */
import { expect, test } from 'vitest';
import { createVfs } from '@actorvfs/core';

type Args = { args: unknown[]; self: unknown; sync: boolean };

function call(start: (cb: (...args: unknown[]) => void) => void): Promise<Args> {
  return new Promise((resolve) => {
    let sync = true;
    start(function (this: unknown, ...args: unknown[]) {
      resolve({ args, self: this, sync });
    });
    sync = false;
  });
}

function setup() {
  const fs = createVfs().fs;
  fs.writeFileSync('/f', 'hello');
  return fs;
}

test('callbacks are asynchronous and called with this undefined', async () => {
  const fs = setup();
  const r = await call((cb) => fs.stat('/f', cb));
  expect(r.sync).toBe(false);
  expect(r.self).toBeUndefined();
  expect(r.args[0]).toBeNull();
  expect((r.args[1] as { size: number }).size).toBe(5);
  const e = await call((cb) => fs.stat('/nope', cb));
  expect(e.sync).toBe(false);
  expect(e.args).toHaveLength(1);
  expect((e.args[0] as Error).message).toBe("ENOENT: no such file or directory, stat '/nope'");
});

test('void operations call back with (null) only; mkdir -p passes the first directory made', async () => {
  const fs = setup();
  expect((await call((cb) => fs.mkdir('/d', cb))).args).toEqual([null]);
  expect((await call((cb) => fs.mkdir('/e/f/g', { recursive: true }, cb))).args).toEqual([null, '/e']);
  expect((await call((cb) => fs.access('/f', cb))).args).toEqual([null]);
  expect((await call((cb) => fs.writeFile('/w', 'x', cb))).args).toEqual([null]);
  expect((await call((cb) => fs.readFile('/w', 'utf8', cb))).args).toEqual([null, 'x']);
  expect((await call((cb) => fs.exists('/w', cb))).args).toEqual([true]);
  expect((await call((cb) => fs.exists('/nope', cb))).args).toEqual([false]);
});

test('read, write, readv, writev pass (err, count, buffer)', async () => {
  const fs = setup();
  const fd = fs.openSync('/f', 'r+');
  const buf = Buffer.alloc(5);
  const r = await call((cb) => fs.read(fd, buf, 0, 5, 0, cb));
  expect(r.args).toEqual([null, 5, buf]);
  expect(buf.toString()).toBe('hello');
  const r2 = await call((cb) => fs.read(fd, cb));
  expect(r2.args[0]).toBeNull();
  expect((r2.args[2] as Buffer).length).toBe(16384);
  const r3 = await call((cb) => fs.read(fd, { buffer: Buffer.alloc(3), position: 1 }, cb));
  expect(r3.args[1]).toBe(3);
  expect((r3.args[2] as Buffer).toString()).toBe('ell');
  const r4 = await call((cb) => fs.read(fd, Buffer.alloc(5), { position: 3 }, cb));
  expect(r4.args[1]).toBe(2);
  // with six arguments, a null offset means 0, not "options"
  const nb = Buffer.alloc(5);
  const r5 = await call((cb) => fs.read(fd, nb, null, 2, 0, cb));
  expect(r5.args[1]).toBe(2);
  expect(nb.subarray(0, 2).toString()).toBe('he');
  const w = await call((cb) => fs.write(fd, 'HE', 0, cb));
  expect(w.args).toEqual([null, 2, 'HE']);
  const wb = Buffer.from('L');
  expect((await call((cb) => fs.write(fd, wb, 0, 1, 2, cb))).args).toEqual([null, 1, wb]);
  const bufs = [Buffer.alloc(2), Buffer.alloc(3)];
  expect((await call((cb) => fs.readv(fd, bufs, 0, cb))).args).toEqual([null, 5, bufs]);
  expect(Buffer.concat(bufs).toString()).toBe('HELlo');
  const wv = [Buffer.from('!')];
  expect((await call((cb) => fs.writev(fd, wv, 5, cb))).args).toEqual([null, 1, wv]);
  expect(fs.readFileSync('/f', 'utf8')).toBe('HELlo!');
});

test('descriptor operations in callback form', async () => {
  const fs = setup();
  const opened = await call((cb) => fs.open('/f', 'r+', cb));
  const fd = opened.args[1] as number;
  expect(typeof fd).toBe('number');
  expect((await call((cb) => fs.fstat(fd, cb))).args[0]).toBeNull();
  expect((await call((cb) => fs.ftruncate(fd, 2, cb))).args).toEqual([null]);
  expect((await call((cb) => fs.fchmod(fd, 0o600, cb))).args).toEqual([null]);
  expect((await call((cb) => fs.futimes(fd, 1, 2, cb))).args).toEqual([null]);
  expect((await call((cb) => fs.fsync(fd, cb))).args).toEqual([null]);
  expect((await call((cb) => fs.fdatasync(fd, cb))).args).toEqual([null]);
  expect((await call((cb) => fs.fchown(fd, 7, 8, cb))).args).toEqual([null]);
  const st = fs.statSync('/f');
  expect([st.size, st.mode & 0o777, st.mtimeMs, st.uid, st.gid]).toEqual([2, 0o600, 2000, 7, 8]);
  expect((await call((cb) => fs.truncate(fd, 1, cb))).args).toEqual([null]);
  expect((await call((cb) => fs.close(fd, cb))).args).toEqual([null]);
  const bad = await call((cb) => fs.close(fd, cb));
  expect((bad.args[0] as Error).message).toBe('EBADF: bad file descriptor, close');
});

test('path operations in callback form', async () => {
  const fs = setup();
  expect((await call((cb) => fs.symlink('/f', '/l', cb))).args).toEqual([null]);
  expect((await call((cb) => fs.readlink('/l', cb))).args).toEqual([null, '/f']);
  expect((await call((cb) => fs.realpath('/l', cb))).args).toEqual([null, '/f']);
  expect((await call((cb) => fs.realpath.native('/l', cb))).args).toEqual([null, '/f']);
  expect((await call((cb) => fs.link('/f', '/h', cb))).args).toEqual([null]);
  expect((await call((cb) => fs.rename('/h', '/h2', cb))).args).toEqual([null]);
  const listed = await call((cb) => fs.readdir('/', cb));
  expect(listed.args[0]).toBeNull();
  expect((listed.args[1] as string[]).sort()).toEqual(['f', 'h2', 'l']);
  expect((await call((cb) => fs.chmod('/h2', '600', cb))).args).toEqual([null]);
  expect((await call((cb) => fs.utimes('/h2', 5, 6, cb))).args).toEqual([null]);
  expect((await call((cb) => fs.copyFile('/f', '/c', cb))).args).toEqual([null]);
  expect((await call((cb) => fs.unlink('/c', cb))).args).toEqual([null]);
  expect((await call((cb) => fs.truncate('/f', cb))).args).toEqual([null]);
  const mk = await call((cb) => fs.mkdtemp('/t-', cb));
  expect(mk.args[1]).toMatch(/^\/t-[A-Za-z0-9]{6}$/);
  expect((await call((cb) => fs.rmdir(mk.args[1] as string, cb))).args).toEqual([null]);
  const realpathMissing = await call((cb) => fs.realpath('/nope/x', cb));
  expect((realpathMissing.args[0] as Error).message).toBe("ENOENT: no such file or directory, lstat '/nope'");
  const opendir = await call((cb) => fs.opendir('/', cb));
  expect(opendir.args[1]).toBeInstanceOf(fs.Dir);
});

test('an exception thrown by a callback becomes an uncaught exception', async () => {
  const fs = setup();
  const boom = new Error('boom');
  const seen = new Promise<unknown>((resolve) => {
    const listeners = process.listeners('uncaughtException');
    process.removeAllListeners('uncaughtException');
    process.once('uncaughtException', (e) => {
      for (const l of listeners) process.on('uncaughtException', l);
      resolve(e);
    });
  });
  fs.stat('/f', () => {
    throw boom;
  });
  expect(await seen).toBe(boom);
});

test('close without a callback is allowed', async () => {
  const fs = setup();
  const fd = fs.openSync('/f', 'r');
  fs.close(fd);
  await new Promise((r) => setImmediate(r));
  expect(() => fs.fstatSync(fd)).toThrow('EBADF');
});

test('util.promisify gives Node\'s result objects for read/write and a boolean for exists', async () => {
  const util = await import('node:util');
  const promisify = util.promisify as unknown as (fn: unknown) => (...args: unknown[]) => Promise<unknown>;
  const fs = setup();
  const fd = fs.openSync('/f', 'r+');
  const buf = Buffer.alloc(5);
  expect(await promisify(fs.read)(fd, buf, 0, 5, 0)).toEqual({ bytesRead: 5, buffer: buf });
  expect(await promisify(fs.write)(fd, 'HE', 0)).toEqual({ bytesWritten: 2, buffer: 'HE' });
  expect(await promisify(fs.exists)('/f')).toBe(true);
  expect(await promisify(fs.exists)('/nope')).toBe(false);
  expect(((await promisify(fs.stat)('/f')) as { size: number }).size).toBe(5);
});
