/**
 * Advisory locks through the FileHandle extensions: lock()/getLock() for
 * fcntl record locks (owned by the fs object, the "process") and flock()
 * (owned by the open file description).
 */
import { expect, test } from 'vitest';
import { createVfs } from '@actorvfs/core';

async function setup() {
  const vfs = createVfs();
  vfs.fs.writeFileSync('/f', '0123456789', { mode: 0o666 });
  const a = vfs.context({ uid: 0, gid: 0 });
  const b = vfs.context({ uid: 0, gid: 0 });
  return { vfs, a, b };
}

test('record locks: conflicts are EAGAIN, getLock names the holder, unlock releases', async () => {
  const { a, b } = await setup();
  const ha = await a.promises.open('/f', 'r+');
  const hb = await b.promises.open('/f', 'r+');
  await ha.lock({ type: 'write', start: 0, length: 5 });
  expect(await ha.getLock({ type: 'write', start: 0, length: 5 })).toBeNull();
  const holder = await hb.getLock({ type: 'read', start: 2, length: 1 });
  expect(holder).toMatchObject({ type: 'write', start: 0, length: 5 });
  expect(typeof holder!.pid).toBe('number');
  await expect(hb.lock({ type: 'read', start: 4, length: 2 })).rejects.toMatchObject({ code: 'EAGAIN', syscall: 'fcntl' });
  await hb.lock({ type: 'write', start: 5, length: 5 });
  await ha.lock({ type: 'unlock', start: 0, length: 5 });
  await hb.lock({ type: 'read', start: 0, length: 2 });
  expect(await hb.getLock()).toBeNull();
  await ha.close();
  await hb.close();
});

test('a waiting lock is granted when the holder unlocks', async () => {
  const { a, b } = await setup();
  const ha = await a.promises.open('/f', 'r+');
  const hb = await b.promises.open('/f', 'r+');
  await ha.lock({ type: 'write' });
  let granted = false;
  const waiting = hb.lock({ type: 'write', wait: true }).then(() => {
    granted = true;
  });
  await new Promise((r) => setImmediate(r));
  expect(granted).toBe(false);
  await ha.lock({ type: 'unlock' });
  await waiting;
  expect(granted).toBe(true);
  await hb.close();
  await ha.close();
});

test('closing any descriptor of the file drops the process\'s record locks', async () => {
  const { a, b } = await setup();
  const h1 = await a.promises.open('/f', 'r+');
  const h2 = await a.promises.open('/f', 'r');
  const other = await b.promises.open('/f', 'r+');
  await h1.lock({ type: 'write' });
  await expect(other.lock({ type: 'write' })).rejects.toMatchObject({ code: 'EAGAIN' });
  await h2.close();
  await other.lock({ type: 'write' });
  await other.close();
  await h1.close();
});

test('flock: shared locks coexist, exclusive conflicts, unlock and close release', async () => {
  const { a } = await setup();
  const h1 = await a.promises.open('/f', 'r');
  const h2 = await a.promises.open('/f', 'r');
  await h1.flock('sh');
  await h2.flock('sh');
  await expect(h2.flock('ex')).rejects.toMatchObject({ code: 'EAGAIN', syscall: 'flock' });
  await h1.flock('un');
  await h2.flock('ex');
  await expect(h1.flock('sh')).rejects.toMatchObject({ code: 'EAGAIN' });
  const waiting = h1.flock('sh', { wait: true });
  await h2.close();
  await waiting;
  await h1.close();
});

test('lock argument checks', async () => {
  const { a } = await setup();
  const h = await a.promises.open('/f', 'r+');
  await expect(h.lock({ type: 'bogus' as never })).rejects.toMatchObject({ code: 'ERR_INVALID_ARG_VALUE' });
  await expect(h.lock({ type: 'read', start: -1 })).rejects.toMatchObject({ code: 'ERR_OUT_OF_RANGE' });
  await expect(h.flock('bogus' as never)).rejects.toMatchObject({ code: 'ERR_INVALID_ARG_VALUE' });
  const ro = await a.promises.open('/f', 'r');
  await expect(ro.lock({ type: 'write' })).rejects.toMatchObject({ code: 'EBADF' });
  await ro.close();
  await h.close();
  await expect(h.lock({ type: 'read' })).rejects.toMatchObject({ code: 'EBADF', message: 'file closed' });
});
