/**
 * The rules in force, and how they change (mount_portal's SIGHUP reload).
 *
 * reload() reads the config file again (or takes new text) and swaps the
 * rules whole. A file that cannot be read, or that is empty (0 bytes),
 * leaves them as they were (conf.c's readfp); a file of comments only
 * empties them. Matching happens at open, so open streams never notice.
 * Triggers: a call; SIGHUP (main thread only: signals reach no worker); a
 * change of the file (fs.watch on its directory, since editors replace a
 * file by renaming another over it; a burst of events is one reload).
 *
 * Shared mode: every thread has its own instance of the mount (a replica,
 * see PortalFs.shared). A reload in any of them posts the text now in force
 * on the mount's BroadcastChannel, with a generation; every instance keeps
 * the text with the highest (generation, origin) it has seen, so all of them
 * converge on the same rules, each as soon as its event loop turns. A new
 * instance says hello and the others answer with theirs. Only the instance
 * that was mounted (not a replica) listens for SIGHUP and watches the file,
 * so one change is one reload. The channel is unref'd: it never keeps a
 * process or thread alive.
 */

import { randomUUID } from 'node:crypto';
import { readFileSync, watch, type FSWatcher } from 'node:fs';
import { basename, dirname } from 'node:path';
import { BroadcastChannel, isMainThread } from 'node:worker_threads';
import { VfsError, type ErrnoCode } from '@actorvfs/core';
import { fail, isErrnoCode, toVfsError } from '@actorvfs/core/internal';
import { matchRule, parseConfig, type ParsedConfig, type Rule } from '../config/conf.js';
import { errnoOf } from '../protocol/errors.js';
import { PROTOCOL_VERSION, type RulesMessage } from '../protocol/messages.js';
import type { NormalizedPortalOptions } from './options.js';

/** What reload() did. */
export interface ReloadResult {
  /** The rules were replaced. */
  reloaded: boolean;
  /** Rules in force afterwards. */
  rules: number;
  /** Why they were kept: the file could not be read (its errno), it was empty ('ENODATA'), or a text config was given no text ('EINVAL'). */
  error?: ErrnoCode;
}

const CHANNEL_PREFIX = 'actorvfs-portal:';
/** Changes of the watched file closer together than this are one reload. */
const WATCH_SETTLE_MS = 25;

function isRulesMessage(m: unknown): m is RulesMessage {
  if (m === null || typeof m !== 'object') return false;
  const r = m as Record<string, unknown>;
  if (r['v'] !== PROTOCOL_VERSION) return false;
  if (r['t'] === 'hello') return true;
  return r['t'] === 'rules' && typeof r['gen'] === 'number' && typeof r['origin'] === 'string' && typeof r['text'] === 'string';
}

export class RuleSet {
  private config: ParsedConfig;
  /** The text the rules came from, its generation, and the instance that loaded it ('' unknown). */
  private text: string;
  private gen: number;
  private genOrigin = '';
  /** This instance, among those of the mount. */
  private readonly origin = randomUUID();
  private started = false;
  private channel: BroadcastChannel | null = null;
  private watcher: FSWatcher | null = null;
  private settle: ReturnType<typeof setTimeout> | null = null;
  private readonly onSighup = (): void => {
    this.reload();
  };

  constructor(private readonly options: NormalizedPortalOptions) {
    const c = options.config;
    let text: string;
    if (c.text !== undefined) text = c.text;
    else {
      const path = (c as { path: string }).path;
      try {
        text = readFileSync(path, 'utf8');
      } catch (e) {
        throw new VfsError(errnoOf(e, isErrnoCode), 'portal', path);
      }
    }
    this.text = text;
    this.gen = options.generation;
    this.config = parse(text, true);
  }

  get rules(): readonly Rule[] {
    return this.config.rules;
  }

  /** The text in force and its generation: what a replica starts from. */
  snapshot(): { text: string; generation: number } {
    return { text: this.text, generation: this.gen };
  }

  match(key: string): Rule | undefined {
    return matchRule(this.config.rules, key);
  }

  /** Read the file again (or take `source.text`) and swap the rules whole; see the header. */
  reload(source?: { text: string }): ReloadResult {
    let text: string;
    const c = this.options.config;
    if (source !== undefined) {
      if (source === null || typeof source !== 'object' || typeof source.text !== 'string') throw toVfsError(fail('EINVAL'), 'reload');
      text = source.text;
    } else if ('path' in c) {
      try {
        text = readFileSync(c.path, 'utf8');
      } catch (e) {
        return { reloaded: false, rules: this.config.rules.length, error: errnoOf(e, isErrnoCode) };
      }
    } else return { reloaded: false, rules: this.config.rules.length, error: 'EINVAL' };
    if (text.length === 0) return { reloaded: false, rules: this.config.rules.length, error: 'ENODATA' };
    this.apply(text, this.gen + 1, this.origin, true);
    this.post({ v: PROTOCOL_VERSION, t: 'rules', gen: this.gen, origin: this.origin, text });
    return { reloaded: true, rules: this.config.rules.length };
  }

  private apply(text: string, gen: number, origin: string, warn: boolean): void {
    this.config = parse(text, warn);
    this.text = text;
    this.gen = gen;
    this.genOrigin = origin;
  }

  private post(m: RulesMessage): void {
    this.channel?.postMessage(m);
  }

  private onChannel(m: unknown): void {
    if (!isRulesMessage(m)) return;
    if (m.t === 'hello') {
      if (this.gen > 0) this.post({ v: PROTOCOL_VERSION, t: 'rules', gen: this.gen, origin: this.genOrigin, text: this.text });
      return;
    }
    if (m.gen > this.gen || (m.gen === this.gen && m.origin > this.genOrigin)) this.apply(m.text, m.gen, m.origin, false);
  }

  /** Join the mount's channel; the original instance also starts SIGHUP and watching. Idempotent. */
  start(): void {
    if (this.started) return;
    this.started = true;
    const ch = new BroadcastChannel(CHANNEL_PREFIX + this.options.channel);
    ch.unref();
    ch.onmessage = (ev: unknown) => this.onChannel((ev as { data?: unknown }).data);
    this.channel = ch;
    this.post({ v: PROTOCOL_VERSION, t: 'hello' });
    if (this.options.replica) return;
    const r = this.options.reload;
    if (r.signal === 'SIGHUP' && isMainThread) process.on('SIGHUP', this.onSighup);
    const c = this.options.config;
    if (r.watch && 'path' in c) {
      try {
        this.watcher = watch(dirname(c.path), { persistent: false }, (_event, name) => {
          if (name !== basename(c.path) || this.settle !== null) return;
          this.settle = setTimeout(() => {
            this.settle = null;
            this.reload();
          }, WATCH_SETTLE_MS);
          this.settle.unref();
        });
        this.watcher.on('error', () => {});
      } catch {
        // A directory that cannot be watched: reload by call or signal still works.
        this.watcher = null;
      }
    }
  }

  /** Leave the channel, stop SIGHUP and watching. */
  stop(): void {
    if (!this.started) return;
    this.started = false;
    process.off('SIGHUP', this.onSighup);
    this.watcher?.close();
    this.watcher = null;
    if (this.settle !== null) clearTimeout(this.settle);
    this.settle = null;
    this.channel?.close();
    this.channel = null;
  }
}

function parse(text: string, warn: boolean): ParsedConfig {
  const parsed = parseConfig(text);
  if (warn) for (const w of parsed.warnings) process.emitWarning(w, 'PortalConfigWarning');
  return parsed;
}
