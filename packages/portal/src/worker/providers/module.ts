/**
 * Providers written as JS modules.
 *
 *   portalFs({ config, providers: { upper: new URL('./upper.js', import.meta.url) } })
 *   # config:   up/   upper   up/
 *
 * The module's default export (or its export `provide`) is called in the
 * provider's worker with a ProviderRequest and returns (or resolves to) a
 * Node stream: a Duplex (read and write), a Readable (read only) or a
 * Writable (write only). To refuse the open it throws (or returns) an error
 * whose `code` is an errno name ('ECONNREFUSED', 'EACCES', ...); any other
 * failure, a crash of the worker included, fails the open with EIO.
 */

import type { Duplex, Readable, Writable } from 'node:stream';
import { fail, isErrnoCode } from '../core.js';
import { errnoOf } from '../../protocol/errors.js';
import type { OpenRequest, WireCred } from '../../protocol/messages.js';
import type { StreamResource } from '../resource.js';

/** What a JS-module provider is given. */
export interface ProviderRequest {
  /** The whole key (the path under the mount), as it was looked up. */
  readonly key: string;
  /** The provider name the rule used, and the rule's arguments after it. */
  readonly provider: string;
  readonly args: readonly string[];
  /** The VFS caller's credentials. */
  readonly cred: Readonly<WireCred>;
  /** The caller's open flags (O_RDONLY, O_WRONLY, O_RDWR, O_APPEND, ...). */
  readonly flags: number;
}

export type ProviderResult = Duplex | Readable | Writable | Error;
export type ProviderFunction = (request: ProviderRequest) => ProviderResult | Promise<ProviderResult>;

const loaded = new Map<string, Promise<ProviderFunction>>();

async function load(url: string): Promise<ProviderFunction> {
  const mod = (await import(url)) as { default?: unknown; provide?: unknown };
  const fn = typeof mod.default === 'function' ? mod.default : mod.provide;
  if (typeof fn !== 'function') throw fail('ENOENT');
  return fn as ProviderFunction;
}

function isReadable(s: unknown): s is Readable {
  return typeof (s as Readable | null)?.read === 'function' && typeof (s as Readable).on === 'function';
}

function isWritable(s: unknown): s is Writable {
  return typeof (s as Writable | null)?.write === 'function' && typeof (s as Writable).end === 'function';
}

export async function moduleProvider(url: string, req: OpenRequest): Promise<StreamResource> {
  let fn = loaded.get(url);
  if (fn === undefined) {
    fn = load(url);
    loaded.set(url, fn);
    fn.catch(() => loaded.delete(url));
  }
  const provide = await fn;
  const request: ProviderRequest = Object.freeze({
    key: req.key,
    provider: req.provider,
    args: Object.freeze([...req.args]),
    cred: Object.freeze({ uid: req.cred.uid, gid: req.cred.gid, groups: [...req.cred.groups] }),
    flags: req.flags,
  });
  let result: ProviderResult;
  try {
    result = await provide(request);
  } catch (e) {
    throw fail(errnoOf(e, isErrnoCode));
  }
  if (result instanceof Error) throw fail(errnoOf(result, isErrnoCode));
  const readable = isReadable(result) ? result : null;
  const writable = isWritable(result) ? result : null;
  if (readable === null && writable === null) throw fail('EIO');
  readable?.on('error', () => {});
  writable?.on('error', () => {});
  const stream = result as Readable & Writable;
  return {
    kind: 'stream',
    readable,
    writable,
    close() {
      if (writable !== null && !writable.writableEnded) writable.end(() => stream.destroy());
      else stream.destroy();
    },
    kill() {
      stream.destroy();
    },
  };
}
