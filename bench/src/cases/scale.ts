/**
 * Scale: N creates into one directory, N = 10^3 ... 10^6, timed one by one.
 * Each subject and form runs in a child of its own (memory and JIT start
 * clean). The figure per decade is the creates of that decade over their
 * time: a flat row means a create costs the same at a million entries as at
 * a thousand. A subject that runs past its time budget stops, and the
 * decade it was in is reported as partial; ZenFS is capped up front because
 * its creates grow quadratically (it rewrites the directory listing each time).
 */

import { performance } from 'node:perf_hooks';
import { openSubject, type Subject } from '../peers.js';
import { FORMS, SUBJECTS, selected, type Form, type JobPlan, type JobSpec, type ResultRecord, type RunOptions, type SubjectName } from '../types.js';
import { taskId } from './micro.js';
import { errorText, type Reporter, type Section } from './section.js';

const CASE = 'create-n';
const TITLE = 'create N files in one directory';

interface Limits {
  maxN: number;
  budgetMs: number;
  /** Silence (no create finished) after which the child counts as hung. */
  stallMs: number;
  warmupMs: number;
}

export function scaleLimits(options: RunOptions, subject: SubjectName, form: Form): Limits {
  const quick = options.quick;
  const common = { stallMs: quick ? 5_000 : 15_000, warmupMs: quick ? 300 : 1_000 };
  if (subject === 'zenfs') return { maxN: quick ? 1_000 : 10_000, budgetMs: quick ? 5_000 : 40_000, ...common };
  if (form === 'sync') return { maxN: quick ? 100_000 : 1_000_000, budgetMs: quick ? 8_000 : 60_000, ...common };
  return { maxN: quick ? 10_000 : 100_000, budgetMs: quick ? 4_000 : 20_000, ...common };
}

export const scale: Section = {
  name: 'scale',
  title: 'Scale',
  plan(options: RunOptions): JobPlan[] {
    if (!selected(options, `scale/${CASE}`)) return [];
    return SUBJECTS.flatMap((s) =>
      FORMS.map((f) => ({
        section: 'scale',
        key: `${s}/${f}`,
        tasks: [{ id: taskId('scale', CASE, s, f), label: `${TITLE} · ${s} ${f} (to ${scaleLimits(options, s, f).maxN.toLocaleString('en-US')})` }],
      })),
    );
  },
  async run(job: JobSpec, out: Reporter): Promise<void> {
    for (const id of job.tasks) {
      const [, , subject, form] = id.split('/') as [string, string, SubjectName, Form];
      const limits = scaleLimits(job.options, subject, form);
      out.start(id, limits.stallMs);
      let s: Subject | null = null;
      try {
        s = openSubject(subject);
        await createMany(s, form, limits, id, out);
      } catch (e) {
        out.result(record(id, subject, form, { error: errorText(e) }));
      }
      out.beat(id, 'cleanup', 180_000);
      s?.close();
      out.end(id);
    }
  },
};

function record(id: string, subject: SubjectName, form: Form, rest: Partial<ResultRecord>): ResultRecord {
  return { task: id, section: 'scale', case: CASE, title: TITLE, subject, form, unit: 'ops/s', value: NaN, better: 'higher', ...rest };
}

async function createMany(s: Subject, form: Form, limits: Limits, id: string, out: Reporter): Promise<void> {
  const { fs } = s;
  const dir = `${s.dir}/scale`;
  const subject = s.name;
  fs.mkdirSync(dir);
  await warmUp(s, form, limits.warmupMs);

  const deadline = performance.now() + limits.budgetMs;
  let nextBeat = performance.now() + 250;
  let decadeStart = 0;
  let decadeEnd = Math.min(1000, limits.maxN);
  let times = new Float64Array(decadeEnd);
  for (let i = 0; i < limits.maxN; i++) {
    const path = `${dir}/f${i}`;
    const t0 = performance.now();
    if (form === 'sync') fs.closeSync(fs.openSync(path, 'w'));
    else await (await fs.promises.open(path, 'w')).close();
    const t1 = performance.now();
    times[i - decadeStart] = t1 - t0;
    const done = i + 1;
    if (done === decadeEnd) {
      out.result(record(id, subject, form, { param: decadeEnd, ...summarise(times) }));
      decadeStart = decadeEnd;
      decadeEnd = Math.min(decadeEnd * 10, limits.maxN);
      times = new Float64Array(decadeEnd - decadeStart);
    }
    if (t1 >= nextBeat) {
      nextBeat = t1 + 250;
      out.beat(id, `N=${done}`);
      if (t1 > deadline && done < limits.maxN) {
        const partial = times.subarray(0, done - decadeStart);
        const note = `partial: time budget of ${limits.budgetMs / 1000} s ran out at N=${done.toLocaleString('en-US')}`;
        if (partial.length > 0) out.result(record(id, subject, form, { param: decadeEnd, note, ...summarise(partial) }));
        return;
      }
    }
  }
}

/**
 * Create and delete batches of files elsewhere until the JIT has settled
 * (a first thousand creates can run ten times slower than the next ones).
 */
async function warmUp(s: Subject, form: Form, ms: number): Promise<void> {
  const { fs } = s;
  const dir = `${s.dir}/warm`;
  const batch = s.name === 'zenfs' ? 100 : 500;
  fs.mkdirSync(dir);
  const end = performance.now() + ms;
  do {
    for (let i = 0; i < batch; i++) {
      const path = `${dir}/w${i}`;
      if (form === 'sync') fs.closeSync(fs.openSync(path, 'w'));
      else await (await fs.promises.open(path, 'w')).close();
    }
    for (let i = 0; i < batch; i++) fs.unlinkSync(`${dir}/w${i}`);
  } while (performance.now() < end);
  fs.rmdirSync(dir);
}

function summarise(times: Float64Array): Partial<ResultRecord> {
  let sum = 0;
  for (let i = 0; i < times.length; i++) sum += times[i]!;
  const sorted = Float64Array.from(times).sort();
  const at = (q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]! * 1000;
  const opsPerSec = (times.length * 1000) / sum;
  return {
    value: opsPerSec,
    opsPerSec,
    p50Us: at(0.5),
    p99Us: at(0.99),
    samples: times.length,
    // The mean can sit far above p99 when a few creates stall (a table doubling, a GC): max shows it.
    extra: { usPerCreate: (sum * 1000) / times.length, p999Us: at(0.999), maxUs: sorted[sorted.length - 1]! * 1000 },
  };
}
