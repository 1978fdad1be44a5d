/**
 * hostfs mechanism: how host calls are made and what their errors become.
 *
 * Every host path this file system hands to the kernel has one of two
 * shapes (see resolve.ts for why that contains everything):
 *   `/proc/self/fd/<dir>/<name>`  one component inside a directory we hold
 *                                 open (openat(2) through Linux's magic
 *                                 links: the kernel jumps to the open
 *                                 directory itself, no path is re-walked);
 *   `/proc/self/fd/<fd>`          the very object a descriptor pins (used
 *                                 with calls that follow the magic link:
 *                                 chmod, chown, utimes, truncate, reopen).
 * The only exception is the mapped root, opened once by its configured path.
 *
 * Host calls are synchronous (`fs.*Sync`): in embedded mode they run in the
 * caller's thread, in shared mode on the mount's actor.
 */

import * as nodeFs from 'node:fs';
import { fail, isErrnoCode, type Errno } from '../errno.js';
import { VType } from '../vnode/vnode.js';

/** Linux O_PATH (not in fs.constants): a descriptor that pins an object without opening it for I/O. */
export const O_PATH = 0o10000000;
export const { O_DIRECTORY, O_NOFOLLOW, O_NONBLOCK, O_NOCTTY, O_CREAT, O_EXCL, O_APPEND, O_RDONLY, O_WRONLY, O_RDWR } = nodeFs.constants;
export const O_SYNC = nodeFs.constants.O_SYNC ?? 0;
export const O_DSYNC = nodeFs.constants.O_DSYNC ?? 0;

export type HostStat = nodeFs.BigIntStats;

/** The name `name` inside directory descriptor `dirFd`. => a host path with one component to resolve. */
export function at(dirFd: number, name: string): string {
  return `/proc/self/fd/${dirFd}/${name}`;
}

/** The object pinned by `fd` (for calls that follow the magic link to exactly that object). */
export function pinned(fd: number): string {
  return `/proc/self/fd/${fd}`;
}

/**
 * A name the VFS may hand to a host call: one component, never "." or "..".
 * namei never passes anything else; this guards the host against a bug.
 */
export function checkName(name: string): void {
  if (name.length === 0 || name === '.' || name === '..' || name.includes('/') || name.includes('\0')) throw fail('EINVAL');
}

/**
 * A host error as an Errno with the same code (ENOTSUP, Node's name for
 * errno 95, becomes EOPNOTSUPP; a code we do not know becomes EIO).
 * Anything that is not a host error (a bug) passes through.
 */
export function hostError(e: unknown): unknown {
  const code = (e as { code?: unknown } | null)?.code;
  if (typeof code !== 'string' || typeof (e as { errno?: unknown }).errno !== 'number') return e;
  if (code === 'ENOTSUP') return fail('EOPNOTSUPP');
  return fail(isErrnoCode(code) ? code : 'EIO');
}

/** Run host calls; their errors come out as Errnos. */
export function host<T>(fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    throw hostError(e);
  }
}

export function errnoOf(e: unknown): string | undefined {
  return e !== null && typeof e === 'object' && 'code' in e ? String((e as Errno).code) : undefined;
}

export function lstat(path: string): HostStat {
  return nodeFs.lstatSync(path, { bigint: true });
}

export function fstat(fd: number): HostStat {
  return nodeFs.fstatSync(fd, { bigint: true });
}

export function open(path: string, flags: number, mode = 0o600): number {
  return nodeFs.openSync(path, flags, mode);
}

export function close(fd: number): void {
  try {
    nodeFs.closeSync(fd);
  } catch {
    // Closing can only fail for a descriptor that is already gone.
  }
}

export function readlinkAt(path: string): string {
  return nodeFs.readlinkSync(path, 'utf8');
}

export function vtypeOf(st: HostStat): VType {
  if (st.isFile()) return VType.Reg;
  if (st.isDirectory()) return VType.Dir;
  if (st.isSymbolicLink()) return VType.Lnk;
  if (st.isFIFO()) return VType.Fifo;
  if (st.isSocket()) return VType.Sock;
  if (st.isCharacterDevice()) return VType.Chr;
  if (st.isBlockDevice()) return VType.Blk;
  return VType.Non;
}

/** Nanoseconds as [seconds, nanoseconds], floor-divided (times before 1970 too). */
export function splitNs(ns: bigint): [number, number] {
  let sec = ns / 1_000_000_000n;
  let nsec = ns % 1_000_000_000n;
  if (nsec < 0n) {
    nsec += 1_000_000_000n;
    sec -= 1n;
  }
  return [Number(sec), Number(nsec)];
}

/**
 * A time for Node's utimes, which takes seconds as a double and which libuv
 * truncates to microseconds: round to the nearest microsecond and aim at the
 * middle of it, so double rounding cannot drop it to the one below. Times
 * before 1970 go as a Date (Node turns a negative number into "now").
 */
export function utimeArg(sec: number, nsec: number): number | Date {
  let us = Math.round(nsec / 1000);
  let s = sec;
  if (us >= 1_000_000) {
    us -= 1_000_000;
    s += 1;
  }
  if (s < 0) return new Date(s * 1000 + Math.round(us / 1000));
  return s + (us * 1000 + 500) / 1e9;
}

export { nodeFs };
