/**
 * Django template parser: builds a node tree from the tokens of `lexer.ts` and extracts what the
 * language server needs (extends/include/block/url/load tags and every variable reference),
 * mirroring the compile-time rules of Django's `Parser.parse`, `FilterExpression`, `Variable`,
 * `token_kwargs` and the built-in tag compilers. Unlike Django it never throws: syntax problems
 * are collected in `errors` and parsing recovers, because editors work on half-typed templates.
 */
import { LineIndex, PY_S, type Piece, type Span, type Token, pySplit, splitContents, tokenize } from './lexer';

export type { Span } from './lexer';

export interface FilterExpr {
  /** Source text of the leading variable or constant (quotes kept for strings). */
  var: string;
  varSpan: Span;
  /** Attribute lookups (`post.author.name` -> ["post","author","name"]); [] for literals. */
  path: string[];
  /** Value of a string or number literal (strings unescaped as Django does). */
  literal?: string | number;
  /** `span` covers `name[:arg]`, without the pipe; `arg` is the raw argument text. */
  filters: { name: string; arg?: string; span: Span }[];
}

export interface VariableRef {
  path: string[];
  /** The variable's source text (`post.author.name`), without filters. */
  text: string;
  /** Span of `text`. */
  span: Span;
  filters: { name: string; arg?: string }[];
}

/**
 * `span` of extends/include/url/load entries is the tag's `{% ... %}`. `nameSpan` is inside the
 * quotes when the name is a string literal, otherwise the whole argument (e.g. a variable).
 */
export interface TemplateFile {
  nodes: TNode[];
  extends?: { name: string | null; span: Span; nameSpan?: Span };
  includes: { name: string | null; span: Span; nameSpan?: Span; only: boolean; with: Record<string, string> }[];
  /** `span` covers `{% block %}` through `{% endblock %}` (to the end of file if unclosed). */
  blocks: { name: string; span: Span; nameSpan?: Span; endSpan?: Span }[];
  urls: { name: string | null; nameSpan?: Span; span: Span; args: string[]; kwargs: Record<string, string>; asVar?: string }[];
  loads: { libraries: string[]; names?: string[]; span: Span }[];
  variables: VariableRef[];
  errors: { message: string; span: Span }[];
}

export interface TagBranch {
  name: string;
  bits: string[];
  bitSpans: Span[];
  /** From the branch tag to where the next branch or end tag starts. */
  span: Span;
  /** The branch's own `{% ... %}`. */
  tagSpan: Span;
  children: TNode[];
}

export interface TagNode {
  kind: 'tag';
  name: string;
  bits: string[];
  /** For block tags: from the opening tag to the end tag (or where parsing gave up). */
  span: Span;
  /** The opening `{% ... %}` alone. */
  tagSpan: Span;
  bitSpans: Span[];
  offsets: [number, number];
  children?: TNode[];
  branches?: TagBranch[];
  endSpan?: Span;
  /** For `{% for %}` tags that compiled: the loop variables and iterable. */
  loop?: { vars: string[]; iterable: FilterExpr; reversed: boolean };
}

/** Every node also carries `offsets` = [start, end) absolute offsets matching `span`. */
export type TNode =
  | { kind: 'text'; span: Span; offsets: [number, number] }
  | { kind: 'comment'; span: Span; offsets: [number, number] }
  | { kind: 'var'; span: Span; offsets: [number, number]; expr: FilterExpr }
  | TagNode;

export interface ForLoop {
  vars: string[];
  iterable: FilterExpr;
  span: Span;
  body: TNode[];
}

// ---------------------------------------------------------------------------------------------
// Built-in tag table

interface BlockSpec {
  /** Allowed next branch names given the previous branch name ('' = none yet). */
  branches(prev: string): readonly string[];
}
const none: BlockSpec = { branches: () => [] };
const elseOnce: BlockSpec = { branches: (p) => (p === '' ? ['else'] : []) };
const BLOCK_TAGS: Record<string, BlockSpec> = {
  block: none,
  for: { branches: (p) => (p === '' ? ['empty'] : []) },
  if: { branches: (p) => (p === 'else' ? [] : ['elif', 'else']) },
  ifchanged: elseOnce,
  ifequal: elseOnce,
  ifnotequal: elseOnce,
  with: none,
  autoescape: none,
  filter: none,
  spaceless: none,
  verbatim: none,
  blocktrans: { branches: (p) => (p === '' ? ['plural'] : []) },
  blocktranslate: { branches: (p) => (p === '' ? ['plural'] : []) },
  localize: none,
  localtime: none,
  timezone: none,
  cache: none,
};
// Custom block tags commonly take these (e.g. `{% ifhasperm %}...{% else %}`); Django cannot
// tell, so we accept them anywhere inside a custom block.
const CUSTOM_BLOCK: BlockSpec = { branches: () => ['else', 'elif', 'empty'] };
const INTERMEDIATES = new Set(['else', 'elif', 'empty', 'plural']);
const IF_OPERATORS = new Set(['or', 'and', 'not', 'in', 'not in', 'is', 'is not', '==', '!=', '>', '>=', '<', '<=']);

// ---------------------------------------------------------------------------------------------
// FilterExpression / Variable (django/template/base.py)

const W = '\\p{L}\\p{N}_';
const STRDQ = '"[^"\\\\]*(?:\\\\[^\\n][^"\\\\]*)*"';
const STRSQ = "'[^'\\\\]*(?:\\\\[^\\n][^'\\\\]*)*'";
const CONSTANT = `(?:_\\(${STRDQ}\\)|_\\(${STRSQ}\\)|${STRDQ}|${STRSQ})`;
const NUM = '[-+.]?\\p{Nd}[\\p{Nd}.e]*';
const VARPAT = `(?:[${W}.]+|${NUM})`;
const CONST_RE = new RegExp(CONSTANT, 'uy');
const VAR_RE = new RegExp(VARPAT, 'uy');
const FILTER_SRC = `${PY_S}*\\|${PY_S}*([${W}]+)(?::(?:(${CONSTANT})|(${VARPAT})))?`;
const FILTER_RE = new RegExp(FILTER_SRC, 'uy');
const FILTER_SEARCH_RE = new RegExp(FILTER_SRC, 'ug');
const KWARG_RE = new RegExp(`^(?:([${W}]+)=)?([^\\n]+)`, 'u');
const PY_INT_RE = /^[+-]?[0-9](?:_?[0-9])*$/;
const PY_FLOAT_RE = /^[+-]?(?:(?:[0-9](?:_?[0-9])*)?\.[0-9](?:_?[0-9])*|[0-9](?:_?[0-9])*\.?)(?:[eE][+-]?[0-9](?:_?[0-9])*)?$/;

const ND_RE = /\p{Nd}/u;
const ND_ALL_RE = /\p{Nd}/gu;

/**
 * Python's int()/float() accept any Unicode decimal digit. Nd digits come in contiguous 0..9
 * runs, so a digit's value is its distance from the start of its run, modulo 10.
 */
function asciiDigits(s: string): string {
  if (/^[\x00-\x7f]*$/.test(s)) return s;
  return s.replace(ND_ALL_RE, (d) => {
    const cp = d.codePointAt(0)!;
    let start = cp;
    while (ND_RE.test(String.fromCodePoint(start - 1))) start--;
    return String((cp - start) % 10);
  });
}

interface Classified {
  literal?: string | number;
  path?: string[];
  error?: string;
}

/** Port of `Variable.__init__`: number, (translated) string literal, or attribute lookups. */
function classifyVariable(v: string): Classified {
  const num = asciiDigits(v);
  if (v.includes('.') || v.toLowerCase().includes('e')) {
    // float(); "2." is rejected after the fact, so it falls through to a lookup.
    if (PY_FLOAT_RE.test(num) && !v.endsWith('.')) return { literal: Number(num.replace(/_/g, '')) };
  } else if (PY_INT_RE.test(num)) {
    return { literal: Number(num.replace(/_/g, '')) };
  }
  let s = v;
  if (s.startsWith('_(') && s.endsWith(')')) s = s.slice(2, -1);
  if (s.length > 0 && (s[0] === '"' || s[0] === "'") && s[s.length - 1] === s[0]) {
    const q = s[0];
    return { literal: s.slice(1, -1).split('\\' + q).join(q).split('\\\\').join('\\') };
  }
  if (s.includes('._') || s[0] === '_') {
    return { path: s.split('.'), error: `Variables and attributes may not begin with underscores: '${s}'` };
  }
  return { path: s.split('.') };
}

// ---------------------------------------------------------------------------------------------
// Parser

interface Frame {
  node: TagNode;
  spec: BlockSpec;
  endName: string;
  /** Where new nodes go: the main body or the current branch's children. */
  children: TNode[];
  branch?: TagBranch;
  branchStart: number;
  lastBranch: string;
  start: number;
  line: number;
  block?: TemplateFile['blocks'][number];
}

class TemplateParser {
  readonly idx: LineIndex;
  readonly file: TemplateFile = { nodes: [], includes: [], blocks: [], urls: [], loads: [], variables: [], errors: [] };
  private tokens: Token[];
  private customBlocks = new Set<number>();
  private customNames = new Set<string>();
  private stack: Frame[] = [];
  private topNonText = false;
  private blockNames = new Set<string>();

  constructor(private readonly text: string) {
    this.idx = new LineIndex(text);
    this.tokens = tokenize(text);
    this.findCustomBlocks();
  }

  private span(a: number, b: number): Span {
    return this.idx.span(a, b);
  }

  private error(message: string, a: number, b: number): void {
    this.file.errors.push({ message, span: this.span(a, b) });
  }

  private lineNo(offset: number): number {
    return this.idx.position(offset)[0] + 1;
  }

  /** First word of a block token, as Django's `token.contents.split()[0]`. */
  private static command(t: Token): string {
    const w = pySplit(t.contents);
    return w.length ? w[0].text : '';
  }

  /**
   * A custom tag `x` is a block tag iff a balancing `{% endx %}` follows. Tokens inside
   * `{% comment %}` are skipped, as Django's `skip_past` never looks at them.
   */
  private findCustomBlocks(): void {
    const open = new Map<string, number[]>();
    const toks = this.tokens;
    for (let k = 0; k < toks.length; k++) {
      const t = toks[k];
      if (t.type !== 'block') continue;
      const name = TemplateParser.command(t);
      if (!name) continue;
      if (name === 'comment') {
        let j = k + 1;
        while (j < toks.length && !(toks[j].type === 'block' && toks[j].contents === 'endcomment')) j++;
        if (j < toks.length) k = j;
        continue;
      }
      if (name in BLOCK_TAGS || INTERMEDIATES.has(name)) continue;
      if (name.startsWith('end') && name.length > 3) {
        const base = name.slice(3);
        if (base in BLOCK_TAGS) continue;
        const st = open.get(base);
        if (st && st.length) {
          this.customBlocks.add(st.pop()!);
          this.customNames.add(base);
        }
        continue;
      }
      let st = open.get(name);
      if (!st) open.set(name, (st = []));
      st.push(k);
    }
  }

  private get current(): TNode[] {
    return this.stack.length ? this.stack[this.stack.length - 1].children : this.file.nodes;
  }

  private add(node: TNode, countsAsNonText = true): void {
    if (!this.stack.length && countsAsNonText && node.kind !== 'text') this.topNonText = true;
    this.current.push(node);
  }

  parse(): TemplateFile {
    const toks = this.tokens;
    for (let k = 0; k < toks.length; k++) {
      const t = toks[k];
      const span = this.span(t.start, t.end);
      const offsets: [number, number] = [t.start, t.end];
      if (t.type === 'text') {
        if (this.stack[this.stack.length - 1]?.node.name !== 'verbatim') this.strayOpeners(t);
        this.add({ kind: 'text', span, offsets });
      } else if (t.type === 'comment') {
        // Django drops `{# #}` tokens entirely, so they do not count as content before extends.
        this.add({ kind: 'comment', span, offsets }, false);
      } else if (t.type === 'var') {
        let expr: FilterExpr;
        if (!t.contents) {
          this.error(`Empty variable tag on line ${this.lineNo(t.start)}`, t.start, t.end);
          const at = this.span(t.contentsStart, t.contentsStart);
          expr = { var: '', varSpan: at, path: [], filters: [] };
        } else {
          expr = this.compileFilter(t.contents, t.contentsStart);
        }
        this.add({ kind: 'var', span, offsets, expr });
      } else {
        k = this.blockToken(k, t);
      }
    }
    while (this.stack.length) this.closeUnclosed(this.text.length);
    return this.file;
  }

  /**
   * Any `{{`, `{%` or `{#` left in a text token had no closer on its line (tags cannot span
   * lines), so Django silently outputs it as text; that is almost always a typo.
   */
  private strayOpeners(t: Token): void {
    const s = t.contents;
    for (let i = s.indexOf('{'); i !== -1 && i + 1 < s.length; i = s.indexOf('{', i + 1)) {
      const c = s[i + 1];
      if (c !== '{' && c !== '%' && c !== '#') continue;
      const closer = c === '{' ? '}}' : c + '}';
      // One report per line is enough, and skipping to the line end keeps this linear.
      let e = i + 2;
      while (e < s.length && s[e] !== '\n' && s[e] !== '\r') e++;
      this.error(`Unclosed '{${c}' on line ${this.lineNo(t.start + i)}: no '${closer}' on the same line, so Django outputs it as text.`, t.start + i, t.start + e);
      i = e;
    }
  }

  /** Handles one `{% %}` token; returns the index of the last token consumed. */
  private blockToken(k: number, t: Token): number {
    const name = TemplateParser.command(t);
    const pieces = splitContents(t.contents, t.contentsStart);
    const bits = pieces.map((p) => p.text);
    const bitSpans = pieces.map((p) => this.span(p.start, p.end));
    const tagSpan = this.span(t.start, t.end);
    const top = this.stack[this.stack.length - 1];
    if (!name) {
      this.error(`Empty block tag on line ${this.lineNo(t.start)}`, t.start, t.end);
      this.add({ kind: 'tag', name: '', bits, bitSpans, span: tagSpan, tagSpan, offsets: [t.start, t.end] });
      return k;
    }
    if (top && (top.node.name === 'blocktrans' || top.node.name === 'blocktranslate') && name !== top.endName && name !== 'plural') {
      this.error(`'${top.node.name}' doesn't allow other block tags (seen '${t.contents}') inside it`, t.start, t.end);
    }
    if (top && name === top.endName) {
      this.closeFrame(t, name);
      return k;
    }
    if (top && top.spec.branches(top.lastBranch).includes(name)) {
      this.startBranch(top, t, name, bits, bitSpans, pieces);
      return k;
    }
    if (name === 'comment') {
      let j = k + 1;
      while (j < this.tokens.length && !(this.tokens[j].type === 'block' && this.tokens[j].contents === 'endcomment')) j++;
      if (j < this.tokens.length) {
        const e = this.tokens[j].end;
        this.add({ kind: 'comment', span: this.span(t.start, e), offsets: [t.start, e] });
        return j;
      }
      this.error(`Unclosed tag on line ${this.lineNo(t.start)}: 'comment'. Looking for one of: endcomment.`, t.start, t.end);
      this.add({ kind: 'comment', span: tagSpan, offsets: [t.start, t.end] });
      return k;
    }
    const node: TagNode = { kind: 'tag', name, bits, bitSpans, span: tagSpan, tagSpan, offsets: [t.start, t.end] };
    const spec = BLOCK_TAGS[name] ?? (this.customBlocks.has(k) ? CUSTOM_BLOCK : undefined);
    if (spec) {
      this.checkExtendsFirst(name, t);
      this.add(node);
      node.children = [];
      const frame: Frame = {
        node, spec, endName: 'end' + name, children: node.children, branchStart: t.start,
        lastBranch: '', start: t.start, line: this.lineNo(t.start),
      };
      this.analyze(node, pieces, t, frame);
      this.stack.push(frame);
      return k;
    }
    // An end or intermediate tag that does not fit the innermost open block.
    const depth = this.stack.map((f) => f.endName).lastIndexOf(name);
    if (depth >= 0) {
      while (this.stack.length - 1 > depth) this.closeUnclosed(t.start);
      this.closeFrame(t, name);
      return k;
    }
    const isEnd = name.startsWith('end') && (name.slice(3) in BLOCK_TAGS || this.customNames.has(name.slice(3)));
    if (isEnd || INTERMEDIATES.has(name)) {
      const expected = top ? [...top.spec.branches(top.lastBranch), top.endName] : [];
      this.error(
        `Invalid block tag on line ${this.lineNo(t.start)}: '${name}'` +
          (expected.length ? `, expected ${expected.map((e) => `'${e}'`).join(' or ')}.` : '.'),
        t.start, t.end,
      );
      this.add(node);
      return k;
    }
    this.checkExtendsFirst(name, t);
    this.add(node);
    this.analyze(node, pieces, t);
    return k;
  }

  private checkExtendsFirst(name: string, t: Token): void {
    if (name === 'extends' && !this.stack.length && this.topNonText) {
      this.error(`'extends' must be the first tag in the template.`, t.start, t.end);
    }
  }

  private finishBranch(f: Frame, at: number): void {
    if (f.branch) {
      f.branch.span = this.span(f.branchStart, at);
    }
  }

  private startBranch(f: Frame, t: Token, name: string, bits: string[], bitSpans: Span[], pieces: Piece[]): void {
    this.finishBranch(f, t.start);
    const branch: TagBranch = { name, bits, bitSpans, span: this.span(t.start, t.end), tagSpan: this.span(t.start, t.end), children: [] };
    (f.node.branches ??= []).push(branch);
    f.branch = branch;
    f.branchStart = t.start;
    f.children = branch.children;
    f.lastBranch = name;
    if (name === 'elif') this.ifCondition(pieces.slice(1), t);
  }

  private closeFrame(t: Token, name: string): void {
    const f = this.stack.pop()!;
    this.finishBranch(f, t.start);
    f.node.endSpan = this.span(t.start, t.end);
    f.node.span = this.span(f.start, t.end);
    f.node.offsets = [f.start, t.end];
    if (f.block) {
      f.block.span = f.node.span;
      f.block.endSpan = f.node.endSpan;
      if (name === 'endblock' && t.contents !== 'endblock' && t.contents !== 'endblock ' + f.block.name) {
        this.error(`Invalid block tag on line ${this.lineNo(t.start)}: '${t.contents}', expected 'endblock' or 'endblock ${f.block.name}'.`, t.start, t.end);
      }
    }
  }

  private closeUnclosed(at: number): void {
    const f = this.stack.pop()!;
    this.finishBranch(f, at);
    f.node.span = this.span(f.start, at);
    f.node.offsets = [f.start, at];
    if (f.block) f.block.span = f.node.span;
    const looking = [...f.spec.branches(f.lastBranch), f.endName].join(', ');
    this.file.errors.push({
      message: `Unclosed tag on line ${f.line}: '${f.node.name}'. Looking for one of: ${looking}.`,
      span: f.node.tagSpan,
    });
  }

  // -------------------------------------------------------------------------------------------
  // Expressions

  /** Port of `FilterExpression.__init__`; records variable references as a side effect. */
  compileFilter(token: string, base: number, record = true): FilterExpr {
    const sp = (a: number, b: number) => this.span(base + a, base + b);
    const fail = (msg: string) => this.error(msg, base, base + token.length);
    const expr: FilterExpr = { var: '', varSpan: sp(0, 0), path: [], filters: [] };
    let upto = 0;
    CONST_RE.lastIndex = 0;
    let m = CONST_RE.exec(token);
    let cls: Classified | undefined;
    if (!m) {
      VAR_RE.lastIndex = 0;
      m = VAR_RE.exec(token);
    }
    if (!m) {
      FILTER_RE.lastIndex = 0;
      if (FILTER_RE.test(token)) fail(`Could not find variable at start of ${token}.`);
      else this.remainderError(token, 0, base);
      return expr;
    }
    expr.var = m[0];
    expr.varSpan = sp(0, m[0].length);
    cls = classifyVariable(m[0]);
    if (cls.error) fail(cls.error);
    if (cls.literal !== undefined) expr.literal = cls.literal;
    if (cls.path) expr.path = cls.path;
    upto = m[0].length;
    const refFilters: VariableRef['filters'] = [];
    const argRefs: VariableRef[] = [];
    while (upto < token.length) {
      FILTER_RE.lastIndex = upto;
      const f = FILTER_RE.exec(token);
      if (!f) {
        this.remainderError(token, upto, base);
        break;
      }
      const name = f[1];
      const arg = f[2] ?? f[3];
      const tailLen = name.length + (arg !== undefined ? arg.length + 1 : 0);
      const end = f.index + f[0].length;
      const fspan = sp(end - tailLen, end);
      expr.filters.push(arg !== undefined ? { name, arg, span: fspan } : { name, span: fspan });
      refFilters.push(arg !== undefined ? { name, arg } : { name });
      if (f[3] !== undefined) {
        const ac = classifyVariable(f[3]);
        if (ac.error) fail(ac.error);
        if (ac.path) argRefs.push({ path: ac.path, text: f[3], span: sp(end - f[3].length, end), filters: [] });
      }
      upto = end;
    }
    if (record) {
      if (expr.path.length) this.file.variables.push({ path: expr.path, text: expr.var, span: expr.varSpan, filters: refFilters });
      this.file.variables.push(...argRefs);
    }
    return expr;
  }

  /** Django's two error messages for unparsable characters in a filter expression. */
  private remainderError(token: string, upto: number, base: number): void {
    FILTER_SEARCH_RE.lastIndex = upto;
    const next = FILTER_SEARCH_RE.exec(token);
    const msg = next
      ? `Could not parse some characters: ${token.slice(0, upto)}|${token.slice(upto, next.index)}|${token.slice(next.index)}`
      : `Could not parse the remainder: '${token.slice(upto)}' from '${token}'`;
    this.error(msg, base + upto, base + token.length);
  }

  private compilePiece(p: Piece): FilterExpr {
    return this.compileFilter(p.text, p.start);
  }

  /** Port of `token_kwargs`; consumes matched bits from the front of `bits`. */
  private tokenKwargs(bits: Piece[], legacy: boolean): [string, Piece][] {
    const out: [string, Piece][] = [];
    if (!bits.length) return out;
    let m = KWARG_RE.exec(bits[0].text);
    const kwargFormat = !!(m && m[1]);
    if (!kwargFormat && (!legacy || bits.length < 3 || bits[1].text !== 'as')) return out;
    while (bits.length) {
      let key: string;
      let value: Piece;
      if (kwargFormat) {
        m = KWARG_RE.exec(bits[0].text);
        if (!m || !m[1]) return out;
        key = m[1];
        const b = bits.shift()!;
        value = { text: m[2], start: b.start + key.length + 1, end: b.end };
      } else {
        if (bits.length < 3 || bits[1].text !== 'as') return out;
        key = bits[2].text;
        value = bits[0];
        bits.splice(0, 3);
      }
      this.compilePiece(value);
      out.push([key, value]);
      if (bits.length && !kwargFormat) {
        if (bits[0].text !== 'and') return out;
        bits.shift();
      }
    }
    return out;
  }

  private ifCondition(args: Piece[], t: Token): void {
    if (!args.length) this.error('Unexpected end of expression in if tag.', t.start, t.end);
    for (let i = 0; i < args.length; i++) {
      const a = args[i].text;
      const nx = args[i + 1]?.text;
      if ((a === 'is' && nx === 'not') || (a === 'not' && nx === 'in')) {
        i++;
        continue;
      }
      if (!IF_OPERATORS.has(a)) this.compilePiece(args[i]);
    }
  }

  /** Span inside the quotes of a string-literal bit (for document links). */
  private literalInnerSpan(p: Piece): Span {
    const q = p.text.startsWith('_(') ? 3 : 1;
    return this.span(p.start + q, p.end - (q === 3 ? 2 : 1));
  }

  private static stringName(fe: FilterExpr): string | null {
    return typeof fe.literal === 'string' && fe.filters.length === 0 ? fe.literal : null;
  }

  // -------------------------------------------------------------------------------------------
  // Built-in tags: validation and extraction, following django/template/{defaulttags,loader_tags}.py

  private analyze(node: TagNode, pieces: Piece[], t: Token, frame?: Frame): void {
    const name = node.name;
    const bits = pieces.map((p) => p.text);
    const err = (msg: string) => this.error(msg, t.start, t.end);
    switch (name) {
      case 'for': {
        if (bits.length < 4) { err(`'for' statements should have at least four words: ${t.contents}`); break; }
        const reversed = bits[bits.length - 1] === 'reversed';
        const inIndex = bits.length + (reversed ? -3 : -2);
        if (bits[inIndex] !== 'in') { err(`'for' statements should use the format 'for x in y': ${t.contents}`); break; }
        const vars = bits.slice(1, inIndex).join(' ').split(/ *, */);
        if (vars.some((v) => !v || /[ "'|]/.test(v))) { err(`'for' tag received an invalid argument: ${t.contents}`); break; }
        node.loop = { vars, iterable: this.compilePiece(pieces[inIndex + 1]), reversed };
        break;
      }
      case 'if':
        this.ifCondition(pieces.slice(1), t);
        break;
      case 'with': {
        const rest = pieces.slice(1);
        const kw = this.tokenKwargs(rest, true);
        if (!kw.length) err(`'with' expected at least one variable assignment`);
        else if (rest.length) err(`'with' received an invalid token: '${rest[0].text}'`);
        break;
      }
      case 'block': {
        const words = pySplit(t.contents, t.contentsStart);
        if (words.length !== 2) err(`'block' tag takes only one argument`);
        const bname = words[1]?.text ?? '';
        if (bname && this.blockNames.has(bname)) err(`'block' tag with name '${bname}' appears more than once`);
        this.blockNames.add(bname);
        const entry: TemplateFile['blocks'][number] = { name: bname, span: node.span };
        if (words[1]) entry.nameSpan = this.span(words[1].start, words[1].end);
        this.file.blocks.push(entry);
        if (frame) frame.block = entry;
        break;
      }
      case 'extends': {
        if (bits.length !== 2) err(`'extends' takes one argument`);
        if (this.file.extends) err(`'extends' cannot appear more than once in the same template`);
        if (bits.length < 2) { this.file.extends ??= { name: null, span: node.tagSpan }; break; }
        const fe = this.compilePiece(pieces[1]);
        const n = TemplateParser.stringName(fe);
        const e: NonNullable<TemplateFile['extends']> = { name: n, span: node.tagSpan, nameSpan: n !== null ? this.literalInnerSpan(pieces[1]) : bitSpanOf(this, pieces[1]) };
        this.file.extends ??= e;
        break;
      }
      case 'include': {
        if (bits.length < 2) { err(`'include' tag takes at least one argument: the name of the template to be included.`); break; }
        const fe = this.compilePiece(pieces[1]);
        const n = TemplateParser.stringName(fe);
        const inc: TemplateFile['includes'][number] = {
          name: n, span: node.tagSpan, nameSpan: n !== null ? this.literalInnerSpan(pieces[1]) : bitSpanOf(this, pieces[1]), only: false, with: {},
        };
        const rest = pieces.slice(2);
        const seen = new Set<string>();
        while (rest.length) {
          const opt = rest.shift()!.text;
          if (seen.has(opt)) { err(`The '${opt}' option was specified more than once.`); break; }
          seen.add(opt);
          if (opt === 'with') {
            const kw = this.tokenKwargs(rest, false);
            if (!kw.length) { err(`"with" in 'include' tag needs at least one keyword argument.`); break; }
            for (const [key, v] of kw) inc.with[key] = v.text;
          } else if (opt === 'only') {
            inc.only = true;
          } else {
            err(`Unknown argument for 'include' tag: '${opt}'.`);
            break;
          }
        }
        this.file.includes.push(inc);
        break;
      }
      case 'url': {
        if (bits.length < 2) { err(`'url' takes at least one argument, a URL pattern name.`); break; }
        const fe = this.compilePiece(pieces[1]);
        const n = TemplateParser.stringName(fe);
        const u: TemplateFile['urls'][number] = {
          name: n, nameSpan: n !== null ? this.literalInnerSpan(pieces[1]) : bitSpanOf(this, pieces[1]), span: node.tagSpan, args: [], kwargs: {},
        };
        let rest = pieces.slice(2);
        if (rest.length >= 2 && rest[rest.length - 2].text === 'as') {
          u.asVar = rest[rest.length - 1].text;
          rest = rest.slice(0, -2);
        }
        for (const b of rest) {
          const m = KWARG_RE.exec(b.text);
          if (!m) { err('Malformed arguments to url tag'); continue; }
          const key = m[1];
          const value = m[2];
          this.compileFilter(value, b.start + (key ? key.length + 1 : 0));
          if (key) u.kwargs[key] = value;
          else u.args.push(value);
        }
        this.file.urls.push(u);
        break;
      }
      case 'load': {
        const words = pySplit(t.contents).map((w) => w.text);
        if (words.length >= 4 && words[words.length - 2] === 'from') {
          this.file.loads.push({ libraries: [words[words.length - 1]], names: words.slice(1, -2), span: node.tagSpan });
        } else {
          this.file.loads.push({ libraries: words.slice(1), span: node.tagSpan });
        }
        break;
      }
      case 'firstof': {
        let rest = pieces.slice(1);
        if (!rest.length) { err(`'firstof' statement requires at least one argument`); break; }
        if (rest.length >= 2 && rest[rest.length - 2].text === 'as') rest = rest.slice(0, -2);
        rest.forEach((p) => this.compilePiece(p));
        break;
      }
      case 'cycle': {
        if (bits.length < 2) { err(`'cycle' tag requires at least two arguments`); break; }
        if (bits[1].includes(',') || bits.length === 2) break; // legacy comma syntax / named-cycle reference
        let end = bits.length;
        if (bits.length > 4 && bits[end - 3] === 'as') end -= 3;
        else if (bits.length > 2 && bits[end - 2] === 'as') end -= 2;
        pieces.slice(1, end).forEach((p) => this.compilePiece(p));
        break;
      }
      case 'ifchanged':
        pieces.slice(1).forEach((p) => this.compilePiece(p));
        break;
      case 'ifequal':
      case 'ifnotequal':
        if (bits.length !== 3) { err(`'${name}' takes two arguments`); break; }
        this.compilePiece(pieces[1]);
        this.compilePiece(pieces[2]);
        break;
      case 'widthratio':
        if (bits.length !== 4 && !(bits.length === 6 && bits[4] === 'as')) { err(`widthratio takes at least three arguments`); break; }
        pieces.slice(1, 4).forEach((p) => this.compilePiece(p));
        break;
      case 'timezone':
        if (bits.length !== 2) { err(`'timezone' takes one argument (timezone)`); break; }
        this.compilePiece(pieces[1]);
        break;
      case 'cache':
        if (bits.length < 3) { err(`'cache' tag requires at least 2 arguments.`); break; }
        this.compilePiece(pieces[1]);
        pieces.slice(3).forEach((p) => { if (!p.text.startsWith('using=')) this.compilePiece(p); });
        break;
      case 'regroup':
        if (bits.length !== 6 || bits[2] !== 'by' || bits[4] !== 'as') { err(`'regroup' tag takes five arguments`); break; }
        this.compilePiece(pieces[1]);
        break;
      case 'trans':
      case 'translate':
        if (bits.length < 2) { err(`'${name}' takes at least one argument`); break; }
        this.compilePiece(pieces[1]);
        for (let i = 2; i < bits.length; i++) {
          if (bits[i] === 'context' && pieces[i + 1]) this.compilePiece(pieces[++i]);
          else if (bits[i] === 'as') i++;
        }
        break;
      case 'blocktrans':
      case 'blocktranslate': {
        const rest = pieces.slice(1);
        while (rest.length) {
          const opt = rest.shift()!.text;
          if (opt === 'with' || opt === 'count') this.tokenKwargs(rest, true);
          else if (opt === 'context' && rest.length) this.compilePiece(rest.shift()!);
          else if (opt === 'asvar') rest.shift();
          else if (opt !== 'trimmed') { err(`Unknown argument for '${name}' tag: '${opt}'.`); break; }
        }
        break;
      }
      default:
        break;
    }
  }
}

function bitSpanOf(p: TemplateParser, piece: Piece): Span {
  return p.idx.span(piece.start, piece.end);
}

// ---------------------------------------------------------------------------------------------
// Public API

/** Parses a Django template. Never throws; problems are reported in `errors`. */
export function parseTemplate(text: string): TemplateFile {
  return new TemplateParser(text).parse();
}

/**
 * Depth-first pre-order walk over nodes, their bodies and their branches. Returning `false`
 * from `visit` skips the node's descendants. `parents` is the chain of enclosing tag nodes.
 */
export function walk(nodes: TNode[], visit: (node: TNode, parents: TagNode[]) => void | boolean, parents: TagNode[] = []): void {
  for (const n of nodes) {
    if (visit(n, parents) === false || n.kind !== 'tag') continue;
    if (!n.children && !n.branches) continue;
    parents.push(n);
    if (n.children) walk(n.children, visit, parents);
    if (n.branches) for (const b of n.branches) walk(b.children, visit, parents);
    parents.pop();
  }
}

/** All `{% for %}` loops that compiled, nested ones included, in document order. */
export function forLoops(file: TemplateFile): ForLoop[] {
  const out: ForLoop[] = [];
  walk(file.nodes, (n) => {
    if (n.kind === 'tag' && n.name === 'for' && n.loop) {
      out.push({ vars: n.loop.vars, iterable: n.loop.iterable, span: n.span, body: n.children ?? [] });
    }
  });
  return out;
}

function before(l1: number, c1: number, l2: number, c2: number): boolean {
  return l1 < l2 || (l1 === l2 && c1 < c2);
}

function contains(s: Span, line: number, col: number, inclusiveEnd: boolean): boolean {
  if (before(line, col, s[0], s[1])) return false;
  return inclusiveEnd ? !before(s[2], s[3], line, col) : before(line, col, s[2], s[3]);
}

/**
 * The innermost node whose span contains the position. Spans are half-open, so at a boundary
 * the node starting there wins; a position at the very end of the last node still finds it.
 */
export function nodeAt(file: TemplateFile, line: number, col: number): TNode | undefined {
  const find = (nodes: TNode[], inclusive: boolean): TNode | undefined => {
    for (const n of nodes) {
      if (!contains(n.span, line, col, inclusive)) continue;
      if (n.kind === 'tag') {
        const inner = (n.children && find(n.children, inclusive)) || (n.branches && n.branches.map((b) => find(b.children, inclusive)).find((x) => x));
        if (inner) return inner;
      }
      return n;
    }
    return undefined;
  };
  return find(file.nodes, false) ?? find(file.nodes, true);
}
