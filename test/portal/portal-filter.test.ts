/**
 * rfilter, wfilter and pipe with real commands (checks 32-38, 47, 49):
 * the strip rules, the implicit %s, commands run without a shell (the name
 * is one literal argument), redirections and pipelines read from the
 * config, and the direction each provider allows.
 */

import { execFileSync } from 'node:child_process';
import * as nodeFs from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterEach, beforeEach, expect, test } from 'vitest';
import { P, caught, readToEnd, scratch, setup, until, type PortalSetup } from './helpers.js';

let s: PortalSetup | undefined;
let tmp: ReturnType<typeof scratch>;
beforeEach(() => {
  tmp = scratch();
});
afterEach(async () => {
  await s?.close();
  s = undefined;
  tmp.remove();
});

test('check 32: rfilter gives the command output, then EOF', async () => {
  s = setup('echo/ rfilter echo/ echo %s\n');
  const fh = await s.fs.promises.open(`${P}/echo/hello`, 'r');
  expect(await readToEnd(fh)).toBe('hello\n');
  expect((await fh.read(Buffer.alloc(4), 0, 4, null)).bytesRead).toBe(0);
  await fh.close();
});

test('check 33: rfilter strips only a real prefix', () => {
  s = setup('echo_nostrip/ rfilter nostrip echo %s\n');
  expect(s.fs.readFileSync(`${P}/echo_nostrip/x`, 'utf8')).toBe('echo_nostrip/x\n');
});

test('check 34: rfilter with no arguments after the command assumes %s', () => {
  s = setup('e2/ rfilter e2/ echo\n');
  expect(s.fs.readFileSync(`${P}/e2/hi`, 'utf8')).toBe('hi\n');
});

test('check 35: wfilter feeds the command; close does not wait for it to finish', async () => {
  const gate = join(tmp.dir, 'gate');
  execFileSync('mkfifo', [gate]);
  const out = join(tmp.dir, 'o.gz');
  s = setup(`gz/ wfilter gz/ gzip > %s\nslow/ wfilter slow/ cat ${gate}\n`);
  const data = 'compress me\n'.repeat(1000);
  const fh = await s.fs.promises.open(`${P}/gz/${out}`, 'w');
  await fh.write(data);
  await fh.close();
  await until(() => {
    try {
      return gunzipSync(nodeFs.readFileSync(out)).toString() === data;
    } catch {
      return false;
    }
  }, 'gzip to finish');

  // A command blocked on something else: close returns while it runs.
  const slow = await s.fs.promises.open(`${P}/slow/x`, 'w');
  await slow.write('ignored');
  await slow.close();
  await s.portal.diagnostics().then((d) => expect(d.hosts.reduce((n, h) => n + h.children, 0)).toBe(1));
  nodeFs.writeFileSync(gate, 'go'); // the command reads the gate and ends
  await until(async () => (await s!.portal.diagnostics()).hosts.every((h) => h.children === 0), 'the command to end');
});

test('check 36: wfilter strips the length of its strip key without checking', async () => {
  s = setup('w/ wfilter zz/ cat > %s\n');
  const out = join(tmp.dir, 'o');
  // "w/" + "/tmp/…/o" less three characters is "tmp/…/o", relative to the commands' directory, /.
  s.fs.writeFileSync(`${P}/w/${out}`, 'through cat');
  await until(() => nodeFs.existsSync(out) && nodeFs.readFileSync(out, 'utf8') === 'through cat', 'cat to write');
});

test('check 37: a command that fails still opens, and reads EOF at once', async () => {
  s = setup('gzcat/ rfilter gzcat/ gzip -dc %s\n');
  const fh = await s.fs.promises.open(`${P}/gzcat/${tmp.dir}/missing.gz`, 'r');
  expect(await readToEnd(fh)).toBe('');
  await fh.close();
});

test('check 38 [D]: shell metacharacters in a name are one literal argument, never run', async () => {
  const victim = join(tmp.dir, 'pwned');
  s = setup('echo/ rfilter echo/ echo %s\ngz/ wfilter gz/ gzip > %s\n');
  for (const name of [`a;touch ${victim}`, `$(touch ${victim})`, `\`touch ${victim}\``, `x' ; touch '${victim}`, `x" && touch "${victim}`, `a | touch ${victim}`, `> ${victim}`, '*', '-n x']) {
    expect(s.fs.readFileSync(`${P}/echo/${name}`, 'utf8'), name).toBe(`${name}\n`);
  }
  expect(nodeFs.existsSync(victim)).toBe(false);
  // A name with spaces and a semicolon is one file name for the redirection.
  const odd = join(tmp.dir, 'a b;c');
  s.fs.writeFileSync(`${P}/gz/${odd}`, 'odd');
  await until(() => nodeFs.existsSync(odd) && nodeFs.statSync(odd).size > 0, 'gzip to write');
  expect(nodeFs.readdirSync(tmp.dir).sort()).toEqual(['a b;c']);
});

test('check 47: reading a wfilter stream fails with EBADF', async () => {
  s = setup(`w/ wfilter w/ cat > ${join(tmp.dir, 'w')}\n`);
  const fh = await s.fs.promises.open(`${P}/w/x`, 'r+');
  await expect(fh.read(Buffer.alloc(4), 0, 4, null)).rejects.toMatchObject({ code: 'EBADF', syscall: 'read' });
  await fh.close();
});

test('check 49 [D]: writing to an rfilter stream fails with EBADF (the original: EIO)', async () => {
  s = setup('echo/ rfilter echo/ echo %s\n');
  const fh = await s.fs.promises.open(`${P}/echo/x`, 'r+');
  await expect(fh.write('nope')).rejects.toMatchObject({ code: 'EBADF', syscall: 'write' });
  expect(await readToEnd(fh)).toBe('x\n');
  await fh.close();
});

test('pipe: the command stdin and stdout as one duplex stream', async () => {
  s = setup('cat/ pipe cat/ cat\n');
  const fh = await s.fs.promises.open(`${P}/cat/any`, 'r+');
  await fh.write('ping\n');
  const b = Buffer.alloc(16);
  let got = '';
  while (got.length < 5) got += b.toString('utf8', 0, (await fh.read(b, 0, 16, null)).bytesRead);
  expect(got).toBe('ping\n');
  await fh.close();
});

test('commands: pipelines, redirections and quoting from the config; unsupported shell syntax is EINVAL', async () => {
  const errFile = join(tmp.dir, 'err');
  s = setup(
    [
      `up/ rfilter up/ echo %s | tr a-z A-Z`,
      `q/ rfilter q/ echo 'two  spaces' "and %s"`,
      `err/ rfilter err/ ls ${tmp.dir}/does-not-exist 2> %s`,
      `in/ rfilter in/ cat < %s`,
      `bad/ rfilter bad/ echo a; echo b`,
      `dollar/ rfilter dollar/ echo $HOME`,
      `gone/ rfilter gone/ no-such-command-anywhere %s`,
      '',
    ].join('\n'),
  );
  expect(s.fs.readFileSync(`${P}/up/shout`, 'utf8')).toBe('SHOUT\n');
  // The config has no quoting (check 2): the two spaces were one separator before the command was read.
  expect(s.fs.readFileSync(`${P}/q/it`, 'utf8')).toBe('two spaces and it\n');
  expect(s.fs.readFileSync(`${P}/err/${errFile}`, 'utf8')).toBe('');
  await until(() => nodeFs.existsSync(errFile) && nodeFs.readFileSync(errFile, 'utf8').length > 0, 'ls to complain');
  nodeFs.writeFileSync(join(tmp.dir, 'input'), 'from a file\n');
  expect(s.fs.readFileSync(`${P}/in/${tmp.dir}/input`, 'utf8')).toBe('from a file\n');
  expect(caught(() => s!.fs.readFileSync(`${P}/bad/x`))?.code).toBe('EINVAL');
  expect(caught(() => s!.fs.readFileSync(`${P}/dollar/x`))?.code).toBe('EINVAL');
  // [D] a command that cannot be started fails the open with its errno (the original's shell made that an empty read).
  expect(caught(() => s!.fs.readFileSync(`${P}/gone/x`))?.code).toBe('ENOENT');
});

test('commands run as the caller: uid and gid, and redirections are opened with its rights', async () => {
  const locked = join(tmp.dir, 'locked');
  nodeFs.mkdirSync(locked, { mode: 0o700 });
  s = setup('id/ rfilter id/ id -u\ngid/ rfilter gid/ id -g\nout/ wfilter out/ cat > %s\n');
  const user = s.as(1000, 1001);
  expect(user.readFileSync(`${P}/id/x`, 'utf8')).toBe('1000\n');
  expect(user.readFileSync(`${P}/gid/x`, 'utf8')).toBe('1001\n');
  expect(s.fs.readFileSync(`${P}/id/x`, 'utf8')).toBe('0\n');
  await expect(user.promises.writeFile(`${P}/out/${locked}/f`, 'x')).rejects.toMatchObject({ code: 'EACCES' });
  user.writeFileSync(`${P}/out/${tmp.dir}/f`, 'mine');
  await until(() => nodeFs.existsSync(join(tmp.dir, 'f')) && nodeFs.readFileSync(join(tmp.dir, 'f'), 'utf8') === 'mine', 'cat to write');
  const st = nodeFs.statSync(join(tmp.dir, 'f'));
  expect([st.uid, st.gid]).toEqual([1000, 1001]);
});
