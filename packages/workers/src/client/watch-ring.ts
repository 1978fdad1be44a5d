/**
 * fs.watch across threads: a ring of watch events in the registry.
 *
 * Every thread's kernel reports the events of the changes it makes to its
 * own watchers (core/vfs/watch.ts) and, through this bridge, publishes them
 * here whenever some thread watches anything (R.WATCHERS > 0). A thread
 * with watchers follows the ring from the head it saw when it started
 * watching and hands other threads' events to its own watchers.
 *
 *   record i (i = sequence number mod capacity), RECORD_WORDS words:
 *     SEQ   i + 1 once the record is complete (0 while being written)
 *     TID   the publishing thread's slot (its own events it already has)
 *     MOUNT, INO, GEN   the node the event is on
 *     TYPE  1 rename, 2 change
 *     LEN   name bytes, then the name (UTF-8, at most NAME_BYTES)
 *
 * A follower that falls more than a ring behind loses the oldest events,
 * as inotify drops events when its queue overflows. A record whose writer
 * died half-way is skipped after a short grace.
 */

import type { WatchBridge, WatchHub } from '@actorvfs/core/internal';
import { R, T, threadBase, type Registry } from '../protocol/registry.js';

export const WATCH_CAPACITY = 1024;
const NAME_BYTES = 256;
const W = { SEQ: 0, TID: 1, MOUNT: 2, INO: 3, GEN: 4, TYPE: 5, LEN: 6 } as const;
const HEADER_WORDS = 8;
export const RECORD_WORDS = HEADER_WORDS + NAME_BYTES / 4;
/** How long a follower waits for a record its writer has not finished. */
const INCOMPLETE_GRACE_MS = 200;
/** A follower re-arms its wait this often (so it ends soon after the last watcher goes). */
const FOLLOW_WAIT_MS = 500;

/** Bytes of the ring (allocated by the coordinator in the registry heap). */
export function watchRingBytes(): number {
  return WATCH_CAPACITY * RECORD_WORDS * 4;
}

export class WatchRing implements WatchBridge {
  private following = false;
  /**
   * While it watches, the thread stays alive, as a persistent fs.watch keeps
   * a Node process alive: other threads may still change what it watches.
   */
  private keepAlive: ReturnType<typeof setInterval> | null = null;
  private cursor = 0;
  private stalledSince = 0;

  constructor(
    private readonly reg: Registry,
    private readonly tid: number,
    private readonly hub: WatchHub,
  ) {}

  watching(on: boolean): void {
    const i32 = this.reg.i32;
    if (on) {
      this.cursor = Atomics.load(i32, R.WATCH_HEAD);
      Atomics.store(i32, threadBase(this.tid) + T.WATCHING, 1);
      Atomics.add(i32, R.WATCHERS, 1);
      this.keepAlive ??= setInterval(() => {}, 1 << 30);
      if (!this.following) {
        this.following = true;
        this.follow();
      }
    } else {
      Atomics.sub(i32, R.WATCHERS, 1);
      Atomics.store(i32, threadBase(this.tid) + T.WATCHING, 0);
      this.following = false;
      if (this.keepAlive !== null) clearInterval(this.keepAlive);
      this.keepAlive = null;
    }
  }

  anyone(): boolean {
    return Atomics.load(this.reg.i32, R.WATCHERS) > 0;
  }

  publish(mountId: number, ino: number, gen: number, type: 'rename' | 'change', name: string): void {
    const reg = this.reg;
    if (Atomics.load(reg.i32, R.WATCHERS) === 0) return;
    const seq = Atomics.add(reg.i32, R.WATCH_HEAD, 1);
    const cap = reg.i32[R.WATCH_CAP]!;
    const rec = (reg.i32[R.WATCH_RING]! >> 2) + (seq % cap) * RECORD_WORDS;
    reg.refresh((rec + RECORD_WORDS) * 4);
    const i32 = reg.i32;
    Atomics.store(i32, rec + W.SEQ, 0);
    i32[rec + W.TID] = this.tid;
    i32[rec + W.MOUNT] = mountId;
    i32[rec + W.INO] = ino;
    i32[rec + W.GEN] = gen;
    i32[rec + W.TYPE] = type === 'rename' ? 1 : 2;
    const bytes = Buffer.from(name, 'utf8').subarray(0, NAME_BYTES);
    i32[rec + W.LEN] = bytes.length;
    reg.u8.set(bytes, (rec + HEADER_WORDS) * 4);
    Atomics.store(i32, rec + W.SEQ, seq + 1);
    Atomics.notify(i32, R.WATCH_HEAD);
  }

  /** Deliver what is new, then wait for more while anything here watches. */
  private follow(): void {
    if (!this.following) return;
    const complete = this.drain();
    const i32 = this.reg.i32;
    const head = Atomics.load(i32, R.WATCH_HEAD);
    if (!complete) {
      setTimeout(() => this.follow(), 1);
      return;
    }
    const res = Atomics.waitAsync(i32, R.WATCH_HEAD, head, FOLLOW_WAIT_MS);
    if (res.async) void res.value.then(() => this.follow());
    else setImmediate(() => this.follow());
  }

  /** Hand every complete record past the cursor to the hub. => false if one is still being written. */
  private drain(): boolean {
    const reg = this.reg;
    const head = Atomics.load(reg.i32, R.WATCH_HEAD);
    const cap = reg.i32[R.WATCH_CAP]!;
    if (head - this.cursor > cap) this.cursor = head - cap;
    const ring = reg.i32[R.WATCH_RING]! >> 2;
    reg.refresh((ring + cap * RECORD_WORDS) * 4);
    const i32 = reg.i32;
    while (this.cursor < head) {
      const rec = ring + (this.cursor % cap) * RECORD_WORDS;
      const seq = Atomics.load(i32, rec + W.SEQ);
      if (seq !== this.cursor + 1) {
        if (seq > this.cursor + 1) {
          // Overwritten by a later lap: lost.
          this.cursor++;
          continue;
        }
        const now = Date.now();
        if (this.stalledSince === 0) this.stalledSince = now;
        if (now - this.stalledSince < INCOMPLETE_GRACE_MS) return false;
        this.stalledSince = 0;
        this.cursor++;
        continue;
      }
      this.stalledSince = 0;
      if (i32[rec + W.TID] !== this.tid) {
        const name = reg.readString((rec + HEADER_WORDS) * 4, i32[rec + W.LEN]!);
        this.hub.deliver(`${i32[rec + W.MOUNT]}:${i32[rec + W.INO]}:${i32[rec + W.GEN]}`, i32[rec + W.TYPE] === 1 ? 'rename' : 'change', name);
      }
      this.cursor++;
    }
    return true;
  }
}
