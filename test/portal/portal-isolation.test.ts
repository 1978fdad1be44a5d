/**
 * Provider isolation (checks 40, 41): a slow provider holds up only its own
 * open; a provider that throws, crashes its worker or exits fails only its
 * own open (EIO, where the original said EPERM) and the file system keeps
 * serving; one that never answers fails with ETIMEDOUT at the configured
 * deadline, and its worker is replaced.
 */

import { afterEach, expect, test } from 'vitest';
import { P, caught, fixture, receive, setup, tcpPeer, type Peer, type PortalSetup } from './helpers.js';

let s: PortalSetup | undefined;
let gate: Peer | undefined;
afterEach(async () => {
  await s?.close();
  await gate?.close();
  s = undefined;
  gate = undefined;
});

const KINDS = ['throw', 'crash', 'reject', 'exit', 'not-a-stream', 'hang', 'spin', 'crash-later', 'gate'];
const CONF = KINDS.map((k) => `${k}/ misbehave ${k}`).join('\n') + '\necho/ rfilter echo/ echo %s\nup/ upper up/\n';
const PROVIDERS = { misbehave: fixture('misbehave.mjs'), upper: fixture('upper.mjs') };

/** Settled yet? (without waiting for it) */
async function settled(p: Promise<unknown>): Promise<boolean> {
  const pending = Symbol('pending');
  return (await Promise.race([p.then(() => true, () => true), Promise.resolve(pending)])) !== pending;
}

test('check 40: a provider slow to answer holds up neither other opens nor I/O on other streams', async () => {
  gate = await tcpPeer();
  s = setup(CONF, { providers: PROVIDERS, pool: { minThreads: 3 } });
  const up = await s.fs.promises.open(`${P}/up/x`, 'r+');
  const slow = s.fs.promises.open(`${P}/gate/${gate.port}`, 'r+');
  // The slow provider is running: it has reached the gate, which holds it.
  const held = await gate.accept();
  const started = performance.now();
  expect(await s.fs.promises.readFile(`${P}/echo/async`, 'utf8')).toBe('async\n');
  expect(s.fs.readFileSync(`${P}/echo/sync`, 'utf8')).toBe('sync\n');
  await up.write('data');
  const b = Buffer.alloc(16);
  expect(b.toString('utf8', 0, (await up.read(b, 0, 16, null)).bytesRead)).toBe('DATA');
  // A generous bound: the original stalled everything until the slow child ended.
  expect(performance.now() - started).toBeLessThan(2000);
  expect(await settled(slow)).toBe(false);
  held.write('go');
  const fh = await slow;
  await fh.write('ok');
  expect(b.toString('utf8', 0, (await fh.read(b, 0, 16, null)).bytesRead)).toBe('ok');
  await fh.close();
  await up.close();
});

test('check 41 [D]: a provider that throws, crashes its worker, exits or answers nonsense fails its open with EIO; the rest goes on', async () => {
  s = setup(CONF, { providers: PROVIDERS });
  for (const kind of ['throw', 'crash', 'reject', 'exit', 'not-a-stream']) {
    await expect(s.fs.promises.open(`${P}/${kind}/x`, 'r+'), kind).rejects.toMatchObject({ code: 'EIO', errno: -5, syscall: 'open', path: `${P}/${kind}/x` });
    expect(await s.fs.promises.readFile(`${P}/echo/${kind}`, 'utf8')).toBe(`${kind}\n`);
  }
  // Synchronously too (the caller's event loop never turns while it waits).
  expect(caught(() => s!.fs.openSync(`${P}/exit/y`, 'r'))).toMatchObject({ code: 'EIO', syscall: 'open' });
  expect(await s.fs.promises.readFile(`${P}/echo/after`, 'utf8')).toBe('after\n');
});

test('check 41 [D]: a worker that dies while its stream is open fails that stream with EIO, and only it', async () => {
  s = setup(CONF, { providers: PROVIDERS });
  const other = await s.fs.promises.open(`${P}/up/y`, 'r+');
  const fh = await s.fs.promises.open(`${P}/crash-later/x`, 'r+');
  await fh.write('trigger');
  const b = Buffer.alloc(16);
  // What the provider passed on before its worker died may still be read; then the error.
  let got = 0;
  let err: unknown;
  while (err === undefined) {
    try {
      const n = (await fh.read(b, 0, 16, null)).bytesRead;
      expect(n).toBeGreaterThan(0);
      got += n;
    } catch (e) {
      err = e;
    }
  }
  expect(got).toBeLessThanOrEqual(7);
  expect(err).toMatchObject({ code: 'EIO', syscall: 'read' });
  await expect(fh.write('more')).rejects.toMatchObject({ code: 'EIO', syscall: 'write' });
  await fh.close();
  await other.write('fine');
  expect(b.toString('utf8', 0, (await other.read(b, 0, 16, null)).bytesRead)).toBe('FINE');
  await other.close();
});

test('a provider that never answers fails with ETIMEDOUT at the deadline; its worker is replaced', async () => {
  s = setup(CONF, { providers: PROVIDERS, timeoutMs: 300 });
  for (const kind of ['hang', 'spin']) {
    const started = performance.now();
    await expect(s.fs.promises.open(`${P}/${kind}/x`, 'r'), kind).rejects.toMatchObject({ code: 'ETIMEDOUT', errno: -110, syscall: 'open' });
    const took = performance.now() - started;
    expect(took).toBeGreaterThanOrEqual(290);
    expect(took).toBeLessThan(5000);
  }
  // The killed workers are gone, new ones serve (an async open waits for a replacement to start).
  expect(await s.fs.promises.readFile(`${P}/echo/alive`, 'utf8')).toBe('alive\n');
  // A synchronous open cannot wait for a worker to start (that needs the event loop):
  // it runs on the one now warm, and times out the same way.
  expect(caught(() => s!.fs.openSync(`${P}/hang/y`, 'r'))).toMatchObject({ code: 'ETIMEDOUT', syscall: 'open' });
  const d = await s.portal.diagnostics();
  expect(d.threads).toBeLessThanOrEqual(s.portal.options.pool.maxThreads);
});

test('a hung open does not hold up a concurrent stream (its data keeps flowing)', async () => {
  gate = await tcpPeer();
  s = setup(`tcp/ tcp tcp/\n${CONF}`, { providers: PROVIDERS, timeoutMs: 60_000 });
  const hung = s.fs.promises.open(`${P}/hang/x`, 'r');
  const fh = await s.fs.promises.open(`${P}/tcp/127.0.0.1/${gate.port}`, 'r+');
  const conn = await gate.accept();
  const got = receive(conn, 1 << 20);
  await fh.write(Buffer.alloc(1 << 20, 7));
  expect((await got).length).toBe(1 << 20);
  await fh.close();
  expect(await settled(hung)).toBe(false);
  // Shutting the portal down ends the hung open too.
  await s.close();
  await expect(hung).rejects.toMatchObject({ code: 'EIO' });
  s = undefined;
});
