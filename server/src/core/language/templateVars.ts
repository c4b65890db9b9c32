/**
 * What an attribute in a template variable names: in `{% for post in posts %}{{ post.author.name
 * }}{% endfor %}`, rendered by a view that passes `posts` = a queryset of Post, `author` is the
 * field `Post.author` and `name` the field `Author.name`. The context comes from the views that
 * render the template (orm/templateFlow.ts's `viewRenderings`: render() dicts, get_context_data,
 * ListView's `object_list`/`<model>_list`, DetailView's `object`/`<model>`), from the templates
 * that extend or include this one, and from `{% for %}` and `{% with %}` inside it. Attributes are
 * read as Django's template engine reads them: fields and `<fk>_id`, relations forward and
 * reverse (a related manager, then `.all`/`.first`...), multi-table parents, then properties and
 * methods defined on the model class. When the model is unknown, or the views (or templates) that
 * supply a variable disagree on it, the answer is nothing.
 */
import { viewRenderings } from '../orm/templateFlow';
import type { Val } from '../orm/values';
import type { FieldInfo, ModelInfo, ReverseAccessor } from '../project/models';
import type { Project } from '../project/project';
import { resolveRelativeName } from '../project/templates';
import { dottedName } from '../python/ast';
import type { Binding } from '../python/symbols';
import type { TNode, TagNode } from '../templates/parser';
import { type Span, spanContains } from '../types';
import type { Workspace } from '../workspace';
import type { Location } from './types';

/** The static type of a template value: one model instance, several, a dict, or something else. */
export type TType =
  | { t: 'row'; model: string }
  | { t: 'many'; model: string }
  | { t: 'dict'; entries: Map<string, TType | undefined> }
  | { t: 'other' };

/** Variable name → type (undefined: not known). */
type Env = Map<string, TType | undefined>;

export type TemplateAttr =
  | { k: 'field'; model: ModelInfo; field: FieldInfo }
  | { k: 'reverse'; model: ModelInfo; accessor: ReverseAccessor }
  | { k: 'method'; model: ModelInfo; name: string; location: Location; property: boolean; doc?: string };

export interface TemplateAttrAt {
  /** The variable's path (`['post', 'author', 'name']`) and the index of the part under the cursor. */
  path: string[];
  index: number;
  /** The part under the cursor. */
  span: Span;
  attr: TemplateAttr;
}

/** Filters after which a loop still iterates over the same rows. */
const ROW_PRESERVING_FILTERS = new Set(['slice', 'dictsort', 'dictsortreversed']);
const QS_TO_ROW = new Set(['first', 'last', 'get', 'latest', 'earliest']);
const QS_SAME = new Set(['all']);
const QS_OTHER = new Set(['count', 'exists']);
const MAX_DEPTH = 4;

/** The model attribute a template variable's part names at a position, when it is unambiguous. */
export function templateAttrAt(ws: Workspace, project: Project, file: string, line: number, character: number): TemplateAttrAt | undefined {
  if (project.models.models.length === 0) return undefined;
  const t = ws.template(file);
  if (!t) return undefined;
  const ref = t.parsed.variables.find((v) => v.span[0] === v.span[2] && spanContains(v.span, line, character));
  if (!ref || ref.path.length < 2) return undefined;
  // The part under the cursor (a cursor just after a part, on the dot, belongs to it).
  const rel = character - ref.span[1];
  let start = 0;
  let index = -1;
  for (let i = 0; i < ref.path.length; i++) {
    const end = start + ref.path[i].length;
    if (rel >= start && rel <= end) {
      index = i;
      break;
    }
    start = end + 1;
  }
  if (index < 1) return undefined;
  const span: Span = [line, ref.span[1] + start, line, ref.span[1] + start + ref.path[index].length];
  const envs = entryEnvs(ws, project, file, 0, new Set());
  let found: TemplateAttr | undefined;
  let foundKey: string | undefined;
  for (const entry of envs) {
    const env = envAt(t.parsed.nodes, entry, project, line, character);
    const owner = typeOfPath(project, ref.path.slice(0, index), env);
    if (!owner) continue;
    const m = owner.t === 'row' ? memberOf(project, owner.model, ref.path[index]) : undefined;
    // A variable that is something else in another rendering: the views disagree.
    if (!m) return undefined;
    const key = attrKey(m.attr);
    if (foundKey !== undefined && key !== foundKey) return undefined;
    found = m.attr;
    foundKey = key;
  }
  return found && { path: ref.path, index, span, attr: found };
}

function attrKey(a: TemplateAttr): string {
  if (a.k === 'field') return `field:${a.model.label}.${a.field.name}`;
  if (a.k === 'reverse') return `reverse:${a.model.label}.${a.accessor.name}`;
  return `method:${a.location.file}:${a.location.span.join(',')}`;
}

// ---------------------------------------------------------------------------------------------
// Where a template's context comes from

/** The contexts a template is rendered with: one per view rendering, extending or including template. */
function entryEnvs(ws: Workspace, project: Project, file: string, depth: number, seen: Set<string>): Env[] {
  if (depth > MAX_DEPTH || seen.has(file)) return [];
  seen = new Set(seen).add(file);
  const out: Env[] = [];
  const loaded = (name: string) => project.templates.byName.get(name)?.[0];
  for (const r of viewRenderings(ws, project)) {
    const first = r.templates.map(loaded).find((f) => f !== undefined);
    if (first !== file) continue;
    const env: Env = new Map();
    for (const [k, v] of r.context) env.set(k, typeOfVal(v));
    out.push(env);
  }
  for (const [other, ownName] of project.templates.nameOf) {
    if (other === file) continue;
    const t = ws.template(other);
    if (!t) continue;
    const p = t.parsed;
    // A template that extends this one renders it with its own context.
    if (p.extends?.name && loaded(resolveRelativeName(p.extends.name, ownName)) === file) out.push(...entryEnvs(ws, project, other, depth + 1, seen));
    for (const inc of p.includes) {
      if (!inc.name || loaded(resolveRelativeName(inc.name, ownName)) !== file) continue;
      for (const env of entryEnvs(ws, project, other, depth + 1, seen)) {
        const at = envAt(p.nodes, env, project, inc.span[0], inc.span[1]);
        const next: Env = inc.only ? new Map() : new Map(at);
        for (const [k, text] of Object.entries(inc.with)) next.set(k, typeOfText(project, text, at));
        out.push(next);
      }
    }
  }
  return out;
}

/** The context at a position: the entry context with the `{% for %}` and `{% with %}` around it. */
function envAt(nodes: TNode[], env: Env, project: Project, line: number, character: number): Env {
  for (const n of nodes) {
    if (n.kind !== 'tag' || !inside(n.span, line, character)) continue;
    if (inside(n.tagSpan, line, character)) return env;
    for (const b of n.branches ?? []) {
      if (inside(b.span, line, character)) return envAt(b.children, n.name === 'for' ? env : innerEnv(n, env, project), project, line, character);
    }
    return envAt(n.children ?? [], innerEnv(n, env, project), project, line, character);
  }
  return env;
}

/** Half-open: a position where a tag ends is after it (an `{% include %}` right after `{% for %}`). */
function inside(s: Span, line: number, character: number): boolean {
  const afterStart = line > s[0] || (line === s[0] && character >= s[1]);
  const beforeEnd = line < s[2] || (line === s[2] && character < s[3]);
  return afterStart && beforeEnd;
}

function innerEnv(n: TagNode, env: Env, project: Project): Env {
  if (n.name === 'for' && n.loop) {
    const inner: Env = new Map(env);
    const it = n.loop.iterable;
    const keep = it.filters.every((f) => ROW_PRESERVING_FILTERS.has(f.name));
    const iterable = keep && it.path.length ? typeOfPath(project, it.path, env) : undefined;
    const element: TType | undefined = iterable?.t === 'many' ? { t: 'row', model: iterable.model } : undefined;
    for (const v of n.loop.vars) inner.set(v, n.loop.vars.length === 1 ? element : undefined);
    inner.set('forloop', { t: 'other' });
    return inner;
  }
  if (n.name === 'with') {
    const inner: Env = new Map(env);
    const bits = n.bits.slice(1);
    if (bits.length === 3 && bits[1] === 'as') inner.set(bits[2], typeOfText(project, bits[0], env));
    else {
      for (const b of bits) {
        const eq = b.indexOf('=');
        if (eq > 0) inner.set(b.slice(0, eq), typeOfText(project, b.slice(eq + 1), env));
      }
    }
    return inner;
  }
  return env;
}

function typeOfVal(v: Val): TType | undefined {
  switch (v.t) {
    case 'qs':
      return { t: 'many', model: v.qs.model };
    case 'row':
      return { t: 'row', model: v.row.model };
    case 'rows':
      return { t: 'many', model: v.row.model };
    case 'manager':
      return v.member.target ? { t: 'many', model: v.member.target } : undefined;
    case 'dict': {
      const entries = new Map<string, TType | undefined>();
      for (const [k, x] of v.entries) entries.set(k, typeOfVal(x));
      return { t: 'dict', entries };
    }
    case 'str':
    case 'model':
      return { t: 'other' };
    default:
      return undefined;
  }
}

/** A variable written in tag text (`post.author`); literals and filtered values are not followed. */
function typeOfText(project: Project, text: string, env: Env): TType | undefined {
  if (!/^[A-Za-z_]\w*(\.\w+)*$/.test(text)) return text.includes('|') ? undefined : { t: 'other' };
  return typeOfPath(project, text.split('.'), env);
}

function typeOfPath(project: Project, path: string[], env: Env): TType | undefined {
  let v = env.get(path[0]);
  for (let i = 1; i < path.length && v; i++) v = step(project, v, path[i]);
  return v;
}

function step(project: Project, v: TType, seg: string): TType | undefined {
  switch (v.t) {
    case 'row':
      return memberOf(project, v.model, seg)?.type;
    case 'many':
      if (QS_SAME.has(seg)) return v;
      if (QS_TO_ROW.has(seg)) return { t: 'row', model: v.model };
      if (QS_OTHER.has(seg)) return { t: 'other' };
      return undefined;
    case 'dict':
      return v.entries.get(seg);
    default:
      return undefined;
  }
}

// ---------------------------------------------------------------------------------------------
// Attributes of a model instance

function memberOf(project: Project, label: string, seg: string, depth = 0): { attr: TemplateAttr; type: TType | undefined } | undefined {
  const model = project.models.byLabel.get(label);
  if (!model || depth > 8) return undefined;
  const field = model.fields.find((f) => f.name === seg);
  if (field) return { attr: { k: 'field', model, field }, type: fieldType(field) };
  const fk = seg.endsWith('_id') ? model.fields.find((f) => f.name === seg.slice(0, -3) && (f.relation?.kind === 'ForeignKey' || f.relation?.kind === 'OneToOneField')) : undefined;
  if (fk) return { attr: { k: 'field', model, field: fk }, type: { t: 'other' } };
  const rev = model.reverse.find((r) => r.name === seg);
  if (rev) return { attr: { k: 'reverse', model, accessor: rev }, type: rev.many ? { t: 'many', model: rev.from } : { t: 'row', model: rev.from } };
  for (const p of model.parents) {
    const found = memberOf(project, p, seg, depth + 1);
    if (found) return found;
  }
  if (depth > 0) return undefined;
  const b = project.symbols.resolveFrom(model.module, model.qualname);
  const def = b?.kind === 'class' ? classMethod(project, b, seg, 0) : undefined;
  if (def) {
    const property = def.def.decorators.some((d) => /(^|\.)(property|cached_property)$/.test(dottedName(d) ?? ''));
    return { attr: { k: 'method', model, name: seg, location: { file: def.file, span: def.def.nameSpan }, property, doc: def.def.docstring }, type: undefined };
  }
  return undefined;
}

/** A `def` in a model class or its project bases, in Python's (depth-first, left to right) order. */
function classMethod(project: Project, cls: Extract<Binding, { kind: 'class' }>, name: string, depth: number): Extract<Binding, { kind: 'def' }> | undefined {
  if (depth > 10) return undefined;
  const own = project.symbols.member(cls, name);
  if (own?.kind === 'def') return own;
  for (const base of cls.def.bases) {
    const bb = project.symbols.resolveExpr(cls.module, base);
    if (bb?.kind !== 'class') continue;
    const found = classMethod(project, bb, name, depth + 1);
    if (found) return found;
  }
  return undefined;
}

function fieldType(f: FieldInfo): TType | undefined {
  const rel = f.relation;
  if (!rel) return { t: 'other' };
  if (!rel.target) return undefined;
  switch (rel.kind) {
    case 'ForeignKey':
    case 'OneToOneField':
    case 'ParentLink':
      return { t: 'row', model: rel.target };
    case 'ManyToManyField':
    case 'GenericRelation':
      return { t: 'many', model: rel.target };
    default:
      return undefined;
  }
}
