/**
 * Every section of the suite, in the order they run. The cross-thread cases
 * of the shared mode slot in as one more import and entry (cases/cross-thread.ts).
 */

import { crossThread } from './cross-thread.js';
import { data } from './data.js';
import { limits } from './limits.js';
import { memory } from './memory.js';
import { metadata } from './metadata.js';
import { portal } from './portal.js';
import { scale } from './scale.js';
import type { Section } from './section.js';

export const sections: readonly Section[] = [limits, metadata, data, scale, memory, crossThread, portal];

export function sectionNamed(name: string): Section | undefined {
  return sections.find((s) => s.name === name);
}
