/**
 * Section H: the open permission matrix (R-OPEN-6 .. R-OPEN-9, R-OPEN-11).
 * Only the first matching class counts: the owner uses only the owner bits,
 * a group member only the group bits, everyone else only the other bits.
 * Each case gives the caller's class the bits under test and every other
 * class the complement, so consulting the wrong class changes the answer.
 */

import { expect, test } from 'vitest';
import { forEachSetup, type Cred } from '../setups.js';
import {
  O_CREAT,
  O_NONBLOCK,
  O_RDONLY,
  O_RDWR,
  O_TRUNC,
  O_WRONLY,
  USER,
  USER2,
  createNode,
  errorCodeOf,
  ownedDir,
  readFile,
  rejects,
  unprivileged,
  writeFile,
  type Fs,
} from './helpers.js';

const OWNER = { uid: USER.uid, gid: USER.gid };
type ClassName = 'owner' | 'group (egid)' | 'group (supplementary)' | 'other';
/** Callers of each class, for a node owned by 65534:65534. */
const CLASSES: { name: ClassName; shift: number; cred: Cred }[] = [
  { name: 'owner', shift: 6, cred: { uid: USER.uid, gid: USER.gid, groups: [USER.gid] } },
  { name: 'group (egid)', shift: 3, cred: { uid: USER2.uid, gid: USER.gid, groups: [USER.gid] } },
  { name: 'group (supplementary)', shift: 3, cred: { uid: USER2.uid, gid: USER2.gid, groups: [USER2.gid, USER.gid] } },
  { name: 'other', shift: 0, cred: { uid: USER2.uid, gid: USER2.gid, groups: [USER2.gid] } },
];

/** Mode giving `bits` to the class at `shift` and the complement to the others. */
function modeFor(shift: number, bits: number): number {
  let mode = 0;
  for (const s of [6, 3, 0]) mode |= (s === shift ? bits : 7 & ~bits) << s;
  return mode;
}

const R = 4;
const W = 2;

async function outcome(fs: Fs, path: string, flags: number): Promise<string> {
  try {
    const fh = await fs.promises.open(path, flags);
    await fh.close();
    return 'ok';
  } catch (e) {
    return (e as { code?: string }).code ?? String(e);
  }
}

forEachSetup('open permissions', (h, setup) => {
  for (const cls of CLASSES) {
    test(`R-OPEN-6 regular file, ${cls.name}: O_RDONLY needs r, O_WRONLY w, O_RDWR both; only the first matching class counts`, async () => {
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
          ['O_RDONLY', O_RDONLY, R],
          ['O_WRONLY', O_WRONLY, W],
          ['O_RDWR', O_RDWR, R | W],
        ] as const) {
          const key = `${mode.toString(8).padStart(3, '0')} ${name}`;
          got[key] = await outcome(fs, p, flags);
          want[key] = (bits & need) === need ? 'ok' : 'EACCES';
        }
      }
      expect(got).toEqual(want);
    });
  }

  test('R-OPEN-6 mode 0077: the owner is refused everything though group and other have rwx', async () => {
    const harness = h();
    const p = `${harness.dir}/f`;
    createNode(harness, 'regular', p, { ...OWNER, mode: 0o077 });
    const fs = harness.as(USER);
    for (const flags of [O_RDONLY, O_WRONLY, O_RDWR]) await rejects(fs.promises.open(p, flags), 'EACCES');
  });

  test('R-OPEN-6 root opens any file whatever its mode', async () => {
    const harness = h();
    const p = `${harness.dir}/f`;
    createNode(harness, 'regular', p, { ...OWNER, mode: 0o000 });
    for (const flags of [O_RDONLY, O_WRONLY, O_RDWR]) expect(await outcome(harness.admin, p, flags)).toBe('ok');
    if (setup.privileged) {
      // The setup's own context is root here.
      expect(await outcome(harness.fs, p, O_RDWR)).toBe('ok');
    }
  });

  for (const cls of CLASSES) {
    test(`R-OPEN-7 fifo, ${cls.name}: O_RDONLY|O_NONBLOCK needs r, O_WRONLY|O_NONBLOCK without w gives EACCES, O_RDWR needs rw`, async () => {
      const harness = h();
      const fs = harness.as(cls.cred);
      const p = `${harness.dir}/p`;
      createNode(harness, 'fifo', p, { ...OWNER });
      const got: Record<string, string> = {};
      const want: Record<string, string> = {};
      for (let bits = 0; bits < 8; bits++) {
        const mode = modeFor(cls.shift, bits);
        harness.admin.chmodSync(p, mode);
        const m = mode.toString(8).padStart(3, '0');
        got[`${m} O_RDONLY|O_NONBLOCK`] = await outcome(fs, p, O_RDONLY | O_NONBLOCK);
        want[`${m} O_RDONLY|O_NONBLOCK`] = bits & R ? 'ok' : 'EACCES';
        // No reader: with permission the answer is ENXIO.
        got[`${m} O_WRONLY|O_NONBLOCK`] = await outcome(fs, p, O_WRONLY | O_NONBLOCK);
        want[`${m} O_WRONLY|O_NONBLOCK`] = bits & W ? 'ENXIO' : 'EACCES';
        got[`${m} O_RDWR`] = await outcome(fs, p, O_RDWR);
        want[`${m} O_RDWR`] = (bits & (R | W)) === (R | W) ? 'ok' : 'EACCES';
      }
      expect(got).toEqual(want);
    });
  }

  for (const cls of CLASSES) {
    test(`R-OPEN-8 directory, ${cls.name}: O_RDONLY needs the r bit of the caller's class`, async () => {
      const harness = h();
      const fs = harness.as(cls.cred);
      const p = `${harness.dir}/d`;
      createNode(harness, 'dir', p, { ...OWNER });
      const got: Record<string, string> = {};
      const want: Record<string, string> = {};
      for (let bits = 0; bits < 8; bits++) {
        const mode = modeFor(cls.shift, bits);
        harness.admin.chmodSync(p, mode);
        const m = mode.toString(8).padStart(3, '0');
        got[m] = await outcome(fs, p, O_RDONLY);
        want[m] = bits & R ? 'ok' : 'EACCES';
      }
      expect(got).toEqual(want);
    });
  }

  test('R-OPEN-8 readdir follows the same rule as O_RDONLY on a directory', async () => {
    const harness = h();
    const p = `${harness.dir}/d`;
    createNode(harness, 'dir', p, { ...OWNER, mode: 0o377 });
    createNode(harness, 'regular', `${p}/f`);
    await rejects(harness.as(USER).promises.readdir(p), 'EACCES');
    harness.admin.chmodSync(p, 0o400);
    expect(await harness.as(USER).promises.readdir(p)).toEqual(['f']);
  });

  test('R-OPEN-9 O_RDONLY|O_TRUNC without write permission gives EACCES and does not truncate', async () => {
    const harness = h();
    const u = unprivileged(harness, setup);
    const p = `${harness.dir}/f`;
    createNode(harness, 'regular', p, { uid: u.uid, gid: u.gid, mode: 0o644 });
    writeFile(harness.admin, p, 'precious');
    harness.admin.chmodSync(p, 0o444);
    expect(await errorCodeOf(u.fs.promises.open(p, O_RDONLY | O_TRUNC))).toBe('EACCES');
    expect(readFile(harness.admin, p)).toBe('precious');
    await rejects(u.fs.promises.open(p, O_WRONLY | O_TRUNC), 'EACCES');
    expect(readFile(harness.admin, p)).toBe('precious');
  });

  test('R-OPEN-11 O_CREAT in a directory without write permission gives EACCES; an existing file still opens', async () => {
    const harness = h();
    const u = unprivileged(harness, setup);
    const d = ownedDir(harness, `${harness.dir}/d`, u, 0o555);
    createNode(harness, 'regular', `${d}/existing`, { uid: u.uid, gid: u.gid });
    await rejects(u.fs.promises.open(`${d}/new`, O_CREAT | O_WRONLY, 0o644), 'EACCES');
    const fh = await u.fs.promises.open(`${d}/existing`, O_CREAT | O_WRONLY, 0o644);
    await fh.close();
    // Write permission through the group class.
    const g = ownedDir(harness, `${harness.dir}/g`, { uid: 0, gid: USER.gid }, 0o757);
    const member = harness.as({ uid: USER2.uid, gid: USER2.gid, groups: [USER2.gid, USER.gid] });
    await rejects(member.promises.open(`${g}/new`, O_CREAT | O_WRONLY, 0o644), 'EACCES');
    harness.admin.chmodSync(g, 0o575);
    await (await member.promises.open(`${g}/new`, O_CREAT | O_WRONLY, 0o644)).close();
    expect(harness.admin.readdirSync(d)).toEqual(['existing']);
  });
});
