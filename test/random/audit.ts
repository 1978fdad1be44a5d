/**
 * A file-system invariant audit (conformance.md §2.3, "invariant checker"):
 * walk a tree through the public fs API and report every broken invariant.
 *
 *   - every directory's nlink == 2 + its subdirectories
 *   - every non-directory's nlink == the entries naming its inode in the tree
 *     (so the tree must hold every link; open-but-unlinked files are invisible)
 *   - `..` of every directory is its parent (by inode number)
 *   - no directory is reached twice (no cycles, no hard-linked directories)
 *   - readdir has no duplicates, no '.' or '..', no empty names or '/'
 *   - every listed entry can be lstat'ed, and readdir's file type agrees
 *   - every regular file reads back exactly `size` bytes; symlinks read back
 *     a target of `size` bytes
 *   - all names of one inode agree on its type, size and link count
 *
 * Run it on a quiet tree (no concurrent writers). It never throws for an
 * invariant; it lists problems, so one run shows all of them. The shared-mode
 * stress tests reuse it from any thread that has a Node-shaped fs.
 */

import * as nodePath from 'node:path';
import type { FsLike } from './fsx.js';

export interface AuditReport {
  /** True when no problem was found. */
  ok: boolean;
  problems: string[];
  dirs: number;
  files: number;
  symlinks: number;
  /** FIFOs, sockets, devices. */
  others: number;
  /** Sum of regular-file sizes (each inode once). */
  bytes: number;
}

export interface AuditOptions {
  /** Read every regular file and compare the length with its size. Default true. */
  readFiles?: boolean;
  /** Stop listing problems after this many. Default 200. */
  maxProblems?: number;
}

interface StatLike {
  ino: number;
  nlink: number;
  size: number;
  mode: number;
  isDirectory(): boolean;
  isFile(): boolean;
  isSymbolicLink(): boolean;
}

interface InodeSeen {
  nlink: number;
  size: number;
  type: string;
  paths: string[];
}

/** Walk `root` (a directory) and check the invariants above. */
export async function auditTree(fs: FsLike, root: string, options: AuditOptions = {}): Promise<AuditReport> {
  const p = fs.promises;
  const readFiles = options.readFiles ?? true;
  const maxProblems = options.maxProblems ?? 200;
  const report: AuditReport = { ok: true, problems: [], dirs: 0, files: 0, symlinks: 0, others: 0, bytes: 0 };
  const problem = (msg: string): void => {
    report.ok = false;
    if (report.problems.length < maxProblems) report.problems.push(msg);
    else if (report.problems.length === maxProblems) report.problems.push('... (more problems not listed)');
  };
  const lstat = async (path: string): Promise<StatLike | undefined> => {
    try {
      return (await p.lstat(path)) as StatLike;
    } catch (err) {
      problem(`lstat ${path}: ${describe(err)}`);
      return undefined;
    }
  };

  const rootSt = await lstat(root);
  if (rootSt === undefined) return report;
  if (!rootSt.isDirectory()) {
    problem(`${root} is not a directory`);
    return report;
  }
  // `..` of the root must be the root's parent (or the root itself at '/').
  const rootParent = nodePath.dirname(root);
  const rootParentSt = await lstat(rootParent === root ? root : rootParent);
  const rootDotDot = await statQuiet(fs, `${root}/..`, problem);
  if (rootParentSt && rootDotDot && rootDotDot.ino !== rootParentSt.ino) {
    problem(`${root}/.. is inode ${rootDotDot.ino}, the parent ${rootParent} is ${rootParentSt.ino}`);
  }

  const seenDirs = new Map<number, string>();
  const inodes = new Map<number, InodeSeen>();
  const stack: { path: string; st: StatLike; parentIno: number | undefined }[] = [{ path: root, st: rootSt, parentIno: undefined }];

  while (stack.length > 0) {
    const { path, st, parentIno } = stack.pop()!;
    const before = seenDirs.get(st.ino);
    if (before !== undefined) {
      problem(`directory inode ${st.ino} reached twice: ${before} and ${path} (a cycle or a linked directory)`);
      continue;
    }
    seenDirs.set(st.ino, path);
    report.dirs++;

    if (parentIno !== undefined) {
      const dotdot = await statQuiet(fs, `${path}/..`, problem);
      if (dotdot && dotdot.ino !== parentIno) problem(`${path}/.. is inode ${dotdot.ino}, its parent is ${parentIno}`);
    }

    let entries: { name: string; type: string }[];
    try {
      const dirents = await p.readdir(path, { withFileTypes: true });
      entries = dirents.map((d) => ({ name: String(d.name), type: direntType(d) }));
    } catch (err) {
      problem(`readdir ${path}: ${describe(err)}`);
      continue;
    }

    const names = new Set<string>();
    let subdirs = 0;
    for (const { name, type } of entries) {
      if (name === '.' || name === '..') problem(`readdir ${path} returned '${name}'`);
      if (name === '' || name.includes('/') || name.includes('\0')) problem(`readdir ${path} returned a bad name ${JSON.stringify(name)}`);
      if (names.has(name)) {
        problem(`readdir ${path} returned ${JSON.stringify(name)} twice`);
        continue;
      }
      names.add(name);
      if (name === '.' || name === '..' || name === '') continue;
      const child = `${path}/${name}`;
      const cst = await lstat(child);
      if (cst === undefined) continue;
      const ctype = statType(cst);
      if (type !== 'unknown' && type !== ctype) problem(`${child}: readdir says ${type}, lstat says ${ctype}`);
      if (cst.isDirectory()) {
        subdirs++;
        stack.push({ path: child, st: cst, parentIno: st.ino });
        continue;
      }
      const seen = inodes.get(cst.ino);
      if (seen === undefined) {
        inodes.set(cst.ino, { nlink: cst.nlink, size: cst.size, type: ctype, paths: [child] });
        await checkContents(fs, child, cst, readFiles, report, problem);
      } else {
        seen.paths.push(child);
        if (seen.type !== ctype || seen.size !== cst.size || seen.nlink !== cst.nlink) {
          problem(`${child} and ${seen.paths[0]} share inode ${cst.ino} but disagree: ${ctype}/${cst.size}/${cst.nlink} vs ${seen.type}/${seen.size}/${seen.nlink}`);
        }
      }
    }
    if (st.nlink !== 2 + subdirs) problem(`${path}: nlink ${st.nlink}, want 2 + ${subdirs} subdirectories`);
  }

  for (const [ino, seen] of inodes) {
    if (seen.nlink !== seen.paths.length) {
      problem(`inode ${ino} (${seen.type}) has nlink ${seen.nlink} but ${seen.paths.length} entries: ${seen.paths.slice(0, 5).join(', ')}`);
    }
  }
  return report;
}

async function checkContents(
  fs: FsLike,
  path: string,
  st: StatLike,
  readFiles: boolean,
  report: AuditReport,
  problem: (msg: string) => void,
): Promise<void> {
  if (st.isFile()) {
    report.files++;
    report.bytes += st.size;
    if (!readFiles) return;
    try {
      const data = await fs.promises.readFile(path);
      if (data.length !== st.size) problem(`${path}: size ${st.size}, but ${data.length} bytes read`);
    } catch (err) {
      problem(`readFile ${path}: ${describe(err)}`);
    }
  } else if (st.isSymbolicLink()) {
    report.symlinks++;
    try {
      const target = await fs.promises.readlink(path);
      if (Buffer.byteLength(target) !== st.size) problem(`${path}: symlink size ${st.size}, target ${JSON.stringify(target)}`);
      if (target.length === 0) problem(`${path}: empty symlink target`);
    } catch (err) {
      problem(`readlink ${path}: ${describe(err)}`);
    }
  } else report.others++;
}

async function statQuiet(fs: FsLike, path: string, problem: (msg: string) => void): Promise<StatLike | undefined> {
  try {
    return (await fs.promises.stat(path)) as StatLike;
  } catch (err) {
    problem(`stat ${path}: ${describe(err)}`);
    return undefined;
  }
}

function statType(st: StatLike): string {
  if (st.isDirectory()) return 'dir';
  if (st.isFile()) return 'file';
  if (st.isSymbolicLink()) return 'symlink';
  return 'other';
}

interface DirentLike {
  isDirectory(): boolean;
  isFile(): boolean;
  isSymbolicLink(): boolean;
  isFIFO(): boolean;
  isSocket(): boolean;
  isCharacterDevice(): boolean;
  isBlockDevice(): boolean;
}

function direntType(d: DirentLike): string {
  if (d.isDirectory()) return 'dir';
  if (d.isFile()) return 'file';
  if (d.isSymbolicLink()) return 'symlink';
  if (d.isFIFO() || d.isSocket() || d.isCharacterDevice() || d.isBlockDevice()) return 'other';
  return 'unknown';
}

/** Free space and inodes, for "everything freed comes back" checks. */
export interface SpaceSnapshot {
  bsize: number;
  blocks: number;
  bfree: number;
  bavail: number;
  files: number;
  ffree: number;
}

export async function spaceSnapshot(fs: FsLike, path: string): Promise<SpaceSnapshot> {
  const s = await fs.promises.statfs(path);
  return { bsize: s.bsize, blocks: s.blocks, bfree: s.bfree, bavail: s.bavail, files: s.files, ffree: s.ffree };
}

/**
 * Delete everything under `dir` (and `dir` itself unless `keepRoot`), with
 * plain unlink and rmdir. Fails loudly on anything it cannot remove.
 */
export async function removeTree(fs: FsLike, dir: string, options: { keepRoot?: boolean } = {}): Promise<void> {
  const p = fs.promises;
  for (const name of await p.readdir(dir)) {
    const child = `${dir}/${name}`;
    const st = await p.lstat(child);
    if (st.isDirectory()) await removeTree(fs, child);
    else await p.unlink(child);
  }
  if (!options.keepRoot) await p.rmdir(dir);
}

function describe(err: unknown): string {
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    return `${code ? String(code) : err.name}: ${err.message}`;
  }
  return String(err);
}
