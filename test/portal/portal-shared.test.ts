/**
 * Shared mode: a portal mounted on a SharedVfs is a replica in every thread
 * (`portal.shared`: mode 'replica', rebuilt from plain JSON options by a
 * synchronous require, so the package has no top-level await). Each thread
 * opens, reads and writes portal paths with its own provider pool; a reload
 * in one thread reaches the replicas in the others over the mount's
 * BroadcastChannel.
 */

import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { afterEach, expect, test } from 'vitest';
import { createVfs } from '@actorvfs/core';
import { portalFs, type PortalFs, type PortalFsOptions } from '@actorvfs/portal';
import { SharedVfs } from '@actorvfs/workers';
import { P, receive, tcpPeer, until, type Peer } from './helpers.js';

let svfs: SharedVfs | undefined;
let peer: Peer | undefined;
const portals: PortalFs[] = [];
afterEach(async () => {
  await svfs?.close();
  await peer?.close();
  for (const p of portals.splice(0)) await p.close();
  svfs = undefined;
  peer = undefined;
});

const CONF = 'tcp/ tcp tcp/\necho/ rfilter echo/ echo %s\n';

function make(options: PortalFsOptions): PortalFs {
  const p = portalFs({ filter: { output: 'ignore' }, ...options });
  portals.push(p);
  return p;
}

test('the package loads synchronously (require, no top-level await) and portalFs is its export', () => {
  // A plain node, as an attached thread loads it (the built package; no "source" condition).
  const root = fileURLToPath(new URL('../../', import.meta.url));
  const code = "const m = require('@actorvfs/portal'); process.stdout.write(typeof m.portalFs + ' ' + typeof m.PortalStream);";
  const r = spawnSync(process.execPath, ['-e', code], { cwd: root, encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' }, timeout: 30_000 });
  expect(r.stderr).toBe('');
  expect(r.stdout).toBe('function function');
});

test('portal.shared: a replica spec whose plain JSON options rebuild the same portal, rules in force included', () => {
  const portal = make({ config: CONF, timeoutMs: 1234, pool: { maxThreads: 3 } });
  portal.reload({ text: 'echo/ rfilter echo/ echo v2 %s\n' });
  const spec = portal.shared;
  expect(spec).toMatchObject({ mode: 'replica', module: '@actorvfs/portal', export: 'portalFs' });
  const options = JSON.parse(JSON.stringify(spec.options)) as PortalFsOptions;
  expect(options).toEqual(spec.options);
  const replica = make(options);
  expect(replica.rules.map((r) => [r.key, r.provider, ...r.args])).toEqual([['echo/', 'rfilter', 'echo/', 'echo', 'v2', '%s']]);
  expect(replica.options).toMatchObject({ timeoutMs: 1234, pool: { maxThreads: 3 }, replica: true, generation: 1, channel: portal.options.channel });
});

test('a reload in one instance of a mount reaches the others; a late replica catches up', async () => {
  const a = make({ config: CONF });
  const early = JSON.parse(JSON.stringify(a.shared.options)) as PortalFsOptions;
  const b = make(early);
  const vfsA = createVfs();
  const vfsB = createVfs();
  vfsA.fs.mkdirSync(P);
  vfsB.fs.mkdirSync(P);
  vfsA.mount(P, a);
  vfsB.mount(P, b);
  const key = (p: PortalFs): string => p.rules.map((r) => r.args.join(' ')).join('|');
  a.reload({ text: 'echo/ rfilter echo/ echo from-a %s\n' });
  await until(() => key(b) === 'echo/ echo from-a %s', 'b to follow a');
  expect(vfsB.fs.readFileSync(`${P}/echo/x`, 'utf8')).toBe('from-a x\n');
  b.reload({ text: 'echo/ rfilter echo/ echo from-b %s\n' });
  await until(() => key(a) === 'echo/ echo from-b %s', 'a to follow b');
  expect(vfsA.fs.readFileSync(`${P}/echo/x`, 'utf8')).toBe('from-b x\n');
  // A replica built from the options as they were before both reloads asks, and is told.
  const late = make(early);
  const vfsC = createVfs();
  vfsC.fs.mkdirSync(P);
  vfsC.mount(P, late);
  expect(key(late)).toBe('tcp/|echo/ echo %s');
  await until(() => key(late) === 'echo/ echo from-b %s', 'the late replica to catch up');
  // A failed reload (no file, no text) changes nothing anywhere.
  expect(a.reload()).toMatchObject({ reloaded: false });
  // Another mount's instances have their own channel.
  const other = make({ config: CONF });
  expect(other.options.channel).not.toBe(a.options.channel);
  expect(key(other)).toBe('tcp/|echo/ echo %s');
});

test('a portal mounted on a SharedVfs works from the creating thread and from an attached worker', async () => {
  peer = await tcpPeer((c) => c.on('data', (d) => c.write(`re: ${d.toString()}`)));
  svfs = await SharedVfs.create();
  svfs.fs.mkdirSync(P);
  const portal = make({ config: CONF });
  await svfs.mount(P, portal);
  const fs = svfs.fs;
  expect(fs.readFileSync(`${P}/echo/main`, 'utf8')).toBe('main\n');
  const fh = await fs.promises.open(`${P}/tcp/127.0.0.1/${peer.port}`, 'r+');
  const conn = await peer.accept();
  const got = receive(conn, 4);
  await fh.write('main');
  expect((await got).toString()).toBe('main');
  const b = Buffer.alloc(64);
  expect(b.toString('utf8', 0, (await fh.read(b, 0, 64, null)).bytesRead)).toBe('re: main');
  await fh.close();

  const w = new Worker(new URL('./workers/shared-user.mjs', import.meta.url), { workerData: { handle: svfs.handle(), P, port: peer.port }, execArgv: [] });
  const exited = new Promise<number>((resolve) => w.once('exit', resolve));
  const messages: { t: string; out?: Record<string, unknown> }[] = [];
  const failed = new Promise<never>((_, reject) => w.once('error', reject));
  w.on('message', (m: { t: string }) => {
    messages.push(m);
    if (m.t === 'ready-for-reload') {
      portal.reload({ text: 'echo/ rfilter echo/ echo reloaded %s\n' });
      w.postMessage('reloaded');
    }
  });
  await Promise.race([until(() => messages.some((m) => m.t === 'done'), 'the worker', 30_000), failed]);
  const out = messages.find((m) => m.t === 'done')!.out;
  expect(out).toEqual({
    echo: 'worker\n',
    rootIsDir: true,
    ino: fs.statSync(`${P}/echo/worker`).ino,
    readdir: 'EOPNOTSUPP',
    tcp: 're: from the worker',
    tcpAsync: 're: async worker',
    afterReload: 'reloaded again\n',
    tcpAfterReload: 'ENOENT',
  });
  // Nothing the portal left in the worker keeps it alive.
  expect(await exited).toBe(0);
  expect(fs.readFileSync(`${P}/echo/main`, 'utf8')).toBe('reloaded main\n');
});
