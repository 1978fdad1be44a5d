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
    const key = `${r.section}/${r.case}/${r.form}/${r.param ?? ''}`;
    let row = rows.get(key);
    if (row === undefined) {
      row = { key, section: r.section, case: r.case, title: r.title, form: r.form, unit: r.unit, better: r.better, cells: {} };
      if (r.param !== undefined) row.param = r.param;
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
