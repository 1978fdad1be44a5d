/**
 * hostfs readdir: the host directory's entries in hash order of their names,
 * with positions that stay valid while the directory changes.
 *
 * => vp locked shared on entry and return (the host needs no lock; the VFS
 *    takes it, and a validation of the directory's place made under it
 *    serves the whole call).
 */

import { DIR_EOF } from '../store/dirtab.js';
import type { DirEntry } from '../vfs/sys.js';
import type { Vnode } from '../vnode/vnode.js';
import { at, host, hostError, lstat, nodeFs, pinned, type HostStat } from './host.js';
import type { HostFs } from './hostfs.js';
import { dirFd } from './resolve.js';

/** FNV-1a over the name's bytes: a readdir position is hash * 2^16 + rank among equal hashes. */
function nameHash(bytes: Uint8Array): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < bytes.length; i++) h = Math.imul(h ^ bytes[i]!, 0x01000193);
  return h >>> 0;
}

interface Candidate {
  hash: number;
  name: string;
}

/**
 * Entries in hash order from position `pos` (as tmpfs does): a position is
 * the key of the first entry not yet returned, so positions stay valid
 * while the directory changes, and an entry present for a whole scan is
 * returned exactly once (barring 32-bit hash collisions, whose relative
 * rank can shift). Names that are not valid UTF-8 cannot be named through
 * the VFS and are left out.
 */
export function readdir(vp: Vnode, pos: number, max: number, out: DirEntry[]): number {
  const fs = vp.mount.fs as HostFs;
  const dir = fs.nodeOf(vp);
  const d = dirFd(fs, dir);
  const raw = host(() => nodeFs.readdirSync(pinned(d), { encoding: 'buffer' }));
  const all: Candidate[] = [];
  for (const bytes of raw) {
    const name = bytes.toString('utf8');
    if (Buffer.byteLength(name) !== bytes.length || !Buffer.from(name).equals(bytes)) continue;
    all.push({ hash: nameHash(bytes), name });
  }
  all.sort((a, b) => a.hash - b.hash || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  let n = 0;
  let prev = -1;
  let rank = 0;
  for (const c of all) {
    rank = c.hash === prev ? rank + 1 : 0;
    prev = c.hash;
    const key = c.hash * 65536 + rank;
    if (key < pos) continue;
    if (n === max) return key;
    let st: HostStat;
    try {
      st = lstat(at(d, c.name));
    } catch (e) {
      if ((e as { code?: string }).code === 'ENOENT') continue; // gone meanwhile
      throw hostError(e);
    }
    if (!fs.subtree && st.isDirectory()) continue;
    const node = fs.nodes.register(st, dir, c.name);
    out.push({ name: c.name, type: node.type, ino: node.ino });
    n++;
  }
  return DIR_EOF;
}
