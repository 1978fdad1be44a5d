/**
 * Reloading the config (checks 12, 13, 55): the rules are swapped whole on
 * reload(), on SIGHUP and on a change of the file; a missing or empty file
 * keeps the old rules; matching is redone at every open (nothing cached);
 * streams opened before a reload keep working.
 */

import * as nodeFs from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, test } from 'vitest';
import { P, caught, readToEnd, receive, scratch, setup, tcpPeer, until, type Peer, type PortalSetup } from './helpers.js';

let s: PortalSetup | undefined;
let peer: Peer | undefined;
let tmp: ReturnType<typeof scratch>;
let conf: string;
beforeEach(() => {
  tmp = scratch();
  conf = join(tmp.dir, 'portal.conf');
});
afterEach(async () => {
  await s?.close();
  await peer?.close();
  s = undefined;
  peer = undefined;
  tmp.remove();
});

function write(text: string): void {
  nodeFs.writeFileSync(conf, text);
}

test('check 12: after the file is rewritten and reloaded, new opens follow the new rules and an open stream keeps working', async () => {
  peer = await tcpPeer();
  write('tcp/ tcp tcp/\necho/ rfilter echo/ echo old %s\n');
  s = setup('', { config: conf });
  const fh = await s.fs.promises.open(`${P}/tcp/127.0.0.1/${peer.port}`, 'r+');
  const conn = await peer.accept();
  expect(s.fs.readFileSync(`${P}/echo/x`, 'utf8')).toBe('old x\n');

  write('echo/ rfilter echo/ echo new %s\n');
  expect(s.portal.reload()).toEqual({ reloaded: true, rules: 1 });
  expect(s.fs.readFileSync(`${P}/echo/x`, 'utf8')).toBe('new x\n');
  expect(caught(() => s!.fs.openSync(`${P}/tcp/127.0.0.1/${peer!.port}`, 'r+'))?.code).toBe('ENOENT');

  // The stream opened under the old rules is untouched, both ways.
  const got = receive(conn, 5);
  await fh.write('still');
  expect((await got).toString()).toBe('still');
  conn.write('here');
  const b = Buffer.alloc(16);
  expect(b.toString('utf8', 0, (await fh.read(b, 0, 16, null)).bytesRead)).toBe('here');
  await fh.close();
});

test('check 12: SIGHUP reloads the file (reload.signal)', async () => {
  const listeners = process.listenerCount('SIGHUP');
  write('echo/ rfilter echo/ echo one %s\n');
  s = setup('', { config: conf, reload: { signal: 'SIGHUP' } });
  expect(s.fs.readFileSync(`${P}/echo/x`, 'utf8')).toBe('one x\n');
  // The handler is installed once the mount has been reached (it is, by the read above).
  expect(process.listenerCount('SIGHUP')).toBe(listeners + 1);
  write('echo/ rfilter echo/ echo two %s\n');
  process.kill(process.pid, 'SIGHUP');
  await until(() => s!.portal.rules[0]!.args.includes('two'), 'the SIGHUP reload');
  expect(s.fs.readFileSync(`${P}/echo/x`, 'utf8')).toBe('two x\n');
  await s.close();
  // Closing the portal lets go of the signal.
  expect(process.listenerCount('SIGHUP')).toBe(listeners);
});

test('check 12: a change of the file reloads it (reload.watch), also when it is replaced by a rename', async () => {
  write('echo/ rfilter echo/ echo one %s\n');
  s = setup('', { config: conf, reload: { watch: true } });
  expect(s.fs.readFileSync(`${P}/echo/x`, 'utf8')).toBe('one x\n');
  write('echo/ rfilter echo/ echo two %s\n');
  await until(() => s!.portal.rules[0]!.args.includes('two'), 'the watched file to be reloaded');
  expect(s.fs.readFileSync(`${P}/echo/x`, 'utf8')).toBe('two x\n');
  // An editor's save: a new file renamed over the old one.
  nodeFs.writeFileSync(join(tmp.dir, 'portal.conf.new'), 'echo/ rfilter echo/ echo three %s\n');
  nodeFs.renameSync(join(tmp.dir, 'portal.conf.new'), conf);
  await until(() => s!.portal.rules[0]!.args.includes('three'), 'the renamed file to be reloaded');
  expect(s.fs.readFileSync(`${P}/echo/x`, 'utf8')).toBe('three x\n');
  // Removing the file keeps the rules (the watcher sees it go).
  nodeFs.rmSync(conf);
  expect(s.portal.reload()).toMatchObject({ reloaded: false, error: 'ENOENT' });
  expect(s.fs.readFileSync(`${P}/echo/x`, 'utf8')).toBe('three x\n');
});

test('check 13: a missing file or a 0-byte file keeps the old rules; a file of comments empties them', () => {
  write('echo/ rfilter echo/ echo %s\n');
  s = setup('', { config: conf });
  nodeFs.rmSync(conf);
  expect(s.portal.reload()).toEqual({ reloaded: false, rules: 1, error: 'ENOENT' });
  expect(s.fs.readFileSync(`${P}/echo/kept`, 'utf8')).toBe('kept\n');
  write('');
  expect(s.portal.reload()).toEqual({ reloaded: false, rules: 1, error: 'ENODATA' });
  expect(s.fs.readFileSync(`${P}/echo/kept`, 'utf8')).toBe('kept\n');
  write('# nothing here\n\n   # nor here\n');
  expect(s.portal.reload()).toEqual({ reloaded: true, rules: 0 });
  for (const name of ['echo/kept', 'anything', 'tcp/127.0.0.1/1']) expect(caught(() => s!.fs.openSync(`${P}/${name}`, 'r'))?.code, name).toBe('ENOENT');
  // Stat still succeeds: names exist whatever the rules.
  expect(s.fs.statSync(`${P}/echo/kept`).isFile()).toBe(true);
});

test('check 13: a text config reloads from new text; without text it keeps its rules (EINVAL)', () => {
  s = setup('echo/ rfilter echo/ echo a %s\n');
  expect(s.portal.reload()).toEqual({ reloaded: false, rules: 1, error: 'EINVAL' });
  expect(s.portal.reload({ text: '' })).toEqual({ reloaded: false, rules: 1, error: 'ENODATA' });
  expect(s.portal.reload({ text: 'echo/ rfilter echo/ echo b %s\n' })).toEqual({ reloaded: true, rules: 1 });
  expect(s.fs.readFileSync(`${P}/echo/x`, 'utf8')).toBe('b x\n');
  expect(caught(() => s!.portal.reload(42 as never))).toMatchObject({ code: 'EINVAL', syscall: 'reload' });
});

test('check 55: no caching: after a reload, re-opening a name opened before runs matching again', async () => {
  s = setup('k/ rfilter k/ echo first %s\n');
  const path = `${P}/k/name`;
  const ino = s.fs.statSync(path).ino;
  const fh = await s.fs.promises.open(path, 'r');
  expect(await readToEnd(fh)).toBe('first name\n');
  s.portal.reload({ text: 'k/ rfilter k/ echo second %s\n' });
  // Same node (same inode), held open across the reload, yet a new open is matched anew.
  expect(s.fs.readFileSync(path, 'utf8')).toBe('second name\n');
  expect(s.fs.statSync(path).ino).toBe(ino);
  await fh.close();
  s.portal.reload({ text: 'other/ rfilter other/ echo %s\n' });
  expect(caught(() => s!.fs.readFileSync(path))?.code).toBe('ENOENT');
});
