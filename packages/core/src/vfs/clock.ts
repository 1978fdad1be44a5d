/**
 * Wall-clock time for timestamps, in milliseconds since the epoch with
 * sub-millisecond precision. A test can inject its own clock.
 */

export interface Clock {
  now(): number;
}

export const systemClock: Clock = {
  now: () => performance.timeOrigin + performance.now(),
};

/** A split timestamp: whole seconds and nanoseconds (microsecond precision). */
export interface Timespec {
  sec: number;
  nsec: number;
}

export function toTimespec(ms: number, out: Timespec): Timespec {
  let sec = Math.floor(ms / 1000);
  let nsec = Math.round((ms - sec * 1000) * 1000) * 1000;
  if (nsec >= 1e9) {
    sec += 1;
    nsec -= 1e9;
  }
  out.sec = sec;
  out.nsec = nsec;
  return out;
}
