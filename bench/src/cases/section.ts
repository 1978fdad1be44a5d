/**
 * A section is a group of cases that run in child processes of their own.
 * The parent asks it for a plan (which children, which tasks in each); each
 * child runs its tasks and reports through a Reporter. A new section (the
 * cross-thread cases of the shared mode) is one more entry in registry.ts.
 */

import type { JobPlan, JobSpec, ResultRecord, RunOptions } from '../types.js';

/** The child's channel to the parent. */
export interface Reporter {
  /** A task begins; it is killed if it stays silent for `deadlineMs`. */
  start(task: string, deadlineMs: number): void;
  /** Progress inside a long task; re-arms the deadline (optionally a new one). */
  beat(task: string, note?: string, deadlineMs?: number): void;
  result(record: ResultRecord): void;
  end(task: string): void;
}

export interface Section {
  readonly name: string;
  readonly title: string;
  /** The children to start, in order, with the tasks each runs. Empty if the filter excludes all. */
  plan(options: RunOptions): JobPlan[];
  /** In the child: run `job.tasks` (a suffix of a plan's tasks after a restart). */
  run(job: JobSpec, out: Reporter): Promise<void>;
}

/** Budgets of a run. */
export interface Budget {
  /** tinybench time per round and warmup time before the first round, ms. */
  timeMs: number;
  warmupMs: number;
  /**
   * Micro cases run in rounds, the subjects taking turns, and report the
   * median round: a burst of load from elsewhere on the machine then hits
   * every subject alike instead of one.
   */
  rounds: number;
  iterations: number;
  warmupIterations: number;
  /** Silence after which a micro task counts as hung. */
  taskDeadlineMs: number;
}

export function budget(options: RunOptions): Budget {
  return options.quick
    ? { timeMs: 75, warmupMs: 100, rounds: 2, iterations: 4, warmupIterations: 4, taskDeadlineMs: 30_000 }
    : { timeMs: 200, warmupMs: 250, rounds: 5, iterations: 8, warmupIterations: 8, taskDeadlineMs: 60_000 };
}

export function gc(): void {
  const g = (globalThis as { gc?: () => void }).gc;
  if (g !== undefined) {
    g();
    g();
  }
}

export function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
