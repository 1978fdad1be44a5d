/**
 * Which operations travel to an actor, their wire codes, and how their
 * arguments and answers are encoded. Argument kinds come from the argument
 * names in the vnode op table (VOP_TABLE), so a new op needs no new codec
 * code unless it moves data (read, write) or fills an out-parameter
 * (getattr, readdir).
 */

import { VOP_TABLE, type VopName } from '@actorvfs/core/internal';
import { Tag } from './codec.js';

/** Vnode ops that can be sent, then the actor's own admin requests. */
export const WIRE_OPS = [
  // mutations (every actor)
  'create',
  'mkdir',
  'symlink',
  'link',
  'remove',
  'rmdir',
  'rename',
  'setattr',
  'whiteout',
  'inactive',
  // the read path and I/O (actors of remote file systems)
  'lookup',
  'access',
  'getattr',
  'readlink',
  'readdir',
  'pathconf',
  'seekhole',
  'open',
  'close',
  'read',
  'write',
  'fsync',
  'advlock',
  'poll',
  // composite and admin
  'lookupChecked',
  'statfs',
  'ping',
] as const;

export type WireOp = (typeof WIRE_OPS)[number];
export type WireVop = Exclude<WireOp, 'ping' | 'statfs' | 'lookupChecked'>;

export const OP_CODE = Object.fromEntries(WIRE_OPS.map((n, i) => [n, i + 1])) as Record<WireOp, number>;

export function opName(code: number): WireOp | undefined {
  return WIRE_OPS[code - 1];
}

export type ArgKind = 'vnode' | 'string' | 'number' | 'attr' | 'cred' | 'file' | 'lock' | 'bytes' | 'skip';

const KIND_OF_ARG: Record<string, ArgKind> = {
  dvp: 'vnode',
  vp: 'vnode',
  fdvp: 'vnode',
  tdvp: 'vnode',
  name: 'string',
  fname: 'string',
  tname: 'string',
  target: 'string',
  nameLen: 'number',
  fnameLen: 'number',
  tnameLen: 'number',
  mode: 'number',
  pos: 'number',
  max: 'number',
  whence: 'number',
  owner: 'number',
  events: 'number',
  timeoutMs: 'number',
  op: 'number',
  flags: 'number',
  attr: 'attr',
  cred: 'cred',
  file: 'file',
  lock: 'lock',
  // read/write: the buffer travels as bytes (write) or comes back (read); off is local.
  buf: 'bytes',
  off: 'skip',
  len: 'number',
  // out-parameters come back in the answer
  out: 'skip',
};

/** Argument kinds of a vnode op on the wire, in order. */
export function wireArgs(name: WireVop): ArgKind[] {
  const args = VOP_TABLE[name as VopName].args as readonly string[];
  return args.map((a) => {
    const kind = KIND_OF_ARG[a];
    if (kind === undefined) throw new Error(`protocol: no wire kind for argument ${a} of ${name}`);
    // read sends no buffer, only its length; write sends its bytes and no length.
    if (name === 'read' && a === 'buf') return 'skip';
    if (name === 'write' && a === 'len') return 'skip';
    return kind;
  });
}

export const ANSWER_TAG: Partial<Record<WireOp, Tag>> = {
  create: Tag.Vnode,
  lookup: Tag.Vnode,
  lookupChecked: Tag.Vnode,
  getattr: Tag.Stat,
  readlink: Tag.String,
  readdir: Tag.Entries,
  read: Tag.Bytes,
};
