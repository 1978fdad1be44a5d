/**
 * From result records to table rows: one row per case, form and N, one cell
 * per subject, and the ratio of actorvfs to each peer oriented so that
 * above 1 always means actorvfs is better (ops/s: actorvfs ÷ peer; bytes
 * and latency: peer ÷ actorvfs).
 */

import { PEERS, SUBJECTS, type Better, type Form, type ResultRecord, type SubjectName } from '../types.js';

export interface Row {
  key: string;
  section: string;
  case: string;
  title: string;
  form: Form;
  param?: number;
  /** Which of a case's rows this is, when a case reports several (cross-thread cases: `extra.variant`). */
  variant?: string;
  unit: string;
  better: Better;
  cells: Partial<Record<SubjectName, ResultRecord>>;
}

export interface Tables {
  /** Subject comparisons (everything but limits). */
  rows: Row[];
  /** The physical limits, one record each. */
  limits: ResultRecord[];
  /** Failures that belong to no row (a scale run that stopped, a crashed child). */
  failures: ResultRecord[];
}

export function buildTables(records: readonly ResultRecord[]): Tables {
  const rows = new Map<string, Row>();
  const limits: ResultRecord[] = [];
  const failures: ResultRecord[] = [];
  const withParams = new Set(records.filter((r) => r.param !== undefined).map((r) => `${r.section}/${r.case}`));
  for (const r of records) {
    if (r.error !== undefined) failures.push(r);
    if (r.subject === 'limit') {
      limits.push(r);
      continue;
    }
    // A failed task of a scaling case has no N: it is listed, not tabled.
    if (r.param === undefined && withParams.has(`${r.section}/${r.case}`)) continue;
    const variant = variantOf(r);
    const key = `${r.section}/${r.case}/${r.form}/${r.param ?? ''}${variant !== undefined ? `/${variant}` : ''}`;
    let row = rows.get(key);
    if (row === undefined) {
      row = { key, section: r.section, case: r.case, title: r.title, form: r.form, unit: r.unit, better: r.better, cells: {} };
      if (r.param !== undefined) row.param = r.param;
      if (variant !== undefined) row.variant = variant;
      rows.set(key, row);
    }
    if (row.unit === '' && r.unit !== '') {
      row.unit = r.unit;
      row.better = r.better;
    }
    row.cells[r.subject] = r;
  }
  return { rows: sortRows([...rows.values()]), limits, failures };
}

/** A record's row within its case, for cases that report several rows per form. */
export function variantOf(r: ResultRecord): string | undefined {
  const v = r.extra?.variant;
  return typeof v === 'string' ? v : undefined;
}

/** Keep the order cases ran in, but put each case's sync row before its promise row and N ascending. */
function sortRows(rows: Row[]): Row[] {
  const caseOrder = new Map<string, number>();
  rows.forEach((r) => {
    const c = `${r.section}/${r.case}`;
    if (!caseOrder.has(c)) caseOrder.set(c, caseOrder.size);
  });
  const formOrder = (f: Form): number => (f === 'sync' ? 0 : f === 'promise' ? 1 : 2);
  return rows.sort(
    (a, b) =>
      caseOrder.get(`${a.section}/${a.case}`)! - caseOrder.get(`${b.section}/${b.case}`)! ||
      formOrder(a.form) - formOrder(b.form) ||
      (a.param ?? 0) - (b.param ?? 0),
  );
}

export function valueOf(row: Row, subject: SubjectName): number | undefined {
  const r = row.cells[subject];
  return r === undefined || r.error !== undefined || !Number.isFinite(r.value) ? undefined : r.value;
}

/** How many times better actorvfs is than `peer` on this row (above 1: better). */
export function ratio(row: Row, peer: SubjectName): number | undefined {
  const mine = valueOf(row, 'actorvfs');
  const theirs = valueOf(row, peer);
  if (mine === undefined || theirs === undefined || mine <= 0 || theirs <= 0) return undefined;
  return row.better === 'higher' ? mine / theirs : theirs / mine;
}

export function ratios(row: Row): Partial<Record<SubjectName, number>> {
  const out: Partial<Record<SubjectName, number>> = {};
  for (const p of PEERS) {
    const r = ratio(row, p);
    if (r !== undefined) out[p] = r;
  }
  return out;
}

/** actorvfs's data throughput as a fraction of the copy limit that bounds it. */
export interface LimitFraction {
  what: string;
  value: number;
  limit: number;
  limitTitle: string;
  fraction: number;
}

export function limitFractions(tables: Tables): LimitFraction[] {
  const limit = (name: string): ResultRecord | undefined => tables.limits.find((r) => r.case === name && r.error === undefined);
  const out: LimitFraction[] = [];
  const pairs: [string, string][] = [
    ['seq-write-64m', 'copy-heap-sab'],
    ['seq-read-64m', 'copy-sab-heap'],
    ['seq-read-64m', 'copy-heap-heap'],
  ];
  for (const [caseName, limitName] of pairs) {
    const l = limit(limitName);
    if (l === undefined) continue;
    for (const row of tables.rows.filter((r) => r.case === caseName)) {
      const v = valueOf(row, 'actorvfs');
      if (v === undefined) continue;
      out.push({ what: `${row.title} (${row.form})`, value: v, limit: l.value, limitTitle: l.title, fraction: v / l.value });
    }
  }
  return out;
}

export { SUBJECTS, PEERS };

/**
 * The cross-thread figures read against the VISION targets and against the
 * thread round trips of the same run (the cross-thread child measures its
 * own; the limits section's serve when it did not run). One line each.
 */
export function crossThreadSummary(tables: Tables): string[] {
  const xrows = tables.rows.filter((r) => r.section === 'xthread');
  if (xrows.length === 0) return [];
  const row = (caseName: string, variant: string): Row | undefined => xrows.find((r) => r.case === caseName && r.variant === variant);
  const roundTrip = (name: string): ResultRecord | undefined =>
    tables.limits.find((r) => r.section === 'xthread' && r.case === name && r.error === undefined) ?? tables.limits.find((r) => r.case === name && r.error === undefined);
  const atomics = roundTrip('atomics-rt');
  const post = roundTrip('postmessage-rt');
  const us = (v: number): string => (v < 10 ? v.toFixed(2) : v.toFixed(1));
  const out: string[] = [];
  for (const [caseName, variant, target] of [
    ['getattr', 'stat', 15],
    ['read-4k', 'pread-4k', undefined],
  ] as const) {
    const r = row(caseName, variant)?.cells.actorvfs;
    if (r === undefined || r.error !== undefined || r.p50Us === undefined || r.opsPerSec === undefined) continue;
    const parts = [`${r.title}: p50 ${us(r.p50Us)} µs, p99 ${us(r.p99Us ?? NaN)} µs, mean ${us(1e6 / r.opsPerSec)} µs`];
    if (target !== undefined) parts.push(`target under ${target} µs: ${r.p50Us < target ? 'met' : 'not met'}`);
    const vs = [atomics, post]
      .filter((l): l is ResultRecord => l !== undefined && l.p50Us !== undefined)
      .map((l) => `${(r.p50Us! / l.p50Us!).toFixed(2)}× the ${l.case === 'atomics-rt' ? 'Atomics' : 'postMessage'} round trip (p50 ${us(l.p50Us!)} µs)`);
    if (vs.length > 0) parts.push(vs.join(', '));
    out.push(parts.join('; '));
  }
  for (const [op, what] of [
    ['stat', 'stat/s'],
    ['pread-4k', '4 KiB pread MB/s'],
  ] as const) {
    const q = row('read-scaling', `${op}-shared-vs-separate`)?.cells.actorvfs;
    if (q === undefined || q.error !== undefined || !Number.isFinite(q.value)) continue;
    const scaling = row('read-scaling', `${op}-scaling`);
    const peers = scaling === undefined ? [] : PEERS.flatMap((p) => (valueOf(scaling, p) !== undefined ? [`${p} ${formatScaling(valueOf(scaling, p)!)}`] : []));
    out.push(
      `${what}, 1 → 2 threads: shared ${formatScaling(Number(q.extra?.sharedScaling))}, separate actorvfs instances ${formatScaling(Number(q.extra?.separateScaling))}; ` +
        `shared scales ${q.value.toFixed(0)}% as well (target at least 90%: ${q.value >= 90 ? 'met' : 'not met'})${peers.length > 0 ? `; separate peers: ${peers.join(', ')}` : ''}`,
    );
  }
  const pair = row('mutation-scaling', 'mkdir-rmdir-1t')?.cells.actorvfs;
  if (pair !== undefined && pair.error === undefined && pair.opsPerSec !== undefined && pair.opsPerSec > 0) {
    const perRequest = 1e6 / pair.opsPerSec / 2;
    const rt = atomics?.p50Us !== undefined ? `; ${(perRequest / atomics.p50Us).toFixed(1)}× the Atomics round trip` : '';
    out.push(`mkdir+rmdir from 1 worker: ${us(1e6 / pair.opsPerSec)} µs per pair, ${us(perRequest)} µs per request to the actor${rt}`);
  }
  return out;
}

function formatScaling(v: number): string {
  return Number.isFinite(v) ? `×${v.toFixed(2)}` : '—';
}
