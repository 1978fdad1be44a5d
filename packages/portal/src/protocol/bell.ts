/**
 * A stream's bell: a small SharedArrayBuffer both ends hold.
 *
 *   SEQ   bumped (and notified) after every message the provider posts
 *   DEAD  set when the provider's host died or was killed: nothing more
 *         will come, and whatever is pending fails with EIO
 *
 * A client reads SEQ before draining its port; if the port was empty it
 * waits while SEQ still holds that value, so a message posted in between is
 * never missed.
 */

export const enum Bell {
  SEQ = 0,
  DEAD = 1,
  WORDS = 2,
}

export function newBell(): SharedArrayBuffer {
  return new SharedArrayBuffer(Bell.WORDS * 4);
}

export function ring(bell: Int32Array): void {
  Atomics.add(bell, Bell.SEQ, 1);
  Atomics.notify(bell, Bell.SEQ);
}

/** Mark the stream's provider dead and wake its client. */
export function ringDead(bell: Int32Array): void {
  Atomics.store(bell, Bell.DEAD, 1);
  ring(bell);
}
