/**
 * Section P for unlink and rmdir (R-STICKY-1, 3, 6; R-UNL-8, R-RMDIR-8):
 * in a sticky directory an unprivileged caller removes an entry only if he
 * owns the entry or the directory; otherwise EPERM (Linux) and the entry
 * stays. Root bypasses it.
 */

import { expect, test } from 'vitest';
import { forEachSetup } from '../setups.js';
import {
  NON_DIR_TYPES,
  createNode,
  errorCodeOf,
  exists,
  otherUser,
  ownedDir,
  unprivileged,
} from './helpers.js';
import { STICKY_CASES, describeCase, ids } from './sticky-cases.js';

forEachSetup('sticky directories: unlink and rmdir', (h, setup) => {
  for (const type of NON_DIR_TYPES) {
    test(`R-STICKY-1 unlink of a ${type} in a sticky directory needs ownership of the entry or the directory`, async () => {
      const harness = h();
      const u = unprivileged(harness, setup);
      const other = otherUser(harness);
      const got: Record<string, string> = {};
      const want: Record<string, string> = {};
      for (const [i, c] of STICKY_CASES.entries()) {
        const d = ownedDir(harness, `${harness.dir}/s${i}`, ids(c.dirOwner, u, other), 0o1777);
        createNode(harness, type, `${d}/entry`, ids(c.entryOwner, u, other));
        got[describeCase(c)] = (await errorCodeOf(u.fs.promises.unlink(`${d}/entry`))) ?? 'ok';
        want[describeCase(c)] = c.allowed ? 'ok' : 'EPERM';
        expect(exists(harness.admin, `${d}/entry`), describeCase(c)).toBe(!c.allowed);
      }
      expect(got).toEqual(want);
    });
  }

  test('R-STICKY-1 rmdir in a sticky directory needs ownership of the entry or the directory', async () => {
    const harness = h();
    const u = unprivileged(harness, setup);
    const other = otherUser(harness);
    const got: Record<string, string> = {};
    const want: Record<string, string> = {};
    for (const [i, c] of STICKY_CASES.entries()) {
      const d = ownedDir(harness, `${harness.dir}/s${i}`, ids(c.dirOwner, u, other), 0o1777);
      createNode(harness, 'dir', `${d}/entry`, { ...ids(c.entryOwner, u, other), mode: 0o777 });
      got[describeCase(c)] = (await errorCodeOf(u.fs.promises.rmdir(`${d}/entry`))) ?? 'ok';
      want[describeCase(c)] = c.allowed ? 'ok' : 'EPERM';
      expect(exists(harness.admin, `${d}/entry`), describeCase(c)).toBe(!c.allowed);
    }
    expect(got).toEqual(want);
  });

  test('R-STICKY-1 without the sticky bit anyone with write permission on the directory may unlink', async () => {
    const harness = h();
    const u = unprivileged(harness, setup);
    const other = otherUser(harness);
    const d = ownedDir(harness, `${harness.dir}/pub`, { uid: 0, gid: 0 }, 0o777);
    createNode(harness, 'regular', `${d}/f`, { uid: other.uid, gid: other.gid });
    createNode(harness, 'dir', `${d}/e`, { uid: other.uid, gid: other.gid });
    await u.fs.promises.unlink(`${d}/f`);
    await u.fs.promises.rmdir(`${d}/e`);
    expect(harness.admin.readdirSync(d)).toEqual([]);
  });

  test('R-STICKY-6 root removes anything from a sticky directory', async () => {
    const harness = h();
    const other = otherUser(harness);
    const d = ownedDir(harness, `${harness.dir}/s`, { uid: other.uid, gid: other.gid }, 0o1777);
    createNode(harness, 'regular', `${d}/f`, { uid: other.uid, gid: other.gid });
    createNode(harness, 'dir', `${d}/e`, { uid: other.uid, gid: other.gid });
    await harness.admin.promises.unlink(`${d}/f`);
    await harness.admin.promises.rmdir(`${d}/e`);
    expect(harness.admin.readdirSync(d)).toEqual([]);
  });

  test('R-STICKY-1 a denied unlink leaves the directory\'s times alone', async () => {
    const harness = h();
    const u = unprivileged(harness, setup);
    const other = otherUser(harness);
    const d = ownedDir(harness, `${harness.dir}/s`, { uid: 0, gid: 0 }, 0o1777);
    createNode(harness, 'regular', `${d}/f`, { uid: other.uid, gid: other.gid });
    const before = harness.admin.statSync(d, { bigint: true });
    await new Promise((r) => setTimeout(r, 5));
    expect(await errorCodeOf(u.fs.promises.unlink(`${d}/f`))).toBe('EPERM');
    const after = harness.admin.statSync(d, { bigint: true });
    expect([after.mtimeNs, after.ctimeNs]).toEqual([before.mtimeNs, before.ctimeNs]);
  });
});
