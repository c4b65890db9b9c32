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

export class Project {
  readonly symbols: SymbolResolver;
  private memo = new Map<string, unknown>();

  constructor(
    readonly spec: ProjectSpec,
    readonly modules: ModuleMap,
    private readonly source: ProjectSource,
  ) {
    this.symbols = new SymbolResolver({ modules, facts: (f) => source.facts(f) });
  }

  private once<T>(key: string, compute: () => T): T {
    if (this.memo.has(key)) return this.memo.get(key) as T;
    const v = compute();
    this.memo.set(key, v);
    return v;
  }

  get root(): string {
    return this.spec.root;
  }

  get settings(): SettingsModel {
    return this.once('settings', () => {
      if (!this.spec.settingsModule) return emptySettings(this.spec.library ? undefined : 'no settings module found (set djangoLens.settingsModule)');
      const ev = new Evaluator(this.symbols);
      return readSettings(ev, this.spec.settingsModule);
    });
  }

  setting(name: string): Value | undefined {
    return this.settings.values.get(name);
  }

  get apps(): AppInfo[] {
    return this.once('apps', () => resolveApps(this.symbols, this.settings.installedApps.items));
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
    return this.once('urls', () => {
      const index = this.readUrls();
      index.converters = this.converters();
      return index;
    });
  }

  /**
   * Path converters registered with `register_converter(Class, "name")` anywhere in the project,
   * with the class's `regex` attribute when it is a literal.
   */
  private converters(): UrlIndex['converters'] {
    const out: UrlIndex['converters'] = new Map();
    for (const module of this.projectModules) {
      const mf = this.symbols.factsOf(module);
      if (!mf?.facts.callNames.includes('register_converter')) continue;
      for (const site of mf.facts.calls) {
        if (site.name !== 'register_converter') continue;
        const [clsExpr, nameExpr] = site.call.args;
        const name = stringValue(nameExpr ?? keyword(site.call, 'type_name'));
        if (!clsExpr || name === undefined) continue;
        const b = this.symbols.resolveExpr(module, clsExpr);
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

  private readUrls(): UrlIndex {
    {
      const reader = new UrlReader(this.symbols, (n) => this.setting(n));
      if (this.spec.library) {
        const routes: RouteInfo[] = [];
        for (const m of this.urlModules()) routes.push(...reader.readModule(m));
        return { routes, problems: reader.allProblems, files: reader.allFiles, converters: new Map(), located: reader.located };
      }
      const root = this.settings.rootUrlconf;
      if (!root) return { routes: [], problems: ['ROOT_URLCONF is unknown: no routes'], files: new Set(), converters: new Map(), located: [] };
      return reader.read(root);
    }
  }

  /** In library mode: URLconf modules (`urls.py`, `*_urls.py`) that define urlpatterns. */
  private urlModules(): string[] {
    return this.projectModules.filter((m) => {
      const last = m.split('.').pop()!;
      if (last !== 'urls' && !last.endsWith('_urls')) return false;
      const mf = this.symbols.factsOf(m);
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
