/**
 * The lifecycle and trace trees as plain nodes, built from the server's answers. No `vscode`
 * import: the tree provider (lifecycleView.ts) maps these nodes to TreeItems, and the unit tests
 * (test/client) check them directly. Icons are product-icon (codicon) ids; tooltips are Markdown.
 */
import type { FindingInfo, LifecycleLocation, LifecycleProject, LifecycleRoute, MiddlewareInfo, TemplateInfo, TraceResult, UrlNode } from '../../server/src/shared/protocol';

export interface LensNode {
  /** Unique and stable across refreshes, so that expansion state survives them. */
  id: string;
  label: string;
  description?: string;
  /** Markdown. */
  tooltip?: string;
  icon?: string;
  /** A theme color id for the icon (`problemsErrorIcon.foreground` ...). */
  iconColor?: string;
  /** Words matched by the manifest's `viewItem =~ /\broute\b/` menus: route, navigable. */
  contextValue?: string;
  location?: LifecycleLocation;
  children?: LensNode[];
  expanded?: boolean;
  /** For routes: the full pattern (Copy URL pattern) and a concrete example path (Trace URL). */
  pattern?: string;
  examplePath?: string;
  /** For routes: the project root and route index, for revealing the current view. */
  routeKey?: string;
}

const SEVERITY_ICON: Record<string, [string, string]> = {
  error: ['error', 'problemsErrorIcon.foreground'],
  warning: ['warning', 'problemsWarningIcon.foreground'],
  information: ['info', 'problemsInfoIcon.foreground'],
  hint: ['lightbulb', 'problemsInfoIcon.foreground'],
};

export function routeKey(root: string, index: number): string {
  return `${root}#route:${index}`;
}

/** The whole tree: one root per project when there are several, else the project's parts. */
export function lifecycleNodes(projects: LifecycleProject[]): LensNode[] {
  if (projects.length === 1) return projectParts(projects[0]);
  return projects.map((p) => ({
    id: `${p.root}#project`,
    label: p.name,
    description: p.settingsModule ?? 'settings not found',
    tooltip: `**${md(p.name)}**  \n${md(p.root)}  \nsettings: \`${p.settingsModule ?? '?'}\`  \nROOT_URLCONF: \`${p.rootUrlconf ?? '?'}\``,
    icon: 'project',
    children: projectParts(p),
    expanded: true,
  }));
}

function projectParts(p: LifecycleProject): LensNode[] {
  const id = (s: string) => `${p.root}#${s}`;
  const parts: LensNode[] = [];
  const routeCount = p.routes.filter((r) => r.kind !== 'include').length;
  parts.push({
    id: id('request'),
    label: 'Request',
    description: 'enters through the middleware, in settings order',
    icon: 'arrow-down',
    tooltip: 'Django calls each middleware in `settings.MIDDLEWARE` order before the view.',
    children: [],
  });
  parts.push({
    id: id('middleware'),
    label: 'Middleware',
    description: `${p.middleware.length} classes${p.middlewareInconclusive ? ' (not fully read)' : ''}`,
    icon: 'layers',
    tooltip: 'settings.MIDDLEWARE, in order: the request phase runs top to bottom.',
    children: p.middleware.map((m, i) => middlewareNode(p, m, i, 'request')),
    expanded: true,
  });
  parts.push({
    id: id('urls'),
    label: 'URL router',
    description: p.rootUrlconf ? `ROOT_URLCONF = ${p.rootUrlconf} · ${routeCount} routes` : 'ROOT_URLCONF unknown',
    icon: 'type-hierarchy',
    tooltip: 'The URLconf and its `include()` tree: Django tries the patterns in this order and stops at the first match.',
    children: urlNodes(p, p.urlTree),
    expanded: true,
  });
  parts.push({
    id: id('response'),
    label: 'Response',
    description: 'leaves through the middleware, in reverse order',
    icon: 'arrow-up',
    tooltip: 'The response phase runs the same stack bottom to top.',
    children: [...p.middleware].reverse().map((m, i) => middlewareNode(p, m, p.middleware.length - 1 - i, 'response')),
  });
  if (p.problems.length) {
    parts.push({
      id: id('problems'),
      label: 'Inconclusive',
      description: `${p.problems.length}`,
      icon: 'question',
      tooltip: 'Parts of the project that could not be read statically.',
      children: p.problems.map((problem, i) => ({ id: id(`problem:${i}`), label: problem, icon: 'info', tooltip: md(problem) })),
    });
  }
  return parts;
}

function middlewareNode(p: LifecycleProject, m: MiddlewareInfo, index: number, phase: 'request' | 'response'): LensNode {
  const what = phase === 'request' ? m.request : m.response;
  const tip = [`**${md(m.title)}**  \n\`${m.path}\``];
  if (m.request) tip.push(`**Request:** ${md(m.request)}`);
  if (m.response) tip.push(`**Response:** ${md(m.response)}`);
  if (!m.request && !m.response) tip.push(m.location ? 'Defined in this workspace.' : 'Not one of Django\'s own classes.');
  return {
    id: `${p.root}#mw:${phase}:${index}:${m.path}`,
    label: `${index + 1}. ${m.title}`,
    description: what ?? (phase === 'request' && m.response && !m.request ? '(response only)' : phase === 'response' && m.request && !m.response ? '(request only)' : m.path),
    tooltip: tip.join('\n\n'),
    icon: 'symbol-class',
    contextValue: m.location || m.declared ? 'middleware navigable' : 'middleware',
    location: m.location ?? m.declared,
  };
}

function urlNodes(p: LifecycleProject, nodes: UrlNode[], parentId = 'url'): LensNode[] {
  return nodes.map((n, i) => {
    if (n.type === 'route') return routeNode(p, p.routes[n.index]);
    const id = `${p.root}#${parentId}/${i}:${n.pattern}`;
    return {
      id,
      label: n.pattern || '(empty prefix)',
      description: [n.namespace ? `namespace ${n.namespace}` : '', n.segmentKind === 'locale' ? 'i18n_patterns' : n.segmentKind === 'regex' ? 'regex' : 'include()'].filter(Boolean).join(' · '),
      tooltip: `\`include()\` at \`${md(n.pattern)}\`${n.namespace ? `  \nnamespace \`${n.namespace}\`` : ''}`,
      icon: n.segmentKind === 'locale' ? 'globe' : 'symbol-namespace',
      contextValue: n.declared ? 'include navigable' : 'include',
      location: n.declared,
      children: urlNodes(p, n.children, `${parentId}/${i}`),
      expanded: true,
    };
  });
}

export function routeNode(p: LifecycleProject, r: LifecycleRoute): LensNode {
  const id = routeKey(p.root, r.index);
  const children: LensNode[] = [];
  if (r.view) {
    const deco = r.view.decorators.map((d) => `@${d}`).join(' ');
    children.push({
      id: `${id}/view`,
      label: r.view.label,
      description: [r.view.kind === 'class' ? `class-based${r.view.genericBase ? ` (${r.view.genericBase})` : ''}` : r.view.kind === 'function' ? 'function' : r.view.kind, deco].filter(Boolean).join(' · '),
      tooltip: `**View** \`${md([r.view.module, r.view.qualname].filter(Boolean).join('.') || r.view.label)}\`${deco ? `  \n${md(deco)}` : ''}${r.view.methods ? `  \nAccepts ${r.view.methods.join(', ')} only` : ''}`,
      icon: r.view.kind === 'class' ? 'symbol-class' : 'symbol-method',
      contextValue: r.view.location ? 'view navigable' : 'view',
      location: r.view.location,
    });
  }
  if (r.models.length) {
    children.push({
      id: `${id}/models`,
      label: 'Models',
      description: r.models.map((m) => m.name).join(', '),
      icon: 'database',
      tooltip: 'Models the view queries through the ORM.',
      children: r.models.map((m) => ({ id: `${id}/model:${m.label}`, label: m.name, description: m.label, icon: 'symbol-structure', contextValue: m.location ? 'model navigable' : 'model', location: m.location, tooltip: `Model \`${m.label}\`` })),
    });
  }
  if (r.templates.length) {
    children.push({
      id: `${id}/templates`,
      label: 'Templates',
      description: r.templates.map((t) => t.name).join(', '),
      icon: 'file-code',
      tooltip: 'Templates the view renders.',
      children: r.templates.map((t, i) => templateNode(`${id}/template:${i}`, t)),
    });
  }
  if (r.findings.length) {
    children.push({
      id: `${id}/findings`,
      label: 'Findings',
      description: `${r.findings.length}`,
      icon: 'warning',
      iconColor: 'problemsWarningIcon.foreground',
      tooltip: 'Diagnostics on this path: in the view, its templates and the route.',
      children: r.findings.map((f, i) => findingNode(`${id}/finding:${i}`, f)),
      expanded: true,
    });
  }
  const worst = r.findings.some((f) => f.severity === 'error') ? 'error' : r.findings.length ? 'warning' : undefined;
  const shown = `/${r.route}`;
  return {
    id,
    label: shown,
    description: [r.qualifiedName ?? (r.kind === 'admin' ? 'admin site' : ''), r.view && !r.qualifiedName ? r.view.label : '', r.findings.length ? `${r.findings.length} finding${r.findings.length > 1 ? 's' : ''}` : ''].filter(Boolean).join(' · '),
    tooltip: [
      `**\`${md(shown)}\`**`,
      r.qualifiedName ? `name \`${r.qualifiedName}\`` : 'unnamed route',
      r.view ? `view \`${md(r.view.label)}\`` : '',
      r.inconclusive ? `inconclusive: ${md(r.inconclusive)}` : '',
    ].filter(Boolean).join('  \n'),
    icon: worst ? SEVERITY_ICON[worst][0] : r.kind === 'admin' ? 'shield' : r.kind === 'include' ? 'question' : 'link',
    iconColor: worst ? SEVERITY_ICON[worst][1] : undefined,
    contextValue: 'route navigable',
    location: r.declared,
    children: children.length ? children : undefined,
    pattern: r.route,
    examplePath: examplePath(r.route),
    routeKey: id,
  };
}

function templateNode(id: string, t: TemplateInfo): LensNode {
  const children: LensNode[] = [];
  if (t.extends) children.push({ id: `${id}/extends`, label: t.extends.name, description: 'extends', icon: 'arrow-small-up', contextValue: t.extends.location ? 'template navigable' : 'template', location: t.extends.location });
  t.includes.forEach((inc, i) => children.push({ id: `${id}/include:${i}`, label: inc.name, description: 'includes', icon: 'arrow-small-right', contextValue: inc.location ? 'template navigable' : 'template', location: inc.location }));
  return {
    id,
    label: t.name,
    description: t.location ? t.via : `${t.via} · not found`,
    tooltip: `Template \`${md(t.name)}\`${t.location ? `  \n${md(t.location.file)}` : '  \nnot found in the template roots'}`,
    icon: 'file-code',
    contextValue: t.location ? 'template navigable' : 'template',
    location: t.location,
    children: children.length ? children : undefined,
  };
}

function findingNode(id: string, f: FindingInfo): LensNode {
  const [icon, color] = SEVERITY_ICON[f.severity] ?? SEVERITY_ICON.warning;
  return {
    id,
    label: `${f.code} ${f.message}`,
    description: `${basename(f.location.file)}:${f.location.span[0] + 1}`,
    tooltip: `**${f.code}** (${f.severity})  \n${md(f.message)}`,
    icon,
    iconColor: color,
    contextValue: 'finding navigable',
    location: f.location,
  };
}

/** A concrete path for a route pattern, to pre-fill Trace URL: converters get sample values. */
export function examplePath(route: string): string {
  const SAMPLE: Record<string, string> = { int: '1', str: 'example', slug: 'example-slug', uuid: '123e4567-e89b-12d3-a456-426614174000', path: 'some/path' };
  let out = route.replace(/<(?:([^>:]+):)?([^>]+)>/g, (_m, conv: string | undefined) => SAMPLE[conv ?? 'str'] ?? 'value');
  // Regex levels: drop anchors and replace the groups with a plausible value.
  out = out
    .replace(/\(\?P<\w+>[^)]*\)|\([^)]*\)/g, (g) => (/^\((?:\?P<\w+>)?(?:\\d|\[0-9\])/.test(g) ? '1' : 'example'))
    .replace(/\\d\+?|\[0-9\]\+?/g, '1')
    .replace(/[\^$]/g, '')
    .replace(/\\(.)/g, '$1');
  return `/${out}`;
}

/** The Trace URL result as a tree: middleware in, the route and its captures, view, templates, middleware out. */
export function traceNodes(t: TraceResult): LensNode[] {
  const r = t.result;
  const id = (s: string) => `trace#${s}`;
  const nodes: LensNode[] = [];
  nodes.push({
    id: id('request'),
    label: `${t.method} ${r.path}`,
    description: r.match ? (t.methodAllowed ? 'resolved' : `${t.method} not allowed (405)`) : 'no match (404)',
    tooltip: [`Traced statically in **${md(t.project)}**`, ...r.notes.map(md)].join('  \n'),
    icon: r.match ? (t.methodAllowed ? 'pass' : 'error') : 'error',
    iconColor: r.match && t.methodAllowed ? 'testing.iconPassed' : 'problemsErrorIcon.foreground',
  });
  nodes.push({
    id: id('in'),
    label: 'Middleware in',
    description: `${t.middleware.length} classes, top to bottom`,
    icon: 'arrow-down',
    children: t.middleware.map((m, i) => ({ id: id(`in:${i}`), label: `${i + 1}. ${m.title}`, description: m.request ?? m.path, tooltip: `\`${m.path}\``, icon: 'symbol-class', location: m.location ?? m.declared, contextValue: 'navigable' })),
  });
  if (r.match && t.route) {
    const route = t.route;
    const captures = [
      ...r.match.args.map((a, i) => `arg ${i}: ${JSON.stringify(a)}`),
      ...Object.entries(r.match.kwargs).map(([k, v]) => `${k}=${JSON.stringify(v)}${r.match!.unconverted.includes(k) ? ' (before to_python)' : ''}`),
    ];
    nodes.push({
      id: id('route'),
      label: `/${route.route}`,
      description: [route.qualifiedName ?? '', captures.join(', ')].filter(Boolean).join(' · '),
      tooltip: `Matched level by level: ${r.match.segments.map((s) => `\`${md(s.pattern || '(empty)')}\` ← \`${md(s.matched)}\``).join(', ')}`,
      icon: 'link',
      location: route.declared,
      contextValue: 'navigable',
      children: r.match.segments.map((s, i) => ({ id: id(`seg:${i}`), label: s.pattern || '(empty)', description: `matched "${s.matched}"`, icon: s.kind === 'regex' ? 'regex' : s.kind === 'locale' ? 'globe' : 'symbol-string' })),
    });
    if (route.view) {
      nodes.push({
        id: id('view'),
        label: route.view.label,
        description: [route.view.decorators.map((d) => `@${d}`).join(' '), t.methodAllowed ? '' : `accepts ${route.view.methods?.join(', ')}`].filter(Boolean).join(' · ') || route.view.kind,
        icon: route.view.kind === 'class' ? 'symbol-class' : 'symbol-method',
        location: route.view.location,
        contextValue: 'navigable',
      });
    }
    if (route.models.length) nodes.push({ id: id('models'), label: 'Models', description: route.models.map((m) => m.name).join(', '), icon: 'database', children: route.models.map((m) => ({ id: id(`model:${m.label}`), label: m.name, description: m.label, icon: 'symbol-structure', location: m.location, contextValue: 'navigable' })) });
    for (const [i, tpl] of route.templates.entries()) nodes.push({ ...templateNode(id(`template:${i}`), tpl), label: `Template ${tpl.name}` });
    if (route.findings.length) nodes.push({ id: id('findings'), label: 'Findings', description: `${route.findings.length}`, icon: 'warning', iconColor: 'problemsWarningIcon.foreground', children: route.findings.map((f, i) => findingNode(id(`finding:${i}`), f)), expanded: true });
    if (t.shadowed.length) {
      nodes.push({
        id: id('shadowed'),
        label: 'Shadowed',
        description: `${t.shadowed.length} later pattern${t.shadowed.length > 1 ? 's' : ''} also match`,
        tooltip: 'Django stops at the first matching pattern: these would also match this path but are never reached for it.',
        icon: 'eye-closed',
        children: t.shadowed.map((s) => ({ id: id(`shadow:${s.index}`), label: `/${s.route}`, description: s.qualifiedName ?? '', icon: 'link', location: s.declared, contextValue: 'navigable' })),
      });
    }
  } else {
    const tried: LensNode[] = r.partial.map((p, i) => {
      const prefix = p.matched.map((s) => s.matched).join('');
      return {
        id: id(`partial:${i}`),
        label: prefix ? `"${prefix}" matched ${p.matched.map((s) => s.pattern).join(' → ')}` : 'no prefix matched',
        description: `then "${p.remaining}" failed against ${p.tried.slice(0, 4).map((x) => JSON.stringify(x)).join(', ')}${p.tried.length > 4 ? ', …' : ''}`,
        tooltip: `Tried at this level:\n\n${p.tried.map((x) => `- \`${md(x)}\``).join('\n')}`,
        icon: 'debug-breakpoint-unverified',
        location: t.partialRoutes[i]?.declared,
        contextValue: 'navigable',
      };
    });
    nodes.push({ id: id('nomatch'), label: 'No route matches', description: `${r.tested} patterns tried`, icon: 'error', iconColor: 'problemsErrorIcon.foreground', children: tried, expanded: true });
    if (t.appendSlash && r.appendSlash) {
      nodes.push({ id: id('slash'), label: `CommonMiddleware redirects to ${r.appendSlash.path}`, description: `APPEND_SLASH → /${t.appendSlash.route}`, icon: 'arrow-right', location: t.appendSlash.declared, contextValue: 'navigable' });
    }
  }
  if (r.inconclusive.length) {
    nodes.push({ id: id('inconclusive'), label: 'Not tested', description: `${r.inconclusive.length} patterns`, icon: 'question', children: r.inconclusive.map((x, i) => ({ id: id(`inc:${i}`), label: x.reason, icon: 'info' })) });
  }
  nodes.push({
    id: id('out'),
    label: 'Middleware out',
    description: 'bottom to top',
    icon: 'arrow-up',
    children: [...t.middleware].reverse().map((m, i) => ({ id: id(`out:${i}`), label: `${t.middleware.length - i}. ${m.title}`, description: m.response ?? m.path, icon: 'symbol-class', location: m.location ?? m.declared, contextValue: 'navigable' })),
  });
  return nodes;
}

/** Plain text for the Trace URL result (the output channel and the tests). */
export function traceText(t: TraceResult): string {
  const lines: string[] = [];
  const walk = (nodes: LensNode[], indent: string) => {
    for (const n of nodes) {
      lines.push(`${indent}${n.label}${n.description ? ` — ${n.description}` : ''}`);
      if (n.children) walk(n.children, `${indent}  `);
    }
  };
  walk(traceNodes(t), '');
  return lines.join('\n');
}

function basename(p: string): string {
  return p.split(/[\\/]/).pop() ?? p;
}

/** Escapes Markdown in text shown in tooltips. */
function md(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+!|<>]/g, '\\$&');
}
