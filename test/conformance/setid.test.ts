/**
 * Section R: set-uid and set-gid (R-SUID-1 .. R-SUID-4). Profile (Linux):
 * a write or truncate by a non-root caller clears set-uid, and set-gid when
 * group-exec is set (without group-exec set-gid means mandatory locking and
 * stays); root's writes keep them; a new subdirectory of a set-gid
 * directory is set-gid too.
 */

import { expect, test } from 'vitest';
import { forEachSetup, type Cred } from '../setups.js';
import {
  O_CREAT,
  O_RDWR,
  O_TRUNC,
  O_WRONLY,
  S_ISGID,
  USER,
  USER2,
  createNode,
  ownedDir,
  perms,
  unprivileged,
  writeFile,
  type Caller,
  type Fs,
} from './helpers.js';

type Clearing = { name: string; run: (fs: Fs, path: string) => Promise<unknown> | unknown };
const CLEARING: Clearing[] = [
  {
    name: 'write',
    run: (fs, p) => {
      const fd = fs.openSync(p, O_WRONLY);
      fs.writeSync(fd, Buffer.from('x'));
      fs.closeSync(fd);
    },
  },
  { name: 'pwrite through a FileHandle', run: async (fs, p) => { const fh = await fs.promises.open(p, 'r+'); await fh.write(Buffer.from('x'), 0, 1, 10); await fh.close(); } },
  { name: 'appendFile', run: (fs, p) => fs.promises.appendFile(p, 'x') },
  { name: 'truncate', run: (fs, p) => fs.promises.truncate(p, 0) },
  {
    name: 'ftruncate',
    run: (fs, p) => {
      const fd = fs.openSync(p, O_RDWR);
      fs.ftruncateSync(fd, 3);
      fs.closeSync(fd);
    },
  },
  { name: 'open O_TRUNC', run: (fs, p) => fs.closeSync(fs.openSync(p, O_WRONLY | O_TRUNC)) },
];

forEachSetup('set-id bits', (h, setup) => {
  function fileFor(owner: Caller | { uid: number; gid: number }, mode: number, name: string): string {
    const harness = h();
    const p = `${harness.dir}/${name}`;
    createNode(harness, 'regular', p, { uid: owner.uid, gid: owner.gid, mode: 0o666 });
    writeFile(harness.admin, p, 'some content');
    harness.admin.chmodSync(p, mode);
    return p;
  }

  for (const op of CLEARING) {
    test(`R-SUID-1 ${op.name} by the non-root owner clears set-uid, and set-gid only with group-exec`, async () => {
      const harness = h();
      const u = unprivileged(harness, setup);
      const a = fileFor(u, 0o6777, 'a');
      const b = fileFor(u, 0o6767, 'b');
      const c = fileFor(u, 0o4766, 'c');
      await op.run(u.fs, a);
      await op.run(u.fs, b);
      await op.run(u.fs, c);
      expect([a, b, c].map((p) => perms(harness.admin.statSync(p).mode))).toEqual(['0777', '2767', '0766']);
    });

    test(`R-SUID-1 ${op.name} by a non-owner clears the set-id bits`, async () => {
      const harness = h();
      const u = unprivileged(harness, setup);
      const a = fileFor(USER2, 0o6777, 'a');
      await op.run(u.fs, a);
      expect(perms(harness.admin.statSync(a).mode)).toBe('0777');
    });

    test(`R-SUID-1 ${op.name} by root keeps the set-id bits (Linux)`, async () => {
      const harness = h();
      const a = fileFor(USER, 0o6777, 'a');
      await op.run(harness.admin, a);
      expect(perms(harness.admin.statSync(a).mode)).toBe('6777');
    });
  }

  test('R-SUID-1 a write of zero bytes, or a read, keeps the set-id bits (Linux)', async () => {
    const harness = h();
    const u = unprivileged(harness, setup);
    const a = fileFor(u, 0o6777, 'a');
    const fd = u.fs.openSync(a, O_RDWR);
    expect(u.fs.writeSync(fd, Buffer.alloc(0))).toBe(0);
    u.fs.readSync(fd, Buffer.alloc(4), 0, 4, 0);
    u.fs.closeSync(fd);
    expect(perms(harness.admin.statSync(a).mode)).toBe('6777');
  });

  test('R-SUID-1 a failed write attempt (read-only descriptor) keeps the set-id bits', async () => {
    const harness = h();
    const u = unprivileged(harness, setup);
    const a = fileFor(u, 0o6777, 'a');
    const fd = u.fs.openSync(a, 'r');
    expect(() => u.fs.writeSync(fd, Buffer.from('x'))).toThrow(expect.objectContaining({ code: 'EBADF' }));
    u.fs.closeSync(fd);
    expect(perms(harness.admin.statSync(a).mode)).toBe('6777');
  });

  test('R-SUID-2 a non-root chown clears set-uid and set-gid (with group-exec) of a file; a directory keeps them', async () => {
    const harness = h();
    const cred: Cred = { uid: USER.uid, gid: USER.gid, groups: [USER.gid, 65532] };
    const fs = harness.as(cred);
    const base = ownedDir(harness, `${harness.dir}/u`, USER);
    createNode(harness, 'regular', `${base}/f`, { uid: USER.uid, gid: USER.gid, mode: 0o6755 });
    createNode(harness, 'dir', `${base}/d`, { uid: USER.uid, gid: USER.gid, mode: 0o6755 });
    await fs.promises.chown(`${base}/f`, -1, 65532);
    await fs.promises.chown(`${base}/d`, -1, 65532);
    expect(perms(harness.admin.statSync(`${base}/f`).mode)).toBe('0755');
    expect(perms(harness.admin.statSync(`${base}/d`).mode)).toBe('6755');
  });

  test('R-SUID-3 chmod g+s by an owner outside the file\'s group silently drops set-gid; set-uid stays', async () => {
    const harness = h();
    const fs = harness.as(USER);
    const base = ownedDir(harness, `${harness.dir}/u`, USER);
    createNode(harness, 'regular', `${base}/f`, { uid: USER.uid, gid: USER2.gid });
    await fs.promises.chmod(`${base}/f`, 0o6755);
    expect(perms(harness.admin.statSync(`${base}/f`).mode)).toBe('4755');
    // On a directory too.
    createNode(harness, 'dir', `${base}/d`, { uid: USER.uid, gid: USER2.gid });
    await fs.promises.chmod(`${base}/d`, 0o2755);
    expect(perms(harness.admin.statSync(`${base}/d`).mode)).toBe('0755');
  });

  test('R-SUID-4 a subdirectory of a set-gid directory inherits its gid and set-gid, through every level', async () => {
    const harness = h();
    const fs = harness.as(USER);
    const top = ownedDir(harness, `${harness.dir}/sg`, { uid: 0, gid: 1234 }, 0o2777);
    await fs.promises.mkdir(`${top}/a`, 0o755);
    await fs.promises.mkdir(`${top}/a/b`, 0o700);
    for (const p of [`${top}/a`, `${top}/a/b`]) {
      const st = harness.admin.statSync(p);
      expect([st.uid, st.gid, (st.mode & S_ISGID) !== 0], p).toEqual([USER.uid, 1234, true]);
    }
    expect(perms(harness.admin.statSync(`${top}/a/b`).mode)).toBe('2700');
    writeFile(fs, `${top}/a/b/f`, 'x');
    const st = harness.admin.statSync(`${top}/a/b/f`);
    expect([st.gid, st.mode & S_ISGID]).toEqual([1234, 0]);
  });

  test('R-SUID-4 a file made with set-gid in a set-gid directory by a non-member loses set-gid (Linux)', async () => {
    const harness = h();
    const fs = harness.as(USER);
    const top = ownedDir(harness, `${harness.dir}/sg`, { uid: 0, gid: 1234 }, 0o2777);
    const fd = fs.openSync(`${top}/f`, O_CREAT | O_WRONLY, 0o2755);
    fs.closeSync(fd);
    const st = harness.admin.statSync(`${top}/f`);
    expect([st.gid, perms(st.mode)]).toEqual([1234, '0755']);
    // A member keeps it.
    const member = harness.as({ uid: USER.uid, gid: USER.gid, groups: [USER.gid, 1234] });
    member.closeSync(member.openSync(`${top}/g`, O_CREAT | O_WRONLY, 0o2755));
    expect(perms(harness.admin.statSync(`${top}/g`).mode)).toBe('2755');
  });
});
