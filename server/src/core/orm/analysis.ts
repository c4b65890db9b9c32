/**
 * The N+1 analysis of a project's Python code: every function of every project module is
 * interpreted (interpreter.ts) and each per-row access is decided against the queryset it came
 * from — is the relation selected or prefetched, is the field deferred, does the call re-query even
 * with a prefetch cache. The result is plain data that the checks turn into findings and fixes.
 *
 * Incremental: results are cached per file together with the facts of every file the analysis read
 * (the file itself, callees, view classes) and a fingerprint of the model index. After an edit only
 * files whose own facts, dependencies or models changed are analysed again.
 */
import type { Project } from '../project/project';
import type { ModelIndex } from '../project/models';
import type { ModuleFacts } from '../python/facts';
import type { SyntaxNode } from '../python/parser';
import type { Binding } from '../python/symbols';
import type { Workspace } from '../workspace';
import { FunctionInterpreter, OrmContext } from './interpreter';
import { type Coverage, covers, deferredField } from './state';
import type { Access, Anchor } from './values';

/** A per-row access that Django will run a query for. */
export interface Decided {
  access: Access;
  /** The queryset to fix, and the lookup to add to it. */
  fix?: { anchor: Anchor; method: 'select_related' | 'prefetch_related' | 'only'; path: string };
  /** The anchor the message names (where the rows come from). */
  anchor?: Anchor;
}

/** Callee names that suggest a file builds or reads querysets (a cheap filter before reparsing). */
const ORM_CALLS = new Set([
  'all', 'filter', 'exclude', 'get', 'select_related', 'prefetch_related', 'order_by', 'only', 'defer', 'values', 'values_list',
  'get_queryset', 'get_object_or_404', 'get_list_or_404', 'annotate', 'distinct', 'iterator', 'first', 'last', 'count', 'exists', 'none',
]);

interface FileResult {
  facts: ModuleFacts;
  modelsSig: string;
  deps: Map<string, ModuleFacts | undefined>;
  decided: Decided[];
}

const cacheByWorkspace = new WeakMap<Workspace, Map<string, FileResult>>();
const sigByModels = new WeakMap<ModelIndex, string>();
const runByProject = new WeakMap<Project, Decided[]>();

export function modelsSignature(models: ModelIndex): string {
  let s = sigByModels.get(models);
  if (s === undefined) {
    s = JSON.stringify(models.models.map((m) => [m.label, m.module, m.qualname, m.fields.map((f) => [f.name, f.relation?.kind, f.relation?.target]), m.reverse.map((r) => [r.name, r.many, r.from]), m.managers.map((x) => [x.name, x.cls]), m.parents]));
    sigByModels.set(models, s);
  }
  return s;
}

/** Per-row accesses in the project's Python code that run a query, decided. */
export function pythonNPlusOne(ws: Workspace, project: Project): Decided[] {
  const memo = runByProject.get(project);
  if (memo) return memo;
  let cache = cacheByWorkspace.get(ws);
  if (!cache) cacheByWorkspace.set(ws, (cache = new Map()));
  const sig = modelsSignature(project.models);
  const out: Decided[] = [];
  if (project.models.models.length === 0) {
    runByProject.set(project, out);
    return out;
  }
  const ctx = new OrmContext(project, ws);
  for (const module of project.projectModules) {
    const file = project.modules.fileOf(module);
    if (!file || !file.startsWith(project.root + '/')) continue;
    const facts = ws.facts(file);
    // Only loops start an N+1 (functions they call are followed from there).
    if (!facts || !facts.hasLoops || !facts.callNames.some((n) => ORM_CALLS.has(n))) continue;
    const hit = cache.get(file);
    if (hit && hit.facts === facts && hit.modelsSig === sig && [...hit.deps].every(([f, fx]) => ws.facts(f) === fx)) {
      out.push(...hit.decided);
      continue;
    }
    const { value, files } = ctx.collecting(() => analyseFile(ctx, module, file));
    const decided = value ?? [];
    const deps = new Map<string, ModuleFacts | undefined>();
    for (const f of files) deps.set(f, ws.facts(f));
    cache.set(file, { facts, modelsSig: sig, deps, decided });
    out.push(...decided);
  }
  ctx.dispose();
  runByProject.set(project, out);
  return out;
}

function analyseFile(ctx: OrmContext, module: string, file: string): Decided[] | undefined {
  return ctx.withTree(file, (tree) => {
    const out: Decided[] = [];
    const visit = (n: SyntaxNode, cls: Extract<Binding, { kind: 'class' }> | undefined, classPath: string[]) => {
      for (const c of n.namedChildren) {
        if (!c) continue;
        let def: SyntaxNode | null = c;
        if (c.type === 'decorated_definition') def = c.childForFieldName('definition');
        if (!def) continue;
        if (def.type === 'function_definition' && !mayLoop(def)) {
          const body = def.childForFieldName('body');
          if (body) visit(body, undefined, [...classPath, def.childForFieldName('name')?.text ?? '?']);
        } else if (def.type === 'function_definition') {
          const fi = new FunctionInterpreter(ctx, module, file, 0, false);
          fi.owner = [...classPath, def.childForFieldName('name')?.text ?? '?'].join('.');
          try {
            fi.run(def, cls);
          } catch (e) {
            ctx.ws.problems.push({ file, message: `N+1 analysis failed in ${fi.owner}: ${(e as Error).message}` });
            continue;
          }
          for (const a of fi.accesses) {
            const d = decide(a);
            if (d) out.push(d);
          }
          const body = def.childForFieldName('body');
          if (body) visit(body, undefined, [...classPath, def.childForFieldName('name')?.text ?? '?']);
        } else if (def.type === 'class_definition') {
          const name = def.childForFieldName('name')?.text ?? '?';
          const path = [...classPath, name];
          const b = ctx.resolveFq(`${module}.${path.join('.')}`);
          const body = def.childForFieldName('body');
          if (body) visit(body, b?.kind === 'class' ? b : undefined, path);
        } else if (def.type === 'if_statement' || def.type === 'try_statement' || def.type === 'block' || def.type === 'else_clause' || def.type === 'elif_clause') {
          visit(def, cls, classPath);
        }
      }
    };
    visit(tree.rootNode, undefined, []);
    return dedupe(out);
  });
}

const LOOP_TYPES = ['for_statement', 'for_in_clause', 'while_statement'];
const LITERALS = new Set(['list', 'tuple', 'set', 'dictionary', 'string', 'concatenated_string']);

/** An iterable that is a literal container or `range(...)`: never a queryset's rows. */
function literalIterable(n: SyntaxNode | null): boolean {
  while (n?.type === 'parenthesized_expression') n = n.namedChildren[0];
  if (!n) return false;
  if (LITERALS.has(n.type)) return true;
  return n.type === 'call' && n.childForFieldName('function')?.text === 'range';
}

/**
 * Whether interpreting a function can record anything: per-row accesses happen only inside row
 * loops the function itself opens (`for`, `while`, comprehensions, `map`/`filter` calls) over
 * something that may be a queryset — callees report to a caller only from inside its row loops, and
 * nested functions are units of their own. A keyword test on the text first (a superset: it also
 * sees comments and strings), then the loops of the tree: a loop over a literal or `range(...)`
 * binds no rows.
 */
function mayLoop(def: SyntaxNode): boolean {
  const text = def.text;
  if (/\b(map|filter)\b/.test(text)) return true;
  if (!/\b(for|while)\b/.test(text)) return false;
  return def.descendantsOfType(LOOP_TYPES).some((l) => !l || l.type === 'while_statement' || !literalIterable(l.childForFieldName('right')));
}

/**
 * One finding per chain: `p.author.profile.bio` with neither hop selected reports `p.author`, and
 * its fix selects the whole chain (`author__profile`), which also removes the deeper query.
 */
export function dedupe(ds: Decided[]): Decided[] {
  const seen = new Set<string>();
  const relations = ds.filter((d) => d.access.kind === 'relation');
  ds = ds.filter((d) => {
    if (d.access.kind !== 'relation') return true;
    const a = d.access;
    const shorter = relations.find((o) => o !== d && o.access.file === a.file && o.access.span[0] === a.span[0] && o.access.span[1] === a.span[1] && a.text.startsWith(o.access.text + '.'));
    if (!shorter) return true;
    const sf = shorter.fix;
    if (sf && d.fix && sf.anchor.origin === d.fix.anchor.origin && d.fix.path.startsWith(sf.path + '__') && (sf.method === d.fix.method || d.fix.method === 'prefetch_related')) {
      shorter.fix = { ...sf, path: d.fix.path, method: d.fix.method };
    }
    return false;
  });
  // Django caches a loaded relation on the row: only the first read per loop runs the query, whether
  // the loop reads it or a method called with the row does (`row.owner_name` twice loads `owner` once).
  const loaded = new Set<string>();
  ds = [...ds].sort((x, y) => x.access.span[0] - y.access.span[0] || x.access.span[1] - y.access.span[1]);
  ds = ds.filter((d) => {
    const a = d.access;
    if (a.kind !== 'relation') return true;
    const an = a.anchors[a.anchors.length - 1];
    const k = `${a.file}:${a.loopText}:${an?.origin?.span.join(',')}:${an?.path.join('__')}`;
    if (loaded.has(k)) return false;
    loaded.add(k);
    return true;
  });
  return ds.filter((d) => {
    const k = `${d.access.kind === 'query' || d.access.kind === 'requery' ? 'q' : 'r'}:${d.access.file}:${d.access.span.join(',')}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/** Whether a per-row access really runs a query, given the querysets its row came from. */
export function decide(a: Access): Decided | undefined {
  switch (a.kind) {
    case 'relation':
    case 'manager': {
      if (!a.anchors.length) return undefined;
      for (const an of a.anchors) {
        if (!an.state) return undefined;
        const c: Coverage = covers(an.state, an.path, a.kind === 'relation' && an.selectOnly);
        if (c !== 'no') return undefined;
      }
      const anchor = a.anchors.find((x) => x.origin) ?? a.anchors[0];
      const fixAnchor = a.anchors.find((x) => x.origin && !x.state?.iterator);
      const method = a.kind === 'relation' && fixAnchor?.selectOnly ? 'select_related' : 'prefetch_related';
      return { access: a, anchor, fix: fixAnchor ? { anchor: fixAnchor, method, path: fixAnchor.path.join('__') } : undefined };
    }
    case 'deferred': {
      const own = a.anchors.filter((x) => x.path.length === 0);
      if (!own.length) return undefined;
      for (const an of own) {
        if (!an.state) return undefined;
        if (deferredField(an.state, a.attr) !== 'no') return undefined;
      }
      const anchor = own.find((x) => x.origin) ?? own[0];
      const fix = anchor.origin?.onlyArgs && anchor.state?.only ? { anchor, method: 'only' as const, path: a.attr } : undefined;
      return { access: a, anchor, fix };
    }
    case 'requery': {
      if (!a.anchors.length || a.anchors.some((x) => !x.state)) return undefined;
      return { access: a, anchor: a.anchors.find((x) => x.origin) ?? a.anchors[0] };
    }
    case 'query':
      return { access: a };
  }
}
