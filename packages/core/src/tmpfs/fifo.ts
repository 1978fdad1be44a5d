/**
 * FIFOs (named pipes). The pipe lives in the store, so a FIFO works between
 * threads exactly as within one: a pipe record (slab object) counts readers
 * and writers and holds a one-page ring buffer (PIPE_BUF = 4096: writes up
 * to that size are atomic). Every state change bumps the record's sequence
 * word and wakes whoever sleeps on it; sleepers re-check under the vnode
 * lock.
 *
 * Semantics (Linux): opening for reading waits for a writer and opening for
 * writing waits for a reader, unless O_NONBLOCK (then a writer with no
 * reader gets ENXIO); O_RDWR never waits. A read returns what is there (at
 * least one byte), 0 once no writer is left, EAGAIN if non-blocking and
 * empty. A write with no reader gets EPIPE.
 *
 * => all ops: vp unlocked on entry and return; they lock vp exclusively
 *    around each state change and never across a wait.
 */

import { O_ACCMODE, O_NONBLOCK, O_RDONLY, O_RDWR, O_WRONLY, PIPE_BUF } from '../constants.js';
import { fail } from '../errno.js';
import { P_PIPE, iw } from '../store/inode.js';
import { bump as bumpWord, put } from '../store/journal.js';
import { SB } from '../store/layout.js';
import { newWait, waitFor, type Op, type Wait } from '../vfs/wait.js';
import type { FileRef, Vnode } from '../vnode/vnode.js';
import { P_COUNT, P_READERS, P_RGEN, P_RING, P_RPOS, P_SEQ, P_WGEN, P_WRITERS, PIPE_CAPACITY, pipeAlloc, pw } from './pipe.js';
import { T_ATIME, T_CTIME, T_MTIME, touch } from './subr.js';
import type { Tmpfs } from './tmpfs.js';

const CAPACITY = PIPE_CAPACITY;

function tfs(vp: Vnode): Tmpfs {
  return vp.mount.fs as Tmpfs;
}

function pipeOf(fs: Tmpfs, vp: Vnode): number {
  const w = fs.st.i32s[vp.ino >>> 20]!;
  let pipe = w[iw(vp.ino) + P_PIPE]!;
  if (pipe === 0) {
    pipe = pipeAlloc(fs.st);
    put(fs.st, vp.ino >>> 20, iw(vp.ino) + P_PIPE, pipe);
  }
  return pipe;
}

function bump(words: Int32Array, b: number): void {
  Atomics.add(words, b + P_SEQ, 1);
  Atomics.notify(words, b + P_SEQ);
}

function soleThread(fs: Tmpfs): boolean {
  return Atomics.load(fs.st.sb, SB.THREADS) <= 1;
}

export function* fifoOpen(vp: Vnode, file: FileRef): Op<void> {
  const fs = tfs(vp);
  const mode = file.flags & O_ACCMODE;
  const nonblock = (file.flags & O_NONBLOCK) !== 0;
  let wait: Wait | undefined;
  fs.lock(vp, true);
  let locked = true;
  let joined = false;
  try {
    const pipe = pipeOf(fs, vp);
    const words = fs.st.i32s[pipe >>> 20]!;
    const b = pw(pipe);
    if (mode === O_WRONLY && nonblock && words[b + P_READERS] === 0) throw fail('ENXIO');
    const seg = pipe >>> 20;
    const st = fs.st;
    if (mode === O_RDONLY || mode === O_RDWR) {
      bumpWord(st, seg, b + P_READERS, 1);
      bumpWord(st, seg, b + P_RGEN, 1);
    }
    if (mode === O_WRONLY || mode === O_RDWR) {
      bumpWord(st, seg, b + P_WRITERS, 1);
      bumpWord(st, seg, b + P_WGEN, 1);
    }
    joined = true;
    bump(words, b);
    if (mode === O_RDWR || nonblock) return;
    // Wait for the other end: a peer that opened since we did, even if it left again.
    const peer = mode === O_RDONLY ? P_WRITERS : P_READERS;
    const peerGen = mode === O_RDONLY ? P_WGEN : P_RGEN;
    const gen0 = words[b + peerGen]!;
    if (words[b + peer]! > 0) return;
    for (;;) {
      const seq = words[b + P_SEQ]!;
      fs.unlock(vp);
      locked = false;
      wait ??= newWait();
      yield waitFor(wait, words, b + P_SEQ, seq, soleThread(fs));
      fs.lock(vp, true);
      locked = true;
      if (words[b + peerGen] !== gen0 || words[b + peer]! > 0) return;
    }
  } catch (e) {
    if (joined) {
      if (!locked) {
        fs.lock(vp, true);
        locked = true;
      }
      leave(fs, vp, mode);
    }
    throw e;
  } finally {
    if (locked) fs.unlock(vp);
  }
}

/** Drop this end's counts. => vp locked exclusive. */
function leave(fs: Tmpfs, vp: Vnode, mode: number): void {
  const pipe = pipeOf(fs, vp);
  const st = fs.st;
  const seg = pipe >>> 20;
  const words = st.i32s[seg]!;
  const b = pw(pipe);
  if (mode === O_RDONLY || mode === O_RDWR) bumpWord(st, seg, b + P_READERS, -1);
  if (mode === O_WRONLY || mode === O_RDWR) bumpWord(st, seg, b + P_WRITERS, -1);
  if (words[b + P_READERS] === 0 && words[b + P_WRITERS] === 0) {
    // Nobody has it open: what was left in the pipe is gone.
    put(st, seg, b + P_COUNT, 0);
    put(st, seg, b + P_RPOS, 0);
  }
  bump(words, b);
}

export function* fifoClose(vp: Vnode, file: FileRef): Op<void> {
  const fs = tfs(vp);
  fs.lock(vp, true);
  try {
    leave(fs, vp, file.flags & O_ACCMODE);
  } finally {
    fs.unlock(vp);
  }
}

export function* fifoRead(vp: Vnode, file: FileRef, buf: Uint8Array, off: number, len: number): Op<number> {
  const fs = tfs(vp);
  if (len === 0) return 0;
  let wait: Wait | undefined;
  for (;;) {
    fs.lock(vp, true);
    let seq: number;
    let words: Int32Array;
    let b: number;
    try {
      const pipe = pipeOf(fs, vp);
      words = fs.st.i32s[pipe >>> 20]!;
      b = pw(pipe);
      const count = words[b + P_COUNT]!;
      if (count > 0) {
        const n = Math.min(len, count);
        const ring = words[b + P_RING]!;
        const u8 = fs.st.u8s[ring >>> 20]!;
        const base = (ring & 0xfffff) << 4;
        const rpos = words[b + P_RPOS]!;
        const first = Math.min(n, CAPACITY - rpos);
        buf.set(u8.subarray(base + rpos, base + rpos + first), off);
        if (first < n) buf.set(u8.subarray(base, base + n - first), off + first);
        put(fs.st, pipe >>> 20, b + P_RPOS, (rpos + n) % CAPACITY);
        put(fs.st, pipe >>> 20, b + P_COUNT, count - n);
        touch(fs, vp.ino, T_ATIME);
        bump(words, b);
        return n;
      }
      if (words[b + P_WRITERS] === 0) return 0;
      if ((file.flags & O_NONBLOCK) !== 0) throw fail('EAGAIN');
      seq = words[b + P_SEQ]!;
    } finally {
      fs.unlock(vp);
    }
    wait ??= newWait();
    yield waitFor(wait, words, b + P_SEQ, seq, soleThread(fs));
  }
}

export function* fifoWrite(vp: Vnode, file: FileRef, buf: Uint8Array, off: number, len: number): Op<number> {
  const fs = tfs(vp);
  let written = 0;
  let wait: Wait | undefined;
  if (len === 0) return 0;
  for (;;) {
    fs.lock(vp, true);
    let seq: number;
    let words: Int32Array;
    let b: number;
    try {
      const pipe = pipeOf(fs, vp);
      words = fs.st.i32s[pipe >>> 20]!;
      b = pw(pipe);
      if (words[b + P_READERS] === 0) {
        if (written > 0) return written;
        throw fail('EPIPE');
      }
      const count = words[b + P_COUNT]!;
      const space = CAPACITY - count;
      const left = len - written;
      // Writes of up to PIPE_BUF bytes go in whole or wait.
      const need = left <= PIPE_BUF ? left : 1;
      if (space >= need) {
        const n = Math.min(space, left);
        const ring = words[b + P_RING]!;
        const u8 = fs.st.u8s[ring >>> 20]!;
        const base = (ring & 0xfffff) << 4;
        const wpos = (words[b + P_RPOS]! + count) % CAPACITY;
        const first = Math.min(n, CAPACITY - wpos);
        u8.set(buf.subarray(off + written, off + written + first), base + wpos);
        if (first < n) u8.set(buf.subarray(off + written + first, off + written + n), base);
        put(fs.st, pipe >>> 20, b + P_COUNT, count + n);
        written += n;
        touch(fs, vp.ino, T_MTIME | T_CTIME);
        bump(words, b);
        if (written === len) return written;
        continue;
      }
      if ((file.flags & O_NONBLOCK) !== 0) {
        if (written > 0) return written;
        throw fail('EAGAIN');
      }
      seq = words[b + P_SEQ]!;
    } finally {
      fs.unlock(vp);
    }
    wait ??= newWait();
    yield waitFor(wait, words, b + P_SEQ, seq, soleThread(fs));
  }
}
