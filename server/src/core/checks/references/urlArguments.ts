/**
 * DJL402: arguments that no pattern carrying the URL name accepts — a wrong positional count, or
 * keyword names the route does not have (or lacks), checked as Django's reverse() does (a
 * pattern's `kwargs=` defaults may be passed or left out; args and kwargs cannot be mixed).
 * Quiet when the arguments are not literal (`*args`, a dict variable) or a route's parameters
 * cannot be read (optional regex groups, alternatives, routers).
 */
import type { Check } from '../registry';
import { argsFit, describeParams, displayRoute, resolveUrlName, urlIndexInconclusive } from '../../language/urlNames';
import { urlUses } from '../../language/uses';

export const urlArguments: Check = {
  code: 'DJL402',
  name: 'url-arguments',
  defaultSeverity: 'error',
  description: 'Arguments to reverse()/redirect()/{% url %} that the named route does not take (NoReverseMatch).',
  run({ workspace, project }) {
    if (urlIndexInconclusive(project)) return [];
    const out = [];
    for (const use of urlUses(workspace, project)) {
      if (use.quiet) continue;
      const routes = resolveUrlName(project.urls.routes, use.name);
      if (!routes.length) continue;
      const verdicts = routes.map((r) => argsFit(r, use.args));
      if (verdicts.some((v) => v !== false)) continue;
      const given = use.args.positional ? `${use.args.positional} positional argument${use.args.positional > 1 ? 's' : ''}` : use.args.keywords?.length ? `keywords ${use.args.keywords.join(', ')}` : 'no arguments';
      out.push({
        code: 'DJL402',
        message: `'${use.name}' (${displayRoute(routes[0])}) takes ${describeParams(routes[0])}; given ${given}`,
        file: use.file,
        span: use.span,
        related: routes.slice(0, 3).map((r) => ({ file: r.declared.file, span: r.declared.span, message: `${displayRoute(r)} is declared here` })),
      });
    }
    return out;
  },
};
