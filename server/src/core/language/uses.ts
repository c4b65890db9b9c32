/**
 * Where a project names URLs and templates: every `reverse`/`reverse_lazy`/`redirect`/
 * `resolve_url` call with a literal name, every `{% url %}`, every template named in
 * `render`-like calls, `template_name` attributes and arguments, `{% extends %}` and
 * `{% include %}`. Read from the per-file facts and parsed templates, so it is cheap enough for
 * references and for the reference checks. Calls are kept only when the callee is Django's (or a
 * bare name imported inside a function, which facts cannot see): a project's own `reverse()` or
 * a widget's `render()` is not a URL or template use.
 */
import type { Project } from '../project/project';
import { resolveRelativeName } from '../project/templates';
import { TEMPLATE_ARG, templateNamesOf } from '../project/views';
import { type Expr, type Stmt, argument, keyword, stringValue } from '../python/ast';
import type { CallSite } from '../python/facts';
import { fqName } from '../python/symbols';
import type { Span } from '../types';
import type { Workspace } from '../workspace';
import type { UrlArgs } from './urlNames';

export const URL_CALLS = new Set(['reverse', 'reverse_lazy', 'redirect', 'resolve_url']);

const DJANGO_CALLEES = /^(django\.(urls|urls\.base|core\.urlresolvers|shortcuts|template\.loader|template\.response|template)\.\w+|rest_framework\.reverse\.\w+)$/;

export interface UrlUse {
  file: string;
  /** The name's literal: with quotes in Python, inside the quotes in templates. */
  span: Span;
  name: string;
  args: UrlArgs;
  via: string;
  /** redirect()/resolve_url() treat a string with "/" or "." as a URL, not a name. */
  mayBeUrl: boolean;
  /** Django does not raise for this use (`{% url ... as var %}`, a custom urlconf). */
  quiet: boolean;
  inTemplate: boolean;
}

export interface TemplateNameUse {
  file: string;
  span: Span;
  name: string;
  via: 'call' | 'attribute' | 'keyword' | 'extends' | 'include';
  inTemplate: boolean;
}

/** Python files of a project (those its module map knows). */
export function projectPythonFiles(ws: Workspace, project: Project): string[] {
  return ws.pythonFiles().filter((f) => project.modules.moduleOf(f) !== undefined);
}

/** Template files of a project (under its template roots). */
export function projectTemplateFiles(project: Project): string[] {
  return [...project.templates.nameOf.keys()].filter((f) => /\.(html?|txt|xml|jinja|j2|djhtml|email)$/i.test(f) || !/\.[a-z0-9]+$/i.test(f));
}

/** Whether a call site's callee is Django's (or plausibly so). */
export function isDjangoCall(project: Project, file: string, site: CallSite): boolean {
  const module = project.modules.moduleOf(file);
  const fn = site.call.fn;
  if (module === undefined) return fn.k === 'name';
  const b = project.symbols.resolveExpr(module, fn);
  if (!b) return fn.k === 'name'; // imported inside a function: facts do not see it
  if (b.kind === 'external') return DJANGO_CALLEES.test(b.fq);
  const fq = fqName(b);
  return DJANGO_CALLEES.test(fq);
}

function literalCount(e: Expr | undefined): number | undefined {
  if (!e) return 0;
  if (e.k === 'const' && e.v === null) return 0;
  if ((e.k === 'list' || e.k === 'tuple') && !e.items.some((i) => i.k === 'star')) return e.items.length;
  return undefined;
}

function literalKeys(e: Expr | undefined): string[] | undefined {
  if (!e) return [];
  if (e.k === 'const' && e.v === null) return [];
  if (e.k !== 'dict') {
    if (e.k === 'call' && e.fn.k === 'name' && e.fn.id === 'dict' && e.args.length === 0 && e.kw.every((k) => k.name)) return e.kw.map((k) => k.name!);
    return undefined;
  }
  const keys: string[] = [];
  for (const en of e.entries) {
    const k = en.key ? stringValue(en.key) : undefined;
    if (k === undefined) return undefined;
    keys.push(k);
  }
  return keys;
}

/** The URL name use of one call site, or undefined when its first argument is not a literal. */
export function urlUseOfCall(file: string, site: CallSite): UrlUse | undefined {
  const call = site.call;
  if (site.name === 'reverse' || site.name === 'reverse_lazy') {
    const nameArg = argument(call, 0, 'viewname');
    const name = stringValue(nameArg);
    if (name === undefined || !nameArg) return undefined;
    const urlconf = argument(call, 1, 'urlconf');
    const args = { positional: literalCount(argument(call, 2, 'args')), keywords: literalKeys(argument(call, 3, 'kwargs')) };
    const hasStarKw = call.kw.some((k) => k.name === null);
    return {
      file,
      span: nameArg.s,
      name,
      args: hasStarKw ? {} : args,
      via: site.name,
      mayBeUrl: false,
      quiet: !!urlconf && !(urlconf.k === 'const' && urlconf.v === null),
      inTemplate: false,
    };
  }
  if (site.name === 'redirect' || site.name === 'resolve_url') {
    const nameArg = argument(call, 0, 'to');
    const name = stringValue(nameArg);
    if (name === undefined || !nameArg) return undefined;
    const rest = call.args.slice(1);
    const star = rest.some((a) => a.k === 'star') || call.kw.some((k) => k.name === null);
    const keywords = call.kw.filter((k) => k.name && k.name !== 'permanent' && k.name !== 'to').map((k) => k.name!);
    return {
      file,
      span: nameArg.s,
      name,
      args: star ? {} : { positional: rest.length, keywords },
      via: site.name,
      mayBeUrl: true,
      quiet: false,
      inTemplate: false,
    };
  }
  return undefined;
}

/**
 * Uses are cached per Project object: the workspace makes a new Project after every change (of a
 * Python file or a template), so a cached list never outlives the text it was read from.
 */
const urlUseCache = new WeakMap<Project, UrlUse[]>();
const templateUseCache = new WeakMap<Project, TemplateNameUse[]>();

/** Every URL name use in a project, Python and templates. */
export function urlUses(ws: Workspace, project: Project): UrlUse[] {
  const hit = urlUseCache.get(project);
  if (hit) return hit;
  const out: UrlUse[] = [];
  urlUseCache.set(project, out);
  for (const file of projectPythonFiles(ws, project)) {
    const facts = ws.facts(file);
    for (const site of facts?.calls ?? []) {
      if (!URL_CALLS.has(site.name)) continue;
      const use = urlUseOfCall(file, site);
      if (use && isDjangoCall(project, file, site)) out.push(use);
    }
  }
  for (const file of projectTemplateFiles(project)) out.push(...templateUrlUses(ws, file));
  return out;
}

/** `{% url %}` tags of one template with a literal name. */
export function templateUrlUses(ws: Workspace, file: string): UrlUse[] {
  const t = ws.template(file);
  if (!t) return [];
  const out: UrlUse[] = [];
  for (const u of t.parsed.urls) {
    if (u.name === null || !u.nameSpan) continue;
    out.push({
      file,
      span: u.nameSpan,
      name: u.name,
      args: { positional: u.args.length, keywords: Object.keys(u.kwargs) },
      via: '{% url %}',
      mayBeUrl: false,
      quiet: !!u.asVar,
      inTemplate: true,
    });
  }
  return out;
}

/** Template names in one Python file: calls, `template_name` attributes and keyword arguments. */
export function pythonTemplateUses(project: Project, file: string, facts: ReturnType<Workspace['facts']>): TemplateNameUse[] {
  const out: TemplateNameUse[] = [];
  if (!facts) return out;
  for (const site of facts.calls) {
    if (!TEMPLATE_ARG[site.name] || !isDjangoCall(project, file, site)) continue;
    for (const t of templateNamesOf(site)) out.push({ file, span: t.span, name: t.name, via: 'call', inTemplate: false });
  }
  const visitExpr = (e: Expr | null | undefined, depth: number): void => {
    if (!e || depth > 40) return;
    switch (e.k) {
      case 'call': {
        const tn = keyword(e, 'template_name');
        const s = stringValue(tn);
        if (tn && s !== undefined) out.push({ file, span: tn.s, name: s, via: 'keyword', inTemplate: false });
        visitExpr(e.fn, depth + 1);
        for (const a of e.args) visitExpr(a, depth + 1);
        for (const k of e.kw) visitExpr(k.value, depth + 1);
        return;
      }
      case 'list': case 'tuple': case 'set':
        for (const i of e.items) visitExpr(i, depth + 1);
        return;
      case 'bin':
        visitExpr(e.l, depth + 1);
        visitExpr(e.r, depth + 1);
        return;
      case 'attr':
        visitExpr(e.obj, depth + 1);
        return;
      default:
        return;
    }
  };
  const visit = (body: Stmt[], inClass: boolean, depth: number): void => {
    for (const st of body) {
      if (st.k === 'class') {
        if (depth < 4) visit(st.body, true, depth + 1);
        continue;
      }
      if (st.k === 'assign') {
        if (inClass && st.targets.some((t) => t.k === 'name' && t.id === 'template_name')) {
          const s = stringValue(st.value);
          if (s !== undefined) out.push({ file, span: st.value.s, name: s, via: 'attribute', inTemplate: false });
        }
        visitExpr(st.value, 0);
      } else if (st.k === 'augassign' || st.k === 'expr') visitExpr(st.value, 0);
      else if (st.k === 'if') {
        visit(st.body, inClass, depth + 1);
        visit(st.orelse, inClass, depth + 1);
      }
    }
  };
  visit(facts.body, false, 0);
  return out;
}

/** `{% extends %}`/`{% include %}` with literal names in one template (relative names resolved). */
export function templateTemplateUses(ws: Workspace, project: Project, file: string): TemplateNameUse[] {
  const t = ws.template(file);
  if (!t) return [];
  const own = project.templates.nameOf.get(file);
  const out: TemplateNameUse[] = [];
  const ext = t.parsed.extends;
  if (ext?.name && ext.nameSpan) out.push({ file, span: ext.nameSpan, name: resolveRelativeName(ext.name, own), via: 'extends', inTemplate: true });
  for (const inc of t.parsed.includes) {
    if (inc.name && inc.nameSpan) out.push({ file, span: inc.nameSpan, name: resolveRelativeName(inc.name, own), via: 'include', inTemplate: true });
  }
  return out;
}

/** Every template name use in a project. */
export function templateUses(ws: Workspace, project: Project): TemplateNameUse[] {
  const hit = templateUseCache.get(project);
  if (hit) return hit;
  const out: TemplateNameUse[] = [];
  templateUseCache.set(project, out);
  for (const file of projectPythonFiles(ws, project)) out.push(...pythonTemplateUses(project, file, ws.facts(file)));
  for (const file of projectTemplateFiles(project)) out.push(...templateTemplateUses(ws, project, file));
  return out;
}
