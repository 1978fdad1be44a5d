/**
 * Config syntax, as conf.c reads it (checks 1, 2, 3, 7 at the parser; the
 * opens they imply are in portal-config-match.test.ts).
 */

import { expect, test } from 'vitest';
import { parseConfig } from '@actorvfs/portal';

function toks(text: string): string[][] {
  return parseConfig(text).rules.map((r) => [r.key, ...(r.provider === null ? [] : [r.provider]), ...r.args]);
}

test('check 1: a comment cuts the line at the first #, even inside a token', () => {
  expect(toks('tcp/ tcp tcp/ # comment\n')).toEqual([['tcp/', 'tcp', 'tcp/']]);
  expect(toks('a#b file x\n')).toEqual([['a']]);
  const [r] = parseConfig('a#b file x\n').rules;
  expect(r!.provider).toBeNull();
  expect(r!.args).toEqual([]);
});

test('check 2: blank and whitespace-only lines, runs of tabs and spaces; no quoting', () => {
  expect(toks('\n   \n\t\t\n  tcp/ \t\t  tcp\t tcp/   \n\n')).toEqual([['tcp/', 'tcp', 'tcp/']]);
  expect(toks('echo/ rfilter echo/ "a b"\n')).toEqual([['echo/', 'rfilter', 'echo/', '"a', 'b"']]);
  // Only space, tab and newline separate tokens.
  expect(toks('k\rv p\n')).toEqual([['k\rv', 'p']]);
});

test('check 3: a repeated key is dropped, the first line stays', () => {
  const c = parseConfig('tcp/ tcp tcp/\ntcp/ file tcp/\n');
  expect(c.rules).toHaveLength(1);
  expect(c.rules[0]!.provider).toBe('tcp');
  expect(c.rules[0]!.line).toBe(1);
});

test('keys with regex characters are extended regexes; others are prefixes', () => {
  const kinds = parseConfig('tcp/ tcp\nnroff% rfilter\nhttp:// rfilter\na.b/ file\n^echo[0-9]+/ rfilter\n').rules.map((r) => r.kind);
  expect(kinds).toEqual(['prefix', 'prefix', 'prefix', 'regex', 'regex']);
});

test('check 7: an uncompilable regex is kept as a literal prefix, with a warning naming its line', () => {
  const c = parseConfig('x/ file\nfoo( file f/\n');
  expect(c.rules[1]!.kind).toBe('literal');
  expect(c.warnings).toHaveLength(1);
  expect(c.warnings[0]).toContain('line 2');
  expect(c.rules[1]!.test('foo(bar')).toBe(true);
  expect(c.rules[1]!.test('foo')).toBe(false);
  // What regcomp refuses, though JavaScript would take it.
  for (const key of ['a||b', '()', '*a', 'a**', '[abc', 'a.{1', 'x.{2,1}', '(a|)']) {
    expect(parseConfig(`${key} file\n`).rules[0]!.kind, key).toBe('literal');
  }
  // What regcomp takes: "{" not followed by a digit is ordinary.
  expect(parseConfig('a{x. file\n').rules[0]!.kind).toBe('regex');
});

test('lines of 2048 characters or more are split as fgets splits them', () => {
  const long = 'k'.repeat(2043) + ' file tail\n';
  const c = parseConfig(long);
  // fgets reads 2047 characters ("k..k fil"), then the rest ("e tail") is a line of its own.
  expect(c.rules.map((r) => [r.key, r.provider])).toEqual([
    ['k'.repeat(2043), 'fil'],
    ['e', 'tail'],
  ]);
  expect(c.lines).toBe(2);
});

test('an empty text has no lines; comments-only has lines but no rules', () => {
  expect(parseConfig('').lines).toBe(0);
  const c = parseConfig('# nothing\n\n');
  expect(c.lines).toBe(2);
  expect(c.rules).toHaveLength(0);
});
