/**
 * One Django project as the analyses see it: its module map, settings, apps, models, URLs, views
 * and templates. Every part is computed lazily on first use from the workspace's per-file facts
 * and memoised; a Project object is immutable and cheap to rebuild, so the workspace simply makes
 * a new one after an edit (per-file facts, the expensive part, are reused).
 */
import { dirname } from 'node:path';
import type { ModuleFacts } from '../python/facts';
import { Evaluator, type Value } from '../python/evaluate';
import type { ModuleMap } from '../python/modules';
import { SymbolResolver, fqName } from '../python/symbols';
import { dottedName, keyword, stringValue } from '../python/ast';
import { type AppInfo, resolveApps } from './apps';
import { type ModelIndex, ModelReader } from './models';
import { type SettingsModel, emptySettings, readSettings } from './settings';
import { type TemplateIndex, buildTemplateIndex, templateRoots } from './templates';
import { type RouteInfo, type UrlIndex, UrlReader } from './urls';
import { type ViewInfo, ViewReader } from './views';

export interface ProjectSource {
  facts(file: string): ModuleFacts | undefined;
  /** Files below a folder (template roots); cached by the workspace. */
  listDir(dir: string): string[];
}

export interface ProjectSpec {
  root: string;
  settingsModule: string | null;
  /** How the settings module was found: `manage.py`, `wsgi.py`, a setting, or none. */
  discoveredBy: string;
  sourceRoots: string[];
  /** A folder of Django code without settings (a library such as Django's contrib apps). */
  library?: boolean;
}

/** What a rebuilt project may take over from its predecessor: parts whose inputs did not change. */
export interface Predecessor {
  project: Project;
  /** Files changed since the predecessor was built; undefined means "the file set changed". */
  changed: Set<string> | undefined;
}

export class Project {
  readonly symbols: SymbolResolver;
  private memo = new Map<string, unknown>();
  /** Files each tracked part read; a part is reused after an edit that touched none of them. */
  private deps = new Map<string, Set<string>>();

  constructor(
    readonly spec: ProjectSpec,
    readonly modules: ModuleMap,
    private readonly source: ProjectSource,
    private readonly predecessor?: Predecessor,
  ) {
    this.symbols = this.resolver();
  }

  private resolver(): SymbolResolver {
    return new SymbolResolver({ modules: this.modules, facts: (f) => this.source.facts(f) });
  }

  private once<T>(key: string, compute: () => T): T {
    if (this.memo.has(key)) return this.memo.get(key) as T;
    const v = compute();
    this.memo.set(key, v);
    return v;
  }

  /**
   * A part computed with its own recording resolver, so that its exact file dependencies are
   * known; after an edit, the predecessor's value is reused when none of them changed.
   */
  private tracked<T>(key: string, after: ('settings' | 'apps')[], compute: (symbols: SymbolResolver) => T): T {
    return this.once(key, () => {
      // Parts this one builds on come first: their values and dependencies are part of its inputs.
      const inputs = after.map((k) => (k === 'settings' ? this.settings : this.apps));
      const prev = this.predecessor;
      const prevDeps = prev?.project.deps.get(key);
      if (prev?.changed && prevDeps && prev.project.memo.has(key)) {
        const sameInputs = after.every((k, i) => prev.project.memo.get(k) === inputs[i]);
        if (sameInputs && ![...prev.changed].some((f) => prevDeps.has(f))) {
          this.deps.set(key, prevDeps);
          return prev.project.memo.get(key) as T;
        }
      }
      const symbols = this.resolver();
      const recorder = new Set<string>();
      symbols.recorder = recorder;
      const value = compute(symbols);
      for (const k of after) for (const f of this.deps.get(k) ?? []) recorder.add(f);
      this.deps.set(key, recorder);
      return value;
    });
  }

  get root(): string {
    return this.spec.root;
  }

  get settings(): SettingsModel {
    return this.tracked('settings', [], (symbols) => {
      if (!this.spec.settingsModule) return emptySettings(this.spec.library ? undefined : 'no settings module found (set djangoLens.settingsModule)');
      return readSettings(new Evaluator(symbols), this.spec.settingsModule);
    });
  }

  setting(name: string): Value | undefined {
    return this.settings.values.get(name);
  }

  get apps(): AppInfo[] {
    return this.tracked('apps', ['settings'], (symbols) => resolveApps(symbols, this.settings.installedApps.items));
  }

  /** Modules that belong to the project (inside its root), in a stable order. */
  get projectModules(): string[] {
    return this.once('projectModules', () => {
      const out: string[] = [];
      for (const m of this.modules.modules()) out.push(m);
      return out.sort();
    });
  }

  get models(): ModelIndex {
    return this.once('models', () => new ModelReader(this.symbols, this.apps, (n) => this.setting(n)).read(this.projectModules));
  }

  get urls(): UrlIndex {
    return this.tracked('urls', ['settings'], (symbols) => {
      const index = this.readUrls(symbols);
      index.converters = this.converters(symbols);
      return index;
    });
  }

  /**
   * Path converters registered with `register_converter(Class, "name")` anywhere in the project,
   * with the class's `regex` attribute when it is a literal.
   */
  private converters(symbols: SymbolResolver): UrlIndex['converters'] {
    const out: UrlIndex['converters'] = new Map();
    for (const module of this.projectModules) {
      const file = this.modules.fileOf(module);
      // Only files that call register_converter are read (and so become dependencies).
      if (!file || !this.source.facts(file)?.callNames.includes('register_converter')) continue;
      const mf = symbols.factsOf(module);
      if (!mf?.facts.callNames.includes('register_converter')) continue;
      for (const site of mf.facts.calls) {
        if (site.name !== 'register_converter') continue;
        const [clsExpr, nameExpr] = site.call.args;
        const name = stringValue(nameExpr ?? keyword(site.call, 'type_name'));
        if (!clsExpr || name === undefined) continue;
        const b = symbols.resolveExpr(module, clsExpr);
        let regex: string | undefined;
        if (b?.kind === 'class') {
          for (const st of b.def.body) {
            if (st.k === 'assign' && st.targets.some((t) => t.k === 'name' && t.id === 'regex')) regex = stringValue(st.value);
          }
        }
        out.set(name, { cls: b ? fqName(b) : dottedName(clsExpr) ?? '?', regex, at: { file: mf.file, span: site.call.s } });
      }
    }
    return out;
  }

  private readUrls(symbols: SymbolResolver): UrlIndex {
    {
      const reader = new UrlReader(symbols, (n) => this.setting(n));
      if (this.spec.library) {
        const routes: RouteInfo[] = [];
        for (const m of this.urlModules(symbols)) routes.push(...reader.readModule(m));
        return { routes, problems: reader.allProblems, files: reader.allFiles, converters: new Map(), located: reader.located };
      }
      const root = this.settings.rootUrlconf;
      if (!root) return { routes: [], problems: ['ROOT_URLCONF is unknown: no routes'], files: new Set(), converters: new Map(), located: [] };
      return reader.read(root);
    }
  }

  /** In library mode: URLconf modules (`urls.py`, `*_urls.py`) that define urlpatterns. */
  private urlModules(symbols: SymbolResolver): string[] {
    return this.projectModules.filter((m) => {
      const last = m.split('.').pop()!;
      if (last !== 'urls' && !last.endsWith('_urls')) return false;
      const mf = symbols.factsOf(m);
      return !!mf?.facts.body.some((st) => (st.k === 'assign' && st.targets.some((t) => t.k === 'name' && t.id === 'urlpatterns')));
    });
  }

  get views(): ViewInfo[] {
    return this.once('views', () => new ViewReader(this.symbols, this.models).read(this.urls.routes, this.projectModules));
  }

  get templates(): TemplateIndex {
    return this.once('templates', () => buildTemplateIndex(templateRoots(this.settings, this.apps), (d) => this.source.listDir(d)));
  }

  /** Everything that makes parts of this project inconclusive, for logs and the summary. */
  get problems(): string[] {
    return this.once('problems', () => {
      const out = [...this.settings.problems, ...this.urls.problems];
      if (this.templates.inconclusive) out.push('template roots are not fully known: missing-template checks stay quiet');
      return [...new Set(out)];
    });
  }

  get name(): string {
    return this.spec.settingsModule?.split('.')[0] ?? dirname(this.spec.root).split('/').pop() ?? this.spec.root;
  }
}
