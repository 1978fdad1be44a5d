/**
 * A model of a directory tree, and a random op runner that checks a real
 * file system against it.
 *
 * The model is a tree of maps (dir -> name -> node) with Linux's rules for
 * path resolution, symlinks (40 per lookup, then ELOOP), hard links, and the
 * errors each namespace call returns, in the order Linux checks them. Each
 * random op is first predicted by the model (success, or an error code),
 * then run for real; the model is changed only when the real call
 * succeeded, and a failing call must fail with the predicted code. After
 * every op the listings of the directories it touched are compared, and
 * each entry's type, link count and inode number (hard links share one; a
 * rename keeps it) are checked.
 *
 * The model's error rules were checked against Linux tmpfs through
 * `node:fs` (the harness test runs it there), so a disagreement with the
 * VFS is a VFS bug or a deliberate, documented difference.
 */

import { Prng, weightTable } from './prng.js';
import type { FsLike } from './fsx.js';

export type NsApi = 'sync' | 'promise';

type Kind = 'file' | 'dir' | 'symlink';

interface MNode {
  id: number;
  kind: Kind;
  /** Directory entries naming this node (non-directories). */
  links: number;
  /** Directories: the containing directory (null for the root). */
  parent: MNode | null;
  children: Map<string, MNode>;
  target: string;
  data: string;
}

type Found = { err?: undefined; parent: MNode; name: string; node: MNode | undefined };
type Resolved = { err: string } | Found;

export type NsOpKind =
  | 'mkdir'
  | 'rmdir'
  | 'create'
  | 'createExcl'
  | 'unlink'
  | 'rename'
  | 'link'
  | 'symlink'
  | 'readdir'
  | 'stat'
  | 'lstat'
  | 'readFile'
  | 'readlink';

export const NS_DEFAULT_WEIGHTS: Record<NsOpKind, number> = {
  mkdir: 4,
  rmdir: 2,
  create: 3,
  createExcl: 1,
  unlink: 2,
  rename: 6,
  link: 2,
  symlink: 2,
  readdir: 1,
  stat: 1,
  lstat: 1,
  readFile: 1,
  readlink: 0.5,
};

export interface NsOptions {
  /** An existing, empty directory; the model's root. */
  root: string;
  seed: number;
  numOps: number;
  api: NsApi | 'mixed';
  weights?: Partial<Record<NsOpKind, number>>;
  /** Entry names drawn from; few names mean many collisions. */
  names?: string[];
  /** Deepest generated path. Default 3. */
  maxDepth?: number;
  /** Compare the whole tree every this many ops (and at the end). Default 250. */
  fullCheckEvery?: number;
}

export interface NsResult {
  seed: number;
  ops: number;
  /** Per op kind: how many succeeded, and each error code seen (all predicted). */
  outcomes: Record<string, Record<string, number>>;
  fullChecks: number;
  entries: number;
}

export class NsFailure extends Error {
  constructor(
    message: string,
    readonly seed: number,
    readonly opNumber: number,
  ) {
    super(message);
    this.name = 'NsFailure';
  }
}

interface NsOp {
  n: number;
  kind: NsOpKind;
  api: NsApi;
  a: string[];
  b?: string[];
  target?: string;
}

const MAX_SYMLINKS = 40;

/** Run random namespace ops under `root`, checking each against the model. */
export async function runNamespaceModel(fs: FsLike, options: NsOptions): Promise<NsResult> {
  const runner = new NsRunner(fs, options);
  return runner.run();
}

class Mismatch extends Error {}

class NsRunner {
  private readonly rng: Prng;
  private readonly root: MNode;
  private nextId = 1;
  private readonly names: string[];
  private readonly maxDepth: number;
  private readonly log: string[] = [];
  /** model id -> real inode number, learnt when the node is created. */
  private readonly inoOf = new Map<number, number>();
  /** real inode number -> model id, for nodes alive now. */
  private readonly idOfIno = new Map<number, number>();
  private readonly result: NsResult;

  constructor(
    private readonly fs: FsLike,
    private readonly opts: NsOptions,
  ) {
    this.rng = new Prng(opts.seed);
    this.root = this.newNode('dir', null);
    this.names = opts.names ?? ['a', 'b', 'c', 'd', 'e'];
    this.maxDepth = opts.maxDepth ?? 3;
    this.result = { seed: opts.seed >>> 0, ops: 0, outcomes: {}, fullChecks: 0, entries: 0 };
  }

  async run(): Promise<NsResult> {
    const table = weightTable<NsOpKind>({ ...NS_DEFAULT_WEIGHTS, ...this.opts.weights });
    const every = this.opts.fullCheckEvery ?? 250;
    let op: NsOp | undefined;
    try {
      const rootIno = this.fs.lstatSync(this.opts.root).ino;
      this.learnIno(this.root, rootIno);
      if (this.fs.readdirSync(this.opts.root).length !== 0) throw new Mismatch(`${this.opts.root} is not empty`);
      for (let n = 1; n <= this.opts.numOps; n++) {
        op = this.generate(n, table.keys.length ? this.rng.weighted(table) : 'mkdir');
        this.log.push(this.describeOp(op));
        await this.step(op);
        this.result.ops++;
        if (n % every === 0) await this.fullCheck();
      }
      op = undefined;
      await this.fullCheck();
      this.result.entries = this.count(this.root);
      return this.result;
    } catch (err) {
      throw this.failure(op, err);
    }
  }

  // ---- the model --------------------------------------------------------

  private newNode(kind: Kind, parent: MNode | null): MNode {
    return { id: this.nextId++, kind, links: kind === 'dir' ? 0 : 1, parent, children: new Map(), target: '', data: '' };
  }

  /**
   * Linux path walk from the root (paths are relative to it). `followLast`
   * follows a symlink in the last component; a dangling one then yields the
   * parent and name its target would be created at.
   */
  private resolve(comps: string[], followLast: boolean, budget = { links: 0 }, start: MNode = this.root): Resolved {
    let cur = start;
    for (let i = 0; i < comps.length; i++) {
      const comp = comps[i]!;
      const last = i === comps.length - 1;
      if (cur.kind !== 'dir') return { err: 'ENOTDIR' };
      if (comp === '.') continue;
      if (comp === '..') {
        if (cur.parent === null) throw new Mismatch('model: a generated path climbed above the root');
        cur = cur.parent;
        continue;
      }
      const child = cur.children.get(comp);
      if (last) {
        if (child !== undefined && child.kind === 'symlink' && followLast) return this.follow(child, cur, budget, true);
        return { parent: cur, name: comp, node: child };
      }
      if (child === undefined) return { err: 'ENOENT' };
      if (child.kind === 'symlink') {
        const r = this.follow(child, cur, budget, true);
        if (r.err !== undefined) return r;
        if (r.node === undefined) return { err: 'ENOENT' };
        cur = r.node;
      } else cur = child;
    }
    // Only reached for a path ending in '.' or '..' (never generated).
    throw new Mismatch('model: path ends in . or ..');
  }

  private follow(link: MNode, dir: MNode, budget: { links: number }, followLast: boolean): Resolved {
    if (++budget.links > MAX_SYMLINKS) return { err: 'ELOOP' };
    const absolute = link.target.startsWith('/');
    const comps = this.targetComps(link.target);
    return this.resolve(comps, followLast, budget, absolute ? this.root : dir);
  }

  /** Symlink targets are `<root>/x/y` (absolute) or `x/y` (relative). */
  private targetComps(target: string): string[] {
    const rel = target.startsWith('/') ? target.slice(this.opts.root.length + 1) : target;
    return rel.split('/');
  }

  private isAncestorOrSelf(anc: MNode, node: MNode): boolean {
    for (let cur: MNode | null = node; cur !== null; cur = cur.parent) if (cur === anc) return true;
    return false;
  }

  private pathOf(dir: MNode): string[] {
    const comps: string[] = [];
    for (let cur = dir; cur.parent !== null; cur = cur.parent) {
      let name: string | undefined;
      for (const [k, v] of cur.parent.children) if (v === cur) name = k;
      comps.unshift(name!);
    }
    return comps;
  }

  private nlink(node: MNode): number {
    if (node.kind !== 'dir') return node.links;
    let n = 2;
    for (const c of node.children.values()) if (c.kind === 'dir') n++;
    return n;
  }

  private dropEntry(parent: MNode, name: string): void {
    const node = parent.children.get(name)!;
    parent.children.delete(name);
    if (node.kind !== 'dir') node.links--;
    if (node.kind === 'dir' || node.links === 0) this.forget(node);
  }

  private forget(node: MNode): void {
    const ino = this.inoOf.get(node.id);
    this.inoOf.delete(node.id);
    if (ino !== undefined && this.idOfIno.get(ino) === node.id) this.idOfIno.delete(ino);
  }

  /** Prediction: an error code, or the change to make once the real call succeeded. */
  private predict(op: NsOp): { err: string } | { apply: () => { created?: string[] } } {
    const ok = (apply: () => { created?: string[] }) => ({ apply });
    switch (op.kind) {
      case 'mkdir': {
        const r = this.resolve(op.a, false);
        if (r.err !== undefined) return r;
        if (r.node) return { err: 'EEXIST' };
        return ok(() => {
          const d = this.newNode('dir', r.parent);
          r.parent.children.set(r.name, d);
          return { created: op.a };
        });
      }
      case 'rmdir': {
        const r = this.resolve(op.a, false);
        if (r.err !== undefined) return r;
        if (!r.node) return { err: 'ENOENT' };
        if (r.node.kind !== 'dir') return { err: 'ENOTDIR' };
        if (r.node.children.size > 0) return { err: 'ENOTEMPTY' };
        return ok(() => (this.dropEntry(r.parent, r.name), {}));
      }
      case 'createExcl': {
        const r = this.resolve(op.a, false);
        if (r.err !== undefined) return r;
        if (r.node) return { err: 'EEXIST' };
        return ok(() => this.createFile(r, op));
      }
      case 'create': {
        // O_CREAT|O_TRUNC follows a symlink, and creates a dangling one's target.
        const r = this.resolve(op.a, true);
        if (r.err !== undefined) return r;
        if (r.node?.kind === 'dir') return { err: 'EISDIR' };
        if (r.node) {
          const node = r.node;
          return ok(() => ((node.data = this.content(op)), {}));
        }
        return ok(() => this.createFile(r, op));
      }
      case 'unlink': {
        const r = this.resolve(op.a, false);
        if (r.err !== undefined) return r;
        if (!r.node) return { err: 'ENOENT' };
        if (r.node.kind === 'dir') return { err: 'EISDIR' };
        return ok(() => (this.dropEntry(r.parent, r.name), {}));
      }
      case 'rename':
        return this.predictRename(op);
      case 'link': {
        const ra = this.resolve(op.a, false);
        if (ra.err !== undefined) return ra;
        if (!ra.node) return { err: 'ENOENT' };
        const rb = this.resolve(op.b!, false);
        if (rb.err !== undefined) return rb;
        if (rb.node) return { err: 'EEXIST' };
        if (ra.node.kind === 'dir') return { err: 'EPERM' };
        const node = ra.node;
        return ok(() => {
          node.links++;
          rb.parent.children.set(rb.name, node);
          return {};
        });
      }
      case 'symlink': {
        const r = this.resolve(op.a, false);
        if (r.err !== undefined) return r;
        if (r.node) return { err: 'EEXIST' };
        return ok(() => {
          const l = this.newNode('symlink', null);
          l.target = op.target!;
          r.parent.children.set(r.name, l);
          return { created: op.a };
        });
      }
      case 'readdir':
      case 'stat':
      case 'readFile': {
        const r = this.resolve(op.a, true);
        if (r.err !== undefined) return r;
        if (!r.node) return { err: 'ENOENT' };
        if (op.kind === 'readdir' && r.node.kind !== 'dir') return { err: 'ENOTDIR' };
        if (op.kind === 'readFile' && r.node.kind === 'dir') return { err: 'EISDIR' };
        return ok(() => ({}));
      }
      case 'lstat':
      case 'readlink': {
        const r = this.resolve(op.a, false);
        if (r.err !== undefined) return r;
        if (!r.node) return { err: 'ENOENT' };
        if (op.kind === 'readlink' && r.node.kind !== 'symlink') return { err: 'EINVAL' };
        return ok(() => ({}));
      }
    }
  }

  private createFile(r: Found, op: NsOp): { created?: string[] } {
    const f = this.newNode('file', null);
    f.data = this.content(op);
    r.parent.children.set(r.name, f);
    // The created name may be a dangling symlink's target, elsewhere: report its real place.
    return { created: [...this.pathOf(r.parent), r.name] };
  }

  private content(op: NsOp): string {
    return `op ${op.n}\n`;
  }

  /** rename(2) in the order Linux checks (do_renameat2, vfs_rename). */
  private predictRename(op: NsOp): { err: string } | { apply: () => { created?: string[] } } {
    const ra = this.resolve(op.a, false);
    if (ra.err !== undefined) return ra;
    const rb = this.resolve(op.b!, false);
    if (rb.err !== undefined) return rb;
    const src = ra.node;
    if (!src) return { err: 'ENOENT' };
    const dst = rb.node;
    if (this.isAncestorOrSelf(src, rb.parent)) return { err: 'EINVAL' };
    if (dst && this.isAncestorOrSelf(dst, ra.parent)) return { err: 'ENOTEMPTY' };
    if (src === dst) return { apply: () => ({}) };
    if (dst) {
      if (src.kind === 'dir' && dst.kind !== 'dir') return { err: 'ENOTDIR' };
      if (src.kind !== 'dir' && dst.kind === 'dir') return { err: 'EISDIR' };
      if (dst.kind === 'dir' && dst.children.size > 0) return { err: 'ENOTEMPTY' };
    }
    return {
      apply: () => {
        if (dst) this.dropEntry(rb.parent, rb.name);
        ra.parent.children.delete(ra.name);
        rb.parent.children.set(rb.name, src);
        if (src.kind === 'dir') src.parent = rb.parent;
        return {};
      },
    };
  }

  // ---- generation -------------------------------------------------------

  private generate(n: number, kind: NsOpKind): NsOp {
    const api: NsApi = this.opts.api === 'mixed' ? (this.rng.chance(0.5) ? 'sync' : 'promise') : this.opts.api;
    const op: NsOp = { n, kind, api, a: this.genPath() };
    if (kind === 'rename' || kind === 'link') op.b = this.genPath();
    if (kind === 'symlink') op.target = this.genTarget();
    // Steer some ops at the interesting cases: hard links, and renames over
    // existing entries of the same type, or between two links of one inode.
    if ((kind === 'link' && this.rng.chance(0.6)) || (kind === 'rename' && this.rng.chance(0.4))) {
      const all = this.allEntries();
      const nonDirs = all.filter(([, c]) => c.kind !== 'dir');
      const src = kind === 'link' && nonDirs.length > 0 ? this.rng.pick(nonDirs) : all.length > 0 ? this.rng.pick(all) : undefined;
      if (src !== undefined) {
        op.a = src[0];
        if (kind === 'rename') {
          const sameNode = all.filter(([p, c]) => c === src[1] && p.join('/') !== src[0].join('/'));
          const sameKind = all.filter(([, c]) => c.kind === src[1].kind);
          if (sameNode.length > 0 && this.rng.chance(0.3)) op.b = this.rng.pick(sameNode)[0];
          else if (this.rng.chance(0.5)) op.b = this.rng.pick(sameKind)[0];
        }
      }
    }
    return op;
  }

  /** Every entry of the tree with its path (symlinks not followed). */
  private allEntries(): [string[], MNode][] {
    const out: [string[], MNode][] = [];
    const walk = (dir: MNode, prefix: string[]): void => {
      for (const [name, c] of dir.children) {
        const p = [...prefix, name];
        out.push([p, c]);
        if (c.kind === 'dir') walk(c, p);
      }
    };
    walk(this.root, []);
    return out;
  }

  /**
   * A path of 1..maxDepth names: inner components mostly existing
   * directories (or symlinks to them), the last one an existing entry or a
   * fresh name; rarely a '..' in the middle.
   */
  private genPath(): string[] {
    const depth = this.rng.range(1, this.maxDepth);
    const comps: string[] = [];
    let cur: MNode | undefined = this.root;
    for (let i = 0; i < depth; i++) {
      const last = i === depth - 1;
      let name: string | undefined;
      if (cur !== undefined && cur.children.size > 0) {
        const entries = [...cur.children];
        if (!last && this.rng.chance(0.85)) {
          const dirs = entries.filter(([, c]) => c.kind === 'dir' || (c.kind === 'symlink' && this.peek(c) !== undefined));
          if (dirs.length > 0) name = this.rng.pick(dirs)[0];
        } else if (last && this.rng.chance(0.6)) name = this.rng.pick(entries)[0];
      }
      name ??= this.rng.pick(this.names);
      comps.push(name);
      const child: MNode | undefined = cur?.children.get(name);
      cur = child?.kind === 'dir' ? child : child?.kind === 'symlink' ? this.peek(child) : undefined;
      if (cur === undefined && !last && this.rng.chance(0.7)) break;
      // Rarely step back up (never above the root, never as the last component).
      if (i > 0 && !last && this.rng.chance(0.05)) {
        comps.push('..');
        cur = cur?.parent ?? undefined;
      }
    }
    if (comps[comps.length - 1] === '..') comps.push(this.rng.pick(this.names));
    return comps;
  }

  /** Where a symlink leads, for steering generation only. */
  private peek(link: MNode): MNode | undefined {
    const r = this.resolve(this.targetComps(link.target), true, { links: 0 }, this.root);
    return r.err === undefined && r.node?.kind === 'dir' ? r.node : undefined;
  }

  private genTarget(): string {
    const comps = this.genPath().filter((c) => c !== '..');
    if (comps.length === 0) comps.push(this.rng.pick(this.names));
    return this.rng.chance(0.5) ? `${this.opts.root}/${comps.join('/')}` : comps.join('/');
  }

  private real(comps: string[]): string {
    return comps.length === 0 ? this.opts.root : `${this.opts.root}/${comps.join('/')}`;
  }

  // ---- running and checking -----------------------------------------------

  private async step(op: NsOp): Promise<void> {
    // Directories whose listing the op may change (their parents, before it runs).
    const touched = new Set<MNode>();
    for (const p of [op.a, op.b]) {
      if (p === undefined) continue;
      for (const follow of [false, true]) {
        const r = this.resolve(p, follow);
        if (r.err === undefined) touched.add(r.parent);
      }
    }
    const predicted = this.predict(op);
    let realErr: unknown;
    let value: unknown;
    try {
      value = await this.call(op);
    } catch (err) {
      realErr = err;
    }
    const outcome = realErr === undefined ? 'ok' : String((realErr as { code?: unknown }).code ?? 'no code');
    const counts = (this.result.outcomes[op.kind] ??= {});
    counts[outcome] = (counts[outcome] ?? 0) + 1;
    if ('err' in predicted) {
      if (realErr === undefined) throw new Mismatch(`the model predicted ${predicted.err}, the call succeeded`);
      if (outcome !== predicted.err) {
        throw new Mismatch(`the model predicted ${predicted.err}, the call failed with ${describe(realErr)}`);
      }
      await this.checkDirs(touched);
      return;
    }
    if (realErr !== undefined) throw new Mismatch(`the model predicted success, the call failed with ${describe(realErr)}`);
    await this.checkResult(op, value);
    const { created } = predicted.apply();
    if (created) await this.learnPath(created);
    await this.checkDirs(touched);
  }

  private async call(op: NsOp): Promise<unknown> {
    const fs = this.fs;
    const a = this.real(op.a);
    const b = op.b ? this.real(op.b) : '';
    const sync = op.api === 'sync';
    const p = fs.promises;
    switch (op.kind) {
      case 'mkdir':
        return sync ? fs.mkdirSync(a, 0o755) : p.mkdir(a, 0o755);
      case 'rmdir':
        return sync ? fs.rmdirSync(a) : p.rmdir(a);
      case 'create':
      case 'createExcl': {
        const opt = { flag: op.kind === 'create' ? 'w' : 'wx', mode: 0o644 };
        return sync ? fs.writeFileSync(a, this.content(op), opt) : p.writeFile(a, this.content(op), opt);
      }
      case 'unlink':
        return sync ? fs.unlinkSync(a) : p.unlink(a);
      case 'rename':
        return sync ? fs.renameSync(a, b) : p.rename(a, b);
      case 'link':
        return sync ? fs.linkSync(a, b) : p.link(a, b);
      case 'symlink':
        return sync ? fs.symlinkSync(op.target!, a) : p.symlink(op.target!, a);
      case 'readdir':
        return sync ? fs.readdirSync(a) : p.readdir(a);
      case 'stat':
        return sync ? fs.statSync(a) : p.stat(a);
      case 'lstat':
        return sync ? fs.lstatSync(a) : p.lstat(a);
      case 'readFile':
        return sync ? fs.readFileSync(a, 'utf8') : p.readFile(a, 'utf8');
      case 'readlink':
        return sync ? fs.readlinkSync(a) : p.readlink(a);
    }
  }

  /** Check what a read-only call returned against the model. */
  private async checkResult(op: NsOp, value: unknown): Promise<void> {
    const follow = op.kind !== 'lstat' && op.kind !== 'readlink';
    const r = this.resolve(op.a, follow);
    const node = r.err === undefined ? r.node : undefined;
    if (node === undefined) return;
    switch (op.kind) {
      case 'readdir':
        this.compareNames(value as string[], node, op.a.join('/'));
        break;
      case 'stat':
      case 'lstat':
        this.compareStat(value as StatLike, node, op.a.join('/'));
        break;
      case 'readFile':
        if (value !== node.data) throw new Mismatch(`readFile returned ${JSON.stringify(value)}, want ${JSON.stringify(node.data)}`);
        break;
      case 'readlink':
        if (value !== node.target) throw new Mismatch(`readlink returned ${JSON.stringify(value)}, want ${JSON.stringify(node.target)}`);
        break;
      default:
        break;
    }
  }

  private async learnPath(comps: string[]): Promise<void> {
    const r = this.resolve(comps, false);
    if (r.err !== undefined || r.node === undefined) throw new Mismatch(`model: created ${comps.join('/')} does not resolve`);
    const st = this.fs.lstatSync(this.real(comps));
    this.learnIno(r.node, st.ino);
  }

  private learnIno(node: MNode, ino: number): void {
    const other = this.idOfIno.get(ino);
    if (other !== undefined && other !== node.id) {
      throw new Mismatch(`new node ${node.id} got inode ${ino}, which a live node (${other}) still has`);
    }
    this.inoOf.set(node.id, ino);
    this.idOfIno.set(ino, node.id);
  }

  private compareNames(got: string[], dir: MNode, where: string): void {
    const want = [...dir.children.keys()].sort();
    const sorted = [...got].sort();
    if (sorted.length !== want.length || sorted.some((n, i) => n !== want[i])) {
      throw new Mismatch(`readdir ${where || '.'} = [${sorted.join(' ')}], want [${want.join(' ')}]`);
    }
  }

  private compareStat(st: StatLike, node: MNode, where: string): void {
    const kind: Kind | 'other' = st.isDirectory() ? 'dir' : st.isFile() ? 'file' : st.isSymbolicLink() ? 'symlink' : 'other';
    if (kind !== node.kind) throw new Mismatch(`${where}: is a ${kind}, want a ${node.kind}`);
    if (st.nlink !== this.nlink(node)) throw new Mismatch(`${where}: nlink ${st.nlink}, want ${this.nlink(node)}`);
    const ino = this.inoOf.get(node.id);
    if (ino !== undefined && st.ino !== ino) throw new Mismatch(`${where}: inode ${st.ino}, want ${ino} (node ${node.id})`);
    if (node.kind === 'file' && st.size !== Buffer.byteLength(node.data)) {
      throw new Mismatch(`${where}: size ${st.size}, want ${Buffer.byteLength(node.data)}`);
    }
    if (node.kind === 'symlink' && st.size !== Buffer.byteLength(node.target)) {
      throw new Mismatch(`${where}: symlink size ${st.size}, want ${Buffer.byteLength(node.target)}`);
    }
  }

  /** Listing, and type, link count and inode of every entry, of each live touched dir. */
  private async checkDirs(dirs: Iterable<MNode>): Promise<void> {
    for (const dir of dirs) {
      if (dir !== this.root && !this.isLive(dir)) continue;
      const comps = this.pathOf(dir);
      const where = comps.join('/') || '.';
      this.compareNames(this.fs.readdirSync(this.real(comps)), dir, where);
      this.compareStat(this.fs.lstatSync(this.real(comps)), dir, where);
      for (const [name, child] of dir.children) {
        this.compareStat(this.fs.lstatSync(this.real([...comps, name])), child, [...comps, name].join('/'));
      }
    }
  }

  private isLive(dir: MNode): boolean {
    let cur = dir;
    while (cur.parent !== null) {
      let found = false;
      for (const v of cur.parent.children.values()) if (v === cur) found = true;
      if (!found) return false;
      cur = cur.parent;
    }
    return cur === this.root;
  }

  private async fullCheck(): Promise<void> {
    this.result.fullChecks++;
    const walk = async (dir: MNode): Promise<void> => {
      await this.checkDirs([dir]);
      for (const child of dir.children.values()) if (child.kind === 'dir') await walk(child);
      for (const [name, child] of dir.children) {
        if (child.kind === 'file') {
          const data = this.fs.readFileSync(this.real([...this.pathOf(dir), name]), 'utf8');
          if (data !== child.data) throw new Mismatch(`${[...this.pathOf(dir), name].join('/')}: contents ${JSON.stringify(data)}, want ${JSON.stringify(child.data)}`);
        } else if (child.kind === 'symlink') {
          const t = this.fs.readlinkSync(this.real([...this.pathOf(dir), name]));
          if (t !== child.target) throw new Mismatch(`${[...this.pathOf(dir), name].join('/')}: readlink ${t}, want ${child.target}`);
        }
      }
    };
    await walk(this.root);
  }

  private count(dir: MNode): number {
    let n = 0;
    for (const c of dir.children.values()) n += 1 + (c.kind === 'dir' ? this.count(c) : 0);
    return n;
  }

  // ---- reporting --------------------------------------------------------

  private describeOp(op: NsOp): string {
    const p = (c: string[]) => c.join('/');
    switch (op.kind) {
      case 'rename':
      case 'link':
        return `#${op.n} ${op.kind}(${p(op.a)}, ${p(op.b!)}) [${op.api}]`;
      case 'symlink':
        return `#${op.n} symlink(${JSON.stringify(op.target)}, ${p(op.a)}) [${op.api}]`;
      default:
        return `#${op.n} ${op.kind}(${p(op.a)}) [${op.api}]`;
    }
  }

  private dumpTree(): string[] {
    const out: string[] = [];
    const walk = (dir: MNode, prefix: string): void => {
      for (const [name, c] of [...dir.children].sort((x, y) => (x[0] < y[0] ? -1 : 1))) {
        const what = c.kind === 'symlink' ? ` -> ${c.target}` : c.kind === 'file' ? ` (file #${c.id}, ${c.links} links)` : '/';
        out.push(`    ${prefix}${name}${what}`);
        if (c.kind === 'dir') walk(c, `${prefix}${name}/`);
      }
    };
    walk(this.root, '');
    return out;
  }

  private failure(op: NsOp | undefined, err: unknown): NsFailure {
    const what = err instanceof Mismatch ? err.message : `unexpected exception: ${describe(err)}`;
    const lines = [
      `namespace model: ${what}`,
      `  seed ${this.opts.seed}, ${op ? `op ${this.describeOp(op)}` : 'final check'}, root ${this.opts.root}`,
      `  reproduce: FSRANDOM_SEED=${this.opts.seed} reruns the test with this seed (ops are deterministic)`,
      `  model tree now:`,
      ...this.dumpTree().slice(0, 80),
      `  last ops:`,
      ...this.log.slice(-30).map((l) => `    ${l}`),
    ];
    return new NsFailure(lines.join('\n'), this.opts.seed, op?.n ?? -1);
  }
}

interface StatLike {
  ino: number;
  nlink: number;
  size: number;
  isDirectory(): boolean;
  isFile(): boolean;
  isSymbolicLink(): boolean;
}

function describe(err: unknown): string {
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    return `${code ? String(code) : err.name}: ${err.message}`;
  }
  return String(err);
}
