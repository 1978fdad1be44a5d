/**
 * Argument validation matches Node 20: the same error class, code and
 * message for bad paths, flags, modes, descriptors, ids, times and
 * callbacks; octal-string modes and Buffer / file: URL paths are accepted.
 */
import { expect, test } from 'vitest';
import { createVfs } from '@actorvfs/core';

type AnyFn = (...args: unknown[]) => unknown;

function setup() {
  const fs = createVfs().fs;
  fs.writeFileSync('/f', 'hello world');
  return fs;
}

function err(fn: () => unknown): { name: string; code: string; message: string; str: string } {
  try {
    fn();
  } catch (e) {
    const x = e as Error & { code: string };
    return { name: x.name, code: x.code, message: x.message, str: String(x) };
  }
  throw new Error('expected a throw');
}

const PATH_TYPE = 'The "path" argument must be of type string or an instance of Buffer or URL.';

test('path types: ERR_INVALID_ARG_TYPE with Node\'s "Received" wording', () => {
  const fs = setup();
  const stat = fs.statSync as unknown as AnyFn;
  const cases: [unknown, string][] = [
    [1, 'Received type number (1)'],
    [null, 'Received null'],
    [undefined, 'Received undefined'],
    [{}, 'Received an instance of Object'],
    [[1], 'Received an instance of Array'],
    [5n, 'Received type bigint (5n)'],
    [Symbol('x'), 'Received type symbol (Symbol(x))'],
    [function foo() {}, 'Received function foo'],
    [Object.create(null), 'Received [Object: null prototype] {}'],
    [new DataView(new ArrayBuffer(1)), 'Received an instance of DataView'],
  ];
  for (const [value, received] of cases) {
    const e = err(() => stat(value));
    expect(e.code).toBe('ERR_INVALID_ARG_TYPE');
    expect(e.name).toBe('TypeError');
    expect(e.message).toBe(`${PATH_TYPE} ${received}`);
    expect(e.str).toBe(`TypeError [ERR_INVALID_ARG_TYPE]: ${PATH_TYPE} ${received}`);
  }
  const long = err(() => (fs.closeSync as unknown as AnyFn)('abcdefghijklmnopqrstuvwxyz0123456789'));
  expect(long.message).toBe('The "fd" argument must be of type number. Received type string (\'abcdefghijklmnopqrstuvwxy...\')');
});

test('NUL bytes are ERR_INVALID_ARG_VALUE; existsSync answers false', () => {
  const fs = setup();
  const e = err(() => fs.statSync('a\0b'));
  expect(e.code).toBe('ERR_INVALID_ARG_VALUE');
  expect(e.message).toBe("The argument 'path' must be a string, Uint8Array, or URL without null bytes. Received 'a\\x00b'");
  expect(err(() => fs.statSync(Buffer.from('a\0b'))).message).toContain('Received <Buffer 61 00 62>');
  expect(err(() => fs.renameSync('/a', '/b\0')).message).toContain("The argument 'newPath' must be");
  expect(err(() => fs.linkSync('/a\0', '/b')).message).toContain("The argument 'existingPath' must be");
  expect(fs.existsSync('/f\0')).toBe(false);
  expect((fs.existsSync as unknown as AnyFn)(5)).toBe(false);
});

test('Buffer and file: URL paths; URL errors', () => {
  const fs = setup();
  expect(fs.statSync(Buffer.from('/f')).size).toBe(11);
  expect(fs.statSync(new Uint8Array(Buffer.from('/f'))).size).toBe(11);
  expect(fs.statSync(new URL('file:///f')).size).toBe(11);
  expect(fs.statSync(new URL('file://localhost/%66')).size).toBe(11);
  expect(err(() => fs.statSync(new URL('http://x/y')))).toMatchObject({
    code: 'ERR_INVALID_URL_SCHEME',
    message: 'The URL must be of scheme file',
  });
  expect(err(() => fs.statSync(new URL('file:///a%2Fb')))).toMatchObject({
    code: 'ERR_INVALID_FILE_URL_PATH',
    message: 'File URL path must not include encoded / characters',
  });
  expect(err(() => fs.statSync(new URL('file://host/a')))).toMatchObject({
    code: 'ERR_INVALID_FILE_URL_HOST',
    message: 'File URL host must be "localhost" or empty on linux',
  });
  // a string that looks like a URL is just a relative name
  expect(err(() => fs.statSync('file:///f')).message).toBe("ENOENT: no such file or directory, stat 'file:///f'");
});

test('flags: the string table, numbers, and rejections', () => {
  const fs = setup();
  const good = ['r', 'rs', 'sr', 'r+', 'rs+', 'sr+', 'w', 'wx', 'xw', 'w+', 'wx+', 'xw+', 'a', 'ax', 'xa', 'as', 'sa', 'a+', 'ax+', 'xa+', 'as+', 'sa+'];
  for (const [i, f] of good.entries()) {
    const path = f.startsWith('r') || f.startsWith('s') ? '/f' : `/new${i}`;
    fs.closeSync(fs.openSync(path, f));
  }
  for (const f of ['+', 'rw', 'wa', 'x', 'ra', 'R', 'W', true, {}]) {
    const e = err(() => (fs.openSync as unknown as AnyFn)('/f', f));
    expect(e.code).toBe('ERR_INVALID_ARG_VALUE');
    expect(e.message).toMatch(/^The argument 'flags' is invalid\. Received /);
  }
  expect(err(() => fs.openSync('/f', 1.5)).message).toBe('The value of "flags" is out of range. It must be an integer. Received 1.5');
  expect(err(() => fs.openSync('/f', 2 ** 32)).message).toBe(
    'The value of "flags" is out of range. It must be >= -2147483648 && <= 2147483647. Received 4294967296',
  );
  // numeric flags go through as they are
  const fd = fs.openSync('/num', fs.constants.O_CREAT | fs.constants.O_WRONLY | fs.constants.O_EXCL, 0o600);
  fs.closeSync(fd);
  expect(err(() => fs.openSync('/num', fs.constants.O_CREAT | fs.constants.O_EXCL)).code).toBe('EEXIST');
  expect(err(() => fs.openSync('/f', 'wx')).code).toBe('EEXIST');
  expect(err(() => fs.readFileSync('/f', { flag: 'bogus' })).message).toBe("The argument 'flags' is invalid. Received 'bogus'");
});

test('modes: numbers or octal strings; bits above 0o7777 ignored', () => {
  const fs = setup();
  fs.chmodSync('/f', '640');
  expect(fs.statSync('/f').mode & 0o7777).toBe(0o640);
  fs.chmodSync('/f', 0o10600);
  expect(fs.statSync('/f').mode & 0o7777).toBe(0o600);
  fs.mkdirSync('/m', '0700');
  expect(fs.statSync('/m').mode & 0o7777).toBe(0o700);
  expect(err(() => fs.chmodSync('/f', '0o644'))).toMatchObject({
    code: 'ERR_INVALID_ARG_VALUE',
    message: "The argument 'mode' must be a 32-bit unsigned integer or an octal string. Received '0o644'",
  });
  expect(err(() => fs.chmodSync('/f', 1.5)).message).toBe('The value of "mode" is out of range. It must be an integer. Received 1.5');
  expect(err(() => (fs.chmodSync as unknown as AnyFn)('/f')).message).toBe('The "mode" argument must be of type number. Received undefined');
  expect(err(() => fs.chmodSync('/f', 2 ** 32)).message).toBe(
    'The value of "mode" is out of range. It must be >= 0 && <= 4294967295. Received 4294967296',
  );
  expect(err(() => fs.chmodSync('/f', '77777777777')).message).toBe(
    'The value of "mode" is out of range. It must be >= 0 && <= 4294967295. Received 8_589_934_591',
  );
  expect(err(() => fs.openSync('/f', 'r', {} as never)).message).toBe(
    'The "mode" argument must be of type number. Received an instance of Object',
  );
});

test('access and copyFile modes use the C++ wording', () => {
  const fs = setup();
  const range = err(() => fs.accessSync('/f', 8));
  expect(range).toMatchObject({ name: 'RangeError', code: 'ERR_OUT_OF_RANGE', message: 'mode is out of range: >= 0 && <= 7' });
  expect(range.str).toBe('RangeError: mode is out of range: >= 0 && <= 7');
  expect(err(() => fs.copyFileSync('/f', '/g', 'x' as never))).toMatchObject({
    code: 'ERR_INVALID_ARG_TYPE',
    message: 'mode must be int32 or null/undefined',
  });
  fs.accessSync('/f', null as never);
});

test('descriptors: int32 >= 0', () => {
  const fs = setup();
  const close = fs.closeSync as unknown as AnyFn;
  expect(err(() => close('1'))).toMatchObject({ code: 'ERR_INVALID_ARG_TYPE', message: 'The "fd" argument must be of type number. Received type string (\'1\')' });
  expect(err(() => close(-1)).message).toBe('The value of "fd" is out of range. It must be >= 0 && <= 2147483647. Received -1');
  expect(err(() => close(1.5)).message).toBe('The value of "fd" is out of range. It must be an integer. Received 1.5');
  expect(err(() => close(2 ** 31)).message).toBe('The value of "fd" is out of range. It must be >= 0 && <= 2147483647. Received 2147483648');
  // read/write check theirs in JavaScript, with the [code] header
  expect(err(() => (fs.readSync as unknown as AnyFn)('x', Buffer.alloc(1))).str).toBe(
    'TypeError [ERR_INVALID_ARG_TYPE]: The "fd" argument must be of type number. Received type string (\'x\')',
  );
});

test('uid/gid: -1 keeps, range -1..2^32-1', () => {
  const fs = setup();
  fs.chownSync('/f', 12, 34);
  fs.chownSync('/f', -1, -1);
  expect(fs.statSync('/f')).toMatchObject({ uid: 12, gid: 34 });
  fs.chownSync('/f', -1, 56);
  expect(fs.statSync('/f')).toMatchObject({ uid: 12, gid: 56 });
  expect(err(() => fs.chownSync('/f', -2, 1)).message).toBe('The value of "uid" is out of range. It must be >= -1 && <= 4294967295. Received -2');
  expect(err(() => fs.chownSync('/f', 0, 'x' as never)).message).toBe('The "gid" argument must be of type number. Received type string (\'x\')');
  expect(err(() => fs.chownSync('/f', 1.5, 1)).message).toBe('The value of "uid" is out of range. It must be an integer. Received 1.5');
});

test('times: Date, seconds, numeric strings; negative numbers mean now; libuv precision', () => {
  const fs = setup();
  fs.utimesSync('/f', 123456.789, 1.0000001);
  let s = fs.statSync('/f', { bigint: true });
  expect(s.atimeNs).toBe(123456789000000n);
  expect(s.mtimeNs).toBe(1000000000n);
  fs.utimesSync('/f', new Date(1500), new Date(-1500));
  s = fs.statSync('/f', { bigint: true });
  expect(s.atimeNs).toBe(1500000000n);
  expect(s.mtimeNs).toBe(-1500000000n);
  fs.utimesSync('/f', '-1', '123.5');
  const n = fs.statSync('/f');
  expect(n.atimeMs).toBe(-1000);
  expect(n.mtimeMs).toBe(123500);
  const before = Date.now();
  fs.utimesSync('/f', -1, -1.5);
  expect(Math.abs(fs.statSync('/f').atimeMs - before)).toBeLessThan(5000);
  expect(err(() => fs.utimesSync('/f', 'abc', 1)).message).toBe(
    'The "time" argument must be an instance of Date or an Time in seconds. Received type string (\'abc\')',
  );
  expect(err(() => fs.utimesSync('/f', Number.NaN, 1)).code).toBe('ERR_INVALID_ARG_TYPE');
  const fd = fs.openSync('/f', 'r');
  expect(err(() => fs.futimesSync(fd, 'x', 1)).message).toContain('The "atime" argument');
});

test('callbacks: missing or non-function callback throws synchronously', () => {
  const fs = setup();
  const stat = fs.stat as unknown as AnyFn;
  expect(err(() => stat('/f'))).toMatchObject({ code: 'ERR_INVALID_ARG_TYPE', message: 'The "cb" argument must be of type function. Received undefined' });
  expect(err(() => stat('/f', {})).message).toBe('The "cb" argument must be of type function. Received undefined');
  expect(err(() => (fs.readFile as unknown as AnyFn)('/f', 'utf8', 5)).message).toBe(
    'The "cb" argument must be of type function. Received type number (5)',
  );
  expect(err(() => (fs.write as unknown as AnyFn)(1, 'x')).message).toBe('The "cb" argument must be of type function. Received undefined');
  // argument errors of the callback API throw, they do not reach the callback
  expect(err(() => (fs.mkdir as unknown as AnyFn)(5, () => {})).code).toBe('ERR_INVALID_ARG_TYPE');
});

test('promise API rejects on bad arguments instead of throwing', async () => {
  const fs = setup();
  const p = (fs.promises.stat as unknown as AnyFn)(5) as Promise<unknown>;
  expect(p).toBeInstanceOf(Promise);
  await expect(p).rejects.toMatchObject({ code: 'ERR_INVALID_ARG_TYPE' });
  await expect((fs.promises.readFile as unknown as AnyFn)(5) as Promise<unknown>).rejects.toThrow(PATH_TYPE);
});

test('options objects and encodings', () => {
  const fs = setup();
  expect(err(() => fs.readFileSync('/f', 'bogus' as never))).toMatchObject({
    code: 'ERR_INVALID_ARG_VALUE',
    message: "The argument 'encoding' is invalid encoding. Received 'bogus'",
  });
  expect(err(() => fs.readFileSync('/f', 5 as never)).message).toBe(
    'The "options" argument must be one of type string or object. Received type number (5)',
  );
  expect(err(() => fs.mkdirSync('/q', { recursive: 1 as never })).message).toBe(
    'The "options.recursive" property must be of type boolean. Received type number (1)',
  );
  expect(err(() => fs.rmSync('/q', { maxRetries: -1 })).message).toBe(
    'The value of "options.maxRetries" is out of range. It must be >= 0 && <= 4294967295. Received -1',
  );
  expect(err(() => fs.rmSync('/q', 5 as never)).message).toBe('The "options" argument must be of type object. Received type number (5)');
  expect(err(() => fs.opendirSync('/', { bufferSize: 0 })).message).toBe(
    'The value of "options.bufferSize" is out of range. It must be >= 1 && <= 4294967295. Received 0',
  );
  expect(err(() => fs.writeFileSync('/g', 5 as never)).message).toBe(
    'The "data" argument must be of type string or an instance of Buffer, TypedArray, or DataView. Received type number (5)',
  );
  expect(err(() => fs.symlinkSync('x', '/s', 'bogus' as never))).toMatchObject({
    code: 'ERR_FS_INVALID_SYMLINK_TYPE',
    message: 'Symlink type must be one of "dir", "file", or "junction". Received "bogus"',
  });
  expect(err(() => fs.ftruncateSync(fs.openSync('/f', 'r+'), 2 ** 53)).message).toBe(
    'The value of "len" is out of range. It must be >= -9007199254740991 && <= 9007199254740991. Received 9_007_199_254_740_992',
  );
});

test('truncate checks len after opening, as Node does; negative len is 0', () => {
  const fs = setup();
  expect(err(() => fs.truncateSync('/nope', 'x' as never)).code).toBe('ENOENT');
  expect(err(() => fs.truncateSync('/f', 'x' as never)).message).toBe('The "len" argument must be of type number. Received type string (\'x\')');
  fs.truncateSync('/f', -5);
  expect(fs.statSync('/f').size).toBe(0);
});
