/**
 * Dispatch of vnode operations, derived from VOP_TABLE.
 *
 * `vop(name, vp)` returns the implementation from vp's op vector, or the
 * table's default: EOPNOTSUPP for most ops, success for the ones a file
 * system may ignore (open, close, fsync, inactive; poll answers "ready"), as
 * NetBSD's genfs does.
 *
 * Mutating ops are reached through `vopMutate`, a generator: in embedded
 * mode it calls the file system directly; when the mount is served by an
 * actor in another thread, it sends the request and waits for the answer.
 *
 * With AVFS_DEBUG=1 in the environment, every dispatched read op checks the
 * lock contract of its first vnode against the table (a cheap per-thread
 * record of held locks kept by `noteLock`).
 */

import { POLLIN, POLLOUT } from '../constants.js';
import { fail } from '../errno.js';
import type { Op } from '../vfs/wait.js';
import { VOP_NAMES, VOP_TABLE, type VopName } from './vop-table.js';
import type { FileRef, Vnode, VopVector } from './vnode.js';

export type Vop<K extends VopName> = NonNullable<VopVector[K]>;

type MutateName = {
  [K in VopName]: (typeof VOP_TABLE)[K]['kind'] extends 'mutate' ? K : never;
}[VopName];

export type MutateResult<K extends MutateName> = ReturnType<Vop<K>>;

/** Sends a mutating op to the actor that serves a mount (shared mode). */
export interface ActorLink {
  call<K extends MutateName>(name: K, args: Parameters<Vop<K>>): Op<MutateResult<K>>;
  /** Send without waiting for the answer (inactive after a last vrele). */
  post<K extends MutateName>(name: K, args: Parameters<Vop<K>>): void;
}

function* nullIo(): Op<void> {
  // A file system with nothing to do here.
}

/** genfs_poll: a node that never blocks is ready for whatever it was asked. */
function* alwaysReady(_vp: Vnode, _file: FileRef, events: number): Op<number> {
  return events & (POLLIN | POLLOUT);
}

function unsupported(): never {
  throw fail('EOPNOTSUPP');
}

const DEFAULTS: { [K in VopName]: Vop<K> } = {
  lookup: unsupported,
  access: unsupported,
  getattr: unsupported,
  readlink: () => {
    throw fail('EINVAL');
  },
  readdir: () => {
    throw fail('ENOTDIR');
  },
  pathconf: unsupported,
  seekhole: unsupported,
  open: nullIo,
  close: nullIo,
  read: unsupported,
  write: unsupported,
  fsync: nullIo,
  advlock: unsupported,
  poll: alwaysReady,
  create: unsupported,
  mkdir: unsupported,
  symlink: unsupported,
  link: unsupported,
  remove: unsupported,
  rmdir: unsupported,
  rename: unsupported,
  setattr: unsupported,
  whiteout: unsupported,
  inactive: () => {},
};

const debug = typeof process !== 'undefined' && process.env['AVFS_DEBUG'] === '1';
const held = new Map<Vnode, 'S' | 'E'>();

/** Record a lock change (debug builds only; a no-op otherwise). */
export function noteLock(vp: Vnode, state: 'S' | 'E' | 'U'): void {
  if (!debug) return;
  if (state === 'U') held.delete(vp);
  else held.set(vp, state);
}

function checkContract(name: VopName, vp: Vnode): void {
  const spec = VOP_TABLE[name];
  const first = spec.args[0]!;
  const want = (spec.locks as Record<string, readonly string[]>)[first]?.[0];
  if (want === undefined || want === '-') return;
  const have = held.get(vp) ?? 'U';
  if (have === 'U' && 'optimistic' in spec && spec.optimistic === true) return;
  if (want !== have && !(want === 'S' && have === 'E')) throw new Error(`VOP_${name.toUpperCase()}: ${first} must be ${want} on entry, is ${have}`);
}

/**
 * A complete op vector: every op present (the table's default where the file
 * system has none), all vectors with the same shape, so `vp.ops.lookup(...)`
 * is a monomorphic property access at every call site. In debug builds each
 * op is wrapped to check its lock contract.
 */
export function completeVector(partial: VopVector): Required<VopVector> {
  const out = {} as Record<VopName, unknown>;
  for (const name of VOP_NAMES) {
    const fn = (partial[name] ?? DEFAULTS[name]) as (...a: unknown[]) => unknown;
    out[name] = debug
      ? function checked(this: unknown, ...args: unknown[]) {
          checkContract(name, args[0] as Vnode);
          return fn.apply(this, args);
        }
      : fn;
  }
  return out as Required<VopVector>;
}

/** Does the vector do anything for `name`, or is it the table's do-nothing default? */
export function isDefault(vector: VopVector, name: 'open' | 'close' | 'fsync' | 'inactive'): boolean {
  return vector[name] === DEFAULTS[name];
}

export function vop<K extends VopName>(name: K, vp: Vnode): Vop<K> {
  return vp.ops[name] as Vop<K>;
}

/** Run a mutating op where it belongs: here (embedded) or on the mount's actor. */
export function* vopMutate<K extends MutateName>(name: K, ...args: Parameters<Vop<K>>): Op<MutateResult<K>> {
  const vp = args[0] as Vnode;
  const actor = (vp.mount as { actor?: ActorLink | null }).actor;
  if (actor !== undefined && actor !== null) return yield* actor.call(name, args);
  const fn = vop(name, vp) as (...a: Parameters<Vop<K>>) => MutateResult<K>;
  return fn(...args);
}
