/**
 * Turns one tree-sitter Python tree into ModuleFacts: the module's statements (mirrored as
 * python/ast.ts expressions, without function bodies), its function and class definitions, the
 * calls of interest anywhere in the file (render, reverse, raw SQL sinks ...) and its syntax
 * errors. Facts are plain data, computed once per file version, cached, and shipped between
 * worker threads; nothing else in the core looks at trees when building the project model.
 */
import { Query, type Language, type Node, type Tree } from 'web-tree-sitter';
import type { Span } from '../types';
import type { ClassDef, Expr, FunctionDef, ImportName, Keyword, Stmt } from './ast';

export interface CallSite {
  /** The callee's last name: `render`, `reverse`, `execute` ... */
  name: string;
  call: Extract<Expr, { k: 'call' }>;
}

export interface ModuleFacts {
  body: Stmt[];
  calls: CallSite[];
  /** Every callee name called anywhere in the file (a cheap filter for checks that reparse). */
  callNames: string[];
  /** Whether the file has a `for` loop or a comprehension (the N+1 analysis skips files without). */
  hasLoops: boolean;
  syntaxErrors: { message: string; span: Span }[];
  lineCount: number;
}

/** Callee names whose call sites are recorded wherever they appear (function bodies included). */
export const INTERESTING_CALLS = new Set([
  'render', 'render_to_response', 'render_to_string', 'TemplateResponse', 'SimpleTemplateResponse',
  'get_template', 'select_template', 'redirect', 'reverse', 'reverse_lazy', 'resolve_url',
  'HttpResponseRedirect', 'HttpResponsePermanentRedirect', 'get_model', 'register_converter', 'setdefault',
]);

/** Expressions longer than this many characters are not mirrored (huge generated literals). */
const MAX_EXPR_CHARS = 200_000;

function span(n: Node): Span {
  const a = n.startPosition;
  const b = n.endPosition;
  return [a.row, a.column, b.row, b.column];
}

let callQuery: Query | undefined;

export function extractFacts(tree: Tree, language: Language): ModuleFacts {
  return extractChunked(tree, language).facts;
}

/**
 * Facts per top-level statement, kept for open documents: after an edit, statements whose text
 * did not change are reused (their spans shifted by the lines inserted above them), so a one-line
 * edit in a 1,000-line models.py re-extracts one class, not the file.
 */
export interface Chunk {
  text: string;
  startRow: number;
  stmt?: Stmt;
  calls: CallSite[];
  names: string[];
  loops: boolean;
}

export function extractChunked(tree: Tree, language: Language, text?: string, previous?: Chunk[]): { facts: ModuleFacts; chunks?: Chunk[] } {
  const root = tree.rootNode;
  callQuery ??= new Query(
    language,
    '(call function: [(identifier) @fn (attribute attribute: (identifier) @fn)]) @call ' +
      '[(for_statement) (list_comprehension) (set_comprehension) (dictionary_comprehension) (generator_expression)] @loop',
  );
  const facts: ModuleFacts = { body: [], calls: [], callNames: [], hasLoops: false, syntaxErrors: [], lineCount: root.endPosition.row + 1 };
  const names = new Set<string>();
  if (text === undefined) {
    facts.body = block(root);
    facts.hasLoops = collectCalls(root, facts.calls, names);
  } else {
    const reusable = new Map<string, Chunk>();
    for (const c of previous ?? []) reusable.set(c.text, c);
    const chunks: Chunk[] = [];
    for (const child of root.namedChildren) {
      if (!child) continue;
      const chunkText = text.slice(child.startIndex, child.endIndex);
      const row = child.startPosition.row;
      const old = reusable.get(chunkText);
      let chunk: Chunk;
      if (old) {
        const delta = row - old.startRow;
        chunk = delta === 0 ? old : { ...shift({ stmt: old.stmt, calls: old.calls }, delta), text: chunkText, startRow: row, names: old.names, loops: old.loops };
      } else {
        const chunkNames = new Set<string>();
        const calls: CallSite[] = [];
        const loops = collectCalls(child, calls, chunkNames);
        chunk = { text: chunkText, startRow: row, stmt: statement(child), calls, names: [...chunkNames], loops };
      }
      chunks.push(chunk);
      if (chunk.stmt) facts.body.push(chunk.stmt);
      facts.calls.push(...chunk.calls);
      if (chunk.loops) facts.hasLoops = true;
      for (const n of chunk.names) names.add(n);
    }
    facts.callNames = [...names];
    if (root.hasError) collectErrors(root, facts.syntaxErrors);
    return { facts, chunks };
  }
  facts.callNames = [...names];
  if (root.hasError) collectErrors(root, facts.syntaxErrors);
  return { facts };
}

/** Records the call sites of interest and every callee name; returns whether a loop was seen. */
function collectCalls(node: Node, out: CallSite[], names: Set<string>): boolean {
  let loops = false;
  for (const m of callQuery!.matches(node)) {
    let callNode: Node | undefined;
    let fnName: string | undefined;
    for (const c of m.captures) {
      if (c.name === 'call') callNode = c.node;
      else if (c.name === 'loop') loops = true;
      else fnName = c.node.text;
    }
    if (fnName) names.add(fnName);
    if (!callNode || !fnName || !INTERESTING_CALLS.has(fnName)) continue;
    const call = expr(callNode);
    if (call.k === 'call') out.push({ name: fnName, call });
  }
  return loops;
}

const SPAN_KEYS = new Set(['s', 'nameSpan', 'attrSpan', 'span']);

/** A deep copy with every span moved down by `delta` lines. */
function shift<T>(value: T, delta: number): T {
  if (Array.isArray(value)) return value.map((v) => shift(v, delta)) as T;
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    if (SPAN_KEYS.has(k) && Array.isArray(v) && v.length === 4) out[k] = [v[0] + delta, v[1], v[2] + delta, v[3]];
    else out[k] = shift(v, delta);
  }
  return out as T;
}

function collectErrors(root: Node, out: { message: string; span: Span }[]): void {
  const stack: Node[] = [root];
  while (stack.length && out.length < 20) {
    const n = stack.pop()!;
    if (n.isError) {
      out.push({ message: 'syntax error', span: span(n) });
      continue;
    }
    if (n.isMissing) {
      out.push({ message: `missing ${n.type}`, span: span(n) });
      continue;
    }
    if (!n.hasError) continue;
    for (let i = n.childCount - 1; i >= 0; i--) stack.push(n.child(i)!);
  }
}

/** The statements of a module or block node. */
function block(n: Node | null): Stmt[] {
  const out: Stmt[] = [];
  if (!n) return out;
  for (const child of n.namedChildren) {
    if (!child) continue;
    const st = statement(child);
    if (st) out.push(st);
  }
  return out;
}

function statement(n: Node): Stmt | undefined {
  switch (n.type) {
    case 'expression_statement': {
      const inner = n.namedChild(0);
      if (!inner) return undefined;
      if (inner.type === 'assignment') return assignment(inner);
      if (inner.type === 'augmented_assignment') {
        const target = inner.childForFieldName('left');
        const value = inner.childForFieldName('right');
        const op = inner.childForFieldName('operator');
        if (!target || !value) return undefined;
        return { k: 'augassign', target: expr(target), op: op?.text ?? '+=', value: expr(value), s: span(n) };
      }
      return { k: 'expr', value: expr(inner), s: span(n) };
    }
    case 'import_statement': {
      const names: ImportName[] = [];
      for (const c of n.namedChildren) if (c) names.push(importName(c));
      return { k: 'import', names, s: span(n) };
    }
    case 'import_from_statement': {
      const modNode = n.childForFieldName('module_name');
      let module = '';
      let level = 0;
      if (modNode?.type === 'relative_import') {
        for (const c of modNode.children) {
          if (!c) continue;
          if (c.type === 'import_prefix') level = c.text.length;
          else if (c.type === 'dotted_name') module = c.text;
        }
      } else if (modNode) {
        module = modNode.text;
      }
      let names: ImportName[] | '*' = [];
      for (const c of n.namedChildren) {
        if (!c || c === modNode || c.id === modNode?.id) continue;
        if (c.type === 'wildcard_import') names = '*';
        else if (names !== '*' && (c.type === 'dotted_name' || c.type === 'aliased_import')) names.push(importName(c));
      }
      return { k: 'from', module, level, names, s: span(n) };
    }
    case 'future_import_statement':
      return undefined;
    case 'if_statement': {
      const cond = n.childForFieldName('condition');
      const body = block(n.childForFieldName('consequence'));
      // elif chains become nested ifs in orelse, as in Python's own AST.
      const alternatives = n.childrenForFieldName('alternative').filter((c): c is Node => !!c);
      return { k: 'if', test: cond ? expr(cond) : other(n), body, orelse: elseChain(alternatives, 0), s: span(n) };
    }
    case 'try_statement': {
      const st: Extract<Stmt, { k: 'try' }> = { k: 'try', body: block(n.childForFieldName('body')), handlers: [], orelse: [], finalbody: [], s: span(n) };
      for (const c of n.namedChildren) {
        if (!c) continue;
        if (c.type === 'except_clause' || c.type === 'except_group_clause') st.handlers.push(block(lastBlock(c)));
        else if (c.type === 'else_clause') st.orelse = block(c.childForFieldName('body'));
        else if (c.type === 'finally_clause') st.finalbody = block(lastBlock(c));
      }
      return st;
    }
    case 'with_statement':
      return { k: 'with', body: block(n.childForFieldName('body')), s: span(n) };
    case 'function_definition':
      return functionDef(n, []);
    case 'class_definition':
      return classDef(n, []);
    case 'decorated_definition': {
      const decorators: Expr[] = [];
      for (const c of n.namedChildren) {
        if (c?.type === 'decorator') {
          const e = c.namedChild(0);
          if (e) decorators.push(expr(e));
        }
      }
      const def = n.childForFieldName('definition');
      if (def?.type === 'function_definition') return functionDef(def, decorators);
      if (def?.type === 'class_definition') return classDef(def, decorators);
      return undefined;
    }
    default:
      return undefined;
  }
}

function lastBlock(n: Node): Node | null {
  for (let i = n.namedChildCount - 1; i >= 0; i--) {
    const c = n.namedChild(i);
    if (c?.type === 'block') return c;
  }
  return null;
}

function elseChain(alts: Node[], i: number): Stmt[] {
  const alt = alts[i];
  if (!alt) return [];
  if (alt.type === 'else_clause') return block(alt.childForFieldName('body'));
  // elif_clause
  const cond = alt.childForFieldName('condition');
  return [{ k: 'if', test: cond ? expr(cond) : other(alt), body: block(alt.childForFieldName('consequence')), orelse: elseChain(alts, i + 1), s: span(alt) }];
}

function importName(n: Node): ImportName {
  if (n.type === 'aliased_import') {
    return { name: n.childForFieldName('name')?.text ?? '', asname: n.childForFieldName('alias')?.text, s: span(n) };
  }
  return { name: n.text, s: span(n) };
}

function assignment(n: Node): Stmt | undefined {
  const left = n.childForFieldName('left');
  const right = n.childForFieldName('right');
  const type = n.childForFieldName('type');
  if (!left) return undefined;
  if (type && !right) return { k: 'annassign', target: expr(left), value: null, s: span(n) };
  if (!right) return undefined;
  // Chained assignment `a = b = value`: tree-sitter nests the assignments on the right.
  const targets = [expr(left)];
  let value: Node = right;
  while (value.type === 'assignment') {
    const l = value.childForFieldName('left');
    const r = value.childForFieldName('right');
    if (!l || !r) break;
    targets.push(expr(l));
    value = r;
  }
  if (type) return { k: 'annassign', target: targets[0], value: expr(value), s: span(n) };
  return { k: 'assign', targets, value: expr(value), s: span(n) };
}

function functionDef(n: Node, decorators: Expr[]): FunctionDef {
  const nameNode = n.childForFieldName('name');
  const params: string[] = [];
  const paramsNode = n.childForFieldName('parameters');
  if (paramsNode) {
    for (const p of paramsNode.namedChildren) {
      if (!p) continue;
      if (p.type === 'identifier') params.push(p.text);
      else {
        const id = p.childForFieldName('name') ?? p.namedChildren.find((c) => c?.type === 'identifier');
        if (id) params.push((p.type.includes('splat') ? (p.type.startsWith('dictionary') ? '**' : '*') : '') + id.text);
      }
    }
  }
  const first = n.child(0);
  return {
    k: 'def',
    name: nameNode?.text ?? '',
    s: span(n),
    nameSpan: nameNode ? span(nameNode) : span(n),
    decorators,
    params,
    isAsync: first?.type === 'async',
  };
}

function classDef(n: Node, decorators: Expr[]): ClassDef {
  const nameNode = n.childForFieldName('name');
  const bases: Expr[] = [];
  const keywords: Keyword[] = [];
  const sup = n.childForFieldName('superclasses');
  if (sup) {
    for (const a of sup.namedChildren) {
      if (!a) continue;
      if (a.type === 'keyword_argument') {
        keywords.push({ name: a.childForFieldName('name')?.text ?? null, value: exprOrOther(a.childForFieldName('value'), a) });
      } else bases.push(expr(a));
    }
  }
  return {
    k: 'class',
    name: nameNode?.text ?? '',
    s: span(n),
    nameSpan: nameNode ? span(nameNode) : span(n),
    bases,
    keywords,
    decorators,
    body: block(n.childForFieldName('body')),
  };
}

function other(n: Node): Expr {
  return { k: 'other', type: n.type, s: span(n) };
}

function exprOrOther(n: Node | null, parent: Node): Expr {
  return n ? expr(n) : other(parent);
}

const BINARY_OPS = new Set(['+', '-', '*', '/', '//', '%', '@', '**', '|', '&', '^', '<<', '>>']);

/** Mirrors one expression node. */
export function expr(n: Node): Expr {
  if (n.endIndex - n.startIndex > MAX_EXPR_CHARS) return other(n);
  const s = span(n);
  switch (n.type) {
    case 'identifier':
      return { k: 'name', id: n.text, s };
    case 'string':
      return stringExpr(n);
    case 'concatenated_string': {
      const parts = n.namedChildren.filter((c): c is Node => !!c && c.type === 'string').map(stringExpr);
      if (parts.every((p) => p.k === 'str')) {
        return { k: 'str', v: parts.map((p) => (p as { v: string }).v).join(''), s };
      }
      const flat: (string | Expr)[] = [];
      for (const p of parts) {
        if (p.k === 'str') flat.push(p.v);
        else if (p.k === 'fstr') flat.push(...p.parts);
      }
      return { k: 'fstr', parts: flat, s };
    }
    case 'integer': {
      const t = n.text.replace(/_/g, '').replace(/[lL]$/, '');
      const v = /^0[oO]/.test(t) ? parseInt(t.slice(2), 8) : /^0[bB]/.test(t) ? parseInt(t.slice(2), 2) : Number(t);
      return { k: 'num', v, s };
    }
    case 'float':
      return { k: 'num', v: Number(n.text.replace(/_/g, '')), s };
    case 'true':
      return { k: 'const', v: true, s };
    case 'false':
      return { k: 'const', v: false, s };
    case 'none':
      return { k: 'const', v: null, s };
    case 'attribute': {
      const obj = n.childForFieldName('object');
      const attr = n.childForFieldName('attribute');
      if (!obj || !attr) return other(n);
      return { k: 'attr', obj: expr(obj), attr: attr.text, s, attrSpan: span(attr) };
    }
    case 'call': {
      const fn = n.childForFieldName('function');
      const argsNode = n.childForFieldName('arguments');
      if (!fn) return other(n);
      const args: Expr[] = [];
      const kw: Keyword[] = [];
      if (argsNode?.type === 'generator_expression') args.push(other(argsNode));
      else if (argsNode) {
        for (const a of argsNode.namedChildren) {
          if (!a || a.type === 'comment') continue;
          if (a.type === 'keyword_argument') {
            kw.push({ name: a.childForFieldName('name')?.text ?? null, value: exprOrOther(a.childForFieldName('value'), a) });
          } else if (a.type === 'dictionary_splat') {
            kw.push({ name: null, value: exprOrOther(a.namedChild(0), a) });
          } else args.push(expr(a));
        }
      }
      return { k: 'call', fn: expr(fn), args, kw, s };
    }
    case 'list':
    case 'tuple':
    case 'set':
    case 'expression_list': {
      const items: Expr[] = [];
      for (const c of n.namedChildren) if (c && c.type !== 'comment') items.push(expr(c));
      return { k: n.type === 'expression_list' ? 'tuple' : (n.type as 'list' | 'tuple' | 'set'), items, s };
    }
    case 'pattern_list':
    case 'tuple_pattern':
    case 'list_pattern': {
      const items: Expr[] = [];
      for (const c of n.namedChildren) if (c && c.type !== 'comment') items.push(expr(c));
      return { k: 'tuple', items, s };
    }
    case 'parenthesized_expression': {
      const inner = n.namedChildren.find((c) => c && c.type !== 'comment');
      return inner ? expr(inner) : other(n);
    }
    case 'dictionary': {
      const entries: { key: Expr | null; value: Expr }[] = [];
      for (const c of n.namedChildren) {
        if (!c) continue;
        if (c.type === 'pair') {
          const k = c.childForFieldName('key');
          const v = c.childForFieldName('value');
          if (k && v) entries.push({ key: expr(k), value: expr(v) });
        } else if (c.type === 'dictionary_splat') {
          entries.push({ key: null, value: exprOrOther(c.namedChild(0), c) });
        }
      }
      return { k: 'dict', entries, s };
    }
    case 'binary_operator': {
      const l = n.childForFieldName('left');
      const r = n.childForFieldName('right');
      const op = n.childForFieldName('operator')?.text ?? '';
      if (!l || !r || !BINARY_OPS.has(op)) return other(n);
      return { k: 'bin', op, l: expr(l), r: expr(r), s };
    }
    case 'boolean_operator': {
      const l = n.childForFieldName('left');
      const r = n.childForFieldName('right');
      const op = n.childForFieldName('operator')?.text;
      if (!l || !r || (op !== 'and' && op !== 'or')) return other(n);
      return { k: 'bool', op, l: expr(l), r: expr(r), s };
    }
    case 'not_operator': {
      const arg = n.childForFieldName('argument');
      return arg ? { k: 'not', v: expr(arg), s } : other(n);
    }
    case 'comparison_operator': {
      const items: Expr[] = [];
      const ops: string[] = [];
      for (const c of n.children) {
        if (!c) continue;
        if (c.isNamed) items.push(expr(c));
        else ops.push(c.type);
      }
      return { k: 'cmp', ops, items, s };
    }
    case 'subscript': {
      const obj = n.childForFieldName('value');
      const idx = n.childForFieldName('subscript');
      if (!obj || !idx) return other(n);
      return { k: 'sub', obj: expr(obj), index: expr(idx), s };
    }
    case 'list_splat':
    case 'dictionary_splat': {
      const inner = n.namedChild(0);
      return inner ? { k: 'star', v: expr(inner), double: n.type === 'dictionary_splat', s } : other(n);
    }
    case 'conditional_expression': {
      const [a, b, c] = n.namedChildren;
      if (!a || !b || !c) return other(n);
      return { k: 'ifexp', then: expr(a), test: expr(b), orelse: expr(c), s };
    }
    case 'unary_operator': {
      const arg = n.childForFieldName('argument');
      const op = n.childForFieldName('operator')?.text;
      if (arg && (arg.type === 'integer' || arg.type === 'float') && (op === '-' || op === '+')) {
        const v = Number(arg.text.replace(/_/g, ''));
        return { k: 'num', v: op === '-' ? -v : v, s };
      }
      return other(n);
    }
    default:
      return other(n);
  }
}

/** Python string literal → its value. Escapes are decoded for non-raw strings. */
function stringExpr(n: Node): Expr {
  const s = span(n);
  let prefix = '';
  const parts: (string | Expr)[] = [];
  let isF = false;
  for (const c of n.children) {
    if (!c) continue;
    if (c.type === 'string_start') {
      prefix = c.text.replace(/['"]+$/, '').toLowerCase();
      isF = prefix.includes('f');
    } else if (c.type === 'string_content') {
      parts.push(prefix.includes('r') ? c.text : unescape(c.text));
    } else if (c.type === 'escape_sequence') {
      parts.push(prefix.includes('r') ? c.text : unescape(c.text));
    } else if (c.type === 'interpolation') {
      const e = c.childForFieldName('expression') ?? c.namedChild(0);
      parts.push(e ? expr(e) : other(c));
    }
  }
  if (isF && parts.some((p) => typeof p !== 'string')) {
    const merged: (string | Expr)[] = [];
    for (const p of parts) {
      if (typeof p === 'string' && typeof merged[merged.length - 1] === 'string') merged[merged.length - 1] += p;
      else merged.push(p);
    }
    return { k: 'fstr', parts: merged, s };
  }
  const v = parts.map((p) => (typeof p === 'string' ? p : '')).join('');
  return prefix.includes('b') ? { k: 'str', v, s, bytes: true } : { k: 'str', v, s };
}

const SIMPLE_ESCAPES: Record<string, string> = {
  n: '\n', t: '\t', r: '\r', '\\': '\\', "'": "'", '"': '"', a: '\x07', b: '\b', f: '\f', v: '\v', '0': '\0', '\n': '',
};

function unescape(text: string): string {
  if (!text.includes('\\')) return text;
  return text.replace(/\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|[0-7]{1,3}|.|\n)/g, (m, e: string) => {
    if (e in SIMPLE_ESCAPES) return SIMPLE_ESCAPES[e];
    if (e[0] === 'x' || e[0] === 'u' || e[0] === 'U') return String.fromCodePoint(parseInt(e.slice(1), 16));
    if (/^[0-7]+$/.test(e)) return String.fromCharCode(parseInt(e, 8));
    return m; // Python keeps unknown escapes such as \d as written.
  });
}
