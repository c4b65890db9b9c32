/**
 * The request lifecycle of each project as plain data, for the client's tree view and for Trace
 * URL: the middleware stack (request phase in settings order; the response phase is the same
 * stack reversed), the URLconf's include() tree with namespaces, and for each route the view it
 * reaches (with decorators), the models the view queries, the templates it renders (with what
 * they extend and include) and the findings that lie on that path. Everything is read from the
 * Project model and the findings handed in; nothing here knows LSP or VS Code, and locations are
 * absolute paths with the core's 0-based spans.
 */
import type { Node as SyntaxNode } from 'web-tree-sitter';
import { type ResolveResult, StaticResolver, allowedMethods } from './project/resolve';
import type { Project } from './project/project';
import type { RouteInfo } from './project/urls';
import type { ViewInfo } from './project/views';
import type { Finding, Span } from './types';
import type { Workspace } from './workspace';

export interface Location {
  file: string;
  span: Span;
}

export interface MiddlewareInfo {
  path: string;
  /** The class name. */
  title: string;
  /** What the class does in the request and response phases (Django's own classes). */
  request?: string;
  response?: string;
  /** The class, when it is defined in the workspace. */
  location?: Location;
  /** The entry in settings.MIDDLEWARE. */
  declared?: Location;
}

export interface TemplateInfo {
  name: string;
  location?: Location;
  /** How the view names it: a render() call, template_name, or a generic view default. */
  via: string;
  extends?: { name: string; location?: Location };
  includes: { name: string; location?: Location }[];
}

export interface FindingInfo {
  code: string;
  severity: string;
  message: string;
  location: Location;
}

export interface LifecycleRoute {
  /** Index into the project's route list. */
  index: number;
  route: string;
  kind: RouteInfo['kind'];
  name: string | null;
  qualifiedName: string | null;
  namespaces: string[];
  declared: Location;
  view: {
    kind: string;
    label: string;
    module: string | null;
    qualname: string | null;
    decorators: string[];
    genericBase?: string;
    location?: Location;
    /** HTTP methods allowed by require_POST/require_GET/require_safe; undefined: any. */
    methods?: string[];
  } | null;
  models: { label: string; name: string; location?: Location }[];
  templates: TemplateInfo[];
  findings: FindingInfo[];
  inconclusive?: string;
}

/** A level of the include() tree: a prefix and what it includes, or a route. */
export type UrlNode =
  | { type: 'include'; pattern: string; segmentKind: string; namespace?: string; declared?: Location; children: UrlNode[] }
  | { type: 'route'; index: number };

export interface LifecycleProject {
  name: string;
  root: string;
  settingsModule: string | null;
  settingsFile: string | null;
  rootUrlconf: string | null;
  middleware: MiddlewareInfo[];
  middlewareInconclusive: boolean;
  routes: LifecycleRoute[];
  urlTree: UrlNode[];
  problems: string[];
}

/** What Django's own middleware does, in each phase (django/middleware, django/contrib). */
export const DJANGO_MIDDLEWARE: Record<string, { request?: string; response?: string }> = {
  'django.middleware.security.SecurityMiddleware': {
    request: 'Redirects HTTP to HTTPS when SECURE_SSL_REDIRECT is on.',
    response: 'Adds HSTS, X-Content-Type-Options, Referrer-Policy and Cross-Origin-Opener-Policy headers.',
  },
  'django.contrib.sessions.middleware.SessionMiddleware': {
    request: 'Loads request.session from the session cookie.',
    response: 'Saves a modified session and sets the session cookie.',
  },
  'django.middleware.common.CommonMiddleware': {
    request: 'Rejects DISALLOWED_USER_AGENTS; APPEND_SLASH and PREPEND_WWW redirects.',
    response: 'Redirects 404s to the URL with a slash (APPEND_SLASH); sets Content-Length.',
  },
  'django.middleware.csrf.CsrfViewMiddleware': {
    request: 'Rejects POST, PUT, PATCH and DELETE without a valid CSRF token, unless the view is csrf_exempt.',
    response: 'Sets or rotates the CSRF cookie when a template used {% csrf_token %}.',
  },
  'django.contrib.auth.middleware.AuthenticationMiddleware': {
    request: 'Sets request.user (lazily, from the session); needs SessionMiddleware before it.',
  },
  'django.contrib.auth.middleware.RemoteUserMiddleware': { request: 'Logs in the user named by the REMOTE_USER header.' },
  'django.contrib.messages.middleware.MessageMiddleware': {
    request: 'Attaches the messages storage (request._messages).',
    response: 'Stores messages that were not shown yet.',
  },
  'django.middleware.clickjacking.XFrameOptionsMiddleware': {
    response: 'Sets X-Frame-Options (DENY by default) unless the view is xframe_options_exempt.',
  },
  'django.middleware.locale.LocaleMiddleware': {
    request: 'Activates the language from the URL prefix, the language cookie or Accept-Language.',
    response: 'Redirects to a language-prefixed URL on a 404 (i18n_patterns); sets Content-Language and Vary.',
  },
  'django.middleware.gzip.GZipMiddleware': { response: 'Compresses the response for clients that accept gzip.' },
  'django.middleware.http.ConditionalGetMiddleware': { response: 'Answers 304 Not Modified from ETag and Last-Modified.' },
  'django.middleware.cache.UpdateCacheMiddleware': { response: 'Stores cacheable responses in the cache.' },
  'django.middleware.cache.FetchFromCacheMiddleware': { request: 'Answers GET and HEAD from the cache when it can.' },
  'django.middleware.cache.CacheMiddleware': { request: 'Answers from the cache when it can.', response: 'Stores cacheable responses.' },
  'django.contrib.sites.middleware.CurrentSiteMiddleware': { request: 'Sets request.site.' },
  'django.contrib.flatpages.middleware.FlatpageFallbackMiddleware': { response: 'Serves a flat page instead of a 404.' },
  'django.contrib.redirects.middleware.RedirectFallbackMiddleware': { response: 'Turns a 404 into a redirect from the redirects table.' },
  'django.contrib.admindocs.middleware.XViewMiddleware': { request: 'Adds X-View headers for HEAD requests from internal IPs.' },
};

const MANAGER_ATTRS = new Set(['objects', '_default_manager', '_base_manager']);
const SHORTCUTS = new Set(['get_object_or_404', 'get_list_or_404']);

/** Builds the lifecycle of every Django project of the workspace. */
export function buildLifecycle(ws: Workspace, findings: Finding[]): LifecycleProject[] {
  const out: LifecycleProject[] = [];
  for (const project of ws.projects()) {
    if (project.spec.library) continue;
    out.push(projectLifecycle(ws, project, findings));
  }
  return out;
}

export function projectLifecycle(ws: Workspace, project: Project, findings: Finding[]): LifecycleProject {
  const settings = project.settings;
  const middleware = settings.middleware.items.map((m) => middlewareInfo(project, m.value, m.at));
  const viewsByKey = new Map<string, ViewInfo>();
  for (const v of project.views) viewsByKey.set(`${v.module}:${v.qualname}`, v);
  const modelQueries = new Map<string, LifecycleRoute['models']>();
  const routes = project.urls.routes.map((r, index) => {
    const view = r.view?.module && r.view.qualname ? viewsByKey.get(`${r.view.module}:${r.view.qualname}`) : undefined;
    return routeLifecycle(ws, project, r, index, view, findings, modelQueries);
  });
  return {
    name: project.name,
    root: project.root,
    settingsModule: project.spec.settingsModule,
    settingsFile: settings.file,
    rootUrlconf: settings.rootUrlconf,
    middleware,
    middlewareInconclusive: settings.middleware.inconclusive,
    routes,
    urlTree: urlTree(project.urls.routes),
    problems: project.problems,
  };
}

function middlewareInfo(project: Project, path: string, declared: Location | undefined): MiddlewareInfo {
  const dot = path.lastIndexOf('.');
  const info: MiddlewareInfo = { path, title: dot >= 0 ? path.slice(dot + 1) : path, ...DJANGO_MIDDLEWARE[path] };
  if (declared) info.declared = declared;
  if (dot > 0) {
    const b = project.symbols.resolveFrom(path.slice(0, dot), path.slice(dot + 1));
    if (b && (b.kind === 'class' || b.kind === 'def')) info.location = { file: b.file, span: b.def.nameSpan };
  }
  return info;
}

function routeLifecycle(ws: Workspace, project: Project, r: RouteInfo, index: number, view: ViewInfo | undefined, findings: Finding[], modelQueries: Map<string, LifecycleRoute['models']>): LifecycleRoute {
  const out: LifecycleRoute = {
    index,
    route: r.route,
    kind: r.kind,
    name: r.name,
    qualifiedName: r.qualifiedName,
    namespaces: r.namespaces,
    declared: r.declared,
    view: null,
    models: [],
    templates: [],
    findings: [],
  };
  if (r.inconclusive) out.inconclusive = r.inconclusive;
  if (r.view) {
    const decorators = [...new Set([...(r.view.decorators ?? []), ...(view?.decorators ?? [])])];
    out.view = {
      kind: r.view.kind,
      label: r.view.qualname ?? r.view.text ?? '(unknown view)',
      module: r.view.module,
      qualname: r.view.qualname,
      decorators,
    };
    if (view?.genericBase) out.view.genericBase = view.genericBase;
    const loc = r.view.file && r.view.nameSpan ? { file: r.view.file, span: r.view.nameSpan } : view ? { file: view.file, span: view.nameSpan } : undefined;
    if (loc) out.view.location = loc;
    const methods = allowedMethods(decorators);
    if (methods) out.view.methods = methods;
  }
  if (view) {
    const key = `${view.file}:${view.span.join(',')}`;
    let models = modelQueries.get(key);
    if (!models) {
      models = queriedModels(ws, project, view);
      modelQueries.set(key, models);
    }
    out.models = models;
    out.templates = view.templates.map((t) => templateInfo(ws, project, t.name, t.via));
  }
  // Findings on the path: in the view's definition, in the templates it renders (and their
  // parents and includes), and on the route's own line in the URLconf.
  const templateFiles = new Set<string>();
  for (const t of out.templates) {
    if (t.location) templateFiles.add(t.location.file);
    if (t.extends?.location) templateFiles.add(t.extends.location.file);
    for (const i of t.includes) if (i.location) templateFiles.add(i.location.file);
  }
  for (const f of findings) {
    const inView = view && f.file === view.file && spanWithin(f.span, view.span);
    const onRoute = f.file === r.declared.file && spanWithin(f.span, r.declared.span);
    if (inView || onRoute || templateFiles.has(f.file)) {
      out.findings.push({ code: f.code, severity: f.severity, message: f.message, location: { file: f.file, span: f.span } });
    }
  }
  return out;
}

function spanWithin(inner: Span, outer: Span): boolean {
  return (inner[0] > outer[0] || (inner[0] === outer[0] && inner[1] >= outer[1])) && (inner[2] < outer[2] || (inner[2] === outer[2] && inner[3] <= outer[3]));
}

/**
 * The models a view queries: `Model.objects…` and `get_object_or_404(Model, …)` inside its
 * definition (read from the syntax tree), and a class-based view's `model`.
 */
function queriedModels(ws: Workspace, project: Project, view: ViewInfo): LifecycleRoute['models'] {
  const names = new Set<string>();
  if (view.model) names.add(view.model);
  ws.withTree(view.file, (tree) => {
    const visit = (n: SyntaxNode) => {
      const start = n.startPosition;
      if (n.endPosition.row < view.span[0] || start.row > view.span[2]) return;
      if (n.type === 'attribute') {
        const obj = n.childForFieldName('object');
        const attr = n.childForFieldName('attribute');
        if (obj?.type === 'identifier' && attr && MANAGER_ATTRS.has(attr.text)) names.add(obj.text);
      } else if (n.type === 'call') {
        const fn = n.childForFieldName('function');
        const first = n.childForFieldName('arguments')?.namedChildren[0];
        if (fn?.type === 'identifier' && SHORTCUTS.has(fn.text) && first?.type === 'identifier') names.add(first.text);
      }
      for (const c of n.namedChildren) if (c) visit(c);
    };
    visit(tree.rootNode);
  });
  const out: LifecycleRoute['models'] = [];
  for (const name of names) {
    const model = project.models.byLabel.get(name) ?? modelByName(project, view.module, name);
    if (model) {
      if (!out.some((m) => m.label === model.label)) out.push({ label: model.label, name: model.name, location: { file: model.file, span: model.nameSpan } });
    }
  }
  return out;
}

function modelByName(project: Project, module: string, name: string) {
  const b = project.symbols.resolveFrom(module, name);
  if (b?.kind === 'class') {
    const m = project.models.models.find((x) => x.module === b.module && x.qualname === b.qualname);
    if (m) return m;
  }
  return undefined;
}

function templateLocation(project: Project, name: string): Location | undefined {
  const file = project.templates.byName.get(name)?.[0];
  return file ? { file, span: [0, 0, 0, 0] } : undefined;
}

function templateInfo(ws: Workspace, project: Project, name: string, via: string): TemplateInfo {
  const info: TemplateInfo = { name, via, includes: [] };
  const location = templateLocation(project, name);
  if (!location) return info;
  info.location = location;
  const parsed = ws.template(location.file)?.parsed;
  if (parsed?.extends?.name) info.extends = { name: parsed.extends.name, location: templateLocation(project, parsed.extends.name) };
  for (const inc of parsed?.includes ?? []) {
    if (inc.name && !info.includes.some((i) => i.name === inc.name)) info.includes.push({ name: inc.name, location: templateLocation(project, inc.name) });
  }
  return info;
}

/**
 * The include() tree: routes grouped by their enclosing include levels (every segment but the
 * last), in declaration order. An include level's namespace is the part of its routes'
 * namespaces that its parent does not already show.
 */
export function urlTree(routes: RouteInfo[]): UrlNode[] {
  interface Building { node: Extract<UrlNode, { type: 'include' }>; key: string }
  const root: UrlNode[] = [];
  const open: Building[] = [];
  routes.forEach((r, index) => {
    const levels = r.kind === 'include' || r.kind === 'admin' ? r.segments.length : Math.max(0, r.segments.length - 1);
    // Close the open includes this route does not share.
    let depth = 0;
    while (depth < open.length && depth < levels && open[depth].key === segmentKey(r, depth)) depth++;
    open.length = depth;
    for (let d = depth; d < levels; d++) {
      const seg = r.segments[d];
      const node: Extract<UrlNode, { type: 'include' }> = { type: 'include', pattern: seg.pattern, segmentKind: seg.kind, children: [] };
      if (seg.at) node.declared = seg.at;
      (d === 0 ? root : open[d - 1].node.children).push(node);
      open.push({ node, key: segmentKey(r, d) });
    }
    (levels === 0 ? root : open[levels - 1].node.children).push({ type: 'route', index });
  });
  // Assign namespaces top-down from the collected common prefixes.
  const assign = (nodes: UrlNode[], shown: number, all: Map<UrlNode, string[]>) => {
    for (const n of nodes) {
      if (n.type !== 'include') continue;
      const ns = all.get(n) ?? [];
      if (ns.length > shown) n.namespace = ns.slice(shown).join(':');
      assign(n.children, Math.max(shown, ns.length), all);
    }
  };
  const nsOf = new Map<UrlNode, string[]>();
  const collect = (nodes: UrlNode[]): string[] | null => {
    let common: string[] | null = null;
    for (const n of nodes) {
      const ns = n.type === 'route' ? routes[n.index].namespaces : collect(n.children);
      if (ns === null) continue;
      common = common === null ? [...ns] : commonPrefix(common, ns);
    }
    return common;
  };
  const walk = (nodes: UrlNode[]) => {
    for (const n of nodes) {
      if (n.type !== 'include') continue;
      nsOf.set(n, collect(n.children) ?? []);
      walk(n.children);
    }
  };
  walk(root);
  assign(root, 0, nsOf);
  return root;
}

function segmentKey(r: RouteInfo, depth: number): string {
  const s = r.segments[depth];
  return `${s.kind}:${s.pattern}:${s.at ? `${s.at.file}:${s.at.span.join(',')}` : ''}`;
}

function commonPrefix(a: string[], b: string[]): string[] {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return a.slice(0, i);
}

// ---------------------------------------------------------------------------------------------
// Trace URL

export interface TraceResult {
  project: string;
  root: string;
  result: ResolveResult;
  method: string;
  /** False when the view only accepts other methods (require_POST ...): Django answers 405. */
  methodAllowed: boolean;
  middleware: MiddlewareInfo[];
  route?: LifecycleRoute;
  shadowed: LifecycleRoute[];
  appendSlash?: LifecycleRoute;
  /** The include() levels of the routes whose prefix matched, when nothing matched fully. */
  partialRoutes: LifecycleRoute[];
}

/**
 * Resolves a concrete path in one project and lays out the chain: middleware in, the route with
 * its captured arguments, the view and its templates, middleware out (the client shows the
 * middleware twice, the second time reversed).
 */
export function traceUrl(ws: Workspace, project: Project, path: string, method: string, findings: Finding[]): TraceResult {
  const lifecycle = projectLifecycle(ws, project, findings);
  const resolver = new StaticResolver(project.urls);
  const commonMiddleware = lifecycle.middleware.some((m) => m.path === 'django.middleware.common.CommonMiddleware');
  const appendSlashSetting = project.setting('APPEND_SLASH');
  const appendSlash = commonMiddleware && !(appendSlashSetting?.t === 'bool' && appendSlashSetting.v === false);
  const result = resolver.resolve(path, { appendSlash });
  const route = result.match ? lifecycle.routes[result.match.route] : undefined;
  const m = method.toUpperCase();
  const methods = route?.view?.methods;
  return {
    project: lifecycle.name,
    root: lifecycle.root,
    result,
    method: m,
    methodAllowed: !methods || methods.includes(m),
    middleware: lifecycle.middleware,
    route,
    shadowed: result.shadowed.map((s) => lifecycle.routes[s.route]),
    appendSlash: result.appendSlash ? lifecycle.routes[result.appendSlash.match.route] : undefined,
    partialRoutes: result.partial.map((p) => lifecycle.routes[p.route]),
  };
}
