/**
 * Section P for rename (R-REN-17, R-STICKY-1 .. R-STICKY-6): renaming an
 * entry away from a sticky directory, or over an entry in one, needs
 * ownership of that entry or of the directory (Linux: EPERM otherwise).
 */

import { expect, test } from 'vitest';
import { forEachSetup } from '../setups.js';
import {
  NODE_TYPES,
  NON_DIR_TYPES,
  createNode,
  errorCodeOf,
  exists,
  otherUser,
  ownedDir,
  rejects,
  unprivileged,
  type NodeType,
} from './helpers.js';
import { STICKY_CASES, describeCase, ids } from './sticky-cases.js';

forEachSetup('sticky directories: rename', (h, setup) => {
  for (const type of NODE_TYPES) {
    test(`R-STICKY-1 renaming a ${type} within a sticky directory needs ownership of the entry or the directory`, async () => {
      const harness = h();
      const u = unprivileged(harness, setup);
      const other = otherUser(harness);
      const got: Record<string, string> = {};
      const want: Record<string, string> = {};
      for (const [i, c] of STICKY_CASES.entries()) {
        const d = ownedDir(harness, `${harness.dir}/s${i}`, ids(c.dirOwner, u, other), 0o1777);
        createNode(harness, type, `${d}/entry`, { ...ids(c.entryOwner, u, other), mode: type === 'dir' ? 0o777 : 0o666 });
        const before = harness.admin.lstatSync(`${d}/entry`);
        got[describeCase(c)] = (await errorCodeOf(u.fs.promises.rename(`${d}/entry`, `${d}/moved`))) ?? 'ok';
        want[describeCase(c)] = c.allowed ? 'ok' : 'EPERM';
        const now = harness.admin.lstatSync(`${d}/${c.allowed ? 'moved' : 'entry'}`);
        // R-STICKY-5: the node keeps its inode and owner.
        expect([now.ino, now.uid, now.gid], describeCase(c)).toEqual([before.ino, before.uid, before.gid]);
      }
      expect(got).toEqual(want);
    });
  }

  for (const type of NON_DIR_TYPES) {
    test(`R-STICKY-1 moving a ${type} out of a sticky directory needs ownership of the entry or the directory`, async () => {
      const harness = h();
      const u = unprivileged(harness, setup);
      const other = otherUser(harness);
      const dest = ownedDir(harness, `${harness.dir}/dest`, { uid: u.uid, gid: u.gid }, 0o755);
      const got: Record<string, string> = {};
      const want: Record<string, string> = {};
      for (const [i, c] of STICKY_CASES.entries()) {
        const d = ownedDir(harness, `${harness.dir}/s${i}`, ids(c.dirOwner, u, other), 0o1777);
        createNode(harness, type, `${d}/entry`, ids(c.entryOwner, u, other));
        got[describeCase(c)] = (await errorCodeOf(u.fs.promises.rename(`${d}/entry`, `${dest}/e${i}`))) ?? 'ok';
        want[describeCase(c)] = c.allowed ? 'ok' : 'EPERM';
        expect(exists(harness.admin, `${d}/entry`), describeCase(c)).toBe(!c.allowed);
      }
      expect(got).toEqual(want);
    });
  }

  const TARGETS: NodeType[] = [...NON_DIR_TYPES, 'dir'];
  for (const type of TARGETS) {
    test(`R-STICKY-2 replacing a ${type} in a sticky directory needs ownership of the replaced entry or the directory`, async () => {
      const harness = h();
      const u = unprivileged(harness, setup);
      const other = otherUser(harness);
      const src = ownedDir(harness, `${harness.dir}/src`, { uid: u.uid, gid: u.gid }, 0o755);
      const got: Record<string, string> = {};
      const want: Record<string, string> = {};
      for (const [i, c] of STICKY_CASES.entries()) {
        const d = ownedDir(harness, `${harness.dir}/s${i}`, ids(c.dirOwner, u, other), 0o1777);
        createNode(harness, type, `${d}/victim`, { ...ids(c.entryOwner, u, other), mode: type === 'dir' ? 0o777 : 0o666 });
        const victim = harness.admin.lstatSync(`${d}/victim`).ino;
        // The source is the caller's own, of a kind that may replace the target.
        createNode(harness, type === 'dir' ? 'dir' : 'regular', `${src}/n${i}`, { uid: u.uid, gid: u.gid });
        const mine = harness.admin.lstatSync(`${src}/n${i}`).ino;
        got[describeCase(c)] = (await errorCodeOf(u.fs.promises.rename(`${src}/n${i}`, `${d}/victim`))) ?? 'ok';
        want[describeCase(c)] = c.allowed ? 'ok' : 'EPERM';
        expect(harness.admin.lstatSync(`${d}/victim`).ino, describeCase(c)).toBe(c.allowed ? mine : victim);
      }
      expect(got).toEqual(want);
    });
  }

  test('R-STICKY-4 a directory owned by someone else leaves a sticky directory the caller owns only within it', async () => {
    const harness = h();
    const u = unprivileged(harness, setup);
    const other = otherUser(harness);
    const sticky = ownedDir(harness, `${harness.dir}/s`, { uid: u.uid, gid: u.gid }, 0o1777);
    const dest = ownedDir(harness, `${harness.dir}/dest`, { uid: u.uid, gid: u.gid }, 0o777);
    createNode(harness, 'dir', `${sticky}/theirs`, { uid: other.uid, gid: other.gid, mode: 0o755 });
    // Its ".." would change, and the caller may not write it.
    await rejects(u.fs.promises.rename(`${sticky}/theirs`, `${dest}/theirs`), 'EACCES');
    await u.fs.promises.rename(`${sticky}/theirs`, `${sticky}/renamed`);
    expect(harness.admin.statSync(`${sticky}/renamed`).uid).toBe(other.uid);
    // A directory he owns may go anywhere, even from someone else's sticky directory.
    const foreign = ownedDir(harness, `${harness.dir}/f`, { uid: other.uid, gid: other.gid }, 0o1777);
    createNode(harness, 'dir', `${foreign}/mine`, { uid: u.uid, gid: u.gid });
    await u.fs.promises.rename(`${foreign}/mine`, `${dest}/mine`);
    expect(harness.admin.readdirSync(dest)).toEqual(['mine']);
  });

  test('R-STICKY-6 root renames anything in and out of sticky directories', async () => {
    const harness = h();
    const other = otherUser(harness);
    const d = ownedDir(harness, `${harness.dir}/s`, { uid: other.uid, gid: other.gid }, 0o1777);
    createNode(harness, 'regular', `${d}/f`, { uid: other.uid, gid: other.gid });
    createNode(harness, 'regular', `${d}/g`, { uid: other.uid, gid: other.gid });
    createNode(harness, 'dir', `${d}/e`, { uid: other.uid, gid: other.gid });
    await harness.admin.promises.rename(`${d}/f`, `${d}/g`);
    await harness.admin.promises.rename(`${d}/e`, `${harness.dir}/e`);
    expect(harness.admin.readdirSync(d)).toEqual(['g']);
  });
});
