/**
 * Containment against host symlinks. A host symlink inside the root is a VFS
 * symlink: its target is resolved by the VFS in the VFS's namespace, never
 * by the host. So links to absolute host paths, "../../.." chains that climb
 * out of the root on the host, and symlinks used as intermediate components
 * lead either nowhere (ENOENT) or to the VFS's own files (a decoy planted at
 * the same path in the VFS proves it). Every test also checks (helpers.ts)
 * that nothing outside the root was read, changed or created.
 */

import { expect, test } from 'vitest';
import { MNT, codeOf, codeOfAsync, nodeFs, nodePath, useHostSetup } from './helpers.js';

/** Links whose targets exist only on the host (sub/updir, "../..", is the VFS's /mnt: see the decoy test). */
const LINKS = ['abs-file', 'abs-dir', 'rel-file', 'deep-file', 'deep-dir', 'sub/mid'] as const;

const setup = useHostSetup({
  prepare: (root, base) => {
    const outside = nodePath.join(base, 'outside');
    nodeFs.mkdirSync(`${root}/sub`);
    nodeFs.symlinkSync(`${outside}/secret.txt`, `${root}/abs-file`);
    nodeFs.symlinkSync(outside, `${root}/abs-dir`);
    nodeFs.symlinkSync('../outside/secret.txt', `${root}/rel-file`);
    nodeFs.symlinkSync('../'.repeat(40) + outside.slice(1) + '/secret.txt', `${root}/deep-file`);
    nodeFs.symlinkSync('../'.repeat(40) + outside.slice(1), `${root}/deep-dir`);
    nodeFs.symlinkSync(outside, `${root}/sub/mid`);
    nodeFs.symlinkSync('../..', `${root}/sub/updir`);
  },
});

/** Every way of using `p` that could read or change what it names. */
function attempts(fs: ReturnType<typeof setup>['fs'], p: string): Record<string, () => unknown> {
  return {
    read: () => fs.readFileSync(p, 'utf8'),
    stat: () => fs.statSync(p),
    write: () => fs.writeFileSync(p, 'pwned'),
    append: () => fs.appendFileSync(p, 'pwned'),
    'open r+': () => fs.closeSync(fs.openSync(p, 'r+')),
    chmod: () => fs.chmodSync(p, 0o777),
    chown: () => fs.chownSync(p, 4242, 4242),
    utimes: () => fs.utimesSync(p, 1, 1),
    truncate: () => fs.truncateSync(p, 0),
    readdir: () => fs.readdirSync(p),
    'read inner': () => fs.readFileSync(`${p}/secret.txt`, 'utf8'),
    'write inner': () => fs.writeFileSync(`${p}/planted`, 'x'),
    'mkdir inner': () => fs.mkdirSync(`${p}/planted-dir`),
    'unlink inner': () => fs.unlinkSync(`${p}/secret.txt`),
    'rename inner': () => fs.renameSync(`${p}/secret.txt`, `${MNT}/stolen`),
    'rm -r': () => fs.rmSync(`${p}/dir`, { recursive: true }),
    'cp out': () => fs.cpSync(p, `${MNT}/copied`, { recursive: true, dereference: true }),
    'link via': () => fs.linkSync(`${p}/secret.txt`, `${MNT}/hard`),
  };
}

test('links to host paths outside the root lead nowhere in the VFS: every use fails', () => {
  const { fs } = setup();
  for (const link of LINKS) {
    const codes = Object.fromEntries(Object.entries(attempts(fs, `${MNT}/${link}`)).map(([k, fn]) => [k, codeOf(fn)]));
    for (const [k, code] of Object.entries(codes)) {
      expect(['ENOENT', 'ENOTDIR', 'EISDIR'], `${link}: ${k} gave ${code}`).toContain(code);
    }
  }
  expect(fs.readdirSync(MNT).sort()).toEqual(['abs-dir', 'abs-file', 'deep-dir', 'deep-file', 'rel-file', 'sub']);
});

test('the targets are the VFS\'s own paths: a decoy planted there is what they reach', () => {
  const { fs, outside, root } = setup();
  fs.mkdirSync(`${outside}/dir`, { recursive: true });
  fs.writeFileSync(`${outside}/secret.txt`, 'VFS DECOY');
  expect(fs.readFileSync(`${MNT}/abs-file`, 'utf8')).toBe('VFS DECOY');
  expect(fs.readFileSync(`${MNT}/abs-dir/secret.txt`, 'utf8')).toBe('VFS DECOY');
  expect(fs.readFileSync(`${MNT}/deep-file`, 'utf8')).toBe('VFS DECOY');
  expect(fs.readFileSync(`${MNT}/sub/mid/secret.txt`, 'utf8')).toBe('VFS DECOY');
  fs.writeFileSync(`${MNT}/abs-file`, 'written to the decoy');
  fs.chmodSync(`${MNT}/deep-file`, 0o777);
  fs.writeFileSync(`${MNT}/abs-dir/planted`, 'planted in the VFS');
  expect(fs.readFileSync(`${outside}/secret.txt`, 'utf8')).toBe('written to the decoy');
  expect(fs.statSync(`${outside}/secret.txt`).mode & 0o777).toBe(0o777);
  expect(fs.readdirSync(`${outside}`).sort()).toEqual(['dir', 'planted', 'secret.txt']);
  expect(fs.statSync(`${outside}/secret.txt`).dev).toBe(fs.statSync('/').dev); // a tmpfs file, not a host one
  // rel-file's "../outside" climbs out of the mount into the VFS directory above it.
  fs.mkdirSync('/mnt/outside');
  fs.writeFileSync('/mnt/outside/secret.txt', 'above the mount');
  expect(fs.readFileSync(`${MNT}/rel-file`, 'utf8')).toBe('above the mount');
  expect(fs.readdirSync(`${MNT}/sub/updir`).sort()).toEqual(['host', 'outside']);
  expect(nodeFs.readdirSync(root).sort()).toEqual(['abs-dir', 'abs-file', 'deep-dir', 'deep-file', 'rel-file', 'sub']);
});

test('readlink gives the target verbatim; lstat, lchown, lutimes, unlink and rename act on the link itself', async () => {
  const { fs, root, outside } = setup();
  expect(fs.readlinkSync(`${MNT}/abs-file`)).toBe(`${outside}/secret.txt`);
  expect(fs.lstatSync(`${MNT}/abs-file`).isSymbolicLink()).toBe(true);
  fs.lchownSync(`${MNT}/abs-file`, 4242, 4242);
  fs.lutimesSync(`${MNT}/abs-dir`, 1, 1);
  expect(nodeFs.lstatSync(`${root}/abs-file`).uid).toBe(4242);
  fs.renameSync(`${MNT}/abs-file`, `${MNT}/renamed`);
  fs.unlinkSync(`${MNT}/renamed`);
  fs.rmSync(`${MNT}/abs-dir`, { recursive: true, force: true }); // removes the link, not the target
  expect(nodeFs.existsSync(`${root}/abs-dir`)).toBe(false);
  expect(await codeOfAsync(fs.promises.rm(`${MNT}/sub`, { recursive: true }))).toBe('ok');
  expect(nodeFs.readdirSync(root).sort()).toEqual(['deep-dir', 'deep-file', 'rel-file']);
  // (afterEach: the targets outside were neither read nor changed)
});

test('symlinks created through the mount are plain host symlinks, still resolved only by the VFS', () => {
  const { fs, outside, root } = setup();
  fs.symlinkSync(`${outside}/secret.txt`, `${MNT}/made-abs`);
  fs.symlinkSync('../../..' + outside + '/secret.txt', `${MNT}/made-rel`);
  expect(nodeFs.readlinkSync(`${root}/made-abs`)).toBe(`${outside}/secret.txt`);
  expect(codeOf(() => fs.readFileSync(`${MNT}/made-abs`))).toBe('ENOENT');
  expect(codeOf(() => fs.readFileSync(`${MNT}/made-rel`))).toBe('ENOENT');
  expect(codeOf(() => fs.writeFileSync(`${MNT}/made-abs`, 'x'))).toBe('ENOENT');
});
