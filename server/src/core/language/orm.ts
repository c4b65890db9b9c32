/**
 * ORM call sites: which model a queryset belongs to (`Post.objects`, a manager, a chain of
 * queryset methods, a local variable assigned from one, `self.model`, `self.get_queryset()`,
 * `get_object_or_404(Post, ...)`), and which part of a call holds a lookup path — a keyword of
 * filter/exclude/get/Q, a string of order_by/values/only/select_related/prefetch_related, the
 * first argument of F()/Count()/Sum() .... Used for completion, definition, hover and the checks.
 */
import type { ModelInfo } from '../project/models';
import type { Project } from '../project/project';
import { type ClassDef, type Expr, flatStatements } from '../python/ast';
import { fqName } from '../python/symbols';
import type { LookupMode } from '../orm/lookups';
import type { Span } from '../types';
import type { PyAt, Scope } from './pyContext';

type Call = Extract<Expr, { k: 'call' }>;

const KEYWORD_METHODS = new Set(['filter', 'exclude', 'get', 'get_or_create', 'update_or_create', 'get_object_or_404', 'get_list_or_404']);
const STRING_METHODS: Record<string, LookupMode> = {
  order_by: 'order', values: 'values', values_list: 'values', only: 'values', defer: 'values', distinct: 'values',
  select_related: 'select', prefetch_related: 'prefetch',
};
const EXPRESSIONS = new Set(['F', 'Count', 'Sum', 'Avg', 'Max', 'Min', 'StdDev', 'Variance', 'ArrayAgg', 'StringAgg', 'Prefetch', 'OuterRef']);
/** Methods that return a queryset of the same model. */
const QS_METHODS = new Set([
  'all', 'filter', 'exclude', 'order_by', 'select_related', 'prefetch_related', 'distinct', 'annotate', 'alias', 'only', 'defer',
  'using', 'select_for_update', 'reverse', 'none', 'complex_filter', 'extra', 'get_queryset', 'union', 'intersection', 'difference',
]);
const MANAGER_ATTRS = new Set(['objects', '_default_manager', '_base_manager']);
const NOT_LOOKUPS = new Set(['defaults', 'create_defaults', 'klass']);

export interface OrmSite {
  model: ModelInfo;
  path: string;
  mode: LookupMode;
  /** The path's text span (inside quotes for strings; the keyword name for keywords). */
  span: Span;
  /** Text typed from the start of the path to the cursor (for completion). */
  prefix: string;
  method: string;
  /** annotate()/alias()/extra()/values() earlier in the chain: names beyond the model's may exist. */
  annotated: boolean;
  isKeyword: boolean;
}

export function ormSiteAt(project: Project, file: string, at: PyAt): OrmSite | undefined {
  const module = project.modules.moduleOf(file);
  if (module === undefined || !at.call) return undefined;
  const ctx = new ModelFinder(project, module, at.scope);
  if (at.kind === 'keyword') {
    const { name, call } = at.call;
    if (NOT_LOOKUPS.has(at.name)) return undefined;
    const target = keywordTarget(name, call, at.call.outer);
    if (!target) return undefined;
    const r = ctx.ofCallReceiver(target, name);
    if (!r) return undefined;
    return { model: r.model, path: at.name, mode: 'filter', span: at.span, prefix: at.prefix, method: target.fn.k === 'attr' ? target.fn.attr : name, annotated: r.annotated, isKeyword: true };
  }
  const call = at.call;
  const span: Span = at.contentSpan;
  if (STRING_METHODS[call.name] && call.call.fn.k === 'attr' && call.argIndex !== undefined && !at.inSequence) {
    const r = ctx.ofCallReceiver(call.call, call.name);
    if (!r) return undefined;
    return { model: r.model, path: at.value, mode: STRING_METHODS[call.name], span, prefix: at.prefix, method: call.name, annotated: r.annotated, isKeyword: false };
  }
  if (EXPRESSIONS.has(call.name) && call.argIndex === 0) {
    for (const outer of call.outer) {
      if (outer.fn.k !== 'attr') continue;
      const method = outer.fn.attr;
      if (!QS_METHODS.has(method) && !KEYWORD_METHODS.has(method) && !STRING_METHODS[method] && method !== 'aggregate' && method !== 'update') continue;
      const r = ctx.ofCallReceiver(outer, method);
      if (!r) return undefined;
      const mode: LookupMode = call.name === 'Prefetch' ? 'prefetch' : 'expr';
      return { model: r.model, path: at.value, mode, span, prefix: at.prefix, method: call.name, annotated: r.annotated || call.name === 'OuterRef', isKeyword: false };
    }
  }
  return undefined;
}

/** The queryset call whose lookups a keyword belongs to (a Q() inside filter() counts as filter). */
function keywordTarget(name: string, call: Call, outer: Call[]): Call | undefined {
  if (KEYWORD_METHODS.has(name)) return call;
  if (name === 'Q') {
    for (const o of outer) {
      if (o.fn.k === 'attr' && KEYWORD_METHODS.has(o.fn.attr)) return o;
      if (o.fn.k === 'name' && KEYWORD_METHODS.has(o.fn.id)) return o;
    }
  }
  return undefined;
}

class ModelFinder {
  constructor(
    private readonly project: Project,
    private readonly module: string,
    private readonly scope: Scope,
  ) {}

  /** The model of `receiver.method(...)`, or of get_object_or_404(Model, ...). */
  ofCallReceiver(call: Call, method: string): { model: ModelInfo; annotated: boolean } | undefined {
    if (call.fn.k === 'name' && (method === 'get_object_or_404' || method === 'get_list_or_404')) {
      const first = call.args[0];
      if (!first) return undefined;
      return this.ofClass(first) ? { model: this.ofClass(first)!, annotated: false } : this.ofQueryset(first, 0);
    }
    if (call.fn.k !== 'attr') return undefined;
    return this.ofQueryset(call.fn.obj, 0);
  }

  ofQueryset(e: Expr, depth: number): { model: ModelInfo; annotated: boolean } | undefined {
    if (depth > 12) return undefined;
    if (e.k === 'call' && e.fn.k === 'attr') {
      const m = e.fn.attr;
      if (m === 'get_queryset' && e.fn.obj.k === 'name' && e.fn.obj.id === 'self') {
        const model = this.selfModel();
        return model ? { model, annotated: false } : undefined;
      }
      if (!QS_METHODS.has(m)) return undefined;
      const inner = this.ofQueryset(e.fn.obj, depth + 1);
      if (!inner) return undefined;
      const annotated = inner.annotated || m === 'annotate' || m === 'alias' || m === 'extra' || m === 'union';
      return { model: inner.model, annotated };
    }
    if (e.k === 'attr') {
      if (MANAGER_ATTRS.has(e.attr) || this.isManagerName(e)) {
        const model = this.ofClass(e.obj);
        return model ? { model, annotated: false } : undefined;
      }
      return undefined;
    }
    if (e.k === 'name') {
      const local = [...this.scope.locals].reverse().find((l) => l.name === e.id);
      if (local) return this.ofQueryset(local.value, depth + 1);
      return undefined;
    }
    return undefined;
  }

  private isManagerName(e: Extract<Expr, { k: 'attr' }>): boolean {
    const model = this.ofClass(e.obj);
    return !!model?.managers.some((m) => m.name === e.attr);
  }

  /** A model class written as a name, attribute or `self.model`. */
  ofClass(e: Expr): ModelInfo | undefined {
    if (e.k === 'attr' && e.obj.k === 'name' && e.obj.id === 'self' && e.attr === 'model') return this.selfModel();
    if (e.k === 'name' || e.k === 'attr') {
      if (e.k === 'name' && this.scope.locals.some((l) => l.name === e.id)) return undefined;
      const b = this.project.symbols.resolveExpr(this.module, e);
      if (!b) return undefined;
      return this.project.models.byQualified.get(fqName(b));
    }
    return undefined;
  }

  /** The `model = X` (or `queryset = X.objects...`) of the enclosing class. */
  private selfModel(): ModelInfo | undefined {
    const name = this.scope.className;
    if (!name) return undefined;
    const facts = this.project.symbols.factsOf(this.module)?.facts;
    const cls = facts && [...flatStatements(facts.body)].find((s): s is ClassDef => s.k === 'class' && s.name === name);
    if (!cls) return undefined;
    for (const st of cls.body) {
      if (st.k !== 'assign') continue;
      const target = st.targets.find((t) => t.k === 'name');
      if (target?.k !== 'name') continue;
      if (target.id === 'model') return this.ofClass(st.value);
      if (target.id === 'queryset') return this.ofQueryset(st.value, 0)?.model;
    }
    const view = this.project.views.find((v) => v.module === this.module && v.qualname === name);
    return view?.model ? this.project.models.byLabel.get(view.model) : undefined;
  }
}

