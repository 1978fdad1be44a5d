/** The machine, the versions and the options of a run, recorded with its results. */

import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { nativeTempPrefix } from '../peers.js';
import type { RunOptions } from '../types.js';

export interface RunMeta {
  date: string;
  os: string;
  cpus: string;
  cpuCount: number;
  memoryGiB: number;
  loadAverage: number[];
  node: string;
  versions: Record<string, string>;
  /** Where native runs: the tmpfs directory. */
  nativeDir: string;
  options: RunOptions;
  durationSec?: number;
}

/** The version in the package.json of an installed package (walks up from its entry point). */
function versionOf(name: string): string {
  const require = createRequire(import.meta.url);
  try {
    let dir = dirname(require.resolve(name));
    for (;;) {
      const file = join(dir, 'package.json');
      if (existsSync(file)) {
        const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
        if (pkg.name === name) return pkg.version ?? '?';
      }
      const up = dirname(dir);
      if (up === dir) return '?';
      dir = up;
    }
  } catch {
    return '?';
  }
}

export function runMeta(options: RunOptions): RunMeta {
  const cpus = os.cpus();
  return {
    date: new Date().toISOString(),
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    cpus: `${cpus.length} × ${cpus[0]?.model.trim() ?? 'unknown'}`,
    cpuCount: cpus.length,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    loadAverage: os.loadavg().map((l) => Math.round(l * 100) / 100),
    node: process.version,
    versions: {
      '@actorvfs/core': versionOf('@actorvfs/core'),
      memfs: versionOf('memfs'),
      '@zenfs/core': versionOf('@zenfs/core'),
      tinybench: versionOf('tinybench'),
    },
    nativeDir: dirname(nativeTempPrefix()),
    options,
  };
}

export function describeMeta(m: RunMeta): string {
  const v = m.versions;
  return (
    `${m.date.slice(0, 16).replace('T', ' ')} UTC · ${m.cpus}, ${m.memoryGiB} GiB · ${m.os} · Node ${m.node} · ` +
    `actorvfs ${v['@actorvfs/core']}, memfs ${v.memfs}, @zenfs/core ${v['@zenfs/core']}, tinybench ${v.tinybench} · ` +
    `native fs on ${m.nativeDir} · ${m.options.quick ? 'quick' : 'full'} run${m.options.filter !== null ? `, filter /${m.options.filter}/` : ''}`
  );
}
