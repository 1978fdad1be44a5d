/**
 * Every path-taking operation of section A, as data: the path rules
 * (ENOTDIR, ENAMETOOLONG, ENOENT, EACCES, ELOOP) apply to each of them.
 * Two-path operations appear once per argument.
 */

import { S_IFIFO, O_CREAT, O_WRONLY, errorCodeOf, type Fs } from './helpers.js';

export interface PathOpContext {
  /** An existing regular file the caller may link and rename. */
  file: string;
  /** A name that does not exist yet, in a directory the caller may write. */
  fresh: string;
}

export interface PathOp {
  name: string;
  /** The operation makes the node named by the path. */
  creates: boolean;
  /** The operation follows a symlink in the final component. */
  follows: boolean;
  run(fs: Fs, path: string, ctx: PathOpContext): Promise<unknown>;
}

async function openClose(fs: Fs, path: string, flags: number | string, mode?: number): Promise<void> {
  const fh = await fs.promises.open(path, flags, mode);
  await fh.close();
}

export const PATH_OPS: PathOp[] = [
  { name: 'chmod', creates: false, follows: true, run: (fs, p) => fs.promises.chmod(p, 0o644) },
  { name: 'chown', creates: false, follows: true, run: (fs, p) => fs.promises.chown(p, -1, -1) },
  { name: 'lchown', creates: false, follows: false, run: (fs, p) => fs.promises.lchown(p, -1, -1) },
  { name: 'link (source)', creates: false, follows: false, run: (fs, p, c) => fs.promises.link(p, c.fresh) },
  { name: 'link (new name)', creates: true, follows: false, run: (fs, p, c) => fs.promises.link(c.file, p) },
  { name: 'mkdir', creates: true, follows: false, run: (fs, p) => fs.promises.mkdir(p, 0o755) },
  { name: 'mkfifo', creates: true, follows: false, run: (fs, p) => fs.promises.mkfifo(p, 0o644) },
  { name: 'mknod', creates: true, follows: false, run: (fs, p) => fs.promises.mknod(p, S_IFIFO | 0o644, 0) },
  { name: 'open', creates: false, follows: true, run: (fs, p) => openClose(fs, p, 'r') },
  { name: 'open O_CREAT', creates: true, follows: true, run: (fs, p) => openClose(fs, p, O_CREAT | O_WRONLY, 0o644) },
  { name: 'rename (source)', creates: false, follows: false, run: (fs, p, c) => fs.promises.rename(p, c.fresh) },
  { name: 'rename (target)', creates: true, follows: false, run: (fs, p, c) => fs.promises.rename(c.file, p) },
  { name: 'rmdir', creates: false, follows: false, run: (fs, p) => fs.promises.rmdir(p) },
  { name: 'symlink', creates: true, follows: false, run: (fs, p) => fs.promises.symlink('test', p) },
  { name: 'truncate', creates: false, follows: true, run: (fs, p) => fs.promises.truncate(p, 0) },
  { name: 'unlink', creates: false, follows: false, run: (fs, p) => fs.promises.unlink(p) },
  { name: 'utimes', creates: false, follows: true, run: (fs, p) => fs.promises.utimes(p, 1, 1) },
  { name: 'lutimes', creates: false, follows: false, run: (fs, p) => fs.promises.lutimes(p, 1, 1) },
  { name: 'stat', creates: false, follows: true, run: (fs, p) => fs.promises.stat(p) },
  { name: 'lstat', creates: false, follows: false, run: (fs, p) => fs.promises.lstat(p) },
  { name: 'access', creates: false, follows: true, run: (fs, p) => fs.promises.access(p) },
  { name: 'readlink', creates: false, follows: false, run: (fs, p) => fs.promises.readlink(p) },
];

export function opsWhere(pred: (op: PathOp) => boolean): PathOp[] {
  return PATH_OPS.filter(pred);
}

/**
 * Run each op against `path` and return op name -> error code ("ok" on
 * success). Compare the whole map, so one failure shows every op's answer.
 */
export async function codesOf(fs: Fs, ops: PathOp[], path: string, ctx: PathOpContext): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const op of ops) out[op.name] = (await errorCodeOf(op.run(fs, path, ctx))) ?? 'ok';
  return out;
}

export function all(ops: PathOp[], code: string): Record<string, string> {
  return Object.fromEntries(ops.map((op) => [op.name, code]));
}
