/**
 * Shared pieces of the portal tests: a fresh VFS with a portal mounted on
 * /p, real TCP peers on 127.0.0.1, a host scratch directory, JS-module
 * provider fixtures (test/portal/fixtures, run in the provider workers), and
 * a bounded wait for a condition another process brings about.
 */

import * as nodeFs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as nodePath from 'node:path';
import { fileURLToPath } from 'node:url';
import { createVfs, type Vfs, type VfsFs } from '@actorvfs/core';
import { portalFs, type PortalFs, type PortalFsOptions } from '@actorvfs/portal';

export const P = '/p';

export interface PortalSetup {
  vfs: Vfs;
  /** The VFS as root. */
  fs: VfsFs;
  portal: PortalFs;
  /** The VFS as another user. */
  as(uid: number, gid: number, groups?: number[]): VfsFs;
  close(): Promise<void>;
}

/** A VFS with `config` (text) mounted on /p. Close it in afterEach/afterAll. */
export function setup(config: string, options: Partial<PortalFsOptions> = {}): PortalSetup {
  const vfs = createVfs();
  vfs.fs.mkdirSync(P, { mode: 0o755 });
  const portal = portalFs({ filter: { output: 'ignore' }, ...options, config: options.config ?? { text: config } });
  vfs.mount(P, portal);
  return {
    vfs,
    fs: vfs.fs,
    portal,
    as: (uid, gid, groups) => vfs.context({ uid, gid, groups: groups ?? [gid] }),
    close: () => portal.close(),
  };
}

export function fixture(name: string): string {
  return fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
}

/** A scratch directory on the host, mode 0777 (users other than root write in it too). */
export function scratch(): { dir: string; remove(): void } {
  const dir = nodeFs.mkdtempSync(nodePath.join(os.tmpdir(), 'avfs-portal-'));
  nodeFs.chmodSync(dir, 0o777);
  return { dir, remove: () => nodeFs.rmSync(dir, { recursive: true, force: true }) };
}

export interface Peer {
  port: number;
  server: net.Server;
  connections: net.Socket[];
  /** The next connection (or one already made and not yet taken). */
  accept(): Promise<net.Socket>;
  close(): Promise<void>;
}

/** A TCP server on 127.0.0.1 (an ephemeral port) whose connections the test drives. */
export async function tcpPeer(onConnection?: (s: net.Socket) => void): Promise<Peer> {
  const connections: net.Socket[] = [];
  const queue: net.Socket[] = [];
  const waiters: ((s: net.Socket) => void)[] = [];
  const server = net.createServer((s) => {
    connections.push(s);
    s.on('error', () => {});
    onConnection?.(s);
    const w = waiters.shift();
    if (w !== undefined) w(s);
    else queue.push(s);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    server,
    connections,
    accept: () => {
      const s = queue.shift();
      return s !== undefined ? Promise.resolve(s) : new Promise((resolve) => waiters.push(resolve));
    },
    close: async () => {
      for (const s of connections) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Everything a socket receives until it ends. */
export function readAll(s: net.Socket): Promise<string> {
  return new Promise((resolve) => {
    let out = '';
    s.setEncoding('utf8');
    s.on('data', (d: string) => (out += d));
    s.on('end', () => resolve(out));
  });
}

/** The next `n` bytes a socket receives. */
export function receive(s: net.Socket, n: number): Promise<Buffer> {
  return new Promise((resolve) => {
    let got = Buffer.alloc(0);
    const on = (d: Buffer): void => {
      got = Buffer.concat([got, d]);
      if (got.length >= n) {
        s.off('data', on);
        resolve(got);
      }
    };
    s.on('data', on);
  });
}

/**
 * Wait until `cond` holds: for what only another process brings about (a
 * command finishing after close), with no message to wait for. Bounded.
 */
export async function until(cond: () => boolean | Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** The error a call throws (or undefined). */
export function caught(fn: () => unknown): (Error & { code?: string; syscall?: string; path?: string; errno?: number }) | undefined {
  try {
    fn();
  } catch (e) {
    return e as Error & { code?: string };
  }
  return undefined;
}

/** Read a FileHandle to its end. */
export async function readToEnd(fh: { read(b: Buffer, o: number, l: number, p: null): Promise<{ bytesRead: number }> }): Promise<string> {
  const parts: Buffer[] = [];
  for (;;) {
    const b = Buffer.alloc(65536);
    const { bytesRead } = await fh.read(b, 0, b.length, null);
    if (bytesRead === 0) return Buffer.concat(parts).toString('utf8');
    parts.push(b.subarray(0, bytesRead));
  }
}
