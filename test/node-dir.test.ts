/**
 * Directory listing: readdir (names, Dirents, buffers, recursive) and the
 * Dir stream from opendir (sync/async reads, batches, recursion, Node's
 * ERR_DIR_CLOSED / ERR_DIR_CONCURRENT_OPERATION rules).
 */
import { expect, test } from 'vitest';
import { createVfs } from '@actorvfs/core';

function setup() {
  const fs = createVfs().fs;
  fs.mkdirSync('/d/s1/s2', { recursive: true });
  for (const n of ['a', 'b', 'c']) fs.writeFileSync(`/d/${n}`, n);
  fs.writeFileSync('/d/s1/x', 'x');
  fs.symlinkSync('s1', '/d/lnk');
  fs.mkfifoSync('/d/pipe');
  return fs;
}

const sorted = <T>(xs: T[]): T[] => [...xs].sort();

test('readdir: names, Buffers, Dirents with types and parentPath', async () => {
  const fs = setup();
  expect(sorted(fs.readdirSync('/d'))).toEqual(['a', 'b', 'c', 'lnk', 'pipe', 's1']);
  const bufs = fs.readdirSync('/d', 'buffer');
  expect(bufs.every((b) => Buffer.isBuffer(b))).toBe(true);
  expect(sorted(bufs.map((b) => b.toString()))).toEqual(['a', 'b', 'c', 'lnk', 'pipe', 's1']);
  const ents = fs.readdirSync('/d', { withFileTypes: true });
  const byName = new Map(ents.map((e) => [e.name, e]));
  expect(byName.get('a')!.isFile()).toBe(true);
  expect(byName.get('s1')!.isDirectory()).toBe(true);
  expect(byName.get('lnk')!.isSymbolicLink()).toBe(true);
  expect(byName.get('pipe')!.isFIFO()).toBe(true);
  const a = byName.get('a')!;
  expect(a).toBeInstanceOf(fs.Dirent);
  expect(Object.keys(a)).toEqual(['name', 'parentPath', 'path']);
  expect([a.parentPath, a.path]).toEqual(['/d', '/d']);
  expect(sorted(await fs.promises.readdir('/d'))).toEqual(sorted(fs.readdirSync('/d')));
  expect(() => fs.readdirSync('/d/a')).toThrow("ENOTDIR: not a directory, scandir '/d/a'");
});

test('readdir recursive: relative names, symlinks listed not followed', () => {
  const fs = setup();
  expect(sorted(fs.readdirSync('/d', { recursive: true }))).toEqual(['a', 'b', 'c', 'lnk', 'pipe', 's1', 's1/s2', 's1/x']);
  const ents = fs.readdirSync('/d', { recursive: true, withFileTypes: true });
  expect(sorted(ents.map((e) => `${e.parentPath}|${e.name}`))).toEqual([
    '/d/s1|s2',
    '/d/s1|x',
    '/d|a',
    '/d|b',
    '/d|c',
    '/d|lnk',
    '/d|pipe',
    '/d|s1',
  ]);
  // a relative starting point keeps its form in parentPath
  expect(fs.readdirSync('d', { recursive: true, withFileTypes: true }).some((e) => e.parentPath === 'd/s1')).toBe(true);
});

test('Dir: readSync to the end, then null; path; Dirents', () => {
  const fs = setup();
  const dir = fs.opendirSync('/d');
  expect(dir.path).toBe('/d');
  const names: string[] = [];
  for (let e = dir.readSync(); e !== null; e = dir.readSync()) {
    expect(e.parentPath).toBe('/d');
    names.push(e.name as string);
  }
  expect(sorted(names)).toEqual(['a', 'b', 'c', 'lnk', 'pipe', 's1']);
  expect(dir.readSync()).toBeNull();
  dir.closeSync();
});

test('Dir: small batches return every entry exactly once', () => {
  const fs = setup();
  for (let i = 0; i < 50; i++) fs.writeFileSync(`/d/s1/s2/f${i}`, '');
  const dir = fs.opendirSync('/d/s1/s2', { bufferSize: 3 });
  const seen: string[] = [];
  for (let e = dir.readSync(); e !== null; e = dir.readSync()) seen.push(e.name as string);
  dir.closeSync();
  expect(seen).toHaveLength(50);
  expect(new Set(seen).size).toBe(50);
});

test('Dir: closed and concurrent-operation errors', async () => {
  const fs = setup();
  const dir = fs.opendirSync('/d');
  dir.closeSync();
  expect(() => dir.readSync()).toThrow(expect.objectContaining({ code: 'ERR_DIR_CLOSED', message: 'Directory handle was closed' }));
  expect(() => dir.closeSync()).toThrow(expect.objectContaining({ code: 'ERR_DIR_CLOSED' }));
  expect(() => dir.read()).toThrow(expect.objectContaining({ code: 'ERR_DIR_CLOSED' }));
  await expect(dir.close()).rejects.toMatchObject({ code: 'ERR_DIR_CLOSED' });
  const viaCb = await new Promise<Error | null>((resolve) => dir.close((e) => resolve(e)));
  expect((viaCb as Error & { code: string }).code).toBe('ERR_DIR_CLOSED');

  const busy = fs.opendirSync('/d');
  const pending = busy.read();
  expect(() => busy.readSync()).toThrow(
    expect.objectContaining({
      code: 'ERR_DIR_CONCURRENT_OPERATION',
      message: 'Cannot do synchronous work on directory handle with concurrent asynchronous operations',
    }),
  );
  expect(() => busy.closeSync()).toThrow(expect.objectContaining({ code: 'ERR_DIR_CONCURRENT_OPERATION' }));
  expect(await pending).not.toBeNull();
  busy.readSync();
  busy.closeSync();
});

test('Dir: async iteration reads all and closes; read(cb); entries()', async () => {
  const fs = setup();
  const dir = await fs.promises.opendir('/d');
  const names: string[] = [];
  for await (const e of dir) names.push(e.name as string);
  expect(sorted(names)).toEqual(['a', 'b', 'c', 'lnk', 'pipe', 's1']);
  await expect(dir.close()).rejects.toMatchObject({ code: 'ERR_DIR_CLOSED' });
  const early = fs.opendirSync('/d');
  for await (const e of early) {
    void e;
    break;
  }
  expect(() => early.readSync()).toThrow(expect.objectContaining({ code: 'ERR_DIR_CLOSED' }));
  const cbDir = fs.opendirSync('/d');
  const first = await new Promise<unknown>((resolve, reject) => cbDir.read((e, ent) => (e ? reject(e) : resolve(ent))));
  expect(first).toBeInstanceOf(fs.Dirent);
  const rest: string[] = [];
  for await (const e of cbDir.entries()) rest.push(e.name as string);
  expect(rest).toHaveLength(5);
});

test('Dir: recursive walks subdirectories with their parentPath', async () => {
  const fs = setup();
  const dir = await fs.promises.opendir('/d', { recursive: true });
  const seen: string[] = [];
  for await (const e of dir) seen.push(`${e.parentPath}/${e.name as string}`);
  expect(sorted(seen)).toEqual(['/d/a', '/d/b', '/d/c', '/d/lnk', '/d/pipe', '/d/s1', '/d/s1/s2', '/d/s1/x']);
});

test('opendir errors; encoding buffer', () => {
  const fs = setup();
  expect(() => fs.opendirSync('/d/a')).toThrow('ENOTDIR: not a directory, opendir');
  expect(() => fs.opendirSync('/nope')).toThrow('ENOENT: no such file or directory, opendir');
  const dir = fs.opendirSync('/d', { encoding: 'buffer' });
  expect(Buffer.isBuffer(dir.readSync()!.name)).toBe(true);
  dir.closeSync();
});
