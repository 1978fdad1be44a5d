/**
 * attach(): join a shared file system from any thread.
 */

import type { VfsFs } from '@actorvfs/core';
import { ThreadKind } from '../protocol/registry.js';
import { ClientVfs, type ContextOptions, type SharedVfsHandle } from './client-vfs.js';

/**
 * A Node-fs-compatible file system in this thread, acting as `cred`
 * (default root), on the shared file system `handle` names. Reads run in
 * this thread on the shared memory; changes go to the mount's actor.
 */
export async function attach(handle: SharedVfsHandle, cred: ContextOptions = { uid: 0, gid: 0, groups: [0] }): Promise<VfsFs> {
  const client = new ClientVfs(handle, ThreadKind.Client);
  return client.context(cred);
}
