/**
 * DJL322 template-safe-filter: a Django template outputs, unescaped, a value a view passes in its
 * context: `{{ post.body|safe }}` (or `|safeseq`), or `{{ post.body }}` inside `{% autoescape off %}`.
 * Any HTML in the value (a model field users write, request data) is then rendered as markup:
 * cross-site scripting.
 *
 * Where values come from is read from the views that render the template (orm/templateFlow.ts:
 * render() dicts, get_context_data, ListView/DetailView objects), followed through `{% for %}`,
 * `{% with %}`, `{% include %}` and `{% extends %}` (the parent's blocks the child does not
 * override). Quiet for literals, for constant strings the view passes, for values escaped by a
 * filter before `|safe` (`|escape`, `|force_escape`, `|striptags`, `|linebreaks` ...), for form
 * rendering Django escapes itself (`form.as_p`, `form.errors`), for names
 * no view is known to pass (templates no view renders, included templates with unknown context,
 * context processors), and for templates that are not HTML (`.txt` e-mails).
 */
import { type ViewRendering, viewRenderings } from '../../orm/templateFlow';
import type { Val } from '../../orm/values';
import type { Project } from '../../project/project';
import type { FilterExpr, TNode, TagNode } from '../../templates/parser';
import type { Span } from '../../types';
import type { Workspace } from '../../workspace';
import type { Check } from '../registry';

/** Filters whose output has HTML special characters of their input escaped (or holds none of them). */
const ESCAPING = new Set(['escape', 'force_escape', 'escapejs', 'striptags', 'urlencode', 'iriencode', 'json_script', 'length', 'wordcount', 'filesizeformat', 'floatformat', 'date', 'time', 'timesince', 'timeuntil', 'intcomma', 'divisibleby', 'yesno', 'pluralize', 'get_digit']);
/** Filters that escape their input only while autoescaping is on. */
const ESCAPING_WHEN_AUTOESCAPE = new Set(['linebreaks', 'linebreaksbr', 'linenumbers', 'urlize', 'urlizetrunc', 'unordered_list', 'join']);
const HTML_FILE = /\.(html?|djhtml|xhtml)$/i;
/** Form rendering Django already escapes and returns as safe HTML: `{{ form.as_p|safe }}` adds nothing. */
const SAFE_HTML_ATTRS = new Set(['as_p', 'as_table', 'as_ul', 'as_div', 'label_tag', 'legend_tag', 'errors', 'non_field_errors', 'media', 'management_form']);
const MAX_DEPTH = 4;

/** Where a name's value comes from: a view's context (tainted), or a constant (`null`). */
interface Origin {
  view: string;
  /** The context key it comes from (`posts` for the loop variable `post`). */
  key: string;
}
type Env = Map<string, Origin | null>;

export interface TemplateSafeData {
  /** The variable's text (`post.body`). */
  expr: string;
  how: 'safe' | 'safeseq' | 'autoescape';
  contextKey: string;
  views: string[];
}

interface Hit {
  file: string;
  span: Span;
  expr: string;
  how: TemplateSafeData['how'];
  key: string;
  views: Set<string>;
}

function constantVal(v: Val): boolean {
  return v.t === 'str' || (v.t === 'dict' && [...v.entries.values()].every(constantVal));
}

/** Reads `post.body|escape` / `"text"` (tag argument text) into a root name and filter names. */
function readExpr(text: string): { root?: string; literal: boolean; filters: string[] } {
  const parts = text.split('|');
  const head = parts[0].trim();
  const filters = parts.slice(1).map((f) => f.split(':')[0].trim());
  if (!head || /^["'_0-9+\-]/.test(head) || !/^[\w.]+$/.test(head)) return { literal: /^(["']|_\(|[0-9+\-])/.test(head), filters };
  return { root: head.split('.')[0], literal: false, filters };
}

class Walker {
  readonly hits = new Map<string, Hit>();
  private readonly seen = new Set<string>();

  constructor(
    private readonly ws: Workspace,
    private readonly project: Project,
    private readonly view: string,
  ) {}

  private fileOf(name: string): string | undefined {
    return this.project.templates.byName.get(name)?.[0];
  }

  /** A rendered template: its own nodes, then its parents' nodes outside the blocks it overrides. */
  walkTemplate(file: string, env: Env, autoescape: boolean, depth: number): void {
    if (depth > MAX_DEPTH) return;
    const key = `${file}\0${depth}\0${autoescape}\0${[...env].map(([k, v]) => `${k}=${v ? v.key : ''}`).join(',')}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    let t = this.ws.template(file);
    if (!t) return;
    this.walk(file, t.parsed.nodes, env, autoescape, depth, new Set());
    const overridden = new Set<string>();
    const chain = new Set([file]);
    for (let i = 0; i < MAX_DEPTH && t?.parsed.extends?.name; i++) {
      for (const b of t.parsed.blocks) overridden.add(b.name);
      const parent = this.fileOf(t.parsed.extends.name);
      if (!parent || chain.has(parent)) return;
      chain.add(parent);
      t = this.ws.template(parent);
      if (!t) return;
      this.walk(parent, t.parsed.nodes, env, autoescape, depth, overridden);
    }
  }

  private walk(file: string, nodes: TNode[], env: Env, autoescape: boolean, depth: number, skipBlocks: Set<string>): void {
    for (const n of nodes) {
      if (n.kind === 'var') this.output(file, n.expr, env, autoescape);
      else if (n.kind === 'tag') this.tag(file, n, env, autoescape, depth, skipBlocks);
    }
  }

  private tag(file: string, n: TagNode, env: Env, autoescape: boolean, depth: number, skipBlocks: Set<string>): void {
    const children = (nodes: TNode[] | undefined, e: Env, ae = autoescape) => this.walk(file, nodes ?? [], e, ae, depth, skipBlocks);
    switch (n.name) {
      case 'block':
        if (skipBlocks.has(n.bits[1] ?? '')) return;
        children(n.children, env);
        return;
      case 'autoescape':
        children(n.children, env, n.bits[1] === 'off' ? false : n.bits[1] === 'on' ? true : autoescape);
        return;
      case 'for': {
        const inner: Env = new Map(env);
        inner.delete('forloop');
        const loop = n.loop;
        const origin = loop && loop.iterable.path.length ? env.get(loop.iterable.path[0]) : undefined;
        for (const v of loop?.vars ?? []) {
          if (origin) inner.set(v, origin);
          else inner.delete(v); // a literal or unknown iterable: the loop variable's origin is unknown
        }
        children(n.children, inner);
        for (const b of n.branches ?? []) children(b.children, env);
        return;
      }
      case 'with': {
        const inner: Env = new Map(env);
        const bits = n.bits.slice(1);
        if (bits.length === 3 && bits[1] === 'as') this.bind(inner, bits[2], bits[0], env);
        else for (const b of bits) {
          const eq = b.indexOf('=');
          if (eq > 0) this.bind(inner, b.slice(0, eq), b.slice(eq + 1), env);
        }
        children(n.children, inner);
        return;
      }
      case 'include': {
        const inc = n.bits[1];
        const name = inc && /^(['"]).*\1$/.test(inc) ? inc.slice(1, -1) : undefined;
        const target = name ? this.fileOf(name) : undefined;
        if (!target) return;
        const incEnv: Env = n.bits.includes('only') ? new Map() : new Map(env);
        const withAt = n.bits.indexOf('with');
        if (withAt > 0) {
          for (const b of n.bits.slice(withAt + 1)) {
            const eq = b.indexOf('=');
            if (eq > 0) this.bind(incEnv, b.slice(0, eq), b.slice(eq + 1), env);
          }
        }
        this.walkTemplate(target, incEnv, autoescape, depth + 1);
        return;
      }
      case 'comment':
      case 'verbatim':
        return;
      default:
        children(n.children, env);
        for (const b of n.branches ?? []) children(b.children, env);
    }
  }

  /** `{% with name=value %}`: the name takes the value's origin; a literal or escaped value is constant. */
  private bind(env: Env, name: string, valueText: string, from: Env): void {
    const e = readExpr(valueText);
    if (e.literal || e.filters.some((f) => ESCAPING.has(f))) env.set(name, null);
    else if (e.root && from.get(e.root)) env.set(name, from.get(e.root)!);
    else env.delete(name);
  }

  private output(file: string, fe: FilterExpr, env: Env, autoescape: boolean): void {
    if (!fe.path.length || fe.literal !== undefined) return;
    if (fe.path.length > 1 && SAFE_HTML_ATTRS.has(fe.path[fe.path.length - 1])) return;
    const origin = env.get(fe.path[0]);
    if (!origin) return;
    const names = fe.filters.map((f) => f.name);
    const escapes = (f: string) => ESCAPING.has(f) || (autoescape && ESCAPING_WHEN_AUTOESCAPE.has(f));
    const at = names.findIndex((f) => f === 'safe' || f === 'safeseq');
    let how: TemplateSafeData['how'];
    if (at >= 0) {
      if (names.slice(0, at).some(escapes)) return;
      if (names.slice(at + 1).includes('force_escape')) return;
      how = names[at] as 'safe' | 'safeseq';
    } else {
      if (autoescape || names.some(escapes)) return;
      how = 'autoescape';
    }
    const key = `${file}:${fe.varSpan.join(',')}`;
    const hit = this.hits.get(key);
    if (hit) hit.views.add(this.view);
    else this.hits.set(key, { file, span: fe.varSpan, expr: fe.var, how, key: origin.key, views: new Set([this.view]) });
  }
}

function message(h: Hit): string {
  const views = [...h.views].sort();
  const others = views.length > 1 ? ` (and ${views.length - 1} other view${views.length > 2 ? 's' : ''})` : '';
  const root = h.expr.split('.')[0];
  const from = root === h.key ? `the context of ${views[0]}${others}` : `\`${h.key}\` in the context of ${views[0]}${others}`;
  if (h.how === 'autoescape') {
    return `\`${h.expr}\` comes from ${from} and is output inside {% autoescape off %}, so any HTML in it is rendered unescaped (cross-site scripting). Escape it with |escape, or sanitise the value in the view (e.g. with bleach) and mark only that result safe.`;
  }
  const what = h.how === 'safeseq' ? 'its items are marked safe with |safeseq, so any HTML in them is' : 'is marked safe with |safe, so any HTML in it is';
  return `\`${h.expr}\` comes from ${from} and ${what} rendered unescaped (cross-site scripting). Remove |${h.how}, or sanitise the value in the view (e.g. with bleach) and mark only that result safe.`;
}

export const templateSafeFilter: Check = {
  code: 'DJL322',
  name: 'template-safe-filter',
  defaultSeverity: 'warning',
  description: 'A template marks a value from a view\'s context safe (|safe, {% autoescape off %}), so its HTML is not escaped.',
  run({ workspace, project }) {
    const hits = new Map<string, Hit>();
    const renderings: ViewRendering[] = viewRenderings(workspace, project);
    for (const r of renderings) {
      const file = r.templates.map((n) => project.templates.byName.get(n)?.[0]).find((f) => f);
      if (!file || !HTML_FILE.test(file)) continue;
      const env: Env = new Map();
      for (const [k, v] of r.context) env.set(k, constantVal(v) ? null : { view: r.view, key: k });
      const w = new Walker(workspace, project, r.view);
      w.walkTemplate(file, env, true, 0);
      for (const [k, h] of w.hits) {
        const prev = hits.get(k);
        if (prev) for (const v of h.views) prev.views.add(v);
        else hits.set(k, h);
      }
    }
    const out = [];
    for (const h of hits.values()) {
      if (!HTML_FILE.test(h.file)) continue;
      const data: TemplateSafeData = { expr: h.expr, how: h.how, contextKey: h.key, views: [...h.views].sort() };
      out.push({ code: 'DJL322', message: message(h), file: h.file, span: h.span, data });
    }
    return out;
  },
};
