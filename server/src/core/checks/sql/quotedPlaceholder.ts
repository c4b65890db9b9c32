/**
 * DJL202 quoted-sql-placeholder: a placeholder inside a quoted SQL literal (`WHERE name = '%s'`).
 * Django's documentation warns against it: the database adapter quotes parameters itself, so the
 * extra quotes either break the query or, with some adapters and inputs, reopen the injection the
 * parameter was meant to close. Reported at the sink; the fix removes the quotes around a bare
 * placeholder.
 */
import type { Check } from '../registry';
import { analyseSql } from './analysis';

export const quotedSqlPlaceholder: Check = {
  code: 'DJL202',
  name: 'quoted-sql-placeholder',
  defaultSeverity: 'warning',
  description: "A query placeholder is wrapped in quotes ('%s'); the database adapter quotes parameters itself.",
  run(ctx) {
    return analyseSql(ctx).quoted.map((q) => ({
      code: 'DJL202',
      message: `The SQL passed to ${q.sinkKind} puts the placeholder ${q.placeholder} inside quotes. Remove the quotes: the database adapter quotes parameters itself, and quoting them again breaks the query or undoes the protection (Django's documentation warns against '%s').`,
      file: q.file,
      span: q.sinkSpan,
      data: { argSpan: q.argSpan, placeholder: q.placeholder },
    }));
  },
};
