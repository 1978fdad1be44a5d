/**
 * Filter command lines, run without a shell.
 *
 * pt_filter.c pasted the name into a `/bin/sh -c` command line, so a name
 * with `;`, `$( )` or quotes ran shell code as the caller (one setuid(0)
 * away from root). Here the config's command text is read the way sh reads
 * it, by this small lexer, and the name is spliced in afterwards as data:
 * it is always (part of) exactly one argument or file name, never split,
 * never expanded, never parsed.
 *
 * Understood in the config text: words separated by blanks; '…' and "…"
 * quoting and backslash escapes; redirections `<`, `>`, `>>`, `2>`, `2>>`,
 * `2>&1`; pipelines `cmd | cmd`. As in the original, the first `%s` of the
 * command (the tokens joined by spaces) stands for the name; later ones, and
 * any other `%`, are left as they are. Anything else sh would act on (`;`,
 * `&`, `(`, `)`, backquotes, `$`) is refused (EINVAL): there is no shell to
 * run it. Globs are not expanded.
 */

import { fail } from './core.js';

export interface Redirect {
  path: string;
  append: boolean;
}

export interface Stage {
  argv: string[];
  stdin: Redirect | null;
  stdout: Redirect | null;
  /** A file, or 'stdout' for 2>&1. */
  stderr: Redirect | 'stdout' | null;
}

type Segment = { text: string } | { name: string };
type Lexeme = { word: string } | { op: '|' | '<' | '>' | '>>' | '2>' | '2>>' | '2>&1' };

/** The command as segments: config text around the first "%s", which becomes the name. */
function segments(tokens: readonly string[], name: string): Segment[] {
  const line = tokens.join(' ');
  const at = line.indexOf('%s');
  if (at < 0) return [{ text: line }];
  return [{ text: line.slice(0, at) }, { name }, { text: line.slice(at + 2) }];
}

function lex(segs: Segment[]): Lexeme[] {
  const out: Lexeme[] = [];
  let word = '';
  let inWord = false;
  /** The word holds part of the name or quoted text: it can never be the 2 of "2>". */
  let literalWord = false;
  let quote: "'" | '"' | null = null;
  const endWord = (): void => {
    if (inWord) out.push({ word });
    word = '';
    inWord = false;
    literalWord = false;
  };
  for (const seg of segs) {
    if ('name' in seg) {
      if (seg.name.length > 0) {
        word += seg.name;
        inWord = true;
        literalWord = true;
      }
      continue;
    }
    const t = seg.text;
    for (let i = 0; i < t.length; i++) {
      const c = t[i]!;
      if (quote === "'") {
        if (c === "'") quote = null;
        else word += c;
        continue;
      }
      if (quote === '"') {
        if (c === '"') quote = null;
        else if (c === '\\' && i + 1 < t.length && '$`"\\'.includes(t[i + 1]!)) word += t[++i];
        else if (c === '$' || c === '`') throw fail('EINVAL');
        else word += c;
        continue;
      }
      if (c === "'" || c === '"') {
        quote = c;
        inWord = true;
        literalWord = true;
        continue;
      }
      if (c === '\\') {
        if (i + 1 < t.length) word += t[++i];
        inWord = true;
        literalWord = true;
        continue;
      }
      if (c === ' ' || c === '\t' || c === '\n') {
        endWord();
        continue;
      }
      if (c === '|') {
        endWord();
        out.push({ op: '|' });
        continue;
      }
      if (c === '<') {
        endWord();
        out.push({ op: '<' });
        continue;
      }
      if (c === '>') {
        // "2>" when the word so far is exactly an unquoted 2.
        const errFd = inWord && !literalWord && word === '2';
        if (errFd) {
          word = '';
          inWord = false;
        } else endWord();
        const append = t[i + 1] === '>';
        if (append) i++;
        if (errFd && !append && t.startsWith('&1', i + 1)) {
          out.push({ op: '2>&1' });
          i += 2;
          continue;
        }
        out.push({ op: errFd ? (append ? '2>>' : '2>') : append ? '>>' : '>' });
        continue;
      }
      if (';&()`$'.includes(c)) throw fail('EINVAL');
      word += c;
      inWord = true;
    }
  }
  if (quote !== null) throw fail('EINVAL');
  endWord();
  return out;
}

/** Parse the command tokens of a rule, with `name` for the first %s, into pipeline stages. */
export function buildCommand(tokens: readonly string[], name: string): Stage[] {
  const lexemes = lex(segments(tokens, name));
  const stages: Stage[] = [];
  let stage: Stage = { argv: [], stdin: null, stdout: null, stderr: null };
  for (let i = 0; i < lexemes.length; i++) {
    const l = lexemes[i]!;
    if ('word' in l) {
      stage.argv.push(l.word);
      continue;
    }
    if (l.op === '|') {
      if (stage.argv.length === 0) throw fail('EINVAL');
      stages.push(stage);
      stage = { argv: [], stdin: null, stdout: null, stderr: null };
      continue;
    }
    if (l.op === '2>&1') {
      stage.stderr = 'stdout';
      continue;
    }
    const target = lexemes[++i];
    if (target === undefined || !('word' in target)) throw fail('EINVAL');
    const append = l.op === '>>' || l.op === '2>>';
    if (l.op === '<') stage.stdin = { path: target.word, append: false };
    else if (l.op === '>' || l.op === '>>') stage.stdout = { path: target.word, append };
    else stage.stderr = { path: target.word, append };
  }
  if (stage.argv.length === 0) throw fail('EINVAL');
  stages.push(stage);
  return stages;
}
