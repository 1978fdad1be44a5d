/**
 * Change notification for fs.watch: who watches which node, and the events
 * the syscall layer reports after each successful change.
 *
 * A directory watcher hears "rename" when a name in it appears or goes
 * away, and "change" when a child's data or attributes change; a watcher on
 * a file hears "change" when it changes and "rename" when it is unlinked or
 * renamed. Events are delivered asynchronously (never inside the syscall
 * that caused them).
 *
 * Shared mode: a `bridge` carries events between threads. Every event this
 * thread emits is also published (when any thread watches anything), and
 * events other threads published reach this thread's watchers through
 * `deliver`.
 */

import type { Vnode } from '../vnode/vnode.js';
import type { WatchEvent } from './sys.js';

export type WatchListener = (ev: WatchEvent) => void;

function key(vp: Vnode): string {
  return `${vp.mount.id}:${vp.ino}:${vp.gen}`;
}

/** Carries watch events to and from other threads (shared mode). */
export interface WatchBridge {
  /** This thread's watcher count went from 0 to 1 (true) or back to 0 (false). */
  watching(on: boolean): void;
  /** Does any thread watch anything (so events are worth making)? */
  anyone(): boolean;
  publish(mountId: number, ino: number, gen: number, type: WatchEvent['type'], name: string): void;
}

export class WatchHub {
  private readonly watchers = new Map<string, Set<WatchListener>>();
  private size = 0;
  private queue: [WatchListener, WatchEvent][] = [];
  private scheduled = false;
  bridge: WatchBridge | null = null;

  add(vp: Vnode, listener: WatchListener): () => void {
    const k = key(vp);
    let set = this.watchers.get(k);
    if (set === undefined) this.watchers.set(k, (set = new Set()));
    set.add(listener);
    if (this.size++ === 0) this.bridge?.watching(true);
    return () => {
      if (set!.delete(listener) && --this.size === 0) this.bridge?.watching(false);
      if (set!.size === 0) this.watchers.delete(k);
    };
  }

  /** Are events worth making (someone, in this thread or another, watches)? */
  get active(): boolean {
    return this.size > 0 || (this.bridge !== null && this.bridge.anyone());
  }

  /** Report an event on node `vp` (a directory event names the entry). */
  emit(vp: Vnode, type: WatchEvent['type'], name: string): void {
    this.bridge?.publish(vp.mount.id, vp.ino, vp.gen, type, name);
    if (this.size === 0) return;
    this.deliver(key(vp), type, name);
  }

  /** Queue an event for the watchers of the node `k` names (mount:ino:gen). */
  deliver(k: string, type: WatchEvent['type'], name: string): void {
    const set = this.watchers.get(k);
    if (set === undefined) return;
    for (const l of set) this.queue.push([l, { type, name }]);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
  }

  private flush(): void {
    this.scheduled = false;
    const q = this.queue;
    this.queue = [];
    for (const [l, ev] of q) l(ev);
  }
}
