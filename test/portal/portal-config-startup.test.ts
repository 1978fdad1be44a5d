/**
 * Making a portal: the config must be an absolute path or text (check 11:
 * a relative path is refused, as mount_portal refuses one, and so is an
 * unreadable file), options are checked, and `portal.options` is a frozen,
 * structured-cloneable description that rebuilds the same file system.
 */

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, expect, test } from 'vitest';
import { portalFs } from '@actorvfs/portal';
import { caught, fixture, scratch } from './helpers.js';

const tmp = scratch();
afterAll(() => tmp.remove());

test('check 11: a relative config path is refused', () => {
  const e = caught(() => portalFs({ config: 'portal.conf' }));
  expect(e).toBeInstanceOf(TypeError);
  expect(e?.code).toBe('ERR_INVALID_ARG_VALUE');
  expect(e?.message).toContain('need absolute path for config');
  expect(caught(() => portalFs({ config: { path: 'etc/portal.conf' } }))?.code).toBe('ERR_INVALID_ARG_VALUE');
});

test('check 11: an unreadable config is refused with its errno', () => {
  const missing = join(tmp.dir, 'missing.conf');
  const e = caught(() => portalFs({ config: missing }));
  expect(e?.code).toBe('ENOENT');
  expect(e?.syscall).toBe('portal');
  expect(e?.path).toBe(missing);
  expect(caught(() => portalFs({ config: tmp.dir }))?.code).toBe('EISDIR');
});

test('a config is a path (string, file: URL, { path }), text (a string with a newline, { text }), or both', async () => {
  const conf = join(tmp.dir, 'portal.conf');
  writeFileSync(conf, 'tcp/ tcp tcp/\nfs/ file fs/\n');
  for (const config of [conf, pathToFileURL(conf), { path: conf }]) {
    const p = portalFs({ config });
    expect(p.rules.map((r) => r.key)).toEqual(['tcp/', 'fs/']);
    expect(p.options.config).toEqual({ path: conf });
  }
  expect(portalFs({ config: 'echo/ rfilter echo/ echo %s\n' }).rules[0]!.provider).toBe('rfilter');
  // { path, text }: the file with its text already read (a replica's form); reload reads the file.
  const both = portalFs({ config: { path: conf, text: 'echo/ rfilter echo/ echo %s\n' } });
  expect(both.rules.map((r) => r.key)).toEqual(['echo/']);
  expect(both.reload()).toEqual({ reloaded: true, rules: 2 });
  expect(both.rules.map((r) => r.key)).toEqual(['tcp/', 'fs/']);
  expect(portalFs({ config: { text: 'x y' } }).options.config).toEqual({ text: 'x y' });
});

test('bad options are refused with ERR_INVALID_ARG_VALUE', () => {
  const bad: unknown[] = [
    null,
    { config: 42 },
    { config: { text: 'x\n' }, timeoutMs: 0 },
    { config: { text: 'x\n' }, pool: { maxThreads: 0 } },
    { config: { text: 'x\n' }, pool: { minThreads: 5, maxThreads: 2 } },
    { config: { text: 'x\n' }, providers: { 'two words': '/m.js' } },
    { config: { text: 'x\n' }, providers: { m: 'relative/m.js' } },
    { config: { text: 'x\n' }, file: { root: 'rel' } },
    { config: { text: 'x\n' }, filter: { output: 'pipe' } },
    { config: { text: 'x\n' }, reload: { signal: 'SIGUSR1' } },
    { config: { text: 'x\n' }, reload: { watch: true } },
    { config: { text: 'x\n' }, identity: { uid: 5 } },
    { config: { text: 'x\n' }, trace: 'yes' },
    { config: { text: 'x\n' }, channel: '' },
    { config: { text: 'x\n' }, replica: 'yes' },
    { config: { text: 'x\n' }, generation: -1 },
    { config: { path: '/etc/portal.conf', text: 5 } },
  ];
  for (const o of bad) expect(caught(() => portalFs(o as never))?.code, JSON.stringify(o)).toBe('ERR_INVALID_ARG_VALUE');
});

test('options: frozen, structured-cloneable, and enough to rebuild the file system', () => {
  const p = portalFs({
    config: { text: 'up/ upper up/\n' },
    providers: { upper: fixture('upper.mjs') },
    timeoutMs: 500,
    pool: { minThreads: 1, maxThreads: 3 },
    file: { root: tmp.dir },
    trace: () => {},
  });
  const o = p.options;
  expect(Object.isFrozen(o)).toBe(true);
  expect(Object.isFrozen(o.pool)).toBe(true);
  expect(o.providers['upper']).toBe(pathToFileURL(fixture('upper.mjs')).href);
  expect(o.trace).toBe(true);
  const copy = structuredClone(o);
  expect(copy).toEqual(o);
  const again = portalFs(copy);
  expect(again.options).toEqual(o);
  expect(again.rules.map((r) => [r.key, r.provider])).toEqual([['up/', 'upper']]);
  expect(p.type).toBe('portal');
});
