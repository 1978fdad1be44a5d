/**
 * fs.promises: the promise forms of ops.ts (argument errors reject rather
 * than throw), with FileHandles where Node has them: `open` resolves to one,
 * and readFile/writeFile/appendFile accept one in place of a path.
 */

import { Buffer } from 'node:buffer';
import { rejecting, type Ctx } from './ctx.js';
import { FileHandle } from './file-handle.js';
import type { Ops } from './ops.js';
import { getPath } from './validate.js';
import { watchAsync } from './watch.js';
import type { WriteFileData } from './write-data.js';

export function createPromises(c: Ctx, ops: Ops, constants: Readonly<Record<string, number>>) {
  async function open(path: unknown, flags?: unknown, mode?: unknown): Promise<FileHandle> {
    return new FileHandle(c, await ops.open(path, flags, mode));
  }

  async function readFile(path: unknown, options?: unknown): Promise<string | Buffer> {
    if (path instanceof FileHandle) return await path.readFile(options as Parameters<FileHandle['readFile']>[0]);
    return await ops.readFile(getPath(path, 'path'), options);
  }

  async function writeFile(path: unknown, data: unknown, options?: unknown): Promise<void> {
    if (path instanceof FileHandle) return await path.writeFile(data as WriteFileData, options as Parameters<FileHandle['writeFile']>[1]);
    return await ops.writeFileIterable(getPath(path, 'path'), data, options, false);
  }

  async function appendFile(path: unknown, data: unknown, options?: unknown): Promise<void> {
    if (path instanceof FileHandle) return await path.appendFile(data as WriteFileData, options as Parameters<FileHandle['appendFile']>[1]);
    return await ops.writeFileIterable(getPath(path, 'path'), data, options, true);
  }

  function watch(filename: unknown, options?: unknown) {
    return watchAsync(c, filename, options);
  }

  return {
    access: rejecting(ops.access),
    copyFile: rejecting(ops.copyFile),
    cp: rejecting(ops.cp),
    open,
    opendir: rejecting(ops.opendir),
    rename: rejecting(ops.rename),
    truncate: rejecting(ops.truncate),
    rm: rejecting(ops.rm),
    rmdir: rejecting(ops.rmdir),
    mkdir: rejecting(ops.mkdir),
    readdir: rejecting(ops.readdir),
    readlink: rejecting(ops.readlink),
    symlink: rejecting(ops.symlink),
    lstat: rejecting(ops.lstat),
    stat: rejecting(ops.stat),
    statfs: rejecting(ops.statfs),
    link: rejecting(ops.link),
    unlink: rejecting(ops.unlink),
    chmod: rejecting(ops.chmod),
    lchmod: rejecting(ops.lchmod),
    lchown: rejecting(ops.lchown),
    chown: rejecting(ops.chown),
    utimes: rejecting(ops.utimes),
    lutimes: rejecting(ops.lutimes),
    realpath: Object.defineProperty(rejecting(ops.realpathNative), 'name', { value: 'realpath' }),
    mkdtemp: rejecting(ops.mkdtemp),
    writeFile,
    appendFile,
    readFile,
    watch,
    mknod: rejecting(ops.mknod),
    mkfifo: rejecting(ops.mkfifo),
    chflags: rejecting(ops.chflags),
    constants,
  };
}
