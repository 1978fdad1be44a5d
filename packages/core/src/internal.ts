/**
 * The layers below the public API, for the sibling packages
 * (@actorvfs/workers, @actorvfs/portal). Not a stable interface.
 */

export * from './errno.js';
export * from './store/layout.js';
export { Store, type StoreImage, type StoreOptions } from './store/store.js';
export * from './store/lock.js';
export { Tmpfs, type TmpfsImage, type TmpfsOptions, modeToVType, vtypeToMode } from './tmpfs/tmpfs.js';
export { Kernel } from './vfs/kernel.js';
export { Mount, MountTable, mountableOver, type MountOptions } from './vfs/mount.js';
export { Proc, type ProcOptions } from './vfs/proc.js';
export { Nameidata, namei, Lookup, type NameiContext } from './vfs/namei.js';
export * from './vfs/sys.js';
export * from './vfs/wait.js';
export * from './vfs/clock.js';
export * from './vnode/vnode.js';
export * from './vnode/vop-table.js';
export { vop, vopMutate, type ActorLink, type Vop, type MutateResult } from './vnode/vops.js';
export { newContext, lookupDir, lookupNode, checkCred, type ContextOptions } from './vfs/context.js';
export { createNodeFs, sysOf } from './fs/index.js';
export { OpenFile, type SharedDescription } from './vfs/file.js';
export { pageFree, pageAlloc } from './store/pages.js';
export { fsck, type FsckOptions, type FsckReport } from './store/fsck.js';
export { Journal, J, newJournalBuffer, newRefsBuffer, rollbackJournal, releaseJournalLocks, dropJournalRefs, put, keep } from './store/journal.js';
export { accessAllowed, inGroup } from './vfs/access.js';
export { completeVector, noteLock } from './vnode/vops.js';
export { journalRefs } from './store/journal.js';
export { advlockPurge } from './tmpfs/advlock.js';
export { I_USE, I_NLINK, I_GEN, iw } from './store/inode.js';
export { POLLIN, POLLOUT, X_OK } from './constants.js';
export { WatchHub, type WatchBridge } from './vfs/watch.js';
export { limboPending, limboReclaim } from './store/slab.js';
export { DIR_EOF } from './store/dirtab.js';
