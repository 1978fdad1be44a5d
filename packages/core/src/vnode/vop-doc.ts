/**
 * docs/vnode-ops.md, rendered from VOP_TABLE, so the document cannot drift
 * from the table the code dispatches on (a test compares them).
 */

import { VOP_NAMES, VOP_TABLE, type VopSpec } from './vop-table.js';

const KIND_TEXT: Record<VopSpec['kind'], string> = {
  read: 'read: plain call in the caller\'s thread, under the caller\'s lock',
  io: 'io: generator in the caller\'s thread (may wait); takes its own locks',
  mutate: 'mutate: runs on the mount\'s actor (the caller, in embedded mode); takes its own locks',
};

export function renderVopDoc(): string {
  const lines: string[] = [];
  lines.push('# Vnode operations');
  lines.push('');
  lines.push('<!-- Generated from packages/core/src/vnode/vop-table.ts by `npm run docs:vops`. Do not edit by hand. -->');
  lines.push('');
  lines.push('Every operation a file system can implement, with its arguments, the lock state of each');
  lines.push('vnode argument on entry / on success / on error, what it returns and who owns references.');
  lines.push('`S` shared, `E` exclusive, `U` unlocked. An op a file system leaves out answers EOPNOTSUPP,');
  lines.push('except `open`, `close`, `fsync` and `inactive`, which default to doing nothing, and');
  lines.push('`readlink` (EINVAL), `readdir` (ENOTDIR) and `poll` (ready for reading and writing at once).');
  lines.push('');
  lines.push('Kinds:');
  for (const k of ['read', 'io', 'mutate'] as const) lines.push(`- ${KIND_TEXT[k]}`);
  lines.push('');
  lines.push('Ops marked *optimistic* may also run without the lock inside an optimistic read: the caller');
  lines.push('takes the node\'s lock sequence (`readBegin`), calls the op, and keeps the answer only if the');
  lines.push('sequence is unchanged and still even (`readValid`); such a call must tolerate torn state (it may');
  lines.push('return nonsense or throw, never write, wait or loop forever). This is how lookups and stat run');
  lines.push('without writing shared memory.');
  lines.push('');
  lines.push('| op | kind | arguments | locks (entry / success / error) | returns | v |');
  lines.push('|---|---|---|---|---|---|');
  for (const name of VOP_NAMES) {
    const spec: VopSpec = VOP_TABLE[name];
    const locks = Object.entries(spec.locks)
      .map(([arg, [a, b, c]]) => `${arg}: ${a} / ${b} / ${c}`)
      .join('; ');
    const kind = spec.optimistic === true ? `${spec.kind}, optimistic` : spec.kind;
    lines.push(`| \`${name}\` | ${kind} | ${spec.args.join(', ')} | ${locks} | ${spec.returns} | ${spec.version} |`);
  }
  lines.push('');
  lines.push('## What each op does');
  lines.push('');
  for (const name of VOP_NAMES) lines.push(`- **${name}**: ${VOP_TABLE[name].summary}`);
  lines.push('');
  return lines.join('\n');
}
