/**
 * Reads and writes on portal streams (checks 44-46, 48, 50, 51 for streams,
 * 58): what has arrived, EOF that stays, errors that reach the writer,
 * non-blocking I/O, no offsets on streams, no short or oversized replies.
 */

import { afterEach, expect, test } from 'vitest';
import { constants } from '@actorvfs/core';
import { P, fixture, readAll, receive, setup, tcpPeer, type Peer, type PortalSetup } from './helpers.js';

let s: PortalSetup | undefined;
let peer: Peer | undefined;
afterEach(async () => {
  await s?.close();
  await peer?.close();
  s = undefined;
  peer = undefined;
});

async function connected(): Promise<{ fh: Awaited<ReturnType<PortalSetup['fs']['promises']['open']>>; conn: import('node:net').Socket }> {
  peer ??= await tcpPeer();
  s ??= setup('tcp/ tcp tcp/\nsink/ sink sink/\necho/ rfilter echo/ echo %s\n', { providers: { sink: fixture('sink.mjs') } });
  const fh = await s.fs.promises.open(`${P}/tcp/127.0.0.1/${peer.port}`, 'r+');
  const conn = await peer.accept();
  return { fh, conn };
}

test('check 44: non-blocking (set after open): EAGAIN with nothing there; with 5 bytes there, a read of 100 gives 5', async () => {
  const { fh, conn } = await connected();
  await fh.setNonBlocking(true);
  const b = Buffer.alloc(100);
  await expect(fh.read(b, 0, 100, null)).rejects.toMatchObject({ code: 'EAGAIN', syscall: 'read' });
  conn.write('12345');
  expect(await fh.poll(constants.POLLIN)).toBe(constants.POLLIN);
  expect((await fh.read(b, 0, 100, null)).bytesRead).toBe(5);
  await expect(fh.read(b, 0, 100, null)).rejects.toMatchObject({ code: 'EAGAIN' });
  await fh.setNonBlocking(false);
  conn.write('67');
  expect((await fh.read(b, 0, 100, null)).bytesRead).toBe(2);
  await fh.close();
});

test('check 45 [D]: a blocking read returns what has arrived (10 bytes of 4096 asked)', async () => {
  const { fh, conn } = await connected();
  const b = Buffer.alloc(4096);
  const reading = fh.read(b, 0, 4096, null);
  conn.write('0123456789');
  expect((await reading).bytesRead).toBe(10);
  expect(b.toString('utf8', 0, 10)).toBe('0123456789');
  await fh.close();
});

test('check 46: at EOF a read returns 0, and every later read returns 0', async () => {
  s = setup('echo/ rfilter echo/ echo %s\n');
  const fd = s.fs.openSync(`${P}/echo/abc`, 'r');
  const b = Buffer.alloc(64);
  expect(s.fs.readSync(fd, b, 0, 64, null)).toBe(4);
  for (let i = 0; i < 5; i++) expect(s.fs.readSync(fd, b, 0, 64, null)).toBe(0);
  s.fs.closeSync(fd);
});

test('check 48 [D]: a write to a stream whose peer has gone reports EPIPE or ECONNRESET to the writer', async () => {
  const { fh, conn } = await connected();
  conn.end();
  const b = Buffer.alloc(8);
  expect((await fh.read(b, 0, 8, null)).bytesRead).toBe(0);
  await expect(fh.write('anyone there?')).rejects.toMatchObject({ code: expect.stringMatching(/^(EPIPE|ECONNRESET)$/), syscall: 'write' });
  // And it stays an error.
  await expect(fh.write('still?')).rejects.toMatchObject({ code: expect.stringMatching(/^(EPIPE|ECONNRESET)$/) });
  await fh.close();

  // A reset while the writer keeps writing.
  const c2 = await connected();
  c2.conn.resetAndDestroy();
  const chunk = Buffer.alloc(65536, 1);
  let err: { code?: string } | undefined;
  for (let i = 0; i < 1000 && err === undefined; i++) {
    try {
      await c2.fh.write(chunk);
    } catch (e) {
      err = e as { code?: string };
    }
  }
  expect(err?.code).toMatch(/^(EPIPE|ECONNRESET)$/);
  await c2.fh.close();
});

test('check 50 [D]: a non-blocking write into a full stream gives a short count or EAGAIN, and loses nothing', async () => {
  const { fh, conn } = await connected();
  conn.pause();
  await fh.setNonBlocking(true);
  let sent = 0;
  let full = false;
  const chunk = Buffer.alloc(65536);
  for (let i = 0; i < 4096 && !full; i++) {
    chunk.fill(i & 0xff);
    try {
      const { bytesWritten } = await fh.write(chunk, 0, chunk.length, null);
      sent += bytesWritten;
      if (bytesWritten < chunk.length) full = true;
    } catch (e) {
      expect((e as { code?: string }).code).toBe('EAGAIN');
      full = true;
    }
  }
  expect(full).toBe(true);
  // Every accepted byte arrives, in order, once the peer reads.
  const got = receive(conn, sent);
  conn.resume();
  const data = await got;
  expect(data.length).toBe(sent);
  for (let off = 0, i = 0; off < sent; off += 65536, i++) expect(data[off]).toBe(i & 0xff);
  await fh.close();
});

test('check 51: a stream has no offsets: pread, pwrite and a start position are ESPIPE', async () => {
  const { fh, conn } = await connected();
  conn.write('abc');
  const b = Buffer.alloc(8);
  await expect(fh.read(b, 0, 8, 10)).rejects.toMatchObject({ code: 'ESPIPE', syscall: 'read' });
  await expect(fh.write('x', 5)).rejects.toMatchObject({ code: 'ESPIPE', syscall: 'write' });
  expect((await fh.read(b, 0, 8, null)).bytesRead).toBe(3);
  await fh.close();
  const rs = s!.fs.createReadStream(`${P}/echo/x`, { start: 1 });
  await expect(new Promise((resolve, reject) => rs.on('error', reject).on('end', resolve).resume())).rejects.toMatchObject({ code: 'ESPIPE' });
});

test('check 58: a read never returns more than asked; a blocking write is whole or an error, never short', async () => {
  const { fh, conn } = await connected();
  conn.write('0123456789');
  const b = Buffer.alloc(10);
  let got = '';
  while (got.length < 10) {
    const { bytesRead } = await fh.read(b, 0, 3, null);
    expect(bytesRead).toBeGreaterThan(0);
    expect(bytesRead).toBeLessThanOrEqual(3);
    got += b.toString('utf8', 0, bytesRead);
  }
  expect(got).toBe('0123456789');
  const sink = await s!.fs.promises.open(`${P}/sink/100000`, 'w');
  // The provider takes 100000 bytes, then fails: the 1 MB write fails with its error.
  await expect(sink.write(Buffer.alloc(1 << 20))).rejects.toMatchObject({ code: 'ENOSPC', syscall: 'write' });
  await sink.close();
  const all = readAll(conn);
  await fh.close();
  expect(await all).toBe('');
});
