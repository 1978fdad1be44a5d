/**
 * "A config file from the original's documentation works unchanged":
 * NetBSD's examples/advanced.1.conf (every feature of mount_portal in one
 * file), loaded from its absolute path and exercised rule by rule with real
 * peers, host files and commands. Commands this host lacks (BSD's gzcat and
 * ftp) fail their open with ENOENT: no shell runs them (the original's shell
 * made that an empty read).
 */

import { execFileSync } from 'node:child_process';
import * as nodeFs from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterEach, beforeEach, expect, test } from 'vitest';
import { P, caught, fixture, receive, scratch, setup, tcpPeer, until, type Peer, type PortalSetup } from './helpers.js';

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

test('NetBSD examples/advanced.1.conf works unchanged', async () => {
  s = setup('', { config: fixture('advanced.1.conf') });
  expect(s.portal.rules.map((r) => r.key)).toEqual([
    'tcp/', 'fs/', 'echo/', 'echo_nostrip/', 'echo_noslash', 'gzcat/', 'gzip/', 'gzip9/', 'ftp/', 'ftp://', 'http://', 'bzcat/', 'bzcat%', 'nroff/', 'nroff%', 'sysctl/',
  ]);
  expect(s.portal.rules.every((r) => r.kind === 'prefix')).toBe(true);
  const fs = s.fs;

  peer = await tcpPeer();
  const fh = await fs.promises.open(`${P}/tcp/127.0.0.1/${peer.port}`, 'r+');
  const conn = await peer.accept();
  const got = receive(conn, 2);
  await fh.write('hi');
  expect((await got).toString()).toBe('hi');
  await fh.close();

  // advanced.1's "cat /p/fs//etc/rc", with a file this host has.
  expect(fs.readFileSync(`${P}/fs//etc/hosts`, 'utf8')).toBe(nodeFs.readFileSync('/etc/hosts', 'utf8'));
  expect(fs.readFileSync(`${P}/echo/hello`, 'utf8')).toBe('hello\n');
  expect(fs.readFileSync(`${P}/echo_nostrip/x`, 'utf8')).toBe('echo_nostrip/x\n');
  expect(fs.readFileSync(`${P}/echo_noslashfoo`, 'utf8')).toBe('foo\n');

  const gz = join(tmp.dir, 'a.gz');
  const gz9 = join(tmp.dir, 'b.gz');
  fs.writeFileSync(`${P}/gzip/${gz}`, 'compressed\n');
  fs.writeFileSync(`${P}/gzip9/${gz9}`, 'compressed harder\n');
  const gunzipped = (f: string): string | null => {
    try {
      return gunzipSync(nodeFs.readFileSync(f)).toString();
    } catch {
      return null;
    }
  };
  await until(() => gunzipped(gz) === 'compressed\n' && gunzipped(gz9) === 'compressed harder\n', 'gzip to finish');

  const bz = join(tmp.dir, 'c');
  nodeFs.writeFileSync(bz, 'bzipped\n');
  execFileSync('bzip2', [bz]);
  expect(fs.readFileSync(`${P}/bzcat/${bz}.bz2`, 'utf8')).toBe('bzipped\n');
  expect(fs.readFileSync(`${P}/bzcat%${bz}.bz2`, 'utf8')).toBe('bzipped\n');

  const man = join(tmp.dir, 'page.1');
  nodeFs.writeFileSync(man, '.TH PAGE 1\n.SH NAME\npage \\- a test page\n');
  expect(fs.readFileSync(`${P}/nroff%${man}`, 'utf8')).toContain('a test page');

  for (const missing of [`gzcat/${gz}`, 'ftp://example.invalid/x', 'http://example.invalid/x']) {
    expect(caught(() => fs.readFileSync(`${P}/${missing}`))?.code, missing).toBe('ENOENT');
  }
});
