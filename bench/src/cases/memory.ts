/**
 * Memory: bytes per empty file, bytes per MiB stored, and whether deleted
 * data comes back to the pool. Each task runs in a fresh child started with
 * --expose-gc and measures after forced collections.
 *
 *   actorvfs  pool pages in use (statfs: (blocks - bfree) * bsize) + JS heap
 *   memfs     JS heap + ArrayBuffers (file contents are Buffers)
 *   zenfs     the same
 *   native    tmpfs usage from statfs; kernel inodes are not visible there
 */

import { openSubject, type Subject } from '../peers.js';
import { SUBJECTS, selected, type JobPlan, type JobSpec, type ResultRecord, type RunOptions, type SubjectName } from '../types.js';
import { errorText, gc, type Reporter, type Section } from './section.js';

const MiB = 1 << 20;

interface MemoryCase {
  name: string;
  title: string;
  unit: string;
  better: 'higher' | 'lower';
  run(s: Subject, options: RunOptions): Partial<ResultRecord>;
}

/** Bytes this subject holds now, with its parts. */
function usage(s: Subject): { total: number; parts: Record<string, number> } {
  gc();
  const m = process.memoryUsage();
  if (s.pool !== undefined) {
    const p = s.pool();
    return { total: p.used + m.heapUsed, parts: { pool: p.used, reserved: p.reserved, heap: m.heapUsed } };
  }
  if (s.diskUsage !== undefined) {
    const d = s.diskUsage();
    return { total: d.bytes, parts: { tmpfs: d.bytes, inodes: d.inodes } };
  }
  return { total: m.heapUsed + m.arrayBuffers, parts: { heap: m.heapUsed, arrayBuffers: m.arrayBuffers } };
}

function delta(after: Record<string, number>, before: Record<string, number>, per: number): Record<string, number> {
  const out: Record<string, number> = {};
  for (const k of Object.keys(after)) out[`${k}Per`] = Math.round((after[k]! - (before[k] ?? 0)) / per);
  return out;
}

function writeMiBs(s: Subject, dir: string, count: number, fill: number): void {
  const block = new Uint8Array(MiB).fill(fill);
  for (let i = 0; i < count; i++) s.fs.writeFileSync(`${dir}/m${i}`, block);
}

const cases: readonly MemoryCase[] = [
  {
    name: 'empty-file',
    title: 'memory per empty file',
    unit: 'B/file',
    better: 'lower',
    run(s, options) {
      // N stays under actorvfs's vnode cache size (65,536), so the JS-heap
      // cache entry of every file is counted: the worst case per file.
      const n = s.name === 'zenfs' ? (options.quick ? 1_000 : 2_000) : options.quick ? 20_000 : 50_000;
      const dir = `${s.dir}/e`;
      s.fs.mkdirSync(dir);
      const before = usage(s);
      for (let i = 0; i < n; i++) s.fs.closeSync(s.fs.openSync(`${dir}/f${i}`, 'w'));
      const after = usage(s);
      if (s.name === 'native') {
        return { value: NaN, note: `kernel inode and dentry memory is not visible to statfs (${n} files)`, extra: delta(after.parts, before.parts, n) };
      }
      return { value: (after.total - before.total) / n, note: `N = ${n.toLocaleString('en-US')}`, extra: delta(after.parts, before.parts, n) };
    },
  },
  {
    name: 'per-mib',
    title: 'memory per MiB stored',
    unit: 'B/MiB',
    better: 'lower',
    run(s, options) {
      const count = options.quick ? 16 : 64;
      const dir = `${s.dir}/p`;
      s.fs.mkdirSync(dir);
      const before = usage(s);
      writeMiBs(s, dir, count, 0x6d);
      const after = usage(s);
      return { value: (after.total - before.total) / count, note: `${count} files of 1 MiB`, extra: delta(after.parts, before.parts, count) };
    },
  },
  {
    name: 'page-reuse',
    title: 'memory returned after delete',
    unit: '%',
    better: 'higher',
    run(s, options) {
      const count = options.quick ? 32 : 128;
      const dir = `${s.dir}/r`;
      s.fs.mkdirSync(dir);
      const empty = usage(s);
      writeMiBs(s, dir, count, 0x72);
      const full = usage(s);
      for (let i = 0; i < count; i++) s.fs.unlinkSync(`${dir}/m${i}`);
      const freed = usage(s);
      writeMiBs(s, dir, count, 0x73);
      const again = usage(s);
      const returned = (100 * (full.total - freed.total)) / (full.total - empty.total);
      const extra: Record<string, number> = {
        stored: count * MiB,
        afterWrite: full.total - empty.total,
        afterDelete: freed.total - empty.total,
        afterRewrite: again.total - empty.total,
      };
      if (full.parts.reserved !== undefined) {
        extra.reservedAfterWrite = full.parts.reserved;
        extra.reservedAfterRewrite = again.parts.reserved!;
        extra.usedAfterDelete = freed.parts.pool! - empty.parts.pool!;
      }
      const grew = extra.reservedAfterRewrite !== undefined && extra.reservedAfterRewrite > extra.reservedAfterWrite!;
      return {
        value: returned,
        note: `${count} MiB written, deleted, written again` + (grew ? '; the pool grew on the rewrite' : ''),
        extra,
      };
    },
  },
];

export const memory: Section = {
  name: 'memory',
  title: 'Memory',
  plan(options: RunOptions): JobPlan[] {
    return cases
      .filter((c) => selected(options, `memory/${c.name}`))
      .flatMap((c) =>
        SUBJECTS.map((s) => ({
          section: 'memory',
          key: `${c.name}/${s}`,
          tasks: [{ id: `memory/${c.name}/${s}/-`, label: `${c.title} · ${s}` }],
        })),
      );
  },
  async run(job: JobSpec, out: Reporter): Promise<void> {
    for (const id of job.tasks) {
      const [, name, subject] = id.split('/') as [string, string, SubjectName];
      const c = cases.find((x) => x.name === name);
      if (c === undefined) continue;
      out.start(id, job.options.quick ? 30_000 : 120_000);
      const base: ResultRecord = { task: id, section: 'memory', case: c.name, title: c.title, subject, form: '-', unit: c.unit, value: NaN, better: c.better };
      let s: Subject | null = null;
      try {
        s = openSubject(subject);
        out.result({ ...base, ...c.run(s, job.options) });
      } catch (e) {
        out.result({ ...base, error: errorText(e) });
      } finally {
        s?.close();
      }
      out.end(id);
    }
  },
};
