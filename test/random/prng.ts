/**
 * A seeded pseudo-random generator for the randomised tests.
 *
 * xoshiro128** (Blackman and Vigna): four 32-bit words of state, so every step
 * stays in V8's small-integer arithmetic. Seeded through splitmix32, so nearby
 * seeds give unrelated streams. The same seed gives the same stream on every
 * run and platform: a failure report that prints the seed is a full recipe.
 */

export class Prng {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;
  readonly seed: number;

  constructor(seed: number) {
    this.seed = seed >>> 0;
    let x = this.seed;
    const split = (): number => {
      x = (x + 0x9e3779b9) | 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.s0 = split();
    this.s1 = split();
    this.s2 = split();
    this.s3 = split();
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1;
  }

  /** A uniform 32-bit unsigned integer. */
  next(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9) >>> 0;
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** A uniform float in [0, 1) with 53 bits of randomness. */
  float(): number {
    return ((this.next() >>> 5) * 67108864 + (this.next() >>> 6)) / 9007199254740992;
  }

  /** A uniform integer in [0, n). n may exceed 2^32 (offsets of large files). */
  below(n: number): number {
    if (n <= 0) return 0;
    if (n <= 0x100000000) return Math.floor((this.next() / 0x100000000) * n);
    return Math.floor(this.float() * n);
  }

  /** A uniform integer in [lo, hi]. */
  range(lo: number, hi: number): number {
    return lo + this.below(hi - lo + 1);
  }

  chance(p: number): boolean {
    return this.float() < p;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError('pick from an empty list');
    return items[this.below(items.length)]!;
  }

  /** Fill `buf` with random bytes, none of them zero (so data never looks like a hole). */
  fillNonZero(buf: Uint8Array): void {
    for (let i = 0; i < buf.length; i += 4) {
      let w = this.next();
      for (let k = 0; k < 4 && i + k < buf.length; k++) {
        buf[i + k] = (w & 0xff) % 255 + 1;
        w >>>= 8;
      }
    }
  }

  /** A weighted choice: `weights` maps a key to a non-negative weight. */
  weighted<K extends string>(table: WeightTable<K>): K {
    let r = this.float() * table.total;
    for (let i = 0; i < table.keys.length; i++) {
      r -= table.weights[i]!;
      if (r < 0) return table.keys[i]!;
    }
    return table.keys[table.keys.length - 1]!;
  }
}

export interface WeightTable<K extends string> {
  keys: K[];
  weights: number[];
  total: number;
}

/** Build a table for `Prng.weighted`; keys with weight 0 are left out. */
export function weightTable<K extends string>(weights: Partial<Record<K, number>>): WeightTable<K> {
  const keys: K[] = [];
  const ws: number[] = [];
  let total = 0;
  for (const [key, w] of Object.entries(weights) as [K, number | undefined][]) {
    if (w === undefined || !(w > 0)) continue;
    keys.push(key);
    ws.push(w);
    total += w;
  }
  if (total === 0) throw new RangeError('weight table has no positive weight');
  return { keys, weights: ws, total };
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/** Seeds for a test run: fixed ones, plus FSRANDOM_SEED from the environment to reproduce a report. */
export function seedsFromEnv(fixed: number[]): number[] {
  const env = process.env['FSRANDOM_SEED'];
  if (env === undefined || env === '') return fixed;
  return env.split(',').map((s) => Number(s) >>> 0);
}
