/**
 * The results folder: results.json (machine, versions, every record),
 * report.html (charts and tables), results.md (the tables as Markdown),
 * and the two charts as ratios.svg and scaling.svg.
 * By default a new results/<timestamp>/ with results/latest pointing at it.
 */

import { cpSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import type { ResultRecord } from '../types.js';
import { htmlReport, ratioChart, scaleChart } from './html.js';
import { describeMeta, type RunMeta } from './meta.js';
import { buildTables, ratios } from './rows.js';
import { latencyMarkdown, markdownTable } from './table.js';

export const RESULTS_SCHEMA = 1;

export interface ResultsFile {
  schema: number;
  meta: RunMeta;
  records: ResultRecord[];
  /** actorvfs ÷ peer per row (above 1: actorvfs better), for tools that only want the gist. */
  ratios: { row: string; form: string; param?: number; variant?: string; ratios: Record<string, number> }[];
}

export function defaultOutDir(meta: RunMeta, root = 'results'): string {
  return resolve(root, meta.date.replace(/[:]/g, '-').replace(/\..*$/, ''));
}

export function writeResults(outDir: string, meta: RunMeta, records: ResultRecord[], options: { linkLatest: boolean }): string[] {
  mkdirSync(outDir, { recursive: true });
  const tables = buildTables(records);
  const file: ResultsFile = {
    schema: RESULTS_SCHEMA,
    meta,
    records,
    ratios: tables.rows.map((r) => ({
      row: `${r.section}/${r.case}`,
      form: r.form,
      ...(r.param !== undefined ? { param: r.param } : {}),
      ...(r.variant !== undefined ? { variant: r.variant } : {}),
      ratios: ratios(r),
    })),
  };
  const written = [join(outDir, 'results.json'), join(outDir, 'report.html'), join(outDir, 'results.md'), join(outDir, 'ratios.svg'), join(outDir, 'scaling.svg')];
  writeFileSync(written[0]!, `${JSON.stringify(file, null, 2)}\n`);
  writeFileSync(written[1]!, htmlReport(meta, tables));
  writeFileSync(written[2]!, `# actorvfs benchmarks\n\n${describeMeta(meta)}\n\n${markdownTable(tables)}\n\n## Latency (p50 / p99 per call)\n\n${latencyMarkdown(tables)}\n`);
  // The charts again as files, for a README or docs page to embed.
  writeFileSync(written[3]!, `${ratioChart(tables.rows)}\n`);
  writeFileSync(written[4]!, `${scaleChart(tables.rows)}\n`);
  if (options.linkLatest) linkLatest(outDir);
  return written;
}

/** results/latest -> the newest run (a copy where symlinks are not allowed). */
function linkLatest(outDir: string): void {
  const latest = join(dirname(outDir), 'latest');
  rmSync(latest, { recursive: true, force: true });
  try {
    symlinkSync(basename(outDir), latest, 'dir');
  } catch {
    cpSync(outDir, latest, { recursive: true });
  }
}

/** Read a results.json back (JSON turned NaN into null). */
export function readResults(path: string): ResultsFile {
  const file = JSON.parse(readFileSync(path, 'utf8')) as ResultsFile;
  if (file.schema !== RESULTS_SCHEMA) throw new Error(`${path}: results schema ${file.schema}, expected ${RESULTS_SCHEMA}`);
  for (const r of file.records) if ((r.value as number | null) === null) r.value = NaN;
  return file;
}
