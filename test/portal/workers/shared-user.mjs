// A worker attached to a SharedVfs on which a portal is mounted at /p: it
// builds its own replica of the portal on its first lookup there, and uses
// portal paths with the ordinary fs API (sync and promises).
import { parentPort, workerData } from 'node:worker_threads';
import { attach } from '@actorvfs/workers';

const fs = await attach(workerData.handle, { uid: 0, gid: 0 });
const out = {};
const { P, port } = workerData;

out.echo = fs.readFileSync(`${P}/echo/worker`, 'utf8');
out.rootIsDir = fs.statSync(P).isDirectory();
out.ino = fs.statSync(`${P}/echo/worker`).ino;
try {
  fs.readdirSync(P);
} catch (e) {
  out.readdir = e.code;
}

// A TCP stream, synchronously: the worker blocks, the peer (in the main thread) answers.
const fd = fs.openSync(`${P}/tcp/127.0.0.1/${port}`, 'r+');
fs.writeSync(fd, 'from the worker');
const buf = Buffer.alloc(64);
out.tcp = buf.toString('utf8', 0, fs.readSync(fd, buf, 0, 64, null));
fs.closeSync(fd);

// And with the promise API.
const fh = await fs.promises.open(`${P}/tcp/127.0.0.1/${port}`, 'r+');
await fh.write('async worker');
out.tcpAsync = buf.toString('utf8', 0, (await fh.read(buf, 0, 64, null)).bytesRead);
await fh.close();

// The main thread reloads the rules; they reach this thread's replica once its event loop turns.
parentPort.postMessage({ t: 'ready-for-reload' });
await new Promise((resolve) => parentPort.once('message', resolve));
const until = Date.now() + 10_000;
for (;;) {
  const got = fs.readFileSync(`${P}/echo/again`, 'utf8');
  if (got !== 'again\n' || Date.now() > until) {
    out.afterReload = got;
    break;
  }
  await new Promise((resolve) => setTimeout(resolve, 5));
}
try {
  fs.openSync(`${P}/tcp/127.0.0.1/${port}`, 'r+');
} catch (e) {
  out.tcpAfterReload = e.code;
}
parentPort.postMessage({ t: 'done', out });
