/**
 * hostfs byte windows (rumpfs RUMP_ETFS_BLK with begin and size): node byte
 * i is host byte offset + i, for i < length. The size is the window's length
 * and never changes. Reads stop at its end; a write starting at or past the
 * end is ENOSPC, a write straddling it is cut short; appends start at the
 * end (ENOSPC); truncate to the length does nothing, to any other size is
 * EINVAL (so is O_TRUNC). Host bytes outside the window are never touched.
 */

import { expect, test } from 'vitest';
import { createVfs, hostFs } from '@actorvfs/core';
import { codeOf, makeBase, cleanup, nodeFs, snapshotOutside } from './helpers.js';

const HOST = Buffer.from('0123456789abcdefghij'); // 20 bytes
const OFFSET = 5;
const LENGTH = 10; // window "56789abcde"

function windowSetup() {
  const base = makeBase();
  const file = `${base.root}/disk.img`;
  nodeFs.writeFileSync(file, HOST);
  const vfs = createVfs();
  vfs.fs.writeFileSync('/disk', '');
  const h = hostFs({ path: file, offset: OFFSET, length: LENGTH });
  vfs.mount('/disk', h);
  const outside = snapshotOutside(base);
  return {
    fs: vfs.fs,
    h,
    file,
    hostBytes: () => nodeFs.readFileSync(file),
    done: () => {
      try {
        expect(snapshotOutside(base)).toEqual(outside);
        vfs.unmount('/disk');
      } finally {
        cleanup(base);
      }
    },
  };
}

test('size and content are the window', () => {
  const w = windowSetup();
  try {
    const st = w.fs.statSync('/disk');
    expect(st.size).toBe(LENGTH);
    expect(st.blocks).toBe(1);
    expect(w.fs.readFileSync('/disk', 'latin1')).toBe('56789abcde');
    expect(w.h.options).toEqual({ path: w.file, offset: OFFSET, length: LENGTH, readonly: false });
  } finally {
    w.done();
  }
});

test('reads are clamped to the window at every boundary', () => {
  const w = windowSetup();
  try {
    const fd = w.fs.openSync('/disk', 'r');
    const buf = Buffer.alloc(32);
    expect(w.fs.readSync(fd, buf, 0, 32, 0)).toBe(10);
    expect(buf.subarray(0, 10).toString()).toBe('56789abcde');
    expect(w.fs.readSync(fd, buf, 0, 32, 9)).toBe(1);
    expect(buf.subarray(0, 1).toString()).toBe('e');
    expect(w.fs.readSync(fd, buf, 0, 32, 10)).toBe(0);
    expect(w.fs.readSync(fd, buf, 0, 32, 1000)).toBe(0);
    expect(w.fs.readSync(fd, buf, 0, 3, 4)).toBe(3);
    expect(buf.subarray(0, 3).toString()).toBe('9ab');
    w.fs.closeSync(fd);
  } finally {
    w.done();
  }
});

test('writes land at offset + position, are cut at the end, and are ENOSPC past it', () => {
  const w = windowSetup();
  try {
    const fd = w.fs.openSync('/disk', 'r+');
    expect(w.fs.writeSync(fd, Buffer.from('AB'), 0, 2, 0)).toBe(2);
    expect(w.hostBytes().toString()).toBe('01234AB789abcdefghij');
    expect(w.fs.writeSync(fd, Buffer.from('XYZW'), 0, 4, 8)).toBe(2); // straddles the end
    expect(w.hostBytes().toString()).toBe('01234AB789abcXYfghij');
    expect(codeOf(() => w.fs.writeSync(fd, Buffer.from('Q'), 0, 1, 10))).toBe('ENOSPC');
    expect(codeOf(() => w.fs.writeSync(fd, Buffer.from('Q'), 0, 1, 1 << 30))).toBe('ENOSPC');
    expect(w.fs.writeSync(fd, Buffer.alloc(0), 0, 0, 10)).toBe(0);
    w.fs.closeSync(fd);
    expect(w.hostBytes().toString()).toBe('01234AB789abcXYfghij');
    expect(w.hostBytes().length).toBe(20);
  } finally {
    w.done();
  }
});

test('appending is ENOSPC; a long write fills the window and the next one is ENOSPC', () => {
  const w = windowSetup();
  try {
    expect(codeOf(() => w.fs.appendFileSync('/disk', 'more'))).toBe('ENOSPC');
    const fd = w.fs.openSync('/disk', 'r+');
    try {
      expect(w.fs.writeSync(fd, 'x'.repeat(15))).toBe(10); // at the file offset, cut at the end
      expect(codeOf(() => w.fs.writeSync(fd, 'y'))).toBe('ENOSPC'); // the offset is now the end
    } finally {
      w.fs.closeSync(fd);
    }
    expect(w.hostBytes().toString()).toBe('01234xxxxxxxxxxfghij');
  } finally {
    w.done();
  }
});

test('truncate to the window length does nothing; to any other size (or O_TRUNC) is EINVAL', () => {
  const w = windowSetup();
  try {
    w.fs.truncateSync('/disk', LENGTH);
    expect(codeOf(() => w.fs.truncateSync('/disk', 3))).toBe('EINVAL');
    expect(codeOf(() => w.fs.truncateSync('/disk', 100))).toBe('EINVAL');
    expect(codeOf(() => w.fs.openSync('/disk', 'w'))).toBe('EINVAL');
    expect(w.hostBytes()).toEqual(HOST);
  } finally {
    w.done();
  }
});

test('windows are checked against the host file when made', () => {
  const base = makeBase();
  try {
    const file = `${base.root}/f`;
    nodeFs.writeFileSync(file, HOST);
    expect(codeOf(() => hostFs({ path: file, offset: 21 }))).toBe('EINVAL');
    expect(codeOf(() => hostFs({ path: file, offset: 15, length: 6 }))).toBe('EINVAL');
    expect(hostFs({ path: file, offset: 15 }).options).toEqual({ path: file, offset: 15, length: 5, readonly: false });
    expect(hostFs({ path: file, length: 4 }).options).toEqual({ path: file, offset: 0, length: 4, readonly: false });
    expect(hostFs({ path: file, offset: 20 }).options.length).toBe(0);
    expect(codeOf(() => hostFs({ path: base.root, offset: 0 }))).toBe('EISDIR');
    expect(codeOf(() => hostFs({ path: file, offset: -1 }))).toBe('ERR_INVALID_ARG_VALUE');
    expect(codeOf(() => hostFs({ path: file, length: 1.5 }))).toBe('ERR_INVALID_ARG_VALUE');
  } finally {
    cleanup(base);
  }
});
