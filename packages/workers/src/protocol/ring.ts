/**
 * Request rings: a client's fixed-size slots to one actor, in the registry
 * heap. Only the client writes requests into its ring and only the actor
 * writes answers, and each hands a slot over by storing its state with
 * Atomics (which orders the payload writes before it):
 *
 *   FREE --client--> REQUEST --actor--> BUSY --actor--> DONE --client--> FREE
 *
 * A request marked NO_REPLY (inactive after a last close) is set FREE by the
 * actor itself. The client sleeps on the slot's STATE word, the actor on its
 * doorbell.
 *
 * Slot layout: 8 Int32 header words, then the payload: the request, then
 * (8-aligned, at S.ANSWER) the answer. The answer never overwrites the
 * request: an actor that dies after writing an answer it had not yet
 * committed leaves the request intact for the next actor to run again.
 */

export const SLOT_HEADER_BYTES = 32;

export const S = {
  STATE: 0,
  /** Wire op code (protocol/ops.ts). */
  OP: 1,
  /** Request length in bytes. */
  LEN: 2,
  /** 0, or the errno number of a failed call. */
  STATUS: 3,
  FLAGS: 4,
  /** How many actors took this request (one taken MAX_ATTEMPTS times, its actors dying each time, is answered EIO). */
  ATTEMPTS: 5,
  /** Client's request number, for tracing. */
  SEQ: 6,
  /** Where the answer starts, in bytes from the payload's start (after the request). */
  ANSWER: 7,
} as const;

/** Offset of the answer of a request of `requestBytes`, from the payload's start. */
export function answerOffset(requestBytes: number): number {
  return (requestBytes + 7) & ~7;
}

export const enum SlotState {
  Free = 0,
  Request = 1,
  Busy = 2,
  Done = 3,
}

export const enum SlotFlags {
  /** Fire and forget: the actor frees the slot when done. */
  NoReply = 1,
  /** The answer is complete in the payload (set before the actor commits). */
  Answered = 2,
}

export const DEFAULT_RING_SLOTS = 8;
/** A request in hand when its actor died this many times is answered EIO instead of run again. */
export const MAX_ATTEMPTS = 3;
/** Payload bytes of a tmpfs actor's slots: names, a symlink target, attributes. */
export const TMPFS_SLOT_BYTES = 8192 - SLOT_HEADER_BYTES;
/** Payload bytes of a remote file system's slots: data moves through them. */
export const REMOTE_SLOT_BYTES = 65536 + 4096 - SLOT_HEADER_BYTES;

export function ringBytes(slots: number, slotBytes: number): number {
  return slots * (SLOT_HEADER_BYTES + slotBytes);
}

/** Byte offset of slot `k` of the ring at `ring`. */
export function slotOffset(ring: number, k: number, slotBytes: number): number {
  return ring + k * (SLOT_HEADER_BYTES + slotBytes);
}
