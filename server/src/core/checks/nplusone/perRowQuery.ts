/**
 * DJL103: a query that runs once per row of a loop over a queryset and that no prefetch can
 * serve: `Model.objects.get(...)`, a queryset built in the loop and evaluated there, or a related
 * manager that is filtered, ordered or fetched with `get()`/`aggregate()` — which re-queries even
 * when the relation was prefetched. Reported at the line in the loop, also through project calls.
 */
import { pythonNPlusOne } from '../../orm/analysis';
import type { Check } from '../registry';
import { message } from './messages';

export const perRowQuery: Check = {
  code: 'DJL103',
  name: 'query-per-row',
  defaultSeverity: 'warning',
  description: 'A loop over queryset rows runs a query per row that no select_related/prefetch_related can serve.',
  run({ workspace, project }) {
    const out = [];
    for (const d of pythonNPlusOne(workspace, project)) {
      const a = d.access;
      if (a.kind !== 'requery' && a.kind !== 'query') continue;
      out.push({ code: 'DJL103', message: message(project.root, d), file: a.file, span: a.span, data: { kind: a.kind, model: a.model, attr: a.attr, op: a.op } });
    }
    return out;
  },
};
