// A worker that attaches to a shared file system and runs a few operations.
import { parentPort, workerData } from 'node:worker_threads';
import { attach } from '@actorvfs/workers';

const fs = await attach(workerData.handle, { uid: 0, gid: 0 });
const seen = fs.readFileSync('/from-main', 'utf8');
fs.writeFileSync('/from-worker', `worker saw: ${seen}`);
fs.mkdirSync('/wdir/a/b', { recursive: true });
fs.renameSync('/wdir/a/b', '/wdir/b');
const st = fs.statSync('/wdir/b');
await fs.promises.writeFile('/async', 'via promises');
parentPort.postMessage({ seen, isDir: st.isDirectory(), list: fs.readdirSync('/').sort() });
