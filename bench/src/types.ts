/**
 * What the parent (runner.ts) and the child processes (child.ts) share: the
 * names of subjects and forms, the options of a run, the shape of one result,
 * and the messages a child sends over its IPC channel. Imports nothing.
 */

/** The file systems measured side by side. `limit` marks a physical limit. */
export type SubjectName = 'actorvfs' | 'memfs' | 'zenfs' | 'native';
export const SUBJECTS: readonly SubjectName[] = ['actorvfs', 'memfs', 'zenfs', 'native'];
export const PEERS: readonly SubjectName[] = ['memfs', 'zenfs', 'native'];

/** The API form a case is driven through. `-` for cases without one (memory, limits). */
export type Form = 'sync' | 'promise' | '-';
export const FORMS: readonly Form[] = ['sync', 'promise'];

export interface RunOptions {
  quick: boolean;
  /** Source of a RegExp matched against `section/case`; null selects everything. */
  filter: string | null;
}

/** Which way is better for a metric: throughput up, bytes and latency down. */
export type Better = 'higher' | 'lower';

/** One measurement: a case, on one subject, in one form (and at one N for scale cases). */
export interface ResultRecord {
  /** `section/case/subject/form`, unique within a plan. */
  task: string;
  section: string;
  case: string;
  /** Human title of the case, e.g. "stat, depth 4". */
  title: string;
  subject: SubjectName | 'limit';
  form: Form;
  /** The N of a scaling point (files created so far), when the case has one. */
  param?: number;
  /** Unit of `value`: 'ops/s', 'MB/s', 'B/file', 'B/MiB', '%', 'µs', 'GB/s', ... */
  unit: string;
  /** The headline figure in `unit`; NaN when the subject cannot be measured. */
  value: number;
  better: Better;
  opsPerSec?: number;
  mbPerSec?: number;
  /** Latency of one operation, microseconds. */
  p50Us?: number;
  p99Us?: number;
  samples?: number;
  /** Anything worth saying next to the number (a cap, a substitution). */
  note?: string;
  /** Set when the case failed or timed out on this subject. */
  error?: string;
  /** Secondary figures (reserved vs used bytes, ...). */
  extra?: Record<string, number | string>;
}

/** One task as the parent sees it before it runs. */
export interface TaskRef {
  id: string;
  label: string;
}

/** One child process: a section's tasks that run in it, in order. */
export interface JobPlan {
  section: string;
  /** Distinguishes plans of one section (e.g. the subject of a scale run). */
  key: string;
  tasks: TaskRef[];
}

/** What the parent hands a child on its command line. */
export interface JobSpec {
  section: string;
  key: string;
  tasks: string[];
  options: RunOptions;
}

/** Messages from a child to the parent. Every task is framed by start/end. */
export type ChildMessage =
  /** A task begins; the parent kills the child if nothing arrives for `deadlineMs`. */
  | { t: 'start'; task: string; deadlineMs: number }
  /** Still alive; `note` says how far it got (reported if it stalls later). */
  | { t: 'beat'; task: string; note?: string; deadlineMs?: number }
  | { t: 'result'; record: ResultRecord }
  | { t: 'end'; task: string }
  /** All tasks ran; the child is about to exit. */
  | { t: 'done' };

export function selected(options: RunOptions, name: string): boolean {
  return options.filter === null || new RegExp(options.filter).test(name);
}
