/**
 * `tcp`: a connection (pt_tcp.c).
 *
 *   tcp/   tcp   tcp/
 *
 * After the first strlen(argument) characters are dropped (unchecked), the
 * key must read `host/port` or `host/port/priv`: a host shorter than 256
 * characters, a port number or service name, and nothing after it but
 * `priv` (so a trailing slash is EINVAL). `priv` asks for a reserved source
 * port (512-1023, IPv4, as rresvport) and needs a caller of uid 0 (EPERM).
 * The host is resolved for every address family; a resolution failure is
 * EINVAL; each address is tried in turn and the last failure's errno is the
 * open's. The connection is made with the provider's own rights: the
 * caller's uid only decides `priv`.
 */

import * as dns from 'node:dns/promises';
import * as net from 'node:net';
import { fail, isErrnoCode } from '../core.js';
import { errnoOf } from '../../protocol/errors.js';
import type { HostSettings, OpenRequest } from '../../protocol/messages.js';
import type { StreamResource } from '../resource.js';
import { servicePort } from '../services.js';

const MAXHOSTNAMELEN = 256;

interface Target {
  host: string;
  port: number;
  priv: boolean;
}

export function parseTcpKey(req: OpenRequest, settings: HostSettings): Target {
  const strip = req.args[0];
  const rest = strip === undefined ? req.key : req.key.slice(strip.length);
  const slash = rest.indexOf('/');
  if (slash < 0) throw fail('EINVAL');
  const host = rest.slice(0, slash);
  if (host.length >= MAXHOSTNAMELEN) throw fail('EINVAL');
  const after = rest.slice(slash + 1);
  const slash2 = after.indexOf('/');
  const service = slash2 < 0 ? after : after.slice(0, slash2);
  const suffix = slash2 < 0 ? null : after.slice(slash2 + 1);
  if (suffix !== null && suffix !== 'priv') throw fail('EINVAL');
  const priv = suffix === 'priv';
  if (priv && req.cred.uid !== 0) throw fail('EPERM');
  let port: number | undefined;
  if (/^\d+$/.test(service)) port = Number(service);
  else if (service.length > 0) port = servicePort(settings.servicesFile, service);
  if (port === undefined || port > 65535) throw fail('EINVAL');
  return { host, port, priv };
}

function connect(address: string, family: number, port: number, localPort: number | undefined): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: address, port, family, ...(localPort !== undefined ? { localPort, localAddress: '0.0.0.0' } : {}) });
    const onError = (e: Error): void => {
      socket.destroy();
      reject(e);
    };
    socket.once('error', onError);
    socket.once('connect', () => {
      socket.off('error', onError);
      resolve(socket);
    });
  });
}

/** rresvport: the first free reserved port, from 1023 down to 512. */
async function connectPriv(address: string, port: number): Promise<net.Socket> {
  let last: unknown = fail('EAGAIN');
  for (let lport = 1023; lport >= 512; lport--) {
    try {
      return await connect(address, 4, port, lport);
    } catch (e) {
      last = e;
      if ((e as { code?: string }).code !== 'EADDRINUSE') throw e;
    }
  }
  throw last;
}

export async function tcpProvider(req: OpenRequest, settings: HostSettings): Promise<StreamResource> {
  const t = parseTcpKey(req, settings);
  let addresses: { address: string; family: number }[];
  try {
    addresses = await dns.lookup(t.host, { all: true, verbatim: true });
  } catch {
    throw fail('EINVAL');
  }
  // rresvport makes an IPv4 socket whatever the host resolved to.
  if (t.priv) addresses = addresses.filter((a) => a.family === 4);
  if (addresses.length === 0) throw fail('EINVAL');
  let last: unknown;
  for (const a of addresses) {
    try {
      const socket = t.priv ? await connectPriv(a.address, t.port) : await connect(a.address, a.family, t.port, undefined);
      socket.setNoDelay(true);
      return socketResource(socket);
    } catch (e) {
      last = e;
    }
  }
  throw fail(errnoOf(last, isErrnoCode));
}

function socketResource(socket: net.Socket): StreamResource {
  let timer: ReturnType<typeof setTimeout> | null = null;
  socket.on('close', () => {
    if (timer !== null) clearTimeout(timer);
    timer = null;
  });
  return {
    kind: 'stream',
    readable: socket,
    writable: socket,
    close() {
      // FIN after what is queued; never hang on a peer that stops reading.
      socket.on('error', () => {});
      if (socket.destroyed) return;
      socket.end(() => socket.destroy());
      timer = setTimeout(() => socket.destroy(), 2000);
      timer.unref();
    },
    kill() {
      socket.destroy();
    },
  };
}
