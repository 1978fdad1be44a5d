/**
 * @actorvfs/workers: one file system for many threads.
 *
 *   const svfs = await SharedVfs.create();
 *   worker.postMessage(svfs.handle());          // any number of threads
 *   const fs = await attach(handle, { uid, gid });   // in the worker
 *   const fd = adoptFd(fs, token);               // a description shareFd(fs, fd) handed over
 *
 * See docs/shared-mode.md.
 */

export { SharedVfs, type SharedVfsOptions } from './main/shared-vfs.js';
export { attach } from './client/attach.js';
export type { SharedVfsHandle, ContextOptions } from './client/client-vfs.js';
export { shareFd, adoptFd, type SharedFd } from './client/shared-files.js';
