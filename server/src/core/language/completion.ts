/**
 * Completion: URL names (namespaced, with the route and view as detail) inside the name argument
 * of reverse/reverse_lazy/redirect/resolve_url and in `{% url '` ; after a name, the route's
 * parameters (`pk=`, reverse()'s `kwargs={"pk"` keys, the parameter an `args=[...]` item fills);
 * template names wherever a template is named; ORM lookup paths (fields, relations forward and
 * reverse, then transforms and lookups) in queryset calls.
 */
import { relative } from 'node:path';
import { type LookupMode, nextNames } from '../orm/lookups';
import type { Project } from '../project/project';
import type { RouteInfo } from '../project/urls';
import { TEMPLATE_ARG } from '../project/views';
import { nodeAt } from '../templates/parser';
import type { Span } from '../types';
import type { Workspace } from '../workspace';
import { ormSiteAt } from './orm';
import { type UrlArgsAt, pythonAt, urlArgsAt } from './pyContext';
import { isTemplateFile } from './referent';
import type { Completion } from './types';
import { describeParams, displayRoute, resolveUrlName, routeParams, urlNames } from './urlNames';
import { URL_CALLS } from './uses';

export function completion(ws: Workspace, file: string, line: number, character: number): Completion[] {
  const project = ws.projectFor(file);
  if (!project) return [];
  return isTemplateFile(file) ? templateCompletion(ws, project, file, line, character) : pythonCompletion(ws, project, file, line, character);
}

function pythonCompletion(ws: Workspace, project: Project, file: string, line: number, character: number): Completion[] {
  const args = urlArgsAt(ws, file, line, character);
  if (args) return urlArgsCompletion(project, args);
  const at = pythonAt(ws, file, line, character);
  if (!at?.call) return [];
  const orm = ormSiteAt(project, file, at);
  if (orm) return ormCompletion(project, orm.model, orm.prefix, orm.mode, line, character);
  if (at.kind === 'keyword') {
    // redirect("blog:detail", |): the route's parameters as keywords.
    const { name, call } = at.call;
    if ((name === 'redirect' || name === 'resolve_url') && at.call.argIndex === undefined && call.args[0]?.k === 'str') {
      return paramCompletion(project, call.args[0].v, call.kw.map((k) => k.name ?? ''), [line, at.span[1], line, character]);
    }
    return [];
  }
  const replace: Span = [at.contentSpan[0], at.contentSpan[1], at.contentSpan[2], at.contentSpan[3]];
  if (replace[0] !== replace[2]) return [];
  const { name, argIndex, keyword } = at.call;
  if (URL_CALLS.has(name) && (argIndex === 0 || keyword === 'viewname' || keyword === 'to')) return urlNameCompletion(project, replace);
  const spec = TEMPLATE_ARG[name];
  if ((spec && (argIndex === spec[0] || keyword === spec[1])) || keyword === 'template_name') return templateNameCompletion(project, replace);
  return [];
}

export function urlNameCompletion(project: Project, replace: Span): Completion[] {
  const out: Completion[] = [];
  for (const [name, routes] of urlNames(project.urls.routes)) {
    const route = routes[0];
    if (!route) continue;
    out.push({
      label: name,
      kind: 'url',
      detail: `${displayRoute(route)} → ${viewText(route)}`,
      documentation: routeMarkdown(project, route, routes.length),
      replace,
      sortText: `${name.split(':').length}${name}`,
    });
  }
  return out;
}

export function viewText(route: RouteInfo): string {
  const v = route.view;
  if (!v) return route.kind === 'admin' ? 'admin site' : '?';
  return v.module && v.qualname ? `${v.module}.${v.qualname}` : v.text ?? '?';
}

function routeMarkdown(project: Project, route: RouteInfo, count: number): string {
  const lines = [`\`${displayRoute(route)}\``, '', `view: \`${viewText(route)}\``, `parameters: ${describeParams(route)}`];
  lines.push(`declared in ${relative(project.root, route.declared.file)}:${route.declared.span[0] + 1}`);
  if (count > 1) lines.push(`(${count} patterns carry this name; reverse() tries the last declared first)`);
  return lines.join('\n');
}

function templateNameCompletion(project: Project, replace: Span): Completion[] {
  const out: Completion[] = [];
  for (const [name, files] of project.templates.byName) {
    if (!/\.(html?|txt|xml|email|json|js|css)$/i.test(name)) continue;
    out.push({ label: name, kind: 'template', detail: relative(project.root, files[0]), replace, sortText: name });
  }
  return out;
}

function paramCompletion(project: Project, urlName: string, given: string[], replace: Span): Completion[] {
  const route = resolveUrlName(project.urls.routes, urlName)[0];
  if (!route) return [];
  const p = routeParams(route);
  if (p.unknown) return [];
  return p.names
    .filter((n) => !given.includes(n))
    .map((n, i) => ({ label: `${n}=`, kind: 'parameter' as const, detail: `${p.converters[n] ?? 'regex group'} parameter of ${displayRoute(route)}`, insertText: `${n}=`, replace, sortText: String(i).padStart(3, '0') }));
}

/**
 * reverse("name", kwargs={"|"}): the route's parameter names not yet given; reverse("name",
 * args=[..., |]): the parameter at that position, with the whole signature as detail.
 */
function urlArgsCompletion(project: Project, at: UrlArgsAt): Completion[] {
  const call = at.call.call;
  const nameArg = call.args[0] ?? call.kw.find((k) => k.name === 'viewname')?.value;
  if (nameArg?.k !== 'str') return [];
  const route = resolveUrlName(project.urls.routes, nameArg.v)[0];
  if (!route) return [];
  const p = routeParams(route);
  if (p.unknown) return [];
  const signature = `${displayRoute(route)} (${describeParams(route)})`;
  if (at.kind === 'kwargs') {
    return p.names
      .filter((n) => !at.given.includes(n))
      .map((n, i) => ({ label: n, kind: 'parameter' as const, detail: `${p.converters[n] ?? 'regex group'} parameter of ${signature}`, replace: at.replace, sortText: String(i).padStart(3, '0') }));
  }
  const count = p.names.length || p.positional;
  if (at.index >= count) return [];
  const label = p.names[at.index] ?? `arg${at.index + 1}`;
  const conv = p.names[at.index] ? p.converters[label] ?? 'regex group' : 'regex group';
  return [{ label, kind: 'parameter', detail: `args[${at.index}] of ${count}: ${signature}`, documentation: `\`${label}\`: ${conv} parameter, passed positionally`, replace: at.replace, sortText: '000' }];
}

function ormCompletion(project: Project, model: NonNullable<ReturnType<Project['models']['byLabel']['get']>>, prefix: string, mode: LookupMode, line: number, character: number): Completion[] {
  let text = prefix;
  if (mode === 'order' && text.startsWith('-')) text = text.slice(1);
  const parts = text.split('__');
  const partial = parts.pop() ?? '';
  const replace: Span = [line, character - partial.length, line, character];
  return nextNames(project.models, model, parts, mode).map((n, i) => ({
    label: n.name,
    kind: n.kind === 'relation' ? 'relation' : n.kind === 'field' ? 'field' : 'lookup',
    detail: n.detail,
    replace,
    sortText: `${n.kind === 'lookup' || n.kind === 'transform' ? 1 : 0}${String(i).padStart(4, '0')}`,
  }));
}

function templateCompletion(ws: Workspace, project: Project, file: string, line: number, character: number): Completion[] {
  const t = ws.template(file);
  if (!t) return [];
  const lineText = t.text.split(/\r?\n/)[line] ?? '';
  const before = lineText.slice(0, character);
  // Inside the quotes of {% url '...' / {% extends "..." / {% include "...", complete or being typed.
  const m = /\{%-?\s*(url|extends|include)\s+(['"])([^'"]*)$/.exec(before);
  if (m) {
    const start = character - m[3].length;
    const rest = lineText.slice(character);
    const close = rest.indexOf(m[2]);
    const end = close >= 0 && !/[%{}]/.test(rest.slice(0, close)) ? character + close : character;
    const replace: Span = [line, start, line, end];
    return m[1] === 'url' ? urlNameCompletion(project, replace) : templateNameCompletion(project, replace);
  }
  // After the name: the route's parameters.
  const node = nodeAt(t.parsed, line, character);
  if (node?.kind === 'tag' && node.name === 'url') {
    const u = t.parsed.urls.find((x) => x.span[0] === node.tagSpan[0] && x.span[1] === node.tagSpan[1]);
    if (u?.name && u.nameSpan && (line > u.nameSpan[2] || character > u.nameSpan[3] + 1)) {
      const word = /[\w]*$/.exec(before)?.[0] ?? '';
      return paramCompletion(project, u.name, Object.keys(u.kwargs), [line, character - word.length, line, character]);
    }
  }
  return [];
}
