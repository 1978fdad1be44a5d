/**
 * Change notification for fs.watch: who watches which node, and the events
 * the syscall layer reports after each successful change.
 *
 * A directory watcher hears "rename" when a name in it appears or goes
 * away, and "change" when a child's data or attributes change; a watcher on
 * a file hears "change" when it changes and "rename" when it is unlinked or
 * renamed. Events are delivered asynchronously (never inside the syscall
 * that caused them).
 */

import type { Vnode } from '../vnode/vnode.js';
import type { WatchEvent } from './sys.js';

export type WatchListener = (ev: WatchEvent) => void;

function key(vp: Vnode): string {
  return `${vp.mount.id}:${vp.ino}:${vp.gen}`;
}

export class WatchHub {
  private readonly watchers = new Map<string, Set<WatchListener>>();
  private size = 0;
  private queue: [WatchListener, WatchEvent][] = [];
  private scheduled = false;

  add(vp: Vnode, listener: WatchListener): () => void {
    const k = key(vp);
    let set = this.watchers.get(k);
    if (set === undefined) this.watchers.set(k, (set = new Set()));
    set.add(listener);
    this.size++;
    return () => {
      if (set!.delete(listener)) this.size--;
      if (set!.size === 0) this.watchers.delete(k);
    };
  }

  get active(): boolean {
    return this.size > 0;
  }

  /** Report an event on node `vp` (a directory event names the entry). */
  emit(vp: Vnode, type: WatchEvent['type'], name: string): void {
    if (this.size === 0) return;
    const set = this.watchers.get(key(vp));
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
