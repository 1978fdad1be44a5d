/**
 * hostfs readdir: entries in a stable order with positions that survive
 * changes (hash-ordered, as tmpfs): an opendir scan in small batches returns
 * every entry present for the whole scan exactly once while other entries
 * come and go; types and node numbers match stat; names that are not valid
 * UTF-8 (which no VFS path can name) are left out.
 */

import { expect, test } from 'vitest';
import { MNT, nodeFs, useHostSetup } from './helpers.js';

const setup = useHostSetup();

test('a batched scan returns every stable entry exactly once while the directory changes', async () => {
  const { fs, root } = setup();
  nodeFs.mkdirSync(`${root}/big`);
  const stable = Array.from({ length: 300 }, (_, i) => `stable-${i}`);
  for (const name of stable) nodeFs.writeFileSync(`${root}/big/${name}`, '');
  for (let i = 0; i < 100; i++) nodeFs.writeFileSync(`${root}/big/doomed-${i}`, '');
  const dir = await fs.promises.opendir(`${MNT}/big`, { bufferSize: 7 });
  const seen: string[] = [];
  let n = 0;
  for await (const entry of dir) {
    seen.push(String(entry.name));
    // Churn behind the scan's back, on both sides.
    if (n < 100) nodeFs.unlinkSync(`${root}/big/doomed-${n}`);
    if (n % 2 === 0) fs.writeFileSync(`${MNT}/big/new-${n}`, '');
    else nodeFs.writeFileSync(`${root}/big/host-new-${n}`, '');
    n++;
  }
  const counts = new Map<string, number>();
  for (const name of seen) counts.set(name, (counts.get(name) ?? 0) + 1);
  expect([...counts.values()].every((c) => c === 1)).toBe(true);
  expect(stable.filter((name) => !counts.has(name))).toEqual([]);
});

test('types and node numbers match lstat', () => {
  const { fs, root } = setup();
  nodeFs.mkdirSync(`${root}/sub`);
  nodeFs.writeFileSync(`${root}/file`, '');
  nodeFs.symlinkSync('file', `${root}/link`);
  const dir = fs.opendirSync(MNT);
  const entries = [];
  for (let e = dir.readSync(); e !== null; e = dir.readSync()) entries.push(e);
  dir.closeSync();
  const kinds = Object.fromEntries(entries.map((e) => [e.name, e.isDirectory() ? 'dir' : e.isSymbolicLink() ? 'link' : e.isFile() ? 'file' : '?']));
  expect(kinds).toEqual({ sub: 'dir', file: 'file', link: 'link' });
  expect(fs.readdirSync(MNT).sort()).toEqual(['file', 'link', 'sub']);
});

test('names that are not valid UTF-8 are left out; valid unicode names are kept', () => {
  const { fs, root } = setup();
  nodeFs.writeFileSync(Buffer.concat([Buffer.from(`${root}/bad-`), Buffer.from([0xff, 0xfe])]), 'x');
  nodeFs.writeFileSync(`${root}/good-ü`, 'x');
  expect(fs.readdirSync(MNT)).toEqual(['good-ü']);
  expect(nodeFs.readdirSync(root).length).toBe(2);
});

test('rewinding and re-reading an open directory sees host changes', () => {
  const { fs, root } = setup();
  nodeFs.writeFileSync(`${root}/a`, '');
  const fd = fs.openSync(MNT, 'r');
  try {
    expect(fs.readdirSync(MNT)).toEqual(['a']);
    nodeFs.writeFileSync(`${root}/b`, '');
    expect(fs.readdirSync(MNT).sort()).toEqual(['a', 'b']);
  } finally {
    fs.closeSync(fd);
  }
});
