/**
 * Node streams on portal paths: fs.createReadStream and fs.createWriteStream
 * over tcp, filter and file portals, with back-pressure through the whole
 * chain (a megabytes-long transfer never outruns a slow side).
 */

import { createHash } from 'node:crypto';
import * as nodeFs from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { gunzipSync } from 'node:zlib';
import { afterEach, beforeEach, expect, test } from 'vitest';
import { P, scratch, setup, tcpPeer, until, type Peer, type PortalSetup } from './helpers.js';

let s: PortalSetup | undefined;
let peer: Peer | undefined;
let tmp: ReturnType<typeof scratch>;
beforeEach(() => {
  tmp = scratch();
});
afterEach(async () => {
  await s?.close();
  await peer?.close();
  s = undefined;
  peer = undefined;
  tmp.remove();
});

const MB = 1 << 20;

function pattern(n: number): Buffer {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = (i * 7 + (i >> 10)) & 0xff;
  return b;
}

const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

test('createReadStream on a tcp portal reads what the server sends, to its end', async () => {
  const data = pattern(4 * MB);
  peer = await tcpPeer((c) => c.end(data));
  s = setup('tcp/ tcp tcp/\n');
  const parts: Buffer[] = [];
  for await (const chunk of s.fs.createReadStream(`${P}/tcp/127.0.0.1/${peer.port}`)) parts.push(chunk as Buffer);
  expect(sha(Buffer.concat(parts))).toBe(sha(data));
});

test('createWriteStream on a tcp portal delivers everything, with back-pressure from a slow reader', async () => {
  const data = pattern(4 * MB);
  const received: Buffer[] = [];
  let paused = 0;
  const done = new Promise<void>((resolve) => {
    void tcpPeer((c) => {
      // A reader that stops now and then: the writer must wait, not buffer without bound.
      c.on('data', (d: Buffer) => {
        received.push(d);
        if (received.length % 16 === 0) {
          paused++;
          c.pause();
          setTimeout(() => c.resume(), 2);
        }
      });
      c.on('end', resolve);
    }).then((p) => (peer = p));
  });
  await until(() => peer !== undefined, 'the server');
  s = setup('tcp/ tcp tcp/\n');
  await pipeline(Readable.from([data.subarray(0, MB), data.subarray(MB)]), s.fs.createWriteStream(`${P}/tcp/127.0.0.1/${peer!.port}`, { flags: 'r+' }));
  await done;
  expect(paused).toBeGreaterThan(0);
  expect(sha(Buffer.concat(received))).toBe(sha(data));
});

test('createWriteStream into a wfilter (gzip), createReadStream from an rfilter (gzip -dc)', async () => {
  const data = pattern(2 * MB);
  const gz = join(tmp.dir, 'data.gz');
  s = setup('gz/ wfilter gz/ gzip > %s\ngunzip/ rfilter gunzip/ gzip -dc %s\n');
  await pipeline(Readable.from([data]), s.fs.createWriteStream(`${P}/gz/${gz}`));
  // Close does not wait for gzip: wait for a complete file.
  await until(() => {
    try {
      return gunzipSync(nodeFs.readFileSync(gz)).length === data.length;
    } catch {
      return false;
    }
  }, 'gzip to finish');
  const parts: Buffer[] = [];
  for await (const chunk of s.fs.createReadStream(`${P}/gunzip/${gz}`, { highWaterMark: 4096 })) parts.push(chunk as Buffer);
  expect(sha(Buffer.concat(parts))).toBe(sha(data));
});

test('createReadStream and createWriteStream on a file portal honour start and end', async () => {
  const path = join(tmp.dir, 'f');
  nodeFs.writeFileSync(path, '0123456789');
  s = setup('fs/ file fs/\n');
  await pipeline(Readable.from(['AB']), s.fs.createWriteStream(`${P}/fs${path}`, { flags: 'r+', start: 4 }));
  expect(nodeFs.readFileSync(path, 'utf8')).toBe('0123AB6789');
  let got = '';
  for await (const c of s.fs.createReadStream(`${P}/fs${path}`, { start: 3, end: 6, encoding: 'utf8' })) got += c;
  expect(got).toBe('3AB6');
});
