/**
 * The portal's wire protocol: every message between the thread that owns the
 * file system ("main"), the provider hosts (piscina workers) and whoever
 * holds a stream's port (main, or any thread it was transferred to).
 *
 * Imported by main/, worker/ and stream/; imports neither.
 *
 * Four channels:
 *   1. the piscina task that starts a host (`HostTask`), once per host;
 *   2. the host's control port, main -> host (`HostRequest`): open a
 *      stream, retire, report diagnostics;
 *   3. one MessageChannel per stream, the portal's "fd": provider -> client
 *      (`ProviderMessage`) and client -> provider (`ClientMessage`);
 *   4. one BroadcastChannel per mount, between the instances of that mount
 *      in different threads (shared mode): reloaded rules (`RulesMessage`).
 *
 * Every message the provider posts to a client is followed by a bump and
 * notify of the stream's bell word (bell.ts), so a client blocked in
 * Atomics.wait (or awaiting Atomics.waitAsync) wakes and takes it with
 * receiveMessageOnPort: no event loop is needed on the client's side.
 *
 * Versions: requests and the open reply carry `v`; a host answers an open
 * request of another version with `failed` EPROTO. Stream messages travel on
 * a port whose open handshake fixed the version, so they carry only `t`.
 */

import type { MessagePort } from 'node:worker_threads';
import type { ErrnoCode } from '@actorvfs/core';

export const PROTOCOL_VERSION = 1;

/** Credentials of the VFS caller, as handed to providers. */
export interface WireCred {
  uid: number;
  gid: number;
  groups: number[];
}

/** What every host needs, fixed for the life of the file system (from its options). */
export interface HostSettings {
  /** `file` provider: host directory the paths are confined under, and the umask of files it creates. */
  fileRoot: string;
  fileUmask: number;
  /** The identity providers act as (mount_portal's own uid/gid): 0 = switch to the caller; else callers must be it. */
  identity: { uid: number; gid: number };
  /** `tcp` provider: where service names are looked up. */
  servicesFile: string;
  /** Filters: stdout (wfilter) and stderr of commands that do not redirect them. */
  filterOutput: 'inherit' | 'ignore';
  /** Filters: working directory of commands. */
  filterCwd: string;
}

/** The piscina task that runs one host (worker/host.ts). */
export interface HostTask {
  v: number;
  t: 'host';
  ctrl: MessagePort;
  /** The pool's shared words (pool-words.ts). */
  words: SharedArrayBuffer;
  slot: number;
  settings: HostSettings;
}

export interface OpenRequest {
  v: number;
  t: 'open';
  /** Request id (per file system), echoed in the reply. */
  id: number;
  /** The key: the whole path under the mount, as it was looked up. */
  key: string;
  /** The matching rule: provider name and its arguments. */
  provider: string;
  args: string[];
  /** URL of a JS-module provider, or null for a built-in one. */
  module: string | null;
  cred: WireCred;
  /** The caller's open flags (O_*). */
  flags: number;
  /** The provider's end of the stream channel, and the stream's bell. */
  port: MessagePort;
  bell: SharedArrayBuffer;
  /** Read credit the client grants at once (bytes). */
  window: number;
}

export type HostRequest =
  | OpenRequest
  | { v: number; t: 'retire'; kill: boolean }
  | { v: number; t: 'diag'; reply: MessagePort };

/** A host's answer to 'diag'. */
export interface HostDiagnostics {
  threadId: number;
  /** process.getActiveResourcesInfo() in the host's thread. */
  resources: string[];
  /** Streams being served, and child processes still running (a wfilter command finishing after close). */
  streams: number;
  children: number;
  served: number;
}

export type ProviderMessage =
  | { t: 'opened'; v: number; id: number; readable: boolean; writable: boolean; seekable: boolean; window: number }
  | { t: 'failed'; v: number; id: number; code: ErrnoCode }
  /** Stream data (pushed within the read credit), or a file's answer to `read` (with its seq). */
  | { t: 'data'; bytes: Uint8Array; seq?: number }
  | { t: 'eof'; seq?: number }
  | { t: 'rerror'; code: ErrnoCode; seq?: number }
  /** Bytes the provider has passed on: the client may send that many more. */
  | { t: 'credit'; n: number }
  /** A file's answer to `write`: bytes written and the offset just past them. */
  | { t: 'wrote'; seq: number; n: number; end: number }
  /** The write side failed; `hangup`: the peer went away (EPIPE, shown by poll as POLLHUP, not POLLERR). */
  | { t: 'werror'; code: ErrnoCode; seq?: number; hangup?: boolean };

export type ClientMessage =
  /** Read credit: the provider may push that many more bytes. */
  | { t: 'credit'; n: number }
  | { t: 'data'; bytes: Uint8Array }
  /** Seekable (file) streams: positional requests, answered by seq. pos -1 writes at the end. */
  | { t: 'read'; seq: number; pos: number; len: number }
  | { t: 'write'; seq: number; pos: number; bytes: Uint8Array }
  /** Half-close: no more data from the client (shutdown(SHUT_WR)). */
  | { t: 'end' }
  | { t: 'close' };

/**
 * Between the instances of one mount (main/rules.ts). `rules`: the config
 * text now in force at generation `gen`, reloaded by instance `origin`; the
 * highest (gen, origin) wins everywhere. `hello`: a new instance asks the
 * others for their rules.
 */
export type RulesMessage = { v: number; t: 'rules'; gen: number; origin: string; text: string } | { v: number; t: 'hello' };

/** Largest data message (bytes). */
export const MAX_CHUNK = 64 * 1024;
/** Default credit window, each way (bytes). */
export const DEFAULT_WINDOW = 256 * 1024;

/**
 * Providers every host knows, by the names a config uses: NetBSD's set
 * (file, tcp, rfilter, wfilter) plus `pipe`. `exec` is not registered, as on
 * NetBSD: a rule naming it (or any other unknown name) fails with ENOENT.
 */
export const BUILTIN_PROVIDERS: readonly string[] = Object.freeze(['file', 'tcp', 'rfilter', 'wfilter', 'pipe']);
