/**
 * Matching at open time: first match wins, raw prefixes, unanchored
 * extended regexes, literal fallback (checks 3-7), each seen through an
 * open whose provider shows which rule it got.
 */

import { readFileSync } from 'node:fs';
import { afterEach, expect, test } from 'vitest';
import { matchRule, parseConfig } from '@actorvfs/portal';
import { P, caught, setup, tcpPeer, type PortalSetup } from './helpers.js';

let s: PortalSetup | undefined;
afterEach(async () => {
  await s?.close();
  s = undefined;
});

test('check 4: the first matching rule wins, in file order', async () => {
  s = setup('fs/etc/ rfilter fs/etc/ echo %s\nfs/ file fs/\n');
  expect(s.fs.readFileSync(`${P}/fs/etc/hosts`, 'utf8')).toBe('hosts\n');
  await s.close();
  s = setup('fs/ file fs/\nfs/etc/ rfilter fs/etc/ echo %s\n');
  expect(s.fs.readFileSync(`${P}/fs/etc/hosts`, 'utf8')).toBe(readFileSync('/etc/hosts', 'utf8'));
});

test('check 3: of two rules with the same key, the first (tcp) serves the opens', async () => {
  const peer = await tcpPeer();
  s = setup('tcp/ tcp tcp/\ntcp/ file tcp/\n');
  const fh = await s.fs.promises.open(`${P}/tcp/127.0.0.1/${peer.port}`, 'r+');
  await peer.accept();
  expect(peer.connections).toHaveLength(1);
  await fh.close();
  await peer.close();
});

test('check 5: a prefix is raw characters, with no component boundary', async () => {
  s = setup('tcp tcp tcp\n');
  // Matched (the tcp provider then finds no host "x"): EINVAL, not ENOENT.
  expect(caught(() => s!.fs.openSync(`${P}/tcpx/127.0.0.1/7`, 'r'))?.code).toBe('EINVAL');
  await s.close();
  s = setup('tcp/ tcp tcp/\n');
  expect(caught(() => s!.fs.openSync(`${P}/tc`, 'r'))?.code).toBe('ENOENT');
});

test('check 6: a regex key is searched unanchored, ^ anchors it, a dot makes a regex', async () => {
  s = setup('foo.*bar rfilter nostrip echo %s\n^echo[0-9]+/ rfilter nostrip echo N\na.b/ rfilter nostrip echo AB\n');
  expect(s.fs.readFileSync(`${P}/zzfooQbar`, 'utf8')).toBe('zzfooQbar\n');
  expect(s.fs.readFileSync(`${P}/echo12/hi`, 'utf8')).toBe('N\n');
  expect(caught(() => s!.fs.openSync(`${P}/xecho1/`, 'r'))?.code).toBe('ENOENT');
  expect(s.fs.readFileSync(`${P}/aZb/`, 'utf8')).toBe('AB\n');
  const rules = parseConfig('foo.*bar file x\n').rules;
  expect(matchRule(rules, 'zzfooQbar')?.key).toBe('foo.*bar');
});

test('check 7: an uncompilable regex key matches as a literal prefix', async () => {
  s = setup('foo( rfilter nostrip echo %s\n');
  expect(s.fs.readFileSync(`${P}/foo(x`, 'utf8')).toBe('foo(x\n');
  expect(caught(() => s!.fs.openSync(`${P}/foox`, 'r'))?.code).toBe('ENOENT');
});
