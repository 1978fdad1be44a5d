/**
 * `file`: a host file, opened as the caller (pt_file.c).
 *
 *   fs/   file   fs/
 *
 * The host path is "/" + the key without its first strlen(argument)
 * characters (removed without checking that they match; the whole key when
 * there is no argument), taken under the configured host root as under a
 * chroot: `..` stops at the root, symbolic links are resolved inside it,
 * and the object finally opened is checked to be inside it.
 *
 * As the original: the file is opened read-write, created (mode 0666 minus
 * the file umask) if missing; when the caller may not write it, it is opened
 * read-only instead; the caller's open flags are not consulted. Unlike the
 * original, the credentials really are the caller's, supplementary groups
 * included (see as-caller.ts); only regular files (and directories, which
 * answer EISDIR) can be opened: host FIFOs and devices are EOPNOTSUPP.
 */

import * as nodeFs from 'node:fs';
import { join } from 'node:path';
import { constants, fail } from '../core.js';
import type { HostSettings, OpenRequest } from '../../protocol/messages.js';
import type { FileResource } from '../resource.js';
import { X_OK, checkIdentity, lstatOrNull, mayAccess, openAsCaller } from '../as-caller.js';

interface Resolved {
  /** Real host path of the target (it may not exist yet). */
  path: string;
  /** Its parent directory (real). */
  parent: string;
}

function rootOf(settings: HostSettings): string {
  return nodeFs.realpathSync(settings.fileRoot);
}

/** Walk `path` from `root` one component at a time, as the caller, never leaving the root. */
function resolveInRoot(root: string, path: string, req: OpenRequest): Resolved {
  const stack: string[] = [];
  const parts = path.split('/').filter((p) => p.length > 0);
  let links = 0;
  let dirSt = nodeFs.statSync(root);
  while (parts.length > 0) {
    const c = parts.shift()!;
    if (c === '.') continue;
    if (c === '..') {
      stack.pop();
      dirSt = nodeFs.statSync(join(root, ...stack));
      continue;
    }
    if (!mayAccess(req.cred, dirSt, X_OK)) throw fail('EACCES');
    const here = join(root, ...stack, c);
    const st = lstatOrNull(here);
    if (st === null) {
      if (parts.length === 0) return { path: here, parent: join(root, ...stack) };
      throw fail('ENOENT');
    }
    if (st.isSymbolicLink()) {
      if (++links > constants.SYMLOOP_MAX) throw fail('ELOOP');
      const target = nodeFs.readlinkSync(here);
      if (target.startsWith('/')) {
        stack.length = 0;
        dirSt = nodeFs.statSync(root);
      }
      parts.unshift(...target.split('/').filter((p) => p.length > 0));
      continue;
    }
    if (parts.length > 0 && !st.isDirectory()) throw fail('ENOTDIR');
    stack.push(c);
    if (st.isDirectory()) dirSt = st;
  }
  const final = join(root, ...stack);
  return { path: final, parent: stack.length > 0 ? join(root, ...stack.slice(0, -1)) : root };
}

/** The descriptor's object must be inside the root (a component swapped for a symlink meanwhile would show here). */
function checkInside(fd: number, root: string): void {
  if (root === '/') return;
  let real: string;
  try {
    real = nodeFs.readlinkSync(`/proc/self/fd/${fd}`);
  } catch {
    nodeFs.closeSync(fd);
    throw fail('EACCES');
  }
  if (real !== root && !real.startsWith(root + '/')) {
    nodeFs.closeSync(fd);
    throw fail('EACCES');
  }
}

export async function fileProvider(req: OpenRequest, settings: HostSettings): Promise<FileResource> {
  checkIdentity(settings, req.cred);
  const strip = req.args[0];
  const rest = strip === undefined ? req.key : req.key.slice(strip.length);
  const path = '/' + rest;
  if (Buffer.byteLength(path) >= constants.PATH_MAX) throw fail('ENAMETOOLONG');
  const root = rootOf(settings);
  const target = resolveInRoot(root, path, req);
  const { O_RDWR, O_RDONLY, O_CREAT } = nodeFs.constants;
  const mode = 0o666 & ~settings.fileUmask;
  let fd: number;
  let writable = true;
  try {
    fd = openAsCaller(target.path, target.parent, O_RDWR | O_CREAT, mode, req.cred);
  } catch (e) {
    if ((e as { code?: string }).code !== 'EACCES') throw e;
    // pt_file.c: "if we can't open it read/write, try read-only".
    fd = openAsCaller(target.path, target.parent, O_RDONLY, mode, req.cred);
    writable = false;
  }
  checkInside(fd, root);
  return { kind: 'file', fd, readable: true, writable };
}
