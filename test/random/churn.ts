/**
 * Directory iteration while the directory changes: read a directory with
 * `opendir` (a small bufferSize, so the file system is asked for a few
 * entries at a time) while names are added and removed between reads.
 *
 * POSIX leaves open whether a name added or removed during the iteration
 * shows up. What it does promise, and what "stable readdir positions" mean:
 * a name that exists for the whole iteration is returned exactly once, and
 * nothing is returned twice (churned names are never reused, so each is one
 * entry). Growing the directory past a table resize in the middle of an
 * iteration is the case this is for.
 */

import type { FsLike } from './fsx.js';
import { Prng } from './prng.js';

export interface ChurnOptions {
  seed: number;
  /** Names present for the whole iteration. */
  stable: number;
  /** Names present at the start that may be removed during it. */
  initialChurn: number;
  /** After each entry read: names added, and churn names removed. */
  addPerStep: number;
  removePerStep: number;
  bufferSize: number;
  api: 'sync' | 'promise';
}

export interface ChurnResult {
  problems: string[];
  /** Stable names returned (each must be returned once). */
  stableSeen: number;
  entriesRead: number;
  added: number;
  removed: number;
}

/** Create `dir`, fill it, iterate it under churn, check, and remove it. */
export async function iterateWhileChurning(fs: FsLike, dir: string, opts: ChurnOptions): Promise<ChurnResult> {
  const rng = new Prng(opts.seed);
  const problems: string[] = [];
  const problem = (msg: string): void => void (problems.length < 50 && problems.push(msg));
  fs.mkdirSync(dir);
  const touch = (name: string): void => fs.closeSync(fs.openSync(`${dir}/${name}`, 'wx'));

  const stable = new Set<string>();
  for (let i = 0; i < opts.stable; i++) {
    stable.add(`s${i}`);
    touch(`s${i}`);
  }
  // Live churn names (array for random removal), and what happened to each.
  const live: string[] = [];
  const fate = new Map<string, 'initial' | 'added' | 'removed'>();
  for (let i = 0; i < opts.initialChurn; i++) {
    const name = `c${i}`;
    touch(name);
    live.push(name);
    fate.set(name, 'initial');
  }

  const seen = new Map<string, number>();
  let added = 0;
  let removed = 0;
  let entriesRead = 0;
  const dirHandle = opts.api === 'sync' ? fs.opendirSync(dir, { bufferSize: opts.bufferSize }) : await fs.promises.opendir(dir, { bufferSize: opts.bufferSize });
  try {
    for (;;) {
      const entry = opts.api === 'sync' ? dirHandle.readSync() : await dirHandle.read();
      if (entry === null) break;
      entriesRead++;
      const name = String(entry.name);
      seen.set(name, (seen.get(name) ?? 0) + 1);
      for (let k = 0; k < opts.addPerStep; k++) {
        const fresh = `n${added++}`;
        touch(fresh);
        live.push(fresh);
        fate.set(fresh, 'added');
      }
      for (let k = 0; k < opts.removePerStep && live.length > 0; k++) {
        const i = rng.below(live.length);
        const victim = live[i]!;
        live[i] = live[live.length - 1]!;
        live.pop();
        fs.unlinkSync(`${dir}/${victim}`);
        fate.set(victim, 'removed');
        removed++;
      }
      if (entriesRead > 10 * (opts.stable + opts.initialChurn + added) + 1000) {
        problem(`iteration does not end: ${entriesRead} entries read`);
        break;
      }
    }
  } finally {
    if (opts.api === 'sync') dirHandle.closeSync();
    else await dirHandle.close();
  }

  let stableSeen = 0;
  for (const name of stable) {
    const n = seen.get(name) ?? 0;
    if (n === 1) stableSeen++;
    else problem(`stable entry ${name} returned ${n} times`);
  }
  for (const [name, n] of seen) {
    if (stable.has(name)) continue;
    const f = fate.get(name);
    if (f === undefined) problem(`returned ${JSON.stringify(name)}, which never existed`);
    else if (n > 1) problem(`churned entry ${name} (${f}) returned ${n} times`);
  }
  for (const [name, f] of fate) {
    // Present at the start and never removed: present the whole time.
    if (f === 'initial' && seen.get(name) !== 1) problem(`entry ${name}, never removed, returned ${seen.get(name) ?? 0} times`);
  }

  // Afterwards the listing is exactly the stable names plus the live churn.
  const after = fs.readdirSync(dir);
  const want = new Set([...stable, ...live]);
  if (after.length !== want.size || after.some((n) => !want.has(String(n)))) {
    problem(`final readdir has ${after.length} names, want ${want.size}`);
  }
  for (const name of want) fs.unlinkSync(`${dir}/${name}`);
  fs.rmdirSync(dir);
  return { problems, stableSeen, entriesRead, added, removed };
}
