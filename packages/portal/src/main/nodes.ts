/**
 * Portal nodes: one per name looked up under the mount.
 *
 * The original made a fresh node on every lookup and gave it a new inode
 * number on every getattr. Here a name always has the same node number (a
 * 52-bit hash of the key, probed on the rare collision), so two stats of a
 * path agree and cost nothing but the hash. Nodes nobody references are
 * forgotten once there are many of them; the same name later gets the same
 * number again (a new generation, so an old handle is stale).
 */

export const ROOT_INO = 2;
const FIRST_INO = 16;

export interface PortalNode {
  readonly ino: number;
  readonly gen: number;
  /** The key: the path under the mount, raw. The root's is ''. */
  readonly key: string;
  refs: number;
}

/** FNV-1a over the UTF-16 code units, two ways, folded into 52 bits. */
export function keyHash(key: string): number {
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ 0x9e3779b9;
  for (let i = 0; i < key.length; i++) {
    const c = key.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
  }
  return ((b >>> 0) & 0xfffff) * 0x100000000 + (a >>> 0);
}

export class NodeTable {
  private readonly byIno = new Map<number, PortalNode>();
  private readonly byKey = new Map<string, PortalNode>();
  private nextGen = 1;
  readonly root: PortalNode;

  constructor(private readonly limit = 4096) {
    this.root = { ino: ROOT_INO, gen: this.nextGen++, key: '', refs: 1 };
    this.byIno.set(ROOT_INO, this.root);
  }

  get(ino: number): PortalNode | undefined {
    return this.byIno.get(ino);
  }

  /** The node of `key`, made if need be. */
  lookup(key: string): PortalNode {
    let node = this.byKey.get(key);
    if (node !== undefined) return node;
    if (this.byKey.size >= this.limit) this.prune();
    let ino = FIRST_INO + keyHash(key);
    while (this.byIno.has(ino)) ino++;
    node = { ino, gen: this.nextGen++, key, refs: 0 };
    this.byIno.set(ino, node);
    this.byKey.set(key, node);
    return node;
  }

  /** Forget unreferenced nodes, oldest first, down to half the limit. */
  private prune(): void {
    for (const [key, node] of this.byKey) {
      if (this.byKey.size <= this.limit / 2) break;
      if (node.refs > 0) continue;
      this.byKey.delete(key);
      this.byIno.delete(node.ino);
    }
  }

  get size(): number {
    return this.byKey.size;
  }
}
