/**
 * Recovery: what the coordinator does when a thread attached to the shared
 * file system dies (terminated, crashed, or simply ended without closing).
 *
 * From the dead thread's journal (store/journal.ts), in this order:
 *   1. roll back its unfinished transaction, unless the transaction's
 *      commit record is set (an actor's request marked Answered);
 *   2. release every lock its records show (vnode locks, the allocator and
 *      advisory-lock mutexes) and undo its registrations as a waiter;
 *   3. remove the advisory locks it owned (its ids carry its slot);
 *   4. drop the references it held (open files, working directories) and
 *      have the mount's actor reclaim nodes nobody holds any more.
 * Then its request rings: for a dead actor, requests it had in hand are
 * answered (committed) or put back for the restarted actor; for a dead
 * client, requests not yet taken are cancelled, those in hand finish, and
 * a reference a finished create took for it is dropped. Only then is its
 * thread slot (and journal) given to the next thread.
 *
 * => runs on the coordinator thread, the thread being recovered is dead.
 */

import { Decoder, type WireVnode } from '../protocol/codec.js';
import { OP_CODE } from '../protocol/ops.js';
import { A, ID_THREAD_SHIFT, MAX_ACTORS, R, T, ThreadState, actorBase, threadBase, type Registry } from '../protocol/registry.js';
import { S, SLOT_HEADER_BYTES, SlotFlags, SlotState, slotOffset } from '../protocol/ring.js';
import { ERRNO, J, advlockPurge, dropJournalRefs, journalRefs, releaseJournalLocks, rollbackJournal, type Store } from '@actorvfs/core/internal';
import type { ClientVfs, SharedVfsHandle } from '../client/client-vfs.js';
import { dropSharedFiles } from '../client/shared-files.js';

export interface RecoveryReport {
  tid: number;
  /** Undo words replayed (0 if nothing was in flight or it had committed). */
  undone: number;
  locksReleased: number;
  advisoryLocksRemoved: number;
  refsDropped: number;
  /** Nodes reclaimed because the dead thread held their last reference. */
  reclaimed: number;
  /** Requests of a dead actor put back in the ring, or answered. */
  requeued: number;
  answered: number;
}

const EIO = ERRNO.EIO;

export class Recovery {
  private readonly dec = new Decoder();
  /** Reports of every recovery so far (for statistics and tests). */
  readonly reports: RecoveryReport[] = [];
  /** Reclaims asked of actors and not yet answered (a recovery is complete when they are). */
  private readonly reclaims = new Set<Promise<void>>();

  private reclaim(mountId: number, ino: number, report: RecoveryReport): void {
    const p = this.client.reclaim(mountId, ino);
    if (p === null) return;
    report.reclaimed++;
    this.reclaims.add(p);
    void p.finally(() => this.reclaims.delete(p));
  }

  /** Resolves when every reclaim asked so far has been carried out. */
  async reclaimsDone(): Promise<void> {
    while (this.reclaims.size > 0) await Promise.all([...this.reclaims]);
  }

  constructor(
    private readonly reg: Registry,
    private readonly handle: SharedVfsHandle,
    private readonly client: ClientVfs,
  ) {}

  private stores(): Map<number, Store> {
    this.client.syncMounts();
    return this.client.stores();
  }

  /** Steps 1-4 for thread slot `tid`. */
  recoverThread(tid: number): RecoveryReport {
    const report: RecoveryReport = { tid, undone: 0, locksReleased: 0, advisoryLocksRemoved: 0, refsDropped: 0, reclaimed: 0, requeued: 0, answered: 0 };
    const stores = this.stores();
    const journal = this.handle.journals[tid]!;
    const j = new Int32Array(journal, 0, 8);
    const slot = j[J.SLOT]!;
    let committed = false;
    if (slot !== 0) {
      this.reg.refresh(slot + SLOT_HEADER_BYTES);
      committed = (this.reg.i32[(slot >> 2) + S.FLAGS]! & SlotFlags.Answered) !== 0;
    }
    report.undone = rollbackJournal(journal, stores, committed);
    report.locksReleased = releaseJournalLocks(journal, stores);
    const refs = journalRefs(this.handle.refs[tid]!);
    // Descriptions it shared: its hold goes; a flock lives on while another thread holds the description.
    const { ended, stillHeld } = dropSharedFiles(this.reg, tid);
    const mine = (owner: number): boolean => owner >>> ID_THREAD_SHIFT === tid + 1 && !stillHeld.has(owner);
    for (const d of ended) {
      const vp = this.client.vnodeIn(d.mount, d.ino);
      if (vp !== null) report.advisoryLocksRemoved += advlockPurge(vp, (owner) => owner === d.id);
    }
    for (const r of refs) {
      const vp = this.client.vnodeIn(r.storeId, r.ino);
      if (vp !== null) report.advisoryLocksRemoved += advlockPurge(vp, mine);
    }
    const { dropped, orphans } = dropJournalRefs(this.handle.refs[tid]!, stores);
    report.refsDropped = dropped;
    for (const o of orphans) this.reclaim(o.storeId, o.ino, report);
    // It watched: it no longer counts among the watchers (events stop being made for nobody).
    if (Atomics.exchange(this.reg.i32, threadBase(tid) + T.WATCHING, 0) === 1) Atomics.sub(this.reg.i32, R.WATCHERS, 1);
    // Nodes are shown changed to optimistic readers by the lock sequences the
    // release bumped; nothing else caches store state across calls.
    Atomics.add(this.reg.i32, R.EPOCH, 1);
    return report;
  }

  /**
   * A dead actor's rings: a request it had in hand is answered if its
   * transaction committed (Answered), else put back for the next actor.
   */
  fixActorRings(a: number, report: RecoveryReport): void {
    const reg = this.reg;
    reg.refresh();
    const i32 = reg.i32;
    const slots = i32[actorBase(a) + A.RING_SLOTS]!;
    const bytes = i32[actorBase(a) + A.SLOT_BYTES]!;
    for (let t = 0; t < this.handle.journals.length; t++) {
      const ring = i32[threadBase(t) + T.RINGS + a]!;
      if (ring === 0) continue;
      for (let k = 0; k < slots; k++) {
        const h = slotOffset(ring, k, bytes) >> 2;
        if (Atomics.load(i32, h + S.STATE) !== SlotState.Busy) continue;
        const flags = i32[h + S.FLAGS]!;
        if ((flags & SlotFlags.Answered) !== 0) {
          Atomics.store(i32, h + S.STATE, (flags & SlotFlags.NoReply) !== 0 ? SlotState.Free : SlotState.Done);
          report.answered++;
        } else {
          Atomics.store(i32, h + S.STATE, SlotState.Request);
          report.requeued++;
        }
        Atomics.notify(i32, h + S.STATE);
      }
    }
  }

  /**
   * Actor `a` is gone for good (given up, or the file system closed): answer
   * EIO to every request in its rings, taken or not, so no caller waits.
   */
  failActorRings(a: number): number {
    const reg = this.reg;
    reg.refresh();
    const i32 = reg.i32;
    const slots = i32[actorBase(a) + A.RING_SLOTS]!;
    const bytes = i32[actorBase(a) + A.SLOT_BYTES]!;
    let failed = 0;
    for (let t = 0; t < this.handle.journals.length; t++) {
      const ring = i32[threadBase(t) + T.RINGS + a]!;
      if (ring === 0) continue;
      for (let k = 0; k < slots; k++) {
        const h = slotOffset(ring, k, bytes) >> 2;
        const s = Atomics.load(i32, h + S.STATE);
        if (s !== SlotState.Request && s !== SlotState.Busy) continue;
        i32[h + S.STATUS] = EIO;
        i32[h + S.LEN] = 0;
        const noReply = (i32[h + S.FLAGS]! & SlotFlags.NoReply) !== 0;
        Atomics.store(i32, h + S.STATE, noReply ? SlotState.Free : SlotState.Done);
        Atomics.notify(i32, h + S.STATE);
        failed++;
      }
    }
    return failed;
  }

  /**
   * A dead client's rings: cancel what no actor took, let what one took
   * finish, and drop the reference a finished, unread create holds.
   * => resolves when no actor can touch the rings any more.
   */
  async settleClientRings(tid: number, report: RecoveryReport): Promise<void> {
    for (;;) {
      const reg = this.reg;
      reg.refresh();
      const i32 = reg.i32;
      let busy = 0;
      for (let a = 0; a < MAX_ACTORS; a++) {
        const ring = i32[threadBase(tid) + T.RINGS + a]!;
        if (ring === 0) continue;
        const slots = i32[actorBase(a) + A.RING_SLOTS]!;
        const bytes = i32[actorBase(a) + A.SLOT_BYTES]!;
        for (let k = 0; k < slots; k++) {
          const base = slotOffset(ring, k, bytes);
          const h = base >> 2;
          const s = Atomics.load(i32, h + S.STATE);
          if (s === SlotState.Request) {
            // Take it back before an actor does. An inactive must still happen
            // (the thread let go of its last reference first): ask for it here.
            const inactive = i32[h + S.OP] === OP_CODE.inactive;
            const w = inactive ? (this.dec.reset(new DataView(reg.sab, 0, reg.u8.length), reg.u8, base + SLOT_HEADER_BYTES).value() as WireVnode) : null;
            if (Atomics.compareExchange(i32, h + S.STATE, SlotState.Request, SlotState.Free) !== SlotState.Request) busy++;
            else if (w !== null) this.reclaim(w.mount, w.ino, report);
          } else if (s === SlotState.Busy) {
            busy++;
          } else if (s === SlotState.Done) {
            if (i32[h + S.OP] === OP_CODE.create && i32[h + S.STATUS] === 0) {
              const view = new DataView(reg.sab, 0, reg.u8.length);
              const w = this.dec.reset(view, reg.u8, base + SLOT_HEADER_BYTES + i32[h + S.ANSWER]!).value() as WireVnode;
              const p = this.client.dropRef(w.mount, w.ino);
              if (p !== null) {
                report.reclaimed++;
                this.reclaims.add(p);
                void p.finally(() => this.reclaims.delete(p));
              }
              report.refsDropped++;
            }
            Atomics.store(i32, h + S.STATE, SlotState.Free);
          }
        }
      }
      if (busy === 0) return;
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
  }
}

/** Mark thread slot `tid` dead (its recovery is under way; actors still serve its rings). */
export function markDead(reg: Registry, tid: number): void {
  Atomics.store(reg.i32, threadBase(tid) + T.STATE, ThreadState.Dead);
}
