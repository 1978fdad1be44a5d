/**
 * What a provider hands back: the thing a stream is made of.
 *
 *   StreamResource  Node streams: a readable side (the provider's output,
 *                   the client's reads), a writable side (the client's
 *                   writes), or both; sockets, child processes' pipes, and
 *                   whatever a JS-module provider returns.
 *   FileResource    a host file descriptor, read and written at the
 *                   positions the client asks for (seekable).
 */

import type { Readable, Writable } from 'node:stream';

export interface StreamResource {
  kind: 'stream';
  readable: Readable | null;
  writable: Writable | null;
  /** The client closed the stream: let go of everything (never waits for the peer). */
  close(): void;
  /** The pool is shutting down: stop at once (kill child processes). */
  kill?(): void;
}

export interface FileResource {
  kind: 'file';
  fd: number;
  readable: boolean;
  writable: boolean;
}

export type Resource = StreamResource | FileResource;
