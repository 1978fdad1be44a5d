/**
 * Mounts as namei and the syscalls see them: crossing into a mount and back
 * out through "..", EXDEV between file systems, EBUSY for mount points and
 * busy mounts, unmount, per-mount statfs and st_dev; and context roots that
 * nothing escapes, not even absolute symlinks.
 */

import { expect, test } from 'vitest';
import { forEachSetup } from '../setups.js';

async function codeAsync(fn: () => Promise<unknown>): Promise<string | undefined> {
  try {
    await fn();
  } catch (e) {
    return (e as { code?: string }).code;
  }
  return undefined;
}

function code(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    return (e as { code?: string }).code;
  }
  return undefined;
}

forEachSetup('mounts', (h) => {
  test('a mount covers its directory; ".." from its root leads back to the parent file system', async () => {
    const { admin, fs, dir } = h();
    admin.mkdirSync(`${dir}/m`);
    admin.writeFileSync(`${dir}/m/hidden`, 'under');
    admin.chmodSync(dir, 0o777);
    await h().mountTmpfs(`${dir}/m`);
    admin.chmodSync(`${dir}/m`, 0o777);
    expect(fs.readdirSync(`${dir}/m`)).toEqual([]);
    fs.writeFileSync(`${dir}/m/f`, 'over');
    expect(fs.readdirSync(`${dir}/m/..`).sort()).toEqual(fs.readdirSync(dir).sort());
    expect(fs.statSync(`${dir}/m/..`).ino).toBe(fs.statSync(dir).ino);
    expect(fs.statSync(`${dir}/m`).dev).not.toBe(fs.statSync(dir).dev);
    expect(fs.realpathSync(`${dir}/m/../m/f`)).toBe(`${dir}/m/f`);
    await h().unmount(`${dir}/m`);
    expect(fs.readFileSync(`${dir}/m/hidden`, 'utf8')).toBe('under');
    expect(code(() => fs.statSync(`${dir}/m/f`))).toBe('ENOENT');
  });

  test('rename and link across file systems give EXDEV; nothing moves', async () => {
    const { admin, dir } = h();
    admin.mkdirSync(`${dir}/m`);
    await h().mountTmpfs(`${dir}/m`);
    admin.writeFileSync(`${dir}/a`, 'a');
    expect(code(() => admin.renameSync(`${dir}/a`, `${dir}/m/a`))).toBe('EXDEV');
    expect(code(() => admin.linkSync(`${dir}/a`, `${dir}/m/a`))).toBe('EXDEV');
    expect(admin.existsSync(`${dir}/a`)).toBe(true);
    expect(admin.existsSync(`${dir}/m/a`)).toBe(false);
  });

  test('a mount point cannot be removed or renamed (EBUSY); a busy mount cannot be unmounted', async () => {
    const { admin, dir } = h();
    admin.mkdirSync(`${dir}/m`);
    admin.mkdirSync(`${dir}/n`);
    await h().mountTmpfs(`${dir}/m`);
    expect(code(() => admin.rmdirSync(`${dir}/m`))).toBe('EBUSY');
    expect(code(() => admin.renameSync(`${dir}/m`, `${dir}/x`))).toBe('EBUSY');
    expect(code(() => admin.renameSync(`${dir}/n`, `${dir}/m`))).toBe('EBUSY');
    const fd = admin.openSync(`${dir}/m/f`, 'w');
    expect(await codeAsync(() => h().unmount(`${dir}/m`))).toBe('EBUSY');
    admin.closeSync(fd);
    admin.mkdirSync(`${dir}/m/sub`);
    await h().mountTmpfs(`${dir}/m/sub`);
    expect(await codeAsync(() => h().unmount(`${dir}/m`))).toBe('EBUSY');
    await h().unmount(`${dir}/m/sub`);
    // A context whose working directory is on the mount keeps it busy.
    h().as({ uid: 0, gid: 0, cwd: `${dir}/m` });
    expect(await codeAsync(() => h().unmount(`${dir}/m`))).toBe('EBUSY');
  });

  test('unmounting something that is not a mount gives EINVAL; mounting on a file ENOTDIR', async () => {
    const { admin, dir } = h();
    admin.mkdirSync(`${dir}/plain`);
    admin.writeFileSync(`${dir}/file`, '');
    expect(await codeAsync(() => h().unmount(`${dir}/plain`))).toBe('EINVAL');
    expect(await codeAsync(() => h().mountTmpfs(`${dir}/file`))).toBe('ENOTDIR');
    expect(await codeAsync(() => h().mountTmpfs(`${dir}/missing`))).toBe('ENOENT');
  });

  test('statfs reports each file system on its own', async () => {
    const { admin, dir } = h();
    admin.mkdirSync(`${dir}/m`);
    await h().mountTmpfs(`${dir}/m`, { maxBytes: 1 << 20 });
    const small = admin.statfsSync(`${dir}/m`);
    expect(small.blocks * small.bsize).toBe(1 << 20);
    admin.writeFileSync(`${dir}/m/f`, Buffer.alloc(64 * 1024));
    expect(admin.statfsSync(`${dir}/m`).bfree).toBeLessThan(small.bfree);
    expect(admin.statfsSync(dir).blocks).not.toBe(small.blocks);
  });
});

forEachSetup('context roots', (h) => {
  test('nothing above a context root is reachable: "..", absolute paths, absolute and relative symlinks', async () => {
    const { admin, dir } = h();
    admin.mkdirSync(`${dir}/jail/etc`, { recursive: true });
    admin.writeFileSync(`${dir}/jail/etc/passwd`, 'inside');
    admin.writeFileSync(`${dir}/secret`, 'outside');
    admin.symlinkSync('/etc/passwd', `${dir}/jail/abs`);
    admin.symlinkSync('../../../../../secret', `${dir}/jail/rel`);
    admin.symlinkSync('/../../secret', `${dir}/jail/dotdot`);
    const jailed = h().as({ uid: 0, gid: 0, root: `${dir}/jail` });
    expect(jailed.readdirSync('/').sort()).toEqual(['abs', 'dotdot', 'etc', 'rel']);
    expect(jailed.readdirSync('/../..').sort()).toEqual(['abs', 'dotdot', 'etc', 'rel']);
    expect(jailed.readFileSync('/abs', 'utf8')).toBe('inside');
    expect(code(() => jailed.readFileSync('/rel'))).toBe('ENOENT');
    expect(code(() => jailed.readFileSync('/dotdot'))).toBe('ENOENT');
    expect(code(() => jailed.readFileSync(`${dir}/secret`))).toBe('ENOENT');
    expect(jailed.realpathSync('/abs')).toBe('/etc/passwd');
    expect(jailed.realpathSync('/etc/../../..')).toBe('/');
  });

  test('a context cwd resolves relative paths and survives renames of its directory', async () => {
    const { admin, dir } = h();
    admin.mkdirSync(`${dir}/a/b`, { recursive: true });
    admin.writeFileSync(`${dir}/a/b/f`, 'x');
    const ctx = h().as({ uid: 0, gid: 0, cwd: `${dir}/a/b` });
    admin.renameSync(`${dir}/a`, `${dir}/z`);
    expect(ctx.readFileSync('f', 'utf8')).toBe('x');
    expect(ctx.realpathSync('.')).toBe(`${dir}/z/b`);
  });
});

