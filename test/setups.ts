/**
 * The setups every conformance test runs against. A test is written once,
 * against Node's fs API, and applied to each setup with `forEachSetup`.
 *
 * Each setup gives:
 *   fs     the file system under test, acting as the setup's credentials
 *   admin  the same file system acting as root (uid 0), for preparing cases
 *   as()   the same file system acting as any other user
 *   dir    an empty working directory owned by the setup's credentials
 *
 * Setups: in-thread (createVfs) and shared (SharedVfs: the tmpfs served by
 * an actor thread, read and changed from this thread through the shared
 * store and the actor's ring), each as root and as an unprivileged user.
 * The conformance suite runs in vitest's threads pool (vitest.config.ts), so
 * every setup is driven from a worker thread.
 */

import { afterEach, beforeEach, describe } from 'vitest';
import { createVfs, tmpfs, type MountOptions, type TmpfsOptions, type VfsFs } from '@actorvfs/core';
import { SharedVfs } from '@actorvfs/workers';

export interface Cred {
  uid: number;
  gid: number;
  groups?: number[];
  umask?: number;
  /** Confine the context to this directory (see vfs.context). */
  root?: string;
  cwd?: string;
}

export interface Harness {
  fs: VfsFs;
  admin: VfsFs;
  cred: Required<Pick<Cred, 'uid' | 'gid'>> & Cred;
  dir: string;
  as(cred: Cred): VfsFs;
  /** Mount a new tmpfs at `path` (an existing directory). */
  mountTmpfs(path: string, options?: MountOptions & TmpfsOptions): Promise<void>;
  unmount(path: string): Promise<void>;
  remount(path: string, options: MountOptions): Promise<void>;
  close(): Promise<void>;
}

export interface Setup {
  name: string;
  /** True when `fs` acts as uid 0. Tests of privilege rules branch on this. */
  privileged: boolean;
  create(): Promise<Harness>;
}

/** pjdfstest's users; the conformance suite uses these numbers throughout. */
export const USER = { uid: 65534, gid: 65534 } as const;
export const USER2 = { uid: 65533, gid: 65533 } as const;

function inThread(name: string, cred: Cred): Setup {
  return {
    name,
    privileged: cred.uid === 0,
    async create() {
      const vfs = createVfs();
      const admin = vfs.context({ uid: 0, gid: 0, groups: [0], umask: 0 });
      const dir = '/work';
      admin.mkdirSync(dir, 0o755);
      admin.chownSync(dir, cred.uid, cred.gid);
      const fs = vfs.context({ uid: cred.uid, gid: cred.gid, groups: cred.groups ?? [cred.gid], umask: cred.umask ?? 0 });
      return {
        fs,
        admin,
        cred: { ...cred },
        dir,
        as: (c: Cred) =>
          vfs.context({
            uid: c.uid,
            gid: c.gid,
            groups: c.groups ?? [c.gid],
            umask: c.umask ?? 0,
            ...(c.root !== undefined ? { root: c.root } : {}),
            ...(c.cwd !== undefined ? { cwd: c.cwd } : {}),
          }),
        mountTmpfs: async (path, options = {}) => vfs.mount(path, tmpfs(options), options),
        unmount: async (path) => vfs.unmount(path),
        remount: async (path, options) => vfs.remount(path, options),
        close: async () => {},
      };
    },
  };
}

function contextOf(c: Cred) {
  return {
    uid: c.uid,
    gid: c.gid,
    groups: c.groups ?? [c.gid],
    umask: c.umask ?? 0,
    ...(c.root !== undefined ? { root: c.root } : {}),
    ...(c.cwd !== undefined ? { cwd: c.cwd } : {}),
  };
}

function shared(name: string, cred: Cred): Setup {
  return {
    name,
    privileged: cred.uid === 0,
    async create() {
      const svfs = await SharedVfs.create({ spareRegions: 8 });
      const admin = svfs.context({ uid: 0, gid: 0, groups: [0], umask: 0 });
      const dir = '/work';
      admin.mkdirSync(dir, 0o755);
      admin.chownSync(dir, cred.uid, cred.gid);
      return {
        fs: svfs.context(contextOf(cred)),
        admin,
        cred: { ...cred },
        dir,
        as: (c: Cred) => svfs.context(contextOf(c)),
        mountTmpfs: (path, options = {}) => svfs.mount(path, options),
        unmount: (path) => svfs.unmount(path),
        remount: (path, options) => svfs.remount(path, options),
        close: () => svfs.close(),
      };
    },
  };
}

export const setups: Setup[] = [
  inThread('in-thread as root', { uid: 0, gid: 0, groups: [0] }),
  inThread('in-thread as user', { uid: 1000, gid: 1000, groups: [1000] }),
  shared('shared as root', { uid: 0, gid: 0, groups: [0] }),
  shared('shared as user', { uid: 1000, gid: 1000, groups: [1000] }),
];

/**
 * Declare a suite once per setup. `body` receives a getter for the current
 * harness (fresh per test).
 */
export function forEachSetup(title: string, body: (h: () => Harness, setup: Setup) => void): void {
  for (const setup of setups) {
    describe(`${title} [${setup.name}]`, () => {
      let harness: Harness | undefined;
      beforeEach(async () => {
        harness = await setup.create();
      });
      afterEach(async () => {
        await harness?.close();
        harness = undefined;
      });
      body(() => {
        if (harness === undefined) throw new Error('harness used outside a test');
        return harness;
      }, setup);
    });
  }
}
