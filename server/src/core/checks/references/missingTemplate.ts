/**
 * DJL403: a template name that no template root provides, in render()-like calls, template_name,
 * {% extends %} and {% include %}. Quiet when the template roots are not fully known (unread
 * TEMPLATES, unknown DIRS), and for names an app outside the workspace could provide: only names
 * whose top folder is one the workspace's own roots or apps use are judged (an installed package
 * such as allauth ships `account/...`, Django's admin `registration/...`). The quick fix creates
 * the file in the first template root.
 */
import { join } from 'node:path';
import type { Project } from '../../project/project';
import type { Check } from '../registry';
import { suggest } from '../../language/urlNames';
import { templateUses } from '../../language/uses';

/** Whether a missing name can be judged: its top folder belongs to the workspace. */
function judgeable(project: Project, name: string): boolean {
  const slash = name.indexOf('/');
  const externalApps = project.apps.filter((a) => !a.dir);
  if (slash < 0) return externalApps.every((a) => a.name.startsWith('django.contrib.')) && !/^sitemap(_index)?\.xml$/.test(name);
  const top = name.slice(0, slash);
  if (externalApps.some((a) => a.label === top || a.name.split('.').includes(top))) return false;
  if (['admin', 'registration', 'django', 'rest_framework', 'account', 'socialaccount'].includes(top)) return false;
  if (project.apps.some((a) => a.dir && a.label === top)) return true;
  for (const n of project.templates.byName.keys()) if (n.startsWith(`${top}/`)) return true;
  return false;
}

export const missingTemplate: Check = {
  code: 'DJL403',
  name: 'missing-template',
  defaultSeverity: 'error',
  description: 'A template name that no template root provides (TemplateDoesNotExist).',
  run({ workspace, project }) {
    const t = project.templates;
    if (t.inconclusive && !project.settings.templatesKnown) return [];
    if (project.spec.library || t.roots.length === 0) return [];
    if (project.settings.templates.some((e) => e.inconclusive)) return [];
    const out = [];
    for (const use of templateUses(workspace, project)) {
      if (t.byName.has(use.name) || !use.name || use.name.includes('{')) continue;
      if (!judgeable(project, use.name)) continue;
      const close = suggest(use.name, t.byName.keys(), 2);
      const target = join(t.roots[0].dir, use.name);
      out.push({
        code: 'DJL403',
        message: `Template '${use.name}' is not found in any template root${close.length ? `; did you mean ${close.map((c) => `'${c}'`).join(', ')}?` : ''}`,
        file: use.file,
        span: use.span,
        data: { name: use.name, create: target },
      });
    }
    return out;
  },
  fixes(finding) {
    const d = finding.data as { name?: string; create?: string } | undefined;
    if (!d?.create) return [];
    return [{ title: `Create template ${d.name}`, createFiles: [d.create], edits: [], isPreferred: true }];
  },
};
