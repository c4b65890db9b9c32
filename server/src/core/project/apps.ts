/**
 * INSTALLED_APPS entries resolved the way Django's app registry does: a dotted path to an
 * AppConfig subclass, or a package (whose apps.py supplies the config when it has exactly one
 * AppConfig subclass, or one marked `default = True`, as in Django 3.2+). Each app gets its label,
 * its package and, when the package is in the workspace, its folder.
 */
import { dirname } from 'node:path';
import type { At } from '../python/evaluate';
import { type ClassDef, stringValue } from '../python/ast';
import { type Binding, type SymbolResolver, fqName } from '../python/symbols';

export interface AppInfo {
  /** The entry as written in INSTALLED_APPS. */
  entry: string;
  /** The app's package (`django.contrib.admin`, `blog`). */
  name: string;
  label: string;
  /** `module.Class` of the AppConfig, when one is used. */
  config?: string;
  configFile?: string;
  /** The package folder, when the app is in the workspace. */
  dir?: string;
  at?: At;
}

const APP_CONFIG_FQ = new Set(['django.apps.AppConfig', 'django.apps.config.AppConfig']);

export function isAppConfigClass(symbols: SymbolResolver, b: Binding, depth = 0): boolean {
  if (depth > 10) return false;
  if (b.kind === 'external') return APP_CONFIG_FQ.has(b.fq) || /\.AppConfig$/.test(b.fq) || /Config$/.test(b.fq);
  if (b.kind !== 'class') return false;
  if (APP_CONFIG_FQ.has(fqName(b))) return true;
  for (const base of b.def.bases) {
    const bb = symbols.resolveExpr(b.module, base);
    if (bb && isAppConfigClass(symbols, bb, depth + 1)) return true;
  }
  return false;
}

function classAttr(def: ClassDef, name: string): string | undefined {
  for (const st of def.body) {
    if (st.k === 'assign' && st.targets.some((t) => t.k === 'name' && t.id === name)) return stringValue(st.value);
  }
  return undefined;
}

function classBoolAttr(def: ClassDef, name: string): boolean {
  for (const st of def.body) {
    if (st.k === 'assign' && st.targets.some((t) => t.k === 'name' && t.id === name)) return st.value.k === 'const' && st.value.v === true;
  }
  return false;
}

function fromConfig(symbols: SymbolResolver, entry: string, b: Extract<Binding, { kind: 'class' }>, at?: At): AppInfo {
  const name = classAttr(b.def, 'name') ?? b.module.replace(/\.apps$/, '');
  const label = classAttr(b.def, 'label') ?? name.split('.').pop()!;
  const pkgFile = symbols.modules.fileOf(name);
  return {
    entry,
    name,
    label,
    config: `${b.module}.${b.qualname}`,
    configFile: b.file,
    dir: pkgFile && symbols.modules.isPackage(name) ? dirname(pkgFile) : undefined,
    at,
  };
}

export function resolveApps(symbols: SymbolResolver, entries: { value: string; at?: At }[]): AppInfo[] {
  const apps: AppInfo[] = [];
  for (const { value: entry, at } of entries) {
    const modules = symbols.modules;
    if (modules.has(entry)) {
      // A package: Django 3.2+ picks the single AppConfig in <pkg>.apps, or the one marked default.
      const appsModule = `${entry}.apps`;
      const mf = symbols.factsOf(appsModule);
      if (mf) {
        const configs = mf.facts.body
          .filter((st): st is ClassDef => st.k === 'class')
          .map((def) => ({ kind: 'class' as const, module: appsModule, qualname: def.name, file: mf.file, def }))
          .filter((b) => isAppConfigClass(symbols, b));
        const defaults = configs.filter((c) => classBoolAttr(c.def, 'default'));
        const chosen = defaults.length === 1 ? defaults[0] : configs.length === 1 ? configs[0] : undefined;
        if (chosen) {
          apps.push({ ...fromConfig(symbols, entry, chosen, at), name: entry });
          continue;
        }
      }
      const file = modules.fileOf(entry)!;
      apps.push({ entry, name: entry, label: entry.split('.').pop()!, dir: modules.isPackage(entry) ? dirname(file) : undefined, at });
      continue;
    }
    // A dotted path to an AppConfig class, in or out of the workspace.
    const dot = entry.lastIndexOf('.');
    if (dot > 0) {
      const b = symbols.resolveFrom(entry.slice(0, dot), entry.slice(dot + 1));
      if (b?.kind === 'class') {
        apps.push(fromConfig(symbols, entry, b, at));
        continue;
      }
    }
    // An app outside the workspace (django.contrib.*, third-party packages).
    const m = /^(.*)\.apps\.[A-Za-z_]\w*$/.exec(entry);
    const name = m ? m[1] : entry;
    apps.push({ entry, name, label: name.split('.').pop()!, at });
  }
  return apps;
}

/** The installed app whose package contains `module` (longest match), as Django's registry finds it. */
export function appForModule(apps: AppInfo[], module: string): AppInfo | undefined {
  let best: AppInfo | undefined;
  for (const app of apps) {
    if (module === app.name || module.startsWith(`${app.name}.`)) {
      if (!best || app.name.length > best.name.length) best = app;
    }
  }
  return best;
}
