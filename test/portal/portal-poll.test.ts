/**
 * Readiness (checks 52, 53): poll on a portal stream waits for data and
 * reports writability, errors (POLLERR) and hang-ups (POLLHUP); poll on the
 * mount root answers instead of crashing the server.
 */

import { afterEach, expect, test } from 'vitest';
import { constants } from '@actorvfs/core';
import { P, fixture, setup, tcpPeer, type Peer, type PortalSetup } from './helpers.js';

const { POLLIN, POLLOUT, POLLERR, POLLHUP } = constants;

let s: PortalSetup | undefined;
let peer: Peer | undefined;
afterEach(async () => {
  await s?.close();
  await peer?.close();
  s = undefined;
  peer = undefined;
});

test('check 52: POLLIN once the peer sends, POLLOUT on a fresh connection, 0 on a timeout with nothing there', async () => {
  peer = await tcpPeer();
  s = setup('tcp/ tcp tcp/\n');
  const fh = await s.fs.promises.open(`${P}/tcp/127.0.0.1/${peer.port}`, 'r+');
  const conn = await peer.accept();
  expect(await fh.poll(POLLOUT)).toBe(POLLOUT);
  expect(await fh.poll(POLLIN, { timeout: 20 })).toBe(0);
  const waiting = fh.poll(POLLIN);
  conn.write('ping');
  expect(await waiting).toBe(POLLIN);
  expect(await fh.poll(POLLIN | POLLOUT)).toBe(POLLIN | POLLOUT);
  // Read it all: not readable any more, until the peer's end (readable at EOF).
  const b = Buffer.alloc(16);
  expect((await fh.read(b, 0, 16, null)).bytesRead).toBe(4);
  expect(await fh.poll(POLLIN, { timeout: 0 })).toBe(0);
  conn.end();
  expect((await fh.poll(POLLIN)) & POLLIN).toBe(POLLIN);
  expect((await fh.read(b, 0, 16, null)).bytesRead).toBe(0);
  // The peer is gone both ways (net does not keep half-open sockets): a hang-up, not writable.
  const r = await fh.poll(POLLOUT);
  expect(r & POLLHUP).toBe(POLLHUP);
  expect(r & POLLOUT).toBe(0);
  await fh.close();
});

test('check 52: a provider-side error shows up as POLLERR (a reset connection, a failing sink)', async () => {
  peer = await tcpPeer();
  s = setup('tcp/ tcp tcp/\nsink/ sink sink/\n', { providers: { sink: fixture('sink.mjs') } });
  const fh = await s.fs.promises.open(`${P}/tcp/127.0.0.1/${peer.port}`, 'r+');
  const conn = await peer.accept();
  const waiting = fh.poll(POLLIN);
  conn.resetAndDestroy();
  expect((await waiting) & POLLERR).toBe(POLLERR);
  await expect(fh.read(Buffer.alloc(4), 0, 4, null)).rejects.toMatchObject({ code: 'ECONNRESET', syscall: 'read' });
  await fh.close();

  const sink = await s.fs.promises.open(`${P}/sink/10`, 'w');
  expect(await sink.poll(POLLOUT)).toBe(POLLOUT);
  // Accepted into the stream's window, then refused by the provider: the error comes back as POLLERR
  // (events 0: wait for nothing but an error or a hang-up, which poll always reports).
  await sink.write('more than ten bytes');
  expect(await sink.poll(0)).toBe(POLLERR);
  await expect(sink.write('again')).rejects.toMatchObject({ code: 'ENOSPC', syscall: 'write' });
  await sink.close();
});

test('check 53 [D]: poll on the mount root answers (ready) and the server goes on', async () => {
  s = setup('echo/ rfilter echo/ echo %s\n');
  const root = await s.fs.promises.open(P, 'r');
  expect(await root.poll(POLLIN | POLLOUT)).toBe(POLLIN | POLLOUT);
  expect(await root.poll(POLLIN, { timeout: 0 })).toBe(POLLIN);
  await root.close();
  expect(s.fs.statSync(P).isDirectory()).toBe(true);
  expect(s.fs.readFileSync(`${P}/echo/alive`, 'utf8')).toBe('alive\n');
});
