/**
 * Symbols: workspace symbols for models, views, URL names and templates (filtered by a query the
 * way editors do, by subsequence); document symbols for URLconfs (the patterns they declare) and
 * templates (their blocks).
 */
import type { TagNode } from '../templates/parser';
import { walk } from '../templates/parser';
import type { Workspace } from '../workspace';
import { isTemplateFile } from './referent';
import type { SymbolEntry } from './types';
import { displayRoute } from './urlNames';

function matches(query: string, name: string): boolean {
  if (!query) return true;
  const q = query.toLowerCase();
  const n = name.toLowerCase();
  let i = 0;
  for (const c of n) if (c === q[i]) i++;
  return i === q.length;
}

export function workspaceSymbols(ws: Workspace, query: string, limit = 500): SymbolEntry[] {
  const out: SymbolEntry[] = [];
  const seen = new Set<string>();
  const push = (s: SymbolEntry) => {
    const key = `${s.kind}:${s.name}:${s.file}:${s.span[0]}`;
    if (out.length >= limit || seen.has(key) || !matches(query, s.name)) return;
    seen.add(key);
    out.push(s);
  };
  for (const project of ws.projects()) {
    for (const m of project.models.models) push({ name: m.name, kind: 'model', file: m.file, span: m.nameSpan, detail: m.label });
    for (const v of project.views) push({ name: v.qualname, kind: 'view', file: v.file, span: v.nameSpan, detail: v.module });
    for (const r of project.urls.routes) if (r.qualifiedName) push({ name: r.qualifiedName, kind: 'url', file: r.declared.file, span: r.declared.span, detail: displayRoute(r) });
    for (const [name, files] of project.templates.byName) push({ name, kind: 'template', file: files[0], span: [0, 0, 0, 0], detail: 'template' });
  }
  return out;
}

export function documentSymbols(ws: Workspace, file: string): SymbolEntry[] {
  if (isTemplateFile(file)) {
    const t = ws.template(file);
    if (!t) return [];
    const build = (nodes: Parameters<typeof walk>[0]): SymbolEntry[] => {
      const out: SymbolEntry[] = [];
      walk(nodes, (n) => {
        if (n.kind !== 'tag' || n.name !== 'block') return true;
        const tag = n as TagNode;
        const name = tag.bits[1] ?? '?';
        out.push({ name, kind: 'block', file, span: tag.span, nameSpan: tag.bitSpans[1] ?? tag.tagSpan, children: build(tag.children ?? []) });
        return false;
      });
      return out;
    };
    return build(t.parsed.nodes);
  }
  const project = ws.projectFor(file);
  if (!project) return [];
  const out: SymbolEntry[] = [];
  const seen = new Set<string>();
  for (const r of project.urls.routes) {
    if (r.declared.file !== file) continue;
    const key = r.declared.span.join(',');
    if (seen.has(key)) continue;
    seen.add(key);
    const own = r.segments[r.segments.length - 1]?.pattern ?? r.route;
    out.push({ name: own || '(empty)', kind: 'pattern', file, span: r.declared.span, detail: [displayRoute(r), r.qualifiedName].filter(Boolean).join(' · ') });
  }
  for (const m of project.models.models) {
    if (m.file !== file) continue;
    out.push({
      name: m.name, kind: 'model', file, span: m.span, nameSpan: m.nameSpan, detail: m.label,
      children: m.fields.filter((f) => f.declaredIn === m.label && f.relation?.kind !== 'ParentLink').map((f) => ({ name: f.name, kind: 'field' as const, file, span: f.span, detail: f.type })),
    });
  }
  return out;
}
