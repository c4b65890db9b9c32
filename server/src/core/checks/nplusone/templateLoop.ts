/**
 * DJL102: a template loops over a queryset that a view built, and reads per row a relation the
 * view did not select_related, or a related manager (`.all`, `.count`, `.exists`) it did not
 * prefetch — Django templates call callables, so `{{ post.comments.count }}` is a query. Reported
 * in the template at the access, naming the view; the fix edits the view's queryset.
 */
import { templateNPlusOne } from '../../orm/templateFlow';
import type { Check } from '../registry';
import { nplusoneFixes } from './fixes';
import { type NPlusOneData, findingData, message, where } from './messages';

export const templateLoopNPlusOne: Check = {
  code: 'DJL102',
  name: 'n-plus-one-template',
  defaultSeverity: 'warning',
  description: 'A template loop over a view\'s queryset reads a relation or related manager once per row.',
  run({ workspace, project }) {
    const out = [];
    for (const d of templateNPlusOne(workspace, project)) {
      const a = d.access;
      const builtBy = d.anchor?.builtBy;
      const origin = d.fix?.anchor.origin ?? d.anchor?.origin;
      const countReplace = a.kind === 'manager' && a.op === 'count' && a.text.endsWith('.count')
        ? { file: a.file, span: a.span, rowText: a.text.slice(0, -'.count'.length).replace(/\.\w+$/, '') }
        : undefined;
      out.push({
        code: 'DJL102',
        message: message(project.root, d, { rowsText: a.loopText, builtBy }),
        file: a.file,
        span: a.span,
        related: origin ? [{ file: origin.file, span: origin.span, message: `the queryset is built here${builtBy ? ` by ${builtBy}` : ''} (${where(project.root, origin.file, origin.span)})` }] : undefined,
        data: findingData(d, builtBy, countReplace),
      });
    }
    return out;
  },
  fixes(finding, ctx) {
    return nplusoneFixes(finding.data as NPlusOneData | undefined, ctx);
  },
};
