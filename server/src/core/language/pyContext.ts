/**
 * What the cursor is on in a Python file, read from the tree-sitter tree (function bodies
 * included, which the per-file facts leave out): a string literal and the call, keyword or
 * assignment it belongs to, or a keyword-argument name inside a call. The result is plain data
 * (expressions mirrored with python/facts.ts's `expr`), so the tree can be freed afterwards.
 */
import type { Node } from 'web-tree-sitter';
import type { Expr } from '../python/ast';
import { expr } from '../python/facts';
import type { Span } from '../types';
import type { Workspace } from '../workspace';

export interface CallContext {
  /** The callee's last name (`reverse`, `filter`, `ForeignKey`). */
  name: string;
  call: Extract<Expr, { k: 'call' }>;
  /** Positional index of the argument holding the cursor, or undefined for a keyword. */
  argIndex?: number;
  keyword?: string;
  /** Enclosing calls whose arguments hold this call, innermost first (`filter(Q(...))`). */
  outer: Extract<Expr, { k: 'call' }>[];
}

export interface StringAt {
  kind: 'string';
  value: string;
  /** The literal with its quotes. */
  span: Span;
  /** Inside the quotes. */
  contentSpan: Span;
  /** The text typed between the opening quote and the cursor. */
  prefix: string;
  /** The call the string is an argument of (directly or inside a list/tuple argument). */
  call?: CallContext;
  inSequence: boolean;
  /** `name = "..."` (or `name = ["..."]`): the assigned name. */
  assignedTo?: string;
  /** True when the assignment is in a class body. */
  inClass: boolean;
  /** The enclosing class and function, for `self.model` and local variables. */
  scope: Scope;
}

export interface KeywordAt {
  kind: 'keyword';
  /** The keyword name (or bare identifier being typed as one). */
  name: string;
  span: Span;
  prefix: string;
  call: CallContext;
  scope: Scope;
}

export interface Scope {
  className?: string;
  /** Assignments `x = <expr>` earlier in the enclosing function, latest last. */
  locals: { name: string; value: Expr }[];
  /** Parameter names of the enclosing function. */
  params: string[];
}

export type PyAt = StringAt | KeywordAt;

function spanOf(n: Node): Span {
  return [n.startPosition.row, n.startPosition.column, n.endPosition.row, n.endPosition.column];
}

function before(n: Node, line: number, character: number): boolean {
  const e = n.endPosition;
  return e.row < line || (e.row === line && e.column <= character);
}

/** The syntax at a position in a Python file, or undefined when it is nothing we answer for. */
export function pythonAt(ws: Workspace, file: string, line: number, character: number): PyAt | undefined {
  return ws.withTree(file, (tree) => {
    const root = tree.rootNode;
    for (const col of [character, character - 1]) {
      if (col < 0) continue;
      const leaf = root.descendantForPosition({ row: line, column: col });
      if (!leaf) continue;
      const found = classify(leaf, line, character);
      if (found) return found;
    }
    return undefined;
  });
}

function classify(leaf: Node, line: number, character: number): PyAt | undefined {
  let str: Node | null = leaf;
  while (str && str.type !== 'string') {
    if (str.type === 'call' || str.type === 'module' || str.type === 'block') {
      str = null;
      break;
    }
    str = str.parent;
  }
  if (str && str.type === 'string') return stringAt(str, line, character);
  if (leaf.type === 'identifier') return keywordAt(leaf, line, character);
  // Between arguments, where a keyword is about to be typed: `filter(|)`, `redirect("x", |)`.
  const args = leaf.type === 'argument_list' ? leaf : leaf.parent?.type === 'argument_list' && ['(', ')', ','].includes(leaf.type) ? leaf.parent : undefined;
  if (args && (leaf.type !== ')' || character <= leaf.startPosition.column) && (leaf.type !== '(' || character >= leaf.endPosition.column)) {
    const call = args.parent;
    const ctx = call?.type === 'call' ? callContext(call, -1, undefined) : undefined;
    if (ctx) return { kind: 'keyword', name: '', span: [line, character, line, character], prefix: '', call: ctx, scope: scopeOf(args, line, character) };
  }
  return undefined;
}

function stringAt(str: Node, line: number, character: number): StringAt | undefined {
  if (str.children.some((c) => c?.type === 'interpolation')) return undefined;
  const start = str.children.find((c) => c?.type === 'string_start');
  const end = str.children.find((c) => c?.type === 'string_end');
  if (!start) return undefined;
  const contentStart = start.endPosition;
  const contentEnd = end ? end.startPosition : str.endPosition;
  const contentSpan: Span = [contentStart.row, contentStart.column, contentEnd.row, contentEnd.column];
  if (line < contentSpan[0] || (line === contentSpan[0] && character < contentSpan[1])) return undefined;
  if (line > contentSpan[2] || (line === contentSpan[2] && character > contentSpan[3])) return undefined;
  const e = expr(str);
  if (e.k !== 'str') return undefined;
  const prefix = line === contentSpan[0] ? str.text.slice(start.text.length, start.text.length + (character - contentSpan[1])) : '';
  const out: StringAt = { kind: 'string', value: e.v, span: spanOf(str), contentSpan, prefix, inSequence: false, inClass: false, scope: scopeOf(str, line, character) };
  let n: Node = str;
  let p = n.parent;
  if (p && (p.type === 'list' || p.type === 'tuple')) {
    out.inSequence = true;
    n = p;
    p = n.parent;
  }
  if (p?.type === 'keyword_argument') {
    const kw = p.childForFieldName('name')?.text;
    const call = p.parent?.parent;
    if (call?.type === 'call') out.call = callContext(call, undefined, kw);
  } else if (p?.type === 'argument_list') {
    const call = p.parent;
    const args = p.namedChildren.filter((c): c is Node => !!c && c.type !== 'keyword_argument' && c.type !== 'comment');
    const index = args.findIndex((a) => a.id === n.id);
    if (call?.type === 'call') out.call = callContext(call, index, undefined);
  } else if (p?.type === 'assignment' && p.childForFieldName('right')?.id === n.id) {
    const left = p.childForFieldName('left');
    if (left?.type === 'identifier') out.assignedTo = left.text;
    let q = p.parent;
    while (q && q.type !== 'class_definition' && q.type !== 'function_definition' && q.type !== 'module') q = q.parent;
    out.inClass = q?.type === 'class_definition';
  }
  return out;
}

function keywordAt(id: Node, line: number, character: number): KeywordAt | undefined {
  const p = id.parent;
  let call: Node | null | undefined;
  let argIndex: number | undefined;
  if (p?.type === 'keyword_argument' && p.childForFieldName('name')?.id === id.id) call = p.parent?.parent;
  else if (p?.type === 'argument_list') {
    // A bare name being typed where a keyword will go: `filter(auth|)`.
    call = p.parent;
    argIndex = -1;
  }
  if (!call || call.type !== 'call') return undefined;
  const s = spanOf(id);
  if (line !== s[0] || character < s[1] || character > s[3]) return undefined;
  const ctx = callContext(call, argIndex, argIndex === undefined ? id.text : undefined);
  if (!ctx) return undefined;
  return {
    kind: 'keyword',
    name: id.text,
    span: s,
    prefix: id.text.slice(0, character - s[1]),
    call: ctx,
    scope: scopeOf(id, line, character),
  };
}

function callContext(call: Node, argIndex: number | undefined, keyword: string | undefined): CallContext | undefined {
  const e = expr(call);
  if (e.k !== 'call') return undefined;
  const fn = e.fn;
  const name = fn.k === 'name' ? fn.id : fn.k === 'attr' ? fn.attr : undefined;
  if (!name) return undefined;
  const outer: Extract<Expr, { k: 'call' }>[] = [];
  for (let q = call.parent; q && outer.length < 4; q = q.parent) {
    if (q.type === 'call') {
      const oe = expr(q);
      if (oe.k === 'call') outer.push(oe);
    } else if (q.type !== 'argument_list' && q.type !== 'keyword_argument' && q.type !== 'list' && q.type !== 'tuple' && q.type !== 'binary_operator' && q.type !== 'unary_operator' && q.type !== 'parenthesized_expression' && q.type !== 'dictionary' && q.type !== 'pair') break;
  }
  return { name, call: e, argIndex: argIndex !== undefined && argIndex >= 0 ? argIndex : undefined, keyword, outer };
}

/** The enclosing class and the local assignments of the enclosing function up to the cursor. */
function scopeOf(n: Node, line: number, character: number): Scope {
  const scope: Scope = { locals: [], params: [] };
  let fn: Node | null = null;
  for (let q: Node | null = n.parent; q; q = q.parent) {
    if (q.type === 'function_definition' && !fn) fn = q;
    if (q.type === 'class_definition') {
      scope.className = q.childForFieldName('name')?.text;
      break;
    }
  }
  if (!fn) return scope;
  for (const p of fn.childForFieldName('parameters')?.namedChildren ?? []) {
    if (p?.type === 'identifier') scope.params.push(p.text);
  }
  const body = fn.childForFieldName('body');
  const visit = (node: Node, depth: number) => {
    if (depth > 12) return;
    for (const c of node.namedChildren) {
      if (!c) continue;
      if (!before(c, line, character) && !(c.startPosition.row < line)) return;
      if (c.type === 'function_definition' || c.type === 'class_definition') continue;
      if (c.type === 'expression_statement') {
        const a = c.namedChild(0);
        if (a?.type === 'assignment' && before(a, line, character)) {
          const left = a.childForFieldName('left');
          const right = a.childForFieldName('right');
          if (left?.type === 'identifier' && right) scope.locals.push({ name: left.text, value: expr(right) });
        }
      } else if (c.type === 'for_statement' && c.childForFieldName('left')?.type === 'identifier') {
        // `for post in Post.objects.all():` — the loop variable is one row, not a queryset.
        scope.locals.push({ name: c.childForFieldName('left')!.text, value: { k: 'other', type: 'row', s: spanOf(c) } });
        const b = c.childForFieldName('body');
        if (b) visit(b, depth + 1);
      } else if (c.type === 'if_statement' || c.type === 'with_statement' || c.type === 'try_statement' || c.type === 'block' || c.type.endsWith('_clause')) {
        visit(c, depth + 1);
      }
    }
  };
  if (body) visit(body, 0);
  return scope;
}

/**
 * Every keyword name and string argument of calls to the given callee names in a tree, as the
 * same contexts the cursor functions return (for checks that scan whole files).
 */
export function argumentSites(root: Node, calleeNames: Set<string>, stringCallees: Set<string>): PyAt[] {
  const out: PyAt[] = [];
  const stack: Node[] = [root];
  while (stack.length) {
    const n = stack.pop()!;
    if (n.type === 'call') {
      const fn = n.childForFieldName('function');
      const name = fn?.type === 'identifier' ? fn.text : fn?.type === 'attribute' ? fn.childForFieldName('attribute')?.text : undefined;
      const args = n.childForFieldName('arguments');
      if (name && args?.type === 'argument_list') {
        for (const a of args.namedChildren) {
          if (!a) continue;
          if (a.type === 'keyword_argument' && calleeNames.has(name)) {
            const id = a.childForFieldName('name');
            if (id) {
              const k = keywordAt(id, id.startPosition.row, id.startPosition.column);
              if (k) out.push(k);
            }
          } else if (a.type === 'string' && stringCallees.has(name)) {
            const s = a.children.find((c) => c?.type === 'string_start');
            if (s) {
              const k = stringAt(a, s.endPosition.row, s.endPosition.column);
              if (k) out.push(k);
            }
          }
        }
      }
    }
    for (let i = n.namedChildCount - 1; i >= 0; i--) {
      const c = n.namedChild(i);
      if (c) stack.push(c);
    }
  }
  return out;
}

/** Inside the `args=[...]` list or the `kwargs={"...` keys of a reverse()/reverse_lazy() call. */
export interface UrlArgsAt {
  call: CallContext;
  /** `kwargs`: a key of the dict is being typed (inside its quotes); `args`: an item of the list. */
  kind: 'args' | 'kwargs';
  /** For `args`: the index of the item under the cursor. */
  index: number;
  /** For `kwargs`: the keys already written (the one being typed excluded). */
  given: string[];
  /** What a completion replaces: the key's text inside the quotes, or the item under the cursor. */
  replace: Span;
}

const REVERSE_ARGS: Record<string, number> = { args: 2, kwargs: 3 };
/** Nodes between the cursor and the args list or kwargs dict (anything else: not an argument item). */
const ARG_ITEM_NODES = new Set(['string', 'string_start', 'string_content', 'string_end', 'escape_sequence', 'ERROR', 'pair', 'identifier', 'integer', 'float', 'attribute', 'true', 'false', 'none']);

/** The `args`/`kwargs` argument of reverse() at a position (read from a tree that may hold errors). */
export function urlArgsAt(ws: Workspace, file: string, line: number, character: number): UrlArgsAt | undefined {
  return ws.withTree(file, (tree) => {
    for (const col of [character, character - 1]) {
      if (col < 0) continue;
      const leaf = tree.rootNode.descendantForPosition({ row: line, column: col });
      const found = leaf && urlArgsFrom(leaf, line, character);
      if (found) return found;
    }
    return undefined;
  });
}

function urlArgsFrom(leaf: Node, line: number, character: number): UrlArgsAt | undefined {
  // The string being typed (`"pk"`, or a lone opening quote the parser kept as an error) and the container.
  let str: Node | undefined;
  let container: Node | undefined;
  for (let n: Node | null = leaf; n; n = n.parent) {
    if (!str && (n.type === 'string' || (n.type === 'string_start' && n.parent?.type === 'ERROR'))) str = n;
    if (['dictionary', 'set', 'list', 'tuple'].includes(n.type)) {
      container = n;
      break;
    }
    if (n.isNamed && !ARG_ITEM_NODES.has(n.type)) return undefined;
  }
  if (!container) return undefined;
  const holder = container.parent;
  let kw: string | undefined;
  let argIndex: number | undefined;
  let call: Node | null | undefined;
  if (holder?.type === 'keyword_argument' && holder.childForFieldName('value')?.id === container.id) {
    kw = holder.childForFieldName('name')?.text;
    call = holder.parent?.parent;
  } else if (holder?.type === 'argument_list') {
    argIndex = holder.namedChildren.filter((c): c is Node => !!c && c.type !== 'keyword_argument' && c.type !== 'comment').findIndex((c) => c.id === container!.id);
    call = holder.parent;
  }
  if (!call || call.type !== 'call') return undefined;
  const ctx = callContext(call, argIndex, kw);
  if (!ctx || (ctx.name !== 'reverse' && ctx.name !== 'reverse_lazy')) return undefined;
  const which = kw ?? Object.keys(REVERSE_ARGS).find((k) => REVERSE_ARGS[k] === argIndex);
  const isDict = container.type === 'dictionary' || container.type === 'set';
  if (which === 'kwargs' && isDict) {
    if (!str) return undefined;
    const p = str.parent;
    if (p?.type === 'pair' && p.childForFieldName('key')?.id !== str.id) return undefined;
    const start = str.type === 'string' ? str.children.find((c) => c?.type === 'string_start') : str;
    const end = str.type === 'string' ? str.children.find((c) => c?.type === 'string_end') : undefined;
    if (!start || str.type === 'string' && str.children.some((c) => c?.type === 'interpolation')) return undefined;
    const from = start.endPosition;
    const to = end ? end.startPosition : { row: line, column: character };
    if (line !== from.row || character < from.column || to.row !== line || character > to.column) return undefined;
    const given: string[] = [];
    for (const c of container.namedChildren) {
      const key = c?.type === 'pair' ? c.childForFieldName('key') : undefined;
      if (key && key.id !== str.id && key.type === 'string') {
        const e = expr(key);
        if (e.k === 'str') given.push(e.v);
      }
    }
    return { call: ctx, kind: 'kwargs', index: -1, given, replace: [line, from.column, line, to.column] };
  }
  if (which === 'args' && (container.type === 'list' || container.type === 'tuple')) {
    if (str) return undefined;
    const items = container.namedChildren.filter((c): c is Node => !!c && c.type !== 'comment');
    const within = (c: Node) => {
      const s = spanOf(c);
      return (line > s[0] || (line === s[0] && character >= s[1])) && (line < s[2] || (line === s[2] && character <= s[3]));
    };
    let index = items.findIndex(within);
    const item = index >= 0 ? items[index] : undefined;
    if (index < 0) index = items.filter((c) => before(c, line, character)).length;
    const replace: Span = item && (item.type === 'identifier' || item.type === 'integer') ? spanOf(item) : [line, character, line, character];
    return { call: ctx, kind: 'args', index, given: [], replace };
  }
  return undefined;
}
