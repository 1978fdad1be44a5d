/**
 * Making a context ("process"): credentials, umask, and a root and working
 * directory, resolved as root from the kernel's root. Shared by createVfs()
 * and the shared mode's clients.
 */

import { fail, toVfsError } from '../errno.js';
import { VType, type Vnode } from '../vnode/vnode.js';
import type { Kernel } from './kernel.js';
import { Lookup, Nameidata, nameiOp } from './namei.js';
import { Proc } from './proc.js';
import type { Cred } from './sys.js';
import { runSync } from './wait.js';

export interface ContextOptions {
  uid: number;
  gid: number;
  /** Supplementary groups. Default: [gid]. */
  groups?: readonly number[];
  /** Default 0o022. */
  umask?: number;
  /** The context's root directory: it can never see above it. Default '/'. */
  root?: string;
  /** Working directory, inside root. Default: the root. */
  cwd?: string;
}

export function checkCred(o: ContextOptions): Cred {
  const id = (v: unknown, name: string): number => {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 0xffffffff) {
      throw new TypeError(`context: ${name} must be an integer between 0 and 4294967295`);
    }
    return v;
  };
  const uid = id(o.uid, 'uid');
  const gid = id(o.gid, 'gid');
  const groups = (o.groups ?? [gid]).map((g, i) => id(g, `groups[${i}]`));
  return { uid, gid, groups };
}

/** A context with `root` and `cwd` set. Errors are Node-shaped ('chroot' / 'chdir'). */
export function newContext(kernel: Kernel, options: ContextOptions): Proc {
  const cred = checkCred(options);
  const umask = options.umask ?? 0o022;
  let root = kernel.rootMount.root;
  if (options.root !== undefined) root = lookupDir(kernel, options.root, 'chroot');
  else kernel.vref(root);
  for (const vp of [root, root]) kernel.hold(vp);
  kernel.vref(root);
  const proc = new Proc(kernel, { cred, umask, root, cwd: root });
  if (options.cwd !== undefined) {
    try {
      runSync(proc.chdir(options.cwd));
    } catch (e) {
      throw toVfsError(e, 'chdir', options.cwd);
    }
  }
  return proc;
}

/** Resolve a directory as root from the kernel's root. => returns it referenced. */
export function lookupDir(kernel: Kernel, path: string, syscall: string): Vnode {
  const vp = lookupNode(kernel, path, syscall);
  if (vp.type !== VType.Dir) {
    kernel.vrele(vp);
    throw toVfsError(fail('ENOTDIR'), syscall, path);
  }
  return vp;
}

/**
 * Resolve `path` as root to a node of any type (mount and unmount: the mount
 * table decides what may be covered). => returns it referenced.
 */
export function lookupNode(kernel: Kernel, path: string, syscall: string): Vnode {
  const root = kernel.rootMount.root;
  const ctx = { root, cwd: root, cred: { uid: 0, gid: 0, groups: [0] }, mounts: kernel.mounts };
  const nd = new Nameidata();
  try {
    runSync(nameiOp(ctx, path, Lookup.Follow, nd));
  } catch (e) {
    throw toVfsError(e, syscall, path);
  }
  const vp = nd.vp!;
  try {
    kernel.vrefCurrent(vp);
  } catch (e) {
    throw toVfsError(e, syscall, path);
  }
  return vp;
}
