/**
 * Mounts and the mount table.
 *
 * A Mount binds a mounted file system (its vfsops, `MountedFs`) into the
 * tree: the vnode it covers in its parent mount, its root vnode, its flags,
 * and this thread's vnode cache for it. The mount table finds the mount
 * that covers a directory; file systems that can flag their directories
 * (tmpfs) let namei skip the table lookup for every other directory.
 */

import { fail } from '../errno.js';
import type { ActorLink } from '../vnode/vops.js';
import { VnodeCache, VType, type MountedFs, type Vnode, type VnodeMount } from '../vnode/vnode.js';

export interface MountOptions {
  /** Refuse every change with EROFS. */
  readonly?: boolean;
}

export class Mount implements VnodeMount {
  readonly cache = new VnodeCache();
  readonly: boolean;
  /** The root vnode, referenced for the life of the mount. */
  root!: Vnode;
  /** Where it is mounted: the covered directory (referenced) and its mount. */
  covered: Vnode | null = null;
  /** Served by an actor in another thread (shared mode), or null. */
  actor: ActorLink | null = null;
  /** Open files, working directories and context roots on this mount (EBUSY on unmount while > 0). */
  refs = 0;

  constructor(
    readonly id: number,
    readonly fs: MountedFs,
    options: MountOptions,
  ) {
    this.readonly = options.readonly === true;
  }

  /** Device number reported as st_dev. */
  get dev(): number {
    return 0x100 + this.id;
  }
}

export class MountTable {
  private nextId = 1;
  readonly mounts: Mount[] = [];
  /** Covered directory "mountId:ino" -> the mount on it. */
  private readonly byCovered = new Map<string, Mount>();
  /**
   * Brings the table up to date before a lookup (shared mode: mounts made by
   * other threads). Called at the start of every path walk; null in embedded mode.
   */
  refresh: (() => void) | null = null;

  /** A new mount of `fs`; `id` is given when another thread numbered it (shared mode). */
  newMount(fs: MountedFs, options: MountOptions, id?: number): Mount {
    if (id !== undefined) this.nextId = Math.max(this.nextId, id + 1);
    const m = new Mount(id ?? this.nextId++, fs, options);
    const root = fs.vget(m, fs.rootIno());
    if (root === null) throw new Error(`${fs.type}: root node is missing`);
    m.root = root;
    return m;
  }

  /**
   * Attach `m` over `covered` (referenced by the caller, now owned by the
   * mount): a directory over a directory, or a file system whose root is a
   * regular file (hostfs mapping a host file) over a regular file. Anything
   * else is ENOTDIR, as Linux answers a bind mount between a directory and a
   * non-directory.
   */
  attach(m: Mount, covered: Vnode | null): void {
    if (covered !== null) {
      if (!mountableOver(m.root.type, covered.type)) throw fail('ENOTDIR');
      const key = coveredKey(covered);
      if (this.byCovered.has(key)) throw fail('EBUSY');
      this.byCovered.set(key, m);
      covered.mount.fs.setMountpoint?.(covered.ino, true);
    }
    m.covered = covered;
    this.mounts.push(m);
  }

  detach(m: Mount): void {
    const i = this.mounts.indexOf(m);
    if (i >= 0) this.mounts.splice(i, 1);
    if (m.covered !== null) {
      this.byCovered.delete(coveredKey(m.covered));
      m.covered.mount.fs.setMountpoint?.(m.covered.ino, false);
    }
  }

  /** The mount covering directory vp, if any. */
  coveredBy(vp: Vnode): Mount | undefined {
    if (this.byCovered.size === 0) return undefined;
    const fs = vp.mount.fs;
    if (fs.isMountpoint !== undefined && !fs.isMountpoint(vp.ino)) return undefined;
    return this.byCovered.get(coveredKey(vp));
  }

  byId(id: number): Mount | undefined {
    return this.mounts.find((m) => m.id === id);
  }

  /** Mounts stacked on `m` (directly). */
  children(m: Mount): Mount[] {
    return this.mounts.filter((c) => c.covered !== null && c.covered.mount === m);
  }
}

/** Can a file system whose root has type `root` be mounted over a node of type `covered`? */
export function mountableOver(root: VType, covered: VType): boolean {
  return root === covered && (root === VType.Dir || root === VType.Reg);
}

function coveredKey(vp: Vnode): string {
  return `${vp.mount.id}:${vp.ino}`;
}
