/**
 * Where a worker's entry script is. Workers always run the built JavaScript
 * in dist/, even when this module was loaded from src/ (tests run against
 * the sources through the "source" export condition).
 */

import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname, join } from 'node:path';

export function workerScript(relative: string): URL {
  const here = dirname(fileURLToPath(import.meta.url)); // .../packages/workers/{src|dist}/main
  return pathToFileURL(join(dirname(dirname(here)), 'dist', relative));
}

/**
 * The parent's Node flags a worker can take and should share: source maps,
 * warnings, experimental features. Not export conditions (a worker runs the
 * built files and must not resolve packages to their TypeScript sources, as
 * the "source" condition a test runner sets would), not per-process or V8
 * flags such as --expose-gc (Node refuses those for workers).
 */
export function workerExecArgv(): string[] {
  return process.execArgv.filter((a) => KEEP.some((k) => a === k || a.startsWith(`${k}=`)) || a.startsWith('--experimental-') || a.startsWith('--trace-'));
}

const KEEP = ['--enable-source-maps', '--no-warnings', '--no-deprecation', '--pending-deprecation', '--throw-deprecation', '--unhandled-rejections'];
