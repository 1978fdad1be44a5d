/**
 * Open flags: Node's string table ('r', 'wx+', 'as', ...) to Linux O_* bits,
 * and numeric flags as int32.
 */

import { O_APPEND, O_CREAT, O_EXCL, O_RDONLY, O_RDWR, O_SYNC, O_TRUNC, O_WRONLY } from '../constants.js';
import { errInvalidArgValue } from './errors.js';
import { validateInt32 } from './validate.js';

const W = O_TRUNC | O_CREAT | O_WRONLY;
const WP = O_TRUNC | O_CREAT | O_RDWR;
const A = O_APPEND | O_CREAT | O_WRONLY;
const AP = O_APPEND | O_CREAT | O_RDWR;

/** The flag strings Node accepts, each with its O_* value. */
const TABLE = new Map<string, number>([
  ['r', O_RDONLY],
  ['rs', O_RDONLY | O_SYNC],
  ['sr', O_RDONLY | O_SYNC],
  ['r+', O_RDWR],
  ['rs+', O_RDWR | O_SYNC],
  ['sr+', O_RDWR | O_SYNC],
  ['w', W],
  ['wx', W | O_EXCL],
  ['xw', W | O_EXCL],
  ['w+', WP],
  ['wx+', WP | O_EXCL],
  ['xw+', WP | O_EXCL],
  ['a', A],
  ['ax', A | O_EXCL],
  ['xa', A | O_EXCL],
  ['as', A | O_SYNC],
  ['sa', A | O_SYNC],
  ['a+', AP],
  ['ax+', AP | O_EXCL],
  ['xa+', AP | O_EXCL],
  ['as+', AP | O_SYNC],
  ['sa+', AP | O_SYNC],
]);

/** Node's stringToFlags: `def` for null/undefined, the table for strings, int32 numbers as they are. */
export function toFlags(value: unknown, def: number = O_RDONLY, name = 'flags'): number {
  if (value == null) return def;
  if (typeof value === 'number') {
    if ((value | 0) === value) return value;
    return validateInt32(value, name);
  }
  if (typeof value === 'string') {
    const f = TABLE.get(value);
    if (f !== undefined) return f;
  }
  throw errInvalidArgValue(name, value);
}

export const FLAGS_W = W;
export const FLAGS_A = A;
