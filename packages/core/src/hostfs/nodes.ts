/**
 * hostfs node table: host objects as small node numbers.
 *
 * A host object is known by its identity (st_dev, st_ino, and st_birthtime
 * where the host file system records one, plus its type). Each identity gets
 * a small node number the first time a lookup (or readdir, or create) meets
 * it, and keeps it for as long as the object lives: lookups of any of its
 * names, hard links included, give the same number. Numbers are reused after
 * their node is freed, with a fresh generation, so an old handle (number +
 * generation) is recognisably stale (isCurrent false, ENOENT on lock).
 *
 * Each node remembers where it was last seen: its parent directory node and
 * its name there. That is how later operations find the object again on the
 * host (resolve.ts walks these names from the root and checks every step's
 * identity). A host-side rename leaves the record stale until the next lookup
 * sees the object at its new place; meanwhile operations on the old handle
 * fail with ENOENT, as on NFS after a rename on the server.
 *
 * A node is freed when it is unreferenced and detached: its last link went
 * through this mount, or a lookup found its identity reused by another
 * object (the host recycled the inode). Nodes of objects deleted behind the
 * mount's back stay in the table (a small record per host object seen).
 *
 * Everything here is per instance (shared mode rebuilds a HostFs per actor).
 */

import { VType } from '../vnode/vnode.js';
import { vtypeOf, type HostStat } from './host.js';

/** Parent chains longer than this are corrupt (or cyclic): treated as stale. */
export const MAX_DEPTH = 2048;

export class HostNode {
  /** References (open files, working directories, the mount's hold on the root). */
  refs = 0;
  /** No longer found by identity: its last link went, or the host reused its identity. */
  detached = false;
  /** Host descriptors of this node's open files (for fstat once its name is gone). */
  readonly fds: number[] = [];
  /** A directory's cached O_PATH descriptor (resolve.ts), or -1. */
  dirFd = -1;
  /** VFS locks held on the node; while > 0, a validation of dirFd stays good (resolve.ts rule 5). */
  holds = 0;
  /** dirFd was validated during the current lock hold. */
  validWhileHeld = false;

  constructor(
    readonly ino: number,
    readonly gen: number,
    readonly type: VType,
    readonly dev: bigint,
    readonly hino: bigint,
    /** Birth time in ns, or 0 when the host file system does not record it. */
    readonly btime: bigint,
    /** Where it was last seen: parent directory (null for the mapped root) and name. */
    public parent: HostNode | null,
    public name: string,
  ) {}

  get key(): string {
    return `${this.dev}:${this.hino}`;
  }
}

/** Is `st` the object `node` stands for? */
export function sameObject(node: HostNode, st: HostStat): boolean {
  if (st.ino !== node.hino || st.dev !== node.dev) return false;
  if (node.btime !== 0n && st.birthtimeNs !== 0n && st.birthtimeNs !== node.btime) return false;
  return vtypeOf(st) === node.type;
}

export class NodeTable {
  private readonly byIno = new Map<number, HostNode>();
  private readonly byKey = new Map<string, HostNode>();
  private readonly freeInos: number[] = [];
  private nextIno = 1;
  private nextGen = 1;

  constructor(
    /** Called when a node is freed (to close its cached descriptor). */
    private readonly onFree: (node: HostNode) => void,
  ) {}

  get(ino: number): HostNode | undefined {
    return this.byIno.get(ino);
  }

  get size(): number {
    return this.byIno.size;
  }

  /** The mapped root; always node 1. */
  addRoot(st: HostStat): HostNode {
    return this.add(st, null, '');
  }

  /**
   * The node for the object `st` describes, found in `parent` under `name`:
   * the known node for its identity (now recorded at this place), or a new one.
   */
  register(st: HostStat, parent: HostNode, name: string): HostNode {
    const key = `${st.dev}:${st.ino}`;
    let node = this.byKey.get(key);
    if (node !== undefined && !sameObject(node, st)) {
      // Same dev+ino, different birth time or type: the host reused the inode.
      this.detach(node);
      node = undefined;
    }
    if (node === undefined) return this.add(st, parent, name);
    if (node.parent !== null && !isAncestorOrSelf(node, parent)) {
      node.parent = parent;
      node.name = name;
    }
    return node;
  }

  /** The known node for the object `st` describes, if any. */
  find(st: HostStat): HostNode | undefined {
    const node = this.byKey.get(`${st.dev}:${st.ino}`);
    return node !== undefined && sameObject(node, st) ? node : undefined;
  }

  /** Forget the node's identity; free it now if nothing references it (else on its last release). */
  detach(node: HostNode): void {
    if (this.byKey.get(node.key) === node) this.byKey.delete(node.key);
    node.detached = true;
    if (node.refs === 0) this.free(node);
  }

  /** Free a detached, unreferenced node (its number may be reused, with a new generation). */
  free(node: HostNode): void {
    if (this.byIno.get(node.ino) !== node) return;
    this.onFree(node);
    this.byIno.delete(node.ino);
    if (this.byKey.get(node.key) === node) this.byKey.delete(node.key);
    this.freeInos.push(node.ino);
  }

  /** Every live node (unmount). */
  all(): IterableIterator<HostNode> {
    return this.byIno.values();
  }

  private add(st: HostStat, parent: HostNode | null, name: string): HostNode {
    const ino = this.freeInos.length > 0 ? this.freeInos.pop()! : this.nextIno++;
    const node = new HostNode(ino, this.nextGen++, vtypeOf(st), st.dev, st.ino, st.birthtimeNs, parent, name);
    this.byIno.set(ino, node);
    this.byKey.set(node.key, node);
    return node;
  }
}

/**
 * Is `node` `dir` or one of its recorded ancestors? Recording `node` under
 * `dir` would then make a cycle (a bind mount of a directory inside itself).
 */
function isAncestorOrSelf(node: HostNode, dir: HostNode): boolean {
  if (node.type !== VType.Dir) return false;
  let d: HostNode | null = dir;
  for (let depth = 0; d !== null && depth < MAX_DEPTH; depth++, d = d.parent) if (d === node) return true;
  return d !== null;
}
