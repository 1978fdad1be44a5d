/**
 * The cross-thread cases of the shared mode (@actorvfs/workers): latency of
 * a stat and of a 4 KiB read from another thread, against the thread round
 * trips measured in the same child; pipelined async calls; read and
 * mutation throughput from 1 and 2 threads; hostFs against Node's fs. One
 * child runs them all; every task starts a fresh SharedVfs and fresh
 * workers (cases/xthread-*.ts, workers/xthread-*.ts).
 *
 * No case is named after "stat": `avfs bench --filter stat` selects the
 * in-thread stat case alone (test/bench-cli.test.ts relies on it), so the
 * remote stat is `xthread/getattr`.
 */

import * as nodeFs from 'node:fs';
import { nativeTempPrefix } from '../peers.js';
import { selected, type Form, type JobPlan, type JobSpec, type RunOptions } from '../types.js';
import { budget, errorText, type Reporter, type Section } from './section.js';
import { SECTION, record, type RoundTrips, type XTask } from './xthread-common.js';
import { hostfsCase } from './xthread-hostfs.js';
import { GETATTR, READ_4K, measureRoundTrips, remoteLatency } from './xthread-latency.js';
import { pipelined } from './xthread-pipelined.js';
import { mutationScaling, readScaling } from './xthread-scaling.js';

interface XCase {
  name: string;
  title: string;
  forms: readonly Form[];
  run(t: XTask): Promise<void>;
}

const cases: readonly XCase[] = [
  { name: 'getattr', title: 'stat from an attached worker', forms: ['sync'], run: (t) => remoteLatency(t, GETATTR) },
  { name: 'read-4k', title: 'random 4 KiB pread from an attached worker', forms: ['sync'], run: (t) => remoteLatency(t, READ_4K) },
  { name: 'pipelined', title: 'stat and mkdir+rmdir, 1/8/32 in flight, from an attached worker', forms: ['promise'], run: pipelined },
  { name: 'read-scaling', title: 'reads from 1 and 2 threads, shared vs separate instances', forms: ['sync'], run: readScaling },
  { name: 'mutation-scaling', title: 'mutations from 1 and 2 threads', forms: ['sync'], run: mutationScaling },
  { name: 'hostfs', title: 'hostFs vs Node fs, same directory', forms: ['sync', 'promise'], run: hostfsCase },
];

export const crossThread: Section = {
  name: SECTION,
  title: 'Cross-thread (shared mode)',
  plan(options: RunOptions): JobPlan[] {
    const chosen = cases.filter((c) => selected(options, `${SECTION}/${c.name}`));
    if (chosen.length === 0) return [];
    const tasks = chosen.flatMap((c) => c.forms.map((f) => ({ id: `${SECTION}/${c.name}/*/${f}`, label: `${c.title} · ${f}` })));
    return [{ section: SECTION, key: SECTION, tasks }];
  },
  async run(job: JobSpec, out: Reporter): Promise<void> {
    const execArgv = process.execArgv;
    process.execArgv = workerSafeExecArgv(execArgv);
    try {
      await runTasks(job, out);
    } finally {
      process.execArgv = execArgv;
    }
  },
};

/**
 * The benchmark child runs with --expose-gc, which Worker refuses in
 * execArgv; SharedVfs starts its actors with the process's execArgv (less
 * --conditions), so SharedVfs.create() would fail with
 * ERR_WORKER_INVALID_EXEC_ARGV. While the cases run, process.execArgv
 * leaves the flag out (globalThis.gc, set up at start, stays).
 */
function workerSafeExecArgv(argv: readonly string[]): string[] {
  return argv.filter((a) => a !== '--expose-gc' && a !== '--expose_gc');
}

async function runTasks(job: JobSpec, out: Reporter): Promise<void> {
  const b = budget(job.options);
  let roundTrips: Promise<RoundTrips> | null = null;
  for (const id of job.tasks) {
    const [, name, , form] = id.split('/') as [string, string, string, Form];
    const c = cases.find((x) => x.name === name);
    if (c === undefined) continue;
    out.start(id, b.taskDeadlineMs);
    const hostDir = nodeFs.mkdtempSync(nativeTempPrefix());
    const t: XTask = {
      id,
      caseName: name,
      form,
      b,
      out,
      hostDir,
      // Half the task's deadline: a stuck worker is reported by the case before the parent kills the child.
      requestDeadlineMs: b.taskDeadlineMs / 2,
      roundTrips() {
        roundTrips ??= measureRoundTrips(b).then((rt) => {
          out.result(rt.atomics);
          out.result(rt.postMessage);
          return rt;
        });
        return roundTrips;
      },
    };
    try {
      await c.run(t);
    } catch (e) {
      out.result(record(t, { subject: 'actorvfs', variant: 'failed', title: c.title, unit: '', value: NaN, error: errorText(e) }));
    } finally {
      nodeFs.rmSync(hostDir, { recursive: true, force: true });
    }
    out.end(id);
  }
}
