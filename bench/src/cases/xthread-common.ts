/**
 * What the cross-thread cases share: the task they run in, measurements in
 * rounds (every variant takes its turn each round, the order rotating, so a
 * burst of load from elsewhere hits all of them alike), and the records
 * they report. A case reports several rows; `extra.variant` tells them
 * apart (report/rows.ts keys rows by it).
 */

import type { Better, Form, ResultRecord, SubjectName } from '../types.js';
import type { Measured } from './micro.js';
import { errorText, type Budget, type Reporter } from './section.js';

export const SECTION = 'xthread';

/** The Atomics and postMessage round trips, measured in this child. */
export interface RoundTrips {
  atomics: ResultRecord;
  postMessage: ResultRecord;
}

export interface XTask {
  id: string;
  caseName: string;
  form: Form;
  b: Budget;
  out: Reporter;
  /** A fresh directory on tmpfs for native and hostFs, removed after the task. */
  hostDir: string;
  /** How long one request to a worker may take before the case fails. */
  requestDeadlineMs: number;
  /** Measured once per child, on first use (and reported as limit records then). */
  roundTrips(): Promise<RoundTrips>;
}

/** One row's cell: a subject in a variant of the case. */
export interface Cell {
  subject: SubjectName;
  variant: string;
  title: string;
  unit: string;
  better?: Better;
  value: number;
  opsPerSec?: number;
  mbPerSec?: number;
  p50Us?: number;
  p99Us?: number;
  samples?: number;
  note?: string;
  error?: string;
  extra?: Record<string, number | string>;
}

export function record(t: XTask, c: Cell): ResultRecord {
  const { subject, variant, title, unit, better, extra, ...figures } = c;
  return {
    task: `${SECTION}/${t.caseName}/${subject}/${t.form}#${variant}`,
    section: SECTION,
    case: t.caseName,
    title,
    subject,
    form: t.form,
    unit,
    better: better ?? 'higher',
    ...figures,
    extra: { variant, ...extra },
  };
}

/** One thing measured in rounds: its result per round, or the error that stopped it. */
export interface Entry<T> {
  /** Starts with the subject's name (the parent names it if the task hangs). */
  name: string;
  run(round: number): Promise<T>;
  results: T[];
  error?: string;
}

export function entry<T>(name: string, run: (round: number) => Promise<T>): Entry<T> {
  return { name, run, results: [] };
}

/** Run every entry once per round, taking turns, the order rotating each round. */
export async function inRounds<T>(t: XTask, entries: readonly Entry<T>[]): Promise<void> {
  for (let round = 0; round < t.b.rounds; round++) {
    for (let k = 0; k < entries.length; k++) {
      const e = entries[(k + round) % entries.length]!;
      if (e.error !== undefined) continue;
      t.out.beat(t.id, `${e.name}, round ${round + 1}`);
      try {
        e.results.push(await e.run(round));
      } catch (err) {
        e.error = errorText(err);
      }
    }
  }
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Warm-up before a variant's first round; later rounds only re-heat caches. */
export function warmupMs(b: Budget, round: number): number {
  return round === 0 ? b.warmupMs : Math.min(50, b.warmupMs);
}

/** The median round of timed calls (tinybench), as a cell's figures; `value` in `unit` (ops/s or MB/s). */
export function timedFigures(e: Entry<Measured>, unit: string, bytesPerOp?: number): Pick<Cell, 'value' | 'opsPerSec' | 'mbPerSec' | 'p50Us' | 'p99Us' | 'samples' | 'error' | 'extra'> {
  if (e.error !== undefined || e.results.length === 0) return { value: NaN, error: e.error ?? 'no measurement' };
  const ops = e.results.map((r) => r.opsPerSec);
  const opsPerSec = median(ops);
  const mbPerSec = bytesPerOp !== undefined ? (opsPerSec * bytesPerOp) / 1e6 : undefined;
  return {
    value: unit === 'MB/s' && mbPerSec !== undefined ? mbPerSec : opsPerSec,
    opsPerSec,
    ...(mbPerSec !== undefined ? { mbPerSec } : {}),
    p50Us: median(e.results.map((r) => r.p50Us)),
    p99Us: median(e.results.map((r) => r.p99Us)),
    samples: e.results.reduce((n, r) => n + r.samples, 0),
    extra: { rounds: ops.length, minOpsPerSec: Math.min(...ops), maxOpsPerSec: Math.max(...ops) },
  };
}

/** The median round of counted windows (ops/s per round), as a cell's figures; `value` in `unit`. */
export function windowFigures(e: Entry<number>, unit: string, bytesPerOp?: number): Pick<Cell, 'value' | 'opsPerSec' | 'mbPerSec' | 'error' | 'extra'> {
  if (e.error !== undefined || e.results.length === 0) return { value: NaN, error: e.error ?? 'no measurement' };
  const opsPerSec = median(e.results);
  const mbPerSec = bytesPerOp !== undefined ? (opsPerSec * bytesPerOp) / 1e6 : undefined;
  return {
    value: unit === 'MB/s' && mbPerSec !== undefined ? mbPerSec : opsPerSec,
    opsPerSec,
    ...(mbPerSec !== undefined ? { mbPerSec } : {}),
    extra: { rounds: e.results.length, minOpsPerSec: Math.min(...e.results), maxOpsPerSec: Math.max(...e.results) },
  };
}

/** `a / b` of two cells' values, NaN unless both are measured. */
export function quotient(a: Cell, b: Cell): number {
  return a.error === undefined && b.error === undefined && a.value > 0 && b.value > 0 ? a.value / b.value : NaN;
}
