/**
 * fs.watch, fs.promises.watch and fs.watchFile/unwatchFile over the vfs.
 */
import { once } from 'node:events';
import { expect, test } from 'vitest';
import { createVfs } from '@actorvfs/core';

function setup() {
  const fs = createVfs().fs;
  fs.mkdirSync('/d/sub', { recursive: true });
  fs.writeFileSync('/d/f', 'x');
  return fs;
}

const tick = (): Promise<void> => new Promise((r) => setTimeout(r, 5));

/** Wait until `cond()` holds (watchFile polls on a timer, so its tests must wait). */
async function until(cond: () => boolean, timeoutMs = 2000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 2));
  }
}

test('watch a directory: rename for names coming and going, change for data', async () => {
  const fs = setup();
  const events: [string, unknown][] = [];
  const w = fs.watch('/d', (type, name) => events.push([type, name]));
  fs.writeFileSync('/d/new', 'n');
  fs.appendFileSync('/d/f', 'y');
  fs.unlinkSync('/d/new');
  await tick();
  expect(events.some(([t, n]) => t === 'rename' && n === 'new')).toBe(true);
  expect(events.some(([t, n]) => t === 'change' && n === 'f')).toBe(true);
  const count = events.length;
  w.close();
  fs.writeFileSync('/d/after', '');
  await tick();
  expect(events.length).toBe(count);
});

test('watch delivers asynchronously, emits close, honours encoding and signal', async () => {
  const fs = setup();
  const w = fs.watch('/d', { encoding: 'buffer' });
  let sync = true;
  const got = once(w, 'change');
  fs.writeFileSync('/d/b', '');
  expect(sync).toBe(true);
  sync = false;
  const [type, name] = (await got) as [string, Buffer];
  expect(type).toBe('rename');
  expect(Buffer.isBuffer(name)).toBe(true);
  expect(name.toString()).toBe('b');
  const closed = once(w, 'close');
  w.close();
  await closed;
  expect(w.ref()).toBe(w);
  const ac = new AbortController();
  const w2 = fs.watch('/d', { signal: ac.signal });
  const closed2 = once(w2, 'close');
  ac.abort();
  await closed2;
});

test('watch errors like Node: ENOENT with filename, bad options', () => {
  const fs = setup();
  try {
    fs.watch('/nope');
    throw new Error('no throw');
  } catch (e) {
    const err = e as Error & Record<string, unknown>;
    expect(err.message).toBe("ENOENT: no such file or directory, watch '/nope'");
    expect(err.filename).toBe('/nope');
    expect(err.syscall).toBe('watch');
  }
  expect(() => fs.watch('/d', { recursive: 1 as never })).toThrow('The "options.recursive" property must be of type boolean. Received type number (1)');
  expect(() => fs.watch(5 as never)).toThrow('The "path" argument must be of type string or an instance of Buffer or URL. Received type number (5)');
});

test('recursive watch reports names below the directory', async () => {
  const fs = setup();
  const names: unknown[] = [];
  const w = fs.watch('/d', { recursive: true }, (_t, n) => names.push(n));
  fs.writeFileSync('/d/sub/deep', '');
  await tick();
  w.close();
  expect(names.some((n) => typeof n === 'string' && n.endsWith('deep'))).toBe(true);
});

test('promises.watch: an async iterator; starts lazily; AbortSignal ends it', async () => {
  const fs = setup();
  const ac = new AbortController();
  const it = fs.promises.watch('/d', { signal: ac.signal });
  const first = it.next();
  await tick();
  fs.writeFileSync('/d/p', '');
  const r = await first;
  expect(r.done).toBe(false);
  expect(r.value).toEqual({ eventType: 'rename', filename: 'p' });
  const next = it.next();
  ac.abort();
  await expect(next).rejects.toMatchObject({ name: 'AbortError', code: 'ABORT_ERR' });
  const lazy = fs.promises.watch('/nope');
  await expect(lazy.next()).rejects.toThrow("ENOENT: no such file or directory, watch '/nope'");
  const early = fs.promises.watch('/d');
  const p = early.next();
  await tick();
  fs.writeFileSync('/d/q', '');
  await p;
  expect(await early.return(undefined)).toEqual({ done: true, value: undefined });
});

test('watchFile polls stat: (curr, prev) on change, zeroed stats for a missing file', async () => {
  const fs = setup();
  const calls: [number, number][] = [];
  const listener = (curr: { size: number | bigint }, prev: { size: number | bigint }): void => {
    calls.push([Number(curr.size), Number(prev.size)]);
  };
  const w = fs.watchFile('/d/f', { interval: 5 }, listener);
  fs.writeFileSync('/d/f', 'longer');
  await until(() => calls.length > 0);
  expect(calls[0]).toEqual([6, 1]);
  fs.unwatchFile('/d/f', listener);
  const n = calls.length;
  fs.writeFileSync('/d/f', 'again and again');
  await new Promise((r) => setTimeout(r, 30));
  expect(calls.length).toBe(n);
  expect(w.unref()).toBe(w);

  const missing: [number, number][] = [];
  fs.watchFile('/d/later', { interval: 5 }, (curr, prev) => missing.push([Number(curr.mtimeMs), Number(prev.mtimeMs)]));
  await until(() => missing.length > 0);
  expect(missing[0]).toEqual([0, 0]);
  fs.writeFileSync('/d/later', '');
  await until(() => missing.length > 1);
  expect(missing.at(-1)![0]).toBeGreaterThan(0);
  expect(missing.at(-1)![1]).toBe(0);
  fs.unwatchFile('/d/later');
  expect(() => fs.watchFile('/d/f', 5 as never)).toThrow('The "listener" argument must be of type function. Received type number (5)');
});
