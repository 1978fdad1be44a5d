/**
 * avfs shell: a small interactive shell over a fresh in-memory file system,
 * for trying things by hand. Reads lines from stdin: with a prompt and tab
 * completion on a terminal, silently when piped (with --script each command
 * is echoed before its output). Errors print Node's message and the shell
 * carries on. The commands are in shell-commands.ts.
 */

import { createInterface } from 'node:readline';
import { createVfs } from '@actorvfs/core';
import { commands, type ShellState } from './shell-commands.js';

export interface ShellOptions {
  script: boolean;
  input?: NodeJS.ReadableStream;
  output?: NodeJS.WritableStream;
  errors?: NodeJS.WritableStream;
}

/** Split a command line into words; quotes group, backslash escapes, > and >> are their own words. */
export function tokenize(line: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let quote: '"' | "'" | null = null;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (quote !== null) {
      if (ch === quote) quote = null;
      else if (ch === '\\' && quote === '"' && i + 1 < line.length) word += line[++i];
      else word += ch;
      continue;
    }
    if (ch === '"' || ch === "'") {
      quote = ch;
      inWord = true;
    } else if (ch === '\\' && i + 1 < line.length) {
      word += line[++i];
      inWord = true;
    } else if (ch === '#' && !inWord) {
      break;
    } else if (/\s/.test(ch)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else if (ch === '>') {
      if (inWord) words.push(word);
      const append = line[i + 1] === '>';
      if (append) i++;
      words.push(append ? '>>' : '>');
      word = '';
      inWord = false;
    } else {
      word += ch;
      inWord = true;
    }
  }
  if (quote !== null) throw new Error('unterminated quote');
  if (inWord) words.push(word);
  return words;
}

/** Run one command line against the state; output goes to `out`, errors to `err`. */
export function execute(state: ShellState, line: string, out: (text: string | Uint8Array) => void, err: (text: string) => void): void {
  let words: string[];
  try {
    words = tokenize(line);
  } catch (e) {
    err(`avfs: ${(e as Error).message}\n`);
    return;
  }
  if (words.length === 0) return;
  // Redirection: `cmd ... > file` or `>> file` sends the output into the file system.
  let target: { path: string; append: boolean } | null = null;
  const r = words.findIndex((w) => w === '>' || w === '>>');
  if (r >= 0) {
    const path = words[r + 1];
    if (path === undefined || words.length > r + 2) {
      err('avfs: redirection needs exactly one file name\n');
      return;
    }
    target = { path: state.resolve(path), append: words[r] === '>>' };
    words = words.slice(0, r);
  }
  const [name, ...args] = words as [string, ...string[]];
  const command = commands[name];
  if (command === undefined) {
    err(`avfs: ${name}: command not found (try 'help')\n`);
    return;
  }
  const chunks: (string | Uint8Array)[] = [];
  const sink = target === null ? out : (t: string | Uint8Array) => void chunks.push(t);
  try {
    command.run(state, args, sink);
    if (target !== null) {
      const data = Buffer.concat(chunks.map((c) => (typeof c === 'string' ? Buffer.from(c) : c)));
      if (target.append) state.fs.appendFileSync(target.path, data);
      else state.fs.writeFileSync(target.path, data);
    }
  } catch (e) {
    err(`${name}: ${e instanceof Error ? e.message : String(e)}\n`);
  }
}

export function newShellState(): ShellState {
  const vfs = createVfs();
  const state: ShellState = {
    vfs,
    fs: vfs.fs,
    cwd: '/',
    uid: 0,
    gid: 0,
    mounts: new Map(),
    exit: false,
    resolve(path: string) {
      return path.startsWith('/') ? normalize(path) : normalize(`${state.cwd}/${path}`);
    },
  };
  return state;
}

function normalize(path: string): string {
  const parts: string[] = [];
  for (const p of path.split('/')) {
    if (p === '' || p === '.') continue;
    if (p === '..') parts.pop();
    else parts.push(p);
  }
  return `/${parts.join('/')}`;
}

export async function runShell(options: ShellOptions): Promise<number> {
  const input = options.input ?? process.stdin;
  const output = options.output ?? process.stdout;
  const errors = options.errors ?? process.stderr;
  const tty = (input as { isTTY?: boolean }).isTTY === true && (output as { isTTY?: boolean }).isTTY === true;
  const state = newShellState();
  const out = (t: string | Uint8Array): void => void output.write(t);
  const err = (t: string): void => void errors.write(t);
  const rl = createInterface({
    input,
    ...(tty ? { output, terminal: true, completer: (line: string) => complete(state, line) } : { terminal: false }),
  });
  const prompt = (): string => `avfs:${state.cwd}${state.uid === 0 ? '#' : '$'} `;
  if (tty) {
    out("actorvfs shell — an in-memory file system in this process. 'help' lists commands, 'exit' leaves.\n");
    rl.setPrompt(prompt());
    rl.prompt();
  }
  for await (const line of rl) {
    if (options.script && line.trim() !== '') out(`$ ${line}\n`);
    execute(state, line, out, err);
    if (state.exit) break;
    if (tty) {
      rl.setPrompt(prompt());
      rl.prompt();
    }
  }
  rl.close();
  return 0;
}

/** Tab completion: command names first, then paths. */
function complete(state: ShellState, line: string): [string[], string] {
  const words = line.split(/\s+/);
  const last = words[words.length - 1] ?? '';
  if (words.length <= 1) return [Object.keys(commands).filter((c) => c.startsWith(last)), last];
  const slash = last.lastIndexOf('/');
  const dirPart = slash >= 0 ? last.slice(0, slash + 1) : '';
  const base = slash >= 0 ? last.slice(slash + 1) : last;
  try {
    const entries = state.fs.readdirSync(state.resolve(dirPart === '' ? '.' : dirPart), { withFileTypes: true });
    const hits = entries.filter((e) => e.name.startsWith(base)).map((e) => `${dirPart}${e.name}${e.isDirectory() ? '/' : ''}`);
    return [hits, last];
  } catch {
    return [[], last];
  }
}
