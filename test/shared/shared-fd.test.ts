/**
 * Open file descriptions handed between threads (shareFd / adoptFd): one
 * offset, one set of status flags, one flock owner, shared by every
 * descriptor in every thread, until the last one closes.
 */

import { Worker } from 'node:worker_threads';
import { afterEach, expect, test } from 'vitest';
import { SharedVfs, adoptFd, shareFd, type SharedFd } from '@actorvfs/workers';

let svfs: SharedVfs | undefined;
afterEach(async () => {
  await svfs?.close();
  svfs = undefined;
});

const WORKERS = new URL('../../packages/workers/dist/index.js', import.meta.url).href;

/** A worker attached to the file system; `body` is an async function body of `fs`, `adoptFd`, `shareFd`, `data`, `port`. */
function start(body: string, data: unknown): Worker {
  const source = `
    const { workerData, parentPort } = require('node:worker_threads');
    import(${JSON.stringify(WORKERS)}).then(async ({ attach, adoptFd, shareFd }) => {
      const fs = await attach(workerData.handle);
      const data = workerData.data;
      const port = parentPort;
      try {
        await (async () => { ${body} })();
      } catch (e) {
        port.postMessage({ error: { code: e.code, message: e.message, syscall: e.syscall } });
      }
    });`;
  return new Worker(source, { eval: true, workerData: { handle: svfs!.handle(), data }, execArgv: [] });
}

function next<T>(w: Worker): Promise<T> {
  return new Promise((resolve, reject) => {
    w.once('message', resolve);
    w.once('error', reject);
  });
}

test('a handed-over descriptor shares the offset with the original, in both directions', async () => {
  svfs = await SharedVfs.create();
  const fs = svfs.fs;
  fs.writeFileSync('/f', 'abcdefghijklmnopqrstuvwxyz');
  const fd = fs.openSync('/f', 'r+');
  const buf = Buffer.alloc(3);
  fs.readSync(fd, buf);
  expect(buf.toString()).toBe('abc');
  const token = shareFd(fs, fd);
  expect(structuredClone(token)).toEqual(token);
  const w = start(
    `
    const fd = adoptFd(fs, data);
    const b = Buffer.alloc(4);
    fs.readSync(fd, b);                                    // continues at 3
    port.postMessage(b.toString());
    await new Promise((r) => port.once('message', r));
    fs.readSync(fd, b);                                    // continues where main left off
    fs.writeSync(fd, '!!');                                // writes at the shared offset
    port.postMessage(b.toString());
    await new Promise((r) => port.once('message', r));
    fs.closeSync(fd);
    port.postMessage('closed');
  `,
    token,
  );
  expect(await next(w)).toBe('defg');
  fs.readSync(fd, buf); // 7..9
  expect(buf.toString()).toBe('hij');
  w.postMessage('go');
  expect(await next(w)).toBe('klmn');
  expect(fs.readFileSync('/f', 'utf8')).toBe('abcdefghijklmn!!qrstuvwxyz');
  // The worker's writes moved this thread's offset too: 16.
  expect(fs.readSync(fd, buf)).toBe(3);
  expect(buf.toString()).toBe('qrs');
  w.postMessage('close');
  expect(await next(w)).toBe('closed');
  await w.terminate();
  // The description lives on here after the worker closed its descriptor.
  expect(fs.readSync(fd, buf)).toBe(3);
  expect(buf.toString()).toBe('tuv');
  fs.closeSync(fd);
  expect(() => adoptFd(fs, token)).toThrow(expect.objectContaining({ code: 'ENOENT', syscall: 'adoptFd' }) as Error);
});

test('concurrent reads through one description from two threads never read the same bytes twice', async () => {
  svfs = await SharedVfs.create();
  const fs = svfs.fs;
  const RECORDS = 20000;
  const rec = (i: number): string => `${String(i).padStart(7, '0')}\n`;
  fs.writeFileSync('/records', Array.from({ length: RECORDS }, (_, i) => rec(i)).join(''));
  const fd = fs.openSync('/records', 'r');
  const token = shareFd(fs, fd);
  const reader = `
    const fd = adoptFd(fs, data);
    port.postMessage('ready');
    await new Promise((r) => port.once('message', r));
    const got = [];
    const b = Buffer.alloc(8);
    for (;;) {
      const n = data.async ? await new Promise((res, rej) => fs.read(fd, b, 0, 8, null, (e, n) => (e ? rej(e) : res(n)))) : fs.readSync(fd, b, 0, 8, null);
      if (n === 0) break;
      got.push(Number(b.toString('utf8', 0, 7)));
    }
    fs.closeSync(fd);
    port.postMessage(got);
  `;
  const a = start(reader, { ...token, async: false });
  const b = start(reader, { ...token, async: true });
  await Promise.all([next(a), next(b)]);
  a.postMessage('go');
  b.postMessage('go');
  // The test thread reads too.
  const mine: number[] = [];
  const buf = Buffer.alloc(8);
  for (let i = 0; i < 200; i++) {
    if (fs.readSync(fd, buf, 0, 8, null) === 0) break;
    mine.push(Number(buf.toString('utf8', 0, 7)));
  }
  const [ga, gb] = await Promise.all([next<number[]>(a), next<number[]>(b)]);
  await Promise.all([a.terminate(), b.terminate()]);
  const rest: number[] = [];
  while (fs.readSync(fd, buf, 0, 8, null) === 8) rest.push(Number(buf.toString('utf8', 0, 7)));
  fs.closeSync(fd);
  const all = [...mine, ...ga, ...gb, ...rest].sort((x, y) => x - y);
  expect(all).toEqual(Array.from({ length: RECORDS }, (_, i) => i));
  // The workers read through the shared description (each record exactly once overall, above).
  expect(ga.length + gb.length).toBeGreaterThan(0);
});

test('O_APPEND through a shared description from several threads: every record whole, none lost', async () => {
  svfs = await SharedVfs.create();
  const fs = svfs.fs;
  const fd = fs.openSync('/log', 'a');
  const token = shareFd(fs, fd);
  const writer = `
    const fd = adoptFd(fs, data.token);
    for (let i = 0; i < 300; i++) {
      const line = (data.tag + ':' + String(i).padStart(5, '0') + '\\n');
      if (i % 2) fs.writeSync(fd, line); else await new Promise((res, rej) => fs.write(fd, line, (e) => e ? rej(e) : res()));
    }
    fs.closeSync(fd);
    port.postMessage('done');
  `;
  const ws = ['a', 'b', 'c'].map((tag) => start(writer, { token, tag }));
  for (let i = 0; i < 300; i++) fs.writeSync(fd, `m:${String(i).padStart(5, '0')}\n`);
  await Promise.all(ws.map((w) => next(w)));
  await Promise.all(ws.map((w) => w.terminate()));
  // The shared offset is the end of the file, whoever appended last.
  expect(fs.fstatSync(fd).size).toBe(4 * 300 * 8);
  fs.closeSync(fd);
  const lines = fs.readFileSync('/log', 'utf8').split('\n').filter((l) => l !== '');
  expect(lines.length).toBe(1200);
  for (const tag of ['a', 'b', 'c', 'm']) {
    const mineInOrder = lines.filter((l) => l.startsWith(`${tag}:`)).map((l) => Number(l.slice(2)));
    expect(mineInOrder).toEqual(Array.from({ length: 300 }, (_, i) => i));
  }
});

test('flock belongs to the description: held while any thread holds it, released with the last close or a dead last holder', async () => {
  svfs = await SharedVfs.create();
  const fs = svfs.fs;
  fs.writeFileSync('/lockme', '');
  const fh = await fs.promises.open('/lockme', 'r');
  await fh.flock('ex');
  const token = shareFd(fs, fh.fd);
  const holder = start(`const fd = adoptFd(fs, data); port.postMessage('adopted'); setInterval(() => {}, 1000);`, token);
  expect(await next(holder)).toBe('adopted');
  await fh.close();
  const other = await fs.promises.open('/lockme', 'r');
  // Still held through the worker's descriptor.
  await expect(other.flock('ex')).rejects.toMatchObject({ code: 'EAGAIN' });
  await holder.terminate();
  await svfs.settled();
  await other.flock('ex');
  await other.close();
});

test('bad hand-overs give clear errors', async () => {
  svfs = await SharedVfs.create();
  const fs = svfs.fs;
  expect(() => shareFd(fs, 9999)).toThrow(expect.objectContaining({ code: 'EBADF', syscall: 'shareFd' }) as Error);
  fs.mkdirSync('/d');
  const dfd = fs.openSync('/d', 'r');
  expect(() => shareFd(fs, dfd)).toThrow(expect.objectContaining({ code: 'EOPNOTSUPP' }) as Error);
  fs.closeSync(dfd);
  expect(() => shareFd({}, 3)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE' }) as Error);
  expect(() => adoptFd(fs, { nonsense: true } as unknown as SharedFd)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE' }) as Error);
  expect(() => adoptFd(fs, { entry: 5, gen: 77, id: 1, cred: { uid: 0, gid: 0, groups: [] } })).toThrow(expect.objectContaining({ code: 'ENOENT' }) as Error);
  // Adopting twice in one thread gives two descriptors of one description.
  fs.writeFileSync('/x', '0123456789');
  const fd = fs.openSync('/x', 'r');
  const token = shareFd(fs, fd);
  expect(shareFd(fs, fd)).toEqual(token);
  const fd2 = adoptFd(fs, token);
  expect(fd2).not.toBe(fd);
  const b = Buffer.alloc(2);
  fs.readSync(fd, b);
  fs.readSync(fd2, b);
  expect(b.toString()).toBe('23');
  fs.closeSync(fd);
  fs.readSync(fd2, b);
  expect(b.toString()).toBe('45');
  fs.closeSync(fd2);
});
