/**
 * The few pieces of @actorvfs/core a provider host needs (errno codes, the
 * access rules, constants), loaded from their own modules. Importing
 * @actorvfs/core/internal would load the whole VFS into every provider
 * worker: about 45 ms of a cold open, for nothing.
 *
 * Provider workers always run the built files (dist/), so the modules sit
 * next to the package's internal entry point.
 */

import type * as Core from '@actorvfs/core';
import type * as Internal from '@actorvfs/core/internal';

const base = import.meta.resolve('@actorvfs/core/internal');

const errno = (await import(new URL('./errno.js', base).href)) as Pick<typeof Internal, 'fail' | 'isErrnoCode'>;
const access = (await import(new URL('./vfs/access.js', base).href)) as Pick<typeof Internal, 'accessAllowed'>;

export const constants = (await import(new URL('./constants.js', base).href)) as typeof Core.constants;
export const fail = errno.fail;
export const isErrnoCode = errno.isErrnoCode;
export const accessAllowed = access.accessAllowed;
