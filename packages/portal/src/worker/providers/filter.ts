/**
 * Command providers (pt_filter.c, and FreeBSD's pipe as a duplex):
 *
 *   echo/   rfilter  echo/  echo %s       the command's stdout is the stream (read)
 *   gzip/   wfilter  gzip/  gzip > %s     the command's stdin is the stream (write)
 *   cat/    pipe     cat/   cat           stdin and stdout: one duplex stream
 *
 * The argument after the provider is the strip key. rfilter and pipe remove
 * it from the key only if it is really a prefix; wfilter removes its length
 * without looking (as the original). The rest of the rule is the command;
 * the first %s is the stripped name (rfilter assumes a lone %s when the
 * command has no arguments; wfilter and pipe do not).
 *
 * No shell is involved (command.ts): the name is one literal argument or
 * file name. Commands run as the caller (uid and gid; Node drops the
 * supplementary groups), in the configured directory; a command that cannot
 * be started fails the open with its errno, one that starts and fails gives
 * a stream that ends at once (the original's EOF). Closing never waits for
 * the command: a wfilter command sees EOF on its stdin and finishes on its
 * own; an rfilter command gets EPIPE (SIGPIPE) if it writes on.
 */

import { spawn, type ChildProcess, type StdioOptions } from 'node:child_process';
import * as nodeFs from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { fail, isErrnoCode } from '../core.js';
import { errnoOf } from '../../protocol/errors.js';
import type { HostSettings, OpenRequest, WireCred } from '../../protocol/messages.js';
import { X_OK, canChown, checkIdentity, mayAccess, openAsCaller } from '../as-caller.js';
import { buildCommand, type Redirect, type Stage } from '../command.js';
import type { StreamResource } from '../resource.js';

export type FilterKind = 'rfilter' | 'wfilter' | 'pipe';

/** Child processes still running in this thread (diagnostics; killed on shutdown). */
export const liveChildren = new Set<ChildProcess>();

/** The name and command of a rule, as pt_filter.c derives them. */
export function filterCommand(kind: FilterKind, req: OpenRequest): { name: string; command: string[] } {
  const strip = req.args[0];
  const command = req.args.slice(1);
  if (strip === undefined || command.length === 0 || command[0] === '') throw fail('EINVAL');
  let name: string;
  if (kind === 'wfilter') name = req.key.slice(strip.length);
  else name = req.key.startsWith(strip) ? req.key.slice(strip.length) : req.key;
  if (kind === 'rfilter' && (command.length === 1 || command[1] === '')) command.splice(1, command.length - 1, '%s');
  return { name, command };
}

/** Search permission on every directory from / down to `dir`, as the caller. */
function checkSearch(dir: string, cred: WireCred): void {
  let d = '/';
  for (const part of dir.split('/').filter((p) => p.length > 0)) {
    if (!mayAccess(cred, nodeFs.statSync(d), X_OK)) throw fail('EACCES');
    d = join(d, part);
  }
  if (!mayAccess(cred, nodeFs.statSync(d), X_OK)) throw fail('EACCES');
}

/** Open a redirection's file as the shell would have, run as the caller. */
function openRedirect(r: Redirect, flags: number, cwd: string, cred: WireCred, umask: number): number {
  const abs = resolve(cwd, r.path);
  let real: string;
  try {
    real = nodeFs.realpathSync(abs);
  } catch (e) {
    if ((e as { code?: string }).code !== 'ENOENT') throw e;
    real = join(nodeFs.realpathSync(dirname(abs)), basename(abs));
  }
  checkSearch(dirname(real), cred);
  return openAsCaller(real, dirname(real), flags, 0o666 & ~umask, cred);
}

function waitSpawn(child: ChildProcess): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    child.once('spawn', () => {
      child.off('error', reject);
      resolvePromise();
    });
    child.once('error', reject);
  });
}

const emptyOutput = (): Readable => Readable.from([]);

function brokenInput(): Writable {
  return new Writable({
    write(_chunk, _enc, cb) {
      cb(Object.assign(new Error('EPIPE'), { code: 'EPIPE' }));
    },
  });
}

export async function filterProvider(kind: FilterKind, req: OpenRequest, settings: HostSettings): Promise<StreamResource> {
  checkIdentity(settings, req.cred);
  const { name, command } = filterCommand(kind, req);
  const stages = buildCommand(command, name);
  const { O_RDONLY, O_WRONLY, O_CREAT, O_TRUNC, O_APPEND } = nodeFs.constants;
  const cwd = settings.filterCwd;
  const fds: number[] = [];
  const children: ChildProcess[] = [];
  const asCaller = canChown() && (req.cred.uid !== 0 || req.cred.gid !== 0) ? { uid: req.cred.uid, gid: req.cred.gid } : {};
  try {
    const open = (r: Redirect, flags: number): number => {
      const fd = openRedirect(r, flags, cwd, req.cred, settings.fileUmask);
      fds.push(fd);
      return fd;
    };
    const outFlags = (r: Redirect): number => O_WRONLY | O_CREAT | (r.append ? O_APPEND : O_TRUNC);
    let prev: ChildProcess | null = null;
    stages.forEach((stage: Stage, i) => {
      const last = i === stages.length - 1;
      const stdin = stage.stdin !== null ? open(stage.stdin, O_RDONLY) : i > 0 ? prev!.stdout! : kind === 'rfilter' ? 'ignore' : 'pipe';
      const stdout = stage.stdout !== null ? open(stage.stdout, outFlags(stage.stdout)) : !last ? 'pipe' : kind === 'wfilter' ? settings.filterOutput : 'pipe';
      const stderr = stage.stderr === 'stdout' ? (stdout === 'pipe' ? null : stdout) : stage.stderr !== null ? open(stage.stderr, outFlags(stage.stderr)) : settings.filterOutput;
      if (stderr === null) throw fail('EINVAL'); // 2>&1 into the stream itself: not supported
      const stdio: StdioOptions = [stdin, stdout, stderr];
      const child = spawn(stage.argv[0]!, stage.argv.slice(1), { stdio, cwd, env: process.env, ...asCaller });
      children.push(child);
      prev = child;
    });
    await Promise.all(children.map(waitSpawn));
  } catch (e) {
    for (const c of children) {
      c.on('error', () => {});
      c.kill('SIGKILL');
    }
    throw fail(errnoOf(e, isErrnoCode));
  } finally {
    for (const fd of fds) nodeFs.closeSync(fd);
  }
  for (const c of children) {
    liveChildren.add(c);
    c.on('error', () => {});
    c.once('exit', () => liveChildren.delete(c));
  }
  const first = children[0]!;
  const lastChild = children[children.length - 1]!;
  // Between stages the pipes belong to the children now.
  for (let i = 0; i < children.length - 1; i++) children[i]!.stdout?.destroy();
  const readable = kind === 'wfilter' ? null : (lastChild.stdout ?? emptyOutput());
  const writable = kind === 'rfilter' ? null : (first.stdin ?? brokenInput());
  readable?.on('error', () => {});
  writable?.on('error', () => {});
  return {
    kind: 'stream',
    readable,
    writable,
    close() {
      if (writable !== null && !writable.writableEnded) writable.end();
      readable?.destroy();
    },
    kill() {
      for (const c of children) c.kill('SIGKILL');
    },
  };
}
