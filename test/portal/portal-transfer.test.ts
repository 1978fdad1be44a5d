/**
 * The MessagePort "fd" crosses threads: a stream opened through the file
 * system (or with openStream) is taken as a transferable handle, posted to a
 * real worker thread that has no file system and no store, and used there
 * with PortalStream (sync and promise forms); the FileHandle it came from
 * stops working (EBADF) without closing the stream.
 */

import * as nodeFs from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
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

function runWorker(workerData: Record<string, unknown>, transferList: import('node:worker_threads').TransferListItem[]): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const w = new Worker(new URL('./workers/stream-user.mjs', import.meta.url), { workerData, transferList, execArgv: [] });
    w.once('message', (m: Record<string, unknown>) => {
      resolve(m);
      void w.terminate();
    });
    w.once('error', reject);
    w.once('exit', (code) => code !== 0 && reject(new Error(`worker exited with ${code}`)));
  });
}

test('a stream handed to a worker thread is used there with no access to the store', async () => {
  peer = await tcpPeer((c) => c.on('data', (d) => c.write(`reply to ${d.toString().trim()}`)));
  const path = join(tmp.dir, 'data');
  nodeFs.writeFileSync(path, '0123456789abcdefghij');
  s = setup('tcp/ tcp tcp/\necho/ rfilter echo/ echo %s\nfs/ file fs/\n');
  const fh = await s.fs.promises.open(`${P}/tcp/127.0.0.1/${peer.port}`, 'r+');
  const tcp = s.portal.takeStream(fh);
  // The FileHandle no longer reads or writes (the stream has moved), and closing it leaves the stream alone.
  await expect(fh.read(Buffer.alloc(4), 0, 4, null)).rejects.toMatchObject({ code: 'EBADF', syscall: 'read' });
  await fh.close();
  const echo = await s.portal.openStream('echo/from afar', { flags: 0 });
  const file = await s.portal.openStream(`fs${path}`);
  const out = await runWorker({ tcp, echo, file }, [tcp.port, echo.port, file.port]);
  expect(out).toEqual({
    tcpFlags: { readable: true, writable: true, seekable: false },
    tcpReply: 'reply to hello from the worker',
    tcpPoll: 4,
    echo: 'from afar\n',
    echoAgain: 0,
    fileAt10: 'abcde',
    afterClose: { code: 'EBADF', syscall: 'read', errno: -9 },
  });
  expect(nodeFs.readFileSync(path, 'utf8')).toBe('AB23456789abcdefghij');
  // The worker's close reached the peer.
  await new Promise<void>((resolve) => (peer!.connections[0]!.readableEnded ? resolve() : peer!.connections[0]!.once('end', resolve)));
  // And every provider let go of its stream.
  expect((await s.portal.diagnostics()).openStreams).toBe(0);
  await until(async () => (await s!.portal.diagnostics()).hosts.every((h) => h.streams === 0), 'the providers to let go');
});

test('takeStream refuses what is not an open portal stream', async () => {
  s = setup('echo/ rfilter echo/ echo %s\n');
  const root = await s.fs.promises.open(P, 'r');
  expect(() => s!.portal.takeStream(root)).toThrow(expect.objectContaining({ code: 'EBADF', syscall: 'takeStream' }));
  await root.close();
  await expect(s.portal.openStream('none/x')).rejects.toMatchObject({ code: 'ENOENT', syscall: 'open', path: 'none/x' });
});
