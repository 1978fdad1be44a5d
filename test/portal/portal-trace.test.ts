/**
 * The op dump (check 56): with `trace`, every operation that reaches the
 * portal (the ones it leaves to the defaults too) is logged, op name and
 * node first, before it runs; `trace: true` writes the lines to stderr.
 */

import { spawnSync } from 'node:child_process';
import * as nodeFs from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, expect, test } from 'vitest';
import { P, caught, scratch, setup, type PortalSetup } from './helpers.js';

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

test('check 56: every op is logged, name and node, before it runs', async () => {
  const lines: string[] = [];
  const out = join(tmp.dir, 'out');
  let existedAtOpen: boolean | undefined;
  s = setup(`echo/ rfilter echo/ echo %s\nw/ wfilter w/ cat > ${out}\n`, {
    trace: (line) => {
      lines.push(line);
      // The wfilter's open creates the file: logged before it runs, the file is not there yet.
      if (line.startsWith('portal: open w/')) existedAtOpen = nodeFs.existsSync(out);
    },
  });
  const take = (): string[] => lines.splice(0);
  s.fs.statSync(`${P}/echo/a`);
  // Search permission on the root, the lookup of the whole rest of the path, the attributes.
  expect(take()).toEqual(['portal: access / mode=1', 'portal: lookup / echo/a', 'portal: getattr echo/a']);

  const fd = s.fs.openSync(`${P}/echo/a`, 'r');
  const b = Buffer.alloc(8);
  s.fs.readSync(fd, b, 0, 8, null);
  s.fs.closeSync(fd);
  expect(take()).toEqual([
    'portal: access / mode=1',
    'portal: lookup / echo/a',
    'portal: access echo/a mode=4',
    'portal: open echo/a',
    'portal: read echo/a len=8 pos=0',
    'portal: close echo/a',
    'portal: inactive echo/a',
  ]);

  // Ops that fail, and ops the portal leaves to the defaults, are logged all the same.
  expect(caught(() => s!.fs.readdirSync(P))?.code).toBe('EOPNOTSUPP');
  expect(take()).toContain('portal: readdir / pos=0');
  expect(caught(() => s!.fs.unlinkSync(`${P}/echo/a`))?.code).toBe('EOPNOTSUPP');
  expect(take()).toContain('portal: remove / echo/a');
  expect(caught(() => s!.fs.renameSync(`${P}/x`, `${P}/y`))?.code).toBe('EOPNOTSUPP');
  expect(take().filter((l) => l.startsWith('portal: rename'))).toEqual(['portal: rename / / x y']);
  s.fs.chmodSync(`${P}/echo/a`, 0o600);
  expect(take()).toContain('portal: setattr echo/a');
  expect(caught(() => s!.fs.openSync(`${P}/none/x`, 'r'))?.code).toBe('ENOENT');
  expect(take()).toContain('portal: open none/x');

  // (The 'w' flag's O_TRUNC is a setattr, accepted and ignored.)
  await s.fs.promises.writeFile(`${P}/w/x`, 'data');
  expect(existedAtOpen).toBe(false);
  expect(take().filter((l) => !/^portal: (lookup|access)/.test(l))).toEqual(['portal: open w/x', 'portal: setattr w/x', 'portal: write w/x len=4 pos=0', 'portal: close w/x', 'portal: inactive w/x']);
});

test('check 56: trace: true writes the op dump to stderr', () => {
  const script = join(tmp.dir, 'dump.mjs');
  nodeFs.writeFileSync(
    script,
    `import { createVfs } from '@actorvfs/core';
import { portalFs } from '@actorvfs/portal';
const vfs = createVfs();
vfs.fs.mkdirSync('/p');
const portal = portalFs({ config: { text: 'echo/ rfilter echo/ echo %s\\n' }, trace: true });
vfs.mount('/p', portal);
process.stdout.write(vfs.fs.readFileSync('/p/echo/hi', 'utf8'));
await portal.close();
`,
  );
  // Run from the repository, where @actorvfs/* resolve to the built packages.
  const root = fileURLToPath(new URL('../../', import.meta.url));
  const linked = join(tmp.dir, 'node_modules');
  nodeFs.symlinkSync(join(root, 'node_modules'), linked);
  const r = spawnSync(process.execPath, [script], { cwd: tmp.dir, encoding: 'utf8', timeout: 30_000 });
  expect(r.status).toBe(0);
  expect(r.stdout).toBe('hi\n');
  const dump = r.stderr.split('\n').filter((l) => l.startsWith('portal: '));
  expect(dump).toEqual([
    'portal: access / mode=1',
    'portal: lookup / echo/hi',
    'portal: access echo/hi mode=4',
    'portal: open echo/hi',
    'portal: getattr echo/hi',
    'portal: read echo/hi len=65536 pos=0',
    'portal: read echo/hi len=65536 pos=3',
    'portal: close echo/hi',
    'portal: inactive echo/hi',
  ]);
});
