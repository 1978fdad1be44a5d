/**
 * The kernel of one VFS in one thread: the mount table, the clock, watchers,
 * and reference counting with the inactive/reclaim life cycle. Contexts
 * (Proc) are the processes that call into it.
 */

import { fail } from '../errno.js';
import { newStatBuf } from './sys.js';
import type { Vnode, MountedFs } from '../vnode/vnode.js';
import type { Clock } from './clock.js';
import { Mount, MountTable, type MountOptions } from './mount.js';
import { vopMutate } from '../vnode/vops.js';
import type { Op } from './wait.js';
import { WatchHub } from './watch.js';

/** Called around every system call (shared mode: reclamation epochs). */
export interface SyscallGuard {
  enter(): void;
  leave(): void;
}

export class Kernel {
  readonly mounts = new MountTable();
  syscallGuard: SyscallGuard | null = null;
  readonly watch = new WatchHub();
  readonly rootMount: Mount;
  constructor(
    rootFs: MountedFs,
    readonly clock: Clock,
    /** Ids unique across every thread sharing this VFS (context pids, open-file ids). */
    private readonly newId: () => number,
    /** The root mount's id (shared mode: the registry's numbering). */
    rootMountId?: number,
  ) {
    (rootFs as { setClock?(c: Clock): void }).setClock?.(clock);
    this.rootMount = this.mounts.newMount(rootFs, {}, rootMountId);
    this.mounts.attach(this.rootMount, null);
  }

  /** Context ("process") id: the owner of its POSIX record locks. */
  newPid(): number {
    return this.newId();
  }

  /** Open file description id: the owner of its flock locks. */
  newFileId(): number {
    return this.newId();
  }

  vref(vp: Vnode): void {
    vp.mount.fs.ref(vp);
  }

  vrele(vp: Vnode): void {
    if (vp.mount.fs.rele(vp)) this.inactive(vp);
  }

  /**
   * vrele that waits for the file system to reclaim the node (the last close
   * of an unlinked file: its space is free when close returns, even when the
   * reclaim runs on the mount's actor in another thread).
   */
  *vreleOp(vp: Vnode): Op<void> {
    if (vp.mount.fs.rele(vp)) yield* vopMutate('inactive', vp);
  }

  /**
   * Reference a handle from a lookup, checking that it still names the node
   * it named (it may have been freed since). => referenced, or ENOENT.
   */
  vrefCurrent(vp: Vnode): void {
    const fs = vp.mount.fs;
    fs.ref(vp);
    if (fs.isCurrent(vp)) return;
    // We counted on some other node (or a free record): undo, and if that
    // left the other node unreferenced, let it be reclaimed as it should.
    if (fs.rele(vp)) {
      const fresh = fs.vget(vp.mount, vp.ino);
      if (fresh !== null) this.inactive(fresh);
    }
    throw fail('ENOENT');
  }

  /** A long-lived holder (open file, working directory, context root) starts using vp's mount. */
  hold(vp: Vnode): void {
    (vp.mount as Mount).refs++;
  }

  unhold(vp: Vnode): void {
    (vp.mount as Mount).refs--;
  }

  /** The last reference went away: let the file system reclaim the node. */
  private inactive(vp: Vnode): void {
    const m = vp.mount as Mount;
    if (m.actor !== null) {
      m.actor.post('inactive', [vp]);
      return;
    }
    vp.ops.inactive(vp);
  }

  /** Mount `fs` on directory `covered` (referenced by the caller; the mount keeps the reference). */
  mount(covered: Vnode, fs: MountedFs, options: MountOptions, id?: number): Mount {
    if (this.mounts.mounts.some((m) => m.fs === fs)) throw fail('EBUSY');
    (fs as { setClock?(c: Clock): void }).setClock?.(this.clock);
    const m = this.mounts.newMount(fs, options, id);
    this.mounts.attach(m, covered);
    this.vref(m.root);
    return m;
  }

  /** Unmount `m`: EBUSY while anything below it is mounted or referenced. */
  unmount(m: Mount): void {
    if (m === this.rootMount) throw fail('EBUSY');
    if (this.mounts.children(m).length > 0) throw fail('EBUSY');
    if (m.refs > 0 || m.fs.busy?.() === true) throw fail('EBUSY');
    this.mounts.detach(m);
    this.vrele(m.root);
    const covered = m.covered;
    m.covered = null;
    if (covered !== null) this.vrele(covered);
    m.fs.unmount?.();
  }

  remount(m: Mount, options: MountOptions): void {
    m.readonly = options.readonly === true;
  }
}

export { newStatBuf };
