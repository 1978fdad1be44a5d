/**
 * hostfs options: what to map, checked and normalised once.
 *
 * The options are a plain, structured-cloneable object, kept on the
 * instance as `hostfs.options` in normalised form (absolute real path, the
 * window's length filled in): in shared mode the mount's actor thread
 * rebuilds the file system with `hostFs(hostfs.options)` and must map the
 * same thing.
 */

import * as nodePath from 'node:path';
import { VfsError, fail, toVfsError } from '../errno.js';
import { host, lstat, nodeFs } from './host.js';

export interface HostFsOptions {
  /**
   * Host path of what to map: a directory (with its subtree, or only its own
   * entries, see `subtree`) or a regular file (whole, or a byte window).
   * Resolved once, when the file system is made (symlinks in it are the
   * operator's choice); after that nothing is ever resolved by path.
   */
  path: string;
  /**
   * Directories only. true (the default): the whole subtree is visible
   * (rumpfs RUMP_ETFS_DIR_SUBDIRS). false: only the directory's own entries
   * that are not directories (rumpfs RUMP_ETFS_DIR); subdirectories are
   * invisible and none can be made (mkdir: EPERM).
   */
  subtree?: boolean;
  /**
   * Regular files only: map the byte window [offset, offset + length) of the
   * host file (rumpfs RUMP_ETFS_BLK with begin/size). The window must lie
   * inside the host file when the file system is made. Default offset 0;
   * default length: to the end of the host file (fixed at that moment).
   * Giving either makes a window; without both, the whole file is mapped and
   * can grow and shrink.
   */
  offset?: number;
  length?: number;
  /** Refuse every change, and every open for writing, with EROFS. */
  readonly?: boolean;
}

/** The options as kept on the instance: absolute real path, defaults filled in. */
export interface NormalizedHostFsOptions extends HostFsOptions {
  path: string;
  readonly: boolean;
  /** Present for directory mappings. */
  subtree?: boolean;
  /** Present (both) for windows. */
  offset?: number;
  length?: number;
}

export type MappingKind = 'dir' | 'file';

function invalid(what: string): TypeError {
  const e = new TypeError(`hostFs: ${what}`);
  (e as { code?: string }).code = 'ERR_INVALID_ARG_VALUE';
  return e;
}

function checkOffset(name: string, v: unknown): number | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) throw invalid(`${name} must be a non-negative safe integer`);
  return v;
}

/** Check `options` against the host and fill in the defaults. Throws VfsError for host conditions. */
export function normalizeOptions(options: HostFsOptions): { options: NormalizedHostFsOptions; kind: MappingKind } {
  if (options === null || typeof options !== 'object') throw invalid('options must be an object');
  const { path, subtree, readonly } = options;
  if (typeof path !== 'string' || path.length === 0) throw invalid('path must be a non-empty string');
  if (path.includes('\0')) throw invalid('path must not contain NUL bytes');
  if (subtree !== undefined && typeof subtree !== 'boolean') throw invalid('subtree must be a boolean');
  if (readonly !== undefined && typeof readonly !== 'boolean') throw invalid('readonly must be a boolean');
  const offset = checkOffset('offset', options.offset);
  const length = checkOffset('length', options.length);
  try {
    const real = host(() => nodeFs.realpathSync.native(nodePath.resolve(path)));
    const st = host(() => lstat(real));
    if (st.isDirectory()) {
      // rumpfs: a directory mapping with a begin or a size is EISDIR.
      if (offset !== undefined || length !== undefined) throw fail('EISDIR');
      return { options: { path: real, subtree: subtree ?? true, readonly: readonly === true }, kind: 'dir' };
    }
    if (!st.isFile()) throw fail('EINVAL');
    if (offset === undefined && length === undefined) return { options: { path: real, readonly: readonly === true }, kind: 'file' };
    const size = Number(st.size);
    const start = offset ?? 0;
    if (start > size) throw fail('EINVAL');
    const len = length ?? size - start;
    if (start + len > size) throw fail('EINVAL');
    return { options: { path: real, offset: start, length: len, readonly: readonly === true }, kind: 'file' };
  } catch (e) {
    if (e instanceof VfsError || e instanceof TypeError) throw e;
    throw toVfsError(e, 'hostfs', path);
  }
}
