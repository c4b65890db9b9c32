/**
 * Hover: a URL name or a route shows the full pattern with its include prefixes, the namespaced
 * name, the view and where it is declared; a view shows the routes that reach it and its
 * decorators; a model field or relation its kind, target and reverse accessor; a template name
 * the file Django loads; an ORM path the field or relation each part names; a template variable's
 * attribute the field, reverse accessor, property or method it reads.
 */
import { relative } from 'node:path';
import { memberDetail, resolveLookup } from '../orm/lookups';
import type { FieldInfo, ModelInfo } from '../project/models';
import type { Project } from '../project/project';
import type { RouteInfo } from '../project/urls';
import type { Workspace } from '../workspace';
import { viewText } from './completion';
import { referentAt, templateFiles } from './referent';
import type { Hover } from './types';
import { describeParams, displayRoute, resolveUrlName } from './urlNames';

export function hover(ws: Workspace, file: string, line: number, character: number): Hover | undefined {
  const found = referentAt(ws, file, line, character);
  if (!found) return undefined;
  const { project, referent: r } = found;
  const rel = (f: string) => relative(project.root, f);
  switch (r.k) {
    case 'url': {
      const routes = r.declaration ? [r.declaration] : resolveUrlName(project.urls.routes, r.name);
      if (routes.length === 0) return { markdown: `URL name \`${r.name}\`: not declared in this project's URLconf`, span: r.span };
      const parts = routes.map((route, i) => routeBlock(project, route, i === 0 && routes.length > 1 ? ' (the one reverse() uses)' : ''));
      return { markdown: parts.join('\n\n---\n\n'), span: r.span };
    }
    case 'view-ref':
      return { markdown: routeBlock(project, r.route, ''), span: r.span };
    case 'view-def': {
      const v = r.view;
      const lines = [`**${v.kind === 'class' ? 'class-based view' : 'view'}** \`${v.module}.${v.qualname}\``];
      if (v.genericBase) lines.push(`generic base: \`${v.genericBase}\``);
      if (v.model) lines.push(`model: \`${v.model}\``);
      if (v.decorators.length) lines.push(`decorators: ${v.decorators.map((d) => `\`@${d}\``).join(', ')}`);
      const routes = v.routes.map((i) => project.urls.routes[i]).filter((x): x is RouteInfo => !!x);
      lines.push(routes.length ? `routes:\n${routes.map((x) => `- \`${displayRoute(x)}\`${x.qualifiedName ? ` · \`${x.qualifiedName}\`` : ''}`).join('\n')}` : 'no route reaches this view');
      if (v.templates.length) lines.push(`templates: ${v.templates.map((t) => `\`${t.name}\``).join(', ')}`);
      return { markdown: lines.join('\n\n'), span: r.span };
    }
    case 'template': {
      const files = templateFiles(project, r.name);
      if (!files.length) return { markdown: `template \`${r.name}\`: not found in the template roots`, span: r.span };
      const lines = [`template \`${r.name}\` → ${rel(files[0])}`];
      if (files.length > 1) lines.push(`overrides: ${files.slice(1).map(rel).join(', ')}`);
      return { markdown: lines.join('\n\n'), span: r.span };
    }
    case 'model':
      return { markdown: r.model ? `model \`${r.model.label}\` (${rel(r.model.file)}:${r.model.nameSpan[0] + 1})` : `model \`${r.label}\`: not in the workspace`, span: r.span };
    case 'module': {
      const f = project.modules.fileOf(r.module);
      return { markdown: f ? `URLconf \`${r.module}\` → ${rel(f)}` : `module \`${r.module}\`: outside the workspace`, span: r.span };
    }
    case 'middleware': {
      const i = project.settings.middleware.items.findIndex((m) => m.value === r.path);
      return { markdown: `middleware #${i + 1} of ${project.settings.middleware.items.length}: \`${r.path}\` (requests pass top to bottom, responses bottom to top)`, span: r.span };
    }
    case 'app':
      return { markdown: r.app ? `app \`${r.app.label}\` (\`${r.app.name}\`${r.app.config ? `, config \`${r.app.config}\`` : ''})` : `app \`${r.entry}\``, span: r.span };
    case 'field':
      return { markdown: fieldLines(project, r.model, r.field).join('\n\n'), span: r.span };
    case 'reverse-accessor': {
      const a = r.accessor;
      const lines = [`**reverse accessor** \`${r.model.name.toLowerCase()}.${a.name}\`: ${a.many ? `related manager of \`${a.from}\`` : `one \`${a.from}\``}`];
      const from = project.models.byLabel.get(a.from);
      const f = from?.fields.find((x) => x.name === a.field);
      if (from && f) lines.push(...fieldLines(project, from, f));
      return { markdown: lines.join('\n\n'), span: r.span };
    }
    case 'model-method': {
      const lines = [`**${r.property ? 'property' : 'method'}** \`${r.model.label}.${r.name}\` (${rel(r.location.file)}:${r.location.span[0] + 1})`];
      if (!r.property) lines.push('called without arguments by the template engine');
      if (r.doc) lines.push(r.doc);
      return { markdown: lines.join('\n\n'), span: r.span };
    }
    case 'orm': {
      const site = r.site;
      const res = resolveLookup(project.models, site.model, site.path, site.mode);
      const lines = [`\`${site.model.label}\` · \`${site.path}\``];
      for (const s of res.steps) lines.push(`- \`${s.part}\`: ${s.member ? memberDetail(s.member) : s.kind}`);
      if (res.problem) lines.push(`⚠ ${res.problem.message}`);
      return { markdown: lines.join('\n'), span: r.span };
    }
  }
}

/** A model field as the field hover shows it: kind, the relation's target and its reverse accessor. */
function fieldLines(project: Project, model: ModelInfo, f: FieldInfo): string[] {
  const lines = [`**${f.type}** \`${model.label}.${f.name}\``];
  if (f.relation) {
    lines.push(`${f.relation.kind} → \`${f.relation.target ?? f.relation.targetText ?? '?'}\``);
    const target = f.relation.target ? project.models.byLabel.get(f.relation.target) : undefined;
    const back = target?.reverse.find((x) => x.from === model.label && x.field === f.name);
    if (back) lines.push(`reverse accessor: \`${target!.name.toLowerCase()}.${back.name}\`${back.many ? ' (many)' : ''}; lookups use \`${back.queryName}\``);
  }
  return lines;
}

function routeBlock(project: Project, route: RouteInfo, note: string): string {
  const lines = [`\`${displayRoute(route)}\`${note}`];
  if (route.qualifiedName) lines.push(`name: \`${route.qualifiedName}\``);
  lines.push(`view: \`${viewText(route)}\`${route.view?.decorators.length ? ` (${route.view.decorators.map((d) => `@${d}`).join(', ')})` : ''}`);
  lines.push(`parameters: ${describeParams(route)}`);
  lines.push(`declared in ${relative(project.root, route.declared.file)}:${route.declared.span[0] + 1}`);
  if (route.inconclusive) lines.push(`(${route.inconclusive})`);
  return lines.join('\n\n');
}
