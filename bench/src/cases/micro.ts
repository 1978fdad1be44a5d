/**
 * Micro cases: one operation (or a short fixed sequence) timed per call by
 * tinybench, on every subject, in the sync and the promise form. A section of
 * micro cases runs in one child. A task is one case in one form: all four
 * subjects are made ready, then measured in rounds, taking turns (the order
 * rotates each round), and each reports its median round.
 */

import { Bench } from 'tinybench';
import { openSubject, type Subject } from '../peers.js';
import { FORMS, SUBJECTS, selected, type Form, type JobPlan, type JobSpec, type ResultRecord, type RunOptions, type SubjectName } from '../types.js';
import { budget, errorText, gc, type Budget, type Reporter, type Section } from './section.js';

/** A case made ready on one subject: the operation in both forms. */
export interface Prepared {
  sync(): void;
  promise(): Promise<void>;
  close?(): void | Promise<void>;
}

export interface MicroCase {
  name: string;
  title: string;
  /** 'MB/s' cases also report ops/s; bytesPerOp converts. */
  unit: 'ops/s' | 'MB/s';
  bytesPerOp?: number;
  prepare(subject: Subject): Prepared | Promise<Prepared>;
}

export interface Measured {
  opsPerSec: number;
  p50Us: number;
  p99Us: number;
  samples: number;
}

/** Time `fn` with tinybench for `timeMs` (after `warmupMs`); ops/s is calls over the summed sample time. */
export async function measure(name: string, fn: () => unknown, isAsync: boolean, b: Budget, timeMs = b.timeMs, warmupMs = b.warmupMs): Promise<Measured> {
  const bench = new Bench({
    time: timeMs,
    warmup: warmupMs > 0,
    warmupTime: warmupMs,
    iterations: b.iterations,
    warmupIterations: b.warmupIterations,
    throws: true,
  });
  bench.add(name, fn, { async: isAsync });
  if (isAsync) await bench.run();
  else bench.runSync();
  const r = bench.tasks[0]!.result;
  if (r.state === 'errored') throw r.error;
  if (r.state !== 'completed') throw new Error(`tinybench task ended ${r.state}`);
  return {
    opsPerSec: 1000 / r.period,
    p50Us: r.latency.p50 * 1000,
    p99Us: r.latency.p99 * 1000,
    samples: r.latency.samplesCount,
  };
}

export function taskId(section: string, name: string, subject: string, form: Form): string {
  return `${section}/${name}/${subject}/${form}`;
}

export function microSection(name: string, title: string, cases: readonly MicroCase[]): Section {
  return {
    name,
    title,
    plan(options: RunOptions): JobPlan[] {
      const chosen = cases.filter((c) => selected(options, `${name}/${c.name}`));
      if (chosen.length === 0) return [];
      const tasks = chosen.flatMap((c) => FORMS.map((f) => ({ id: taskId(name, c.name, '*', f), label: `${c.title} · ${f}` })));
      return [{ section: name, key: name, tasks }];
    },
    async run(job: JobSpec, out: Reporter): Promise<void> {
      const b = budget(job.options);
      for (const id of job.tasks) {
        const [, caseName, , form] = id.split('/') as [string, string, string, Form];
        const c = cases.find((x) => x.name === caseName);
        if (c === undefined) continue;
        out.start(id, b.taskDeadlineMs);
        for (const record of await runCase(name, c, form, b, id, out)) out.result(record);
        out.end(id);
      }
    },
  };
}

interface Entry {
  name: SubjectName;
  subject: Subject | null;
  prepared: Prepared | null;
  rounds: Measured[];
  error?: string;
}

async function runCase(section: string, c: MicroCase, form: Form, b: Budget, id: string, out: Reporter): Promise<ResultRecord[]> {
  const entries: Entry[] = [];
  try {
    for (const s of SUBJECTS) {
      const entry: Entry = { name: s, subject: null, prepared: null, rounds: [] };
      entries.push(entry);
      out.beat(id, `${s}: preparing`);
      try {
        entry.subject = openSubject(s);
        entry.prepared = await c.prepare(entry.subject);
      } catch (e) {
        entry.error = errorText(e);
      }
    }
    gc();
    for (let round = 0; round < b.rounds; round++) {
      for (let k = 0; k < entries.length; k++) {
        const entry = entries[(k + round) % entries.length]!;
        if (entry.prepared === null || entry.error !== undefined) continue;
        const p = entry.prepared;
        out.beat(id, `${entry.name}, round ${round + 1}`);
        // A full warmup before the first round; later rounds re-heat caches only.
        const warm = round === 0 ? b.warmupMs : Math.min(50, b.warmupMs);
        try {
          const label = `${id}/${entry.name}`;
          entry.rounds.push(form === 'sync' ? await measure(label, () => p.sync(), false, b, b.timeMs, warm) : await measure(label, () => p.promise(), true, b, b.timeMs, warm));
        } catch (e) {
          entry.error = errorText(e);
        }
      }
    }
    return entries.map((e) => record(section, c, form, e));
  } finally {
    for (const e of entries) {
      try {
        await e.prepared?.close?.();
      } finally {
        e.subject?.close();
      }
    }
  }
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

function record(section: string, c: MicroCase, form: Form, e: Entry): ResultRecord {
  const subject = e.name;
  const base: ResultRecord = {
    task: taskId(section, c.name, subject, form),
    section,
    case: c.name,
    title: c.title,
    subject,
    form,
    unit: c.unit,
    value: NaN,
    better: 'higher',
  };
  if (e.error !== undefined || e.rounds.length === 0) return { ...base, error: e.error ?? 'no measurement' };
  const ops = e.rounds.map((r) => r.opsPerSec);
  const opsPerSec = median(ops);
  const mbPerSec = c.bytesPerOp !== undefined ? (opsPerSec * c.bytesPerOp) / 1e6 : undefined;
  return {
    ...base,
    value: c.unit === 'MB/s' ? mbPerSec! : opsPerSec,
    opsPerSec,
    ...(mbPerSec !== undefined ? { mbPerSec } : {}),
    p50Us: median(e.rounds.map((r) => r.p50Us)),
    p99Us: median(e.rounds.map((r) => r.p99Us)),
    samples: e.rounds.reduce((n, r) => n + r.samples, 0),
    extra: { rounds: ops.length, minOpsPerSec: Math.min(...ops), maxOpsPerSec: Math.max(...ops) },
  };
}
