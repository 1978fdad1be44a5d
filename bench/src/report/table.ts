/**
 * The results as text: an aligned table for the terminal and the same as
 * Markdown for docs. One row per case and form (and N for scale cases),
 * a column per subject, then actorvfs's ratio to each peer.
 */

import { PEERS, SUBJECTS, type ResultRecord } from '../types.js';
import { formatRatio, formatUs, formatValue, powerOfTen } from './format.js';
import { crossThreadSummary, limitFractions, ratio, type Row, type Tables } from './rows.js';

const SECTION_TITLES: Record<string, string> = {
  metadata: 'Metadata (ops/s)',
  data: 'Data',
  scale: 'Scale: creates per second, per decade of N',
  memory: 'Memory (ratio: peer ÷ actorvfs)',
  xthread: 'Cross-thread, shared mode (ratios of × rows: scaling ÷ the peer\'s scaling)',
};

export function rowLabel(row: Row): string {
  const n = row.param !== undefined ? `, N ≤ ${powerOfTen(row.param)}` : '';
  const unit = row.unit !== '' && row.unit !== 'ops/s' ? ` [${row.unit}]` : '';
  return `${row.title}${n}${unit}`;
}

function cell(r: ResultRecord | undefined): string {
  if (r === undefined) return '—';
  if (r.error !== undefined) return 'ERR';
  return formatValue(r.value, r.unit) + (r.note !== undefined && r.note.startsWith('partial') ? '*' : '');
}

interface Grid {
  head: string[];
  /** A string is a section heading. */
  lines: (string[] | string)[];
}

function grid(tables: Tables): Grid {
  const head = ['Case', 'Form', ...SUBJECTS, ...PEERS.map((p) => `×${p}`)];
  const lines: (string[] | string)[] = [];
  let section = '';
  for (const row of tables.rows) {
    if (row.section !== section) {
      section = row.section;
      lines.push(SECTION_TITLES[section] ?? section);
    }
    lines.push([rowLabel(row), row.form, ...SUBJECTS.map((s) => cell(row.cells[s])), ...PEERS.map((p) => formatRatio(ratio(row, p)))]);
  }
  return { head, lines };
}

function notes(tables: Tables): string[] {
  const out: string[] = [];
  for (const row of tables.rows) {
    for (const s of SUBJECTS) {
      const r = row.cells[s];
      if (r?.note !== undefined && r.error === undefined && r.note.startsWith('partial')) out.push(`* ${s} ${row.form}: ${r.note}`);
      if (r?.note !== undefined && r.error === undefined && r.note.startsWith('skipped')) out.push(`- ${r.title}: ${r.note}`);
    }
  }
  for (const f of tables.failures) out.push(`ERR ${f.task}: ${f.error}`);
  return out;
}

export function textTable(tables: Tables): string {
  const g = grid(tables);
  const widths = g.head.map((h, i) => Math.max(h.length, ...g.lines.filter((l): l is string[] => typeof l !== 'string').map((l) => l[i]!.length)));
  const fmt = (cols: string[]): string => cols.map((c, i) => (i < 2 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  const out = tables.rows.length > 0 ? [fmt(g.head), widths.map((w) => '─'.repeat(w)).join('  ')] : [];
  for (const l of g.lines) out.push(typeof l === 'string' ? `\n${l}` : fmt(l));
  out.push(...limitsText(tables).map((l) => l));
  const x = crossThreadSummary(tables);
  if (x.length > 0) out.push('', 'Cross-thread, against the targets and the round trips', ...x.map((l) => `  ${l}`));
  const n = notes(tables);
  if (n.length > 0) out.push('', ...n);
  return out.join('\n');
}

function limitsText(tables: Tables): string[] {
  if (tables.limits.length === 0) return [];
  const out = ['', 'Physical limits (same run)'];
  const w = Math.max(...tables.limits.map((r) => r.title.length));
  for (const r of tables.limits) {
    const v = r.error !== undefined ? `ERR ${r.error}` : `${formatValue(r.value, r.unit)} ${r.unit}`;
    const lat = r.p50Us !== undefined ? `   p50 ${formatUs(r.p50Us)}, p99 ${formatUs(r.p99Us)}` : '';
    out.push(`  ${r.title.padEnd(w)}  ${v.padStart(14)}${lat}`);
  }
  const fr = limitFractions(tables);
  if (fr.length > 0) {
    out.push('', 'actorvfs as a fraction of the limit');
    for (const f of fr) out.push(`  ${f.what}: ${Math.round(f.value).toLocaleString('en-US')} MB/s = ${(100 * f.fraction).toFixed(0)}% of ${f.limitTitle}`);
  }
  return out;
}

export function markdownTable(tables: Tables): string {
  const g = grid(tables);
  const esc = (s: string): string => s.replace(/\|/g, '\\|');
  const out = [`| ${g.head.map(esc).join(' | ')} |`, `|${g.head.map((_, i) => (i < 2 ? '---' : '---:')).join('|')}|`];
  for (const l of g.lines) {
    if (typeof l === 'string') out.push(`| **${esc(l)}** |${' |'.repeat(g.head.length - 1)}`);
    else out.push(`| ${l.map(esc).join(' | ')} |`);
  }
  if (tables.limits.length > 0) {
    out.push('', '| Physical limit | Value | p50 | p99 |', '|---|---:|---:|---:|');
    for (const r of tables.limits) {
      const v = r.error !== undefined ? 'ERR' : `${formatValue(r.value, r.unit)} ${r.unit}`;
      out.push(`| ${esc(r.title)} | ${v} | ${formatUs(r.p50Us)} | ${formatUs(r.p99Us)} |`);
    }
  }
  const fr = limitFractions(tables);
  if (fr.length > 0) {
    out.push('', '| actorvfs | MB/s | Limit | Fraction |', '|---|---:|---|---:|');
    for (const f of fr) out.push(`| ${esc(f.what)} | ${Math.round(f.value).toLocaleString('en-US')} | ${esc(f.limitTitle)} (${Math.round(f.limit).toLocaleString('en-US')} MB/s) | ${(100 * f.fraction).toFixed(0)}% |`);
  }
  const x = crossThreadSummary(tables);
  if (x.length > 0) out.push('', '**Cross-thread, against the targets and the round trips**', '', ...x.map((l) => `- ${esc(l)}`));
  const n = notes(tables);
  if (n.length > 0) out.push('', ...n.map((l) => `- ${esc(l)}`));
  return out.join('\n');
}

/** Latency details (p50/p99 per subject), Markdown. */
export function latencyMarkdown(tables: Tables): string {
  const out = [`| Case | Form | ${SUBJECTS.map((s) => `${s} p50 / p99`).join(' | ')} |`, `|---|---|${SUBJECTS.map(() => '---:').join('|')}|`];
  for (const row of tables.rows) {
    if (!SUBJECTS.some((s) => row.cells[s]?.p50Us !== undefined)) continue;
    const cols = SUBJECTS.map((s) => {
      const r = row.cells[s];
      return r?.p50Us !== undefined ? `${formatUs(r.p50Us)} / ${formatUs(r.p99Us)}` : '—';
    });
    out.push(`| ${rowLabel(row)} | ${row.form} | ${cols.join(' | ')} |`);
  }
  return out.join('\n');
}
