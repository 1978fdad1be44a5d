/**
 * Tests that must fail, not hang, when the file system deadlocks.
 *
 * The in-thread file system waits with `Atomics.wait`: a lock that is never
 * released blocks the test's thread for good, and vitest's own timeout
 * (a timer on that same thread) never fires, so one bad lock would hang the
 * whole suite. `isolatedTest` runs the test body in a child vitest process
 * (the same file, filtered to that one test) and kills the child's process
 * group at a deadline; the failure then shows the last ops the child traced
 * (`traceLine`) before it stopped.
 *
 * In the child (FSRANDOM_INNER=1) `isolatedTest` is a plain `test`.
 */

import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as os from 'node:os';
import * as nodePath from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'vitest';

const INNER = process.env['FSRANDOM_INNER'] === '1';
const TRACE = process.env['FSRANDOM_TRACE'];
let traceFd: number | undefined;

/** In a child, record one line of progress (kept for the hang report). */
export function traceLine(line: string): void {
  if (TRACE === undefined) return;
  traceFd ??= fs.openSync(TRACE, 'a');
  fs.writeSync(traceFd, line + '\n');
}

export interface IsolatedOptions {
  /** Deadline for the child, which includes ~2 s of vitest start-up. */
  timeoutMs: number;
}

interface TaskLike {
  name: string;
  suite?: TaskLike;
}

/**
 * `test(name, fn)`, run in a child process with a deadline. `fileUrl` is the
 * calling test file's `import.meta.url`.
 */
export function isolatedTest(fileUrl: string, name: string, fn: () => Promise<void> | void, options: IsolatedOptions): void {
  if (INNER) {
    test(name, fn, options.timeoutMs);
    return;
  }
  test(name, { timeout: options.timeoutMs + 30_000 }, async (ctx) => {
    const report = await runChild(fileURLToPath(fileUrl), fullName(ctx.task as TaskLike), options.timeoutMs);
    if (report !== undefined) throw new Error(report);
  });
}

function fullName(task: TaskLike): string {
  return task.suite ? `${fullName(task.suite)} ${task.name}` : task.name;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

/** => undefined when the child's test passed; else a report. */
async function runChild(file: string, name: string, timeoutMs: number): Promise<string | undefined> {
  const vitest = nodePath.join(nodePath.dirname(createRequire(import.meta.url).resolve('vitest/package.json')), 'vitest.mjs');
  const trace = nodePath.join(os.tmpdir(), `fsrandom-trace-${process.pid}-${Date.now()}.log`);
  const args = [vitest, 'run', nodePath.relative(process.cwd(), file), '-t', `^${escapeRegExp(name)}$`, '--reporter=default'];
  const child = spawn(process.execPath, args, {
    cwd: process.cwd(),
    env: { ...process.env, FSRANDOM_INNER: '1', FSRANDOM_TRACE: trace, NO_COLOR: '1', FORCE_COLOR: '0' },
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    // The child and its vitest workers share its process group.
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      child.kill('SIGKILL');
    }
  }, timeoutMs);
  const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
  clearTimeout(timer);
  const tail = readTail(trace, 40);
  fs.rmSync(trace, { force: true });
  const passed = /Tests\s+1 passed/.test(output);
  if (!timedOut && code === 0 && passed) return undefined;
  if (timedOut) {
    return [
      `no progress: the test did not finish in ${timeoutMs} ms (blocked: most likely a deadlock in Atomics.wait, else far too slow)`,
      `last traced ops:`,
      ...tail.map((l) => `  ${l}`),
    ].join('\n');
  }
  if (!passed && code === 0) return `the child ran no test named ${JSON.stringify(name)}:\n${output.slice(-3000)}`;
  // The child's failure block, without its summary and code frames of this file.
  const start = output.indexOf('FAIL');
  if (start < 0) return `the child failed (exit ${code}):\n${output.slice(-4000)}`;
  const end = output.indexOf('Test Files', start);
  return output
    .slice(start, end < 0 ? start + 6000 : end)
    .replace(/⎯+\[\d+\/\d+\]⎯+[\s\S]*$/, '')
    .trimEnd();
}

function readTail(path: string, lines: number): string[] {
  try {
    const text = fs.readFileSync(path, 'utf8');
    return text.trimEnd().split('\n').slice(-lines);
  } catch {
    return ['(nothing traced)'];
  }
}
