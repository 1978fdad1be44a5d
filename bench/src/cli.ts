#!/usr/bin/env node
/**
 * avfs: the actorvfs command.
 *
 *   avfs bench [--quick] [--filter REGEX] [--out DIR] [--list] [--quiet]
 *   avfs report RESULTS.json [--out DIR]
 *   avfs shell [--script]
 *   avfs help
 */

import { dirname, resolve } from 'node:path';
import { runChild } from './child.js';
import { Progress } from './progress.js';
import { buildTables } from './report/rows.js';
import { describeMeta, runMeta } from './report/meta.js';
import { textTable } from './report/table.js';
import { defaultOutDir, readResults, writeResults } from './report/write.js';
import { planRun, runSuite } from './runner.js';
import { runShell } from './shell.js';
import type { RunOptions } from './types.js';

const USAGE = `avfs — actorvfs from the command line

  avfs bench [options]     run the benchmark suite against memfs, @zenfs/core and
                           Node's fs on tmpfs; print the table, write JSON and charts
      --quick              about a minute (smaller N, short timings); full run < 10 min
      --filter REGEX       only cases whose section/case name matches, e.g. stat,
                           'metadata/', 'seq-(read|write)', 'scale|memory'
      --out DIR            write results.json, report.html, results.md into DIR
                           (default: results/<timestamp>/, linked as results/latest)
      --list               print the cases that would run, and exit
      --quiet              no progress output

  avfs report FILE [--out DIR]
                           print the table of a results.json again and redraw its
                           report.html, results.md and charts (into DIR, default:
                           the folder of FILE)

  avfs shell [--script]    an interactive shell over a fresh in-memory file system
                           (ls, cd, cat, echo > file, mkdir, rm, mv, ln, stat, mount,
                           df, su, ...; 'help' lists them). Reads stdin when piped;
                           --script also echoes each command.

  avfs help                this text
`;

interface BenchArgs extends RunOptions {
  out: string | null;
  list: boolean;
  quiet: boolean;
}

function parseBenchArgs(argv: string[]): BenchArgs {
  const args: BenchArgs = { quick: false, filter: null, out: null, list: false, quiet: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new UsageError(`${a} needs a value`);
      return v;
    };
    if (a === '--quick') args.quick = true;
    else if (a === '--list') args.list = true;
    else if (a === '--quiet') args.quiet = true;
    else if (a === '--filter') args.filter = value();
    else if (a.startsWith('--filter=')) args.filter = a.slice(9);
    else if (a === '--out') args.out = value();
    else if (a.startsWith('--out=')) args.out = a.slice(6);
    else throw new UsageError(`unknown option ${a}`);
  }
  if (args.filter !== null) {
    try {
      new RegExp(args.filter);
    } catch (e) {
      throw new UsageError(`--filter: ${(e as Error).message}`);
    }
  }
  return args;
}

class UsageError extends Error {}

async function bench(argv: string[]): Promise<number> {
  const args = parseBenchArgs(argv);
  const options: RunOptions = { quick: args.quick, filter: args.filter };
  const plans = planRun(options);
  if (plans.length === 0) {
    process.stderr.write(`avfs bench: no case matches --filter ${args.filter}\n`);
    return 2;
  }
  if (args.list) {
    for (const p of plans) for (const t of p.tasks) process.stdout.write(`${t.id}\t${t.label}\n`);
    return 0;
  }
  const meta = runMeta(options);
  const progress = new Progress(process.stderr, args.quiet);
  if (!args.quiet) process.stderr.write(`avfs bench: ${describeMeta(meta)}\n`);
  const t0 = Date.now();
  const records = await runSuite(options, progress);
  meta.durationSec = (Date.now() - t0) / 1000;
  process.stdout.write(`\n${textTable(buildTables(records))}\n\n`);
  const outDir = args.out ?? defaultOutDir(meta);
  const files = writeResults(outDir, meta, records, { linkLatest: args.out === null });
  process.stdout.write(`${Math.round(meta.durationSec)} s. Results: ${files.join(', ')}\n`);
  return 0;
}

function report(argv: string[]): number {
  const file = argv.find((a) => !a.startsWith('--'));
  if (file === undefined) throw new UsageError('usage: avfs report RESULTS.json [--out DIR]');
  const o = argv.indexOf('--out');
  const outDir = o >= 0 ? argv[o + 1] : dirname(resolve(file));
  if (outDir === undefined) throw new UsageError('--out needs a value');
  const results = readResults(file);
  process.stdout.write(`${describeMeta(results.meta)}\n\n${textTable(buildTables(results.records))}\n\n`);
  const files = writeResults(outDir, results.meta, results.records, { linkLatest: false });
  process.stdout.write(`Wrote ${files.slice(1).join(', ')}\n`);
  return 0;
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'bench':
      return bench(rest);
    case 'report':
      return report(rest);
    case 'shell':
      return runShell({ script: rest.includes('--script') });
    case '__child':
      await runChild(rest[0] ?? '{}');
      return 0;
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(USAGE);
      return 0;
    default:
      process.stderr.write(`avfs: unknown command '${command}'\n\n${USAGE}`);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`avfs: ${e instanceof UsageError ? e.message : e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exitCode = e instanceof UsageError ? 2 : 1;
  },
);
