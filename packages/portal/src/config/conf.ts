/**
 * The portal configuration: mount_portal's conf.c, reproduced.
 *
 * - Lines are read as fgets into a 2048-byte buffer reads them: a line of
 *   2048 characters or more is cut after 2047 and its tail is a line of its
 *   own.
 * - Everything from the first '#' of a line is a comment (even inside a token).
 * - Tokens are separated by runs of spaces, tabs and newlines; there is no
 *   quoting. Token 0 is the key, token 1 the provider, the rest its arguments.
 * - A key with any of `. | ( ) [ ] * + ? \ ^ $` is a POSIX extended regex,
 *   searched unanchored (`^` anchors it); one that does not compile is kept
 *   and matched as a literal prefix (with a warning naming its line). Any
 *   other key is a plain prefix of the name, character for character.
 * - A key that repeats an earlier line's key exactly is dropped.
 * - The first rule that matches a name, in file order, wins.
 *
 * A file with no lines at all (0 bytes) is "no configuration": callers keep
 * whatever rules they had (see PortalFs.reload).
 */

import { compileEre, isRegexKey } from './ere.js';

/** fgets(buf, LINE_MAX = 2048): at most 2047 characters per line read. */
const LINE_CHARS = 2047;

export interface Rule {
  /** 1-based line (fgets read) of the config the rule came from. */
  readonly line: number;
  readonly key: string;
  /** null for a line with only a key. */
  readonly provider: string | null;
  readonly args: readonly string[];
  /** 'prefix', 'regex', or 'literal' (a regex that did not compile, matched as a prefix). */
  readonly kind: 'prefix' | 'regex' | 'literal';
  test(name: string): boolean;
}

export interface ParsedConfig {
  readonly rules: readonly Rule[];
  /** Lines read (0 for an empty file). */
  readonly lines: number;
  /** One message per regex key that did not compile. */
  readonly warnings: readonly string[];
}

/** The lines fgets would return, each with its newline (if any). */
function fgetsLines(text: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < text.length) {
    const nl = text.indexOf('\n', i);
    const end = nl < 0 ? text.length : nl + 1;
    const take = Math.min(end - i, LINE_CHARS);
    out.push(text.slice(i, i + take));
    i += take;
  }
  return out;
}

function tokens(line: string): string[] {
  const hash = line.indexOf('#');
  const body = hash < 0 ? line : line.slice(0, hash);
  return body.split(/[ \t\n]+/).filter((t) => t.length > 0);
}

function makeRule(line: number, toks: string[], warnings: string[]): Rule {
  const key = toks[0]!;
  const provider = toks.length > 1 ? toks[1]! : null;
  const args = Object.freeze(toks.slice(2));
  if (isRegexKey(key)) {
    try {
      const re = compileEre(key);
      return Object.freeze({ line, key, provider, args, kind: 'regex' as const, test: (name: string) => re.test(name) });
    } catch (e) {
      warnings.push(`portal config line ${line}: key ${JSON.stringify(key)} is not a valid extended regular expression (${(e as Error).message}); matched as a literal prefix`);
      return Object.freeze({ line, key, provider, args, kind: 'literal' as const, test: (name: string) => name.startsWith(key) });
    }
  }
  return Object.freeze({ line, key, provider, args, kind: 'prefix' as const, test: (name: string) => name.startsWith(key) });
}

export function parseConfig(text: string): ParsedConfig {
  const rules: Rule[] = [];
  const warnings: string[] = [];
  const seen = new Set<string>();
  const lines = fgetsLines(text);
  lines.forEach((l, i) => {
    const toks = tokens(l);
    if (toks.length === 0) return;
    if (seen.has(toks[0]!)) return;
    seen.add(toks[0]!);
    rules.push(makeRule(i + 1, toks, warnings));
  });
  return Object.freeze({ rules: Object.freeze(rules), lines: lines.length, warnings: Object.freeze(warnings) });
}

/** The first rule matching `name`, or undefined. */
export function matchRule(rules: readonly Rule[], name: string): Rule | undefined {
  for (const r of rules) if (r.test(name)) return r;
  return undefined;
}
