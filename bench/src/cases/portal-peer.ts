/**
 * The TCP peers of the portal benchmarks, in a worker thread of their own:
 * a source (every connection gets an endless stream, sent as fast as the
 * reader takes it) and a sink (reads and discards). Off the measuring
 * thread, so that a synchronous portal read or write, which blocks that
 * thread, still has a server at the other end.
 *
 * Posts `{ source, sink }` (the ports, on 127.0.0.1) once both listen; runs
 * until terminated.
 */

import * as net from 'node:net';
import { parentPort } from 'node:worker_threads';

export interface PortalPeerPorts {
  source: number;
  sink: number;
}

const CHUNK = Buffer.alloc(64 * 1024, 0x5a);

function listen(server: net.Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as net.AddressInfo).port)));
}

const source = net.createServer((s) => {
  s.on('error', () => {});
  s.setNoDelay(true);
  const pump = (): void => {
    while (!s.destroyed && s.write(CHUNK));
  };
  s.on('drain', pump);
  pump();
});

const sink = net.createServer((s) => {
  s.on('error', () => {});
  s.resume();
});

const ports: PortalPeerPorts = { source: await listen(source), sink: await listen(sink) };
parentPort!.postMessage(ports);
