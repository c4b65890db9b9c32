/**
 * Messages and finding data shared by the N+1 checks. Every message is a full sentence that names
 * the access, the rows it runs for, and where the queryset was built; the structured `data` carries
 * what the quick fixes need, so no fix ever reads a message.
 */
import { relative } from 'node:path';
import type { Decided } from '../../orm/analysis';
import type { Origin } from '../../orm/state';
import type { Access } from '../../orm/values';
import type { Span } from '../../types';

export interface NPlusOneData {
  kind: Access['kind'];
  model: string;
  attr: string;
  op?: string;
  /** The lookup a fix adds, and where (the queryset's origin). */
  fix?: { method: 'select_related' | 'prefetch_related' | 'only'; path: string; origin: Origin };
  /** For a per-row `.count()`: annotate the queryset instead, and read `<rowText>.<name>_count`. */
  count?: { lookup: string; origin: Origin; replace: { file: string; span: Span; rowText: string } };
  view?: string;
}

export function rel(root: string, file: string): string {
  const r = relative(root, file);
  return r.startsWith('..') ? file : r;
}

export function where(root: string, file: string, span: Span): string {
  return `${rel(root, file)}:${span[0] + 1}`;
}

const q = (s: string) => `\`${s}\``;

/** The sentence for a decided access; `text` is how the access reads where it is reported. */
export function message(root: string, d: Decided, opts: { rowsText?: string; builtBy?: string } = {}): string {
  const a = d.access;
  const inner = (a as Access & { inner?: Access }).inner;
  const rows = opts.rowsText ?? d.anchor?.label ?? a.loopText ?? 'the loop';
  const origin = d.fix?.anchor.origin ?? d.anchor?.origin;
  const built = origin ? `built in ${where(root, origin.file, origin.span)}${opts.builtBy ? ` by ${opts.builtBy}` : ''}` : undefined;
  const viaText = a.via.length ? ` (through ${a.via.map((v) => `${v.name}() at ${where(root, v.file, v.span)}`).join(', then ')}${inner ? `, which reads ${q(inner.text)} at ${where(root, inner.file, inner.span)}` : ''})` : '';
  switch (a.kind) {
    case 'relation':
    case 'manager': {
      const lookup = d.fix ? `${d.fix.method}('${d.fix.path}')` : `select_related or prefetch_related('${a.anchors[0]?.path.join('__') ?? a.attr}')`;
      return `${q(a.text)} runs a query for every row of ${q(rows)}${viaText} (${built ? `${built} ` : ''}without ${lookup}).`;
    }
    case 'deferred':
      return `${q(a.text)} runs a query for every row of ${q(rows)}${viaText}: only()/defer() left the field ${q(a.attr)} out${built ? ` (${built})` : ''}.`;
    case 'requery': {
      const op = a.op && a.op !== 'iter' && a.op !== 'list' && a.op !== 'len' ? `.${a.op}()` : '';
      return `${q(a.text)} runs a new query for every row of ${q(rows)}${viaText}: a prefetch cannot serve a related manager that is filtered, ordered or fetched with ${op || 'a query method'}; prefetch with Prefetch('${a.attr}', queryset=..., to_attr=...) and read that list instead.`;
    }
    case 'query':
      return `${q(a.text)} runs a query for every row of ${q(a.loopText ?? rows)}${viaText}; fetch what it needs once, before the loop.`;
  }
}

/** The data a finding carries for its fixes. */
export function findingData(d: Decided, view?: string, countReplace?: { file: string; span: Span; rowText: string }): NPlusOneData {
  const a = d.access;
  const data: NPlusOneData = { kind: a.kind, model: a.model, attr: a.attr, op: a.op, view };
  if (d.fix?.anchor.origin) data.fix = { method: d.fix.method, path: d.fix.path, origin: d.fix.anchor.origin };
  if (a.kind === 'manager' && a.op === 'count' && countReplace && d.fix?.anchor.origin && d.fix.anchor.path.length === 1) {
    data.count = { lookup: d.fix.path, origin: d.fix.anchor.origin, replace: countReplace };
  }
  return data;
}
