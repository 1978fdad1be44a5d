/**
 * The wire format of requests and answers in ring slots: a sequence of
 * tagged values. The set of value kinds is the set of VOP argument kinds,
 * so any vnode operation can be sent to an actor with its arguments as they
 * are. Encoding writes straight into the slot (no intermediate buffer).
 */

import type { Cred, DirEntry } from '@actorvfs/core/internal';

export const enum Tag {
  Undefined = 0,
  Null = 1,
  Number = 2,
  String = 3,
  Bytes = 4,
  /** A vnode handle: mount id, ino, generation, type. */
  Vnode = 5,
  /** VAttr: presence bitmask and the present fields. */
  Attr = 6,
  Cred = 7,
  /** A file reference: open file id, flags, opener's credentials. */
  File = 8,
  /** An advisory lock request: type, start, end, pid. */
  Lock = 9,
  /** A StatBuf (Float64Array of stat fields). */
  Stat = 10,
  /** Directory entries: count, then (name, type, ino) each. */
  Entries = 11,
  True = 12,
  False = 13,
}

export interface WireVnode {
  mount: number;
  ino: number;
  gen: number;
  type: number;
}

export interface WireFile {
  id: number;
  flags: number;
  cred: Cred;
}

export interface WireLock {
  type: number;
  start: number;
  end: number;
  pid: number;
}

const ATTR_FIELDS = ['type', 'mode', 'uid', 'gid', 'rdev', 'size', 'flags', 'atimeSec', 'atimeNsec', 'mtimeSec', 'mtimeNsec'] as const;
type AttrField = (typeof ATTR_FIELDS)[number];
export type WireAttr = Partial<Record<AttrField, number>> & { timesNow?: boolean };

export type WireValue =
  | undefined
  | null
  | boolean
  | number
  | string
  | Uint8Array
  | WireVnode
  | WireAttr
  | Cred
  | WireFile
  | WireLock
  | Float64Array
  | DirEntry[];

/** Writes tagged values into a byte range of a shared buffer. */
export class Encoder {
  private view!: DataView;
  private bytes!: Uint8Array;
  private pos = 0;
  private end = 0;

  reset(view: DataView, bytes: Uint8Array, start: number, capacity: number): this {
    this.view = view;
    this.bytes = bytes;
    this.pos = start;
    this.end = start + capacity;
    return this;
  }

  /** Bytes written since reset. */
  length(start: number): number {
    return this.pos - start;
  }

  private room(n: number): void {
    if (this.pos + n > this.end) throw new RangeError('request does not fit in a ring slot');
  }

  private u8(v: number): void {
    this.room(1);
    this.view.setUint8(this.pos, v);
    this.pos += 1;
  }

  private f64(v: number): void {
    this.room(8);
    this.view.setFloat64(this.pos, v, true);
    this.pos += 8;
  }

  private i32(v: number): void {
    this.room(4);
    this.view.setInt32(this.pos, v, true);
    this.pos += 4;
  }

  private str(s: string): void {
    // The worst case is 3 bytes per UTF-16 unit; count exactly only when that might not fit.
    const max = this.pos + 4 + s.length * 3 <= this.end ? s.length * 3 : Buffer.byteLength(s, 'utf8');
    this.room(4 + max);
    const n = Buffer.from(this.bytes.buffer, this.bytes.byteOffset + this.pos + 4, max).write(s, 'utf8');
    this.view.setInt32(this.pos, n, true);
    this.pos += 4 + n;
  }

  number(v: number): this {
    this.u8(Tag.Number);
    this.f64(v);
    return this;
  }

  string(s: string): this {
    this.u8(Tag.String);
    this.str(s);
    return this;
  }

  bytesValue(b: Uint8Array, off = 0, len = b.length): this {
    this.u8(Tag.Bytes);
    this.room(4 + len);
    this.view.setInt32(this.pos, len, true);
    this.bytes.set(b.subarray(off, off + len), this.pos + 4);
    this.pos += 4 + len;
    return this;
  }

  vnode(v: WireVnode): this {
    this.u8(Tag.Vnode);
    this.i32(v.mount);
    this.i32(v.ino);
    this.i32(v.gen);
    this.i32(v.type);
    return this;
  }

  attr(a: WireAttr): this {
    this.u8(Tag.Attr);
    let mask = 0;
    for (let i = 0; i < ATTR_FIELDS.length; i++) if (a[ATTR_FIELDS[i]!] !== undefined) mask |= 1 << i;
    if (a.timesNow === true) mask |= 1 << 30;
    this.i32(mask);
    for (let i = 0; i < ATTR_FIELDS.length; i++) if ((mask & (1 << i)) !== 0) this.f64(a[ATTR_FIELDS[i]!]!);
    return this;
  }

  cred(c: Cred): this {
    this.u8(Tag.Cred);
    this.i32(c.uid);
    this.i32(c.gid);
    this.i32(c.groups.length);
    for (const g of c.groups) this.i32(g);
    return this;
  }

  file(f: WireFile): this {
    this.u8(Tag.File);
    this.f64(f.id);
    this.i32(f.flags);
    this.cred(f.cred);
    return this;
  }

  lock(l: WireLock): this {
    this.u8(Tag.Lock);
    this.i32(l.type);
    this.f64(l.start);
    this.f64(l.end);
    this.f64(l.pid);
    return this;
  }

  stat(s: Float64Array): this {
    this.u8(Tag.Stat);
    this.i32(s.length);
    for (let i = 0; i < s.length; i++) this.f64(s[i]!);
    return this;
  }

  entries(list: readonly DirEntry[]): this {
    this.u8(Tag.Entries);
    this.i32(list.length);
    for (const e of list) {
      this.str(e.name);
      this.i32(e.type);
      this.f64(e.ino);
    }
    return this;
  }

  value(v: WireValue): this {
    if (v === undefined) this.u8(Tag.Undefined);
    else if (v === null) this.u8(Tag.Null);
    else if (v === true) this.u8(Tag.True);
    else if (v === false) this.u8(Tag.False);
    else if (typeof v === 'number') this.number(v);
    else if (typeof v === 'string') this.string(v);
    else if (v instanceof Float64Array) this.stat(v);
    else if (v instanceof Uint8Array) this.bytesValue(v);
    else if (Array.isArray(v)) this.entries(v);
    else throw new TypeError('codec: use the typed encoder for objects');
    return this;
  }
}

/** Reads tagged values written by Encoder. */
export class Decoder {
  private view!: DataView;
  private bytes!: Uint8Array;
  private pos = 0;

  reset(view: DataView, bytes: Uint8Array, start: number): this {
    this.view = view;
    this.bytes = bytes;
    this.pos = start;
    return this;
  }

  private tag(): Tag {
    const t = this.view.getUint8(this.pos) as Tag;
    this.pos += 1;
    return t;
  }

  private f64(): number {
    const v = this.view.getFloat64(this.pos, true);
    this.pos += 8;
    return v;
  }

  private i32(): number {
    const v = this.view.getInt32(this.pos, true);
    this.pos += 4;
    return v;
  }

  private str(): string {
    const n = this.i32();
    const s = Buffer.from(this.bytes.buffer, this.bytes.byteOffset + this.pos, n).toString('utf8');
    this.pos += n;
    return s;
  }

  private credBody(): Cred {
    const uid = this.i32();
    const gid = this.i32();
    const n = this.i32();
    const groups: number[] = [];
    for (let i = 0; i < n; i++) groups.push(this.i32());
    return { uid, gid, groups };
  }

  /** The next value, whatever its kind. */
  value(): WireValue {
    const t = this.tag();
    switch (t) {
      case Tag.Undefined:
        return undefined;
      case Tag.Null:
        return null;
      case Tag.True:
        return true;
      case Tag.False:
        return false;
      case Tag.Number:
        return this.f64();
      case Tag.String:
        return this.str();
      case Tag.Bytes: {
        const n = this.i32();
        const out = new Uint8Array(n);
        out.set(this.bytes.subarray(this.pos, this.pos + n));
        this.pos += n;
        return out;
      }
      case Tag.Vnode:
        return { mount: this.i32(), ino: this.i32(), gen: this.i32(), type: this.i32() };
      case Tag.Attr: {
        const mask = this.i32();
        const a: WireAttr = {};
        for (let i = 0; i < ATTR_FIELDS.length; i++) if ((mask & (1 << i)) !== 0) a[ATTR_FIELDS[i]!] = this.f64();
        if ((mask & (1 << 30)) !== 0) a.timesNow = true;
        return a;
      }
      case Tag.Cred:
        return this.credBody();
      case Tag.File: {
        const id = this.f64();
        const flags = this.i32();
        this.tag();
        return { id, flags, cred: this.credBody() };
      }
      case Tag.Lock:
        return { type: this.i32(), start: this.f64(), end: this.f64(), pid: this.f64() };
      case Tag.Stat: {
        const n = this.i32();
        const out = new Float64Array(n);
        for (let i = 0; i < n; i++) out[i] = this.f64();
        return out;
      }
      case Tag.Entries: {
        const n = this.i32();
        const out: DirEntry[] = [];
        for (let i = 0; i < n; i++) out.push({ name: this.str(), type: this.i32(), ino: this.f64() });
        return out;
      }
      default:
        throw new TypeError(`codec: bad tag ${t as number}`);
    }
  }
}
