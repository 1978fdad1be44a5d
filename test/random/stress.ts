/**
 * fsstress-js: N asynchronous "workers", each with its own credentials,
 * running weighted random ops through `fs.promises`, interleaved at every
 * await (conformance.md §2.2, §2.3). Like fsstress there is no data oracle:
 * ops may fail, and only the kind of failure is checked (the codes a racing
 * or unprivileged caller can get). What matters is the state afterwards,
 * checked with `auditTree`.
 *
 * Each worker works in its own subtree `p<i>` and, with probability
 * `sharedFraction`, in `shared/`, where every worker creates, renames and
 * deletes the same entries. Workers keep lists of the paths they know (like
 * fsstress's flist), updated on success; in the shared tree they go stale
 * and ops get ENOENT, which is expected.
 *
 * Workers also hold descriptors open across other ops (and across the
 * unlink of their file), and write and read through them.
 */

import type { FileHandle } from 'node:fs/promises';
import type { FsLike } from './fsx.js';
import { Prng, weightTable, type WeightTable } from './prng.js';

export type StressOpKind =
  | 'creat'
  | 'write'
  | 'writev'
  | 'append'
  | 'read'
  | 'readv'
  | 'truncate'
  | 'ftruncate'
  | 'mkdir'
  | 'rmdir'
  | 'unlink'
  | 'link'
  | 'symlink'
  | 'readlink'
  | 'rename'
  | 'stat'
  | 'readdir'
  | 'chmod'
  | 'chown'
  | 'utimes'
  | 'copyFile'
  | 'fsync'
  | 'hold'
  | 'heldIo'
  | 'release';

export const STRESS_DEFAULT_WEIGHTS: Record<StressOpKind, number> = {
  creat: 4,
  write: 4,
  writev: 2,
  append: 2,
  read: 2,
  readv: 1,
  truncate: 2,
  ftruncate: 1,
  mkdir: 3,
  rmdir: 1,
  unlink: 2,
  link: 1.5,
  symlink: 2,
  readlink: 1,
  rename: 4,
  stat: 1,
  readdir: 1,
  chmod: 1,
  chown: 1,
  utimes: 1,
  copyFile: 1,
  fsync: 1,
  hold: 1,
  heldIo: 2,
  release: 0.7,
};

/** Codes a racing or unprivileged caller may get. Anything else is a bug. */
export const EXPECTED_CODES = new Set([
  'ENOENT',
  'EEXIST',
  'ENOTDIR',
  'EISDIR',
  'ENOTEMPTY',
  'EINVAL',
  'EPERM',
  'EACCES',
  'ELOOP',
  'EMLINK',
]);

export interface StressWorker {
  fs: FsLike;
  uid: number;
  gid: number;
  groups: number[];
}

export interface StressOptions {
  /** An existing directory every worker may write in (mode 0777). */
  root: string;
  workers: StressWorker[];
  seed: number;
  opsPerWorker: number;
  /** Chance that an op works in shared/ rather than the worker's own subtree. */
  sharedFraction: number;
  weights?: Partial<Record<StressOpKind, number>>;
  /** Largest write. Default 64 KiB. */
  maxWrite?: number;
  /** Called every `checkEvery` ops of worker 0, with the others paused (0: never). */
  checkEvery?: number;
  onCheck?: (opsDone: number) => Promise<void>;
  /** Called with a description of each op as it starts, and 'done' lines as it ends (debugging hangs). */
  trace?: (line: string) => void;
}

export interface StressResult {
  ops: number;
  /** Per op kind: successes and each error code. */
  outcomes: Record<string, Record<string, number>>;
  /** Failures that no racing caller should see, with the op that got them. */
  unexpected: string[];
}

interface Area {
  /** The area's top directory (never removed or renamed by the workers' lists). */
  root: string;
  /** Directories created under it. */
  dirs: string[];
  files: string[];
  links: string[];
}

interface Held {
  fh: FileHandle;
  path: string;
}

/** Run every worker's ops concurrently; resolves when all finished and all held files are closed. */
export async function runStress(options: StressOptions): Promise<StressResult> {
  const result: StressResult = { ops: 0, outcomes: {}, unexpected: [] };
  const table = weightTable<StressOpKind>({ ...STRESS_DEFAULT_WEIGHTS, ...options.weights });
  const shared: Area = { root: `${options.root}/shared`, dirs: [], files: [], links: [] };
  const admin = options.workers[0]!.fs;
  await admin.promises.mkdir(`${options.root}/shared`, 0o777);
  await admin.promises.chmod(`${options.root}/shared`, 0o777);
  const areas: Area[] = [];
  for (let i = 0; i < options.workers.length; i++) {
    const dir = `${options.root}/p${i}`;
    const w = options.workers[i]!;
    await w.fs.promises.mkdir(dir, 0o777);
    areas.push({ root: dir, dirs: [], files: [], links: [] });
  }
  const gate = new Gate(options.workers.length);
  await Promise.all(
    options.workers.map((w, i) =>
      new StressWorkerRun(i, w, options, table, areas[i]!, shared, result, options.workers, gate).run(),
    ),
  );
  return result;
}

/** Lets worker 0 pause the others at an op boundary, for mid-run audits. */
class Gate {
  private paused: Promise<void> | undefined;
  private resume: (() => void) | undefined;
  private waiting = 0;
  private allWaiting: (() => void) | undefined;
  private running: number;

  constructor(workers: number) {
    this.running = workers;
  }

  async pass(): Promise<void> {
    if (this.paused === undefined) return;
    this.waiting++;
    if (this.waiting === this.running - 1) this.allWaiting?.();
    await this.paused;
    this.waiting--;
  }

  /** => every other worker is parked at an op boundary, or finished. */
  async stop(): Promise<void> {
    this.paused = new Promise((r) => (this.resume = r));
    if (this.waiting < this.running - 1) await new Promise<void>((r) => (this.allWaiting = r));
    this.allWaiting = undefined;
  }

  start(): void {
    const resume = this.resume;
    this.paused = this.resume = undefined;
    resume?.();
  }

  finished(): void {
    this.running--;
    if (this.paused !== undefined && this.waiting === this.running - 1) this.allWaiting?.();
  }
}

class StressWorkerRun {
  private readonly rng: Prng;
  private readonly p: FsLike['promises'];
  private readonly held: Held[] = [];
  private seq = 0;
  private op = '';
  private readonly maxWrite: number;

  constructor(
    private readonly id: number,
    private readonly worker: StressWorker,
    private readonly opts: StressOptions,
    private readonly table: WeightTable<StressOpKind>,
    private readonly own: Area,
    private readonly shared: Area,
    private readonly result: StressResult,
    private readonly all: StressWorker[],
    private readonly gate: Gate,
  ) {
    this.rng = new Prng((opts.seed ^ Math.imul(id + 1, 0x9e3779b1)) >>> 0);
    this.p = worker.fs.promises;
    this.maxWrite = opts.maxWrite ?? 1 << 16;
  }

  async run(): Promise<void> {
    try {
      for (let n = 1; n <= this.opts.opsPerWorker; n++) {
        if (this.id === 0 && this.opts.checkEvery && this.opts.onCheck && n % this.opts.checkEvery === 0) {
          await this.gate.stop();
          try {
            await this.opts.onCheck(n);
          } finally {
            this.gate.start();
          }
        } else await this.gate.pass();
        const kind = this.rng.weighted(this.table);
        const area = this.rng.chance(this.opts.sharedFraction) ? this.shared : this.own;
        this.op = `w${this.id}#${n} ${kind}`;
        let outcome = 'ok';
        try {
          await this.exec(kind, area);
        } catch (err) {
          outcome = this.classify(err, area);
        }
        this.opts.trace?.(`${this.op} -> ${outcome}`);
        const counts = (this.result.outcomes[kind] ??= {});
        counts[outcome] = (counts[outcome] ?? 0) + 1;
        this.result.ops++;
      }
    } finally {
      for (const h of this.held.splice(0)) await h.fh.close().catch((err) => this.unexpected(`close held ${h.path}`, err));
      this.gate.finished();
    }
  }

  private classify(err: unknown, area: Area): string {
    const code = (err as { code?: unknown } | undefined)?.code;
    if (typeof code === 'string' && EXPECTED_CODES.has(code)) {
      if (code === 'ENOENT') this.forgetStale(area);
      return code;
    }
    this.unexpected(this.op, err);
    return typeof code === 'string' ? code : 'exception';
  }

  private unexpected(what: string, err: unknown): void {
    const e = err as { code?: unknown; message?: unknown; stack?: unknown } | undefined;
    this.result.unexpected.push(`${what} (uid ${this.worker.uid}): ${String(e?.code ?? '')} ${String(e?.message ?? err)}`);
  }

  /** Drop a few stale paths; cheaper than tracking exactly what others did. */
  private forgetStale(area: Area): void {
    for (const list of [area.files, area.links, area.dirs]) {
      if (list.length > 0 && this.rng.chance(0.3)) list.splice(this.rng.below(list.length), 1);
    }
  }

  private name(prefix: string): string {
    return `${prefix}${this.id}_${++this.seq}`;
  }

  private dirOf(area: Area): string {
    return area.dirs.length === 0 || this.rng.chance(0.2) ? area.root : this.rng.pick(area.dirs);
  }

  private anyFile(area: Area): string {
    if (area.files.length === 0 || this.rng.chance(0.05)) return `${this.dirOf(area)}/${this.name('f')}`;
    return this.rng.pick(area.files);
  }

  private anyEntry(area: Area): string {
    const r = this.rng.below(10);
    if (r < 5 && area.files.length > 0) return this.rng.pick(area.files);
    if (r < 7 && area.links.length > 0) return this.rng.pick(area.links);
    if (area.dirs.length > 0) return this.rng.pick(area.dirs);
    return this.anyFile(area);
  }

  private bytes(len: number): Buffer {
    const buf = Buffer.allocUnsafe(len);
    buf.fill((this.id * 31 + this.seq) & 0xff);
    return buf;
  }

  private async exec(kind: StressOpKind, area: Area): Promise<void> {
    const p = this.p;
    this.op += ` in ${area === this.shared ? 'shared' : 'own'}`;
    if (this.opts.trace) {
      const op = this;
      // Announce the op once its arguments are known: at its first await.
      queueMicrotask(() => op.opts.trace?.(`${op.op} ...`));
    }
    switch (kind) {
      case 'creat': {
        const path = `${this.dirOf(area)}/${this.name('f')}`;
        this.op += ` ${path}`;
        const fh = await p.open(path, 'wx', 0o666);
        area.files.push(path);
        try {
          if (this.rng.chance(0.5)) await fh.write(this.bytes(this.rng.range(1, 4096)), 0, undefined, 0);
        } finally {
          await fh.close();
        }
        break;
      }
      case 'write':
      case 'writev':
      case 'append': {
        const path = this.anyFile(area);
        this.op += ` ${path}`;
        const fh = await p.open(path, kind === 'append' ? 'a' : 'r+');
        try {
          const size = (await fh.stat()).size;
          const off = this.rng.below(Math.min(size + (1 << 18), 2 << 20));
          const len = this.rng.range(1, this.maxWrite);
          if (kind === 'writev') {
            const a = this.rng.below(len);
            const { bytesWritten } = await fh.writev([this.bytes(a), this.bytes(len - a)], off);
            this.expect(bytesWritten === len, `writev wrote ${bytesWritten} of ${len}`);
          } else {
            const { bytesWritten } = await fh.write(this.bytes(len), 0, len, kind === 'append' ? null : off);
            this.expect(bytesWritten === len, `write wrote ${bytesWritten} of ${len}`);
          }
        } finally {
          await fh.close();
        }
        break;
      }
      case 'read':
      case 'readv': {
        const path = this.anyFile(area);
        this.op += ` ${path}`;
        const fh = await p.open(path, 'r');
        try {
          const size = (await fh.stat()).size;
          const off = this.rng.below(size + 4096);
          const len = this.rng.range(1, this.maxWrite);
          const got =
            kind === 'read'
              ? (await fh.read(Buffer.alloc(len), 0, len, off)).bytesRead
              : (await fh.readv([Buffer.alloc(len >> 1), Buffer.alloc(len - (len >> 1))], off)).bytesRead;
          // Others may grow or shrink the file meanwhile; the read is bounded by the request.
          this.expect(got >= 0 && got <= len, `${kind} returned ${got} for ${len} bytes`);
        } finally {
          await fh.close();
        }
        break;
      }
      case 'truncate': {
        const path = this.anyFile(area);
        this.op += ` ${path}`;
        await p.truncate(path, this.rng.below(1 << 20));
        break;
      }
      case 'ftruncate': {
        const path = this.anyFile(area);
        this.op += ` ${path}`;
        const fh = await p.open(path, 'r+');
        try {
          const len = this.rng.below(1 << 20);
          await fh.truncate(len);
          // Others may change the size meanwhile; it must still be a sane number.
          const size = (await fh.stat()).size;
          this.expect(Number.isSafeInteger(size) && size >= 0, `fstat size ${size}`);
        } finally {
          await fh.close();
        }
        break;
      }
      case 'mkdir': {
        const path = `${this.dirOf(area)}/${this.name('d')}`;
        this.op += ` ${path}`;
        await p.mkdir(path, this.rng.chance(0.9) ? 0o777 : 0o755);
        area.dirs.push(path);
        break;
      }
      case 'rmdir': {
        if (area.dirs.length === 0) return;
        const path = this.rng.pick(area.dirs);
        this.op += ` ${path}`;
        await p.rmdir(path);
        remove(area.dirs, path);
        break;
      }
      case 'unlink': {
        const path = this.rng.chance(0.8) || area.links.length === 0 ? this.anyFile(area) : this.rng.pick(area.links);
        this.op += ` ${path}`;
        await p.unlink(path);
        remove(area.files, path);
        remove(area.links, path);
        break;
      }
      case 'link': {
        const src = this.anyFile(area);
        const dst = `${this.dirOf(this.rng.chance(0.2) ? this.otherArea(area) : area)}/${this.name('h')}`;
        this.op += ` ${src} ${dst}`;
        await p.link(src, dst);
        (dst.startsWith(`${this.shared.root}/`) ? this.shared : this.own).files.push(dst);
        break;
      }
      case 'symlink': {
        const target = this.rng.chance(0.7) ? this.anyEntry(area) : `${this.dirOf(area)}/dangling${this.seq}`;
        const path = `${this.dirOf(area)}/${this.name('l')}`;
        this.op += ` ${target} ${path}`;
        await p.symlink(target, path);
        area.links.push(path);
        break;
      }
      case 'readlink': {
        if (area.links.length === 0) return;
        const path = this.rng.pick(area.links);
        this.op += ` ${path}`;
        const target = await p.readlink(path);
        this.expect(typeof target === 'string' && target.length > 0, `readlink returned ${JSON.stringify(target)}`);
        break;
      }
      case 'rename': {
        const src = this.anyEntry(area);
        const toArea = this.rng.chance(0.15) ? this.otherArea(area) : area;
        // A fresh name, or (a third of the time) over an existing entry.
        const dst = this.rng.chance(0.33) ? this.anyEntry(toArea) : `${this.dirOf(toArea)}/${this.name('r')}`;
        this.op += ` ${src} ${dst}`;
        await p.rename(src, dst);
        this.renamed(src, dst);
        break;
      }
      case 'stat': {
        const path = this.anyEntry(area);
        this.op += ` ${path}`;
        const st = this.rng.chance(0.5) ? await p.stat(path) : await p.lstat(path);
        this.expect(st.nlink >= 1 && st.size >= 0, `stat gave nlink ${st.nlink} size ${st.size}`);
        break;
      }
      case 'readdir': {
        const path = this.dirOf(area);
        this.op += ` ${path}`;
        const names = await p.readdir(path);
        this.expect(new Set(names).size === names.length, `readdir returned duplicates`);
        this.expect(!names.includes('.') && !names.includes('..'), `readdir returned . or ..`);
        break;
      }
      case 'chmod': {
        const path = this.anyEntry(area);
        this.op += ` ${path}`;
        // Mostly permissive modes, so the other workers keep going.
        await p.chmod(path, this.rng.pick([0o777, 0o777, 0o666, 0o755, 0o644, 0o700, 0o1777]));
        break;
      }
      case 'chown': {
        const path = this.anyEntry(area);
        const w = this.worker;
        const other = this.rng.pick(this.all);
        const uid = w.uid === 0 ? other.uid : this.rng.chance(0.8) ? w.uid : other.uid;
        const gid = w.uid === 0 ? other.gid : this.rng.pick(w.groups);
        this.op += ` ${path} ${uid}:${gid}`;
        await (this.rng.chance(0.5) ? p.chown(path, uid, gid) : p.lchown(path, uid, gid));
        break;
      }
      case 'utimes': {
        const path = this.anyEntry(area);
        this.op += ` ${path}`;
        const t = 1_000_000_000 + this.rng.below(1_000_000_000);
        await p.utimes(path, t, t + 1);
        break;
      }
      case 'copyFile': {
        const src = this.anyFile(area);
        const dst = this.rng.chance(0.5) ? this.anyFile(area) : `${this.dirOf(area)}/${this.name('c')}`;
        this.op += ` ${src} ${dst}`;
        await p.copyFile(src, dst);
        if (!area.files.includes(dst)) area.files.push(dst);
        break;
      }
      case 'fsync': {
        const path = this.anyFile(area);
        this.op += ` ${path}`;
        const fh = await p.open(path, 'r+');
        try {
          await (this.rng.chance(0.5) ? fh.sync() : fh.datasync());
        } finally {
          await fh.close();
        }
        break;
      }
      case 'hold': {
        if (this.held.length >= 4) return;
        const path = this.anyFile(area);
        this.op += ` ${path}`;
        const fh = await p.open(path, this.rng.chance(0.3) ? 'a+' : 'r+');
        this.held.push({ fh, path });
        // Sometimes unlink it right away: the descriptor keeps the file alive.
        if (this.rng.chance(0.3)) {
          try {
            await p.unlink(path);
            remove(area.files, path);
          } catch (err) {
            this.classify(err, area);
          }
        }
        break;
      }
      case 'heldIo': {
        if (this.held.length === 0) return;
        const h = this.rng.pick(this.held);
        this.op += ` ${h.path} (held)`;
        const len = this.rng.range(1, this.maxWrite);
        const off = this.rng.below(2 << 20);
        if (this.rng.chance(0.6)) {
          const { bytesWritten } = await h.fh.write(this.bytes(len), 0, len, off);
          this.expect(bytesWritten === len, `held write wrote ${bytesWritten} of ${len}`);
        } else {
          // Others may resize the file between any two awaits: only the bound is certain.
          const { bytesRead } = await h.fh.read(Buffer.alloc(len), 0, len, off);
          this.expect(bytesRead >= 0 && bytesRead <= len, `held read got ${bytesRead} of ${len} at ${off}`);
        }
        break;
      }
      case 'release': {
        if (this.held.length === 0) return;
        const [h] = this.held.splice(this.rng.below(this.held.length), 1);
        this.op += ` ${h!.path}`;
        await h!.fh.close();
        break;
      }
    }
  }

  private otherArea(area: Area): Area {
    return area === this.shared ? this.own : this.shared;
  }

  private renamed(src: string, dst: string): void {
    for (const a of [this.own, this.shared]) {
      remove(a.files, dst);
      remove(a.links, dst);
      remove(a.dirs, dst);
    }
    const to = dst.startsWith(`${this.shared.root}/`) ? this.shared : this.own;
    for (const a of [this.own, this.shared]) {
      for (const list of ['files', 'links', 'dirs'] as const) {
        const arr = a[list];
        for (let i = arr.length - 1; i >= 0; i--) {
          const path = arr[i]!;
          if (path === src) {
            arr.splice(i, 1);
            to[list].push(dst);
          } else if (path.startsWith(`${src}/`)) arr[i] = dst + path.slice(src.length);
        }
      }
    }
  }

  private expect(ok: boolean, what: string): void {
    if (!ok) this.result.unexpected.push(`${this.op}: ${what}`);
  }
}

function remove(list: string[], item: string): void {
  const i = list.indexOf(item);
  if (i >= 0) list.splice(i, 1);
}
