/**
 * A small abstract interpreter for one Python function body, read from its tree-sitter tree. It
 * follows the values that matter to the ORM — model classes, querysets and their lookups
 * (select_related, prefetch_related, Prefetch, only, defer, values), rows, related managers — through
 * local variables, chains, loops and comprehensions, and records every database access that happens
 * once per row of a loop over a queryset. It calls into project functions, methods and properties
 * (a few levels deep) through summaries, so a query inside a helper called with the row is found.
 *
 * It never guesses: a value it cannot follow is unknown, branches that disagree make a name
 * unknown, and accesses on unknown values are not recorded. Coverage (is `author` selected?) is
 * decided after the walk (analysis.ts), because in a summary the row's queryset is the caller's.
 */
import type { Project } from '../project/project';
import { type SyntaxNode, type Tree, parsePython } from '../python/parser';
import { readSource } from '../files';
import { type Binding, fqName } from '../python/symbols';
import type { Span } from '../types';
import type { Workspace } from '../workspace';
import { modelMember } from './members';
import { type ArgsSite, type Origin, type QsState, cloneState, emptyState } from './state';
import { type Access, type Anchor, type Qs, type Row, UNKNOWN, type Val, type Via } from './values';

/** Queryset methods that return a queryset of the same rows. */
const CHAIN = new Set(['all', 'filter', 'exclude', 'order_by', 'distinct', 'reverse', 'using', 'annotate', 'alias', 'select_for_update', 'none', 'extra', 'complex_filter', 'union', 'intersection', 'difference']);
/** Methods that run a query and return one row. */
const ONE_ROW = new Set(['get', 'first', 'last', 'latest', 'earliest']);
/** Methods that run a query and return something else. */
const SCALAR = new Set(['count', 'exists', 'aggregate', 'in_bulk', 'contains', 'explain']);
/** Writes: per-row, but not what an N+1 check is about. */
const WRITES = new Set(['update', 'delete', 'create', 'get_or_create', 'update_or_create', 'bulk_create', 'bulk_update', 'add', 'remove', 'set', 'clear', 'save']);
/** Related-manager reads that the prefetch cache serves. */
const CACHED_READS = new Set(['all', 'count', 'exists', 'first', 'last']);

const CALL_LOOP = 0;
const MAX_DEPTH = 3;

export interface Summary {
  /** Accesses relative to the parameter (anchors with `state: null`) and per-call queries. */
  accesses: Access[];
  ret: Val;
}

/** Shared per analysis run: summaries of project functions and the files they were read from. */
export class OrmContext {
  private summaries = new Map<string, Summary | null>();
  private summaryFiles = new Map<string, Set<string>>();
  private fqCache = new Map<string, Binding | undefined>();
  /** Files read while analysing the current unit (a function and everything it calls). */
  private depStack: Set<string>[] = [];
  private trees = new Map<string, { tree: Tree; text: string }>();
  private busy = new Map<string, number>();

  constructor(
    readonly project: Project,
    readonly ws: Workspace,
  ) {}

  get models() {
    return this.project.models;
  }

  /** A binding for a fully qualified name (`blog.managers.PostQuerySet`) inside the project. */
  resolveFq(fq: string): Binding | undefined {
    if (this.fqCache.has(fq)) return this.fqCache.get(fq);
    let found: Binding | undefined;
    const parts = fq.split('.');
    for (let i = parts.length - 1; i >= 1 && !found; i--) {
      const mod = parts.slice(0, i).join('.');
      if (!this.project.modules.has(mod)) continue;
      let b: Binding | undefined = this.project.symbols.resolveName(mod, parts[i]);
      for (const p of parts.slice(i + 1)) b = b ? this.project.symbols.member(b, p) : undefined;
      found = b;
    }
    this.fqCache.set(fq, found);
    return found;
  }

  /**
   * The summary of a project function called with `args` (per parameter: a value or undefined),
   * computed once per function and argument shape.
   */
  summary(b: Extract<Binding, { kind: 'def' }>, args: (Val | undefined)[], selfVal: Val | undefined, depth: number): Summary | undefined {
    if (depth > MAX_DEPTH) return undefined;
    const key = `${fqName(b)}|${args.map(shapeKey).join(',')}|${selfVal ? shapeKey(selfVal) : ''}`;
    if (this.summaries.has(key)) {
      for (const f of this.summaryFiles.get(key) ?? []) this.touch(f);
      return this.summaries.get(key) ?? undefined;
    }
    this.summaries.set(key, null); // recursion guard
    const files = new Set<string>();
    this.summaryFiles.set(key, files);
    this.depStack.push(files);
    this.touch(b.file);
    const result = this.withTree(b.file, (tree) => {
      const node = findDef(tree, b.def.s);
      if (!node) return undefined;
      const module = b.module;
      const fn = new FunctionInterpreter(this, module, b.file, depth + 1, true);
      return fn.runSummary(node, args, selfVal, b.cls ? this.classBinding(b) : undefined);
    });
    this.depStack.pop();
    for (const f of files) this.touch(f);
    this.summaries.set(key, result ?? null);
    return result ?? undefined;
  }

  /** Records that the current unit depends on a file (for incremental re-analysis). */
  touch(file: string): void {
    for (const s of this.depStack) s.add(file);
  }

  /** Runs `fn` with the files the unit reads collected in the returned set. */
  collecting<T>(fn: () => T): { value: T; files: Set<string> } {
    const files = new Set<string>();
    this.depStack.push(files);
    try {
      return { value: fn(), files };
    } finally {
      this.depStack.pop();
      for (const f of files) this.touch(f);
    }
  }

  /**
   * A file's tree for the length of this run: summaries and class attributes read the same files
   * many times, so trees of files on disk are kept (the 64 most recent) until `dispose()`.
   */
  withTree<T>(file: string, fn: (tree: Tree, text: string) => T): T | undefined {
    this.touch(file);
    if (this.ws.openText(file) !== undefined || !this.ws.facts(file)) return this.ws.withTree(file, fn);
    let hit = this.trees.get(file);
    if (!hit) {
      const r = readSource(file, this.ws.maxBytes);
      if (r.text === undefined) return undefined;
      hit = { tree: parsePython(r.text), text: r.text };
      this.trees.set(file, hit);
      if (this.trees.size > 64) {
        const [oldest, entry] = this.trees.entries().next().value as [string, { tree: Tree }];
        if (oldest !== file && this.busy.get(oldest) === undefined) {
          entry.tree.delete();
          this.trees.delete(oldest);
        }
      }
    } else {
      this.trees.delete(file);
      this.trees.set(file, hit);
    }
    this.busy.set(file, (this.busy.get(file) ?? 0) + 1);
    try {
      return fn(hit.tree, hit.text);
    } finally {
      const n = (this.busy.get(file) ?? 1) - 1;
      if (n) this.busy.set(file, n);
      else this.busy.delete(file);
    }
  }

  /** Frees the trees kept by this run. */
  dispose(): void {
    for (const { tree } of this.trees.values()) tree.delete();
    this.trees.clear();
  }

  private classBinding(b: Extract<Binding, { kind: 'def' }>): Extract<Binding, { kind: 'class' }> | undefined {
    const qual = b.qualname.split('.');
    if (qual.length < 2) return undefined;
    const cb = this.resolveFq(`${b.module}.${qual.slice(0, -1).join('.')}`);
    return cb?.kind === 'class' ? cb : undefined;
  }

  /** A method of a project class or its project bases (depth-first). */
  method(cls: Extract<Binding, { kind: 'class' }>, name: string, depth = 0): Extract<Binding, { kind: 'def' }> | undefined {
    if (depth > 8) return undefined;
    const m = this.project.symbols.member(cls, name);
    if (m?.kind === 'def') return m;
    for (const base of cls.def.bases) {
      const bb = this.project.symbols.resolveExpr(cls.module, base);
      if (bb?.kind === 'class') {
        const found = this.method(bb, name, depth + 1);
        if (found) return found;
      }
    }
    return undefined;
  }

  /** Whether the class (or an external base) is one of Django's classes matching `re`. */
  hasExternalBase(cls: Extract<Binding, { kind: 'class' }>, re: RegExp, depth = 0): boolean {
    if (depth > 8) return false;
    for (const base of cls.def.bases) {
      const bb = this.project.symbols.resolveExpr(cls.module, base);
      if (bb?.kind === 'external' && re.test(bb.fq)) return true;
      if (bb?.kind === 'class' && this.hasExternalBase(bb, re, depth + 1)) return true;
    }
    return false;
  }
}

function shapeKey(v: Val | undefined): string {
  if (!v) return '_';
  if (v.t === 'row') return `row:${v.row.model}`;
  if (v.t === 'qs') return `qs:${v.qs.model}`;
  if (v.t === 'self') return `self:${fqName(v.cls)}:${v.mgrModel ?? ''}`;
  return v.t;
}

/** The function_definition node whose `def` starts at the span's start. */
export function findDef(tree: Tree, s: Span): SyntaxNode | undefined {
  let n: SyntaxNode | null = tree.rootNode.descendantForPosition({ row: s[0], column: s[1] });
  while (n && !(n.type === 'function_definition' && n.startPosition.row === s[0] && n.startPosition.column === s[1])) n = n.parent;
  return n ?? undefined;
}

export function nodeSpan(n: SyntaxNode): Span {
  return [n.startPosition.row, n.startPosition.column, n.endPosition.row, n.endPosition.column];
}

/** Where an access is: a Python node, or a span and text elsewhere (a template). */
export type At = SyntaxNode | { span: Span; text: string };

function spanOf(at: At): Span {
  return 'span' in at && Array.isArray(at.span) ? at.span : nodeSpan(at as SyntaxNode);
}

function strValue(n: SyntaxNode | null): string | undefined {
  if (!n || n.type !== 'string') return undefined;
  if (n.namedChildren.some((c) => c?.type === 'interpolation')) return undefined;
  const start = n.namedChildren.find((c) => c?.type === 'string_start')?.text ?? '';
  if (/[bf]/i.test(start)) return undefined;
  return n.namedChildren.filter((c) => c?.type === 'string_content').map((c) => c!.text).join('');
}

type Env = Map<string, Val>;

export interface InterpreterHooks {
  /** A render()-like call with a template name and a context dict. */
  onRender?(templates: string[], context: Map<string, Val>, call: SyntaxNode): void;
  /** `context["name"] = value` (get_context_data). */
  onContextItem?(name: string, value: Val): void;
}

export class FunctionInterpreter {
  env: Env = new Map();
  readonly accesses: Access[] = [];
  private activeLoops = new Set<number>();
  private loopStack: { id: number; text: string; while?: boolean }[] = [];
  /** loopStack's length where each enclosing `try` body (with handlers) starts. */
  private tryLevels: number[] = [];
  /** The loop a `break` leaves, innermost last. */
  private breakTargets: (number | undefined)[] = [];
  private nextLoop = 1;
  /** Open loops the statements being read always leave, so that they never become row loops. */
  private leftLoops = new Set<number>();

  /** Opens a row loop (templates drive loops themselves); returns its id. */
  openLoop(text: string, rows: boolean): number {
    const id = this.nextLoop++;
    this.loopStack.push({ id, text });
    if (rows) this.activeLoops.add(id);
    return id;
  }

  closeLoop(id: number): void {
    this.activeLoops.delete(id);
    this.loopStack = this.loopStack.filter((l) => l.id !== id);
  }

  /** Makes an open loop a row loop, once its iterable is known to yield rows. */
  activateLoop(id: number): void {
    this.activeLoops.add(id);
  }
  private returns: Val[] = [];
  private cls?: Extract<Binding, { kind: 'class' }>;
  hooks: InterpreterHooks = {};
  /** A description of the function, for `builtBy` in messages. */
  owner = '';

  constructor(
    readonly ctx: OrmContext,
    readonly module: string,
    /** The file accesses are recorded in (a template walker moves it across included templates). */
    public file: string,
    readonly depth: number,
    readonly summaryMode: boolean,
  ) {}

  /** Analyses a function as a top-level unit: only loops inside it make accesses per row. */
  run(def: SyntaxNode, cls?: Extract<Binding, { kind: 'class' }>): void {
    this.cls = cls;
    this.bindParams(def, [], cls ? { t: 'self', cls } : undefined);
    const body = def.childForFieldName('body');
    if (body) this.block(body);
  }

  runSummary(def: SyntaxNode, args: (Val | undefined)[], selfVal: Val | undefined, cls?: Extract<Binding, { kind: 'class' }>): Summary {
    this.cls = cls;
    this.activeLoops.add(CALL_LOOP);
    this.bindParams(def, args, selfVal ?? (cls ? { t: 'self', cls } : undefined));
    const body = def.childForFieldName('body');
    if (body) {
      if (body.type === 'block') this.block(body);
      else this.eval(body);
    }
    const exported = this.accesses.filter((a) => a.kind === 'query' || a.anchors.some((x) => x.state === null));
    return { accesses: exported, ret: this.returnValue() };
  }

  returnValue(): Val {
    if (this.returns.length === 0) return UNKNOWN;
    const first = this.returns[0];
    for (const r of this.returns.slice(1)) if (!sameShape(r, first)) return UNKNOWN;
    return first;
  }

  private bindParams(def: SyntaxNode, args: (Val | undefined)[], selfVal: Val | undefined): void {
    const params = def.childForFieldName('parameters');
    let i = 0;
    const isMethod = !!this.cls || !!selfVal;
    let first = true;
    for (const p of params?.namedChildren ?? []) {
      if (!p) continue;
      let name: string | undefined;
      if (p.type === 'identifier') name = p.text;
      else if (p.type === 'default_parameter' || p.type === 'typed_default_parameter') name = p.childForFieldName('name')?.text;
      else if (p.type === 'typed_parameter') name = p.namedChildren.find((c) => c?.type === 'identifier')?.text;
      if (!name) continue;
      if (first && isMethod && selfVal) {
        this.env.set(name, selfVal);
        first = false;
        continue;
      }
      first = false;
      const a = args[i++];
      this.env.set(name, a ?? UNKNOWN);
    }
  }

  // -------------------------------------------------------------------------------------------
  // Statements

  block(n: SyntaxNode): void {
    const stmts = n.namedChildren.filter((c): c is SyntaxNode => !!c && c.type !== 'comment');
    // A block that ends by leaving loops runs at most once per run of those loops from its last
    // `continue` on: what it reads there is not read per row of them.
    let tail = stmts.length;
    const left = this.loopsLeftBy(stmts);
    if (left.length) {
      tail = 0;
      stmts.forEach((st, i) => {
        if (hasContinue(st)) tail = i + 1;
      });
    }
    stmts.slice(0, tail).forEach((st) => this.stmt(st));
    // Loops not yet reading rows (a `while` becomes a row loop at its first `next(it)`) must not
    // start to in a stretch that leaves them.
    const active = left.filter((id) => this.activeLoops.has(id));
    const later = left.filter((id) => !this.activeLoops.has(id) && !this.leftLoops.has(id));
    for (const id of active) this.activeLoops.delete(id);
    for (const id of later) this.leftLoops.add(id);
    try {
      for (const st of stmts.slice(tail)) this.stmt(st);
    } finally {
      for (const id of active) this.activeLoops.add(id);
      for (const id of later) this.leftLoops.delete(id);
    }
  }

  /**
   * The loops of this function that a block always leaves: it ends with `return` (every
   * loop), `raise` (the loops inside the innermost `try` with handlers that encloses the block) or
   * `break` (the innermost loop). Loops not (yet) reading rows are included too.
   */
  private loopsLeftBy(stmts: SyntaxNode[]): number[] {
    const last = stmts[stmts.length - 1];
    if (!last || this.loopStack.length === 0) return [];
    let from: number;
    if (last.type === 'return_statement') from = 0;
    else if (last.type === 'raise_statement') from = this.tryLevels.length ? this.tryLevels[this.tryLevels.length - 1] : 0;
    else if (last.type === 'break_statement') {
      const target = this.breakTargets[this.breakTargets.length - 1];
      return target !== undefined ? [target] : [];
    } else return [];
    return this.loopStack.slice(from).map((l) => l.id);
  }

  private stmt(n: SyntaxNode): void {
    switch (n.type) {
      case 'expression_statement':
        for (const c of n.namedChildren) if (c) this.evalTop(c);
        return;
      case 'return_statement': {
        const v = n.namedChildren[0];
        this.returns.push(v ? this.eval(v) : UNKNOWN);
        return;
      }
      case 'for_statement':
        return this.forStmt(n);
      case 'while_statement':
        return this.whileStmt(n);
      case 'if_statement':
        return this.ifStmt(n);
      case 'try_statement': {
        const catches = n.namedChildren.some((c) => c?.type === 'except_clause' || c?.type === 'except_group_clause');
        for (const c of n.namedChildren) {
          if (!c) continue;
          if (c.type === 'block') {
            // A `raise` in the body may be caught here: it leaves only the loops opened inside.
            if (catches) this.tryLevels.push(this.loopStack.length);
            try {
              this.block(c);
            } finally {
              if (catches) this.tryLevels.pop();
            }
          } else {
            const body = c.childForFieldName('body') ?? c.namedChildren.find((x) => x?.type === 'block');
            if (body) this.branch(() => this.block(body));
          }
        }
        return;
      }
      case 'with_statement': {
        for (const c of n.namedChildren) {
          if (!c) continue;
          if (c.type === 'with_clause') {
            for (const item of c.namedChildren) {
              const value = item?.childForFieldName('value');
              if (value?.type === 'as_pattern') {
                const inner = value.namedChildren[0];
                if (inner) this.eval(inner);
                const alias = value.childForFieldName('alias');
                this.assign(alias?.namedChildren[0] ?? alias, UNKNOWN);
              } else if (value) this.eval(value);
            }
          } else if (c.type === 'block') this.block(c);
        }
        return;
      }
      case 'function_definition':
      case 'class_definition':
      case 'decorated_definition':
        // Analysed as units of their own; a nested def binds a name we cannot follow.
        {
          const name = (n.type === 'decorated_definition' ? n.childForFieldName('definition') : n)?.childForFieldName('name')?.text;
          if (name) this.env.set(name, UNKNOWN);
        }
        return;
      default:
        for (const c of n.namedChildren) if (c) this.evalTop(c);
    }
  }

  private evalTop(n: SyntaxNode): void {
    if (n.type === 'assignment') return this.assignment(n);
    if (n.type === 'augmented_assignment') {
      const right = n.childForFieldName('right');
      if (right) this.eval(right);
      const left = n.childForFieldName('left');
      if (left?.type === 'identifier') this.env.set(left.text, UNKNOWN);
      else if (left) this.eval(left);
      return;
    }
    this.eval(n);
  }

  private assignment(n: SyntaxNode): void {
    const right = n.childForFieldName('right');
    const left = n.childForFieldName('left');
    const v = right ? (right.type === 'assignment' ? (this.assignment(right), UNKNOWN) : this.eval(right)) : UNKNOWN;
    this.assign(left, v);
  }

  private assign(left: SyntaxNode | null | undefined, v: Val): void {
    if (!left) return;
    if (left.type === 'identifier') {
      this.env.set(left.text, v);
      return;
    }
    if (left.type === 'subscript') {
      const obj = left.childForFieldName('value');
      const key = strValue(left.childForFieldName('subscript'));
      if (obj?.type === 'identifier' && key !== undefined) this.hooks.onContextItem?.(key, v);
      if (obj) this.eval(obj);
      return;
    }
    if (left.type === 'attribute') {
      const obj = left.childForFieldName('object');
      const ov = obj ? this.eval(obj) : UNKNOWN;
      // `row.fk = x` stores x in the row's relation cache: reading `row.fk` afterwards runs no query.
      const attr = left.childForFieldName('attribute')?.text;
      if (obj?.type === 'identifier' && ov.t === 'row' && attr && modelMember(this.ctx.models, ov.row.model, attr).kind === 'single') {
        const row = ov.row;
        this.env.set(obj.text, { t: 'row', row: { ...row, known: [...row.known, attr], assigned: [...(row.assigned ?? []), attr] } });
      }
      return;
    }
    for (const c of left.namedChildren) if (c) this.assign(c, UNKNOWN);
  }

  private ifStmt(n: SyntaxNode): void {
    const cond = n.childForFieldName('condition');
    if (cond) this.eval(cond);
    const before = this.env;
    const branches: Env[] = [];
    const run = (body: SyntaxNode | null) => {
      this.env = new Map(before);
      if (body) this.block(body);
      branches.push(this.env);
    };
    run(n.childForFieldName('consequence'));
    let hasElse = false;
    for (const alt of n.namedChildren) {
      if (!alt) continue;
      if (alt.type === 'elif_clause') {
        const c = alt.childForFieldName('condition');
        this.env = new Map(before);
        if (c) this.eval(c);
        run(alt.childForFieldName('consequence'));
      } else if (alt.type === 'else_clause') {
        hasElse = true;
        run(alt.childForFieldName('body'));
      }
    }
    if (!hasElse) branches.push(new Map(before));
    this.env = joinEnvs(branches);
  }

  /** Runs a body that may execute zero or more times: names it assigns become unknown unless unchanged. */
  private branch(body: () => void): void {
    const before = this.env;
    this.env = new Map(before);
    body();
    this.env = joinEnvs([before, this.env]);
  }

  /**
   * A `while` loop. It is a row loop once a name is bound from `next(it)` inside it, `it` an
   * iterator over a queryset's rows: each iteration then reads one row.
   */
  private whileStmt(n: SyntaxNode): void {
    const cond = n.childForFieldName('condition');
    const body = n.childForFieldName('body');
    const id = this.nextLoop++;
    this.loopStack.push({ id, text: cond?.text ?? '', while: true });
    this.breakTargets.push(id);
    const before = this.env;
    this.env = new Map(before);
    // The condition runs once per iteration too (`while (row := next(it, None)) is not None`).
    if (cond) this.eval(cond);
    if (body) this.block(body);
    this.activeLoops.delete(id);
    this.breakTargets.pop();
    this.loopStack.pop();
    const after = joinEnvs([before, this.env]);
    for (const [k, v] of after) if (v.t === 'row' && v.row.loop === id) after.set(k, UNKNOWN);
    this.env = after;
  }

  /** `next(it[, default])` directly inside a `while` loop, `it` an iterator over rows: one row per iteration. */
  private nextRow(v: Val | undefined, at: SyntaxNode): Val {
    const loop = this.loopStack[this.loopStack.length - 1];
    if (!loop?.while || !v) return UNKNOWN;
    let row: Row | undefined;
    if (v.t === 'rows') row = v.row;
    else if (v.t === 'qs' && v.qs.state.iterator) {
      // `.iterator()` returns a generator: it runs its query once, at the first `next`.
      this.evaluate(v.qs, 'iter', at);
      row = this.rowsOf(v.qs, undefined, v.qs.label);
    }
    if (!row) return UNKNOWN;
    if (!this.activeLoops.has(loop.id) && !this.leftLoops.has(loop.id)) {
      loop.text = at.text;
      this.activeLoops.add(loop.id);
    }
    return { t: 'row', row: { ...row, loop: loop.id } };
  }

  private forStmt(n: SyntaxNode): void {
    const right = n.childForFieldName('right');
    const left = n.childForFieldName('left');
    const body = n.childForFieldName('body');
    const iter = right ? this.eval(right) : UNKNOWN;
    const id = this.nextLoop++;
    const row = right ? this.iterate(iter, right, id) : undefined;
    this.loopStack.push({ id, text: right?.text ?? '' });
    this.breakTargets.push(id);
    if (row) this.activeLoops.add(id);
    const before = this.env;
    this.env = new Map(before);
    this.bindLoopTarget(left, iter, row);
    if (body) this.block(body);
    this.activeLoops.delete(id);
    this.breakTargets.pop();
    this.loopStack.pop();
    const after = joinEnvs([before, this.env]);
    // The loop variable keeps the last row; it is no longer per row.
    for (const [k, v] of after) if (v.t === 'row' && v.row.loop === id) after.set(k, UNKNOWN);
    this.env = after;
    for (const c of n.namedChildren) if (c?.type === 'else_clause') {
      const b = c.childForFieldName('body');
      if (b) this.block(b);
    }
  }

  private bindLoopTarget(left: SyntaxNode | null, iter: Val, row: Row | undefined): void {
    if (!left) return;
    if (row && iter.t !== 'enum' && left.type === 'identifier') {
      this.env.set(left.text, { t: 'row', row });
      return;
    }
    if (row && iter.t === 'enum' && (left.type === 'pattern_list' || left.type === 'tuple_pattern') && left.namedChildren.length === 2) {
      this.assign(left.namedChildren[0], UNKNOWN);
      const second = left.namedChildren[1];
      if (second?.type === 'identifier') this.env.set(second.text, { t: 'row', row });
      else this.assign(second, UNKNOWN);
      return;
    }
    this.assign(left, UNKNOWN);
  }

  /** The row a loop over `v` binds, recording the evaluation of the iterable. */
  private iterate(v: Val, at: SyntaxNode, loopId: number): Row | undefined {
    if (v.t === 'enum') return this.iterate(v.inner, at, loopId);
    if (v.t === 'rows') return { ...v.row, loop: loopId };
    if (v.t !== 'qs') return undefined;
    this.evaluate(v.qs, 'iter', at);
    return this.rowsOf(v.qs, loopId, at.text);
  }

  rowsOf(q: Qs, loopId: number | undefined, label: string): Row | undefined {
    if (q.state.rows !== 'model') return undefined;
    const own: Anchor = { state: q.state, origin: q.origin, path: [], selectOnly: true, label: q.label || label, builtBy: this.owner || undefined };
    const inherited = q.manager && !q.manager.chained ? q.anchors : [];
    const known = q.manager?.backField ? [q.manager.backField] : [];
    return { model: q.model, anchors: [...inherited, own], loop: loopId, known };
  }

  // -------------------------------------------------------------------------------------------
  // Expressions

  eval(n: SyntaxNode): Val {
    switch (n.type) {
      case 'identifier':
        return this.name(n);
      case 'attribute':
        return this.attribute(n);
      case 'call':
        return this.call(n);
      case 'parenthesized_expression': {
        const inner = n.namedChildren.find((c) => c && c.type !== 'comment');
        return inner ? this.eval(inner) : UNKNOWN;
      }
      case 'string': {
        const s = strValue(n);
        if (s !== undefined) return { t: 'str', v: s };
        for (const c of n.namedChildren) if (c?.type === 'interpolation') this.interpolation(c);
        return UNKNOWN;
      }
      case 'subscript':
        return this.subscript(n);
      case 'list_comprehension':
      case 'generator_expression':
      case 'set_comprehension':
      case 'dictionary_comprehension':
        this.comprehension(n);
        return UNKNOWN;
      case 'dictionary': {
        const entries = new Map<string, Val>();
        for (const c of n.namedChildren) {
          if (!c) continue;
          if (c.type === 'pair') {
            const k = strValue(c.childForFieldName('key'));
            const value = c.childForFieldName('value');
            const v = value ? this.eval(value) : UNKNOWN;
            if (k !== undefined) entries.set(k, v);
          } else this.eval(c);
        }
        return { t: 'dict', entries };
      }
      case 'conditional_expression': {
        const parts = n.namedChildren.filter((c): c is SyntaxNode => !!c);
        const vals = parts.map((p) => this.eval(p));
        return vals.length === 3 && sameShape(vals[0], vals[2]) ? vals[0] : UNKNOWN;
      }
      case 'lambda':
        return UNKNOWN;
      case 'named_expression': {
        const value = n.childForFieldName('value');
        const v = value ? this.eval(value) : UNKNOWN;
        this.assign(n.childForFieldName('name'), v);
        return v;
      }
      case 'await':
      default:
        for (const c of n.namedChildren) if (c) this.eval(c);
        return UNKNOWN;
    }
  }

  private interpolation(n: SyntaxNode): void {
    const e = n.namedChildren[0];
    if (!e) return;
    const v = this.eval(e);
    if (v.t === 'row') this.dunder(v.row, '__str__', n);
  }

  private name(n: SyntaxNode): Val {
    const id = n.text;
    const local = this.env.get(id);
    if (local) return local;
    if (id === 'self' || id === 'cls') return UNKNOWN;
    const b = this.ctx.project.symbols.resolveName(this.module, id);
    return this.fromBinding(b, n);
  }

  fromBinding(b: Binding | undefined, n: SyntaxNode): Val {
    if (!b) return UNKNOWN;
    if (b.kind === 'class') {
      const m = this.ctx.models.byQualified.get(fqName(b));
      if (m && !m.abstract) return { t: 'model', model: m.label, text: n.text, span: nodeSpan(n) };
      return UNKNOWN;
    }
    if (b.kind === 'def' && !b.cls) return { t: 'fn', b };
    return UNKNOWN;
  }

  private attribute(n: SyntaxNode): Val {
    const objNode = n.childForFieldName('object');
    const attr = n.childForFieldName('attribute')?.text ?? '';
    if (!objNode) return UNKNOWN;
    const obj = this.eval(objNode);
    return this.member(obj, attr, n);
  }

  member(obj: Val, attr: string, n: SyntaxNode): Val {
    switch (obj.t) {
      case 'model': {
        const m = this.ctx.models.byLabel.get(obj.model);
        const mgr = m?.managers.find((x) => x.name === attr);
        if (!mgr && attr !== '_default_manager' && attr !== '_base_manager') return UNKNOWN;
        const q = this.freshQs(obj.model, n, mgr?.cls);
        return q ? { t: 'qs', qs: q } : UNKNOWN;
      }
      case 'row':
        return this.rowMember(obj.row, attr, n);
      case 'self':
        return this.selfMember(obj, attr, n);
      case 'qs':
        return UNKNOWN;
      default:
        return UNKNOWN;
    }
  }

  /** `Model.objects`: a queryset with the manager's own lookups (a custom get_queryset is read). */
  private freshQs(model: string, n: At, managerCls: string | undefined): Qs | undefined {
    const state = emptyState(model);
    const classes: string[] = [];
    if (managerCls && managerCls !== 'django.db.models.Manager' && !managerCls.startsWith('django.')) {
      classes.push(managerCls);
      const cb = this.ctx.resolveFq(managerCls);
      if (!cb || cb.kind !== 'class') return { model, state: { ...state, unknown: true }, anchors: [], classes, label: n.text, origin: this.origin(n), loopTok: this.innermostLoop() };
      // Manager.from_queryset(QS)() / QS.as_manager(): the class holds the queryset's methods.
      const gq = this.ctx.method(cb, 'get_queryset');
      if (gq) {
        const s = this.ctx.summary(gq, [], { t: 'self', cls: cb, mgrModel: model, qsState: emptyState(model) }, this.depth);
        const ret = s?.ret;
        if (ret?.t === 'qs' && ret.qs.model === model) Object.assign(state, cloneState(ret.qs.state));
        else state.unknown = true;
      }
    }
    return { model, state, anchors: [], classes, label: n.text, origin: this.origin(n), loopTok: this.innermostLoop() };
  }

  private origin(n: At): Origin {
    return { file: this.file, span: spanOf(n), text: n.text.length > 80 ? n.text.slice(0, 77) + '...' : n.text };
  }

  innermostLoop(): number | undefined {
    for (let i = this.loopStack.length - 1; i >= 0; i--) if (this.activeLoops.has(this.loopStack[i].id)) return this.loopStack[i].id;
    return this.activeLoops.has(CALL_LOOP) ? CALL_LOOP : undefined;
  }

  perRow(row: Row): boolean {
    return row.loop !== undefined && this.activeLoops.has(row.loop) || (row.anchors.some((a) => a.state === null) && this.activeLoops.has(CALL_LOOP));
  }

  loopText(): string | undefined {
    for (let i = this.loopStack.length - 1; i >= 0; i--) if (this.activeLoops.has(this.loopStack[i].id)) return this.loopStack[i].text;
    return undefined;
  }

  rowMember(row: Row, attr: string, n: At): Val {
    const mem = modelMember(this.ctx.models, row.model, attr);
    const per = this.perRow(row);
    // Set by an assignment in this function: the object is whatever was assigned, not a loaded row.
    if (row.assigned?.includes(attr)) return UNKNOWN;
    if (mem.kind === 'single') {
      const selectOnly = mem.relation !== 'generic';
      const anchors = row.anchors.map((a) => ({ ...a, path: [...a.path, attr], selectOnly: a.selectOnly && selectOnly }));
      if (per && !row.known.includes(attr)) {
        this.record({ kind: 'relation', file: this.file, span: spanOf(n), text: n.text, attr, model: row.model, anchors, loopText: this.loopText(), via: [], selectOnly });
      }
      if (!mem.target) return UNKNOWN;
      return { t: 'row', row: { model: mem.target, anchors, loop: row.loop, known: [] } };
    }
    if (mem.kind === 'many') return { t: 'manager', owner: row, member: mem };
    if (mem.kind === 'field') {
      if (per) this.record({ kind: 'deferred', file: this.file, span: spanOf(n), text: n.text, attr, model: row.model, anchors: row.anchors, loopText: this.loopText(), via: [] });
      return UNKNOWN;
    }
    // to_attr lists from Prefetch(..., to_attr=...).
    const listAnchors = row.anchors.filter((a) => a.state && a.state.toAttr.includes([...a.path, attr].join('__')));
    if (listAnchors.length) {
      const lookupModel = this.toAttrModel(row, attr);
      if (lookupModel) return { t: 'rows', row: { model: lookupModel, anchors: listAnchors.map((a) => ({ ...a, path: [...a.path, attr], selectOnly: false })), loop: row.loop, known: [] }, evaluated: true };
      return UNKNOWN;
    }
    // A @property of the model.
    if (per) {
      const m = this.ctx.models.byLabel.get(row.model);
      const cb = m ? this.ctx.resolveFq(`${m.module}.${m.qualname}`) : undefined;
      if (cb?.kind === 'class') {
        const d = this.ctx.method(cb, attr);
        if (d && d.def.decorators.some((x) => /(^|\.)(cached_)?property$/.test(decoratorName(x)))) {
          this.callSummary(d, [], { t: 'row', row }, n, `${m!.name}.${attr}`);
        }
      }
    }
    return UNKNOWN;
  }

  private toAttrModel(row: Row, attr: string): string | undefined {
    for (const a of row.anchors) {
      const lookup = (a.state as QsState & { toAttrLookup?: Record<string, string> }).toAttrLookup?.[[...a.path, attr].join('__')];
      if (!lookup) continue;
      let model: string | undefined = row.model;
      for (const part of lookup.split('__').slice(a.path.length)) {
        const mm: ReturnType<typeof modelMember> = modelMember(this.ctx.models, model!, part);
        model = mm.kind === 'single' || mm.kind === 'many' ? mm.target ?? undefined : undefined;
        if (!model) return undefined;
      }
      return model;
    }
    return undefined;
  }

  private selfMember(obj: Extract<Val, { t: 'self' }>, attr: string, n: SyntaxNode): Val {
    if (obj.mgrModel) return UNKNOWN;
    const attrVal = this.classAttr(obj.cls, attr);
    if (attrVal !== undefined) return attrVal;
    return UNKNOWN;
  }

  /** A class attribute of a (view) class: `queryset = ...`, `model = ...`, read from the tree. */
  classAttr(cls: Extract<Binding, { kind: 'class' }>, attr: string, depth = 0): Val | undefined {
    if (depth > 8) return undefined;
    for (const st of cls.def.body) {
      if (st.k === 'assign' && st.targets.some((t) => t.k === 'name' && t.id === attr)) {
        return this.ctx.withTree(cls.file, (tree) => {
          const node = tree.rootNode.descendantForPosition({ row: st.s[0], column: st.s[1] });
          let a: SyntaxNode | null = node;
          while (a && a.type !== 'assignment') a = a.parent;
          const right = a?.childForFieldName('right');
          if (!right) return UNKNOWN;
          const sub = new FunctionInterpreter(this.ctx, cls.module, cls.file, this.depth + 1, false);
          sub.owner = cls.qualname;
          const v = sub.eval(right);
          return v;
        }) ?? UNKNOWN;
      }
      if (st.k === 'def' && st.name === attr) return undefined;
    }
    for (const base of cls.def.bases) {
      const bb = this.ctx.project.symbols.resolveExpr(cls.module, base);
      if (bb?.kind === 'class') {
        const v = this.classAttr(bb, attr, depth + 1);
        if (v !== undefined) return v;
      }
    }
    return undefined;
  }

  private subscript(n: SyntaxNode): Val {
    const value = n.childForFieldName('value');
    const idx = n.childForFieldName('subscript');
    const v = value ? this.eval(value) : UNKNOWN;
    if (idx) this.eval(idx);
    if (v.t === 'qs') {
      if (idx?.type === 'slice') return { t: 'qs', qs: { ...v.qs, origin: undefined } };
      this.evaluate(v.qs, 'index', n);
      const r = this.rowsOf(v.qs, undefined, v.qs.label);
      return r ? { t: 'row', row: { ...r, loop: undefined } } : UNKNOWN;
    }
    return UNKNOWN;
  }

  private comprehension(n: SyntaxNode): void {
    const before = this.env;
    this.env = new Map(before);
    const opened: number[] = [];
    let body: SyntaxNode | null = n.childForFieldName('body');
    for (const c of n.namedChildren) {
      if (!c) continue;
      if (c.type === 'for_in_clause') {
        const right = c.childForFieldName('right');
        const left = c.childForFieldName('left');
        const iter = right ? this.eval(right) : UNKNOWN;
        const id = this.nextLoop++;
        const row = right ? this.iterate(iter, right, id) : undefined;
        this.loopStack.push({ id, text: right?.text ?? '' });
        opened.push(id);
        if (row) this.activeLoops.add(id);
        this.bindLoopTarget(left, iter, row);
      } else if (c.type === 'if_clause') {
        for (const x of c.namedChildren) if (x) this.eval(x);
      }
    }
    if (body) {
      if (body.type === 'pair') for (const x of body.namedChildren) x && this.eval(x);
      else this.eval(body);
    }
    for (const id of opened) {
      this.activeLoops.delete(id);
      this.loopStack.pop();
    }
    this.env = before;
  }

  private argNodes(n: SyntaxNode): { pos: SyntaxNode[]; kw: Map<string, SyntaxNode>; star: boolean } {
    const args = n.childForFieldName('arguments');
    const pos: SyntaxNode[] = [];
    const kw = new Map<string, SyntaxNode>();
    let star = false;
    if (args?.type === 'generator_expression') return { pos: [args], kw, star };
    for (const a of args?.namedChildren ?? []) {
      if (!a || a.type === 'comment') continue;
      if (a.type === 'keyword_argument') {
        const k = a.childForFieldName('name')?.text;
        const v = a.childForFieldName('value');
        if (k && v) kw.set(k, v);
      } else if (a.type === 'list_splat' || a.type === 'dictionary_splat') {
        star = true;
        pos.push(a);
      } else pos.push(a);
    }
    return { pos, kw, star };
  }

  private call(n: SyntaxNode): Val {
    const fn = n.childForFieldName('function');
    if (!fn) return UNKNOWN;
    const { pos, kw, star } = this.argNodes(n);
    if (fn.type === 'attribute') {
      const objNode = fn.childForFieldName('object');
      const meth = fn.childForFieldName('attribute')?.text ?? '';
      // super().get_queryset() inside a manager or queryset class.
      if (objNode?.type === 'call' && objNode.childForFieldName('function')?.text === 'super') {
        const self = this.env.get('self');
        if (self?.t === 'self' && self.mgrModel && (meth === 'get_queryset' || meth === 'all')) {
          pos.forEach((p) => this.eval(p));
          return { t: 'qs', qs: { model: self.mgrModel, state: cloneState(self.qsState ?? emptyState(self.mgrModel)), anchors: [], classes: [], label: n.text, origin: this.origin(n) } };
        }
        for (const p of [...pos, ...kw.values()]) this.eval(p);
        return UNKNOWN;
      }
      const recv = objNode ? this.eval(objNode) : UNKNOWN;
      return this.methodCall(recv, meth, n, pos, kw, star);
    }
    const callee = this.eval(fn);
    const name = fn.type === 'identifier' ? fn.text : '';
    const argVals = () => pos.map((p) => this.eval(p));
    switch (name) {
      case 'list':
      case 'tuple':
      case 'sorted':
      case 'set':
      case 'reversed':
      case 'iter': {
        if (callee.t !== 'unknown' && callee.t !== 'fn') break;
        const [v] = argVals();
        for (const k of kw.values()) this.eval(k);
        if (v?.t === 'qs') {
          this.evaluate(v.qs, 'list', n);
          const r = this.rowsOf(v.qs, undefined, v.qs.label);
          return r ? { t: 'rows', row: r, evaluated: true } : UNKNOWN;
        }
        if (v?.t === 'rows') return v;
        return UNKNOWN;
      }
      case 'next': {
        if (callee.t !== 'unknown' || pos.length < 1 || pos.length > 2 || star) break;
        const [v] = argVals();
        return this.nextRow(v, pos[0]);
      }
      case 'len':
      case 'bool': {
        const [v] = argVals();
        if (v?.t === 'qs') this.evaluate(v.qs, 'len', n);
        return UNKNOWN;
      }
      case 'enumerate': {
        const [v] = argVals();
        return v && (v.t === 'qs' || v.t === 'rows') ? { t: 'enum', inner: v } : UNKNOWN;
      }
      case 'str':
      case 'repr': {
        const [v] = argVals();
        if (v?.t === 'row') this.dunder(v.row, name === 'str' ? '__str__' : '__repr__', n);
        return UNKNOWN;
      }
      case 'map':
      case 'filter': {
        if (pos.length !== 2) break;
        return this.mapCall(pos[0], pos[1]);
      }
      case 'Prefetch':
        return this.prefetchObj(pos, kw);
      case 'get_object_or_404':
      case 'get_list_or_404': {
        const [v] = argVals();
        for (const k of kw.values()) this.eval(k);
        const q = v?.t === 'model' ? this.freshQs(v.model, pos[0], this.ctx.models.byLabel.get(v.model)?.managers[0]?.cls) : v?.t === 'qs' ? v.qs : undefined;
        if (!q) return UNKNOWN;
        this.evaluate(q, 'get', n);
        if (name === 'get_list_or_404') {
          const r = this.rowsOf(q, undefined, q.label);
          return r ? { t: 'rows', row: r, evaluated: true } : UNKNOWN;
        }
        const r = this.rowsOf({ ...q, origin: v?.t === 'qs' ? q.origin : undefined }, undefined, q.label);
        return r ? { t: 'row', row: r } : UNKNOWN;
      }
    }
    const args = argVals();
    const kwVals = new Map<string, Val>();
    for (const [k, v] of kw) kwVals.set(k, this.eval(v));
    if (callee.t === 'fn' && !star) return this.callProject(callee.b, args, kwVals, n, undefined);
    if (callee.t === 'model') return UNKNOWN;
    this.renderHook(name, pos, kw, args, kwVals, n);
    return UNKNOWN;
  }

  private renderHook(name: string, pos: SyntaxNode[], kw: Map<string, SyntaxNode>, args: Val[], kwVals: Map<string, Val>, n: SyntaxNode): void {
    if (!this.hooks.onRender) return;
    const spec: Record<string, [number, string, number, string]> = {
      render: [1, 'template_name', 2, 'context'],
      TemplateResponse: [1, 'template', 2, 'context'],
      render_to_string: [0, 'template_name', 1, 'context'],
      render_to_response: [0, 'template_name', 1, 'context'],
    };
    const s = spec[name];
    if (!s) return;
    const tNode = kw.get(s[1]) ?? pos[s[0]];
    const ctxVal = kwVals.get(s[3]) ?? args[s[2]];
    const templates: string[] = [];
    const tn = tNode ? strValue(tNode) : undefined;
    if (tn !== undefined) templates.push(tn);
    else if (tNode && (tNode.type === 'list' || tNode.type === 'tuple')) for (const c of tNode.namedChildren) { const x = strValue(c); if (x !== undefined) templates.push(x); }
    if (!templates.length || ctxVal?.t !== 'dict') return;
    this.hooks.onRender(templates, ctxVal.entries, n);
  }

  private mapCall(fnNode: SyntaxNode, iterNode: SyntaxNode): Val {
    const iter = this.eval(iterNode);
    const id = this.nextLoop++;
    const row = this.iterate(iter, iterNode, id);
    if (!row) {
      this.eval(fnNode);
      return UNKNOWN;
    }
    this.loopStack.push({ id, text: iterNode.text });
    this.activeLoops.add(id);
    if (fnNode.type === 'lambda') {
      const params = fnNode.childForFieldName('parameters');
      const p = params?.namedChildren[0];
      const body = fnNode.childForFieldName('body');
      const before = this.env;
      this.env = new Map(before);
      if (p?.type === 'identifier') this.env.set(p.text, { t: 'row', row });
      if (body) this.eval(body);
      this.env = before;
    } else {
      const f = this.eval(fnNode);
      if (f.t === 'fn') this.callProject(f.b, [{ t: 'row', row }], new Map(), fnNode, undefined);
    }
    this.activeLoops.delete(id);
    this.loopStack.pop();
    return UNKNOWN;
  }

  private prefetchObj(pos: SyntaxNode[], kw: Map<string, SyntaxNode>): Val {
    const lookupNode = kw.get('lookup') ?? pos[0];
    const lookup = lookupNode ? strValue(lookupNode) : undefined;
    const qsNode = kw.get('queryset') ?? pos[1];
    const toAttrNode = kw.get('to_attr') ?? pos[2];
    const toAttr = toAttrNode ? strValue(toAttrNode) : undefined;
    if (toAttrNode && toAttr === undefined) return UNKNOWN;
    let sub: QsState | 'opaque' | undefined;
    if (qsNode) {
      const v = this.eval(qsNode);
      sub = v.t === 'qs' && !v.qs.state.unknown ? v.qs.state : 'opaque';
    }
    if (lookup === undefined) return UNKNOWN;
    return { t: 'prefetch', lookup, toAttr, sub };
  }

  // -------------------------------------------------------------------------------------------
  // Method calls

  private methodCall(recv: Val, meth: string, n: SyntaxNode, pos: SyntaxNode[], kw: Map<string, SyntaxNode>, star: boolean): Val {
    if (recv.t === 'qs') return this.qsMethod(recv.qs, meth, n, pos, kw, star);
    if (recv.t === 'manager') return this.managerMethod(recv, meth, n, pos, kw);
    if (recv.t === 'model' && (meth === 'objects' || false)) return UNKNOWN;
    const args = pos.map((p) => this.eval(p));
    const kwVals = new Map<string, Val>();
    for (const [k, v] of kw) kwVals.set(k, this.eval(v));
    if (recv.t === 'row') {
      if (meth === 'refresh_from_db' || WRITES.has(meth)) return UNKNOWN;
      const m = this.ctx.models.byLabel.get(recv.row.model);
      const cb = m ? this.ctx.resolveFq(`${m.module}.${m.qualname}`) : undefined;
      if (cb?.kind === 'class' && !star) {
        const d = this.ctx.method(cb, meth);
        if (d) return this.callProject(d, args, kwVals, n, { t: 'row', row: recv.row }, `${m!.name}.${meth}`);
      }
      return UNKNOWN;
    }
    if (recv.t === 'self' && !star) {
      if (recv.mgrModel) {
        // Inside a manager or queryset class: `self.filter(...)`, `self.get_queryset()`.
        const base: Qs = { model: recv.mgrModel, state: cloneState(recv.qsState ?? emptyState(recv.mgrModel)), anchors: [], classes: [fqName(recv.cls)], label: 'self', origin: this.origin(n.childForFieldName('function')!.childForFieldName('object')!) };
        if (meth === 'get_queryset' && !this.ctx.method(recv.cls, meth)) return { t: 'qs', qs: base };
        return this.qsMethodVals(base, meth, n, args, kwVals, pos);
      }
      const d = this.ctx.method(recv.cls, meth);
      if (d) return this.callProject(d, args, kwVals, n, recv);
      if (meth === 'get_queryset') return this.defaultGetQueryset(recv.cls, n);
      if (meth === 'get_object') {
        const q = this.defaultGetQueryset(recv.cls, n);
        if (q.t === 'qs') {
          this.evaluate(q.qs, 'get', n);
          const r = this.rowsOf(q.qs, undefined, q.qs.label);
          return r ? { t: 'row', row: r } : UNKNOWN;
        }
      }
      return UNKNOWN;
    }
    if (meth === 'update' && n.childForFieldName('function')?.childForFieldName('object')?.type === 'identifier' && args[0]?.t === 'dict') {
      for (const [k, v] of args[0].entries) this.hooks.onContextItem?.(k, v);
    }
    return UNKNOWN;
  }

  /** MultipleObjectMixin.get_queryset: `self.queryset.all()`, else `self.model._default_manager.all()`. */
  defaultGetQueryset(cls: Extract<Binding, { kind: 'class' }>, n: At): Val {
    const qa = this.classAttr(cls, 'queryset');
    if (qa && qa.t === 'qs') return qa;
    if (qa && qa.t !== 'unknown') return UNKNOWN;
    if (qa) return UNKNOWN;
    const ma = this.classAttr(cls, 'model');
    if (ma?.t !== 'model') return UNKNOWN;
    const model = this.ctx.models.byLabel.get(ma.model);
    const q = this.freshQs(ma.model, n, model?.managers[0]?.cls);
    if (!q) return UNKNOWN;
    const modelLine = this.classAttrLine(cls, 'model');
    q.origin = modelLine ? { file: modelLine.file, span: modelLine.span, text: `${cls.qualname}.model`, classModel: { file: modelLine.file, line: modelLine.span[0], indent: modelLine.indent, modelText: modelLine.text } } : undefined;
    q.label = `${cls.qualname}.model`;
    return { t: 'qs', qs: q };
  }

  private classAttrLine(cls: Extract<Binding, { kind: 'class' }>, attr: string, depth = 0): { file: string; span: Span; indent: string; text: string } | undefined {
    if (depth > 8) return undefined;
    for (const st of cls.def.body) {
      if (st.k === 'assign' && st.targets.some((t) => t.k === 'name' && t.id === attr)) {
        const text = this.ctx.ws.text(cls.file)?.split(/\r?\n/)[st.s[0]] ?? '';
        const value = st.value;
        const valueText = text.slice(value.s[1], value.s[0] === value.s[2] ? value.s[3] : undefined);
        return { file: cls.file, span: st.s, indent: text.slice(0, st.s[1]), text: valueText };
      }
    }
    for (const base of cls.def.bases) {
      const bb = this.ctx.project.symbols.resolveExpr(cls.module, base);
      if (bb?.kind === 'class') {
        const v = this.classAttrLine(bb, attr, depth + 1);
        if (v) return v;
      }
    }
    return undefined;
  }

  private qsMethod(q: Qs, meth: string, n: SyntaxNode, pos: SyntaxNode[], kw: Map<string, SyntaxNode>, star: boolean): Val {
    const args = pos.map((p) => this.eval(p));
    const kwVals = new Map<string, Val>();
    for (const [k, v] of kw) kwVals.set(k, this.eval(v));
    if (star && (meth === 'select_related' || meth === 'prefetch_related' || meth === 'only' || meth === 'defer')) {
      return { t: 'qs', qs: { ...q, state: { ...cloneState(q.state), unknown: true }, origin: this.extend(q.origin, n) } };
    }
    return this.qsMethodVals(q, meth, n, args, kwVals, pos);
  }

  private extend(o: Origin | undefined, n: SyntaxNode): Origin | undefined {
    if (!o || o.classModel) return o && o.classModel ? o : undefined;
    if (o.file !== this.file) return { ...o };
    const s = nodeSpan(n);
    return { ...o, span: s, text: n.text.length > 80 ? n.text.slice(0, 77) + '...' : n.text };
  }

  private argsSite(n: SyntaxNode, hasArgs: boolean, argNodes: SyntaxNode[]): ArgsSite {
    const args = n.childForFieldName('arguments')!;
    const e = args.endPosition;
    const firstStr = argNodes.find((a) => a.type === 'string');
    const quote = firstStr ? firstStr.text.replace(/^[rbuRBU]*/, '')[0] : undefined;
    return { file: this.file, close: [e.row, e.column - 1], hasArgs, quote };
  }

  private qsMethodVals(q: Qs, meth: string, n: SyntaxNode, args: Val[], kwVals: Map<string, Val>, pos: SyntaxNode[]): Val {
    const next = (state: QsState, extra?: Partial<Origin>): Val => {
      const origin = this.extend(q.origin, n);
      return { t: 'qs', qs: { ...q, state, origin: origin && extra ? { ...origin, ...extra } : origin, manager: q.manager ? { ...q.manager, chained: q.manager.chained || meth !== 'all' } : undefined, label: q.origin ? n.text : q.label } };
    };
    if (CHAIN.has(meth)) {
      if ((meth === 'union' || meth === 'intersection' || meth === 'difference' || meth === 'extra') && !q.manager) return next({ ...cloneState(q.state), unknown: true });
      return next(cloneState(q.state));
    }
    if (meth === 'select_related') {
      const s = cloneState(q.state);
      if (args.length === 0) s.selected.push('*');
      for (const a of args) {
        if (a.t === 'str') s.selected.push(a.v);
        else s.unknown = true;
      }
      return next(s, q.origin && !q.origin.classModel && q.origin.file === this.file ? { selectArgs: this.argsSite(n, args.length > 0, pos) } : undefined);
    }
    if (meth === 'prefetch_related') {
      const s = cloneState(q.state) as QsState & { toAttrLookup?: Record<string, string> };
      for (const a of args) {
        if (a.t === 'str') s.prefetched.push(a.v);
        else if (a.t === 'prefetch') {
          const parts = a.lookup.split('__');
          const path = a.toAttr ? [...parts.slice(0, -1), a.toAttr].join('__') : a.lookup;
          if (a.toAttr) {
            s.toAttr.push(path);
            s.toAttrLookup = { ...(s.toAttrLookup ?? {}), [path]: a.lookup };
          } else s.prefetched.push(path);
          if (a.sub === 'opaque') s.opaque.push(path);
          else if (a.sub) {
            for (const x of a.sub.selected) s.selected.push(x === '*' ? path : `${path}__${x}`);
            if (a.sub.selected.includes('*')) s.opaque.push(path);
            for (const x of [...a.sub.prefetched, ...a.sub.toAttr]) s.prefetched.push(`${path}__${x}`);
            for (const x of a.sub.opaque) s.opaque.push(`${path}__${x}`);
            if (a.sub.only || a.sub.defer || a.sub.unknown) s.opaque.push(path);
          }
        } else if (a.t === 'const' as never) {
          // prefetch_related(None) clears: rare, stay quiet.
          s.unknown = true;
        } else s.unknown = true;
      }
      return next(s, q.origin && !q.origin.classModel && q.origin.file === this.file ? { prefetchArgs: this.argsSite(n, args.length > 0, pos) } : undefined);
    }
    if (meth === 'only' || meth === 'defer') {
      const s = cloneState(q.state);
      const names: string[] = [];
      for (const a of args) {
        if (a.t === 'str') names.push(a.v);
        else s.unknown = true;
      }
      if (meth === 'only') s.only = names;
      else s.defer = [...(s.defer ?? []), ...names];
      return next(s, meth === 'only' && q.origin && !q.origin.classModel && q.origin.file === this.file ? { onlyArgs: this.argsSite(n, args.length > 0, pos) } : undefined);
    }
    if (meth === 'values' || meth === 'values_list') {
      const s = cloneState(q.state);
      s.rows = meth === 'values' ? 'dict' : 'tuple';
      return next(s);
    }
    if (meth === 'iterator') {
      const s = cloneState(q.state);
      s.iterator = true;
      return next(s);
    }
    if (ONE_ROW.has(meth)) {
      this.evaluate(q, meth, n);
      const r = this.rowsOf({ ...q, manager: undefined }, undefined, q.label);
      return r ? { t: 'row', row: { ...r, loop: undefined } } : UNKNOWN;
    }
    if (SCALAR.has(meth)) {
      this.evaluate(q, meth, n);
      return UNKNOWN;
    }
    if (WRITES.has(meth)) return UNKNOWN;
    // A custom queryset or manager method.
    for (const fq of q.classes) {
      const cb = this.ctx.resolveFq(fq);
      if (cb?.kind !== 'class') continue;
      const d = this.ctx.method(cb, meth);
      if (!d) continue;
      const s = this.ctx.summary(d, args, { t: 'self', cls: cb, mgrModel: q.model, qsState: q.state }, this.depth);
      if (s?.ret.t === 'qs' && s.ret.qs.model === q.model) {
        const origin = this.extend(q.origin, n);
        return { t: 'qs', qs: { ...q, state: cloneState(s.ret.qs.state), origin: origin ? { ...origin, selectArgs: undefined, prefetchArgs: undefined, onlyArgs: undefined } : undefined, label: n.text } };
      }
      return UNKNOWN;
    }
    return UNKNOWN;
  }

  /** The queryset of a related manager (`post.comments.all()`): its rows inherit the owner's anchors. */
  managerQs(recv: Extract<Val, { t: 'manager' }>, label: string, origin: Origin | undefined): Qs {
    const owner = recv.owner;
    const target = recv.member.target;
    const anchors = owner.anchors.map((a) => ({ ...a, path: [...a.path, recv.member.name], selectOnly: false }));
    const base: Qs = {
      model: target ?? '?',
      state: emptyState(target ?? '?'),
      anchors,
      manager: { owner, name: recv.member.name, chained: false, backField: recv.member.backField },
      loopTok: this.innermostLoop(),
      classes: [],
      label,
      origin,
    };
    // Unknown target model: still a per-row read, but the rows cannot be followed.
    if (!target) base.state.unknown = true;
    return base;
  }

  private managerMethod(recv: Extract<Val, { t: 'manager' }>, meth: string, n: SyntaxNode, pos: SyntaxNode[], kw: Map<string, SyntaxNode>): Val {
    const owner = recv.owner;
    const base = this.managerQs(recv, n.text, this.origin(n));
    if (WRITES.has(meth)) {
      for (const p of [...pos, ...kw.values()]) this.eval(p);
      return UNKNOWN;
    }
    if (meth === 'all') {
      for (const p of pos) this.eval(p);
      return { t: 'qs', qs: base };
    }
    if (meth === 'count' && this.perRow(owner)) {
      const fnNode = n.childForFieldName('function')!;
      const ownerNode = fnNode.childForFieldName('object')!;
      (base as Qs & { countCall?: unknown }).countCall = { span: nodeSpan(n), ownerText: ownerNode.text };
    }
    return this.qsMethod(base, meth, n, pos, kw, false);
  }

  // -------------------------------------------------------------------------------------------
  // Recording

  /** A queryset is evaluated (iterated, counted, fetched): per row, that is a query. */
  evaluate(q: Qs, op: string, n: At): void {
    if (q.state.unknown && !q.manager) return;
    if (q.manager) {
      const owner = q.manager.owner;
      if (!this.perRow(owner)) return;
      const mem = q.manager.name;
      const anchors = owner.anchors.map((a) => ({ ...a, path: [...a.path, mem], selectOnly: false }));
      const text = n.text;
      if (q.manager.chained || !CACHED_READS.has(op === 'iter' || op === 'list' || op === 'len' || op === 'index' ? 'all' : op)) {
        this.record({ kind: 'requery', file: this.file, span: spanOf(n), text, attr: mem, model: owner.model, anchors, op, loopText: this.loopText(), via: [] });
      } else {
        const countCall = (q as Qs & { countCall?: { span: Span; ownerText: string } }).countCall;
        this.record({ kind: 'manager', file: this.file, span: spanOf(n), text, attr: mem, model: owner.model, anchors, op, loopText: this.loopText(), via: [], countCall: op === 'count' ? countCall : undefined });
      }
      return;
    }
    if (q.loopTok !== undefined && this.activeLoops.has(q.loopTok)) {
      this.record({ kind: 'query', file: this.file, span: spanOf(n), text: n.text, attr: op, model: q.model, anchors: [], op, loopText: this.loopText(), via: [] });
    }
  }

  private record(a: Access): void {
    this.accesses.push(a);
  }

  /** `str(row)`, f-string interpolation, `{{ row }}`: the model's __str__ runs per row. */
  dunder(row: Row, name: string, n: At): void {
    if (!this.perRow(row)) return;
    const m = this.ctx.models.byLabel.get(row.model);
    const cb = m ? this.ctx.resolveFq(`${m.module}.${m.qualname}`) : undefined;
    if (cb?.kind !== 'class') return;
    const d = this.ctx.method(cb, name);
    if (d) this.callSummary(d, [], { t: 'row', row }, n, `${m!.name}.${name}`);
  }

  /** Calls a project function: records the callee's per-row accesses at this call. */
  callProject(b: Extract<Binding, { kind: 'def' }>, args: Val[], kwVals: Map<string, Val>, n: At, selfVal: Val | undefined, name?: string): Val {
    // Bind keyword arguments to parameter positions.
    const params = b.def.params.filter((p) => !p.startsWith('*'));
    const offset = selfVal || b.cls ? 1 : 0;
    const bound: (Val | undefined)[] = [...args];
    for (const [k, v] of kwVals) {
      const i = params.indexOf(k) - offset;
      if (i >= 0) bound[i] = v;
    }
    return this.callSummary(b, bound, selfVal, n, name ?? b.qualname);
  }

  callSummary(b: Extract<Binding, { kind: 'def' }>, args: (Val | undefined)[], selfVal: Val | undefined, n: At, name: string): Val {
    const shaped = args.map((a) => (a && (a.t === 'row' || a.t === 'qs' || a.t === 'model' || a.t === 'str' || a.t === 'prefetch' || a.t === 'dict') ? a : undefined));
    const perRowArgs = shaped.filter((a) => a?.t === 'row' && this.perRow(a.row)) as Extract<Val, { t: 'row' }>[];
    const selfRow = selfVal?.t === 'row' && this.perRow(selfVal.row) ? selfVal.row : undefined;
    const inLoop = this.innermostLoop() !== undefined;
    const s = this.ctx.summary(b, shaped.map((a, i) => (a?.t === 'row' ? paramRow(a.row, i) : a)), selfVal?.t === 'row' ? paramRow(selfVal.row, -1) : selfVal, this.depth);
    if (!s) return UNKNOWN;
    const via: Via = { name, file: b.file, span: b.def.nameSpan };
    for (const acc of s.accesses) {
      if (acc.kind === 'query') {
        if (inLoop) this.record({ ...acc, file: this.file, span: spanOf(n), text: n.text, loopText: this.loopText(), via: [via, ...acc.via], anchors: [], inner: (acc as Access & { inner?: Access }).inner ?? acc } as Access);
        continue;
      }
      // Re-anchor the parameter's accesses on the caller's row.
      const paramIdx = acc.anchors.find((a) => a.state === null)?.param;
      const arg = paramIdx !== undefined && paramIdx >= 0 ? shaped[paramIdx] : undefined;
      const callerRow = paramIdx === -1 ? selfRow : arg?.t === 'row' && perRowArgs.includes(arg) ? arg.row : undefined;
      if (!callerRow) continue;
      const rel = acc.anchors.find((a) => a.state === null)!;
      if (rel.path.length === 1 && callerRow.known.includes(rel.path[0]) && acc.kind === 'relation') continue;
      if (rel.path.length >= 1 && callerRow.assigned?.includes(rel.path[0])) continue;
      const anchors = callerRow.anchors.map((a) => ({ ...a, path: [...a.path, ...rel.path], selectOnly: a.selectOnly && rel.selectOnly }));
      this.record({ ...acc, file: this.file, span: spanOf(n), text: n.text, anchors, loopText: this.loopText(), via: [via, ...acc.via], inner: (acc as Access & { inner?: Access }).inner ?? acc, countCall: undefined } as Access);
    }
    const ret = s.ret;
    if (ret.t === 'qs' && ret.qs.anchors.length === 0 && !ret.qs.manager) return { t: 'qs', qs: { ...ret.qs, loopTok: this.innermostLoop() } };
    return UNKNOWN;
  }
}

/** A row parameter of a summary: one anchor with no state, remembering the parameter's index (-1: self). */
function paramRow(r: Row, index: number): Val {
  return { t: 'row', row: { model: r.model, anchors: [{ state: null, path: [], selectOnly: true, label: 'param', param: index }], loop: undefined, known: [] } };
}

function decoratorName(e: { k: string }): string {
  const x = e as { k: string; id?: string; attr?: string; obj?: unknown };
  if (x.k === 'name') return x.id ?? '';
  if (x.k === 'attr') return x.attr ?? '';
  return '';
}

function sameShape(a: Val, b: Val): boolean {
  if (a === b) return true;
  if (a.t !== b.t) return false;
  if (a.t === 'qs' && b.t === 'qs') return JSON.stringify(a.qs.state) === JSON.stringify(b.qs.state) && a.qs.model === b.qs.model;
  if (a.t === 'model' && b.t === 'model') return a.model === b.model;
  return false;
}

/** Whether a statement holds a `continue` for the loop around it (not one of a loop or def inside). */
function hasContinue(n: SyntaxNode): boolean {
  if (n.type === 'continue_statement') return true;
  if (n.type === 'for_statement' || n.type === 'while_statement' || n.type === 'function_definition' || n.type === 'class_definition' || n.type === 'lambda') {
    // Only the loop's else clause belongs to the outer loop.
    return n.namedChildren.some((c) => c?.type === 'else_clause' && hasContinue(c));
  }
  return n.namedChildren.some((c) => !!c && hasContinue(c));
}

function joinEnvs(envs: Env[]): Env {
  const out: Env = new Map();
  const names = new Set<string>();
  for (const e of envs) for (const k of e.keys()) names.add(k);
  for (const k of names) {
    const vals = envs.map((e) => e.get(k)).filter((v): v is Val => v !== undefined);
    const first = vals[0];
    out.set(k, vals.every((v) => v === first) ? first : UNKNOWN);
  }
  return out;
}
