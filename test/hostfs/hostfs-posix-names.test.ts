/**
 * Conformance sections for names on a hostfs mount: rename (R-REN), unlink
 * (R-UNL), rmdir (R-RMDIR), link (R-LINK) and the sticky-directory matrix
 * (R-STICKY), for the node types hostfs can hold (regular files,
 * directories, symlinks), as root and as an unprivileged user.
 */

import { expect, test } from 'vitest';
import { createNode, errorCodeOf, exists, otherUser, ownedDir, readFile, rejects, unprivileged, writeFile, type Fs, type NodeType } from '../conformance/helpers.js';
import { STICKY_CASES, describeCase, ids } from '../conformance/sticky-cases.js';
import { forEachHostSetup } from './posix-harness.js';

const TYPES: NodeType[] = ['regular', 'dir', 'symlink'];

function identity(fs: Fs, p: string) {
  const st = fs.lstatSync(p);
  return { ino: st.ino, mode: st.mode, nlink: st.nlink, uid: st.uid, gid: st.gid };
}

forEachHostSetup('names', (h, setup) => {
  for (const type of TYPES) {
    test(`R-REN-1 rename of a ${type} keeps inode, type, mode and nlink; the old name is gone`, async () => {
      const harness = h();
      const { fs, dir } = harness;
      createNode(harness, type, `${dir}/a`, { mode: type === 'dir' ? 0o751 : 0o640 });
      const before = identity(fs, `${dir}/a`);
      await fs.promises.rename(`${dir}/a`, `${dir}/b`);
      expect(identity(fs, `${dir}/b`)).toEqual(before);
      await rejects(fs.promises.lstat(`${dir}/a`), 'ENOENT');
      fs.mkdirSync(`${dir}/sub`);
      await fs.promises.rename(`${dir}/b`, `${dir}/sub/c`);
      expect(identity(fs, `${dir}/sub/c`)).toEqual(before);
    });
  }

  test('R-REN-1 rename onto an existing file replaces it; two names of one inode: nothing happens', async () => {
    const { fs, dir } = h();
    writeFile(fs, `${dir}/a`, 'new');
    writeFile(fs, `${dir}/b`, 'old');
    const ino = fs.statSync(`${dir}/a`).ino;
    await fs.promises.rename(`${dir}/a`, `${dir}/b`);
    expect(fs.statSync(`${dir}/b`).ino).toBe(ino);
    expect(readFile(fs, `${dir}/b`)).toBe('new');
    fs.linkSync(`${dir}/b`, `${dir}/c`);
    await fs.promises.rename(`${dir}/b`, `${dir}/c`);
    expect(fs.readdirSync(dir).sort()).toEqual(['b', 'c']);
  });

  test('R-REN-3 a rename without write permission on the source directory is EACCES and changes nothing', async () => {
    const harness = h();
    const u = unprivileged(harness, setup);
    const base = ownedDir(harness, `${harness.dir}/u`, u);
    ownedDir(harness, `${base}/ro`, u, 0o555);
    createNode(harness, 'regular', `${base}/ro/f`, { uid: u.uid, gid: u.gid });
    ownedDir(harness, `${base}/rw`, u);
    await rejects(u.fs.promises.rename(`${base}/ro/f`, `${base}/rw/f`), 'EACCES');
    expect(exists(harness.admin, `${base}/ro/f`)).toBe(true);
  });

  test('R-REN-10 moving a directory to another parent needs write permission on the directory itself', async () => {
    const harness = h();
    const u = unprivileged(harness, setup);
    const base = ownedDir(harness, `${harness.dir}/u`, u, 0o777);
    ownedDir(harness, `${base}/a`, u);
    ownedDir(harness, `${base}/b`, u);
    ownedDir(harness, `${base}/a/moving`, { uid: 0, gid: 0 }, 0o755);
    await rejects(u.fs.promises.rename(`${base}/a/moving`, `${base}/b/moving`), 'EACCES');
    await u.fs.promises.rename(`${base}/a/moving`, `${base}/a/renamed`); // same parent: allowed
  });

  test('R-UNL-1/2 unlink removes a symlink, not its target; a surviving link keeps the data', async () => {
    const { fs, dir } = h();
    writeFile(fs, `${dir}/t`, 'target');
    fs.symlinkSync('t', `${dir}/l`);
    fs.linkSync(`${dir}/t`, `${dir}/t2`);
    await fs.promises.unlink(`${dir}/l`);
    await fs.promises.unlink(`${dir}/t`);
    expect(readFile(fs, `${dir}/t2`)).toBe('target');
    expect(fs.statSync(`${dir}/t2`).nlink).toBe(1);
  });

  test('R-UNL-7 an open file survives unlink: fstat shows nlink 0, write and pread still work', async () => {
    const { fs, dir } = h();
    writeFile(fs, `${dir}/f`, 'abc');
    const fh = await fs.promises.open(`${dir}/f`, 'r+');
    await fs.promises.unlink(`${dir}/f`);
    await fh.write('XY', 3);
    const buf = Buffer.alloc(5);
    await fh.read(buf, 0, 5, 0);
    expect(buf.toString()).toBe('abcXY');
    expect((await fh.stat()).nlink).toBe(0);
    await fh.close();
  });

  test('R-RMDIR rmdir: ENOTEMPTY, ENOTDIR, "." is EINVAL, ".." is ENOTEMPTY', async () => {
    const { fs, dir } = h();
    fs.mkdirSync(`${dir}/d`);
    writeFile(fs, `${dir}/d/f`, '');
    await rejects(fs.promises.rmdir(`${dir}/d`), 'ENOTEMPTY');
    await rejects(fs.promises.rmdir(`${dir}/d/f`), 'ENOTDIR');
    await rejects(fs.promises.rmdir(`${dir}/d/.`), 'EINVAL');
    await rejects(fs.promises.rmdir(`${dir}/d/..`), 'ENOTEMPTY');
    fs.unlinkSync(`${dir}/d/f`);
    await fs.promises.rmdir(`${dir}/d`);
  });

  test('R-LINK link: nlink counts, EEXIST, EPERM for directories', async () => {
    const { fs, dir } = h();
    writeFile(fs, `${dir}/a`, 'x');
    fs.linkSync(`${dir}/a`, `${dir}/b`);
    expect([fs.statSync(`${dir}/a`).nlink, fs.statSync(`${dir}/b`).ino]).toEqual([2, fs.statSync(`${dir}/a`).ino]);
    await rejects(fs.promises.link(`${dir}/a`, `${dir}/b`), 'EEXIST');
    fs.mkdirSync(`${dir}/d`);
    await rejects(fs.promises.link(`${dir}/d`, `${dir}/d2`), 'EPERM');
  });

  for (const type of ['regular', 'symlink', 'dir'] as const) {
    test(`R-STICKY-1 removing a ${type} from a sticky directory needs ownership of the entry or the directory`, async () => {
      const harness = h();
      const u = unprivileged(harness, setup);
      const other = otherUser(harness);
      const got: Record<string, string> = {};
      const want: Record<string, string> = {};
      for (const [i, c] of STICKY_CASES.entries()) {
        const d = ownedDir(harness, `${harness.dir}/s${i}`, ids(c.dirOwner, u, other), 0o1777);
        createNode(harness, type, `${d}/entry`, { ...ids(c.entryOwner, u, other), ...(type === 'dir' ? { mode: 0o777 } : {}) });
        got[describeCase(c)] = (await errorCodeOf(type === 'dir' ? u.fs.promises.rmdir(`${d}/entry`) : u.fs.promises.unlink(`${d}/entry`))) ?? 'ok';
        want[describeCase(c)] = c.allowed ? 'ok' : 'EPERM';
      }
      expect(got).toEqual(want);
    });
  }

  test('R-STICKY rename out of and over entries in a sticky directory needs ownership too', async () => {
    const harness = h();
    const u = unprivileged(harness, setup);
    const other = otherUser(harness);
    const got: Record<string, string> = {};
    const want: Record<string, string> = {};
    for (const [i, c] of STICKY_CASES.entries()) {
      const d = ownedDir(harness, `${harness.dir}/s${i}`, ids(c.dirOwner, u, other), 0o1777);
      createNode(harness, 'regular', `${d}/entry`, ids(c.entryOwner, u, other));
      createNode(harness, 'regular', `${d}/mine`, { uid: u.uid, gid: u.gid });
      got[`out: ${describeCase(c)}`] = (await errorCodeOf(u.fs.promises.rename(`${d}/entry`, `${d}/moved`))) ?? 'ok';
      want[`out: ${describeCase(c)}`] = c.allowed ? 'ok' : 'EPERM';
      if (!c.allowed) {
        got[`over: ${describeCase(c)}`] = (await errorCodeOf(u.fs.promises.rename(`${d}/mine`, `${d}/entry`))) ?? 'ok';
        want[`over: ${describeCase(c)}`] = 'EPERM';
      }
    }
    expect(got).toEqual(want);
  });
});
