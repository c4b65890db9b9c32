/**
 * Name resolution across a project's modules, read from ModuleFacts only: what does `views.post_list`
 * in blog/urls.py name? Follows `import`/`from ... import ... as ...`, re-exports through
 * `__init__.py`, star imports, and simple aliases (`detail = views.detail`). Anything outside the
 * project's modules becomes an `external` binding carrying its fully qualified name, which is how
 * Django's own API (`django.urls.path`) is recognised whether or not Django's source is indexed.
 */
import type { Span } from '../types';
import { type ClassDef, type Expr, type FunctionDef, type Stmt, flatStatements } from './ast';
import type { ModuleFacts } from './facts';
import type { ModuleMap } from './modules';

export type Binding =
  | { kind: 'module'; module: string; file?: string }
  | { kind: 'def'; module: string; qualname: string; file: string; def: FunctionDef; cls?: ClassDef }
  | { kind: 'class'; module: string; qualname: string; file: string; def: ClassDef }
  | { kind: 'value'; module: string; name: string; file: string; stmt: Stmt; value: Expr | null }
  | { kind: 'external'; fq: string };

/** The fully qualified dotted name of a binding (`django.urls.conf.path`, `blog.views.post_list`). */
export function fqName(b: Binding): string {
  switch (b.kind) {
    case 'module':
      return b.module;
    case 'external':
      return b.fq;
    case 'value':
      return `${b.module}.${b.name}`;
    default:
      return `${b.module}.${b.qualname}`;
  }
}

export interface FactsProvider {
  modules: ModuleMap;
  facts(file: string): ModuleFacts | undefined;
}

type Site =
  | { k: 'stmt'; stmt: Stmt }
  | { k: 'import'; module: string; bindsPackage: boolean }
  | { k: 'from'; module: string; level: number; name: string };

interface Table {
  names: Map<string, Site>;
  stars: { module: string; level: number }[];
  all?: string[];
}

const MAX_DEPTH = 24;

/**
 * Name tables depend only on one file's facts, which are immutable: shared by every resolver, so a
 * project rebuilt after an edit recomputes only the edited file's table.
 */
const tables = new WeakMap<ModuleFacts, Table>();

export class SymbolResolver {
  private cache = new Map<string, Binding | null>();

  constructor(private readonly project: FactsProvider) {}

  get modules(): ModuleMap {
    return this.project.modules;
  }

  /** When set, every file whose facts this resolver reads (the dependencies of a computation). */
  recorder?: Set<string>;

  factsOf(module: string): { file: string; facts: ModuleFacts } | undefined {
    const file = this.project.modules.fileOf(module);
    if (!file) return undefined;
    this.recorder?.add(file);
    const facts = this.project.facts(file);
    return facts ? { file, facts } : undefined;
  }

  private table(facts: ModuleFacts): Table {
    let t = tables.get(facts);
    if (t) return t;
    t = { names: new Map(), stars: [] };
    for (const st of flatStatements(facts.body)) {
      switch (st.k) {
        case 'def':
        case 'class':
          t.names.set(st.name, { k: 'stmt', stmt: st });
          break;
        case 'assign':
          for (const target of st.targets) bindTargets(target, st, t.names);
          if (st.targets.some((x) => x.k === 'name' && x.id === '__all__') && (st.value.k === 'list' || st.value.k === 'tuple')) {
            t.all = st.value.items.flatMap((i) => (i.k === 'str' ? [i.v] : []));
          }
          break;
        case 'annassign':
          bindTargets(st.target, st, t.names);
          break;
        case 'import':
          for (const n of st.names) {
            if (n.asname) t.names.set(n.asname, { k: 'import', module: n.name, bindsPackage: false });
            else t.names.set(n.name.split('.')[0], { k: 'import', module: n.name.split('.')[0], bindsPackage: true });
          }
          break;
        case 'from':
          if (st.names === '*') t.stars.push({ module: st.module, level: st.level });
          else for (const n of st.names) t.names.set(n.asname ?? n.name, { k: 'from', module: st.module, level: st.level, name: n.name });
          break;
      }
    }
    tables.set(facts, t);
    return t;
  }

  /** Absolute module name for a `from` statement in `module`. */
  absolute(module: string, level: number, target: string): string | undefined {
    return this.project.modules.resolveRelative(module, level, target);
  }

  /** What `name` means at the top level of `module`. */
  resolveName(module: string, name: string, depth = 0): Binding | undefined {
    const key = `${module}\0${name}`;
    const hit = this.cache.get(key);
    if (hit !== undefined) return hit ?? undefined;
    if (depth > MAX_DEPTH) return undefined;
    this.cache.set(key, null); // cycle guard: a re-entrant lookup sees "unknown"
    const result = this.resolveNameUncached(module, name, depth);
    this.cache.set(key, result ?? null);
    return result;
  }

  private resolveNameUncached(module: string, name: string, depth: number): Binding | undefined {
    const mf = this.factsOf(module);
    if (!mf) return undefined;
    const t = this.table(mf.facts);
    const site = t.names.get(name);
    if (site) return this.resolveSite(module, mf.file, name, site, depth);
    for (const star of t.stars) {
      const abs = this.absolute(module, star.level, star.module);
      if (!abs) continue;
      if (!this.project.modules.has(abs)) continue; // an external star import: nothing to read
      const sub = this.factsOf(abs);
      if (sub) {
        const st = this.table(sub.facts);
        if (st.all && !st.all.includes(name)) continue;
        if (!st.all && name.startsWith('_')) continue;
      }
      const b = this.resolveName(abs, name, depth + 1);
      if (b) return b;
    }
    return undefined;
  }

  private resolveSite(module: string, file: string, name: string, site: Site, depth: number): Binding | undefined {
    if (site.k === 'stmt') {
      const st = site.stmt;
      if (st.k === 'def') return { kind: 'def', module, qualname: st.name, file, def: st };
      if (st.k === 'class') return { kind: 'class', module, qualname: st.name, file, def: st };
      const value = st.k === 'assign' || st.k === 'annassign' ? st.value : null;
      // `alias = other.name` is the same object as other.name.
      if (value && (value.k === 'name' || value.k === 'attr') && !(value.k === 'name' && value.id === name)) {
        const b = this.resolveExpr(module, value, depth + 1);
        if (b) return b;
      }
      return { kind: 'value', module, name, file, stmt: st, value };
    }
    if (site.k === 'import') return this.moduleBinding(site.module);
    const abs = this.absolute(module, site.level, site.module);
    if (!abs) return undefined;
    return this.resolveFrom(abs, site.name, depth + 1);
  }

  moduleBinding(module: string): Binding {
    const file = this.project.modules.fileOf(module);
    return file ? { kind: 'module', module, file } : { kind: 'module', module };
  }

  /** `from <module> import <name>`: an attribute of the module, else its submodule. */
  resolveFrom(module: string, name: string, depth = 0): Binding | undefined {
    if (this.project.modules.has(module)) {
      const b = this.resolveName(module, name, depth);
      if (b) return b;
      const sub = `${module}.${name}`;
      if (this.project.modules.has(sub)) return this.moduleBinding(sub);
      return undefined;
    }
    const sub = `${module}.${name}`;
    if (this.project.modules.has(sub)) return this.moduleBinding(sub);
    return { kind: 'external', fq: sub };
  }

  /** What a name or attribute chain written in `module` refers to. */
  resolveExpr(module: string, e: Expr, depth = 0): Binding | undefined {
    if (depth > MAX_DEPTH) return undefined;
    if (e.k === 'name') return this.resolveName(module, e.id, depth);
    if (e.k !== 'attr') return undefined;
    const base = this.resolveExpr(module, e.obj, depth + 1);
    if (!base) return undefined;
    return this.member(base, e.attr, depth + 1);
  }

  /** `base.attr` for a resolved base. */
  member(base: Binding, attr: string, depth = 0): Binding | undefined {
    switch (base.kind) {
      case 'module':
        if (base.file) return this.resolveFrom(base.module, attr, depth);
        return this.project.modules.has(`${base.module}.${attr}`)
          ? this.moduleBinding(`${base.module}.${attr}`)
          : { kind: 'external', fq: `${base.module}.${attr}` };
      case 'external':
        return { kind: 'external', fq: `${base.fq}.${attr}` };
      case 'class': {
        for (const st of base.def.body) {
          if (st.k === 'def' && st.name === attr) {
            return { kind: 'def', module: base.module, qualname: `${base.qualname}.${attr}`, file: base.file, def: st, cls: base.def };
          }
          if (st.k === 'class' && st.name === attr) {
            return { kind: 'class', module: base.module, qualname: `${base.qualname}.${attr}`, file: base.file, def: st };
          }
        }
        return undefined;
      }
      default:
        return undefined;
    }
  }
}

function bindTargets(target: Expr, stmt: Stmt, names: Map<string, Site>): void {
  if (target.k === 'name') names.set(target.id, { k: 'stmt', stmt });
  else if (target.k === 'tuple' || target.k === 'list') for (const t of target.items) bindTargets(t, stmt, names);
}

/** Where a binding is defined, for navigation. */
export function bindingLocation(b: Binding): { file: string; span: Span } | undefined {
  switch (b.kind) {
    case 'def':
    case 'class':
      return { file: b.file, span: b.def.nameSpan };
    case 'value':
      return { file: b.file, span: b.stmt.s };
    case 'module':
      return b.file ? { file: b.file, span: [0, 0, 0, 0] } : undefined;
    default:
      return undefined;
  }
}
