/**
 * Code lenses above each view: the routes that reach it (`POST /blog/<int:pk>/comment/ ·
 * blog:add_comment`), each leading to its path(). The method comes from the view's
 * require_POST/require_GET/require_safe decorators when it has one.
 */
import type { RouteInfo } from '../project/urls';
import type { Workspace } from '../workspace';
import type { Lens } from './types';
import { displayRoute } from './urlNames';

const METHOD_DECORATORS: Record<string, string> = { require_POST: 'POST', require_GET: 'GET', require_safe: 'GET' };

export function lenses(ws: Workspace, file: string): Lens[] {
  const project = ws.projectFor(file);
  if (!project || !file.endsWith('.py')) return [];
  const out: Lens[] = [];
  for (const view of project.views) {
    if (view.file !== file || view.routes.length === 0) continue;
    const method = view.decorators.map((d) => METHOD_DECORATORS[d.split('.').pop() ?? '']).find((m) => m);
    for (const i of view.routes.slice(0, 5)) {
      const route: RouteInfo | undefined = project.urls.routes[i];
      if (!route) continue;
      const title = `${method ? `${method} ` : ''}${displayRoute(route)}${route.qualifiedName ? ` · ${route.qualifiedName}` : ''}`;
      out.push({ span: view.nameSpan, title, target: route.declared });
    }
    if (view.routes.length > 5) out.push({ span: view.nameSpan, title: `+${view.routes.length - 5} more routes` });
  }
  return out;
}
