/**
 * Metadata cases: the namespace operations of the anchor table in the
 * project's targets. Where an operation looks names up in a big directory
 * (rename, readdir), the directory holds 1,000 entries.
 */

import type { FsLike } from '../peers.js';
import { microSection, type MicroCase } from './micro.js';

const ENTRIES = 1000;

function fill(fs: FsLike, dir: string, count: number): void {
  fs.mkdirSync(dir, { recursive: true });
  for (let i = 0; i < count; i++) fs.writeFileSync(`${dir}/entry-${String(i).padStart(4, '0')}`, '');
}

const hundredBytes = new Uint8Array(100).fill(0x61);

export const metadataCases: readonly MicroCase[] = [
  {
    name: 'stat',
    title: 'stat, depth 4',
    unit: 'ops/s',
    prepare({ fs, dir }) {
      const path = `${dir}/a/b/c/file`;
      fs.mkdirSync(`${dir}/a/b/c`, { recursive: true });
      fs.writeFileSync(path, hundredBytes);
      return {
        sync: () => void fs.statSync(path),
        promise: async () => void (await fs.promises.stat(path)),
      };
    },
  },
  {
    name: 'create-write-unlink',
    title: 'create+write 100 B+close, unlink',
    unit: 'ops/s',
    prepare({ fs, dir }) {
      fs.mkdirSync(`${dir}/w`);
      const path = `${dir}/w/file`;
      return {
        sync() {
          const fd = fs.openSync(path, 'w');
          fs.writeSync(fd, hundredBytes, 0, 100, null);
          fs.closeSync(fd);
          fs.unlinkSync(path);
        },
        async promise() {
          const fh = await fs.promises.open(path, 'w');
          await fh.write(hundredBytes, 0, 100, null);
          await fh.close();
          await fs.promises.unlink(path);
        },
      };
    },
  },
  {
    name: 'mkdir-rmdir',
    title: 'mkdir+rmdir',
    unit: 'ops/s',
    prepare({ fs, dir }) {
      fs.mkdirSync(`${dir}/m`);
      const path = `${dir}/m/sub`;
      return {
        sync() {
          fs.mkdirSync(path);
          fs.rmdirSync(path);
        },
        async promise() {
          await fs.promises.mkdir(path);
          await fs.promises.rmdir(path);
        },
      };
    },
  },
  {
    name: 'readdir-1000',
    title: 'readdir, 1000 entries',
    unit: 'ops/s',
    prepare({ fs, dir }) {
      const path = `${dir}/r`;
      fill(fs, path, ENTRIES);
      return {
        sync: () => void fs.readdirSync(path),
        promise: async () => void (await fs.promises.readdir(path)),
      };
    },
  },
  {
    name: 'rename',
    title: 'rename in a directory (1000 entries)',
    unit: 'ops/s',
    prepare({ fs, dir }) {
      const path = `${dir}/n`;
      fill(fs, path, ENTRIES);
      fs.writeFileSync(`${path}/a`, hundredBytes);
      // Each call renames the file to the other name: one rename per call.
      let there = false;
      return {
        sync() {
          if (there) fs.renameSync(`${path}/b`, `${path}/a`);
          else fs.renameSync(`${path}/a`, `${path}/b`);
          there = !there;
        },
        async promise() {
          if (there) await fs.promises.rename(`${path}/b`, `${path}/a`);
          else await fs.promises.rename(`${path}/a`, `${path}/b`);
          there = !there;
        },
      };
    },
  },
  {
    name: 'open-close',
    title: 'open+close',
    unit: 'ops/s',
    prepare({ fs, dir }) {
      fs.mkdirSync(`${dir}/o`);
      const path = `${dir}/o/file`;
      fs.writeFileSync(path, hundredBytes);
      return {
        sync: () => fs.closeSync(fs.openSync(path, 'r')),
        async promise() {
          const fh = await fs.promises.open(path, 'r');
          await fh.close();
        },
      };
    },
  },
];

export const metadata = microSection('metadata', 'Metadata', metadataCases);
