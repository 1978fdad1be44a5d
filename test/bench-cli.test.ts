// `avfs bench` end to end on the built CLI: a quick run of the stat case
// writes well-formed results. Never asserts times (benchmarks live in bench/).
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, expect, test } from 'vitest';

const run = promisify(execFile);
const cli = join(import.meta.dirname, '..', 'bench', 'dist', 'cli.js');
const out = mkdtempSync(join(tmpdir(), 'avfs-bench-test-'));

afterAll(() => rmSync(out, { recursive: true, force: true }));

interface Record {
  section: string;
  case: string;
  subject: string;
  form: string;
  unit: string;
  value: number | null;
  opsPerSec?: number;
  p50Us?: number;
  p99Us?: number;
  samples?: number;
  error?: string;
}

test('avfs bench --quick --filter stat writes results.json and report.html', async () => {
  const { stdout } = await run(process.execPath, [cli, 'bench', '--quick', '--filter', 'stat', '--out', out], { timeout: 240_000 });
  expect(stdout).toContain('stat, depth 4');
  expect(stdout).toMatch(/×memfs/);

  const file = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as {
    schema: number;
    meta: { date: string; os: string; cpus: string; node: string; versions: { [name: string]: string }; options: { quick: boolean; filter: string } };
    records: Record[];
    ratios: { row: string; form: string; ratios: { [peer: string]: number } }[];
  };
  expect(file.schema).toBe(1);
  expect(Number.isNaN(Date.parse(file.meta.date))).toBe(false);
  expect(file.meta.node).toBe(process.version);
  expect(file.meta.options).toEqual({ quick: true, filter: 'stat' });
  for (const name of ['@actorvfs/core', 'memfs', '@zenfs/core', 'tinybench']) expect(file.meta.versions[name]).toMatch(/^\d+\.\d+\.\d+/);

  // Only the stat case ran, on every subject, in both forms.
  expect(new Set(file.records.map((r) => `${r.section}/${r.case}`))).toEqual(new Set(['metadata/stat']));
  for (const subject of ['actorvfs', 'memfs', 'zenfs', 'native']) {
    for (const form of ['sync', 'promise']) {
      const r = file.records.find((x) => x.subject === subject && x.form === form);
      expect(r, `${subject} ${form}`).toBeDefined();
      expect(r!.error).toBeUndefined();
      expect(r!.unit).toBe('ops/s');
      expect(r!.value).toBeGreaterThan(0);
      expect(r!.opsPerSec).toBeGreaterThan(0);
      expect(r!.p50Us).toBeGreaterThan(0);
      expect(r!.p99Us).toBeGreaterThanOrEqual(r!.p50Us!);
      expect(r!.samples).toBeGreaterThan(0);
    }
  }
  expect(file.ratios.map((r) => r.form).sort()).toEqual(['promise', 'sync']);
  for (const r of file.ratios) expect(Object.keys(r.ratios).sort()).toEqual(['memfs', 'native', 'zenfs']);

  const html = readFileSync(join(out, 'report.html'), 'utf8');
  expect(html.startsWith('<!doctype html>')).toBe(true);
  expect(html).toContain('<svg');
  expect(existsSync(join(out, 'results.md'))).toBe(true);
}, 300_000);

test('avfs bench rejects a filter that matches nothing', async () => {
  await expect(run(process.execPath, [cli, 'bench', '--quick', '--filter', '^no-such-case$', '--out', out])).rejects.toMatchObject({ code: 2 });
});
