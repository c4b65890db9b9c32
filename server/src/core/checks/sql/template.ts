/**
 * Formatted SQL read as a template: the literal text of an f-string, a `"..." % args`, a
 * `"...".format(...)` or a `"..." + x + "..."`, with holes where Python inserts values. A small
 * SQL lexer (quotes, comments, parentheses) then says, for each hole, whether it sits where a
 * *value* goes (`= {x}`, `LIKE '%{x}%'`, `LIMIT {n}`, `IN ({a}, {b})`, `VALUES ({a})`) or
 * somewhere else (a table or column name, a keyword, a whole clause). Only values can become query
 * parameters; that decides whether the quick fix is offered, and what the message says.
 *
 * `rewrite` produces the parameterised form: the SQL with placeholders (`%s` or `?`) and the
 * Python expressions to pass as parameters, in order.
 */
import type { Node } from 'web-tree-sitter';
import type { Paramstyle } from './sinks';

export interface Hole {
  /** The Python expression inserted here, as written. */
  expr: string;
  node: Node;
  /** A conversion or format spec (`{x!r}`, `{x:>3}`, `%r`) that a parameter would not reproduce. */
  formatted: boolean;
}

export type Piece = string | Hole;

export interface HoleContext {
  hole: Hole;
  /** `value`: a placeholder can stand here; `quoted`: inside a '...' literal; `identifier`: anything else. */
  position: 'value' | 'quoted' | 'identifier';
  /** A few words of SQL before the hole, for messages ("after FROM"). */
  after: string;
}

/** Reads a formatting expression into pieces; undefined when it is not one we can read exactly. */
export function readTemplate(n: Node): { pieces: Piece[]; quote: string } | undefined {
  if (n.type === 'parenthesized_expression' && n.namedChild(0)) return readTemplate(n.namedChild(0)!);
  if (n.type === 'string') {
    const start = n.namedChildren.find((c) => c?.type === 'string_start')?.text ?? '"';
    const prefix = start.replace(/['"]+$/, '').toLowerCase();
    if (prefix.includes('b') || prefix.includes('r')) return undefined;
    const quote = start.slice(prefix.length);
    const pieces: Piece[] = [];
    for (const c of n.namedChildren) {
      if (!c) continue;
      if (c.type === 'string_content') {
        if (c.text.includes('\\')) return undefined;
        pieces.push(prefix.includes('f') ? c.text.replace(/\{\{/g, '{').replace(/\}\}/g, '}') : c.text);
      } else if (c.type === 'interpolation') {
        const e = c.childForFieldName('expression');
        if (!e) return undefined;
        const conv = c.childForFieldName('type_conversion');
        const spec = c.childForFieldName('format_specifier');
        pieces.push({ expr: e.text, node: e, formatted: !!spec || (!!conv && conv.text !== '!s') });
      } else if (c.type === 'escape_sequence') return undefined;
    }
    return { pieces, quote };
  }
  if (n.type === 'binary_operator') {
    const op = n.childForFieldName('operator')?.text;
    const left = n.childForFieldName('left');
    const right = n.childForFieldName('right');
    if (!left || !right) return undefined;
    if (op === '%') return percentTemplate(left, right);
    if (op === '+') {
      const l = readTemplate(left) ?? holeOf(left);
      const r = readTemplate(right) ?? holeOf(right);
      if (!l || !r) return undefined;
      return { pieces: [...l.pieces, ...r.pieces], quote: l.quote.length >= r.quote.length ? l.quote : r.quote };
    }
    return undefined;
  }
  if (n.type === 'call') {
    const fn = n.childForFieldName('function');
    const obj = fn?.type === 'attribute' ? fn.childForFieldName('object') : null;
    if (fn?.type === 'attribute' && fn.childForFieldName('attribute')?.text === 'format' && obj?.type === 'string') return formatTemplate(obj, n);
  }
  return undefined;
}

function holeOf(n: Node): { pieces: Piece[]; quote: string } | undefined {
  if (n.type === 'string' || n.type === 'concatenated_string') return undefined;
  return { pieces: [{ expr: n.text, node: n, formatted: false }], quote: '"' };
}

function plainText(s: Node): { text: string; quote: string } | undefined {
  const t = readTemplate(s);
  if (!t || t.pieces.some((p) => typeof p !== 'string')) return undefined;
  if (s.namedChildren.find((c) => c?.type === 'string_start')?.text.toLowerCase().includes('f')) return undefined;
  return { text: (t.pieces as string[]).join(''), quote: t.quote };
}

function percentTemplate(left: Node, right: Node): { pieces: Piece[]; quote: string } | undefined {
  if (left.type !== 'string') return undefined;
  const lit = plainText(left);
  if (!lit) return undefined;
  let values: Node[];
  const named = new Map<string, Node>();
  if (right.type === 'tuple') values = right.namedChildren.filter((c): c is Node => !!c && c.type !== 'comment');
  else if (right.type === 'dictionary') {
    values = [];
    for (const p of right.namedChildren) {
      const k = p?.childForFieldName('key');
      const v = p?.childForFieldName('value');
      if (p?.type !== 'pair' || k?.type !== 'string' || !v) return undefined;
      const key = plainText(k);
      if (!key) return undefined;
      named.set(key.text, v);
    }
  } else values = [right];
  const pieces: Piece[] = [];
  let text = '';
  let next = 0;
  const re = /%(\([^)]*\))?([-#0 +]*\d*(?:\.\d+)?)([sdirf%])/g;
  let last = 0;
  for (let m = re.exec(lit.text); m; m = re.exec(lit.text)) {
    text += lit.text.slice(last, m.index);
    last = m.index + m[0].length;
    if (m[3] === '%') {
      text += '%';
      continue;
    }
    const v = m[1] ? named.get(m[1].slice(1, -1)) : values[next++];
    if (!v) return undefined;
    pieces.push(text);
    text = '';
    pieces.push({ expr: v.text, node: v, formatted: m[2] !== '' || (m[3] !== 's' && m[3] !== 'd' && m[3] !== 'i') });
  }
  text += lit.text.slice(last);
  if (text) pieces.push(text);
  if (!named.size && next !== values.length) return undefined;
  return { pieces, quote: lit.quote };
}

function formatTemplate(str: Node, call: Node): { pieces: Piece[]; quote: string } | undefined {
  const lit = plainText(str);
  if (!lit) return undefined;
  const positional: Node[] = [];
  const keywords = new Map<string, Node>();
  for (const a of call.childForFieldName('arguments')?.namedChildren ?? []) {
    if (!a || a.type === 'comment') continue;
    if (a.type === 'keyword_argument') {
      const k = a.childForFieldName('name')?.text;
      const v = a.childForFieldName('value');
      if (!k || !v) return undefined;
      keywords.set(k, v);
    } else if (a.type === 'list_splat' || a.type === 'dictionary_splat') return undefined;
    else positional.push(a);
  }
  const pieces: Piece[] = [];
  let text = '';
  let auto = 0;
  const t = lit.text;
  for (let i = 0; i < t.length; i++) {
    const c = t[i];
    if (c === '{' && t[i + 1] === '{') { text += '{'; i++; continue; }
    if (c === '}' && t[i + 1] === '}') { text += '}'; i++; continue; }
    if (c === '}') return undefined;
    if (c !== '{') { text += c; continue; }
    const end = t.indexOf('}', i);
    if (end < 0) return undefined;
    const field = t.slice(i + 1, end);
    i = end;
    const m = /^([A-Za-z_]\w*|\d*)(![rsa])?(:.*)?$/.exec(field);
    if (!m) return undefined;
    const v = m[1] === '' ? positional[auto++] : /^\d+$/.test(m[1]) ? positional[Number(m[1])] : keywords.get(m[1]);
    if (!v) return undefined;
    pieces.push(text);
    text = '';
    pieces.push({ expr: v.text, node: v, formatted: !!m[3] || (!!m[2] && m[2] !== '!s') });
  }
  if (text) pieces.push(text);
  return { pieces, quote: lit.quote };
}

const VALUE_WORDS = new Set(['LIKE', 'ILIKE', 'LIMIT', 'OFFSET', 'THEN', 'ELSE', 'BETWEEN']);
/** Operators after which a value goes (comparisons and arithmetic). */
const COMPARISONS = new Set(['=', '<', '>', '<=', '>=', '<>', '!=', '==', '+', '-', '*', '/']);
const HOLE_CHAR = 0xe000;

/** Where each hole sits in the SQL text. */
export function holeContexts(pieces: Piece[]): HoleContext[] {
  const holes: Hole[] = [];
  let sql = '';
  for (const p of pieces) {
    if (typeof p === 'string') sql += p;
    else {
      sql += String.fromCharCode(HOLE_CHAR + holes.length);
      holes.push(p);
    }
  }
  const out: HoleContext[] = [];
  const parens: string[] = []; // the word before each open parenthesis
  let lastTokens: string[] = [];
  const pushToken = (t: string) => {
    lastTokens.push(t);
    if (lastTokens.length > 4) lastTokens = lastTokens.slice(-4);
  };
  for (let i = 0; i < sql.length; i++) {
    const c = sql[i];
    const code = sql.charCodeAt(i);
    if (code >= HOLE_CHAR && code < HOLE_CHAR + holes.length) {
      const hole = holes[code - HOLE_CHAR];
      const prev = lastTokens[lastTokens.length - 1] ?? '';
      const nextChar = sql[i + 1] ?? '';
      const boundary = nextChar === '' || /[\s),;]/.test(nextChar) || /[=<>!+\-*/|]/.test(nextChar);
      const inList = (prev === '(' || prev === ',') && ['IN', 'VALUES'].includes(parens[parens.length - 1] ?? '');
      const isValue = boundary && (COMPARISONS.has(prev) || VALUE_WORDS.has(prev.toUpperCase()) || inList || (prev === 'AND' && lastTokens.some((t) => t.toUpperCase() === 'BETWEEN')));
      out.push({ hole, position: isValue ? 'value' : 'identifier', after: lastTokens.slice(-2).join(' ') });
      pushToken('?hole');
      continue;
    }
    if (/\s/.test(c)) continue;
    if (c === "'") {
      let j = i + 1;
      const inside: number[] = [];
      for (; j < sql.length; j++) {
        if (sql[j] === "'" && sql[j + 1] === "'") { j++; continue; }
        if (sql[j] === "'") break;
        const cc = sql.charCodeAt(j);
        if (cc >= HOLE_CHAR && cc < HOLE_CHAR + holes.length) inside.push(cc - HOLE_CHAR);
      }
      for (const h of inside) out.push({ hole: holes[h], position: 'quoted', after: lastTokens.slice(-2).join(' ') });
      i = j;
      pushToken("'literal'");
      continue;
    }
    if (c === '"' || c === '`') {
      const j = sql.indexOf(c, i + 1);
      const end = j < 0 ? sql.length : j;
      for (let k = i + 1; k < end; k++) {
        const cc = sql.charCodeAt(k);
        if (cc >= HOLE_CHAR && cc < HOLE_CHAR + holes.length) out.push({ hole: holes[cc - HOLE_CHAR], position: 'identifier', after: lastTokens.slice(-2).join(' ') });
      }
      i = end;
      pushToken('"identifier"');
      continue;
    }
    if (c === '-' && sql[i + 1] === '-') {
      const j = sql.indexOf('\n', i);
      i = j < 0 ? sql.length : j;
      continue;
    }
    if (c === '(') {
      parens.push((lastTokens[lastTokens.length - 1] ?? '').toUpperCase());
      pushToken('(');
      continue;
    }
    if (c === ')') {
      parens.pop();
      pushToken(')');
      continue;
    }
    if (/[=<>!]/.test(c)) {
      let op = c;
      while (/[=<>!]/.test(sql[i + 1] ?? '')) op += sql[++i];
      pushToken(op);
      continue;
    }
    if (/[A-Za-z_0-9.%]/.test(c)) {
      let w = c;
      while (/[A-Za-z_0-9.%]/.test(sql[i + 1] ?? '')) w += sql[++i];
      pushToken(w);
      continue;
    }
    pushToken(c);
  }
  return out;
}

/** A Python string literal for `text`, in the quote style of the original. */
export function pythonLiteral(text: string, quote: string): string {
  if (quote.length === 3) return `${quote}${text.replace(/\\/g, '\\\\').replace(new RegExp(quote[0].repeat(3), 'g'), `\\${quote[0]}`.repeat(3))}${quote}`;
  const q = quote || '"';
  return `${q}${text.replace(/\\/g, '\\\\').replace(new RegExp(q, 'g'), `\\${q}`).replace(/\n/g, '\\n')}${q}`;
}

export interface Rewrite {
  sql: string;
  params: string[];
}

/**
 * The parameterised form of a template: the SQL literal with placeholders and the parameter
 * expressions. Undefined when a hole is not in a value position or is formatted.
 */
export function rewrite(template: { pieces: Piece[]; quote: string }, style: Paramstyle): Rewrite | undefined {
  const contexts = holeContexts(template.pieces);
  if (contexts.some((c) => c.position === 'identifier' || c.hole.formatted)) return undefined;
  const placeholder = style === 'qmark' ? '?' : '%s';
  const esc = (s: string) => (style === 'format' ? s.replace(/%/g, '%%') : s);
  // Rebuild the SQL, replacing each quoted literal that holds holes by one placeholder.
  let sql = '';
  const params: string[] = [];
  const pieces = template.pieces;
  let inQuote = false;
  let quoted: Piece[] = [];
  const flushQuoted = () => {
    const holes = quoted.filter((p): p is Hole => typeof p !== 'string');
    if (holes.length === 0) {
      sql += esc(`'${(quoted as string[]).join('')}'`);
    } else if (quoted.length === 1) {
      sql += placeholder;
      params.push(holes[0].expr);
    } else {
      // '%{q}%' becomes one parameter: f"%{q}%".
      let f = '';
      for (const p of quoted) f += typeof p === 'string' ? p.replace(/\{/g, '{{').replace(/\}/g, '}}') : `{${p.expr}}`;
      if (/["\\\n]/.test(f)) return false;
      sql += placeholder;
      params.push(`f"${f}"`);
    }
    quoted = [];
    return true;
  };
  for (const p of pieces) {
    if (typeof p !== 'string') {
      if (inQuote) quoted.push(p);
      else {
        sql += placeholder;
        params.push(p.expr);
      }
      continue;
    }
    let rest = p;
    while (rest.length) {
      if (!inQuote) {
        const q = rest.indexOf("'");
        if (q < 0) {
          sql += esc(rest);
          rest = '';
        } else {
          sql += esc(rest.slice(0, q));
          rest = rest.slice(q + 1);
          inQuote = true;
          quoted = [];
        }
      } else {
        const q = rest.indexOf("'");
        if (q < 0) {
          quoted.push(rest);
          rest = '';
        } else if (rest[q + 1] === "'") {
          return undefined; // an escaped quote inside a literal: leave it to a person
        } else {
          if (rest.slice(0, q)) quoted.push(rest.slice(0, q));
          rest = rest.slice(q + 1);
          inQuote = false;
          if (!flushQuoted()) return undefined;
        }
      }
    }
  }
  if (inQuote) return undefined;
  return { sql: pythonLiteral(sql, template.quote), params };
}
