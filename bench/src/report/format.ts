/** Number formatting shared by the table, the HTML page and the progress log. */

/** 1234567 -> '1.23M', 373000 -> '373k', 2800 -> '2.8k', 88 -> '88', 0.42 -> '0.42'. */
export function compact(v: number): string {
  if (!Number.isFinite(v)) return 'n/a';
  const a = Math.abs(v);
  if (a >= 1e9) return `${(v / 1e9).toFixed(2)}G`;
  if (a >= 1e6) return `${(v / 1e6).toFixed(2)}M`;
  if (a >= 1e5) return `${(v / 1e3).toFixed(0)}k`;
  if (a >= 1e4) return `${(v / 1e3).toFixed(1)}k`;
  if (a >= 1e3) return `${(v / 1e3).toFixed(2)}k`;
  if (a >= 100) return v.toFixed(0);
  if (a >= 10) return v.toFixed(1);
  return v.toFixed(2);
}

/** A value in its unit: bytes and MB/s as plain grouped integers, the rest compact. */
export function formatValue(v: number, unit: string): string {
  if (!Number.isFinite(v)) return 'n/a';
  if (unit === 'MB/s' || unit === 'B/file' || unit === 'B/MiB') return Math.round(v).toLocaleString('en-US');
  if (unit === '%') return `${v.toFixed(1)}`;
  if (unit === 'µs') return v < 10 ? v.toFixed(2) : v < 100 ? v.toFixed(1) : Math.round(v).toLocaleString('en-US');
  return compact(v);
}

/** A ratio: '2.31×', '0.04×'. */
export function formatRatio(r: number | undefined): string {
  if (r === undefined || !Number.isFinite(r)) return '—';
  if (r >= 100) return `${Math.round(r)}×`;
  if (r >= 10) return `${r.toFixed(1)}×`;
  return `${r.toFixed(2)}×`;
}

export function formatUs(v: number | undefined): string {
  if (v === undefined || !Number.isFinite(v)) return '—';
  if (v >= 1000) return `${(v / 1000).toFixed(v >= 10_000 ? 0 : 1)} ms`;
  if (v >= 100) return `${Math.round(v)} µs`;
  if (v >= 10) return `${v.toFixed(1)} µs`;
  return `${v.toFixed(2)} µs`;
}

const SUPERSCRIPT = '⁰¹²³⁴⁵⁶⁷⁸⁹';

/** 1000 -> '10³'; other numbers grouped: 2500 -> '2,500'. */
export function powerOfTen(n: number): string {
  const e = Math.round(Math.log10(n));
  return 10 ** e === n ? `10${[...String(e)].map((d) => SUPERSCRIPT[Number(d)]).join('')}` : n.toLocaleString('en-US');
}
