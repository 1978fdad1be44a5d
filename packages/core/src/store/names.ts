/**
 * File names as the store keeps them: UTF-8 bytes, at most NAME_MAX long,
 * hashed with a per-store seed (so a tenant cannot pick colliding names).
 *
 * Names arrive as JS strings. The common ASCII case is hashed and compared
 * straight from the string's char codes, with no encoding step.
 */

const encoder = new TextEncoder();

/** UTF-8 length of a JS string (lone surrogates count as U+FFFD, 3 bytes). */
export function utf8Length(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) continue;
    if (c < 0x800) n += 1;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      n += 2; // the pair is 2 units and 4 bytes
      i++;
    } else n += 2;
  }
  return n;
}

export function isAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) >= 0x80) return false;
  return true;
}

export function encodeName(s: string): Uint8Array {
  return encoder.encode(s);
}

/** Murmur3's finaliser: spreads entropy into the top bits, which index buckets. */
function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Hash of the UTF-8 bytes of `s` (FNV-1a, seeded, finalised). */
export function nameHash(s: string, seed: number): number {
  let h = (0x811c9dc5 ^ seed) | 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) {
      h = Math.imul(h ^ c, 0x01000193);
    } else {
      return hashBytes(encoder.encode(s), seed);
    }
  }
  return fmix32(h);
}

export function hashBytes(b: Uint8Array, seed: number): number {
  let h = (0x811c9dc5 ^ seed) | 0;
  for (let i = 0; i < b.length; i++) h = Math.imul(h ^ b[i]!, 0x01000193);
  return fmix32(h);
}
