/**
 * Errno codes across threads: what a provider failure becomes. Imported by
 * main/ and worker/; it loads no module at run time.
 */

import type { ErrnoCode } from '@actorvfs/core';

/** Node's error codes that are not in actorvfs's table, mapped to the nearest one. */
const ALIASES: Record<string, ErrnoCode> = {
  ENETUNREACH: 'EHOSTUNREACH',
  ENETDOWN: 'EHOSTUNREACH',
  EHOSTDOWN: 'EHOSTUNREACH',
  ECONNABORTED: 'ECONNRESET',
  EADDRNOTAVAIL: 'EINVAL',
  EAFNOSUPPORT: 'EINVAL',
  ENOTFOUND: 'EINVAL',
  EAI_AGAIN: 'EINVAL',
  EAI_FAIL: 'EINVAL',
  ENOTSUP: 'EOPNOTSUPP',
  ERR_STREAM_WRITE_AFTER_END: 'EPIPE',
  ERR_STREAM_DESTROYED: 'EPIPE',
  ERR_STREAM_PREMATURE_CLOSE: 'EPIPE',
  EOF: 'EPIPE',
};

/**
 * The errno code of an error thrown or emitted by a provider; EIO for
 * anything that is not an errno. `isErrnoCode` is core's (each side brings
 * its own: this module loads nothing).
 */
export function errnoOf(e: unknown, isErrnoCode: (code: unknown) => code is ErrnoCode): ErrnoCode {
  const code = (e as { code?: unknown } | null)?.code;
  if (isErrnoCode(code)) return code;
  if (typeof code === 'string' && code in ALIASES) return ALIASES[code]!;
  return 'EIO';
}
