/**
 * Quick fixes shared by the N+1 checks, built only from a finding's `data`: add a lookup to the
 * queryset where it is built (merging into an existing select_related/prefetch_related/only call,
 * appending a call to the chain, or giving a class-based view a `queryset` attribute), and, for a
 * per-row `.count()`, annotate the queryset with a Count and read the annotation instead.
 */
import type { Origin } from '../../orm/state';
import type { Fix, TextEdit } from '../../types';
import type { CheckContext } from '../registry';
import type { NPlusOneData } from './messages';

/** The quote character the file mostly uses for strings. */
function quoteOf(text: string | undefined): string {
  if (!text) return '"';
  const dq = (text.match(/"/g) ?? []).length;
  const sq = (text.match(/'/g) ?? []).length;
  return sq > dq ? "'" : '"';
}

export function lookupEdit(ctx: CheckContext, origin: Origin, method: 'select_related' | 'prefetch_related' | 'only', path: string): TextEdit | undefined {
  const text = ctx.workspace.text(origin.file);
  if (origin.classModel) {
    const c = origin.classModel;
    const qc = quoteOf(text);
    return { file: c.file, span: [c.line + 1, 0, c.line + 1, 0], newText: `${c.indent}queryset = ${c.modelText}.objects.${method}(${qc}${path}${qc})\n` };
  }
  const site = method === 'select_related' ? origin.selectArgs : method === 'prefetch_related' ? origin.prefetchArgs : origin.onlyArgs;
  if (site) {
    const qc = site.quote ?? quoteOf(text);
    return { file: site.file, span: [site.close[0], site.close[1], site.close[0], site.close[1]], newText: `${site.hasArgs ? ', ' : ''}${qc}${path}${qc}` };
  }
  if (method === 'only') return undefined;
  const qc = quoteOf(text);
  const e = origin.span;
  return { file: origin.file, span: [e[2], e[3], e[2], e[3]], newText: `.${method}(${qc}${path}${qc})` };
}

export function nplusoneFixes(data: NPlusOneData | undefined, ctx: CheckContext): Fix[] {
  if (!data) return [];
  const fixes: Fix[] = [];
  if (data.fix) {
    const edit = lookupEdit(ctx, data.fix.origin, data.fix.method, data.fix.path);
    if (edit) fixes.push({ title: `Add ${data.fix.method}('${data.fix.path}') where the queryset is built`, edits: [edit], isPreferred: true });
  }
  if (data.count) {
    const c = data.count;
    const text = ctx.workspace.text(c.origin.file);
    const qc = quoteOf(text);
    // Count() takes the relation's query name (`comment`), not its accessor (`comment_set`).
    const queryName = lookupName(ctx, data.model, data.attr);
    const name = `${queryName}_count`;
    const annotate = `annotate(${name}=Count(${qc}${queryName}${qc}))`;
    const edits: TextEdit[] = [];
    if (c.origin.classModel) {
      const m = c.origin.classModel;
      edits.push({ file: m.file, span: [m.line + 1, 0, m.line + 1, 0], newText: `${m.indent}queryset = ${m.modelText}.objects.${annotate}\n` });
    } else {
      const e = c.origin.span;
      edits.push({ file: c.origin.file, span: [e[2], e[3], e[2], e[3]], newText: `.${annotate}` });
    }
    const use = `${c.replace.rowText}.${name}`;
    edits.push({ file: c.replace.file, span: c.replace.span, newText: use });
    const imp = countImport(ctx, c.origin.file);
    if (imp) edits.push(imp);
    fixes.push({ title: `Annotate the queryset with ${name}=Count('${queryName}') and use ${use} instead`, edits });
  }
  return fixes;
}

/** The name a lookup uses for a relation reached through `attr` on `model`. */
function lookupName(ctx: CheckContext, model: string, attr: string): string {
  const m = ctx.project.models.byLabel.get(model);
  return m?.reverse.find((r) => r.name === attr)?.queryName ?? attr;
}

/** `from django.db.models import Count` after the module's last top-level import, when missing. */
function countImport(ctx: CheckContext, file: string): TextEdit | undefined {
  const module = ctx.project.modules.moduleOf(file);
  if (module === undefined) return undefined;
  const b = ctx.project.symbols.resolveName(module, 'Count');
  if (b?.kind === 'external' && /^django\.db\.models(\.aggregates)?\.Count$/.test(b.fq)) return undefined;
  const facts = ctx.workspace.facts(file);
  const imports = (facts?.body ?? []).filter((s) => s.k === 'import' || s.k === 'from');
  const line = imports.length ? imports[imports.length - 1].s[2] + 1 : 0;
  return { file, span: [line, 0, line, 0], newText: 'from django.db.models import Count\n' };
}
