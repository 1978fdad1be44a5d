/**
 * The parent side of a run. Every plan of every section runs in a child
 * process of its own (JIT and GC state of one section never colours
 * another); the children run one after another so they do not compete for
 * the two cores. The parent enforces deadlines: a child silent for longer
 * than its current task allows is killed, the task is reported as failed,
 * and a new child carries on with the rest of the plan.
 */

import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { sections } from './cases/registry.js';
import { removeNativeLeftovers } from './peers.js';
import type { Progress } from './progress.js';
import { formatValue } from './report/format.js';
import { SUBJECTS, type ChildMessage, type Form, type JobPlan, type JobSpec, type ResultRecord, type RunOptions, type SubjectName, type TaskRef } from './types.js';

const CLI = fileURLToPath(new URL('./cli.js', import.meta.url));
/** How long a child may take to load before its first task starts. */
const STARTUP_MS = 60_000;

export function planRun(options: RunOptions): JobPlan[] {
  return sections.flatMap((s) => s.plan(options));
}

export async function runSuite(options: RunOptions, progress: Progress): Promise<ResultRecord[]> {
  const plans = planRun(options);
  progress.begin(plans.reduce((n, p) => n + p.tasks.length, 0));
  const records: ResultRecord[] = [];
  try {
    for (const plan of plans) await runPlan(plan, options, records, progress);
  } finally {
    progress.finish();
  }
  return records;
}

interface Outcome {
  finished: Set<string>;
  /** The task that was running when the child ended early. */
  current: string | undefined;
  /** The last progress note of the running task ("actorvfs, round 2", "N=65000"). */
  lastNote: string;
  reason: string;
}

async function runPlan(plan: JobPlan, options: RunOptions, records: ResultRecord[], progress: Progress): Promise<void> {
  let remaining: TaskRef[] = plan.tasks;
  while (remaining.length > 0) {
    const spec: JobSpec = { section: plan.section, key: plan.key, tasks: remaining.map((t) => t.id), options };
    const outcome = await runChild(spec, plan, records, progress);
    remaining = remaining.filter((t) => !outcome.finished.has(t.id));
    if (remaining.length === 0) break;
    // The child ended early: the running task failed; if none was running,
    // the child could not even start, and the rest of the plan fails with it.
    const failed = outcome.current === undefined ? remaining : remaining.filter((t) => t.id === outcome.current);
    for (const t of failed) {
      records.push(...failureRecords(t, outcome.reason, outcome.current === t.id ? outcome.lastNote : ''));
      progress.end(t.label, `FAILED: ${outcome.reason}`);
    }
    progress.note(`! ${failed.map((t) => t.id).join(', ')}: ${outcome.reason}`);
    remaining = remaining.filter((t) => !failed.includes(t));
  }
}

function runChild(spec: JobSpec, plan: JobPlan, records: ResultRecord[], progress: Progress): Promise<Outcome> {
  return new Promise((resolve) => {
    const child: ChildProcess = fork(CLI, ['__child', JSON.stringify(spec)], {
      execArgv: ['--expose-gc'],
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    });
    const finished = new Set<string>();
    let current: string | undefined;
    let deadlineMs = STARTUP_MS;
    let lastNote = '';
    let killedFor = '';
    let done = false;
    let stderr = '';
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (chunk: string) => {
      stderr = (stderr + chunk).slice(-4000);
    });

    let timer: NodeJS.Timeout | undefined;
    const arm = (): void => {
      if (timer !== undefined) clearTimeout(timer);
      timer = setTimeout(() => {
        killedFor = `no progress for ${deadlineMs / 1000} s${lastNote !== '' ? ` (reached ${lastNote})` : ''}; killed`;
        child.kill('SIGKILL');
      }, deadlineMs);
    };
    arm();

    child.on('message', (raw) => {
      const m = raw as ChildMessage;
      switch (m.t) {
        case 'start':
          current = m.task;
          deadlineMs = m.deadlineMs;
          lastNote = '';
          progress.start(labelOf(plan, m.task));
          break;
        case 'beat':
          if (m.deadlineMs !== undefined) deadlineMs = m.deadlineMs;
          if (m.note !== undefined) {
            lastNote = m.note;
            progress.detail(m.note);
          }
          break;
        case 'result':
          records.push(m.record);
          break;
        case 'end':
          finished.add(m.task);
          current = undefined;
          progress.end(labelOf(plan, m.task), summary(records, m.task));
          break;
        case 'done':
          done = true;
          break;
      }
      arm();
    });

    child.on('exit', (code, signal) => {
      if (timer !== undefined) clearTimeout(timer);
      if (child.pid !== undefined) removeNativeLeftovers(child.pid);
      const lastLine = stderr.trim().split('\n').filter((l) => /Error|error|at /.test(l))[0] ?? stderr.trim().split('\n').pop() ?? '';
      const reason =
        killedFor !== ''
          ? killedFor
          : done
            ? 'child ended'
            : `child exited (${signal ?? `code ${code}`})${lastLine !== '' ? `: ${lastLine.trim()}` : ''}`;
      resolve({ finished, current, lastNote, reason });
    });
  });
}

function labelOf(plan: JobPlan, task: string): string {
  return plan.tasks.find((t) => t.id === task)?.label ?? task;
}

/** One line for the progress log: the task's figures, or its error. */
function summary(records: ResultRecord[], task: string): string {
  const [section, name, subject, form] = task.split('/');
  const mine = records.filter((r) => r.section === section && r.case === name && r.form === form && (subject === '*' || r.subject === subject));
  if (mine.length === 0) return 'no result';
  const one = (r: ResultRecord): string => {
    if (r.error !== undefined) return `FAILED: ${r.error}`;
    const at = r.param !== undefined ? ` at N=${r.param.toLocaleString('en-US')}` : '';
    return `${formatValue(r.value, r.unit)} ${r.unit}${at}`;
  };
  if (subject !== '*') return one(mine[mine.length - 1]!);
  return mine.map((r) => `${r.subject} ${r.error !== undefined ? 'FAILED' : formatValue(r.value, r.unit)}`).join(', ') + ` ${mine[0]!.unit}`;
}

/**
 * Records for a task that never reported: one per subject it covers. For a
 * task that measures all subjects in turns, the subject named in the last
 * progress note is the one that hung; the others were not measured.
 */
function failureRecords(t: TaskRef, reason: string, lastNote: string): ResultRecord[] {
  const [section = '', name = '', subject = '*', form = '-'] = t.id.split('/');
  const title = t.label.split(' · ')[0]!;
  const culprit = SUBJECTS.find((s) => lastNote.startsWith(s));
  const subjects: (SubjectName | 'limit')[] = subject === '*' ? [...SUBJECTS] : [subject as SubjectName | 'limit'];
  return subjects.map((s) => ({
    task: `${section}/${name}/${s}/${form}`,
    section,
    case: name,
    title,
    subject: s,
    form: form as Form,
    unit: '',
    value: NaN,
    better: 'higher',
    error: subject !== '*' || culprit === undefined || culprit === s ? reason : `not measured: ${culprit} hung in the same task`,
  }));
}
