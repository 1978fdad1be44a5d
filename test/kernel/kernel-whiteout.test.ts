import { expect, test } from 'vitest';
import { O_CREAT, O_EXCL, O_WRONLY } from '../../packages/core/src/constants.js';
import { SB } from '../../packages/core/src/store/layout.js';
import { Lookup, Nameidata, namei } from '../../packages/core/src/vfs/namei.js';
import { runSync } from '../../packages/core/src/vfs/wait.js';
import { WhiteoutOp } from '../../packages/core/src/vnode/vnode.js';
import { vopMutate } from '../../packages/core/src/vnode/vops.js';
import { kernelFixture } from './fixture.js';

function dirOf(p: ReturnType<ReturnType<typeof kernelFixture>['proc']>, path: string) {
  const nd = new Nameidata();
  namei(p, path, Lookup.Follow, nd);
  return nd.vp!;
}

function code(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    return (e as { code?: string }).code;
  }
  return undefined;
}

test('whiteouts hide nothing of their own: invisible to lookup and readdir, replaced by a real entry, gone with their directory', () => {
  const { proc, fs } = kernelFixture();
  const p = proc();
  runSync(p.mkdir('/d', 0o755));
  const d = dirOf(p, '/d');
  runSync(vopMutate('whiteout', d, 'gone', 4, WhiteoutOp.Create));
  expect(code(() => runSync(vopMutate('whiteout', d, 'gone', 4, WhiteoutOp.Create)))).toBe('EEXIST');
  expect(runSync(p.readdir('/d'))).toEqual([]);
  expect(runSync(p.exists('/d/gone'))).toBe(false);
  // A directory holding only whiteouts is empty: rmdir works and frees them.
  const small = () => fs.st.sb[SB.SLAB_INUSE]; // class 0: 32-byte entries and small tables
  const before = small();
  runSync(p.mkdir('/e', 0o755));
  const e = dirOf(p, '/e');
  runSync(vopMutate('whiteout', e, 'w1', 2, WhiteoutOp.Create));
  expect(small()).toBeGreaterThan(before);
  runSync(p.rmdir('/e'));
  expect(small()).toBe(before);
  // Creating the name replaces the whiteout.
  runSync(p.close(runSync(p.open('/d/gone', O_CREAT | O_EXCL | O_WRONLY, 0o644))));
  expect(runSync(p.readdir('/d')).map((x) => x.name)).toEqual(['gone']);
  expect(code(() => runSync(vopMutate('whiteout', d, 'gone', 4, WhiteoutOp.Delete)))).toBe('ENOENT');
  runSync(p.unlink('/d/gone'));
  runSync(vopMutate('whiteout', d, 'again', 5, WhiteoutOp.Create));
  runSync(vopMutate('whiteout', d, 'again', 5, WhiteoutOp.Delete));
  runSync(p.rmdir('/d'));
});
