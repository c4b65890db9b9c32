/**
 * DJL401: a URL name that no pattern of the project declares, in reverse()/reverse_lazy()/
 * redirect()/resolve_url() or `{% url %}`. Django raises NoReverseMatch when the code runs. Stays
 * quiet when the URL index is inconclusive (dynamic urlpatterns, includes outside the workspace,
 * library folders without settings), for names under the admin site's namespace, for
 * redirect()/resolve_url() strings that Django would take as a URL ("/", "."), and for
 * `{% url ... as var %}` (which does not raise).
 */
import type { Check } from '../registry';
import { isAdminName, resolveUrlName, suggest, urlIndexInconclusive, urlNames } from '../../language/urlNames';
import { urlUses } from '../../language/uses';

export const unknownUrlName: Check = {
  code: 'DJL401',
  name: 'unknown-url-name',
  defaultSeverity: 'error',
  description: 'A URL name in reverse()/redirect()/{% url %} that no pattern declares (NoReverseMatch).',
  run({ workspace, project }) {
    if (urlIndexInconclusive(project)) return [];
    const routes = project.urls.routes;
    let known: string[] | undefined;
    const out = [];
    for (const use of urlUses(workspace, project)) {
      if (use.quiet || !use.name) continue;
      if (use.mayBeUrl && (use.name.includes('/') || use.name.includes('.'))) continue;
      if (isAdminName(project, use.name)) continue;
      if (resolveUrlName(routes, use.name).length) continue;
      known ??= [...urlNames(routes).keys()];
      // The same name under another namespace (or none) is the likeliest intent.
      const last = use.name.split(':').pop()!;
      const sameName = known.filter((k) => k !== use.name && k.split(':').pop() === last);
      const close = [...new Set([...sameName, ...suggest(use.name, known)])].slice(0, 3);
      out.push({
        code: 'DJL401',
        message: `Unknown URL name '${use.name}'${close.length ? `; did you mean ${close.map((c) => `'${c}'`).join(', ')}?` : ''}`,
        file: use.file,
        span: use.span,
        data: { name: use.name, suggestions: close, quoted: !use.inTemplate },
      });
    }
    return out;
  },
  fixes(finding) {
    const d = finding.data as { suggestions?: string[]; quoted?: boolean } | undefined;
    return (d?.suggestions ?? []).map((s, i) => ({
      title: `Change to '${s}'`,
      isPreferred: i === 0,
      edits: [{ file: finding.file, span: d?.quoted ? [finding.span[0], finding.span[1] + 1, finding.span[2], finding.span[3] - 1] : finding.span, newText: s }],
    }));
  },
};
