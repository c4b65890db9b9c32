/**
 * DJL101: a Python loop over the rows of a queryset reads, per row, a relation the queryset did
 * not select_related/prefetch_related, a related manager it did not prefetch, or a field that
 * only()/defer() left out — directly or inside a project function, method or property called with
 * the row. Each is one query per row. The fix adds the lookup where the queryset is built; for a
 * per-row `.count()` it can annotate a Count instead.
 */
import { pythonNPlusOne } from '../../orm/analysis';
import type { Check } from '../registry';
import { nplusoneFixes } from './fixes';
import type { NPlusOneData } from './messages';
import { findingData, message, where } from './messages';

export const pythonLoopNPlusOne: Check = {
  code: 'DJL101',
  name: 'n-plus-one-loop',
  defaultSeverity: 'warning',
  description: 'A loop over queryset rows loads a relation, a related manager or a deferred field once per row.',
  run({ workspace, project }) {
    const out = [];
    for (const d of pythonNPlusOne(workspace, project)) {
      const a = d.access;
      if (a.kind !== 'relation' && a.kind !== 'manager' && a.kind !== 'deferred') continue;
      const countReplace = a.countCall ? { file: a.file, span: a.countCall.span, rowText: a.countCall.ownerText.replace(/\.\w+$/, '') } : undefined;
      const origin = d.fix?.anchor.origin ?? d.anchor?.origin;
      out.push({
        code: 'DJL101',
        message: message(project.root, d),
        file: a.file,
        span: a.span,
        related: origin ? [{ file: origin.file, span: origin.span, message: `the queryset is built here (${where(project.root, origin.file, origin.span)})` }] : undefined,
        data: findingData(d, undefined, countReplace),
      });
    }
    return out;
  },
  fixes(finding, ctx) {
    return nplusoneFixes(finding.data as NPlusOneData | undefined, ctx);
  },
};
