/**
 * portalFs options: checked and normalised once.
 *
 * The normalised form (`portal.options`) is a frozen, plain JSON value (the
 * config as its absolute path and/or its text, JS-module providers as URLs,
 * numbers, flags), so that `portalFs(portal.options)` in another thread
 * builds the same file system; `portal.shared` hands such a value to every
 * thread of a SharedVfs (see portal-fs.ts).
 */

import { randomUUID } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { isAbsolute } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export interface PortalFsOptions {
  /**
   * The configuration: the absolute path of a config file (a string without
   * a newline, or a file: URL; a relative path is refused, as mount_portal
   * refuses one), or its text (a string with a newline, or `{ text }`).
   * `{ path, text }`: the file, with the text it holds already read (reload
   * reads the file again).
   */
  config: string | URL | { path: string | URL; text?: string } | { text: string };
  /** Providers written as JS modules, by the name rules use: an absolute module path or a URL. */
  providers?: Record<string, string | URL>;
  /** Deadline of an open, in ms: a provider that has not answered by then is killed (ETIMEDOUT). Default 10 000. */
  timeoutMs?: number;
  pool?: {
    /** Provider workers started with the pool (a synchronous open needs one free; see docs/portal.md). Default 2. */
    minThreads?: number;
    /** Most provider workers, hence most streams open at once. Default max(8, 2 x CPUs). */
    maxThreads?: number;
    /** A host idle this long (ms) is retired, so the pool lets the process exit. Default 100. */
    idleMs?: number;
    /** Most asynchronous opens waiting for a free worker; past it, EAGAIN. Default 256. */
    maxWaiting?: number;
  };
  /** `file` provider: the host directory paths are confined under (default '/'), and the umask of files it creates (default 0o022). */
  file?: { root?: string; umask?: number };
  /**
   * Who the providers act as (mount_portal's own uid and gid). uid 0 (the
   * default when this process is root): act as each caller. Any other uid:
   * callers that are not exactly this uid and gid get EPERM from `file` and
   * the filters (pt_file.c's non-root rule). Default: this process's ids.
   */
  identity?: { uid: number; gid: number };
  /** `tcp` provider: where service names are looked up. Default /etc/services. */
  tcp?: { servicesFile?: string };
  /**
   * Filters: stderr (and a wfilter's stdout) when not redirected, 'inherit'
   * (default) or 'ignore'; the commands' working directory (default '/', as
   * mount_portal's documentation says: relative names in commands are from /).
   */
  filter?: { output?: 'inherit' | 'ignore'; cwd?: string };
  /** Reload the config on SIGHUP (the main thread only) and/or when the config file changes. Default: neither. */
  reload?: { signal?: 'SIGHUP' | null; watch?: boolean };
  /** Log every operation (name and node) before it runs: true for stderr, or a function of the line. */
  trace?: boolean | ((line: string) => void);
  /** Credit window of a stream, each way, in bytes. Default 256 KiB. */
  window?: number;
  /**
   * Name of the BroadcastChannel on which the instances of one mount (one per
   * thread, in shared mode) pass reloaded rules to each other. Default: a new
   * random id, so every portalFs() is a mount of its own.
   */
  channel?: string;
  /**
   * This instance is a replica of a mount made in another thread (what
   * `portal.shared` asks for): it follows the rules the others reload, and
   * leaves SIGHUP and watching the file to the instance that was mounted.
   */
  replica?: boolean;
  /** The reload generation of `config` (replicas start where their original was). Default 0. */
  generation?: number;
}

export interface NormalizedPortalOptions {
  readonly config: { readonly path: string; readonly text?: string } | { readonly text: string };
  readonly providers: Readonly<Record<string, string>>;
  readonly timeoutMs: number;
  readonly pool: { readonly minThreads: number; readonly maxThreads: number; readonly idleMs: number; readonly maxWaiting: number };
  readonly file: { readonly root: string; readonly umask: number };
  readonly identity: { readonly uid: number; readonly gid: number };
  readonly tcp: { readonly servicesFile: string };
  readonly filter: { readonly output: 'inherit' | 'ignore'; readonly cwd: string };
  readonly reload: { readonly signal: 'SIGHUP' | null; readonly watch: boolean };
  readonly trace: boolean;
  readonly window: number;
  readonly channel: string;
  readonly replica: boolean;
  readonly generation: number;
}

export function invalid(what: string): TypeError {
  const e = new TypeError(`portalFs: ${what}`);
  (e as { code?: string }).code = 'ERR_INVALID_ARG_VALUE';
  return e;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object';
}

function int(v: unknown, name: string, min: number, max: number, dflt: number): number {
  if (v === undefined) return dflt;
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min || v > max) throw invalid(`${name} must be an integer in [${min}, ${max}]`);
  return v;
}

function absolutePath(v: unknown, name: string): string {
  const p = v instanceof URL ? (v.protocol === 'file:' ? fileURLToPath(v) : '') : v;
  if (typeof p !== 'string' || p.length === 0 || p.includes('\0')) throw invalid(`${name} must be an absolute path`);
  if (!isAbsolute(p)) throw invalid(name === 'config' ? 'need absolute path for config' : `${name} must be an absolute path`);
  return p;
}

function normalizeConfig(c: unknown): NormalizedPortalOptions['config'] {
  if (typeof c === 'string') return c.includes('\n') ? { text: c } : { path: absolutePath(c, 'config') };
  if (c instanceof URL) return { path: absolutePath(c, 'config') };
  if (isObject(c)) {
    if (typeof c['text'] === 'string' && c['path'] === undefined) return { text: c['text'] };
    if (c['path'] !== undefined) {
      const path = absolutePath(c['path'], 'config.path');
      if (c['text'] === undefined) return { path };
      if (typeof c['text'] !== 'string') throw invalid('config.text must be a string');
      return { path, text: c['text'] };
    }
  }
  throw invalid('config must be an absolute path, a file: URL, { path } or { text }');
}

function normalizeProviders(p: unknown): Record<string, string> {
  if (p === undefined) return {};
  if (!isObject(p)) throw invalid('providers must be an object of name -> module');
  const out: Record<string, string> = {};
  for (const [name, m] of Object.entries(p)) {
    if (name.length === 0 || /[\s#]/.test(name)) throw invalid(`provider name ${JSON.stringify(name)} cannot appear in a config`);
    if (m instanceof URL) out[name] = m.href;
    else if (typeof m === 'string' && /^[a-z][a-z0-9+.-]*:/i.test(m) && !isAbsolute(m)) out[name] = new URL(m).href;
    else if (typeof m === 'string' && isAbsolute(m)) out[name] = pathToFileURL(m).href;
    else throw invalid(`providers.${name} must be an absolute module path or a URL`);
  }
  return out;
}

function section(o: Record<string, unknown>, name: string): Record<string, unknown> {
  const s = o[name];
  if (s === undefined) return {};
  if (!isObject(s)) throw invalid(`${name} must be an object`);
  return s;
}

/** Check `options` and fill in the defaults. */
export function normalizeOptions(options: PortalFsOptions): NormalizedPortalOptions {
  if (!isObject(options)) throw invalid('options must be an object');
  const o = options as unknown as Record<string, unknown>;
  const pool = section(o, 'pool');
  const file = section(o, 'file');
  const tcp = section(o, 'tcp');
  const filter = section(o, 'filter');
  const reload = section(o, 'reload');
  const maxThreads = int(pool['maxThreads'], 'pool.maxThreads', 1, 1024, Math.max(8, 2 * availableParallelism()));
  const minThreads = int(pool['minThreads'], 'pool.minThreads', 0, maxThreads, Math.min(2, maxThreads));
  let identity = { uid: process.getuid?.() ?? 0, gid: process.getgid?.() ?? 0 };
  if (o['identity'] !== undefined) {
    const id = section(o, 'identity');
    identity = { uid: int(id['uid'], 'identity.uid', 0, 0xffffffff, -1), gid: int(id['gid'], 'identity.gid', 0, 0xffffffff, -1) };
    if (identity.uid < 0 || identity.gid < 0) throw invalid('identity needs uid and gid');
  }
  const output = filter['output'] ?? 'inherit';
  if (output !== 'inherit' && output !== 'ignore') throw invalid("filter.output must be 'inherit' or 'ignore'");
  const signal = reload['signal'] ?? null;
  if (signal !== null && signal !== 'SIGHUP') throw invalid("reload.signal must be 'SIGHUP' or null");
  const watch = reload['watch'] ?? false;
  if (typeof watch !== 'boolean') throw invalid('reload.watch must be a boolean');
  const trace = o['trace'] ?? false;
  if (typeof trace !== 'boolean' && typeof trace !== 'function') throw invalid('trace must be a boolean or a function');
  const config = normalizeConfig(o['config']);
  if (watch && !('path' in config)) throw invalid('reload.watch needs a config file');
  const channel = o['channel'] ?? randomUUID();
  if (typeof channel !== 'string' || channel.length === 0) throw invalid('channel must be a non-empty string');
  const replica = o['replica'] ?? false;
  if (typeof replica !== 'boolean') throw invalid('replica must be a boolean');
  return Object.freeze({
    config: Object.freeze(config),
    providers: Object.freeze(normalizeProviders(o['providers'])),
    timeoutMs: int(o['timeoutMs'], 'timeoutMs', 1, 2 ** 31 - 1, 10_000),
    pool: Object.freeze({ minThreads, maxThreads, idleMs: int(pool['idleMs'], 'pool.idleMs', 0, 2 ** 31 - 1, 100), maxWaiting: int(pool['maxWaiting'], 'pool.maxWaiting', 0, 1 << 20, 256) }),
    file: Object.freeze({ root: file['root'] === undefined ? '/' : absolutePath(file['root'], 'file.root'), umask: int(file['umask'], 'file.umask', 0, 0o777, 0o022) }),
    identity: Object.freeze(identity),
    tcp: Object.freeze({ servicesFile: tcp['servicesFile'] === undefined ? '/etc/services' : absolutePath(tcp['servicesFile'], 'tcp.servicesFile') }),
    filter: Object.freeze({ output, cwd: filter['cwd'] === undefined ? '/' : absolutePath(filter['cwd'], 'filter.cwd') }),
    reload: Object.freeze({ signal, watch }),
    trace: trace !== false,
    window: int(o['window'], 'window', 1024, 1 << 30, 256 * 1024),
    channel,
    replica,
    generation: int(o['generation'], 'generation', 0, Number.MAX_SAFE_INTEGER, 0),
  });
}
