/**
 * The sticky-directory matrix shared by sticky.test.ts and
 * rename-sticky.test.ts: who owns the sticky directory, who owns the entry,
 * and whether an unprivileged caller u may remove or replace it (only if
 * he owns the entry or the directory; Linux answers EPERM otherwise).
 */

import type { Caller } from './helpers.js';

export type Party = 'root' | 'caller' | 'other';

export interface StickyCase {
  dirOwner: Party;
  entryOwner: Party;
  allowed: boolean;
}

export const STICKY_CASES: StickyCase[] = (['root', 'caller', 'other'] as const).flatMap((dirOwner) =>
  (['caller', 'other', 'root'] as const).map((entryOwner) => ({
    dirOwner,
    entryOwner,
    allowed: dirOwner === 'caller' || entryOwner === 'caller',
  })),
);

export function ids(party: Party, caller: Caller, other: Caller): { uid: number; gid: number } {
  if (party === 'root') return { uid: 0, gid: 0 };
  const c = party === 'caller' ? caller : other;
  return { uid: c.uid, gid: c.gid };
}

export function describeCase(c: StickyCase): string {
  return `dir of ${c.dirOwner}, entry of ${c.entryOwner}`;
}
