/**
 * A compact, serialisable mirror of the Python code the project model needs: module-level and
 * class-level statements with their expressions. It is produced from a tree-sitter tree once per
 * file (python/facts.ts), so that trees can be freed and facts cross worker-thread boundaries as
 * plain objects. Function bodies are not mirrored; checks that need them reparse the one file.
 */
import type { Span } from '../types';

export type Expr =
  | { k: 'str'; v: string; s: Span; bytes?: boolean }
  | { k: 'fstr'; parts: (string | Expr)[]; s: Span }
  | { k: 'num'; v: number; s: Span }
  | { k: 'const'; v: boolean | null; s: Span }
  | { k: 'name'; id: string; s: Span }
  | { k: 'attr'; obj: Expr; attr: string; s: Span; attrSpan: Span }
  | { k: 'call'; fn: Expr; args: Expr[]; kw: Keyword[]; s: Span }
  | { k: 'list' | 'tuple' | 'set'; items: Expr[]; s: Span }
  | { k: 'dict'; entries: { key: Expr | null; value: Expr }[]; s: Span }
  | { k: 'bin'; op: string; l: Expr; r: Expr; s: Span }
  | { k: 'bool'; op: 'and' | 'or'; l: Expr; r: Expr; s: Span }
  | { k: 'not'; v: Expr; s: Span }
  | { k: 'cmp'; ops: string[]; items: Expr[]; s: Span }
  | { k: 'sub'; obj: Expr; index: Expr; s: Span }
  | { k: 'star'; v: Expr; double: boolean; s: Span }
  | { k: 'ifexp'; test: Expr; then: Expr; orelse: Expr; s: Span }
  /** Anything the analyses do not evaluate (lambda, comprehension, await, too large ...). */
  | { k: 'other'; type: string; s: Span };

/** A keyword argument; `name` is null for `**kwargs`. */
export interface Keyword {
  name: string | null;
  value: Expr;
}

export interface ImportName {
  name: string;
  asname?: string;
  s: Span;
}

export type Stmt =
  | { k: 'assign'; targets: Expr[]; value: Expr; s: Span }
  | { k: 'annassign'; target: Expr; value: Expr | null; s: Span }
  | { k: 'augassign'; target: Expr; op: string; value: Expr; s: Span }
  | { k: 'expr'; value: Expr; s: Span }
  | { k: 'import'; names: ImportName[]; s: Span }
  | { k: 'from'; module: string; level: number; names: ImportName[] | '*'; s: Span }
  | { k: 'if'; test: Expr; body: Stmt[]; orelse: Stmt[]; s: Span }
  | { k: 'try'; body: Stmt[]; handlers: Stmt[][]; orelse: Stmt[]; finalbody: Stmt[]; s: Span }
  | { k: 'with'; body: Stmt[]; s: Span }
  | FunctionDef
  | ClassDef;

export interface FunctionDef {
  k: 'def';
  name: string;
  /** Whole definition, decorators excluded (starts at `def`/`async`). */
  s: Span;
  nameSpan: Span;
  decorators: Expr[];
  params: string[];
  isAsync: boolean;
  /** The names returned by `return X` statements where X is a bare name or attribute text. */
  docstring?: string;
}

export interface ClassDef {
  k: 'class';
  name: string;
  s: Span;
  nameSpan: Span;
  bases: Expr[];
  keywords: Keyword[];
  decorators: Expr[];
  body: Stmt[];
}

/** Dotted text of a name/attribute chain (`models.Model` → "models.Model"), else undefined. */
export function dottedName(e: Expr): string | undefined {
  if (e.k === 'name') return e.id;
  if (e.k === 'attr') {
    const left = dottedName(e.obj);
    return left === undefined ? undefined : `${left}.${e.attr}`;
  }
  return undefined;
}

/** Decorator names as written: `@login_required` and `@cache_page(60)` → "login_required", "cache_page". */
export function decoratorNames(decorators: Expr[]): string[] {
  return decorators.map((d) => dottedName(d.k === 'call' ? d.fn : d) ?? '?');
}

/** The last component of a callee: `models.ForeignKey` → "ForeignKey". */
export function lastName(e: Expr): string | undefined {
  if (e.k === 'name') return e.id;
  if (e.k === 'attr') return e.attr;
  return undefined;
}

export function keyword(call: Extract<Expr, { k: 'call' }>, name: string): Expr | undefined {
  for (const kw of call.kw) if (kw.name === name) return kw.value;
  return undefined;
}

/** Positional argument `index`, or the keyword argument `name`, as Python binds them. */
export function argument(call: Extract<Expr, { k: 'call' }>, index: number, name?: string): Expr | undefined {
  const byName = name === undefined ? undefined : keyword(call, name);
  if (byName) return byName;
  const positional = call.args;
  for (let i = 0; i < positional.length && i <= index; i++) if (positional[i].k === 'star') return undefined;
  return positional[index];
}

/** A literal string value (plain strings only, not f-strings). */
export function stringValue(e: Expr | undefined): string | undefined {
  return e && e.k === 'str' && !e.bytes ? e.v : undefined;
}

/** Visits every statement, descending into if/try/with bodies (not into defs or classes). */
export function* flatStatements(body: Stmt[]): Generator<Stmt> {
  for (const st of body) {
    yield st;
    if (st.k === 'if') {
      yield* flatStatements(st.body);
      yield* flatStatements(st.orelse);
    } else if (st.k === 'try') {
      yield* flatStatements(st.body);
      for (const h of st.handlers) yield* flatStatements(h);
      yield* flatStatements(st.orelse);
      yield* flatStatements(st.finalbody);
    } else if (st.k === 'with') {
      yield* flatStatements(st.body);
    }
  }
}
