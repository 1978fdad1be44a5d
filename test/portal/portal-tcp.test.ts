/**
 * The tcp provider against real servers on 127.0.0.1 (checks 21-26, 39, 43).
 */

import * as net from 'node:net';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, expect, test } from 'vitest';
import { P, readAll, receive, scratch, setup, tcpPeer, type Peer, type PortalSetup } from './helpers.js';

let s: PortalSetup | undefined;
let peer: Peer | undefined;
const tmp = scratch();
afterEach(async () => {
  await s?.close();
  await peer?.close();
  s = undefined;
  peer = undefined;
});
afterAll(() => tmp.remove());

const CONF = 'tcp/ tcp tcp/\n';

async function closedPort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as net.AddressInfo).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

test('check 21: tcp/host/port opened read/write is a duplex connection', async () => {
  peer = await tcpPeer();
  s = setup(CONF);
  const fh = await s.fs.promises.open(`${P}/tcp/127.0.0.1/${peer.port}`, 'r+');
  const conn = await peer.accept();
  const got = receive(conn, 5);
  await fh.write('hello');
  expect((await got).toString()).toBe('hello');
  conn.write('world');
  const b = Buffer.alloc(100);
  const { bytesRead } = await fh.read(b, 0, 100, null);
  expect(b.toString('utf8', 0, bytesRead)).toBe('world');
  await fh.close();
});

test('check 22: the port may be a service name', async () => {
  peer = await tcpPeer();
  const services = join(tmp.dir, 'services');
  writeFileSync(services, `# test services\nportaltest\t${peer.port}/tcp\tpt-alias\nportaltest\t${peer.port}/udp\n`);
  s = setup(CONF, { tcp: { servicesFile: services } });
  for (const name of ['portaltest', 'pt-alias']) {
    const fh = await s.fs.promises.open(`${P}/tcp/127.0.0.1/${name}`, 'r+');
    await peer.accept();
    await fh.close();
  }
  await expect(s.fs.promises.open(`${P}/tcp/127.0.0.1/no-such-service`, 'r+')).rejects.toMatchObject({ code: 'EINVAL' });
});

test('check 22: daytime is port 13 (from /etc/services)', async () => {
  // As root we can listen on 13 ourselves; if something already does, the name still resolved when we connect.
  const srv = net.createServer((c) => c.end('daytime\n'));
  const listening = await new Promise<boolean>((resolve) => {
    srv.once('error', () => resolve(false));
    srv.listen(13, '127.0.0.1', () => resolve(true));
  });
  s = setup(CONF);
  try {
    // (The server is in this thread: only the promise API lets it answer.)
    if (listening) expect(await s.fs.promises.readFile(`${P}/tcp/127.0.0.1/daytime`, 'utf8')).toBe('daytime\n');
    else await (await s.fs.promises.open(`${P}/tcp/127.0.0.1/daytime`, 'r')).close();
  } finally {
    if (listening) await new Promise<void>((r) => srv.close(() => r()));
  }
});

test('check 23: a closed port fails the open with ECONNREFUSED', async () => {
  const port = await closedPort();
  s = setup(CONF);
  await expect(s.fs.promises.open(`${P}/tcp/127.0.0.1/${port}`, 'r+')).rejects.toMatchObject({ code: 'ECONNREFUSED', syscall: 'open', errno: -111 });
});

test('check 24: an unresolvable host, or no port separator, is EINVAL', async () => {
  s = setup(CONF);
  await expect(s.fs.promises.open(`${P}/tcp/nonexistent.invalid/80`, 'r')).rejects.toMatchObject({ code: 'EINVAL' });
  await expect(s.fs.promises.open(`${P}/tcp/localhost`, 'r')).rejects.toMatchObject({ code: 'EINVAL' });
  await expect(s.fs.promises.open(`${P}/tcp/${'h'.repeat(256)}/80`, 'r')).rejects.toMatchObject({ code: 'EINVAL' });
  await expect(s.fs.promises.open(`${P}/tcp/127.0.0.1/70000`, 'r')).rejects.toMatchObject({ code: 'EINVAL' });
});

test('check 25: priv needs uid 0 (EPERM); any other suffix is EINVAL; root gets a reserved port', async () => {
  peer = await tcpPeer();
  s = setup(CONF);
  const user = s.as(1000, 1000);
  await expect(user.promises.open(`${P}/tcp/127.0.0.1/${peer.port}/priv`, 'r+')).rejects.toMatchObject({ code: 'EPERM' });
  await expect(s.fs.promises.open(`${P}/tcp/127.0.0.1/${peer.port}/foo`, 'r+')).rejects.toMatchObject({ code: 'EINVAL' });
  const fh = await s.fs.promises.open(`${P}/tcp/127.0.0.1/${peer.port}/priv`, 'r+');
  const conn = await peer.accept();
  expect(conn.remotePort).toBeGreaterThanOrEqual(512);
  expect(conn.remotePort).toBeLessThan(1024);
  await fh.close();
});

test('check 26: after the peer closes, reads give 0 and keep giving 0; closing makes the peer see the end', async () => {
  peer = await tcpPeer();
  s = setup(CONF);
  const fh = await s.fs.promises.open(`${P}/tcp/127.0.0.1/${peer.port}`, 'r+');
  const conn = await peer.accept();
  conn.end('bye');
  const b = Buffer.alloc(10);
  expect((await fh.read(b, 0, 10, null)).bytesRead).toBe(3);
  for (let i = 0; i < 3; i++) expect((await fh.read(b, 0, 10, null)).bytesRead).toBe(0);
  await fh.close();

  const fh2 = await s.fs.promises.open(`${P}/tcp/127.0.0.1/${peer.port}`, 'r+');
  const conn2 = await peer.accept();
  const all = readAll(conn2);
  await fh2.write('last words');
  await fh2.close();
  expect(await all).toBe('last words');
});

test('check 39: two opens of one name are two connections', async () => {
  peer = await tcpPeer();
  s = setup(CONF);
  const a = await s.fs.promises.open(`${P}/tcp/127.0.0.1/${peer.port}`, 'r+');
  const b = await s.fs.promises.open(`${P}/tcp/127.0.0.1/${peer.port}`, 'r+');
  const ca = await peer.accept();
  const cb = await peer.accept();
  expect(ca).not.toBe(cb);
  const ga = receive(ca, 1);
  const gb = receive(cb, 1);
  await a.write('A');
  await b.write('B');
  expect([(await ga).toString(), (await gb).toString()].sort()).toEqual(['A', 'B']);
  await a.close();
  await b.close();
});

test('check 43: closing the last reference releases the connection at once (the peer sees FIN)', async () => {
  peer = await tcpPeer();
  s = setup(CONF);
  const fd = await new Promise<number>((resolve, reject) => s!.fs.open(`${P}/tcp/127.0.0.1/${peer!.port}`, 'r+', (e, fd) => (e ? reject(e) : resolve(fd!))));
  const conn = await peer.accept();
  const ended = new Promise<void>((resolve) => conn.on('end', resolve));
  conn.resume();
  s.fs.closeSync(fd);
  await ended;
});
