/**
 * POSIX extended regular expressions (regcomp REG_EXTENDED | REG_NOSUB) as
 * JavaScript RegExps, for regex keys of the config.
 *
 * Only whether a key matches matters (REG_NOSUB), so leftmost-longest versus
 * leftmost-first does not. What differs between the two dialects is
 * translated: bracket expressions (a leading `]` is literal, backslash is
 * literal, `[:class:]`, `[.c.]`, `[=c=]`), `\` before an ordinary character
 * (that character), `.` (it matches a newline too), and what regcomp refuses
 * but JavaScript would take (empty branches and groups, bad intervals, an
 * unterminated bracket): those throw, and the rule then falls back to a
 * literal prefix, as the original does when regcomp fails.
 */

const CLASSES: Record<string, string> = {
  alpha: 'A-Za-z',
  digit: '0-9',
  alnum: 'A-Za-z0-9',
  upper: 'A-Z',
  lower: 'a-z',
  space: ' \\t\\n\\v\\f\\r',
  blank: ' \\t',
  punct: '!-\\/:-@\\[-`{-~',
  print: ' -~',
  graph: '!-~',
  cntrl: '\\x00-\\x1f\\x7f',
  xdigit: '0-9A-Fa-f',
};

/** Characters that make a config key a regex (portald.h RE_CHARS). */
export const RE_CHARS = '.|()[]*+?\\^$';

export function isRegexKey(key: string): boolean {
  for (let i = 0; i < key.length; i++) if (RE_CHARS.includes(key[i]!)) return true;
  return false;
}

class BadRegex extends Error {}

function escapeInClass(c: string): string {
  return c === '\\' || c === ']' || c === '[' || c === '^' || c === '-' ? '\\' + c : c;
}

function escapeLiteral(c: string): string {
  return /[\\^$.*+?()[\]{}|/]/.test(c) ? '\\' + c : c;
}

/** Translate one bracket expression starting at re[i] === '['. => [js, index after it] */
function bracket(re: string, start: number): [string, number] {
  let i = start + 1;
  let out = '[';
  if (re[i] === '^') {
    out += '^';
    i++;
  }
  let first = true;
  for (;;) {
    if (i >= re.length) throw new BadRegex('unterminated bracket');
    const c = re[i]!;
    if (c === ']' && !first) return [out + ']', i + 1];
    first = false;
    if (c === '[' && (re[i + 1] === ':' || re[i + 1] === '.' || re[i + 1] === '=')) {
      const kind = re[i + 1]!;
      const end = re.indexOf(kind + ']', i + 2);
      if (end < 0) throw new BadRegex('unterminated class');
      const name = re.slice(i + 2, end);
      if (kind === ':') {
        const cls = CLASSES[name];
        if (cls === undefined) throw new BadRegex(`unknown class ${name}`);
        out += cls;
      } else {
        if (name.length !== 1) throw new BadRegex('unsupported collating element');
        out += escapeInClass(name);
      }
      i = end + 2;
      continue;
    }
    // A '-' is a range operator between two characters, as in JavaScript; anything else is literal.
    out += c === '-' ? '-' : escapeInClass(c);
    i++;
  }
}

/** Check an interval `{m}`, `{m,}` or `{m,n}` at re[i] === '{'. => index after it */
function interval(re: string, i: number): number {
  const m = /^\{(\d{1,3})(,(\d{1,3})?)?\}/.exec(re.slice(i));
  if (m === null) throw new BadRegex('bad interval');
  const lo = Number(m[1]);
  const hi = m[3] !== undefined ? Number(m[3]) : lo;
  if (lo > 255 || hi > 255 || (m[2] !== undefined && m[3] !== undefined && hi < lo)) throw new BadRegex('bad interval');
  return i + m[0].length;
}

/** A RegExp equivalent to the ERE `re`; throws if regcomp would refuse it. */
export function compileEre(re: string): RegExp {
  let out = '';
  // Can a repetition operator follow here? (Not at the start, after '(' or '|', nor after another one.)
  let canRepeat = false;
  let branchEmpty = true;
  const branchStack: boolean[] = [];
  for (let i = 0; i < re.length; ) {
    const c = re[i]!;
    switch (c) {
      case '[': {
        const [js, next] = bracket(re, i);
        out += js;
        i = next;
        canRepeat = true;
        branchEmpty = false;
        continue;
      }
      case '\\': {
        if (i + 1 >= re.length) throw new BadRegex('trailing backslash');
        const d = re[i + 1]!;
        out += /[A-Za-z0-9]/.test(d) ? d : escapeLiteral(d);
        i += 2;
        canRepeat = true;
        branchEmpty = false;
        continue;
      }
      case '(':
        branchStack.push(branchEmpty);
        out += '(?:';
        branchEmpty = true;
        canRepeat = false;
        i++;
        continue;
      case ')':
        if (branchStack.length === 0) throw new BadRegex('unmatched )');
        if (branchEmpty) throw new BadRegex('empty group');
        branchStack.pop();
        out += ')';
        branchEmpty = false;
        canRepeat = true;
        i++;
        continue;
      case '|':
        if (branchEmpty) throw new BadRegex('empty branch');
        out += '|';
        branchEmpty = true;
        canRepeat = false;
        i++;
        continue;
      case '*':
      case '+':
      case '?':
        if (!canRepeat) throw new BadRegex('repetition of nothing');
        out += c;
        canRepeat = false;
        i++;
        continue;
      case '{': {
        // An interval only when a digit follows (else an ordinary '{'), as regcomp reads it.
        if (!/[0-9]/.test(re[i + 1] ?? '')) break;
        if (!canRepeat) throw new BadRegex('repetition of nothing');
        const next = interval(re, i);
        out += re.slice(i, next);
        i = next;
        canRepeat = false;
        continue;
      }
      case '^':
      case '$':
        out += c;
        canRepeat = false;
        branchEmpty = false;
        i++;
        continue;
      case '.':
        out += '.';
        canRepeat = true;
        branchEmpty = false;
        i++;
        continue;
    }
    out += escapeLiteral(c);
    canRepeat = true;
    branchEmpty = false;
    i++;
  }
  if (branchStack.length > 0) throw new BadRegex('unmatched (');
  if (branchEmpty && re.length > 0 && re.endsWith('|')) throw new BadRegex('empty branch');
  return new RegExp(out, 's');
}
