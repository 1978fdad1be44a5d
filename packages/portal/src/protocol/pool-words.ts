/**
 * The pool's shared words: how main and the hosts agree, without any event
 * loop, on which host is free. One Int32Array:
 *
 *   FREED              bumped (and notified) whenever a host becomes free or dies
 *   slot s: STATE      HostState, see below
 *           STARTED    the host's threadId (non-zero) once its task runs
 *
 * State changes: main reserves a host (IDLE -> BUSY, or a new host is made
 * BUSY) before posting it an open request; the host frees itself when its
 * stream ended (BUSY -> IDLE); main retires idle hosts (IDLE -> RETIRING)
 * and may take one back until the host has read that request
 * (RETIRING -> BUSY: a synchronous caller cannot wait for piscina to see the
 * worker free); the host takes its retirement (RETIRING -> RETIRED) or, if
 * it was taken back, ignores it; a host that crashes, or that main kills, is
 * DEAD; main empties the slot when the host's task has settled.
 */

export const enum HostState {
  EMPTY = 0,
  IDLE = 1,
  BUSY = 2,
  RETIRING = 3,
  DEAD = 4,
  RETIRED = 5,
}

export const FREED = 0;

export function stateIndex(slot: number): number {
  return 1 + 2 * slot;
}

export function startedIndex(slot: number): number {
  return 2 + 2 * slot;
}

export function poolWordsFor(slots: number): SharedArrayBuffer {
  return new SharedArrayBuffer((1 + 2 * slots) * 4);
}

export function bumpFreed(words: Int32Array): void {
  Atomics.add(words, FREED, 1);
  Atomics.notify(words, FREED);
}
