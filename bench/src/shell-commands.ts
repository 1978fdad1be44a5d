/**
 * The commands of avfs shell. Each takes the shell state, its words, and a
 * sink for its output; it throws on failure (the shell prints the message).
 * Everything goes through the node:fs-shaped object of the current user.
 */

import { tmpfs, type Tmpfs, type Vfs, type VfsFs } from '@actorvfs/core';

export interface ShellState {
  vfs: Vfs;
  /** The file system as the current user (root or `su`). */
  fs: VfsFs;
  cwd: string;
  uid: number;
  gid: number;
  /** File systems mounted from the shell, by mount point. */
  mounts: Map<string, { fs: Tmpfs; readonly: boolean }>;
  exit: boolean;
  resolve(path: string): string;
}

type Out = (text: string | Uint8Array) => void;

interface Command {
  usage: string;
  help: string;
  run(state: ShellState, args: string[], out: Out): void;
}

class ShellUsage extends Error {}

/** Split leading -xyz flags from operands. */
function flags(args: string[], allowed: string): { set: Set<string>; rest: string[] } {
  const set = new Set<string>();
  let i = 0;
  for (; i < args.length && /^-[a-zA-Z]+$/.test(args[i]!); i++) {
    for (const f of args[i]!.slice(1)) {
      if (!allowed.includes(f)) throw new ShellUsage(`invalid option -- '${f}'`);
      set.add(f);
    }
  }
  return { set, rest: args.slice(i) };
}

function need(args: string[], min: number, usage: string): void {
  if (args.length < min) throw new ShellUsage(`usage: ${usage}`);
}

const TYPE_CHARS: [number, string][] = [
  [0o040000, 'd'],
  [0o120000, 'l'],
  [0o010000, 'p'],
  [0o020000, 'c'],
  [0o060000, 'b'],
  [0o140000, 's'],
];

export function modeString(mode: number): string {
  const type = TYPE_CHARS.find(([bits]) => (mode & 0o170000) === bits)?.[1] ?? '-';
  const rwx = (bits: number, special: boolean, ch: string): string =>
    (bits & 4 ? 'r' : '-') + (bits & 2 ? 'w' : '-') + (special ? (bits & 1 ? ch : ch.toUpperCase()) : bits & 1 ? 'x' : '-');
  return (
    type +
    rwx((mode >> 6) & 7, (mode & 0o4000) !== 0, 's') +
    rwx((mode >> 3) & 7, (mode & 0o2000) !== 0, 's') +
    rwx(mode & 7, (mode & 0o1000) !== 0, 't')
  );
}

function human(bytes: number): string {
  const units = ['B', 'K', 'M', 'G', 'T'];
  let v = bytes;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return u === 0 ? `${v}` : `${v < 10 ? v.toFixed(1) : Math.round(v)}${units[u]}`;
}

function longLine(state: ShellState, path: string, name: string): string {
  const st = state.fs.lstatSync(path);
  const when = st.mtime.toISOString().slice(0, 16).replace('T', ' ');
  const link = st.isSymbolicLink() ? ` -> ${state.fs.readlinkSync(path)}` : '';
  return `${modeString(st.mode)} ${String(st.nlink).padStart(3)} ${String(st.uid).padStart(5)} ${String(st.gid).padStart(5)} ${String(st.size).padStart(9)} ${when} ${name}${link}\n`;
}

function ls(state: ShellState, args: string[], out: Out): void {
  const { set, rest } = flags(args, 'la1');
  const targets = rest.length > 0 ? rest : ['.'];
  targets.forEach((arg, i) => {
    const path = state.resolve(arg);
    const st = state.fs.lstatSync(path);
    if (!st.isDirectory()) {
      out(set.has('l') ? longLine(state, path, arg) : `${arg}\n`);
      return;
    }
    if (targets.length > 1) out(`${i > 0 ? '\n' : ''}${arg}:\n`);
    let names = state.fs.readdirSync(path).sort();
    if (set.has('a')) names = ['.', '..', ...names];
    else names = names.filter((n) => !n.startsWith('.'));
    const join = (n: string): string => (n === '.' ? path : n === '..' ? state.resolve(`${path}/..`) : `${path === '/' ? '' : path}/${n}`);
    if (set.has('l')) for (const n of names) out(longLine(state, join(n), n));
    else if (names.length > 0) out(`${names.join(set.has('1') ? '\n' : '  ')}\n`);
  });
}

function tree(state: ShellState, path: string, prefix: string, out: Out): void {
  const names = state.fs.readdirSync(path).sort();
  names.forEach((n, i) => {
    const last = i === names.length - 1;
    const child = `${path === '/' ? '' : path}/${n}`;
    const st = state.fs.lstatSync(child);
    out(`${prefix}${last ? '└── ' : '├── '}${n}${st.isDirectory() ? '/' : st.isSymbolicLink() ? ` -> ${state.fs.readlinkSync(child)}` : ''}\n`);
    if (st.isDirectory()) tree(state, child, `${prefix}${last ? '    ' : '│   '}`, out);
  });
}

function df(state: ShellState, out: Out): void {
  const rows = [['Filesystem', 'Size', 'Used', 'Avail', 'Use%', 'Inodes', 'IUsed', 'Mounted on']];
  const points = ['/', ...[...state.mounts.keys()].sort()];
  for (const p of points) {
    const s = state.fs.statfsSync(p);
    const size = s.blocks * s.bsize;
    const used = (s.blocks - s.bfree) * s.bsize;
    const ro = state.mounts.get(p)?.readonly === true ? ' (ro)' : '';
    rows.push(['tmpfs', human(size), human(used), human(s.bavail * s.bsize), `${size === 0 ? 0 : Math.ceil((100 * used) / size)}%`, String(s.files), String(s.files - s.ffree), `${p}${ro}`]);
  }
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  for (const r of rows) out(`${r.map((c, i) => (i === 0 || i === r.length - 1 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ').trimEnd()}\n`);
}

function stat(state: ShellState, path: string, out: Out): void {
  const st = state.fs.lstatSync(path);
  const type = st.isDirectory() ? 'directory' : st.isFile() ? 'regular file' : st.isSymbolicLink() ? 'symbolic link' : st.isFIFO() ? 'fifo' : 'special file';
  out(
    `  File: ${path}${st.isSymbolicLink() ? ` -> ${state.fs.readlinkSync(path)}` : ''}\n` +
      `  Size: ${st.size}\tBlocks: ${st.blocks}\tIO Block: ${st.blksize}\t${type}\n` +
      `Device: ${st.dev}\tInode: ${st.ino}\tLinks: ${st.nlink}\n` +
      `Access: (${(st.mode & 0o7777).toString(8).padStart(4, '0')}/${modeString(st.mode)})  Uid: ${st.uid}  Gid: ${st.gid}\n` +
      `Access: ${st.atime.toISOString()}\nModify: ${st.mtime.toISOString()}\nChange: ${st.ctime.toISOString()}\n Birth: ${st.birthtime.toISOString()}\n`,
  );
}

function setUser(state: ShellState, uid: number, gid: number): void {
  state.fs = uid === 0 && gid === 0 ? state.vfs.fs : state.vfs.context({ uid, gid, cwd: state.cwd });
  state.uid = uid;
  state.gid = gid;
}

function intArg(s: string, what: string): number {
  if (!/^\d+$/.test(s)) throw new ShellUsage(`${what} must be a number: ${s}`);
  return Number(s);
}

export const commands: Record<string, Command> = {
  help: {
    usage: 'help',
    help: 'list the commands',
    run(_state, _args, out) {
      const listed = Object.entries(commands).filter(([name]) => name !== 'quit').map(([, c]) => c);
      const w = Math.max(...listed.map((c) => c.usage.length));
      for (const c of listed) out(`  ${c.usage.padEnd(w)}  ${c.help}\n`);
      out('  Any command can end in > FILE or >> FILE.\n');
    },
  },
  pwd: { usage: 'pwd', help: 'print the working directory', run: (s, _a, out) => out(`${s.cwd}\n`) },
  cd: {
    usage: 'cd [DIR]',
    help: 'change the working directory (default /)',
    run(s, args) {
      const path = s.resolve(args[0] ?? '/');
      const st = s.fs.statSync(path);
      if (!st.isDirectory()) throw new Error(`ENOTDIR: not a directory, chdir '${path}'`);
      s.fs.accessSync(path, 1);
      s.cwd = path;
    },
  },
  ls: { usage: 'ls [-la1] [PATH...]', help: 'list a directory (-l long, -a all)', run: ls },
  tree: { usage: 'tree [DIR]', help: 'draw a directory tree', run: (s, a, out) => (out(`${a[0] ?? '.'}\n`), tree(s, s.resolve(a[0] ?? '.'), '', out)) },
  cat: {
    usage: 'cat FILE...',
    help: 'print files',
    run(s, args, out) {
      need(args, 1, 'cat FILE...');
      for (const a of args) out(s.fs.readFileSync(s.resolve(a)));
    },
  },
  echo: {
    usage: 'echo [-n] TEXT...',
    help: 'print text (use > FILE to write a file)',
    run(_s, args, out) {
      const noNewline = args[0] === '-n';
      out(`${(noNewline ? args.slice(1) : args).join(' ')}${noNewline ? '' : '\n'}`);
    },
  },
  touch: {
    usage: 'touch FILE...',
    help: 'create files or update their times',
    run(s, args) {
      need(args, 1, 'touch FILE...');
      const now = new Date();
      for (const a of args) {
        const p = s.resolve(a);
        if (s.fs.existsSync(p)) s.fs.utimesSync(p, now, now);
        else s.fs.closeSync(s.fs.openSync(p, 'a'));
      }
    },
  },
  mkdir: {
    usage: 'mkdir [-p] DIR...',
    help: 'make directories (-p: parents too)',
    run(s, args) {
      const { set, rest } = flags(args, 'p');
      need(rest, 1, 'mkdir [-p] DIR...');
      for (const a of rest) s.fs.mkdirSync(s.resolve(a), { recursive: set.has('p') });
    },
  },
  rmdir: {
    usage: 'rmdir DIR...',
    help: 'remove empty directories',
    run(s, args) {
      need(args, 1, 'rmdir DIR...');
      for (const a of args) s.fs.rmdirSync(s.resolve(a));
    },
  },
  rm: {
    usage: 'rm [-rf] PATH...',
    help: 'remove files (-r: directories too, -f: ignore missing)',
    run(s, args) {
      const { set, rest } = flags(args, 'rRf');
      need(rest, 1, 'rm [-rf] PATH...');
      const recursive = set.has('r') || set.has('R');
      for (const a of rest) {
        const p = s.resolve(a);
        if (recursive) s.fs.rmSync(p, { recursive: true, force: set.has('f') });
        else if (!(set.has('f') && !s.fs.existsSync(p))) s.fs.unlinkSync(p);
      }
    },
  },
  mv: {
    usage: 'mv FROM TO',
    help: 'rename (into TO if it is a directory)',
    run(s, args) {
      need(args, 2, 'mv FROM TO');
      const from = s.resolve(args[0]!);
      let to = s.resolve(args[1]!);
      if (s.fs.statSync(to, { throwIfNoEntry: false })?.isDirectory() === true) to = `${to === '/' ? '' : to}/${from.split('/').pop()}`;
      s.fs.renameSync(from, to);
    },
  },
  cp: {
    usage: 'cp [-r] FROM TO',
    help: 'copy files (-r: directories)',
    run(s, args) {
      const { set, rest } = flags(args, 'rR');
      need(rest, 2, 'cp [-r] FROM TO');
      const from = s.resolve(rest[0]!);
      let to = s.resolve(rest[1]!);
      if (s.fs.statSync(to, { throwIfNoEntry: false })?.isDirectory() === true) to = `${to === '/' ? '' : to}/${from.split('/').pop()}`;
      if (set.has('r') || set.has('R')) s.fs.cpSync(from, to, { recursive: true });
      else s.fs.copyFileSync(from, to);
    },
  },
  ln: {
    usage: 'ln [-s] TARGET LINK',
    help: 'make a hard link (-s: symbolic)',
    run(s, args) {
      const { set, rest } = flags(args, 's');
      need(rest, 2, 'ln [-s] TARGET LINK');
      if (set.has('s')) s.fs.symlinkSync(rest[0]!, s.resolve(rest[1]!));
      else s.fs.linkSync(s.resolve(rest[0]!), s.resolve(rest[1]!));
    },
  },
  readlink: { usage: 'readlink LINK', help: 'print a symbolic link', run: (s, a, out) => (need(a, 1, 'readlink LINK'), out(`${s.fs.readlinkSync(s.resolve(a[0]!))}\n`)) },
  stat: {
    usage: 'stat PATH...',
    help: 'show inode details',
    run(s, args, out) {
      need(args, 1, 'stat PATH...');
      for (const a of args) stat(s, s.resolve(a), out);
    },
  },
  chmod: {
    usage: 'chmod MODE PATH...',
    help: 'change permissions (octal MODE)',
    run(s, args) {
      need(args, 2, 'chmod MODE PATH...');
      if (!/^[0-7]{1,4}$/.test(args[0]!)) throw new ShellUsage(`invalid mode: ${args[0]} (octal, e.g. 644)`);
      for (const a of args.slice(1)) s.fs.chmodSync(s.resolve(a), parseInt(args[0]!, 8));
    },
  },
  chown: {
    usage: 'chown UID[:GID] PATH...',
    help: 'change owner',
    run(s, args) {
      need(args, 2, 'chown UID[:GID] PATH...');
      const [u, g] = args[0]!.split(':');
      for (const a of args.slice(1)) {
        const p = s.resolve(a);
        s.fs.chownSync(p, intArg(u!, 'uid'), g !== undefined ? intArg(g, 'gid') : s.fs.statSync(p).gid);
      }
    },
  },
  mount: {
    usage: 'mount [DIR [ro]]',
    help: 'mount a new tmpfs on DIR (ro: read-only); no DIR: list mounts',
    run(s, args, out) {
      if (args.length === 0) {
        out('tmpfs on / (rw)\n');
        for (const [p, m] of [...s.mounts].sort()) out(`tmpfs on ${p} (${m.readonly ? 'ro' : 'rw'})\n`);
        return;
      }
      const path = s.resolve(args[0]!);
      const readonly = args[1] === 'ro';
      if (args[1] !== undefined && args[1] !== 'ro' && args[1] !== 'rw') throw new ShellUsage('usage: mount [DIR [ro]]');
      const fs = tmpfs();
      s.vfs.mount(path, fs, { readonly });
      s.mounts.set(path, { fs, readonly });
    },
  },
  remount: {
    usage: 'remount DIR ro|rw',
    help: 'make a mount read-only or read-write',
    run(s, args) {
      need(args, 2, 'remount DIR ro|rw');
      const path = s.resolve(args[0]!);
      const readonly = args[1] === 'ro';
      s.vfs.remount(path, { readonly });
      const m = s.mounts.get(path);
      if (m !== undefined) m.readonly = readonly;
    },
  },
  umount: {
    usage: 'umount DIR',
    help: 'unmount',
    run(s, args) {
      need(args, 1, 'umount DIR');
      const path = s.resolve(args[0]!);
      s.vfs.unmount(path);
      s.mounts.delete(path);
    },
  },
  df: { usage: 'df', help: 'space and inodes of each mounted file system', run: (s, _a, out) => df(s, out) },
  su: {
    usage: 'su [UID [GID]]',
    help: 'act as another user (no UID: back to root)',
    run(s, args) {
      const uid = args[0] !== undefined ? intArg(args[0], 'uid') : 0;
      setUser(s, uid, args[1] !== undefined ? intArg(args[1], 'gid') : uid);
    },
  },
  id: { usage: 'id', help: 'print the current uid and gid', run: (s, _a, out) => out(`uid=${s.uid} gid=${s.gid}\n`) },
  exit: {
    usage: 'exit',
    help: 'leave the shell',
    run(s) {
      s.exit = true;
    },
  },
};
commands.quit = commands.exit!;
