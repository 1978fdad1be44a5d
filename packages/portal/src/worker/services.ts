/**
 * Service names for the `tcp` provider (getaddrinfo's servname): the
 * host's services(5) file, read once per host thread.
 */

import { readFileSync } from 'node:fs';

const tables = new Map<string, Map<string, number>>();

function load(file: string): Map<string, number> {
  const map = new Map<string, number>();
  let text = '';
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return map;
  }
  for (const raw of text.split('\n')) {
    const line = raw.replace(/#.*/, '').trim();
    if (line.length === 0) continue;
    const [name, portProto, ...aliases] = line.split(/\s+/);
    const m = /^(\d+)\/(\w+)$/.exec(portProto ?? '');
    if (name === undefined || m === null || m[2] !== 'tcp') continue;
    const port = Number(m[1]);
    for (const n of [name, ...aliases]) if (!map.has(n)) map.set(n, port);
  }
  return map;
}

/** The TCP port of service `name`, or undefined. */
export function servicePort(file: string, name: string): number | undefined {
  let t = tables.get(file);
  if (t === undefined) {
    t = load(file);
    tables.set(file, t);
  }
  return t.get(name);
}
