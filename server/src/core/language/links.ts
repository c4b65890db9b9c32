/**
 * Document links: template names (in render-like calls, template_name, {% extends %},
 * {% include %}) link to the file Django loads, and include("app.urls") strings to the URLconf.
 */
import type { Workspace } from '../workspace';
import { isTemplateFile } from './referent';
import type { DocumentLink } from './types';
import { pythonTemplateUses, templateTemplateUses } from './uses';

export function documentLinks(ws: Workspace, file: string): DocumentLink[] {
  const project = ws.projectFor(file);
  if (!project) return [];
  const out: DocumentLink[] = [];
  const uses = isTemplateFile(file) ? templateTemplateUses(ws, project, file) : pythonTemplateUses(project, file, ws.facts(file));
  for (const u of uses) {
    const target = project.templates.byName.get(u.name)?.[0];
    if (target) out.push({ span: u.inTemplate ? u.span : inner(u.span), target, tooltip: `template ${u.name}` });
  }
  if (!isTemplateFile(file)) {
    const facts = ws.facts(file);
    const visit = (e: unknown, depth: number): void => {
      if (!e || typeof e !== 'object' || depth > 40) return;
      const x = e as { k?: string; fn?: { k: string; id?: string; attr?: string }; args?: { k: string; v?: string; s: [number, number, number, number] }[] };
      if (x.k === 'call' && x.fn && (x.fn.id === 'include' || x.fn.attr === 'include') && x.args?.[0]?.k === 'str') {
        const a = x.args[0];
        const f = project.modules.fileOf(a.v!);
        if (f) out.push({ span: inner(a.s), target: f, tooltip: `URLconf ${a.v}` });
      }
      for (const v of Object.values(e)) if (v && typeof v === 'object') visit(v, depth + 1);
    };
    visit(facts?.body, 0);
  }
  return out;
}

function inner(s: [number, number, number, number]): [number, number, number, number] {
  return s[0] === s[2] && s[3] - s[1] >= 2 ? [s[0], s[1] + 1, s[2], s[3] - 1] : s;
}
