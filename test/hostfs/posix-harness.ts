/**
 * The conformance suite's harness (test/setups.ts), on a hostfs mount: the
 * working directory `dir` lives on a host directory mapped at /mnt/host, so
 * rules written once against the Harness shape, with the conformance
 * helpers, run unchanged against the host through hostfs. Two setups, as
 * there: acting as root, and as an unprivileged user. After each test the
 * sentinel tree outside the mapped root must be untouched.
 */

import { afterEach, beforeEach, describe, expect } from 'vitest';
import { createVfs, hostFs, tmpfs } from '@actorvfs/core';
import type { Cred, Harness, Setup } from '../setups.js';
import { cleanup, makeBase, snapshotOutside, type OutsideSnapshot } from './helpers.js';

function onHost(name: string, cred: Cred): Setup & { base?: { base: string; outside: string } } {
  const setup: Setup & { base?: { base: string; root: string; outside: string } } = {
    name,
    privileged: cred.uid === 0,
    async create(): Promise<Harness> {
      const base = makeBase();
      setup.base = base;
      const vfs = createVfs();
      vfs.fs.mkdirSync('/mnt/host', { recursive: true });
      vfs.mount('/mnt/host', hostFs({ path: base.root }));
      const admin = vfs.context({ uid: 0, gid: 0, groups: [0], umask: 0 });
      const dir = '/mnt/host/work';
      admin.mkdirSync(dir, 0o755);
      admin.chownSync(dir, cred.uid, cred.gid);
      const as = (c: Cred) =>
        vfs.context({
          uid: c.uid,
          gid: c.gid,
          groups: c.groups ?? [c.gid],
          umask: c.umask ?? 0,
          ...(c.root !== undefined ? { root: c.root } : {}),
          ...(c.cwd !== undefined ? { cwd: c.cwd } : {}),
        });
      return {
        fs: as(cred),
        admin,
        cred: { ...cred },
        dir,
        as,
        mountTmpfs: async (path, options = {}) => vfs.mount(path, tmpfs(options), options),
        unmount: async (path) => vfs.unmount(path),
        remount: async (path, options) => vfs.remount(path, options),
        close: async () => {
          cleanup({ base: base.base, vfs, mnt: '/mnt/host' });
        },
      };
    },
  };
  return setup;
}

export const hostSetups = [onHost('hostfs as root', { uid: 0, gid: 0, groups: [0] }), onHost('hostfs as user', { uid: 1000, gid: 1000, groups: [1000] })];

/** forEachSetup (test/setups.ts) over the hostfs setups. */
export function forEachHostSetup(title: string, body: (h: () => Harness, setup: Setup) => void): void {
  for (const setup of hostSetups) {
    describe(`${title} [${setup.name}]`, () => {
      let harness: Harness | undefined;
      let before: OutsideSnapshot | undefined;
      beforeEach(async () => {
        harness = await setup.create();
        before = snapshotOutside(setup.base!);
      });
      afterEach(async () => {
        try {
          expect(snapshotOutside(setup.base!), 'outside the mapped root').toEqual(before);
        } finally {
          await harness?.close();
          harness = undefined;
        }
      });
      body(() => {
        if (harness === undefined) throw new Error('harness used outside a test');
        return harness;
      }, setup);
    });
  }
}
