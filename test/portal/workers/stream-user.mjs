// A worker with no file system at all: it is handed portal streams (their
// MessagePort "fds") and uses them with @actorvfs/portal alone.
import { parentPort, workerData } from 'node:worker_threads';
import { PortalStream } from '@actorvfs/portal';

const out = {};

// A TCP stream: write, then a blocking read of the peer's answer, synchronously.
const tcp = PortalStream.from(workerData.tcp);
out.tcpFlags = { readable: tcp.readable, writable: tcp.writable, seekable: tcp.seekable };
tcp.writeSync('hello from the worker\n');
const buf = Buffer.alloc(64);
const n = tcp.readSync(buf);
out.tcpReply = buf.toString('utf8', 0, n);
out.tcpPoll = await tcp.poll(0x4 /* POLLOUT */, 1000);
tcp.close();

// A filter's output, read with the promise API to its end.
const echo = PortalStream.from(workerData.echo);
out.echo = (await echo.readAll()).toString('utf8');
out.echoAgain = await echo.read(Buffer.alloc(4));
echo.close();

// A file portal: seekable, read and written at positions.
const file = PortalStream.from(workerData.file);
file.position = 10;
const fb = Buffer.alloc(5);
out.fileAt10 = fb.toString('utf8', 0, file.readSync(fb));
file.position = 0;
file.writeSync('AB');
file.close();

// Closed: an error shaped like Node's.
try {
  tcp.readSync(buf);
} catch (e) {
  out.afterClose = { code: e.code, syscall: e.syscall, errno: e.errno };
}
parentPort.postMessage(out);
