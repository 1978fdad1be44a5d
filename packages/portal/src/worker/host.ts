/**
 * A provider host: the piscina task that serves portal opens in one worker,
 * one stream at a time, until main retires it.
 *
 * Main reserves the host in the pool's shared words before it posts an open
 * request on the control port; the host runs the provider, answers on the
 * stream's port (the "fd"), pumps the stream, and when the stream is over
 * marks itself free (BUSY -> IDLE) and rings the pool's FREED word. All of
 * that is visible to main through shared memory, so a synchronous caller
 * blocked in Atomics.wait can be served and can reuse the host without its
 * own event loop ever turning (piscina's own task bookkeeping would need it).
 *
 * Isolation: the stream lives in this worker only. If the worker dies (an
 * exception nobody caught, process.exit from a provider), the stream in
 * flight fails with EIO (its client is told through the bell before the
 * thread goes) and the host is marked DEAD; piscina replaces the worker. A
 * hung provider is main's business: past the open deadline it aborts the
 * task, which terminates this worker.
 */

import { getActiveResourcesInfo } from 'node:process';
import { threadId, type MessagePort } from 'node:worker_threads';
import { ringDead } from '../protocol/bell.js';
import { errnoOf } from '../protocol/errors.js';
import { isErrnoCode } from './core.js';
import { PROTOCOL_VERSION, type HostDiagnostics, type HostRequest, type HostSettings, type HostTask, type OpenRequest } from '../protocol/messages.js';
import { HostState, bumpFreed, startedIndex, stateIndex } from '../protocol/pool-words.js';
import { liveChildren } from './providers/filter.js';
import { provide } from './providers/index.js';
import { StreamServer } from './server.js';

/** One host per worker at a time (piscina runs one abortable task per worker). */
let words: Int32Array | null = null;
let slot = -1;
let current: StreamServer | null = null;
let currentBell: Int32Array | null = null;
let served = 0;
let hooked = false;

function markDead(): void {
  // DEAD before any message: whoever sees one of them sees the stream dead, both ways.
  if (currentBell !== null) ringDead(currentBell);
  if (current !== null) current.crash();
  current = null;
  currentBell = null;
  if (words !== null && slot >= 0) {
    Atomics.store(words, stateIndex(slot), HostState.DEAD);
    bumpFreed(words);
  }
}

/** Tell main and the client before this thread goes, whatever the way out. */
function hookDeath(): void {
  if (hooked) return;
  hooked = true;
  process.on('uncaughtExceptionMonitor', markDead);
  const exit = process.exit.bind(process);
  process.exit = ((code?: number) => {
    markDead();
    return exit(code);
  }) as typeof process.exit;
}

function finished(): void {
  current = null;
  currentBell = null;
  if (words !== null && Atomics.compareExchange(words, stateIndex(slot), HostState.BUSY, HostState.IDLE) === HostState.BUSY) bumpFreed(words);
}

async function serveOpen(req: OpenRequest, settings: HostSettings): Promise<void> {
  served++;
  const stream = new StreamServer(req.port, req.bell, req.id, req.window, req.window, finished);
  current = stream;
  currentBell = new Int32Array(req.bell);
  if (req.v !== PROTOCOL_VERSION) {
    stream.fail('EPROTO');
    return;
  }
  try {
    stream.attach(await provide(req, settings));
  } catch (e) {
    stream.fail(errnoOf(e, isErrnoCode));
  }
}

function diagnostics(reply: MessagePort): void {
  const d: HostDiagnostics = {
    threadId,
    resources: getActiveResourcesInfo(),
    streams: current !== null ? 1 : 0,
    children: liveChildren.size,
    served,
  };
  reply.postMessage(d);
  reply.close();
}

export default function host(task: HostTask): Promise<void> {
  hookDeath();
  words = new Int32Array(task.words);
  slot = task.slot;
  current = null;
  currentBell = null;
  Atomics.store(words, startedIndex(slot), threadId === 0 ? -1 : threadId);
  const ctrl = task.ctrl;
  return new Promise<void>((resolve) => {
    let retired = false;
    const retire = (kill: boolean): void => {
      if (retired) return;
      // An idle host asked to retire may have been taken back by main meanwhile (RETIRING -> BUSY): it stays.
      if (!kill && words !== null && Atomics.compareExchange(words, stateIndex(slot), HostState.RETIRING, HostState.RETIRED) !== HostState.RETIRING) return;
      retired = true;
      ctrl.close();
      if (kill) {
        // Shutting down: the client of the stream in flight (open or not) sees EIO.
        current?.crash();
        for (const c of liveChildren) c.kill('SIGKILL');
        const held = current?.held;
        if (held?.kind === 'stream') held.kill?.();
      }
      current?.close();
      words = null;
      slot = -1;
      resolve();
    };
    ctrl.on('message', (m: HostRequest) => {
      switch (m.t) {
        case 'open':
          void serveOpen(m, task.settings);
          break;
        case 'retire':
          retire(m.kill);
          break;
        case 'diag':
          diagnostics(m.reply);
          break;
      }
    });
    // Main went away (its thread ended): nothing more will come.
    ctrl.on('close', () => retire(true));
  });
}
