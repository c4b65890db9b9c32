/**
 * N+1 queries in templates. A view hands querysets to a template — `render(request, "t.html",
 * {"posts": posts})`, TemplateResponse, get_context_data, and generic views (ListView gives
 * `object_list` and `<model>_list`, DetailView gives `object` and `<model>`, both also
 * `context_object_name`). The template is then walked with those values: `{% for post in posts %}`
 * binds a row, and `{{ post.author.name }}`, `{{ post.comments.count }}`, `{% for c in
 * post.comments.all %}`, `{% if post.tags.exists %}`, `{% with %}` and `{% include %}` are read with
 * Django's template semantics (callables are called, so `.count` runs a query). Accesses are
 * recorded in the template, and the fix data points at the view that built the queryset.
 */
import type { Project } from '../project/project';
import type { ViewInfo } from '../project/views';
import type { Binding } from '../python/symbols';
import { type TNode, type TemplateFile } from '../templates/parser';
import type { Span } from '../types';
import type { Workspace } from '../workspace';
import { type Decided, decide, dedupe, modelsSignature } from './analysis';
import { type At, FunctionInterpreter, OrmContext, findDef } from './interpreter';
import { modelMember } from './members';
import type { ModuleFacts } from '../python/facts';
import { UNKNOWN, type Row, type Val } from './values';

const MULTIPLE = new Set(['ListView', 'ArchiveIndexView', 'YearArchiveView', 'MonthArchiveView', 'WeekArchiveView', 'DayArchiveView', 'TodayArchiveView', 'BaseListView']);
const SINGLE = new Set(['DetailView', 'UpdateView', 'DeleteView', 'DateDetailView', 'BaseDetailView']);
const QS_EVAL = new Set(['count', 'exists', 'first', 'last']);
const MAX_INCLUDE_DEPTH = 4;

/** What one view renders: template names, the context it passes, and its name for messages. */
interface Rendering {
  view: string;
  templates: string[];
  context: Map<string, Val>;
}

interface ViewResult {
  deps: Map<string, ModuleFacts | TemplateFile | undefined>;
  modelsSig: string;
  decided: Decided[];
}

const cacheByWorkspace = new WeakMap<Workspace, Map<string, ViewResult>>();
const runByProject = new WeakMap<Project, Decided[]>();

export function templateNPlusOne(ws: Workspace, project: Project): Decided[] {
  const memo = runByProject.get(project);
  if (memo) return memo;
  const out: Decided[] = [];
  runByProject.set(project, out);
  if (project.models.models.length === 0) return out;
  let cache = cacheByWorkspace.get(ws);
  if (!cache) cacheByWorkspace.set(ws, (cache = new Map()));
  const sig = modelsSignature(project.models);
  const ctx = new OrmContext(project, ws);
  const seen = new Set<string>();
  for (const view of project.views) {
    if (!view.file.startsWith(project.root + '/')) continue;
    const key = `${view.module}.${view.qualname}`;
    const hit = cache.get(key);
    let decided: Decided[];
    if (hit && hit.modelsSig === sig && [...hit.deps].every(([f, v]) => (f.endsWith('.py') ? ws.facts(f) : ws.template(f)?.parsed) === v)) {
      decided = hit.decided;
    } else {
      const templateFiles = new Set<string>();
      const { value, files } = ctx.collecting(() => analyseView(ctx, ws, project, view, templateFiles));
      decided = value;
      const deps = new Map<string, ModuleFacts | TemplateFile | undefined>();
      for (const f of files) deps.set(f, ws.facts(f));
      for (const f of templateFiles) deps.set(f, ws.template(f)?.parsed);
      cache.set(key, { deps, modelsSig: sig, decided });
    }
    for (const d of decided) {
      const k = `${d.access.file}:${d.access.span.join(',')}:${d.access.kind}:${d.access.attr}`;
      if (seen.has(k)) continue;
      seen.add(k);
      out.push(d);
    }
  }
  ctx.dispose();
  return out;
}

function analyseView(ctx: OrmContext, ws: Workspace, project: Project, view: ViewInfo, templateFiles: Set<string>): Decided[] {
  const renderings: Rendering[] = [];
  try {
    if (view.kind === 'function') functionView(ctx, view, renderings);
    else classView(ctx, project, view, renderings);
  } catch (e) {
    ws.problems.push({ file: view.file, message: `N+1 analysis of ${view.qualname} failed: ${(e as Error).message}` });
    return [];
  }
  const out: Decided[] = [];
  for (const r of renderings) {
    for (const name of r.templates) {
      const file = project.templates.byName.get(name)?.[0];
      if (!file) continue;
      const walker = new TemplateWalker(ctx, project, view, r.view, templateFiles);
      walker.walkFile(file, r.context, 0);
      const decided: Decided[] = [];
      for (const a of walker.accesses()) {
        const d = decide(a);
        if (d) decided.push(d);
      }
      out.push(...dedupe(decided));
      break;
    }
  }
  return out;
}

function functionView(ctx: OrmContext, view: ViewInfo, out: Rendering[]): void {
  ctx.withTree(view.file, (tree) => {
    const def = findDef(tree, view.span);
    if (!def) return;
    const fi = new FunctionInterpreter(ctx, view.module, view.file, 0, false);
    fi.owner = view.qualname;
    fi.hooks.onRender = (templates, context) => out.push({ view: view.qualname, templates, context: new Map(context) });
    fi.run(def);
  });
}

function classView(ctx: OrmContext, project: Project, view: ViewInfo, out: Rendering[]): void {
  const cb = ctx.resolveFq(`${view.module}.${view.qualname}`);
  if (cb?.kind !== 'class' || !view.genericBase) return;
  const multiple = MULTIPLE.has(view.genericBase);
  const single = SINGLE.has(view.genericBase);
  if (!multiple && !single) return;
  const fi = new FunctionInterpreter(ctx, view.module, view.file, 0, false);
  fi.owner = view.qualname;
  const self: Val = { t: 'self', cls: cb };
  const at: At = { span: view.nameSpan, text: view.qualname };
  const qsVal = selfCall(ctx, fi, cb, 'get_queryset', at);
  const context = new Map<string, Val>();
  if (qsVal.t === 'qs') {
    const modelName = ctx.models.byLabel.get(qsVal.qs.model)?.name.toLowerCase();
    let value: Val = UNKNOWN;
    if (multiple) value = qsVal;
    else {
      const row = fi.rowsOf(qsVal.qs, undefined, qsVal.qs.label);
      if (row) value = { t: 'row', row };
    }
    context.set(multiple ? 'object_list' : 'object', value);
    if (modelName) context.set(multiple ? `${modelName}_list` : modelName, value);
    if (view.contextObjectName) context.set(view.contextObjectName, value);
  }
  // get_context_data: `context["x"] = ...`, `context.update({...})`, `return {...}`.
  const gcd = ctx.method(cb, 'get_context_data');
  if (gcd) {
    ctx.withTree(gcd.file, (tree) => {
      const def = findDef(tree, gcd.def.s);
      if (!def) return;
      const g = new FunctionInterpreter(ctx, gcd.module, gcd.file, 0, false);
      g.owner = view.qualname;
      g.hooks.onContextItem = (name, value) => context.set(name, value);
      g.run(def, cb);
      const ret = g.returnValue();
      if (ret.t === 'dict') for (const [k, v] of ret.entries) context.set(k, v);
    });
  }
  void self;
  out.push({ view: view.qualname, templates: view.templates.map((t) => t.name), context });
}

/** `self.<meth>()` on a class-based view: the project's override, else Django's default. */
function selfCall(ctx: OrmContext, fi: FunctionInterpreter, cls: Extract<Binding, { kind: 'class' }>, meth: string, at: At): Val {
  const d = ctx.method(cls, meth);
  if (d) return fi.callProject(d, [], new Map(), at, { t: 'self', cls });
  return fi.defaultGetQueryset(cls, at);
}

/** Walks one template (and what it includes) with the view's context. */
class TemplateWalker {
  private all: FunctionInterpreter[] = [];

  constructor(
    private readonly ctx: OrmContext,
    private readonly project: Project,
    private readonly view: ViewInfo,
    private readonly viewName: string,
    private readonly templateFiles: Set<string>,
  ) {}

  accesses() {
    return this.all.flatMap((i) => i.accesses);
  }

  private fi!: FunctionInterpreter;

  walkFile(file: string, env: Map<string, Val>, depth: number): void {
    if (depth > MAX_INCLUDE_DEPTH) return;
    const t = this.ctx.ws.template(file);
    this.templateFiles.add(file);
    if (!t) return;
    // One interpreter for the template and what it includes, so that loops stay open across files.
    if (!this.fi) {
      this.fi = new FunctionInterpreter(this.ctx, this.view.module, file, 0, false);
      this.fi.owner = this.viewName;
      this.all.push(this.fi);
    }
    const prev = this.fi.file;
    this.fi.file = file;
    this.walk(t.parsed.nodes, env, depth);
    this.fi.file = prev;
  }

  private walk(nodes: TNode[], env: Map<string, Val>, depth: number): void {
    for (const n of nodes) {
      if (n.kind === 'var') {
        const fe = n.expr;
        if (fe.path.length) this.resolve(fe.path, fe.varSpan, env, fe.filters.length ? 'eval' : 'print');
        for (const f of fe.filters) if (f.arg) this.resolveText(f.arg, undefined, env, 'bind');
        continue;
      }
      if (n.kind !== 'tag') continue;
      switch (n.name) {
        case 'for': {
          const loop = n.loop;
          if (!loop) {
            this.walkChildren(n, env, depth);
            break;
          }
          const it = loop.iterable;
          const v = it.path.length ? this.resolve(it.path, it.varSpan, env, 'bind') : UNKNOWN;
          const at: At = { span: it.varSpan, text: it.var };
          const fi = this.fi;
          const id = fi.openLoop(it.var, false);
          let row: Row | undefined;
          if (v.t === 'qs') {
            fi.evaluate(v.qs, 'iter', at);
            row = fi.rowsOf(v.qs, id, it.var);
          } else if (v.t === 'rows') row = { ...v.row, loop: id };
          if (row) fi.activateLoop(id);
          const inner = new Map(env);
          for (const name of loop.vars) inner.set(name, UNKNOWN);
          if (row && loop.vars.length === 1) inner.set(loop.vars[0], { t: 'row', row });
          inner.set('forloop', UNKNOWN);
          this.walk(n.children ?? [], inner, depth);
          fi.closeLoop(id);
          for (const b of n.branches ?? []) this.walk(b.children, env, depth);
          break;
        }
        case 'with': {
          const inner = new Map(env);
          const bits = n.bits.slice(1);
          const spans = n.bitSpans.slice(1);
          if (bits.length === 3 && bits[1] === 'as') {
            inner.set(bits[2], this.resolveText(bits[0], spans[0], env, 'bind'));
          } else {
            bits.forEach((b, i) => {
              const eq = b.indexOf('=');
              if (eq <= 0) return;
              const s = spans[i];
              inner.set(b.slice(0, eq), this.resolveText(b.slice(eq + 1), s && [s[0], s[1] + eq + 1, s[2], s[3]], env, 'bind'));
            });
          }
          this.walk(n.children ?? [], inner, depth);
          break;
        }
        case 'if':
        case 'elif': {
          this.condition(n.bits, n.bitSpans, env);
          this.walk(n.children ?? [], env, depth);
          for (const b of n.branches ?? []) {
            if (b.name === 'elif') this.condition(b.bits, b.bitSpans, env);
            this.walk(b.children, env, depth);
          }
          break;
        }
        case 'include': {
          const inc = n.bits[1];
          const name = inc && /^(['"]).*\1$/.test(inc) ? inc.slice(1, -1) : undefined;
          const file = name ? this.project.templates.byName.get(name)?.[0] : undefined;
          const only = n.bits.includes('only');
          const withAt = n.bits.indexOf('with');
          const incEnv = only ? new Map<string, Val>() : new Map(env);
          if (withAt > 0) {
            n.bits.slice(withAt + 1).forEach((b, i) => {
              const eq = b.indexOf('=');
              if (eq <= 0) return;
              const s = n.bitSpans[withAt + 1 + i];
              incEnv.set(b.slice(0, eq), this.resolveText(b.slice(eq + 1), s && [s[0], s[1] + eq + 1, s[2], s[3]], env, 'bind'));
            });
          }
          if (file) this.walkFile(file, incEnv, depth + 1);
          break;
        }
        case 'block':
        case 'extends':
        case 'load':
        case 'comment':
        case 'verbatim':
        case 'csrf_token':
        case 'spaceless':
        case 'autoescape':
        case 'trans':
        case 'translate':
        case 'blocktrans':
        case 'blocktranslate':
          this.walkChildren(n, env, depth);
          break;
        default: {
          // Other tags ({% url 'x' post.author.slug %} ...): their variable arguments are read.
          n.bits.slice(1).forEach((b, i) => {
            const eq = b.indexOf('=');
            const s = n.bitSpans[i + 1];
            if (eq > 0) this.resolveText(b.slice(eq + 1), s && [s[0], s[1] + eq + 1, s[2], s[3]], env, 'bind');
            else this.resolveText(b, s, env, 'bind');
          });
          this.walkChildren(n, env, depth);
        }
      }
    }
  }

  private walkChildren(n: Extract<TNode, { kind: 'tag' }>, env: Map<string, Val>, depth: number): void {
    if (n.children) this.walk(n.children, env, depth);
    for (const b of n.branches ?? []) this.walk(b.children, env, depth);
  }

  private condition(bits: string[], spans: Span[], env: Map<string, Val>): void {
    bits.slice(1).forEach((b, i) => {
      if (['and', 'or', 'not', 'in', 'is', '==', '!=', '<', '>', '<=', '>='].includes(b)) return;
      this.resolveText(b, spans[i + 1], env, 'eval');
    });
  }

  /** A bit of tag text: a variable with optional filters, or a literal (ignored). */
  private resolveText(text: string, span: Span | undefined, env: Map<string, Val>, mode: 'bind' | 'eval' | 'print'): Val {
    const bar = text.indexOf('|');
    const head = bar >= 0 ? text.slice(0, bar) : text;
    if (!head || /^["'_0-9+\-.]/.test(head) || !/^[\w.]+$/.test(head)) return UNKNOWN;
    const s: Span = span ? [span[0], span[1], span[0], span[1] + head.length] : [0, 0, 0, 0];
    if (!span) return UNKNOWN;
    return this.resolve(head.split('.'), s, env, bar >= 0 && mode === 'bind' ? 'eval' : mode);
  }

  /**
   * Looks a dotted path up as Django does (attributes, callables called), recording per-row
   * accesses. `print`: the value is output; `eval`: it is evaluated (a filter, a condition).
   */
  private resolve(path: string[], varSpan: Span, env: Map<string, Val>, mode: 'bind' | 'eval' | 'print'): Val {
    let v = env.get(path[0]) ?? UNKNOWN;
    const fi = this.fi;
    const atOf = (i: number): At => {
      const text = path.slice(0, i + 1).join('.');
      return { span: [varSpan[0], varSpan[1], varSpan[0], varSpan[1] + text.length], text };
    };
    for (let i = 1; i < path.length && v.t !== 'unknown'; i++) {
      const seg = path[i];
      const at = atOf(i);
      if (v.t === 'row') {
        const row: Row = v.row;
        const mem = modelMember(this.ctx.models, row.model, seg);
        if (mem.kind === 'many') v = { t: 'manager', owner: row, member: mem };
        else if (mem.kind === 'other') {
          const m = this.ctx.models.byLabel.get(row.model);
          const cb = m ? this.ctx.resolveFq(`${m.module}.${m.qualname}`) : undefined;
          const d = cb?.kind === 'class' ? this.ctx.method(cb, seg) : undefined;
          if (d) {
            if (fi.perRow(row)) fi.callSummary(d, [], { t: 'row', row }, at, `${m!.name}.${seg}`);
            v = UNKNOWN;
          } else v = fi.rowMember(row, seg, at);
        } else v = fi.rowMember(row, seg, at);
      } else if (v.t === 'manager') {
        const q = fi.managerQs(v, at.text, undefined);
        if (seg === 'all') v = { t: 'qs', qs: q };
        else if (QS_EVAL.has(seg)) {
          fi.evaluate(q, seg, at);
          v = UNKNOWN;
        } else v = UNKNOWN;
      } else if (v.t === 'qs') {
        if (seg === 'all') continue;
        if (QS_EVAL.has(seg)) fi.evaluate(v.qs, seg, at);
        v = UNKNOWN;
      } else if (v.t === 'dict') {
        v = v.entries.get(seg) ?? UNKNOWN;
      } else v = UNKNOWN;
    }
    if (mode !== 'bind') {
      const at = atOf(path.length - 1);
      if (v.t === 'qs') fi.evaluate(v.qs, 'iter', at);
      else if (v.t === 'row' && mode === 'print') fi.dunder(v.row, '__str__', at);
    }
    return v;
  }
}

/** One view's rendering of a template, for checks that need to know where a template's values come from. */
export interface ViewRendering {
  /** The view, fully qualified (`blog.views.post_detail`). */
  view: string;
  viewFile: string;
  viewSpan: Span;
  /** Candidate template names, in order (Django renders the first that exists). */
  templates: string[];
  /** The context the view passes: render() dict keys, get_context_data, the generic view's object(s). */
  context: Map<string, Val>;
}

const renderingsByProject = new WeakMap<Project, ViewRendering[]>();

/**
 * Every rendering of every view in the project (the same reading as the N+1 analysis: render(),
 * TemplateResponse, get_context_data, ListView/DetailView), memoised per Project object.
 */
export function viewRenderings(ws: Workspace, project: Project): ViewRendering[] {
  const memo = renderingsByProject.get(project);
  if (memo) return memo;
  const out: ViewRendering[] = [];
  renderingsByProject.set(project, out);
  const ctx = new OrmContext(project, ws);
  try {
    for (const view of project.views) {
      if (!view.file.startsWith(project.root + '/')) continue;
      const renderings: Rendering[] = [];
      try {
        if (view.kind === 'function') functionView(ctx, view, renderings);
        else classView(ctx, project, view, renderings);
      } catch (e) {
        ws.problems.push({ file: view.file, message: `context analysis of ${view.qualname} failed: ${(e as Error).message}` });
        continue;
      }
      for (const r of renderings) out.push({ view: `${view.module}.${view.qualname}`, viewFile: view.file, viewSpan: view.nameSpan, templates: r.templates, context: r.context });
    }
  } finally {
    ctx.dispose();
  }
  return out;
}
