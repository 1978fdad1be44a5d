/**
 * Entry point of an actor's worker thread (started by main/ by path).
 */

import { expose } from 'comlink';
import { parentPort, workerData } from 'node:worker_threads';
import { portEndpoint, type ActorControl, type ActorStart } from '../protocol/control.js';
import { Actor } from './actor.js';

const port = parentPort;
if (port === null) throw new Error('actorvfs: actor-entry must run in a worker thread');

const actor = await Actor.open(workerData as ActorStart);
const control: ActorControl = {
  ping: async () => 'pong',
  stats: async () => actor.stats(),
  stop: async () => actor.stop(),
  dropThread: async (tid: number) => actor.dropThread(tid),
  busy: async () => actor.busy(),
};
expose(control, portEndpoint(port));
void actor.run().then(() => port.close());
