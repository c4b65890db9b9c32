/**
 * The URL index: every route reachable from ROOT_URLCONF, read the way Django's resolver builds
 * it. URLconf modules are evaluated by python/evaluate.ts with hooks for `path`/`re_path`/`url`,
 * `include()` (dotted string, module, list, `(patterns, app_name)` tuple, `namespace=`, module
 * `app_name`), `i18n_patterns`, `admin.site.urls` (one node) and DRF routers (list and detail
 * routes). Each route carries its full pattern (prefixes joined exactly as Django's `str()` of each
 * level), its namespaced name, where it is declared, and the view it reaches, unwrapped through
 * decorators and `.as_view()`. Include cycles terminate with a problem instead of recursing.
 */
import type { Span } from '../types';
import { type Expr, argument, decoratorNames, dottedName, keyword } from '../python/ast';
import { type At, type EvalHooks, Evaluator, type Value, isSequence, toStr, truthy, unknown } from '../python/evaluate';
import { type Binding, type SymbolResolver, fqName } from '../python/symbols';

export type RouteKind = 'path' | 're_path' | 'url' | 'admin' | 'router' | 'include';

export interface ViewRef {
  kind: 'function' | 'class' | 'external' | 'unknown';
  module: string | null;
  qualname: string | null;
  file?: string;
  /** The `def`/`class` keyword line and the name's span. */
  span?: Span;
  nameSpan?: Span;
  /** Decorators applied in the URLconf (`login_required(view)`) and on the definition. */
  decorators: string[];
  /** The expression in the URLconf, for navigation. */
  text?: string;
}

export interface RouteSegment {
  pattern: string;
  kind: 'route' | 'regex' | 'locale';
  /** Where this level is declared. */
  at?: At;
}

export interface RouteInfo {
  route: string;
  kind: RouteKind;
  name: string | null;
  qualifiedName: string | null;
  /** Instance namespaces of the enclosing includes, outermost first. */
  namespaces: string[];
  appNamespaces: (string | null)[];
  segments: RouteSegment[];
  view: ViewRef | null;
  declared: At;
  /** Span of the view argument in the URLconf. */
  viewSpan?: Span;
  defaultKwargs?: string[];
  inconclusive?: string;
}

export interface UrlIndex {
  routes: RouteInfo[];
  problems: string[];
  /** URLconf modules visited (their files are this index's dependencies). */
  files: Set<string>;
  converters: Map<string, { cls: string; regex?: string; at?: At }>;
  /** Problems tied to a place in a URLconf (include cycles), for diagnostics. */
  located: { message: string; at: At }[];
}

const PATH_FNS = new Set(['django.urls.path', 'django.urls.conf.path']);
const RE_PATH_FNS = new Set(['django.urls.re_path', 'django.urls.conf.re_path']);
const URL_FNS = new Set(['django.conf.urls.url']);
const INCLUDE_FNS = new Set(['django.urls.include', 'django.urls.conf.include', 'django.conf.urls.include']);
const I18N_FNS = new Set(['django.conf.urls.i18n.i18n_patterns']);
const ROUTER_CLASSES = /^rest_framework(_nested)?\.routers\.(DefaultRouter|SimpleRouter|NestedSimpleRouter|NestedDefaultRouter)$|^rest_framework\.routers\.\w*Router$/;
const NO_OP_WRAPPERS = new Set([
  'rest_framework.urlpatterns.format_suffix_patterns',
  'django.contrib.staticfiles.urls.staticfiles_urlpatterns',
  'django.conf.urls.static.static',
]);
const KNOWN = new Set([...PATH_FNS, ...RE_PATH_FNS, ...URL_FNS, ...INCLUDE_FNS, ...I18N_FNS, ...NO_OP_WRAPPERS, 'django.urls.register_converter', 'django.urls.converters.register_converter']);

interface PatternData {
  kind: 'path' | 're_path' | 'url';
  route: string | null;
  name: string | null;
  viewExpr?: Expr;
  viewValue: Value;
  module: string;
  include?: IncludeData;
  defaultKwargs?: string[];
}

interface IncludeData {
  arg: Value;
  namespace: string | null;
  module: string;
}

interface RouterData {
  defaultRouter: boolean;
  trailingSlash: string;
  registrations: { prefix: string; viewExpr?: Expr; basename: string | null; module: string; at: At }[];
}

export function urlHooks(settingValue: (name: string) => Value | undefined): EvalHooks & { known: (fq: string) => boolean } {
  return {
    known: (fq) => KNOWN.has(fq) || ROUTER_CLASSES.test(fq),
    call(fn, call, ctx) {
      if (fn.t !== 'binding') return undefined;
      const fq = fqName(fn.b);
      const at = { file: ctx.file, span: call.s };
      if (PATH_FNS.has(fq) || RE_PATH_FNS.has(fq) || URL_FNS.has(fq)) {
        const kind = PATH_FNS.has(fq) ? 'path' : RE_PATH_FNS.has(fq) ? 're_path' : 'url';
        const routeArg = argument(call, 0, 'route') ?? argument(call, 0, 'regex');
        const viewArg = argument(call, 1, 'view');
        const kwargsArg = argument(call, 2, 'kwargs');
        const nameArg = argument(call, 3, 'name');
        const routeValue = routeArg ? ctx.eval(routeArg) : unknown('no route');
        const viewValue = viewArg ? ctx.eval(viewArg) : unknown('no view');
        const kwargsValue = kwargsArg ? ctx.eval(kwargsArg) : undefined;
        const data: PatternData = {
          kind,
          route: routeValue.t === 'str' ? routeValue.v : null,
          name: nameArg ? toStr(ctx.eval(nameArg)) ?? null : null,
          viewExpr: viewArg,
          viewValue,
          module: ctx.module,
          defaultKwargs: kwargsValue?.t === 'dict' ? kwargsValue.entries.map(([k]) => toStr(k) ?? '?') : undefined,
        };
        if (viewValue.t === 'obj' && viewValue.type === 'include') data.include = viewValue.data as IncludeData;
        else if (isSequence(viewValue) && viewValue.items.length >= 1 && viewArg?.k === 'tuple') {
          // path("x/", (patterns, app_name, namespace)) — include()'s return value written by hand.
          data.include = { arg: viewValue, namespace: toStr(viewValue.items[2]) ?? null, module: ctx.module };
        } else if (viewValue.t === 'obj' && viewValue.type === 'adminurls') {
          data.include = { arg: viewValue, namespace: 'admin', module: ctx.module };
        }
        return { t: 'obj', type: 'pattern', data, at };
      }
      if (INCLUDE_FNS.has(fq)) {
        const arg = argument(call, 0, 'arg');
        const ns = argument(call, 1, 'namespace');
        const nsValue = ns ? ctx.eval(ns) : undefined;
        return {
          t: 'obj',
          type: 'include',
          data: { arg: arg ? ctx.eval(arg) : unknown('include() without argument'), namespace: nsValue ? toStr(nsValue) ?? null : null, module: ctx.module } satisfies IncludeData,
          at,
        };
      }
      if (I18N_FNS.has(fq)) {
        const items = call.args.filter((a) => a.k !== 'star').map((a) => ctx.eval(a));
        const starred = call.args.find((a) => a.k === 'star');
        if (starred && starred.k === 'star') {
          const v = ctx.eval(starred.v);
          if (isSequence(v)) items.push(...v.items);
          else items.push(unknown('i18n_patterns(*unknown)'));
        }
        const useI18n = truthy(settingValue('USE_I18N') ?? { t: 'bool', v: true });
        if (useI18n === false) return { t: 'list', items };
        const pdl = keyword(call, 'prefix_default_language');
        const prefixDefault = pdl ? truthy(ctx.eval(pdl)) : true;
        const lang = toStr(settingValue('LANGUAGE_CODE')) ?? 'en-us';
        return { t: 'list', items: [{ t: 'obj', type: 'locale', data: { prefix: prefixDefault === false ? '' : `${lang}/`, items }, at }] };
      }
      if (NO_OP_WRAPPERS.has(fq)) {
        // format_suffix_patterns(x) keeps x's routes (and adds suffixed twins we do not list);
        // static()/staticfiles_urlpatterns() only serve files in DEBUG.
        const first = call.args[0];
        if (fq.endsWith('format_suffix_patterns') && first) return ctx.eval(first);
        return { t: 'list', items: [] };
      }
      if (ROUTER_CLASSES.test(fq)) {
        const ts = keyword(call, 'trailing_slash');
        const tsv = ts ? truthy(ctx.eval(ts)) : true;
        const data: RouterData = { defaultRouter: /Default/.test(fq), trailingSlash: tsv === false ? '' : '/', registrations: [] };
        return { t: 'obj', type: 'router', data, at };
      }
      return undefined;
    },
    attr(obj, attr) {
      if (obj.type === 'router' && attr === 'urls') return routerPatterns(obj.data as RouterData);
      return undefined;
    },
    method(obj, method, call, ctx) {
      if (obj.type === 'router' && method === 'register') {
        const prefix = argument(call, 0, 'prefix');
        const viewset = argument(call, 1, 'viewset');
        const basename = keyword(call, 'basename') ?? keyword(call, 'base_name') ?? call.args[2];
        const p = prefix ? toStr(ctx.eval(prefix)) : undefined;
        (obj.data as RouterData).registrations.push({
          prefix: p ?? '?',
          viewExpr: viewset,
          basename: basename ? toStr(ctx.eval(basename)) ?? null : null,
          module: ctx.module,
          at: { file: ctx.file, span: call.s },
        });
        return { t: 'none' };
      }
      return undefined;
    },
  };
}

function routerPatterns(r: RouterData): Value {
  const items: Value[] = [];
  if (r.defaultRouter) {
    items.push({ t: 'obj', type: 'routerroute', data: { regex: '^$', name: 'api-root', reg: null } });
  }
  for (const reg of r.registrations) {
    items.push({ t: 'obj', type: 'routerroute', data: { regex: `^${reg.prefix}${r.trailingSlash}$`, suffix: 'list', reg } });
    items.push({ t: 'obj', type: 'routerroute', data: { regex: `^${reg.prefix}/(?P<pk>[^/.]+)${r.trailingSlash}$`, suffix: 'detail', reg } });
  }
  return { t: 'list', items };
}

/** Builds the route list for a project. */
export class UrlReader {
  readonly evaluator: Evaluator;
  private problems: string[] = [];
  private files = new Set<string>();
  readonly located: { message: string; at: At }[] = [];

  constructor(
    private readonly symbols: SymbolResolver,
    private readonly settingValue: (name: string) => Value | undefined,
  ) {
    const hooks = urlHooks(settingValue);
    this.evaluator = new Evaluator(symbols, hooks, (fq) => {
      if (fq === 'django.contrib.admin.site.urls' || fq === 'django.contrib.admin.sites.site.urls') return { t: 'obj', type: 'adminurls', data: {} };
      const m = /^django\.conf\.settings\.([A-Z][A-Z0-9_]*)$/.exec(fq);
      if (m) return this.settingValue(m[1]);
      return undefined;
    }, hooks.known);
  }

  read(rootUrlconf: string): UrlIndex {
    const routes: RouteInfo[] = [];
    if (!this.symbols.modules.has(rootUrlconf)) {
      this.problems.push(`ROOT_URLCONF ${rootUrlconf} is not a module in the workspace`);
    } else {
      this.walkModule(rootUrlconf, [], [], [], routes, [rootUrlconf]);
    }
    return { routes, problems: this.problems, files: this.files, converters: new Map(), located: this.located };
  }

  /** Routes of a URLconf module, for the library fallback (a module read as if it were root). */
  readModule(module: string): RouteInfo[] {
    const routes: RouteInfo[] = [];
    this.walkModule(module, [], [], [], routes, [module]);
    return routes;
  }

  get allProblems(): string[] {
    return this.problems;
  }

  get allFiles(): Set<string> {
    return this.files;
  }

  private moduleEnv(module: string) {
    const res = this.evaluator.module(module);
    for (const f of res.files) this.files.add(f);
    return res;
  }

  private walkModule(module: string, prefix: RouteSegment[], ns: string[], appNs: (string | null)[], out: RouteInfo[], stack: string[]): void {
    const res = this.moduleEnv(module);
    for (const p of res.problems) if (!this.problems.includes(p)) this.problems.push(p);
    const patterns = res.env.get('urlpatterns');
    if (!patterns) {
      this.problems.push(`${module} has no urlpatterns`);
      return;
    }
    this.walkList(patterns, prefix, ns, appNs, out, stack, module);
  }

  private walkList(v: Value, prefix: RouteSegment[], ns: string[], appNs: (string | null)[], out: RouteInfo[], stack: string[], where: string): void {
    if (isSequence(v)) {
      for (const item of v.items) this.walkItem(item, prefix, ns, appNs, out, stack, where);
      return;
    }
    if (v.t === 'unknown' && v.options?.length) {
      // Patterns that depend on a condition: list the longest alternative, flagged.
      const seqs = v.options.filter(isSequence);
      const longest = seqs.sort((a, b) => b.items.length - a.items.length)[0];
      if (longest) {
        const before = out.length;
        this.walkList(longest, prefix, ns, appNs, out, stack, where);
        for (let i = before; i < out.length; i++) out[i].inconclusive ??= v.why;
        return;
      }
    }
    this.problems.push(`urlpatterns in ${where} cannot be read: ${v.t === 'unknown' ? v.why : v.t}`);
  }

  private walkItem(item: Value, prefix: RouteSegment[], ns: string[], appNs: (string | null)[], out: RouteInfo[], stack: string[], where: string): void {
    if (item.t === 'obj' && item.type === 'pattern') {
      const d = item.data as PatternData;
      const seg: RouteSegment = { pattern: d.route ?? '?', kind: d.kind === 'path' ? 'route' : 'regex', at: item.at };
      const segs = [...prefix, seg];
      if (d.include) {
        this.walkInclude(d.include, segs, ns, appNs, out, stack, item.at!, d);
        return;
      }
      const view = this.viewOf(d.module, d.viewExpr, d.viewValue);
      out.push(this.route(segs, d.kind, d.name, ns, appNs, view, item.at!, d.viewExpr?.s, d.defaultKwargs, d.route === null ? 'the route is not a string literal' : undefined));
      return;
    }
    if (item.t === 'obj' && item.type === 'locale') {
      const d = item.data as { prefix: string; items: Value[] };
      const segs = [...prefix, { pattern: d.prefix, kind: 'locale' as const, at: item.at }];
      for (const sub of d.items) this.walkItem(sub, segs, ns, appNs, out, stack, where);
      return;
    }
    if (item.t === 'obj' && item.type === 'routerroute') {
      const d = item.data as { regex: string; name?: string; suffix?: string; reg: RouterData['registrations'][number] | null };
      const segs = [...prefix, { pattern: d.regex, kind: 'regex' as const, at: d.reg?.at ?? item.at }];
      let view: ViewRef | null = null;
      let name = d.name ?? null;
      if (d.reg) {
        view = this.viewOf(d.reg.module, d.reg.viewExpr, unknown('viewset'));
        const base = d.reg.basename ?? this.defaultBasename(view);
        name = base ? `${base}-${d.suffix}` : null;
      }
      out.push(this.route(segs, 'router', name, ns, appNs, view, d.reg?.at ?? item.at ?? { file: '', span: [0, 0, 0, 0] }, undefined, undefined,
        'DRF router: list and detail routes only (no @action routes or format suffixes)'));
      return;
    }
    if (isSequence(item)) {
      // A nested list inside urlpatterns is not valid Django, but `urlpatterns = [a, b] + c` is.
      this.problems.push(`a list inside urlpatterns in ${where}`);
      return;
    }
    this.problems.push(`an entry of urlpatterns in ${where} cannot be read${item.t === 'unknown' ? `: ${item.why}` : ''}`);
  }

  private walkInclude(inc: IncludeData, segs: RouteSegment[], ns: string[], appNs: (string | null)[], out: RouteInfo[], stack: string[], at: At, d: PatternData): void {
    let arg = inc.arg;
    let appName: string | null = null;
    let namespace = inc.namespace;
    if (arg.t === 'obj' && arg.type === 'adminurls') {
      out.push(this.route(segs, 'admin', null, ns, appNs, null, at, d.viewExpr?.s));
      return;
    }
    if (arg.t === 'tuple' && arg.items.length >= 2) {
      appName = toStr(arg.items[1]) ?? null;
      if (arg.items.length >= 3 && !namespace) namespace = toStr(arg.items[2]) ?? null;
      arg = arg.items[0];
    }
    let module: string | undefined;
    if (arg.t === 'str') module = arg.v;
    else if (arg.t === 'binding' && arg.b.kind === 'module') module = arg.b.module;
    if (module !== undefined) {
      if (!this.symbols.modules.has(module)) {
        out.push(this.route(segs, 'include', null, ns, appNs, null, at, d.viewExpr?.s, undefined, `include('${module}'): the module is outside the workspace`));
        return;
      }
      if (stack.includes(module)) {
        const message = `include cycle: ${[...stack, module].join(' → ')}`;
        this.problems.push(message);
        this.located.push({ message, at });
        return;
      }
      const env = this.moduleEnv(module).env;
      if (appName === null) appName = toStr(env.get('app_name')) ?? null;
      const instance = namespace ?? appName;
      if (namespace && !appName) this.problems.push(`include('${module}', namespace='${namespace}') without an app_name: Django raises ImproperlyConfigured`);
      this.walkModule(module, segs, instance ? [...ns, instance] : ns, instance ? [...appNs, appName] : appNs, out, [...stack, module]);
      return;
    }
    if (isSequence(arg) || (arg.t === 'unknown' && arg.options)) {
      const instance = namespace ?? appName;
      this.walkList(arg, segs, instance ? [...ns, instance] : ns, instance ? [...appNs, appName] : appNs, out, stack, d.module);
      return;
    }
    out.push(this.route(segs, 'include', null, ns, appNs, null, at, d.viewExpr?.s, undefined, `include() of a value that cannot be read${arg.t === 'unknown' ? `: ${arg.why}` : ''}`));
  }

  private route(segs: RouteSegment[], kind: RouteKind, name: string | null, ns: string[], appNs: (string | null)[], view: ViewRef | null, declared: At, viewSpan?: Span, defaultKwargs?: string[], inconclusive?: string): RouteInfo {
    const r: RouteInfo = {
      route: segs.map((s) => s.pattern).join(''),
      kind,
      name,
      qualifiedName: name === null ? null : [...ns, name].join(':'),
      namespaces: ns,
      appNamespaces: appNs,
      segments: segs,
      view,
      declared,
    };
    if (viewSpan) r.viewSpan = viewSpan;
    if (defaultKwargs) r.defaultKwargs = defaultKwargs;
    if (inconclusive) r.inconclusive = inconclusive;
    return r;
  }

  private defaultBasename(view: ViewRef | null): string | null {
    // DRF: queryset.model._meta.object_name.lower()
    if (!view || view.kind !== 'class' || !view.module || !view.qualname) return null;
    const b = this.symbols.resolveFrom(view.module, view.qualname.split('.')[0]);
    if (b?.kind !== 'class') return null;
    for (const st of b.def.body) {
      if (st.k === 'assign' && st.targets.some((t) => t.k === 'name' && t.id === 'queryset')) {
        let e: Expr = st.value;
        while (e.k === 'call' && e.fn.k === 'attr') e = e.fn.obj;
        while (e.k === 'attr') e = e.obj;
        if (e.k === 'name') return e.id.toLowerCase();
      }
    }
    return null;
  }

  /** The view a pattern reaches: unwraps decorator calls and `.as_view()`, follows names. */
  viewOf(module: string, e: Expr | undefined, value: Value, decorators: string[] = [], depth = 0): ViewRef | null {
    if (!e || depth > 12) return value.t === 'binding' ? this.viewFromBinding(value.b, decorators) : null;
    const text = dottedName(e);
    if (e.k === 'call') {
      if (e.fn.k === 'attr' && e.fn.attr === 'as_view') {
        const b = this.symbols.resolveExpr(module, e.fn.obj);
        const v = b ? this.viewFromBinding(b, decorators) : null;
        if (v) v.text = dottedName(e.fn.obj);
        return v ?? { kind: 'unknown', module: null, qualname: null, decorators, text: dottedName(e.fn.obj) };
      }
      // A decorator applied in the URLconf: login_required(view), cache_page(60)(view).
      const decoratorName = e.fn.k === 'call' ? dottedName(e.fn.fn) : dottedName(e.fn);
      const inner = e.args[0];
      if (inner) return this.viewOf(module, inner, unknown('decorated'), [...decorators, decoratorName ?? '?'], depth + 1);
      return null;
    }
    if (e.k === 'str') {
      // Django < 2.0 allowed dotted strings as views.
      const dot = e.v.lastIndexOf('.');
      if (dot > 0) {
        const b = this.symbols.resolveFrom(e.v.slice(0, dot), e.v.slice(dot + 1));
        if (b) return this.viewFromBinding(b, decorators);
      }
      return null;
    }
    if (e.k === 'name' || e.k === 'attr') {
      const b = this.symbols.resolveExpr(module, e);
      if (!b) return { kind: 'unknown', module: null, qualname: null, decorators, text };
      if (b.kind === 'value' && b.value && depth < 12) return this.viewOf(b.module, b.value, unknown('alias'), decorators, depth + 1);
      const v = this.viewFromBinding(b, decorators);
      if (v) v.text = text;
      return v;
    }
    return null;
  }

  private viewFromBinding(b: Binding, decorators: string[]): ViewRef | null {
    switch (b.kind) {
      case 'def':
      case 'class':
        return {
          kind: b.kind === 'def' ? 'function' : 'class',
          module: b.module,
          qualname: b.qualname,
          file: b.file,
          span: b.def.s,
          nameSpan: b.def.nameSpan,
          decorators: [...decorators, ...decoratorNames(b.def.decorators)],
        };
      case 'external': {
        const parts = b.fq.split('.');
        const cls = parts.findIndex((p, i) => i > 0 && /^[A-Z]/.test(p));
        const split = cls > 0 ? cls : parts.length - 1;
        return { kind: 'external', module: parts.slice(0, split).join('.'), qualname: parts.slice(split).join('.'), decorators };
      }
      default:
        return null;
    }
  }
}

