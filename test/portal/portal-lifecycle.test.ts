/**
 * Nothing left behind (check 42): a thousand open/close cycles over every
 * kind of provider (tcp, rfilter, file, a JS module), with a hung provider
 * pending all along, leave no stream, socket, child process (running or
 * unreaped), timer or port in the provider workers, no more workers than the
 * pool's limit, and after close() no worker thread and no new resource in
 * this thread at all.
 */

import * as dns from 'node:dns/promises';
import * as nodeFs from 'node:fs';
import { join } from 'node:path';
import { afterEach, expect, test } from 'vitest';
import { P, fixture, scratch, setup, tcpPeer, until, type Peer, type PortalSetup } from './helpers.js';

let s: PortalSetup | undefined;
let peer: Peer | undefined;
const tmp = scratch();
afterEach(async () => {
  await s?.close();
  await peer?.close();
  s = undefined;
  peer = undefined;
  tmp.remove();
});

/** Child processes of this process, zombies (exited, unreaped) included, from /proc. */
function childProcesses(): { pid: number; state: string }[] {
  const out: { pid: number; state: string }[] = [];
  for (const entry of nodeFs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = nodeFs.readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // gone meanwhile
    }
    // pid (comm) state ppid ...: comm may hold spaces and parentheses, so split after the last ')'.
    const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(ppid) === process.pid) out.push({ pid: Number(entry), state: state! });
  }
  return out;
}

/** Threads of this process (each worker thread is one). */
function osThreads(): number {
  return nodeFs.readdirSync('/proc/self/task').length;
}

/** How many of each resource type keep this thread's event loop alive. */
function resources(): Map<string, number> {
  const m = new Map<string, number>();
  for (const r of process.getActiveResourcesInfo()) m.set(r, (m.get(r) ?? 0) + 1);
  return m;
}

const LEAKS = /TCPSocketWrap|TCPWrap|PipeWrap|ProcessWrap|Timeout|Immediate|FSReqCallback|MessagePort|Worker/;

test('check 42 [D]: 1000 open/close cycles leave no worker, port, socket, child or timer, with a hung provider pending', async () => {
  peer = await tcpPeer((c) => c.resume());
  nodeFs.writeFileSync(join(tmp.dir, 'f'), 'file data');
  // libuv's thread pool starts on first use: start it now, so it counts in the baseline.
  await dns.lookup('127.0.0.1');
  await nodeFs.promises.readFile('/etc/hosts');
  const before = resources();
  const threads = osThreads();
  expect(childProcesses()).toEqual([]);
  s = setup('tcp/ tcp tcp/\necho/ rfilter echo/ echo %s\nfs/ file fs/\nup/ upper up/\nhang/ misbehave hang\n', {
    providers: { upper: fixture('upper.mjs'), misbehave: fixture('misbehave.mjs') },
    timeoutMs: 120_000,
  });
  const fs = s.fs;
  // One provider that never answers, pending through every cycle (the original's waitpid spin stalled on such a child).
  const hung = fs.promises.open(`${P}/hang/forever`, 'r');
  hung.catch(() => {});
  const b = Buffer.alloc(64);
  for (let i = 0; i < 1000; i++) {
    switch (i % 4) {
      case 0: {
        const fh = await fs.promises.open(`${P}/tcp/127.0.0.1/${peer.port}`, 'r+');
        await fh.write(`cycle ${i}`);
        await fh.close();
        break;
      }
      case 1:
        expect(await fs.promises.readFile(`${P}/echo/${i}`, 'utf8')).toBe(`${i}\n`);
        break;
      case 2: {
        const fd = fs.openSync(`${P}/fs${tmp.dir}/f`, 'r');
        expect(fs.readSync(fd, b, 0, 64, 0)).toBe(9);
        fs.closeSync(fd);
        break;
      }
      case 3: {
        const fh = await fs.promises.open(`${P}/up/${i}`, 'r+');
        await fh.write('x');
        expect((await fh.read(b, 0, 64, null)).bytesRead).toBe(1);
        expect(b[0]).toBe(0x58);
        await fh.close();
        break;
      }
    }
  }
  // Every connection was ended by its close; every command has exited and been reaped.
  await until(() => peer!.connections.every((c) => c.readableEnded || c.destroyed), 'the peer to see every FIN');
  expect(peer.connections).toHaveLength(250);
  await until(() => childProcesses().length === 0, 'every command to be reaped');

  const d = await s.portal.diagnostics();
  expect(d.openStreams).toBe(0);
  expect(d.threads).toBeLessThanOrEqual(s.portal.options.pool.maxThreads);
  expect(osThreads()).toBeLessThanOrEqual(threads + s.portal.options.pool.maxThreads);
  // The hung provider's host is the only one still serving a stream.
  expect(d.hosts.reduce((n, h) => n + h.streams, 0)).toBe(1);
  expect(d.hosts.reduce((n, h) => n + h.children, 0)).toBe(0);
  expect(d.hosts.reduce((n, h) => n + h.served, 0)).toBeGreaterThanOrEqual(1);
  for (const h of d.hosts) expect(h.resources.filter((r) => /TCPSocketWrap|TCPWrap|PipeWrap|ProcessWrap|Timeout|FSReqCallback/.test(r)), `host ${h.threadId}`).toEqual([]);

  await s.close();
  s = undefined;
  await expect(hung).rejects.toMatchObject({ code: 'EIO' });
  await until(() => osThreads() <= threads, 'every provider worker to be gone');
  const after = resources();
  for (const [type, n] of after) if (LEAKS.test(type)) expect(n, type).toBeLessThanOrEqual(before.get(type) ?? 0);
  expect(childProcesses()).toEqual([]);
});
