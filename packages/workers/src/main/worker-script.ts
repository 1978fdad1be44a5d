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
 * The parent's Node flags minus export conditions: a worker runs the built
 * files, so it must not resolve packages to their TypeScript sources (the
 * "source" condition a test runner may have set).
 */
export function workerExecArgv(): string[] {
  const out: string[] = [];
  const argv = process.execArgv;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--conditions' || a === '-C') {
      i++;
      continue;
    }
    if (a.startsWith('--conditions=')) continue;
    out.push(a);
  }
  return out;
}
