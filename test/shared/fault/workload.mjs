// A model-checked workload for the fault tests: one thread works alone in its
// own directory and keeps a model of what it did (every name, its type,
// file contents, symlink targets, which names are hard links of one file).
// Since nobody else touches the directory, every call's outcome is known in
// advance: success, or the one error code the model predicts. Reads, stats
// and listings are compared with the model as it goes; at the end the test
// compares the whole model with the tree (`entries()`), so every call that
// returned success must have left its effect behind, whatever was killed
// meanwhile.
//
// Each call uses the sync form or the promise form at random. A call that
// fails with EIO (a request that was in hand at too many actor deaths) is
// counted; its effect is unknown, so the model is then re-read from the tree.
// Any other surprise is listed in `unexpected` (and the model re-read, so one
// surprise does not drown the rest of the run).

import { createHash, randomBytes } from 'node:crypto';
import { rng } from '../workers/conc-common.mjs';

const TOP_NAMES = 8;
const SUB_NAMES = 6;
const MAX_LISTED = 20;

/** Outcome of a call that was skipped (the model was re-read instead of updated). */
const SKIP = null;

export class Workload {
  /**
   * fs: a Node-shaped fs (attach()); root: an existing, empty directory only
   * this workload uses; seed: for the choice of operations.
   */
  constructor(fs, root, seed, { maxFile = 24 * 1024 } = {}) {
    this.fs = fs;
    this.p = fs.promises;
    this.root = root;
    this.r = rng(seed);
    this.maxFile = maxFile;
    /** rel path -> node; a node is { kind: 'file', data } | { kind: 'dir' } | { kind: 'symlink', target }; hard links share a node. */
    this.model = new Map();
    this.ops = 0;
    this.byOp = {};
    this.eio = [];
    this.unexpected = [];
    this.unexpectedCount = 0;
    this.resyncs = 0;
    this.table = this.#table();
    this.weights = this.table.reduce((s, o) => s + o[0], 0);
  }

  full(rel) {
    return rel === '' ? this.root : `${this.root}/${rel}`;
  }

  /** One random operation. */
  async step() {
    let w = this.r.below(this.weights);
    let k = 0;
    while (w >= this.table[k][0]) w -= this.table[k++][0];
    await this.table[k][1]();
    this.ops++;
  }

  /** What the test needs: counters, surprises, and the model as entries. */
  report() {
    return { ops: this.ops, byOp: this.byOp, eio: this.eio, unexpected: this.unexpected, unexpectedCount: this.unexpectedCount, resyncs: this.resyncs, entries: this.entries() };
  }

  /** The model as a list: { path, kind, size, sha1, target, group } (same group = hard links of one file). */
  entries() {
    const ids = new Map();
    const out = [];
    for (const [rel, node] of [...this.model].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
      if (!ids.has(node)) ids.set(node, ids.size + 1);
      const e = { path: rel, kind: node.kind, group: ids.get(node) };
      if (node.kind === 'file') {
        e.size = node.data.length;
        e.sha1 = sha1(node.data);
      } else if (node.kind === 'symlink') e.target = node.target;
      out.push(e);
    }
    return out;
  }

  /** Throw the model away and read it back from the tree (after an EIO or a surprise). */
  resync() {
    this.resyncs++;
    const fs = this.fs;
    const byIno = new Map();
    const model = new Map();
    const walk = (rel) => {
      for (const name of fs.readdirSync(this.full(rel)).sort()) {
        const child = rel === '' ? name : `${rel}/${name}`;
        const st = fs.lstatSync(this.full(child));
        let node = byIno.get(st.ino);
        if (node === undefined) {
          if (st.isDirectory()) node = { kind: 'dir' };
          else if (st.isSymbolicLink()) node = { kind: 'symlink', target: fs.readlinkSync(this.full(child)) };
          else node = { kind: 'file', data: fs.readFileSync(this.full(child)) };
          byIno.set(st.ino, node);
        }
        model.set(child, node);
        if (node.kind === 'dir') walk(child);
      }
    };
    walk('');
    this.model = model;
  }

  // ------------------------------------------------------------ helpers

  #bad(msg) {
    this.unexpectedCount++;
    if (this.unexpected.length < MAX_LISTED) this.unexpected.push(msg);
  }

  /**
   * Run one call, sync or promise form at random. `expect` is the error code
   * the model predicts (undefined: success). => { ok: true, value } on
   * success, { ok: false } on the predicted error, SKIP otherwise.
   */
  async #call(op, desc, expect, syncFn, asyncFn) {
    const sync = this.r.chance(0.5);
    const c = (this.byOp[op] ??= { ok: 0, expected: 0, eio: 0, sync: 0, promise: 0 });
    if (sync) c.sync++;
    else c.promise++;
    try {
      const value = sync ? syncFn() : await asyncFn();
      if (expect !== undefined) {
        this.#bad(`${op} ${desc} (${sync ? 'sync' : 'promise'}): succeeded, the model expected ${expect}`);
        this.resync();
        return SKIP;
      }
      c.ok++;
      return { ok: true, value };
    } catch (err) {
      const code = err?.code;
      if (expect !== undefined && code === expect) {
        c.expected++;
        return { ok: false };
      }
      if (code === 'EIO') {
        c.eio++;
        this.eio.push(`${op} ${desc} (${sync ? 'sync' : 'promise'})`);
      } else {
        const where = typeof code === 'string' ? '' : ` ${String(err?.stack ?? '').split('\n').slice(1, 4).map((l) => l.trim()).join(' ')}`;
        this.#bad(`${op} ${desc} (${sync ? 'sync' : 'promise'}): ${code ?? 'thrown'} ${err?.message ?? err}${where}${expect ? ` (expected ${expect})` : ''}`);
      }
      this.resync();
      return SKIP;
    }
  }

  #dirs() {
    const out = [''];
    for (const [rel, node] of this.model) if (node.kind === 'dir') out.push(rel);
    return out;
  }

  /** A name not in the model, in the root or (if `sub`) in a top-level directory. => null if the pick was taken. */
  #freePath(sub = true) {
    const parent = sub ? this.r.pick(this.#dirs()) : '';
    const rel = parent === '' ? `n${this.r.below(TOP_NAMES)}` : `${parent}/n${this.r.below(SUB_NAMES)}`;
    return this.model.has(rel) ? null : rel;
  }

  /** A random existing path whose node is of one of `kinds` (and passes `pred`). => null if none. */
  #existing(kinds, pred = () => true) {
    const list = [];
    for (const [rel, node] of this.model) if (kinds.includes(node.kind) && pred(rel)) list.push(rel);
    return list.length === 0 ? null : this.r.pick(list);
  }

  #children(rel) {
    const prefix = rel === '' ? '' : `${rel}/`;
    const out = [];
    for (const k of this.model.keys()) if (k.startsWith(prefix) && !k.slice(prefix.length).includes('/')) out.push(k.slice(prefix.length));
    return out.sort();
  }

  #links(node) {
    let n = 0;
    for (const v of this.model.values()) if (v === node) n++;
    return n;
  }

  #data(n) {
    return randomBytes(n);
  }

  // ------------------------------------------------------------ operations

  #table() {
    const fs = this.fs;
    const p = this.p;
    const r = this.r;
    return [
      [12, async () => {
        const rel = this.#freePath();
        if (rel === null) return;
        const at = this.full(rel);
        const data = this.#data(r.below(this.maxFile));
        const res = await this.#call('create', at, undefined,
          () => {
            const fd = fs.openSync(at, 'wx');
            try {
              fs.writeSync(fd, data, 0, data.length, 0);
            } finally {
              fs.closeSync(fd);
            }
          },
          () => p.writeFile(at, data, { flag: 'wx' }));
        if (res?.ok) this.model.set(rel, { kind: 'file', data });
      }],
      [12, async () => {
        const rel = this.#existing(['file']);
        if (rel === null) return;
        const node = this.model.get(rel);
        const at = this.full(rel);
        const pos = r.below(Math.min(node.data.length + 4096, 2 * this.maxFile));
        const buf = this.#data(1 + r.below(8192));
        const res = await this.#call('write', `${at} @${pos}+${buf.length}`, undefined,
          () => {
            const fd = fs.openSync(at, 'r+');
            try {
              fs.writeSync(fd, buf, 0, buf.length, pos);
            } finally {
              fs.closeSync(fd);
            }
          },
          async () => {
            const fh = await p.open(at, 'r+');
            try {
              await fh.write(buf, 0, buf.length, pos);
            } finally {
              await fh.close();
            }
          });
        if (res?.ok) node.data = writeAt(node.data, pos, buf);
      }],
      [6, async () => {
        const rel = this.#existing(['file']);
        if (rel === null) return;
        const node = this.model.get(rel);
        if (node.data.length > 2 * this.maxFile) return;
        const at = this.full(rel);
        const buf = this.#data(1 + r.below(3000));
        const res = await this.#call('append', at, undefined, () => fs.appendFileSync(at, buf), () => p.appendFile(at, buf));
        if (res?.ok) node.data = Buffer.concat([node.data, buf]);
      }],
      [5, async () => {
        const rel = this.#existing(['file']);
        if (rel === null) return;
        const node = this.model.get(rel);
        const at = this.full(rel);
        const len = r.below(node.data.length + 4096);
        const res = await this.#call('truncate', `${at} to ${len}`, undefined, () => fs.truncateSync(at, len), () => p.truncate(at, len));
        if (res?.ok) node.data = resize(node.data, len);
      }],
      [6, async () => {
        const rel = this.#freePath(false);
        if (rel === null) return;
        const at = this.full(rel);
        const res = await this.#call('mkdir', at, undefined, () => fs.mkdirSync(at), () => p.mkdir(at));
        if (res?.ok) this.model.set(rel, { kind: 'dir' });
      }],
      [5, async () => {
        const rel = this.#existing(['dir']);
        if (rel === null) return;
        const at = this.full(rel);
        const empty = this.#children(rel).length === 0;
        const res = await this.#call('rmdir', at, empty ? undefined : 'ENOTEMPTY', () => fs.rmdirSync(at), () => p.rmdir(at));
        if (res?.ok) this.model.delete(rel);
      }],
      [8, async () => {
        const rel = this.#existing(['file', 'symlink']);
        if (rel === null) return;
        const at = this.full(rel);
        const res = await this.#call('unlink', at, undefined, () => fs.unlinkSync(at), () => p.unlink(at));
        if (res?.ok) this.model.delete(rel);
      }],
      [5, async () => {
        const src = this.#existing(['file']);
        const dst = this.#freePath();
        if (src === null || dst === null) return;
        const [from, to] = [this.full(src), this.full(dst)];
        const res = await this.#call('link', `${from} -> ${to}`, undefined, () => fs.linkSync(from, to), () => p.link(from, to));
        if (res?.ok) this.model.set(dst, this.model.get(src));
      }],
      [5, async () => {
        const dst = this.#freePath();
        if (dst === null) return;
        const at = this.full(dst);
        const target = r.pick(['n1', '../n2', 'n0/n3', 'x'.repeat(1 + r.below(200)), '/elsewhere/entirely']);
        const res = await this.#call('symlink', at, undefined, () => fs.symlinkSync(target, at), () => p.symlink(target, at));
        if (res?.ok) this.model.set(dst, { kind: 'symlink', target });
      }],
      [10, async () => {
        // rename a file or symlink onto a free name or over another file or symlink
        const src = this.#existing(['file', 'symlink']);
        if (src === null) return;
        const dst = r.chance(0.5) ? this.#freePath() : this.#existing(['file', 'symlink']);
        if (dst === null || dst === src) return;
        const [from, to] = [this.full(src), this.full(dst)];
        const res = await this.#call('rename', `${from} -> ${to}`, undefined, () => fs.renameSync(from, to), () => p.rename(from, to));
        if (!res?.ok) return;
        const node = this.model.get(src);
        // Two names of one file: rename does nothing (POSIX).
        if (this.model.get(dst) === node) return;
        this.model.set(dst, node);
        this.model.delete(src);
      }],
      [3, async () => {
        // rename a top-level directory to a free name or over another (empty or not)
        const src = this.#existing(['dir']);
        if (src === null) return;
        const dst = r.chance(0.6) ? this.#freePath(false) : this.#existing(['dir']);
        if (dst === null || dst === src) return;
        const over = this.model.get(dst);
        const expect = over !== undefined && this.#children(dst).length > 0 ? 'ENOTEMPTY' : undefined;
        const [from, to] = [this.full(src), this.full(dst)];
        const res = await this.#call('renameDir', `${from} -> ${to}`, expect, () => fs.renameSync(from, to), () => p.rename(from, to));
        if (!res?.ok) return;
        const moved = [];
        for (const [k, v] of this.model) if (k === src || k.startsWith(`${src}/`)) moved.push([k, v]);
        this.model.delete(dst);
        for (const [k] of moved) this.model.delete(k);
        for (const [k, v] of moved) this.model.set(dst + k.slice(src.length), v);
      }],
      [6, async () => {
        const rel = this.#existing(['file', 'dir', 'symlink']);
        if (rel === null) return;
        const at = this.full(rel);
        const res = await this.#call('lstat', at, undefined, () => fs.lstatSync(at), () => p.lstat(at));
        if (!res?.ok) return;
        const st = res.value;
        const node = this.model.get(rel);
        const kind = st.isDirectory() ? 'dir' : st.isSymbolicLink() ? 'symlink' : st.isFile() ? 'file' : 'other';
        const size = node.kind === 'file' ? node.data.length : node.kind === 'symlink' ? Buffer.byteLength(node.target) : st.size;
        const nlink = node.kind === 'dir' ? 2 : this.#links(node);
        if (kind !== node.kind || st.size !== size || st.nlink !== nlink) {
          this.#bad(`lstat ${at}: ${kind} size ${st.size} nlink ${st.nlink}, the model has ${node.kind} size ${size} nlink ${nlink}`);
          this.resync();
        }
      }],
      [5, async () => {
        const rel = r.pick(this.#dirs());
        const at = this.full(rel);
        const res = await this.#call('readdir', at, undefined, () => fs.readdirSync(at), () => p.readdir(at));
        if (!res?.ok) return;
        const got = [...res.value].map(String).sort();
        const want = this.#children(rel);
        if (got.join('/') !== want.join('/')) {
          this.#bad(`readdir ${at}: [${got}], the model has [${want}]`);
          this.resync();
        }
      }],
      [6, async () => {
        const rel = this.#existing(['file']);
        if (rel === null) return;
        const at = this.full(rel);
        const res = await this.#call('readFile', at, undefined, () => fs.readFileSync(at), () => p.readFile(at));
        if (!res?.ok) return;
        const want = this.model.get(rel).data;
        if (!want.equals(res.value)) {
          this.#bad(`readFile ${at}: ${res.value.length} bytes (sha1 ${sha1(res.value)}), the model has ${want.length} (sha1 ${sha1(want)})`);
          this.resync();
        }
      }],
      [2, async () => {
        const rel = this.#existing(['symlink']);
        if (rel === null) return;
        const at = this.full(rel);
        const res = await this.#call('readlink', at, undefined, () => fs.readlinkSync(at), () => p.readlink(at));
        if (res?.ok && res.value !== this.model.get(rel).target) {
          this.#bad(`readlink ${at}: ${JSON.stringify(res.value)}, the model has ${JSON.stringify(this.model.get(rel).target)}`);
          this.resync();
        }
      }],
      [4, async () => {
        // Calls the model says must fail, with their error code intact across threads.
        const pick = r.below(4);
        if (pick === 0) {
          const rel = this.#existing(['file', 'dir', 'symlink']);
          if (rel === null) return;
          const at = this.full(rel);
          await this.#call('mkdir', `${at} (exists)`, 'EEXIST', () => fs.mkdirSync(at), () => p.mkdir(at));
        } else if (pick === 1) {
          const rel = this.#freePath();
          if (rel === null) return;
          const at = this.full(rel);
          await this.#call('unlink', `${at} (absent)`, 'ENOENT', () => fs.unlinkSync(at), () => p.unlink(at));
        } else if (pick === 2) {
          const rel = this.#existing(['file']);
          if (rel === null) return;
          const at = this.full(rel);
          await this.#call('rmdir', `${at} (a file)`, 'ENOTDIR', () => fs.rmdirSync(at), () => p.rmdir(at));
        } else {
          const rel = this.#freePath();
          if (rel === null) return;
          const at = this.full(rel);
          await this.#call('open', `${at} (absent)`, 'ENOENT', () => fs.closeSync(fs.openSync(at, 'r')), async () => (await p.open(at, 'r')).close());
        }
      }],
    ];
  }
}

function sha1(buf) {
  return createHash('sha1').update(buf).digest('hex');
}

/** `data` with `buf` written at `pos` (a gap reads as zeros). */
function writeAt(data, pos, buf) {
  const out = Buffer.alloc(Math.max(data.length, pos + buf.length));
  data.copy(out);
  buf.copy(out, pos);
  return out;
}

function resize(data, len) {
  const out = Buffer.alloc(len);
  data.copy(out, 0, 0, Math.min(len, data.length));
  return out;
}
