/**
 * report.html: one self-contained page (inline CSS and SVG, no scripts)
 * with ratio bars per case against each peer, the scaling curves of the
 * create-N case, and the full tables with p50/p99.
 */

import { PEERS, SUBJECTS, type SubjectName } from '../types.js';
import { formatRatio, formatUs, formatValue, powerOfTen } from './format.js';
import { describeMeta, type RunMeta } from './meta.js';
import { crossThreadSummary, limitFractions, ratio, type Row, type Tables } from './rows.js';
import { rowLabel } from './table.js';

const COLORS: Record<SubjectName, string> = { actorvfs: '#1f6feb', memfs: '#d9822b', zenfs: '#8250df', native: '#2da44e' };

/** Charts carry their own style so they also work as standalone .svg files. */
const SVG_STYLE = '<style>text{font:11px system-ui,sans-serif;fill:#222}.tick{fill:#666}.val{fill:#333;font-size:9px}</style>';

function svg(width: number, height: number, body: string): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" class="chart"><rect width="100%" height="100%" fill="#fff"/>${SVG_STYLE}${body}</svg>`;
}

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Horizontal bars on a log axis from 1/100× to 100×; right of 1× actorvfs is better. */
export function ratioChart(rows: Row[]): string {
  const shown = rows.filter((r) => PEERS.some((p) => ratio(r, p) !== undefined));
  if (shown.length === 0) return svg(400, 30, '<text x="4" y="18">No ratios in this run.</text>');
  const labelW = 400;
  const plotW = 520;
  const barH = 7;
  const rowH = PEERS.length * barH + 10;
  const top = 30;
  const height = top + shown.length * rowH + 20;
  const x = (r: number): number => labelW + ((Math.log10(Math.min(100, Math.max(0.01, r))) + 2) / 4) * plotW;
  const parts: string[] = [];
  for (const t of [0.01, 0.1, 1, 10, 100]) {
    parts.push(`<line x1="${x(t)}" y1="${top - 6}" x2="${x(t)}" y2="${height - 16}" stroke="${t === 1 ? '#444' : '#ddd'}"/>`);
    parts.push(`<text x="${x(t)}" y="${top - 10}" text-anchor="middle" class="tick">${t}×</text>`);
  }
  parts.push(`<line x1="${x(1.5)}" y1="${top - 6}" x2="${x(1.5)}" y2="${height - 16}" stroke="#1f6feb" stroke-dasharray="3 3"/>`);
  parts.push(`<text x="${x(1.5) + 3}" y="${height - 4}" class="tick">1.5× (goal vs memfs)</text>`);
  shown.forEach((row, i) => {
    const y0 = top + i * rowH;
    parts.push(`<text x="${labelW - 8}" y="${y0 + rowH / 2 + 2}" text-anchor="end" class="label">${esc(row.form === '-' ? rowLabel(row) : `${rowLabel(row)} · ${row.form}`)}</text>`);
    PEERS.forEach((p, k) => {
      const r = ratio(row, p);
      if (r === undefined) return;
      const y = y0 + 4 + k * barH;
      const a = x(1);
      const b = x(r);
      parts.push(
        `<rect x="${Math.min(a, b)}" y="${y}" width="${Math.max(1, Math.abs(b - a))}" height="${barH - 1}" fill="${COLORS[p]}"><title>${esc(`${p}: ${formatRatio(r)}`)}</title></rect>`,
      );
      parts.push(`<text x="${r >= 1 ? b + 3 : b - 3}" y="${y + barH - 1}" text-anchor="${r >= 1 ? 'start' : 'end'}" class="val">${formatRatio(r)}</text>`);
    });
  });
  const legend = PEERS.map((p, k) => `<rect x="${10 + k * 110}" y="6" width="10" height="10" fill="${COLORS[p]}"/><text x="${24 + k * 110}" y="15" class="label">vs ${p}</text>`).join('');
  return svg(labelW + plotW + 80, height, legend + parts.join(''));
}

/** µs per create against N, log-log, one line per subject and form. */
export function scaleChart(rows: Row[]): string {
  const scaleRows = rows.filter((r) => r.section === 'scale' && r.param !== undefined);
  if (scaleRows.length === 0) return svg(400, 30, '<text x="4" y="18">The scale case did not run.</text>');
  type Pt = { n: number; us: number };
  const series: { subject: SubjectName; form: string; pts: Pt[] }[] = [];
  for (const s of SUBJECTS) {
    for (const form of ['sync', 'promise']) {
      const pts = scaleRows
        .filter((r) => r.form === form && r.cells[s] !== undefined && Number.isFinite(r.cells[s]!.value) && r.cells[s]!.value > 0)
        .map((r) => ({ n: r.param!, us: 1e6 / r.cells[s]!.value }));
      if (pts.length > 0) series.push({ subject: s, form, pts });
    }
  }
  const all = series.flatMap((s) => s.pts);
  const nMin = Math.min(...all.map((p) => p.n));
  const nMax = Math.max(...all.map((p) => p.n), nMin * 10);
  const yMin = 10 ** Math.floor(Math.log10(Math.min(...all.map((p) => p.us))));
  const yMax = 10 ** Math.ceil(Math.log10(Math.max(...all.map((p) => p.us))));
  const W = 560;
  const H = 300;
  const L = 60;
  const T = 20;
  const px = (n: number): number => L + ((Math.log10(n) - Math.log10(nMin)) / (Math.log10(nMax) - Math.log10(nMin))) * W;
  const py = (us: number): number => T + H - ((Math.log10(us) - Math.log10(yMin)) / Math.max(1, Math.log10(yMax) - Math.log10(yMin))) * H;
  const parts: string[] = [];
  for (let n = nMin; n <= nMax; n *= 10) {
    parts.push(`<line x1="${px(n)}" y1="${T}" x2="${px(n)}" y2="${T + H}" stroke="#eee"/><text x="${px(n)}" y="${T + H + 16}" text-anchor="middle" class="tick">${powerOfTen(n)}</text>`);
  }
  for (let y = yMin; y <= yMax; y *= 10) {
    parts.push(`<line x1="${L}" y1="${py(y)}" x2="${L + W}" y2="${py(y)}" stroke="#eee"/><text x="${L - 6}" y="${py(y) + 4}" text-anchor="end" class="tick">${formatUs(y)}</text>`);
  }
  parts.push(`<text x="${L + W / 2}" y="${T + H + 34}" text-anchor="middle" class="label">N (files in the directory, end of each decade)</text>`);
  series.forEach((s, k) => {
    const dash = s.form === 'promise' ? ' stroke-dasharray="5 4"' : '';
    const d = s.pts.map((p, i) => `${i === 0 ? 'M' : 'L'}${px(p.n).toFixed(1)},${py(p.us).toFixed(1)}`).join(' ');
    parts.push(`<path d="${d}" fill="none" stroke="${COLORS[s.subject]}" stroke-width="2"${dash}/>`);
    for (const p of s.pts) parts.push(`<circle cx="${px(p.n)}" cy="${py(p.us)}" r="3" fill="${COLORS[s.subject]}"><title>${esc(`${s.subject} ${s.form}, N ≤ ${p.n}: ${formatUs(p.us)} per create`)}</title></circle>`);
    parts.push(`<line x1="${L + W + 20}" y1="${T + 10 + k * 18}" x2="${L + W + 44}" y2="${T + 10 + k * 18}" stroke="${COLORS[s.subject]}" stroke-width="2"${dash}/><text x="${L + W + 50}" y="${T + 14 + k * 18}" class="label">${s.subject} ${s.form}</text>`);
  });
  return svg(L + W + 200, T + H + 44, `<text x="4" y="12" class="tick">µs per create</text>${parts.join('')}`);
}

function tableHtml(tables: Tables): string {
  const head = `<tr><th>Case</th><th>Form</th>${SUBJECTS.map((s) => `<th>${s}</th>`).join('')}${PEERS.map((p) => `<th>×${p}</th>`).join('')}</tr>`;
  const body = tables.rows
    .map((row) => {
      const cells = SUBJECTS.map((s) => {
        const r = row.cells[s];
        if (r === undefined) return '<td>—</td>';
        if (r.error !== undefined) return `<td class="err" title="${esc(r.error)}">ERR</td>`;
        const lat = r.p50Us !== undefined ? `p50 ${formatUs(r.p50Us)}, p99 ${formatUs(r.p99Us)}, ${r.samples ?? '?'} samples` : '';
        const tip = [lat, r.note ?? ''].filter((t) => t !== '').join('; ');
        const sub = r.p50Us !== undefined ? `<small>${formatUs(r.p50Us)} / ${formatUs(r.p99Us)}</small>` : '';
        return `<td title="${esc(tip)}">${formatValue(r.value, r.unit)}${r.note?.startsWith('partial') === true ? '*' : ''}${sub}</td>`;
      }).join('');
      const rs = PEERS.map((p) => {
        const r = ratio(row, p);
        return `<td class="${r === undefined ? '' : r >= 1 ? 'good' : 'bad'}">${formatRatio(r)}</td>`;
      }).join('');
      return `<tr><td class="case">${esc(rowLabel(row))}</td><td>${row.form}</td>${cells}${rs}</tr>`;
    })
    .join('\n');
  return `<table>${head}\n${body}</table><p class="small">Cells: value, then p50 / p99 latency of one call. Ratios above 1 mean actorvfs is better.</p>`;
}

function limitsHtml(tables: Tables): string {
  if (tables.limits.length === 0) return '';
  const rows = tables.limits
    .map((r) => `<tr><td class="case">${esc(r.title)}</td><td>${r.error !== undefined ? 'ERR' : `${formatValue(r.value, r.unit)} ${esc(r.unit)}`}</td><td>${formatUs(r.p50Us)}</td><td>${formatUs(r.p99Us)}</td></tr>`)
    .join('');
  const fr = limitFractions(tables)
    .map((f) => `<li>${esc(f.what)}: ${Math.round(f.value).toLocaleString('en-US')} MB/s = <b>${(100 * f.fraction).toFixed(0)}%</b> of ${esc(f.limitTitle)}</li>`)
    .join('');
  return `<h2>Physical limits</h2><table><tr><th>Limit</th><th>Value</th><th>p50</th><th>p99</th></tr>${rows}</table>${fr !== '' ? `<ul>${fr}</ul>` : ''}`;
}

function crossThreadHtml(tables: Tables): string {
  const lines = crossThreadSummary(tables);
  return lines.length === 0 ? '' : `<h2>Cross-thread, against the targets and the round trips</h2><ul>${lines.map((l) => `<li>${esc(l)}</li>`).join('')}</ul>`;
}

export function htmlReport(meta: RunMeta, tables: Tables): string {
  const notes = [
    ...tables.rows.flatMap((row) => SUBJECTS.map((s) => row.cells[s]).filter((r) => r?.note !== undefined && r.note.startsWith('partial')).map((r) => `${r!.subject} ${r!.form}: ${r!.note}`)),
    ...tables.rows.flatMap((row) => SUBJECTS.map((s) => row.cells[s]).filter((r) => r?.note !== undefined && r.error === undefined && r.note.startsWith('skipped')).map((r) => `${r!.title}: ${r!.note}`)),
    ...tables.failures.map((f) => `${f.task}: ${f.error}`),
  ];
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>actorvfs benchmarks ${esc(meta.date)}</title>
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#222;max-width:1200px}
h1{font-size:20px}h2{font-size:16px;margin-top:28px}
table{border-collapse:collapse;font-variant-numeric:tabular-nums}
td,th{padding:3px 8px;border-bottom:1px solid #eee;text-align:right;vertical-align:top}
td.case,th:first-child{text-align:left}td small{display:block;color:#888;font-size:11px}
td.good{color:#1a7f37}td.bad{color:#cf222e}td.err{color:#cf222e}
.small{color:#666;font-size:12px}
</style></head><body>
<h1>actorvfs benchmarks</h1>
<p class="small">${esc(describeMeta(meta))}${meta.durationSec !== undefined ? ` · ${Math.round(meta.durationSec)} s` : ''}</p>
<h2>actorvfs against each peer</h2>
${ratioChart(tables.rows)}
<h2>Creates into one directory: time per create by decade of N</h2>
${scaleChart(tables.rows)}
<h2>All results</h2>
${tableHtml(tables)}
${limitsHtml(tables)}
${crossThreadHtml(tables)}
${notes.length > 0 ? `<h2>Notes</h2><ul>${notes.map((n) => `<li>${esc(n)}</li>`).join('')}</ul>` : ''}
</body></html>
`;
}
