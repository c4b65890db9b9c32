/**
 * DJL202 quoted-sql-placeholder: a placeholder inside a quoted SQL literal (`WHERE name = '%s'`).
 * Django's documentation warns against it: the database adapter quotes parameters itself, so the
 * extra quotes either break the query or, with some adapters and inputs, reopen the injection the
 * parameter was meant to close. Reported at the sink; the fix removes the quotes around a bare
 * placeholder (`'%s'` -> `%s`, `'?'` -> `?`) in the literal at the sink or in the one assignment of
 * the local name passed there, when the sink passes parameters.
 */
import type { Fix, Span } from '../../types';
import type { Check } from '../registry';
import { analyseSql } from './analysis';

export interface QuotedPlaceholderData {
  argSpan: Span;
  placeholder: string;
  /** Edits of the SQL literal (at the sink or its one assignment) that drop the quotes; absent when the text is built elsewhere. */
  unquote?: { span: Span; newText: string }[];
}

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
      data: { argSpan: q.argSpan, placeholder: q.placeholder, unquote: q.unquote } satisfies QuotedPlaceholderData,
    }));
  },
  fixes(finding): Fix[] {
    const data = finding.data as QuotedPlaceholderData | undefined;
    if (!data?.unquote?.length) return [];
    return [{ title: `Remove the quotes around ${data.placeholder}`, isPreferred: true, edits: data.unquote.map((e) => ({ file: finding.file, span: e.span, newText: e.newText })) }];
  },
};
