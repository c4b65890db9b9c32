/**
 * Find references: every reverse/reverse_lazy/redirect/resolve_url/{% url %} that names a URL
 * (through any spelling reverse() resolves to the same pattern), every route that reaches a view,
 * every place that names a template.
 */
import type { Project } from '../project/project';
import type { Workspace } from '../workspace';
import { referentAt } from './referent';
import type { Location } from './types';
import { resolveUrlName } from './urlNames';
import { templateUses, urlUses } from './uses';

export function references(ws: Workspace, file: string, line: number, character: number, includeDeclaration = true): Location[] {
  const seen = new Set<string>();
  return referencesRaw(ws, file, line, character, includeDeclaration).filter((l) => {
    const key = `${l.file}:${l.span.join(',')}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function referencesRaw(ws: Workspace, file: string, line: number, character: number, includeDeclaration: boolean): Location[] {
  const found = referentAt(ws, file, line, character);
  if (!found) return [];
  const { project, referent: r } = found;
  switch (r.k) {
    case 'url': {
      const targets = r.declaration ? [r.declaration] : resolveUrlName(project.urls.routes, r.name);
      if (!targets.length) return urlUses(ws, project).filter((u) => u.name === r.name).map((u) => ({ file: u.file, span: u.span }));
      return urlReferences(ws, project, targets, includeDeclaration);
    }
    case 'view-def':
      return r.view.routes.map((i) => project.urls.routes[i]).filter((x) => !!x).map((x) => ({ file: x.declared.file, span: x.viewSpan ?? x.declared.span }));
    case 'view-ref': {
      const v = r.route.view;
      return project.urls.routes.filter((x) => x.view && v && x.view.module === v.module && x.view.qualname === v.qualname).map((x) => ({ file: x.declared.file, span: x.viewSpan ?? x.declared.span }));
    }
    case 'template':
      return templateUses(ws, project).filter((u) => u.name === r.name).map((u) => ({ file: u.file, span: u.span }));
    default:
      return [];
  }
}

/** Uses whose name reverse() resolves to one of the target routes. */
export function urlReferences(ws: Workspace, project: Project, targets: ReturnType<typeof resolveUrlName>, includeDeclaration: boolean): Location[] {
  const cache = new Map<string, boolean>();
  const last = new Set(targets.map((t) => t.name));
  const hits = (name: string) => {
    if (!last.has(name.slice(name.lastIndexOf(':') + 1))) return false;
    let h = cache.get(name);
    if (h === undefined) {
      h = resolveUrlName(project.urls.routes, name).some((x) => targets.includes(x));
      cache.set(name, h);
    }
    return h;
  };
  const out: Location[] = urlUses(ws, project).filter((u) => hits(u.name)).map((u) => ({ file: u.file, span: u.span }));
  if (includeDeclaration) for (const t of targets) out.unshift(t.declared);
  return out;
}
