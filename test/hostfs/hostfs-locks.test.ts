/**
 * hostfs advisory locks, kept in memory by the HostFs instance: fcntl
 * record locks per context and flock locks per open file, between the
 * VFS's contexts (not against host processes). Conflicts are EAGAIN; a
 * waiting lock is granted when the holder unlocks; a wait cycle is
 * EDEADLK; closing releases.
 */

import { expect, test } from 'vitest';
import { MNT, nodeFs, useHostSetup } from './helpers.js';

const setup = useHostSetup({ prepare: (root) => nodeFs.writeFileSync(`${root}/f`, '0123456789') });

test('record locks: conflicts are EAGAIN, getLock names the holder, unlock and close release', async () => {
  const s = setup();
  const a = s.as(0, 0);
  const b = s.as(0, 0);
  const ha = await a.promises.open(`${MNT}/f`, 'r+');
  const hb = await b.promises.open(`${MNT}/f`, 'r+');
  await ha.lock({ type: 'write', start: 0, length: 5 });
  expect(await hb.getLock({ type: 'read', start: 2, length: 1 })).toMatchObject({ type: 'write', start: 0, length: 5 });
  await expect(hb.lock({ type: 'read', start: 4, length: 2 })).rejects.toMatchObject({ code: 'EAGAIN', syscall: 'fcntl' });
  await hb.lock({ type: 'write', start: 5, length: 5 });
  await ha.lock({ type: 'unlock', start: 0, length: 5 });
  await hb.lock({ type: 'read', start: 0, length: 2 });
  await hb.close();
  await ha.lock({ type: 'write' });
  await ha.close();
});

test('a waiting lock is granted when the holder unlocks; a cycle of waits is EDEADLK', async () => {
  const s = setup();
  const a = s.as(0, 0);
  const b = s.as(0, 0);
  const ha = await a.promises.open(`${MNT}/f`, 'r+');
  const hb = await b.promises.open(`${MNT}/f`, 'r+');
  await ha.lock({ type: 'write', start: 0, length: 1 });
  await hb.lock({ type: 'write', start: 1, length: 1 });
  let granted = false;
  const waiting = hb.lock({ type: 'write', start: 0, length: 1, wait: true }).then(() => {
    granted = true;
  });
  await new Promise((r) => setImmediate(r));
  expect(granted).toBe(false);
  await expect(ha.lock({ type: 'write', start: 1, length: 1, wait: true })).rejects.toMatchObject({ code: 'EDEADLK' });
  await ha.lock({ type: 'unlock', start: 0, length: 1 });
  await waiting;
  expect(granted).toBe(true);
  await hb.close();
  await ha.close();
});

test('flock: shared locks coexist, exclusive conflicts, close releases', async () => {
  const s = setup();
  const h1 = await s.fs.promises.open(`${MNT}/f`, 'r');
  const h2 = await s.fs.promises.open(`${MNT}/f`, 'r');
  await h1.flock('sh');
  await h2.flock('sh');
  await expect(h2.flock('ex')).rejects.toMatchObject({ code: 'EAGAIN', syscall: 'flock' });
  await h1.close();
  await h2.flock('ex');
  const h3 = await s.fs.promises.open(`${MNT}/f`, 'r');
  await expect(h3.flock('sh')).rejects.toMatchObject({ code: 'EAGAIN' });
  await h2.close();
  await h3.flock('sh');
  await h3.close();
});
