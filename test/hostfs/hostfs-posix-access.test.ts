/**
 * Conformance sections on permissions and times, on a hostfs mount: the
 * open permission matrix (R-OPEN-6: only the first matching class counts,
 * for the owner, the group by egid or supplementary group, and others),
 * O_CREAT without write permission (R-OPEN-11), chmod/chown rules, and the
 * timestamp matrix rows that the host kernel implements (create, write,
 * truncate, chmod, rename, link, unlink, rmdir, utimes).
 */

import { expect, test } from 'vitest';
import type { Cred } from '../setups.js';
import {
  O_CREAT,
  O_RDONLY,
  O_RDWR,
  O_WRONLY,
  USER,
  USER2,
  createNode,
  expectTimesAround,
  ownedDir,
  rejects,
  unprivileged,
  writeFile,
  type Fs,
  type TimeSpec,
} from '../conformance/helpers.js';
import { forEachHostSetup } from './posix-harness.js';

const OWNER = { uid: USER.uid, gid: USER.gid };
const CLASSES: { name: string; shift: number; cred: Cred }[] = [
  { name: 'owner', shift: 6, cred: { uid: USER.uid, gid: USER.gid, groups: [USER.gid] } },
  { name: 'group (egid)', shift: 3, cred: { uid: USER2.uid, gid: USER.gid, groups: [USER.gid] } },
  { name: 'group (supplementary)', shift: 3, cred: { uid: USER2.uid, gid: USER2.gid, groups: [USER2.gid, USER.gid] } },
  { name: 'other', shift: 0, cred: { uid: USER2.uid, gid: USER2.gid, groups: [USER2.gid] } },
];

function modeFor(shift: number, bits: number): number {
  let mode = 0;
  for (const s of [6, 3, 0]) mode |= (s === shift ? bits : 7 & ~bits) << s;
  return mode;
}

async function outcome(fs: Fs, path: string, flags: number): Promise<string> {
  try {
    await (await fs.promises.open(path, flags)).close();
    return 'ok';
  } catch (e) {
    return (e as { code?: string }).code ?? String(e);
  }
}

forEachHostSetup('access and times', (h, setup) => {
  for (const cls of CLASSES) {
    test(`R-OPEN-6 regular file, ${cls.name}: only the first matching class counts`, async () => {
      const harness = h();
      const fs = harness.as(cls.cred);
      const p = `${harness.dir}/f`;
      createNode(harness, 'regular', p, { ...OWNER });
      const got: Record<string, string> = {};
      const want: Record<string, string> = {};
      for (let bits = 0; bits < 8; bits++) {
        const mode = modeFor(cls.shift, bits);
        harness.admin.chmodSync(p, mode);
        for (const [name, flags, need] of [
          ['O_RDONLY', O_RDONLY, 4],
          ['O_WRONLY', O_WRONLY, 2],
          ['O_RDWR', O_RDWR, 6],
        ] as const) {
          const key = `${mode.toString(8).padStart(3, '0')} ${name}`;
          got[key] = await outcome(fs, p, flags);
          want[key] = (bits & need) === need ? 'ok' : 'EACCES';
        }
      }
      expect(got).toEqual(want);
    });
  }

  test('R-OPEN-11 O_CREAT in a directory without write permission gives EACCES; an existing file still opens', async () => {
    const harness = h();
    const u = unprivileged(harness, setup);
    const d = ownedDir(harness, `${harness.dir}/ro`, u, 0o555);
    createNode(harness, 'regular', `${d}/existing`, { uid: u.uid, gid: u.gid, mode: 0o644 });
    await rejects(u.fs.promises.open(`${d}/new`, O_CREAT | O_WRONLY, 0o644), 'EACCES');
    expect(await outcome(u.fs, `${d}/existing`, O_CREAT | O_WRONLY)).toBe('ok');
  });

  test('chmod and chown rules for an unprivileged owner', async () => {
    const harness = h();
    const u = unprivileged(harness, setup);
    createNode(harness, 'regular', `${harness.dir}/f`, { uid: u.uid, gid: u.gid, mode: 0o644 });
    await u.fs.promises.chmod(`${harness.dir}/f`, 0o600);
    expect(harness.admin.statSync(`${harness.dir}/f`).mode & 0o7777).toBe(0o600);
    await rejects(u.fs.promises.chown(`${harness.dir}/f`, 4242, -1), 'EPERM');
    await rejects(harness.as(USER2).promises.chmod(`${harness.dir}/f`, 0o777), 'EPERM');
    await u.fs.promises.chmod(`${harness.dir}/f`, 0o2644); // the file's group is the owner's own: S_ISGID kept
    expect(harness.admin.statSync(`${harness.dir}/f`).mode & 0o7777).toBe(0o2644);
    harness.admin.chownSync(`${harness.dir}/f`, u.uid, 4242);
    await u.fs.promises.chmod(`${harness.dir}/f`, 0o2644); // outside the file's group: S_ISGID dropped silently
    expect(harness.admin.statSync(`${harness.dir}/f`).mode & 0o7777).toBe(0o644);
  });

  const UNCHANGED: TimeSpec = { atime: 'same', mtime: 'same', ctime: 'same' };
  const NM: TimeSpec = { mtime: 'changed', ctime: 'changed' };

  test('Q times: create and remove change the parent; write and truncate the node; chmod only ctime', async () => {
    const { fs, admin, dir } = h();
    await expectTimesAround(admin, [{ path: dir, expect: NM }], () => writeFile(fs, `${dir}/f`, 'x'));
    await expectTimesAround(admin, [{ path: dir, expect: NM }], () => fs.mkdirSync(`${dir}/d`));
    await expectTimesAround(admin, [{ path: dir, expect: NM }], () => fs.symlinkSync('f', `${dir}/l`));
    await expectTimesAround(admin, [{ path: `${dir}/f`, expect: NM }, { path: dir, expect: UNCHANGED }], () => fs.appendFileSync(`${dir}/f`, 'y'));
    await expectTimesAround(admin, [{ path: `${dir}/f`, expect: NM }, { path: dir, expect: UNCHANGED }], () => fs.truncateSync(`${dir}/f`, 1));
    await expectTimesAround(admin, [{ path: `${dir}/f`, expect: { ctime: 'changed', mtime: 'same' } }, { path: dir, expect: UNCHANGED }], () => fs.chmodSync(`${dir}/f`, 0o600));
    await expectTimesAround(admin, [{ path: `${dir}/f`, expect: { ctime: 'changed' } }, { path: dir, expect: NM }], () => fs.linkSync(`${dir}/f`, `${dir}/g`));
    await expectTimesAround(admin, [{ path: `${dir}/g`, expect: { ctime: 'changed' } }, { path: dir, expect: NM }], () => fs.unlinkSync(`${dir}/f`));
    await expectTimesAround(admin, [{ path: dir, expect: NM }], () => fs.renameSync(`${dir}/g`, `${dir}/h`));
    await expectTimesAround(admin, [{ path: dir, expect: NM }], () => fs.rmdirSync(`${dir}/d`));
    const fd = fs.openSync(`${dir}/h`, O_WRONLY);
    await expectTimesAround(admin, [{ path: `${dir}/h`, expect: UNCHANGED }], () => fs.writeSync(fd, Buffer.alloc(0)));
    fs.closeSync(fd);
  });
});
