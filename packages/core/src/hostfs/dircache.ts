/**
 * hostfs directory descriptor cache: O_PATH descriptors of recently used
 * directory nodes, least recently used first out (resolve.ts says how a
 * cached descriptor is validated before each use).
 *
 * A descriptor handed to an operation must stay open until the operation
 * ends, even if the operation's next resolution replaces or evicts it;
 * otherwise its number could be reused by the next open and the operation
 * would act in the wrong directory. So replaced and evicted descriptors are
 * *retired*: closed only after RETIRE_DELAY more have been retired. One
 * resolution retires at most two (the node's stale descriptor and the
 * evicted one) and an operation resolves at most two directories, so a
 * delay of 16 is ample.
 */

import { close } from './host.js';
import type { HostNode } from './nodes.js';

export const DIR_CACHE_SIZE = 64;
const RETIRE_DELAY = 16;

export class DirCache {
  /** Cached nodes, least recently used first (Map keeps insertion order). */
  private readonly lru = new Map<HostNode, true>();
  private readonly retired: number[] = [];

  constructor(private readonly limit = DIR_CACHE_SIZE) {}

  touch(node: HostNode): void {
    this.lru.delete(node);
    this.lru.set(node, true);
  }

  /** Cache `fd` as node's descriptor (retiring the one it had). */
  insert(node: HostNode, fd: number): void {
    if (node.dirFd >= 0) this.retire(node.dirFd);
    node.validWhileHeld = false;
    node.dirFd = fd;
    this.touch(node);
    if (this.lru.size > this.limit) {
      const oldest = this.lru.keys().next().value as HostNode;
      this.drop(oldest);
    }
  }

  /** Forget node's descriptor (node freed). */
  drop(node: HostNode): void {
    this.lru.delete(node);
    node.validWhileHeld = false;
    if (node.dirFd >= 0) {
      this.retire(node.dirFd);
      node.dirFd = -1;
    }
  }

  /** Close everything (unmount). */
  clear(): void {
    for (const node of this.lru.keys()) {
      if (node.dirFd >= 0) close(node.dirFd);
      node.dirFd = -1;
    }
    this.lru.clear();
    for (const fd of this.retired.splice(0)) close(fd);
  }

  get size(): number {
    return this.lru.size;
  }

  private retire(fd: number): void {
    this.retired.push(fd);
    if (this.retired.length > RETIRE_DELAY) close(this.retired.shift()!);
  }
}
