/**
 * Error numbers and the one error type every layer throws.
 *
 * Numbers are Linux's (Node users on Linux see libuv pass them through), and
 * messages are libuv's, so an error from actorvfs reads exactly like one from
 * `node:fs`: `ENOENT: no such file or directory, open '/x'`, with a negative
 * `errno`, `code`, `syscall`, `path` and `dest`.
 */

export const ERRNO = {
  EPERM: 1,
  ENOENT: 2,
  EINTR: 4,
  EIO: 5,
  ENXIO: 6,
  E2BIG: 7,
  EBADF: 9,
  EAGAIN: 11,
  ENOMEM: 12,
  EACCES: 13,
  EBUSY: 16,
  EEXIST: 17,
  EXDEV: 18,
  ENODEV: 19,
  ENOTDIR: 20,
  EISDIR: 21,
  EINVAL: 22,
  ENFILE: 23,
  EMFILE: 24,
  ENOTTY: 25,
  ETXTBSY: 26,
  EFBIG: 27,
  ENOSPC: 28,
  ESPIPE: 29,
  EROFS: 30,
  EMLINK: 31,
  EPIPE: 32,
  ERANGE: 34,
  EDEADLK: 35,
  ENAMETOOLONG: 36,
  ENOLCK: 37,
  ENOSYS: 38,
  ENOTEMPTY: 39,
  ELOOP: 40,
  ENODATA: 61,
  EPROTO: 71,
  EOVERFLOW: 75,
  EOPNOTSUPP: 95,
  /** Same number as EOPNOTSUPP on Linux; the name Node (libuv) reports for errno 95. */
  ENOTSUP: 95,
  ECONNRESET: 104,
  ETIMEDOUT: 110,
  ECONNREFUSED: 111,
  EHOSTUNREACH: 113,
  EDQUOT: 122,
  ECANCELED: 125,
} as const;

export type ErrnoCode = keyof typeof ERRNO;

/** libuv's wording where libuv has the code; strerror(3)'s otherwise. */
const MESSAGES: Record<ErrnoCode, string> = {
  EPERM: 'operation not permitted',
  ENOENT: 'no such file or directory',
  EINTR: 'interrupted system call',
  EIO: 'i/o error',
  ENXIO: 'no such device or address',
  E2BIG: 'argument list too long',
  EBADF: 'bad file descriptor',
  EAGAIN: 'resource temporarily unavailable',
  ENOMEM: 'not enough memory',
  EACCES: 'permission denied',
  EBUSY: 'resource busy or locked',
  EEXIST: 'file already exists',
  EXDEV: 'cross-device link not permitted',
  ENODEV: 'no such device',
  ENOTDIR: 'not a directory',
  EISDIR: 'illegal operation on a directory',
  EINVAL: 'invalid argument',
  ENFILE: 'file table overflow',
  EMFILE: 'too many open files',
  ENOTTY: 'inappropriate ioctl for device',
  ETXTBSY: 'text file is busy',
  EFBIG: 'file too large',
  ENOSPC: 'no space left on device',
  ESPIPE: 'invalid seek',
  EROFS: 'read-only file system',
  EMLINK: 'too many links',
  EPIPE: 'broken pipe',
  ERANGE: 'result too large',
  EDEADLK: 'resource deadlock avoided',
  ENAMETOOLONG: 'name too long',
  ENOLCK: 'no locks available',
  ENOSYS: 'function not implemented',
  ENOTEMPTY: 'directory not empty',
  ELOOP: 'too many symbolic links encountered',
  ENODATA: 'no data available',
  EPROTO: 'protocol error',
  EOVERFLOW: 'value too large for defined data type',
  EOPNOTSUPP: 'operation not supported',
  ENOTSUP: 'operation not supported on socket',
  ECONNRESET: 'connection reset by peer',
  ETIMEDOUT: 'connection timed out',
  ECONNREFUSED: 'connection refused',
  EHOSTUNREACH: 'host is unreachable',
  EDQUOT: 'disk quota exceeded',
  ECANCELED: 'operation canceled',
};

const BY_NUMBER = new Map<number, ErrnoCode>();
for (const code of Object.keys(ERRNO) as ErrnoCode[]) if (!BY_NUMBER.has(ERRNO[code])) BY_NUMBER.set(ERRNO[code], code);

export function isErrnoCode(code: unknown): code is ErrnoCode {
  return typeof code === 'string' && Object.prototype.hasOwnProperty.call(ERRNO, code);
}

export function errnoMessage(code: ErrnoCode): string {
  return MESSAGES[code];
}

/** Map a (positive or negative) errno number back to its code. */
export function codeOfErrno(errno: number): ErrnoCode | undefined {
  return BY_NUMBER.get(Math.abs(errno));
}

/**
 * What the lower layers throw: just an errno, cheap to make (no stack trace;
 * a V8 stack capture costs ~3 us, more than most file-system operations).
 * The layer that knows the caller's syscall and path turns it into a
 * `VfsError` once, at the boundary, with `toVfsError`. A lower layer that
 * knows better which syscall or path failed (realpath's lstat, rename's
 * destination) may say so in `syscall`, `path` and `dest`.
 */
export class Errno {
  syscall: string | undefined;
  path: string | undefined;
  dest: string | undefined;
  constructor(readonly code: ErrnoCode) {}
}

/** Shorthand used by the lower layers: `throw fail('ENOENT')`. */
export function fail(code: ErrnoCode): Errno {
  return new Errno(code);
}

/**
 * The file-system error users see. Shaped like Node's uvException: own
 * enumerable `errno` (negative), `code`, `syscall`, and `path`/`dest` when
 * known; message `ENOENT: no such file or directory, open '/x'`.
 */
export class VfsError extends Error {
  declare errno: number;
  declare code: ErrnoCode;
  declare syscall: string;
  declare path: string;
  declare dest: string;

  constructor(code: ErrnoCode, syscall?: string, path?: string, dest?: string) {
    super(MESSAGES[code]);
    this.errno = -ERRNO[code];
    this.code = code;
    if (syscall !== undefined) {
      this.syscall = syscall;
      let msg = `${code}: ${MESSAGES[code]}, ${syscall}`;
      if (path !== undefined) {
        this.path = path;
        msg += ` '${path}'`;
      }
      if (dest !== undefined) {
        this.dest = dest;
        msg += ` -> '${dest}'`;
      }
      this.message = msg;
    }
  }

  /** What crosses a thread boundary: the fields, never a foreign stack. */
  toWire(): VfsErrorWire {
    return { code: this.code, syscall: this.syscall, path: this.path, dest: this.dest };
  }

  static fromWire(w: VfsErrorWire): VfsError {
    return new VfsError(w.code, w.syscall, w.path, w.dest);
  }
}

Object.defineProperty(VfsError.prototype, 'name', { value: 'Error', writable: true, configurable: true });

export interface VfsErrorWire {
  code: ErrnoCode;
  syscall?: string | undefined;
  path?: string | undefined;
  dest?: string | undefined;
}

/**
 * Turn an internal `Errno` into the `VfsError` a caller sees, naming the
 * syscall and paths (the Errno's own, if it carries them, win). Anything
 * else (a bug, a validation TypeError) passes through unchanged.
 */
export function toVfsError(e: unknown, syscall: string, path?: string, dest?: string): unknown {
  if (!(e instanceof Errno)) return e;
  return new VfsError(e.code, e.syscall ?? syscall, e.path ?? path, e.syscall !== undefined ? e.dest : (e.dest ?? dest));
}
