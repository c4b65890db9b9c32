/**
 * The raw-SQL analysis of one project, shared by the checks in this folder: every sink in the
 * project's own files, each SQL argument's text value (flow.ts), and, for text built from
 * non-constant input, how a parameterised rewrite would look (template.ts). Memoised per Project
 * object, which the workspace rebuilds after every edit.
 */
import type { Node } from 'web-tree-sitter';
import type { Project } from '../../project/project';
import type { Span } from '../../types';
import type { CheckContext } from '../registry';
import { type FileFlow, type Source, type SummaryCache, type TextValue, isConstant, nodeSpan } from './flow';
import { type SqlSink, forEachSink, projectFiles } from './sinks';
import { type HoleContext, type Rewrite, holeContexts, readTemplate, rewrite } from './template';

/** What the quick fix of DJL201 applies: plain data, read by `fixes()`. */
export interface SqlRewrite {
  /** The expression to replace with the placeholder SQL literal (at the sink or where it was assigned). */
  sqlSpan: Span;
  sql: string;
  params: string[];
  /** Where `, [params]` goes: just after the SQL argument of the sink. */
  insertAt: [number, number];
}

/** Where one interpolated expression sits in the SQL (see template.ts). */
export interface HoleInfo {
  expr: string;
  position: HoleContext['position'];
  after: string;
}

export interface UnsafeSql {
  file: string;
  /** `raw()`, `cursor.execute()` ... */
  sinkKind: string;
  sinkSpan: Span;
  value: TextValue;
  holes: HoleInfo[];
  rewrite?: SqlRewrite;
}

interface Candidate {
  sink: SqlSink;
  arg: Node;
  holes: HoleContext[];
  rewrite?: SqlRewrite;
}

export interface QuotedPlaceholder {
  file: string;
  sinkKind: string;
  sinkSpan: Span;
  argSpan: Span;
  placeholder: string;
  /** The quick fix of DJL202: edits of the string literal's text that drop the quotes around the placeholder. */
  unquote?: { span: Span; newText: string }[];
}

export interface SqlAnalysis {
  unsafe: UnsafeSql[];
  quoted: QuotedPlaceholder[];
}

const cache = new WeakMap<Project, SqlAnalysis>();

export function analyseSql(ctx: CheckContext): SqlAnalysis {
  const hit = cache.get(ctx.project);
  if (hit) return hit;
  const result: SqlAnalysis = { unsafe: [], quoted: [] };
  const summaries: SummaryCache = new Map();
  for (const file of projectFiles(ctx)) {
    forEachSink(ctx, file, (sink, flow) => {
      for (const arg of sink.sqlArgs) {
        const value = flow.valueOf(arg);
        // Text built from request data, or from a parameter its callers choose, is unsafe; text
        // built from attributes or call results of unknown origin stays quiet (principle 3).
        if (value.built && value.sources.some((s) => s.input || s.param)) {
          value.sources.sort((a, b) => Number(b.input) - Number(a.input) || Number(!!b.param) - Number(!!a.param));
          const found: Candidate = { sink, arg, holes: [] };
          planRewrite(found, flow);
          // Nodes die with the tree: keep only plain data.
          const holes = found.holes.map((h) => ({ expr: h.hole.expr, position: h.position, after: h.after }));
          result.unsafe.push({ file, sinkKind: sink.kind, sinkSpan: nodeSpan(sink.call), value, holes, rewrite: found.rewrite });
        } else if (isConstant(value) && value.text !== undefined) {
          const placeholder = sink.paramstyle === 'qmark' ? '?' : '%s';
          if (quotedPlaceholder(value.text, placeholder)) {
            result.quoted.push({ file, sinkKind: sink.kind, sinkSpan: nodeSpan(sink.call), argSpan: nodeSpan(arg), placeholder, unquote: planUnquote(sink, arg, flow, placeholder) });
          }
        }
      }
    }, summaries);
  }
  cache.set(ctx.project, result);
  return result;
}

/** The template behind the SQL argument: the argument itself, or the one assignment of a local name. */
function planRewrite(found: Candidate, flow: FileFlow): void {
  const { sink, arg } = found;
  let templateNode: Node = arg;
  let viaVariable = false;
  if (arg.type === 'identifier') {
    const scope = flow.scopeOf(arg);
    const defs = scope.defs.get(arg.text);
    if (!defs || defs.length !== 1 || defs[0].kind !== 'assign' || !defs[0].value) return;
    if (defs[0].at.startIndex > arg.startIndex) return;
    templateNode = defs[0].value;
    viaVariable = true;
  }
  const template = readTemplate(templateNode);
  if (!template) return;
  found.holes = holeContexts(template.pieces);
  if (sink.params || sink.kind === 'cursor.executemany()' || sink.kind === '.extra()') return;
  const r: Rewrite | undefined = rewrite(template, sink.paramstyle);
  if (!r) return;
  if (viaVariable) {
    // The parameters are evaluated at the sink: their names must not change in between.
    const scope = flow.scopeOf(arg);
    for (const h of found.holes) {
      for (const id of [h.hole.node, ...h.hole.node.descendantsOfType('identifier')]) {
        if (!id || id.type !== 'identifier') continue;
        const defs = scope.defs.get(id.text) ?? [];
        if (defs.some((d) => d.at.startIndex > templateNode.startIndex && d.at.startIndex < arg.startIndex)) return;
      }
    }
  }
  const end = arg.endPosition;
  found.rewrite = { sqlSpan: nodeSpan(templateNode), sql: r.sql, params: r.params, insertAt: [end.row, end.column] };
}

/**
 * The DJL202 fix: `'%s'` -> `%s` (also `"%s"`; `'?'` -> `?` for qmark) inside the plain string
 * literal at the sink, or the one assignment of the local name passed there. Only when the sink
 * passes parameters (without them the quoted text is literal SQL text), the literal is plain (no
 * prefix, escape or interpolation), and no quoted placeholder remains afterwards (`'%%%s%%'` needs
 * the value changed, not the SQL).
 */
function planUnquote(sink: SqlSink, arg: Node, flow: FileFlow, placeholder: string): { span: Span; newText: string }[] | undefined {
  if (!sink.params) return undefined;
  let node: Node = arg;
  if (arg.type === 'identifier') {
    const defs = flow.scopeOf(arg).defs.get(arg.text);
    if (!defs || defs.length !== 1 || defs[0].kind !== 'assign' || !defs[0].value) return undefined;
    if (defs[0].at.startIndex > arg.startIndex) return undefined;
    node = defs[0].value;
  }
  while (node.type === 'parenthesized_expression' && node.namedChild(0)) node = node.namedChild(0)!;
  const strings = node.type === 'string' ? [node] : node.type === 'concatenated_string' ? node.namedChildren.filter((c): c is Node => !!c && c.type !== 'comment') : [];
  if (!strings.length || strings.some((s) => s.type !== 'string')) return undefined;
  const quoted = placeholder === '?' ? /'\?'/g : /'%s'|"%s"/g;
  const edits: { span: Span; newText: string }[] = [];
  let sql = '';
  for (const s of strings) {
    const start = s.namedChildren.find((c) => c?.type === 'string_start')?.text ?? '';
    if (/[a-z]/i.test(start)) return undefined; // b'', r'', f'', u'': left alone
    for (const c of s.namedChildren) {
      if (!c || c.type === 'string_start' || c.type === 'string_end') continue;
      if (c.type !== 'string_content' || c.text.includes('\\')) return undefined;
      const text = c.text.replace(quoted, placeholder);
      sql += text;
      if (text !== c.text) edits.push({ span: nodeSpan(c), newText: text });
    }
  }
  if (!edits.length || quotedPlaceholder(sql, placeholder)) return undefined;
  return edits;
}

/** Whether a placeholder sits inside a single-quoted SQL literal ('%s'), which Django warns against. */
export function quotedPlaceholder(sql: string, placeholder: string): boolean {
  let i = 0;
  while (i < sql.length) {
    const c = sql[i];
    if (c === '-' && sql[i + 1] === '-') {
      const j = sql.indexOf('\n', i);
      i = j < 0 ? sql.length : j + 1;
      continue;
    }
    if (c === '"') {
      const j = sql.indexOf('"', i + 1);
      i = j < 0 ? sql.length : j + 1;
      continue;
    }
    if (c === "'") {
      let j = i + 1;
      let body = '';
      for (; j < sql.length; j++) {
        if (sql[j] === "'" && sql[j + 1] === "'") { body += "''"; j++; continue; }
        if (sql[j] === "'") break;
        body += sql[j];
      }
      if (placeholder === '%s' ? /(^|[^%])(%%)*%s/.test(body) : body === '?') return true;
      i = j + 1;
      continue;
    }
    i++;
  }
  return false;
}

export type { Source };
