/**
 * Django template lexer: a faithful port of the tokenisation rules in Django's
 * `django/template/base.py` (`tag_re`, `Lexer.create_token`, `Token.split_contents`) and
 * `django/utils/text.py` (`smart_split`), extended with source offsets so that every token and
 * bit can be mapped back to a line/UTF-16 column span. Python's notion of whitespace and `\w`
 * differ from JavaScript's defaults, so the character classes are spelled out explicitly.
 */

/** [startLine, startCol, endLine, endCol], 0-based, columns in UTF-16 code units. */
export type Span = [number, number, number, number];

export type TokenType = 'text' | 'var' | 'block' | 'comment';

export interface Token {
  type: TokenType;
  /** Offsets of the whole token in the source, `{%`..`%}` included. */
  start: number;
  end: number;
  /** Django's `token.contents`: the stripped inside of a tag, or the raw text. */
  contents: string;
  /** Offset of `contents` in the source (after the stripped leading whitespace). */
  contentsStart: number;
}

/** A piece of a string with its absolute offsets (end exclusive). */
export interface Piece {
  text: string;
  start: number;
  end: number;
}

/**
 * Python's `str.isspace()` / unicode `\s` set. It differs from JS `\s`: it includes the
 * information separators U+001C..U+001F and NEL U+0085 but not U+FEFF.
 */
export const PY_SPACE_CLASS = '\\t\\n\\x0b\\x0c\\r\\x1c-\\x20\\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';
export function isPySpace(ch: string): boolean {
  const c = ch.charCodeAt(0);
  if (c <= 0x20) return c === 0x20 || (c >= 0x09 && c <= 0x0d) || (c >= 0x1c && c <= 0x1f);
  if (c < 0x85) return false;
  return c === 0x85 || c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) ||
    c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000;
}

/** Bounds of `s.slice(from, to).strip()` in Python terms. */
export function pyStripBounds(s: string, from: number, to: number): [number, number] {
  while (from < to && isPySpace(s[from])) from++;
  while (to > from && isPySpace(s[to - 1])) to--;
  return [from, to];
}

/** Python's `str.split()` (no separator) with offsets relative to `base`. */
export function pySplit(s: string, base = 0): Piece[] {
  const out: Piece[] = [];
  let i = 0;
  while (i < s.length) {
    while (i < s.length && isPySpace(s[i])) i++;
    if (i >= s.length) break;
    const st = i;
    while (i < s.length && !isPySpace(s[i])) i++;
    out.push({ text: s.slice(st, i), start: base + st, end: base + i });
  }
  return out;
}

// smart_split_re from django/utils/text.py. Python's `.` excludes only "\n", JS's also excludes
// "\r" and U+2028/9, hence `[^\n]`.
/** One Python whitespace character, as a regex source fragment. */
export const PY_S = `[${PY_SPACE_CLASS}]`;
const NS = `[^${PY_SPACE_CLASS}]`;
const SMART_SPLIT_RE = new RegExp(
  `((?:[^${PY_SPACE_CLASS}'"]*(?:(?:"(?:[^"\\\\]|\\\\[^\\n])*"|'(?:[^'\\\\]|\\\\[^\\n])*')[^${PY_SPACE_CLASS}'"]*)+)|${NS}+)`,
  'g',
);

/** Django's `smart_split`: splits on whitespace, keeping quoted phrases (quotes included) together. */
export function smartSplit(s: string, base = 0): Piece[] {
  const out: Piece[] = [];
  SMART_SPLIT_RE.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = SMART_SPLIT_RE.exec(s)) !== null) {
    out.push({ text: m[0], start: base + m.index, end: base + m.index + m[0].length });
  }
  return out;
}

/**
 * Django's `Token.split_contents`: smart_split plus re-joining of `_("...")` translation markers
 * that contain spaces. Joined bits use a single space, exactly like Django, so their text may
 * differ from the source slice; their offsets cover the whole source range.
 */
export function splitContents(contents: string, base = 0): Piece[] {
  const raw = smartSplit(contents, base);
  const out: Piece[] = [];
  for (let i = 0; i < raw.length; i++) {
    const bit = raw[i];
    if (bit.text.startsWith('_("') || bit.text.startsWith("_('")) {
      const sentinel = bit.text[2] + ')';
      const parts = [bit.text];
      let last = bit;
      // Django would raise StopIteration at the end; we just keep what we have.
      while (!last.text.endsWith(sentinel) && i + 1 < raw.length) {
        last = raw[++i];
        parts.push(last.text);
      }
      out.push({ text: parts.join(' '), start: bit.start, end: last.end });
    } else {
      out.push(bit);
    }
  }
  return out;
}

/**
 * Splits a template into tokens exactly like Django's `Lexer.tokenize`. `tag_re` is
 * `({%.*?%}|{{.*?}}|{#.*?#})` without DOTALL: a tag is the shortest run from an opener to its
 * closer that contains no "\n" (a "\r" is allowed, as Python's `.` matches it). At a position
 * where no tag matches, the regex simply moves on, so an unclosed `{{` is plain text.
 */
export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let verbatim: string | false = false;
  // Cached "next occurrence at or after" lookups; positions only increase, so each cache entry
  // is searched at most once per real occurrence and the scan stays linear even for templates
  // with many unclosed openers.
  const cache = new Map<string, number>();
  const nextIndex = (needle: string, from: number): number => {
    const c = cache.get(needle);
    if (c !== undefined && (c === -1 || c >= from)) return c;
    const r = text.indexOf(needle, from);
    cache.set(needle, r);
    return r;
  };
  const n = text.length;
  let upto = 0;
  let i = text.indexOf('{', 0);
  while (i !== -1 && i + 1 < n) {
    const c2 = text[i + 1];
    const closer = c2 === '%' ? '%}' : c2 === '{' ? '}}' : c2 === '#' ? '#}' : '';
    if (closer) {
      const close = nextIndex(closer, i + 2);
      const nl = nextIndex('\n', i + 2);
      if (close !== -1 && (nl === -1 || close < nl)) {
        const end = close + 2;
        if (i > upto) tokens.push({ type: 'text', start: upto, end: i, contents: text.slice(upto, i), contentsStart: upto });
        const tok = createToken(text, i, end, verbatim);
        verbatim = tok.verbatim;
        tokens.push(tok.token);
        upto = end;
        i = text.indexOf('{', end);
        continue;
      }
    }
    i = text.indexOf('{', i + 1);
  }
  if (upto < n) tokens.push({ type: 'text', start: upto, end: n, contents: text.slice(upto), contentsStart: upto });
  return tokens;
}

/** Port of `Lexer.create_token` for a matched tag, threading the verbatim state through. */
function createToken(text: string, start: number, end: number, verbatim: string | false): { token: Token; verbatim: string | false } {
  const kind = text[start + 1];
  const [cs, ce] = pyStripBounds(text, start + 2, end - 2);
  const contents = text.slice(cs, ce);
  if (kind === '%' && verbatim && contents === verbatim) verbatim = false;
  if (!verbatim) {
    if (kind === '{') return { token: { type: 'var', start, end, contents, contentsStart: cs }, verbatim };
    if (kind === '%') {
      const head = contents.slice(0, 9);
      if (head === 'verbatim' || head === 'verbatim ') verbatim = 'end' + contents;
      return { token: { type: 'block', start, end, contents, contentsStart: cs }, verbatim };
    }
    return { token: { type: 'comment', start, end, contents, contentsStart: cs }, verbatim };
  }
  return { token: { type: 'text', start, end, contents: text.slice(start, end), contentsStart: start }, verbatim };
}

/**
 * Maps offsets to positions. Line breaks are "\n", "\r\n" and a lone "\r", as in the LSP
 * specification (Django itself only counts "\n", which only matters for its error messages).
 */
export class LineIndex {
  readonly lineStarts: number[];
  constructor(readonly text: string) {
    const starts = [0];
    for (let i = 0; i < text.length; i++) {
      const ch = text.charCodeAt(i);
      if (ch === 13) {
        if (text.charCodeAt(i + 1) === 10) i++;
        starts.push(i + 1);
      } else if (ch === 10) {
        starts.push(i + 1);
      }
    }
    this.lineStarts = starts;
  }

  position(offset: number): [number, number] {
    const starts = this.lineStarts;
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return [lo, offset - starts[lo]];
  }

  span(start: number, end: number): Span {
    const [l1, c1] = this.position(start);
    const [l2, c2] = this.position(end);
    return [l1, c1, l2, c2];
  }

  offsetAt(line: number, col: number): number {
    if (line < 0) return 0;
    if (line >= this.lineStarts.length) return this.text.length;
    return Math.min(this.lineStarts[line] + col, this.text.length);
  }
}
