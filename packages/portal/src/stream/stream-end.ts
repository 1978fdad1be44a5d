/**
 * The client's end of a portal stream: what a portal file descriptor is.
 *
 * It holds the stream's MessagePort and bell and nothing else (no store, no
 * VFS), so it works in whatever thread holds it: the portal's VOPs use it in
 * the thread that owns the file system, and PortalStream wraps it for any
 * thread the port was transferred to.
 *
 * Every operation is an Op generator: it drains the port with
 * receiveMessageOnPort, and when it must wait it yields a Wait on the
 * bell's SEQ word, so the same code runs under runSync (Atomics.wait; no
 * event loop needed, the provider rings the bell from its own thread) and
 * under runAsync (Atomics.waitAsync).
 *
 * Streams: the provider pushes data within the read credit this end grants
 * (the window, then each half window the reader consumes); writes go out
 * within the provider's write credit. A blocking read returns what has
 * arrived (at least one byte), 0 at end of stream and ever after; a read
 * error is reported once, then reads give 0. A blocking write sends all of
 * its bytes or fails with the write side's error (EPIPE, ECONNRESET, ...):
 * no short counts, no swallowed errors. Non-blocking reads and writes
 * (O_NONBLOCK after open) take what is there and fail with EAGAIN when
 * nothing is. Files (seekable) are read and written by request, at the
 * positions given.
 */

import { receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import { constants, type ErrnoCode } from '@actorvfs/core';
import { fail, waitFor, type Op, type Wait } from '@actorvfs/core/internal';
import { Bell } from '../protocol/bell.js';
import { MAX_CHUNK, PROTOCOL_VERSION, type ClientMessage, type ProviderMessage } from '../protocol/messages.js';

const { POLLIN, POLLOUT, POLLERR, POLLHUP, POLLNVAL } = constants;

/** Checks of the bell before a synchronous sleep (an answer a few microseconds away needs no wake-up). */
const SPIN = 200;

/** Where a stream is in its life. */
export type StreamPhase = 'opening' | 'open' | 'closed' | 'moved';

/** A stream's state as it moves to another thread (see detach). */
export interface StreamState {
  chunks: Uint8Array[];
  eof: boolean;
  rerror: ErrnoCode | null;
  rerrorSeen: boolean;
  werror: ErrnoCode | null;
  hangup: boolean;
  ended: boolean;
  unacked: number;
  credit: number;
  window: number;
  writeWindow: number;
}

/**
 * A portal stream made transferable: post it to another thread with
 * `transferList: [handle.port]` and open it there with PortalStream.from.
 */
export interface PortalStreamHandle {
  v: number;
  t: 'portal-stream';
  port: MessagePort;
  bell: SharedArrayBuffer;
  readable: boolean;
  writable: boolean;
  seekable: boolean;
  state: StreamState;
}

function now(): number {
  return performance.now();
}

export class StreamEnd {
  readonly bell: Int32Array;
  phase: StreamPhase = 'opening';
  readable = false;
  writable = false;
  seekable = false;
  /** The open failed with this code (phase stays 'opening'). */
  failed: ErrnoCode | null = null;
  /** Bytes read and written through the VFS's offset (a stream cannot be read or written anywhere else). */
  vfsPos = 0;

  // Read side.
  private chunks: Uint8Array[] = [];
  private queued = 0;
  private eof = false;
  private rerror: ErrnoCode | null = null;
  private rerrorSeen = false;
  private unacked = 0;
  private window: number;

  // Write side.
  private credit = 0;
  private writeWindow = 0;
  private werror: ErrnoCode | null = null;
  private hangup = false;
  private ended = false;

  // Files: answers by request number.
  private seq = 0;
  private readonly replies = new Map<number, ProviderMessage>();

  constructor(
    readonly port: MessagePort,
    bell: SharedArrayBuffer,
    window: number,
  ) {
    this.bell = new Int32Array(bell);
    this.window = window;
  }

  /** Rebuild a stream end from a handle (in the thread it was transferred to). */
  static attach(h: PortalStreamHandle): StreamEnd {
    if (h === null || typeof h !== 'object' || h.t !== 'portal-stream') throw fail('EINVAL');
    if (h.v !== PROTOCOL_VERSION) throw fail('EPROTO');
    const s = new StreamEnd(h.port, h.bell, h.state.window);
    s.phase = 'open';
    s.readable = h.readable;
    s.writable = h.writable;
    s.seekable = h.seekable;
    const st = h.state;
    s.chunks = st.chunks;
    s.queued = st.chunks.reduce((n, c) => n + c.length, 0);
    s.eof = st.eof;
    s.rerror = st.rerror;
    s.rerrorSeen = st.rerrorSeen;
    s.werror = st.werror;
    s.hangup = st.hangup;
    s.ended = st.ended;
    s.unacked = st.unacked;
    s.credit = st.credit;
    s.writeWindow = st.writeWindow;
    return s;
  }

  private newWait(timeoutMs = Infinity): Wait {
    const w: Wait = { word: this.bell, index: Bell.SEQ, value: 0, timeoutMs, onlyOtherThreads: false, spin: SPIN };
    return w;
  }

  private send(m: ClientMessage, transfer?: ArrayBuffer[]): void {
    try {
      this.port.postMessage(m, transfer);
    } catch {
      // The provider's end is gone; the bell's DEAD word or a message says why.
    }
  }

  /** Take every message that has arrived. */
  drain(): void {
    for (;;) {
      const r = receiveMessageOnPort(this.port);
      if (r === undefined) break;
      this.take(r.message as ProviderMessage);
    }
    if (Atomics.load(this.bell, Bell.DEAD) === 1) this.providerDied();
  }

  private providerDied(): void {
    if (this.phase === 'opening' && this.failed === null) this.failed = 'EIO';
    if (!this.eof && this.rerror === null) this.rerror = 'EIO';
    if (this.werror === null) this.werror = 'EIO';
  }

  private take(m: ProviderMessage): void {
    switch (m.t) {
      case 'opened':
        this.phase = 'open';
        this.readable = m.readable;
        this.writable = m.writable;
        this.seekable = m.seekable;
        this.credit = m.window;
        this.writeWindow = m.window;
        return;
      case 'failed':
        this.failed = m.code;
        return;
      case 'credit':
        this.credit += m.n;
        return;
      case 'wrote':
        this.replies.set(m.seq, m);
        return;
      default:
        break;
    }
    if (m.seq !== undefined) {
      this.replies.set(m.seq, m);
      return;
    }
    switch (m.t) {
      case 'data':
        this.chunks.push(m.bytes);
        this.queued += m.bytes.length;
        break;
      case 'eof':
        this.eof = true;
        break;
      case 'rerror':
        this.rerror = m.code;
        break;
      case 'werror':
        if (this.werror === null) {
          this.werror = m.code;
          this.hangup = m.hangup === true;
        }
        break;
    }
  }

  // ------------------------------------------------------------------- open

  /** Wait for the provider's answer until `deadline` (performance.now() ms). => throws its errno, or ETIMEDOUT. */
  *awaitOpen(deadline: number): Op<void> {
    const w = this.newWait();
    for (;;) {
      const seen = Atomics.load(this.bell, Bell.SEQ);
      this.drain();
      if (this.failed !== null) throw fail(this.failed);
      if (this.phase === 'open') return;
      const left = deadline - now();
      if (left <= 0) throw fail('ETIMEDOUT');
      yield waitFor(w, this.bell, Bell.SEQ, seen, false, left);
    }
  }

  // ------------------------------------------------------------------- read

  private copyOut(buf: Uint8Array, off: number, len: number): number {
    let n = 0;
    while (n < len && this.chunks.length > 0) {
      const head = this.chunks[0]!;
      const k = Math.min(head.length, len - n);
      buf.set(k === head.length ? head : head.subarray(0, k), off + n);
      n += k;
      if (k === head.length) this.chunks.shift();
      else this.chunks[0] = head.subarray(k);
    }
    this.queued -= n;
    this.unacked += n;
    if (this.unacked >= this.window / 2) {
      this.send({ t: 'credit', n: this.unacked });
      this.unacked = 0;
    }
    return n;
  }

  /** Read what has arrived (at least one byte, blocking), 0 at end of stream. */
  *read(buf: Uint8Array, off: number, len: number, nonBlocking: boolean): Op<number> {
    this.usable();
    if (!this.readable) throw fail('EBADF');
    if (this.seekable) throw fail('ESPIPE');
    if (len === 0) return 0;
    const w = this.newWait();
    for (;;) {
      const seen = Atomics.load(this.bell, Bell.SEQ);
      this.drain();
      if (this.queued > 0) return this.copyOut(buf, off, len);
      if (this.rerror !== null && !this.rerrorSeen) {
        this.rerrorSeen = true;
        throw fail(this.rerror);
      }
      if (this.eof || this.rerror !== null) return 0;
      if (nonBlocking) throw fail('EAGAIN');
      yield waitFor(w, this.bell, Bell.SEQ, seen, false);
    }
  }

  /** A file's bytes at `pos`. */
  *pread(buf: Uint8Array, off: number, len: number, pos: number): Op<number> {
    this.usable();
    if (!this.readable) throw fail('EBADF');
    if (len === 0) return 0;
    const seq = ++this.seq;
    this.send({ t: 'read', seq, pos, len });
    const m = yield* this.reply(seq);
    if (m.t === 'data') {
      const n = Math.min(m.bytes.length, len);
      buf.set(m.bytes.subarray(0, n), off);
      return n;
    }
    if (m.t === 'rerror' || m.t === 'werror') throw fail(m.code);
    return 0;
  }

  private *reply(seq: number): Op<ProviderMessage> {
    const w = this.newWait();
    for (;;) {
      const seen = Atomics.load(this.bell, Bell.SEQ);
      this.drain();
      const m = this.replies.get(seq);
      if (m !== undefined) {
        this.replies.delete(seq);
        return m;
      }
      if (Atomics.load(this.bell, Bell.DEAD) === 1) throw fail('EIO');
      yield waitFor(w, this.bell, Bell.SEQ, seen, false);
    }
  }

  // ------------------------------------------------------------------ write

  /** Send all of `len` bytes (blocking), or what the credit takes (non-blocking). */
  *write(buf: Uint8Array, off: number, len: number, nonBlocking: boolean): Op<number> {
    this.usable();
    if (!this.writable) throw fail('EBADF');
    if (this.seekable) throw fail('ESPIPE');
    if (this.ended) throw fail('EPIPE');
    if (len === 0) return 0;
    const w = this.newWait();
    let sent = 0;
    for (;;) {
      const seen = Atomics.load(this.bell, Bell.SEQ);
      this.drain();
      if (this.werror !== null) {
        if (nonBlocking && sent > 0) return sent;
        throw fail(this.werror);
      }
      while (this.credit > 0 && sent < len) {
        const n = Math.min(this.credit, len - sent, MAX_CHUNK);
        const bytes = new Uint8Array(n);
        bytes.set(buf.subarray(off + sent, off + sent + n));
        this.send({ t: 'data', bytes }, [bytes.buffer]);
        this.credit -= n;
        sent += n;
      }
      if (sent === len) return len;
      if (nonBlocking) {
        if (sent > 0) return sent;
        throw fail('EAGAIN');
      }
      yield waitFor(w, this.bell, Bell.SEQ, seen, false);
    }
  }

  /** Write a file at `pos` (-1: at its end). => bytes written and the offset after them. */
  *pwrite(buf: Uint8Array, off: number, len: number, pos: number): Op<{ n: number; end: number }> {
    this.usable();
    if (!this.writable) throw fail('EBADF');
    let done = 0;
    let end = pos;
    while (done < len || len === 0) {
      const n = Math.min(len - done, MAX_CHUNK * 16);
      const bytes = new Uint8Array(n);
      bytes.set(buf.subarray(off + done, off + done + n));
      const seq = ++this.seq;
      this.send({ t: 'write', seq, pos: pos < 0 ? -1 : pos + done, bytes }, [bytes.buffer]);
      const m = yield* this.reply(seq);
      if (m.t !== 'wrote') throw fail(m.t === 'werror' || m.t === 'rerror' ? m.code : 'EIO');
      done += m.n;
      end = m.end;
      if (len === 0 || m.n === 0) break;
    }
    return { n: done, end };
  }

  /** fsync: everything written has been passed on (the provider gave all the credit back). */
  *flush(): Op<void> {
    this.usable();
    if (this.seekable || !this.writable) return;
    const w = this.newWait();
    for (;;) {
      const seen = Atomics.load(this.bell, Bell.SEQ);
      this.drain();
      if (this.werror !== null) throw fail(this.werror);
      if (this.credit >= this.writeWindow) return;
      yield waitFor(w, this.bell, Bell.SEQ, seen, false);
    }
  }

  /** Half-close: no more writes (the peer sees end of stream); reads go on. */
  end(): void {
    this.usable();
    if (!this.writable || this.ended || this.seekable) return;
    this.ended = true;
    this.send({ t: 'end' });
  }

  // ------------------------------------------------------------------- poll

  /** The events ready now (POLLIN, POLLOUT, POLLERR, POLLHUP). */
  ready(): number {
    if (this.phase !== 'open') return POLLNVAL;
    this.drain();
    if (this.seekable) return (this.readable ? POLLIN : 0) | (this.writable ? POLLOUT : 0);
    let r = 0;
    if (this.readable && (this.queued > 0 || this.eof || this.rerror !== null)) r |= POLLIN;
    if (this.writable && !this.ended && this.werror === null && this.credit > 0) r |= POLLOUT;
    if (this.rerror !== null || (this.werror !== null && !this.hangup)) r |= POLLERR;
    if (this.hangup || (this.readable && this.eof && !this.writable)) r |= POLLHUP;
    return r;
  }

  /** Wait until one of `events` (or an error or hang-up) is ready, or timeoutMs passed (=> 0). */
  *poll(events: number, timeoutMs: number): Op<number> {
    const want = events | POLLERR | POLLHUP | POLLNVAL;
    const deadline = timeoutMs === Infinity ? Infinity : now() + timeoutMs;
    const w = this.newWait();
    for (;;) {
      const seen = Atomics.load(this.bell, Bell.SEQ);
      const r = this.ready() & want;
      if (r !== 0) return r;
      const left = deadline - now();
      if (left <= 0) return 0;
      yield waitFor(w, this.bell, Bell.SEQ, seen, false, left);
    }
  }

  // ------------------------------------------------------------- life cycle

  private usable(): void {
    if (this.phase === 'moved' || this.phase === 'closed') throw fail('EBADF');
  }

  /** Close: the provider releases its end at once (TCP FIN, EOF to a command). Never waits. */
  close(): void {
    if (this.phase === 'closed' || this.phase === 'moved') return;
    this.phase = 'closed';
    this.send({ t: 'close' });
    this.port.close();
  }

  /**
   * Give the stream away: a handle to post to another thread (transfer
   * `handle.port`), carrying what has arrived and the credit counts. This
   * end is unusable afterwards (EBADF).
   */
  detach(): PortalStreamHandle {
    this.usable();
    if (this.phase !== 'open') throw fail('EBADF');
    this.drain();
    const state: StreamState = {
      chunks: this.chunks,
      eof: this.eof,
      rerror: this.rerror,
      rerrorSeen: this.rerrorSeen,
      werror: this.werror,
      hangup: this.hangup,
      ended: this.ended,
      unacked: this.unacked,
      credit: this.credit,
      window: this.window,
      writeWindow: this.writeWindow,
    };
    this.chunks = [];
    this.queued = 0;
    this.phase = 'moved';
    return { v: PROTOCOL_VERSION, t: 'portal-stream', port: this.port, bell: this.bell.buffer as SharedArrayBuffer, readable: this.readable, writable: this.writable, seekable: this.seekable, state };
  }
}
