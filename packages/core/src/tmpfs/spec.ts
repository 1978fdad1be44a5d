/**
 * Device and socket nodes. A memory file system has no hardware, so opening
 * a device node reaches a small built-in driver table with Linux's numbers
 * (mknod c 1 3 gives a working /dev/null); any other device is ENXIO, and so
 * is opening a socket node (sockets are reached by connect, not open).
 *
 * => vp unlocked on entry and return; the drivers keep no per-node state.
 */

import { randomFillSync } from 'node:crypto';
import { fail } from '../errno.js';
import { I_RDEV, iw } from '../store/inode.js';
import type { Op } from '../vfs/wait.js';
import { VType, type FileRef, type Vnode } from '../vnode/vnode.js';
import type { Tmpfs } from './tmpfs.js';

const enum Driver {
  None = 0,
  Null = 3,
  Zero = 5,
  Full = 7,
  Random = 8,
  Urandom = 9,
}

/** Linux dev_t encoding, as stat's rdev and mknod's dev carry it. */
export function major(dev: number): number {
  return (dev >>> 8) & 0xfff;
}

export function minor(dev: number): number {
  return (dev & 0xff) | ((dev >>> 12) & 0xfff00);
}

export function makedev(maj: number, min: number): number {
  return ((min & 0xff) | ((maj & 0xfff) << 8) | ((min & ~0xff) << 12)) >>> 0;
}

function driverOf(vp: Vnode): Driver {
  if (vp.type !== VType.Chr) return Driver.None;
  const fs = vp.mount.fs as Tmpfs;
  const dev = fs.st.i32s[vp.ino >>> 20]![iw(vp.ino) + I_RDEV]! >>> 0;
  if (major(dev) !== 1) return Driver.None;
  const m = minor(dev);
  return m === Driver.Null || m === Driver.Zero || m === Driver.Full || m === Driver.Random || m === Driver.Urandom ? m : Driver.None;
}

export function* specOpen(vp: Vnode): Op<void> {
  if (driverOf(vp) === Driver.None) throw fail('ENXIO');
}

export function* specRead(vp: Vnode, _file: FileRef, buf: Uint8Array, off: number, len: number): Op<number> {
  switch (driverOf(vp)) {
    case Driver.Null:
      return 0;
    case Driver.Zero:
    case Driver.Full:
      buf.fill(0, off, off + len);
      return len;
    case Driver.Random:
    case Driver.Urandom:
      randomFillSync(buf, off, len);
      return len;
    default:
      throw fail('ENXIO');
  }
}

export function* specWrite(vp: Vnode, _file: FileRef, _buf: Uint8Array, _off: number, len: number): Op<number> {
  switch (driverOf(vp)) {
    case Driver.Full:
      throw fail('ENOSPC');
    case Driver.None:
      throw fail('ENXIO');
    default:
      return len;
  }
}

export function* sockOpen(): Op<void> {
  throw fail('ENXIO');
}
