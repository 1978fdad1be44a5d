/**
 * The control plane between the coordinator and its actors, over comlink
 * (never on the data path: see docs/shared-mode.md). Shared by main/ and
 * worker/.
 */

import type { Endpoint } from 'comlink';
import type { MessagePort } from 'node:worker_threads';

/** What an actor's worker is started with (structured-cloneable). */
export interface ActorStart {
  registry: SharedArrayBuffer;
  /** Every store region of the shared file system (see SharedVfsHandle). */
  regions: SharedArrayBuffer[];
  /** Actor table index and thread slot. */
  actor: number;
  tid: number;
  mountId: number;
  /** The actor's journal and reference table (its thread slot's). */
  journal: SharedArrayBuffer;
  refs: SharedArrayBuffer;
}

/** What the coordinator can ask an actor (comlink). */
export interface ActorControl {
  ping(): Promise<'pong'>;
  stats(): Promise<ActorStats>;
  /** Finish the request in hand, then leave the serve loop. */
  stop(): Promise<void>;
  /** Does a file system served whole have open files (EBUSY on unmount)? */
  busy(): Promise<boolean>;
  /** Thread slot `tid` died: release what it holds in a file system served whole. => files closed. */
  dropThread(tid: number): Promise<number>;
}

export interface ActorStats {
  served: number;
  rings: number;
}

type Listener = ((ev: { data: unknown }) => void) | { handleEvent(ev: { data: unknown }): void };

/** comlink speaks the DOM's postMessage/addEventListener; Node ports speak on/off. */
export function portEndpoint(port: MessagePort | import('node:worker_threads').Worker): Endpoint {
  const wrapped = new Map<Listener, (data: unknown) => void>();
  const endpoint = {
    postMessage: (message: unknown, transfer?: readonly unknown[]) => port.postMessage(message, transfer as never),
    addEventListener: (_type: string, listener: Listener) => {
      const fn = (data: unknown): void => {
        if (typeof listener === 'function') listener({ data });
        else listener.handleEvent({ data });
      };
      wrapped.set(listener, fn);
      port.on('message', fn);
    },
    removeEventListener: (_type: string, listener: Listener) => {
      const fn = wrapped.get(listener);
      if (fn !== undefined) port.off('message', fn);
      wrapped.delete(listener);
    },
  };
  return endpoint as unknown as Endpoint;
}
