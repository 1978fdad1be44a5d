/**
 * The child side of a run: `avfs __child <spec>` (forked by runner.ts with
 * --expose-gc and an IPC channel). Runs the tasks of one plan of one section
 * and reports every step to the parent, which enforces the deadlines.
 */

import { sectionNamed } from './cases/registry.js';
import type { Reporter } from './cases/section.js';
import type { ChildMessage, JobSpec } from './types.js';

function send(message: ChildMessage): void {
  // IPC writes go out at once while the pipe has room, so a task that later
  // blocks forever has still told the parent how far it got.
  process.send!(message);
}

export async function runChild(specText: string): Promise<void> {
  if (process.send === undefined) throw new Error('avfs __child must be started by avfs bench (no IPC channel)');
  const job = JSON.parse(specText) as JobSpec;
  const section = sectionNamed(job.section);
  if (section === undefined) throw new Error(`no section ${job.section}`);
  const out: Reporter = {
    start: (task, deadlineMs) => send({ t: 'start', task, deadlineMs }),
    beat: (task, note, deadlineMs) => send({ t: 'beat', task, ...(note !== undefined ? { note } : {}), ...(deadlineMs !== undefined ? { deadlineMs } : {}) }),
    result: (record) => send({ t: 'result', record }),
    end: (task) => send({ t: 'end', task }),
  };
  await section.run(job, out);
  const done: ChildMessage = { t: 'done' };
  await new Promise<void>((resolve) => process.send!(done, undefined, {}, () => resolve()));
  process.disconnect();
}
