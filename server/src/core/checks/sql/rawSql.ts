/**
 * DJL201 raw-sql-injection: SQL text built from a non-constant value (f-string, `%`, `.format()`,
 * `+`, `+=`, `"".join()`, `.replace()`, through local variables, branches, loops and project
 * helpers) reaches a sink that runs it: `.raw()`, `cursor.execute()`/`executemany()`, `RawSQL()`,
 * `.extra()`. Reported at the sink, with related locations where the value enters and where the
 * text is built. Text made only of constants (module constants, `_meta.db_table`, `quote_name()`,
 * numbers, generated placeholder lists) is not reported, nor is text that never reaches a sink.
 *
 * Quick fix: when every interpolation sits where a value goes, rewrite the SQL into placeholders
 * plus a params list. When one sits where an identifier goes, the message says so and suggests
 * `connection.ops.quote_name()` or an allow-list instead.
 */
import type { Fix, RelatedLocation } from '../../types';
import type { Check } from '../registry';
import { type SqlRewrite, analyseSql } from './analysis';

export interface RawSqlData {
  sink: string;
  holes: { expr: string; position: 'value' | 'quoted' | 'identifier'; after: string }[];
  rewrite?: SqlRewrite;
}

function code(text: string): string {
  return `\`${text}\``;
}

export const rawSqlInjection: Check = {
  code: 'DJL201',
  name: 'raw-sql-injection',
  defaultSeverity: 'warning',
  description: 'SQL text built from a non-constant value reaches .raw(), cursor.execute(), RawSQL() or .extra().',
  run(ctx) {
    return analyseSql(ctx).unsafe.map((u) => {
      const how = u.value.buildSite?.how ?? 'string formatting';
      const first = u.value.sources[0];
      const from = first ? `from a value that is not a constant (${code(first.text)})` : 'from a value that is not a constant';
      let advice: string;
      const identifier = u.holes.find((h) => h.position === 'identifier');
      if (u.rewrite) advice = 'Pass the value as a query parameter instead; a quick fix rewrites the query with placeholders and a params list.';
      else if (identifier) {
        const where = identifier.after ? ` (after ${code(identifier.after)})` : '';
        advice = `${code(identifier.expr)} is inserted where an identifier or a piece of SQL goes${where}, which a query parameter cannot replace: quote it with connection.ops.quote_name() or check it against an allow-list of known names.`;
      } else advice = 'Pass values as query parameters (placeholders in the SQL and a params list) instead of formatting them into the text.';
      const message = `The SQL passed to ${u.sinkKind} is built with ${how} ${from}, which allows SQL injection. ${advice}`;
      const related: RelatedLocation[] = u.value.sources.slice(0, 5).map((s) => ({ file: s.file, span: s.span, message: `The non-constant value ${code(s.text)} enters the SQL here.` }));
      if (u.value.buildSite) related.push({ file: u.value.buildSite.file, span: u.value.buildSite.span, message: `The SQL text is built here with ${u.value.buildSite.how}.` });
      const data: RawSqlData = { sink: u.sinkKind, holes: u.holes, rewrite: u.rewrite };
      return { code: 'DJL201', message, file: u.file, span: u.sinkSpan, related, data };
    });
  },
  fixes(finding): Fix[] {
    const data = finding.data as RawSqlData | undefined;
    const r = data?.rewrite;
    if (!r) return [];
    const params = `[${r.params.join(', ')}]`;
    return [
      {
        title: 'Pass the values as query parameters',
        isPreferred: true,
        edits: [
          // The later edit first is not needed: edits are applied as one WorkspaceEdit, ranges do not overlap.
          { file: finding.file, span: [r.insertAt[0], r.insertAt[1], r.insertAt[0], r.insertAt[1]], newText: `, ${params}` },
          { file: finding.file, span: r.sqlSpan, newText: r.sql },
        ],
      },
    ];
  },
};
