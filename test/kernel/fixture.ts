/**
 * A kernel without the Node facade, for tests of the layers below it.
 */

import { Tmpfs, type TmpfsOptions } from '../../packages/core/src/tmpfs/tmpfs.js';
import { systemClock } from '../../packages/core/src/vfs/clock.js';
import { Kernel } from '../../packages/core/src/vfs/kernel.js';
import { Proc } from '../../packages/core/src/vfs/proc.js';
import type { Cred } from '../../packages/core/src/vfs/sys.js';

export interface KernelFixture {
  fs: Tmpfs;
  kernel: Kernel;
  proc(cred?: Partial<Cred>, umask?: number): Proc;
}

export function kernelFixture(options: TmpfsOptions = {}): KernelFixture {
  const fs = Tmpfs.create(options);
  const kernel = new Kernel(fs, systemClock, () => fs.st.nextId());
  return {
    fs,
    kernel,
    proc(cred = {}, umask = 0) {
      const root = kernel.rootMount.root;
      for (let i = 0; i < 2; i++) {
        kernel.vref(root);
        kernel.hold(root);
      }
      const c: Cred = { uid: cred.uid ?? 0, gid: cred.gid ?? 0, groups: cred.groups ?? [cred.gid ?? 0] };
      return new Proc(kernel, { cred: c, umask, root, cwd: root });
    },
  };
}
