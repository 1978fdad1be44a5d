/**
 * The provider's end of one stream: a Resource on one side, the stream's
 * MessagePort and bell on the other.
 *
 * Flow control is by credit, both ways. The client grants read credit (the
 * open request's window, then more as its reader consumes); the server pushes
 * the resource's output only within it, and pauses the resource meanwhile,
 * so back-pressure reaches the socket or the command. The server grants write
 * credit (its window, then the bytes the resource has flushed); the client
 * never sends beyond it, so a slow peer holds the writer.
 *
 * Errors are reported, never swallowed: a read-side failure as `rerror`, a
 * write-side one (EPIPE, ECONNRESET, the peer gone) as `werror` as soon as it
 * is known, even before the next write.
 */

import { closeSync, fstatSync, readSync, writeSync } from 'node:fs';
import type { Duplex } from 'node:stream';
import type { MessagePort } from 'node:worker_threads';
import type { ErrnoCode } from '@actorvfs/core';
import { ring } from '../protocol/bell.js';
import { errnoOf } from '../protocol/errors.js';
import { isErrnoCode } from './core.js';
import { MAX_CHUNK, PROTOCOL_VERSION, type ClientMessage, type ProviderMessage } from '../protocol/messages.js';
import type { FileResource, Resource, StreamResource } from './resource.js';

export class StreamServer {
  private readonly bell: Int32Array;
  private resource: Resource | null = null;
  private opened = false;
  private closed = false;
  /** Read side: credit left, output waiting for credit, end seen. */
  private credit: number;
  private stash: Buffer[] = [];
  private ended = false;
  private eofSent = false;
  /** Write side: bytes flushed but not yet credited back; the first error (then the side is dead). */
  private acked = 0;
  private werror: ErrnoCode | null = null;
  private clientEnded = false;
  private readonly writeWindow: number;

  constructor(
    private readonly port: MessagePort,
    bell: SharedArrayBuffer,
    private readonly id: number,
    readWindow: number,
    writeWindow: number,
    /** Called once when the stream is over (the host is free again). */
    private readonly onDone: () => void,
  ) {
    this.bell = new Int32Array(bell);
    this.credit = readWindow;
    this.writeWindow = writeWindow;
    port.on('message', (m: ClientMessage) => this.onMessage(m));
    port.on('close', () => this.close());
  }

  private post(m: ProviderMessage, transfer?: ArrayBuffer[]): void {
    if (this.closed) return;
    try {
      this.port.postMessage(m, transfer);
    } catch {
      // The client's end is gone: nothing to tell.
    }
    ring(this.bell);
  }

  /** The provider failed: answer the open with `code` and finish. */
  fail(code: ErrnoCode): void {
    if (this.opened || this.closed) return;
    this.post({ t: 'failed', v: PROTOCOL_VERSION, id: this.id, code });
    this.close();
  }

  /**
   * The host is dying or shutting down under this stream: tell the client
   * EIO, as far as it can still be told. (Releasing the resource is close's.)
   */
  crash(): void {
    if (this.closed) return;
    if (!this.opened) this.post({ t: 'failed', v: PROTOCOL_VERSION, id: this.id, code: 'EIO' });
    else {
      // The write side first: a client that has seen the read error has drained this one too.
      this.post({ t: 'werror', code: 'EIO' });
      this.post({ t: 'rerror', code: 'EIO' });
    }
  }

  attach(resource: Resource): void {
    if (this.closed) {
      // The client went away while the provider worked.
      release(resource);
      return;
    }
    this.resource = resource;
    this.opened = true;
    if (resource.kind === 'file') {
      this.post({ t: 'opened', v: PROTOCOL_VERSION, id: this.id, readable: resource.readable, writable: resource.writable, seekable: true, window: 0 });
      return;
    }
    const { readable, writable } = resource;
    this.post({ t: 'opened', v: PROTOCOL_VERSION, id: this.id, readable: readable !== null, writable: writable !== null, seekable: false, window: writable !== null ? this.writeWindow : 0 });
    if (readable !== null) this.pumpOut(readable);
    if (writable !== null) this.watchWritable(writable);
  }

  // ---------------------------------------------------------------- read side

  private pumpOut(readable: NonNullable<StreamResource['readable']>): void {
    readable.on('data', (chunk: Buffer | string) => {
      this.stash.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
      this.flush();
    });
    readable.on('end', () => {
      this.ended = true;
      // A socket that does not allow half-open connections (net's default) shuts its own write side
      // when the peer's FIN arrives: a write after the client has seen EOF must fail, so say so first.
      const w = (this.resource as StreamResource | null)?.writable ?? null;
      if (w !== null && (w as unknown) === readable && (readable as Duplex).allowHalfOpen === false && !this.clientEnded) this.writeFailed('EPIPE', true);
      this.flush();
    });
    readable.on('error', (e: unknown) => {
      if (this.eofSent) return;
      this.eofSent = true;
      this.stash = [];
      this.post({ t: 'rerror', code: errnoOf(e, isErrnoCode) });
    });
  }

  /** Push what the credit allows; pause the source while output waits. */
  private flush(): void {
    const r = this.resource as StreamResource | null;
    while (this.stash.length > 0 && this.credit > 0) {
      const head = this.stash[0]!;
      const n = Math.min(head.length, this.credit, MAX_CHUNK);
      // A copy of exactly these bytes: a Node buffer is often a slice of a larger, shared one.
      const bytes = new Uint8Array(n);
      bytes.set(head.subarray(0, n));
      if (n === head.length) this.stash.shift();
      else this.stash[0] = head.subarray(n);
      this.credit -= n;
      this.post({ t: 'data', bytes }, [bytes.buffer]);
    }
    if (this.stash.length > 0) r?.readable?.pause();
    else if (!this.ended) r?.readable?.resume();
    if (this.ended && this.stash.length === 0 && !this.eofSent) {
      this.eofSent = true;
      this.post({ t: 'eof' });
    }
  }

  // --------------------------------------------------------------- write side

  private watchWritable(writable: NonNullable<StreamResource['writable']>): void {
    writable.on('error', (e: unknown) => this.writeFailed(errnoOf(e, isErrnoCode)));
    // The writable side finished or closed without the client ending it: the peer is gone.
    const gone = (): void => {
      if (!this.clientEnded) this.writeFailed('EPIPE', true);
    };
    writable.on('finish', gone);
    writable.on('close', gone);
  }

  private writeFailed(code: ErrnoCode, hangup = false): void {
    if (this.werror !== null) return;
    this.werror = code;
    this.post(hangup ? { t: 'werror', code, hangup } : { t: 'werror', code });
  }

  private write(bytes: Uint8Array): void {
    const w = (this.resource as StreamResource | null)?.writable ?? null;
    if (w === null || this.werror !== null) return;
    if (w.writableEnded || w.destroyed) {
      this.writeFailed('EPIPE');
      return;
    }
    const n = bytes.length;
    w.write(bytes, (err?: Error | null) => {
      if (err !== null && err !== undefined) {
        this.writeFailed(errnoOf(err, isErrnoCode));
        return;
      }
      this.acked += n;
      if (this.acked >= this.writeWindow / 4 || w.writableLength === 0) {
        const give = this.acked;
        this.acked = 0;
        this.post({ t: 'credit', n: give });
      }
    });
  }

  // ------------------------------------------------------------ file requests

  private fileRequest(f: FileResource, m: ClientMessage): void {
    if (m.t === 'read') {
      if (!f.readable) {
        this.post({ t: 'rerror', code: 'EBADF', seq: m.seq });
        return;
      }
      try {
        const buf = new Uint8Array(Math.min(m.len, MAX_CHUNK * 16));
        const n = readSync(f.fd, buf, 0, buf.length, m.pos);
        if (n === 0) this.post({ t: 'eof', seq: m.seq });
        else {
          const bytes = n === buf.length ? buf : buf.slice(0, n);
          this.post({ t: 'data', bytes, seq: m.seq }, [bytes.buffer]);
        }
      } catch (e) {
        this.post({ t: 'rerror', code: errnoOf(e, isErrnoCode), seq: m.seq });
      }
    } else if (m.t === 'write') {
      if (!f.writable) {
        this.post({ t: 'werror', code: 'EBADF', seq: m.seq });
        return;
      }
      try {
        const pos = m.pos < 0 ? Number(fstatSync(f.fd).size) : m.pos;
        const n = writeSync(f.fd, m.bytes, 0, m.bytes.length, pos);
        this.post({ t: 'wrote', seq: m.seq, n, end: pos + n });
      } catch (e) {
        this.post({ t: 'werror', code: errnoOf(e, isErrnoCode), seq: m.seq });
      }
    }
  }

  // ---------------------------------------------------------------- messages

  private onMessage(m: ClientMessage): void {
    if (this.closed) return;
    if (m.t === 'close') {
      this.close();
      return;
    }
    const r = this.resource;
    if (r === null) return;
    if (r.kind === 'file') {
      this.fileRequest(r, m);
      return;
    }
    switch (m.t) {
      case 'credit':
        this.credit += m.n;
        this.flush();
        break;
      case 'data':
        this.write(m.bytes);
        break;
      case 'end':
        this.clientEnded = true;
        if (r.writable !== null && !r.writable.writableEnded) r.writable.end();
        break;
      default:
        break;
    }
  }

  /** The stream is over: release the resource, close the port, free the host. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.clientEnded = true;
    this.stash = [];
    const r = this.resource;
    this.resource = null;
    if (r !== null) release(r);
    this.port.close();
    this.onDone();
  }

  /** The resource, if still held (for kill on shutdown). */
  get held(): Resource | null {
    return this.resource;
  }
}

function release(r: Resource): void {
  if (r.kind === 'file') {
    try {
      closeSync(r.fd);
    } catch {
      // already closed
    }
    return;
  }
  r.readable?.removeAllListeners('data');
  r.close();
}
