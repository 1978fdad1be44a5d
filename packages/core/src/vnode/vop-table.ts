/**
 * The vnode operation table, written once as data (after NetBSD's
 * sys/kern/vnode_if.src). Types, dispatch, docs (docs/vnode-ops.md is
 * generated from it by `node scripts/gen-vop-doc.js`) and debug assertions
 * all derive from this table.
 *
 * Lock columns give each vnode argument's state on entry, on success and on
 * error (ops marked optimistic may instead run unlocked inside a validated
 * optimistic read, see VopSpec.optimistic):
 *   S  locked shared        E  locked exclusive        U  unlocked
 *   -  not applicable (the argument is not a vnode or does not exist yet)
 *
 * Kinds say where and how an op runs:
 *   read    a plain call in the caller's thread, under the caller's lock
 *   io      a generator (it may wait) in the caller's thread; it takes the
 *           locks it needs itself
 *   mutate  a plain call run by the mount's actor, the single writer of the
 *           mount's metadata (in embedded mode the actor is the caller
 *           itself); it takes the locks it needs itself. Callers reach it
 *           through a generator that waits for the actor's answer.
 *
 * Reference ownership: `returns` says whether a returned vnode carries a
 * reference (USE count) the caller must release with vrele. A "handle" is a
 * bare cached Vnode with no reference: valid until its generation changes.
 */

export type LockState = 'S' | 'E' | 'U' | '-';
export type VopKind = 'read' | 'io' | 'mutate';

export interface VopSpec {
  readonly kind: VopKind;
  /** Argument names in order. Vnode arguments are first. */
  readonly args: readonly string[];
  /** Lock state of each vnode argument: [entry, success, error]. */
  readonly locks: Readonly<Record<string, readonly [LockState, LockState, LockState]>>;
  /** What the op returns and who owns its references. */
  readonly returns: string;
  /**
   * May also be called without the lock, inside an optimistic read window
   * (MountedFs.readBegin .. readValid). Such a call may see a torn state: it
   * may return nonsense or throw, but must never write, block or loop
   * forever; the caller discards what it got unless readValid says yes.
   */
  readonly optimistic?: boolean;
  /** Version, bumped whenever the op's contract changes. */
  readonly version: number;
  readonly summary: string;
}

const UUU = ['U', 'U', 'U'] as const;
const SSS = ['S', 'S', 'S'] as const;

export const VOP_TABLE = {
  lookup: {
    kind: 'read',
    optimistic: true,
    args: ['dvp', 'name', 'nameLen'],
    locks: { dvp: SSS },
    returns: 'child handle (unreferenced, unlocked), or null if absent; whiteouts are absent',
    version: 1,
    summary: 'Find a name in a directory. The caller has checked search permission.',
  },
  access: {
    kind: 'read',
    optimistic: true,
    args: ['vp', 'mode', 'cred'],
    locks: { vp: SSS },
    returns: 'nothing; throws EACCES/EROFS/EPERM',
    version: 1,
    summary: 'Check R_OK/W_OK/X_OK for cred against the node (the single access() rule).',
  },
  getattr: {
    kind: 'read',
    optimistic: true,
    args: ['vp', 'out'],
    locks: { vp: SSS },
    returns: 'nothing; fills the StatBuf',
    version: 1,
    summary: 'Read attributes.',
  },
  readlink: {
    kind: 'read',
    optimistic: true,
    args: ['vp'],
    locks: { vp: SSS },
    returns: 'the target string',
    version: 1,
    summary: 'Read a symlink target.',
  },
  readdir: {
    kind: 'read',
    args: ['vp', 'pos', 'max', 'out'],
    locks: { vp: SSS },
    returns: 'the position after the last entry returned (DIR_EOF at the end)',
    version: 1,
    summary: 'Append up to max entries from position pos to out. Positions are stable while the directory changes.',
  },
  pathconf: {
    kind: 'read',
    args: ['vp', 'name'],
    locks: { vp: UUU },
    returns: 'the value; EINVAL for an unknown name',
    version: 1,
    summary: 'pathconf(3) limits.',
  },
  seekhole: {
    kind: 'read',
    args: ['vp', 'pos', 'whence'],
    locks: { vp: SSS },
    returns: 'offset of the next data (SEEK_DATA) or hole (SEEK_HOLE); ENXIO past EOF',
    version: 1,
    summary: 'Find data or holes in a sparse file.',
  },
  open: {
    kind: 'io',
    args: ['vp', 'file', 'cred'],
    locks: { vp: UUU },
    returns: 'nothing; may wait (a FIFO waits for its peer)',
    version: 1,
    summary: 'Prepare a node for an open file description (FIFO ends, devices).',
  },
  close: {
    kind: 'io',
    args: ['vp', 'file'],
    locks: { vp: UUU },
    returns: 'nothing',
    version: 1,
    summary: 'Last close of an open file description.',
  },
  read: {
    kind: 'io',
    args: ['vp', 'file', 'buf', 'off', 'len', 'pos'],
    locks: { vp: UUU },
    returns: 'bytes read, 0 at EOF; may wait (FIFOs, streams)',
    version: 1,
    summary: 'Read data. Regular files take the vnode lock shared.',
  },
  write: {
    kind: 'io',
    args: ['vp', 'file', 'buf', 'off', 'len', 'pos'],
    locks: { vp: UUU },
    returns: 'bytes written; may wait (FIFOs, streams)',
    version: 1,
    summary: 'Write data (pos -1 with O_APPEND: at EOF, atomically). Regular files take the vnode lock exclusive.',
  },
  fsync: {
    kind: 'io',
    args: ['vp', 'file'],
    locks: { vp: UUU },
    returns: 'nothing',
    version: 1,
    summary: 'Flush (memory file systems: nothing to do).',
  },
  advlock: {
    kind: 'io',
    args: ['vp', 'owner', 'op', 'lock', 'flags'],
    locks: { vp: UUU },
    returns: 'for F_GETLK the conflicting lock; may wait (F_SETLKW, blocking flock)',
    version: 1,
    summary: 'Advisory byte-range (fcntl) and whole-file (flock) locks.',
  },
  poll: {
    kind: 'io',
    args: ['vp', 'file', 'events', 'timeoutMs'],
    locks: { vp: UUU },
    returns: 'the ready events (POLLIN, POLLOUT, POLLERR, POLLHUP), 0 when timeoutMs passed first; may wait',
    version: 1,
    summary: 'Readiness of an open file (poll(2)). Files that never block are always ready for what their mode allows.',
  },
  create: {
    kind: 'mutate',
    args: ['dvp', 'name', 'nameLen', 'attr', 'cred'],
    locks: { dvp: UUU },
    returns: 'the new node, referenced (the caller vreles it); EEXIST if the name exists',
    version: 1,
    summary: 'Create a regular file, FIFO, device or socket node.',
  },
  mkdir: {
    kind: 'mutate',
    args: ['dvp', 'name', 'nameLen', 'attr', 'cred'],
    locks: { dvp: UUU },
    returns: 'nothing',
    version: 1,
    summary: 'Create a directory.',
  },
  symlink: {
    kind: 'mutate',
    args: ['dvp', 'name', 'nameLen', 'target', 'attr', 'cred'],
    locks: { dvp: UUU },
    returns: 'nothing',
    version: 1,
    summary: 'Create a symbolic link.',
  },
  link: {
    kind: 'mutate',
    args: ['dvp', 'vp', 'name', 'nameLen', 'cred'],
    locks: { dvp: UUU, vp: UUU },
    returns: 'nothing',
    version: 1,
    summary: 'Add a hard link to vp in dvp.',
  },
  remove: {
    kind: 'mutate',
    args: ['dvp', 'name', 'nameLen', 'cred'],
    locks: { dvp: UUU },
    returns: 'nothing; the node is freed when its last link and reference go',
    version: 1,
    summary: 'Remove a non-directory entry (unlink).',
  },
  rmdir: {
    kind: 'mutate',
    args: ['dvp', 'name', 'nameLen', 'cred'],
    locks: { dvp: UUU },
    returns: 'nothing',
    version: 1,
    summary: 'Remove an empty directory.',
  },
  rename: {
    kind: 'mutate',
    args: ['fdvp', 'tdvp', 'fname', 'fnameLen', 'tname', 'tnameLen', 'cred'],
    locks: { fdvp: UUU, tdvp: UUU },
    returns: 'nothing',
    version: 1,
    summary: 'Full POSIX rename, atomic with respect to every reader.',
  },
  setattr: {
    kind: 'mutate',
    args: ['vp', 'attr', 'cred'],
    locks: { vp: UUU },
    returns: 'nothing',
    version: 1,
    summary: 'Change mode, owner, times, size or flags (each change checked separately).',
  },
  whiteout: {
    kind: 'mutate',
    args: ['dvp', 'name', 'nameLen', 'op'],
    locks: { dvp: UUU },
    returns: 'nothing',
    version: 1,
    summary: 'Create or delete a whiteout entry (union mounts).',
  },
  inactive: {
    kind: 'mutate',
    args: ['vp'],
    locks: { vp: UUU },
    returns: 'nothing',
    version: 1,
    summary: 'The last reference went away: free the node if it has no links left.',
  },
} as const satisfies Record<string, VopSpec>;

export type VopName = keyof typeof VOP_TABLE;

export const VOP_NAMES = Object.keys(VOP_TABLE) as VopName[];

/** Ops that change metadata and run on the mount's actor. */
export const MUTATING_VOPS = VOP_NAMES.filter((n) => VOP_TABLE[n].kind === 'mutate');
