/**
 * Views: every function or class a route reaches, plus every class-based view defined in the
 * project. For class-based views the generic base (ListView, DetailView ...), `model`,
 * `queryset`, `template_name`, `context_object_name` and the template Django would pick by
 * default (`<app_label>/<model>_list.html` ...); for function views the templates their
 * `render()`-like calls name. Decorators come from the definition and from the URLconf.
 */
import type { Span } from '../types';
import { type Expr, argument, decoratorNames, dottedName, stringValue } from '../python/ast';
import type { CallSite } from '../python/facts';
import { type Binding, type SymbolResolver, fqName } from '../python/symbols';
import type { ModelIndex } from './models';
import type { RouteInfo } from './urls';

export interface TemplateUse {
  name: string;
  span: Span;
  /** How it was named: a render() call, a `template_name` attribute, a generic view default. */
  via: 'call' | 'attribute' | 'default';
}

export interface ViewInfo {
  kind: 'function' | 'class';
  module: string;
  qualname: string;
  file: string;
  span: Span;
  nameSpan: Span;
  decorators: string[];
  /** Generic base (`ListView`) or the nearest external base's name for class-based views. */
  genericBase?: string;
  bases?: string[];
  model?: string | null;
  templates: TemplateUse[];
  contextObjectName?: string;
  /** Indexes into the project's route list. */
  routes: number[];
}

const VIEW_BASE = /^(django\.views\.generic(\.\w+)*\.\w+|django\.views\.View|rest_framework\.(views|generics|viewsets)\.\w+|django\.contrib\.auth\.views\.\w+)$/;
const DEFAULT_SUFFIX: Record<string, string> = {
  ListView: '_list',
  DetailView: '_detail',
  CreateView: '_form',
  UpdateView: '_form',
  DeleteView: '_confirm_delete',
  ArchiveIndexView: '_archive',
  YearArchiveView: '_archive_year',
  MonthArchiveView: '_archive_month',
  WeekArchiveView: '_archive_week',
  DayArchiveView: '_archive_day',
  TodayArchiveView: '_archive_day',
  DateDetailView: '_detail',
};

/** Index of the template-name argument per call. */
export const TEMPLATE_ARG: Record<string, [number, string]> = {
  render: [1, 'template_name'],
  render_to_response: [0, 'template_name'],
  render_to_string: [0, 'template_name'],
  TemplateResponse: [1, 'template'],
  SimpleTemplateResponse: [0, 'template'],
  get_template: [0, 'template_name'],
  select_template: [0, 'template_name_list'],
};

export function templateNamesOf(site: CallSite): { name: string; span: Span }[] {
  const spec = TEMPLATE_ARG[site.name];
  if (!spec) return [];
  const arg = argument(site.call, spec[0], spec[1]);
  if (!arg) return [];
  const s = stringValue(arg);
  if (s !== undefined) return [{ name: s, span: arg.s }];
  if (arg.k === 'list' || arg.k === 'tuple') {
    return arg.items.flatMap((i) => (i.k === 'str' ? [{ name: i.v, span: i.s }] : []));
  }
  return [];
}

export class ViewReader {
  constructor(
    private readonly symbols: SymbolResolver,
    private readonly models: ModelIndex,
  ) {}

  read(routes: RouteInfo[], modules: string[]): ViewInfo[] {
    const views = new Map<string, ViewInfo>();
    routes.forEach((r, i) => {
      const v = r.view;
      if (!v || (v.kind !== 'function' && v.kind !== 'class') || !v.module || !v.qualname || !v.file) return;
      const key = `${v.module}.${v.qualname}`;
      let info = views.get(key);
      if (!info) {
        const b = this.symbols.resolveFrom(v.module, v.qualname.split('.')[0]);
        const member = b && v.qualname.includes('.') ? v.qualname.split('.').slice(1).reduce<Binding | undefined>((acc, part) => (acc ? this.symbols.member(acc, part) : undefined), b) : b;
        info = member ? this.describe(member) : undefined;
        if (!info) return;
        views.set(key, info);
      }
      for (const d of v.decorators) if (!info.decorators.includes(d)) info.decorators.push(d);
      info.routes.push(i);
    });
    // Class-based views that no route reaches (yet) are still views.
    for (const module of modules) {
      const mf = this.symbols.factsOf(module);
      if (!mf) continue;
      for (const st of mf.facts.body) {
        if (st.k !== 'class' || views.has(`${module}.${st.name}`)) continue;
        const b = { kind: 'class' as const, module, qualname: st.name, file: mf.file, def: st };
        if (this.viewBase(b)) views.set(`${module}.${st.name}`, this.describe(b)!);
      }
    }
    return [...views.values()];
  }

  private viewBase(b: Binding, depth = 0): string | undefined {
    if (depth > 12) return undefined;
    if (b.kind === 'external') return VIEW_BASE.test(b.fq) ? b.fq.split('.').pop() : undefined;
    if (b.kind !== 'class') return undefined;
    const fq = fqName(b);
    if (/^django\.views\./.test(fq) && depth > 0) return b.qualname;
    for (const base of b.def.bases) {
      const bb = this.symbols.resolveExpr(b.module, base);
      const found = bb ? this.viewBase(bb, depth + 1) : undefined;
      if (found) return found;
    }
    return undefined;
  }

  private describe(b: Binding): ViewInfo | undefined {
    if (b.kind === 'def') {
      const mf = this.symbols.factsOf(b.module);
      const templates: TemplateUse[] = [];
      for (const site of mf?.facts.calls ?? []) {
        if (!within(site.call.s, b.def.s)) continue;
        for (const t of templateNamesOf(site)) templates.push({ ...t, via: 'call' });
      }
      return {
        kind: 'function',
        module: b.module,
        qualname: b.qualname,
        file: b.file,
        span: b.def.s,
        nameSpan: b.def.nameSpan,
        decorators: decoratorNames(b.def.decorators),
        templates,
        routes: [],
      };
    }
    if (b.kind !== 'class') return undefined;
    const def = b.def;
    const info: ViewInfo = {
      kind: 'class',
      module: b.module,
      qualname: b.qualname,
      file: b.file,
      span: def.s,
      nameSpan: def.nameSpan,
      decorators: decoratorNames(def.decorators),
      bases: def.bases.map((x) => {
        const bb = this.symbols.resolveExpr(b.module, x);
        return bb ? fqName(bb) : dottedName(x) ?? '?';
      }),
      templates: [],
      routes: [],
    };
    info.genericBase = this.viewBase(b);
    const attr = (name: string) => this.classAttr(b, name);
    const modelAttr = attr('model');
    const querysetAttr = attr('queryset');
    let modelLabel: string | null | undefined;
    if (modelAttr) modelLabel = this.modelOf(modelAttr.module, modelAttr.value);
    else if (querysetAttr) modelLabel = this.modelOf(querysetAttr.module, querysetRoot(querysetAttr.value));
    if (modelLabel !== undefined) info.model = modelLabel;
    const tn = attr('template_name');
    const tnValue = tn ? stringValue(tn.value) : undefined;
    if (tn && tnValue !== undefined) info.templates.push({ name: tnValue, span: tn.value.s, via: 'attribute' });
    const con = attr('context_object_name');
    if (con) info.contextObjectName = stringValue(con.value);
    // Templates named in render() calls inside the class's methods.
    const mf = this.symbols.factsOf(b.module);
    for (const site of mf?.facts.calls ?? []) {
      if (!within(site.call.s, def.s)) continue;
      for (const t of templateNamesOf(site)) info.templates.push({ ...t, via: 'call' });
    }
    const suffix = info.genericBase ? DEFAULT_SUFFIX[info.genericBase] : undefined;
    if (!tn && suffix && modelLabel) {
      const model = this.models.byLabel.get(modelLabel);
      const [app, name] = modelLabel.split('.');
      const tsuffix = stringValue(attr('template_name_suffix')?.value) ?? suffix;
      info.templates.push({ name: `${model?.appLabel ?? app}/${name.toLowerCase()}${tsuffix}.html`, span: def.nameSpan, via: 'default' });
    }
    return info;
  }

  /** A class attribute, looked up through project base classes (MRO approximated depth-first). */
  private classAttr(b: Extract<Binding, { kind: 'class' }>, name: string, depth = 0): { module: string; value: Expr } | undefined {
    if (depth > 10) return undefined;
    for (const st of b.def.body) {
      if (st.k === 'assign' && st.targets.some((t) => t.k === 'name' && t.id === name)) return { module: b.module, value: st.value };
    }
    for (const base of b.def.bases) {
      const bb = this.symbols.resolveExpr(b.module, base);
      if (bb?.kind === 'class') {
        const found = this.classAttr(bb, name, depth + 1);
        if (found) return found;
      }
    }
    return undefined;
  }

  private modelOf(module: string, e: Expr): string | null {
    const b = this.symbols.resolveExpr(module, e);
    if (!b) return null;
    return this.models.byQualified.get(fqName(b))?.label ?? null;
  }
}

/** `Post.objects.filter(...).select_related(...)` → `Post`. */
export function querysetRoot(e: Expr): Expr {
  let cur = e;
  for (;;) {
    if (cur.k === 'call' && cur.fn.k === 'attr') cur = cur.fn.obj;
    else if (cur.k === 'attr' && cur.obj.k !== 'name') cur = cur.obj;
    else if (cur.k === 'attr' && cur.obj.k === 'name') return cur.obj;
    else return cur;
  }
}

export function within(inner: Span, outer: Span): boolean {
  const startsAfter = inner[0] > outer[0] || (inner[0] === outer[0] && inner[1] >= outer[1]);
  const endsBefore = inner[2] < outer[2] || (inner[2] === outer[2] && inner[3] <= outer[3]);
  return startsAfter && endsBefore;
}

