/**
 * A project's settings, evaluated statically from its settings module (split settings and star
 * imports included) by python/evaluate.ts, and read into the few shapes the rest of the model
 * needs: installed apps, middleware, ROOT_URLCONF, TEMPLATES. Settings that Django defaults when
 * absent get Django's defaults (from django/conf/global_settings.py); what cannot be read stays
 * `unknown` and is reported as inconclusive.
 */
import { isAbsolute, join } from 'node:path';
import { type At, type Evaluator, type Value, dictGet, isSequence, stringItems, toStr, truthy } from '../python/evaluate';

export interface TemplateEngine {
  backend: string | null;
  dirs: { path: string; at?: At }[];
  appDirs: boolean;
  /** True when DIRS or APP_DIRS could not be fully read. */
  inconclusive: boolean;
}

export interface SettingsModel {
  module: string | null;
  file: string | null;
  values: Map<string, Value>;
  /** Files whose content the settings depend on. */
  files: Set<string>;
  problems: string[];
  installedApps: { items: { value: string; at?: At }[]; inconclusive: boolean };
  middleware: { items: { value: string; at?: At }[]; inconclusive: boolean };
  rootUrlconf: string | null;
  templates: TemplateEngine[];
  /** False when the TEMPLATES setting itself could not be read. */
  templatesKnown: boolean;
}

/** Django's defaults for the settings the analyses read (django/conf/global_settings.py). */
const DEFAULTS: Record<string, Value> = {
  DEBUG: { t: 'bool', v: false },
  INSTALLED_APPS: { t: 'list', items: [] },
  MIDDLEWARE: { t: 'list', items: [] },
  TEMPLATES: { t: 'list', items: [] },
  ALLOWED_HOSTS: { t: 'list', items: [] },
  SECRET_KEY: { t: 'str', v: '' },
  LANGUAGE_CODE: { t: 'str', v: 'en-us' },
  USE_I18N: { t: 'bool', v: true },
  AUTH_USER_MODEL: { t: 'str', v: 'auth.User' },
  APPEND_SLASH: { t: 'bool', v: true },
};

export function emptySettings(problem?: string): SettingsModel {
  return {
    module: null,
    file: null,
    values: new Map(),
    files: new Set(),
    problems: problem ? [problem] : [],
    installedApps: { items: [], inconclusive: true },
    middleware: { items: [], inconclusive: true },
    rootUrlconf: null,
    templates: [],
    templatesKnown: false,
  };
}

export function readSettings(evaluator: Evaluator, module: string): SettingsModel {
  const file = evaluator.symbols.modules.fileOf(module);
  if (!file) return { ...emptySettings(`settings module ${module} was not found in the workspace`), module };
  const result = evaluator.module(module);
  const values = new Map(result.env);
  for (const [k, v] of Object.entries(DEFAULTS)) if (!values.has(k)) values.set(k, v);
  const problems = [...result.problems];

  const installedApps = stringItems(values.get('INSTALLED_APPS'));
  if (installedApps.inconclusive) problems.push('INSTALLED_APPS could not be read completely');
  const middleware = stringItems(values.get('MIDDLEWARE') ?? values.get('MIDDLEWARE_CLASSES'));
  const urlconf = values.get('ROOT_URLCONF');
  const rootUrlconf = urlconf?.t === 'str' ? urlconf.v : null;
  if (!rootUrlconf) problems.push('ROOT_URLCONF is not set or cannot be read');

  const templatesValue = values.get('TEMPLATES');
  const templates: TemplateEngine[] = [];
  let templatesKnown = !!templatesValue && isSequence(templatesValue);
  if (templatesValue && isSequence(templatesValue)) {
    for (const eng of templatesValue.items) {
      if (eng.t !== 'dict') {
        templatesKnown = false;
        continue;
      }
      const backend = toStr(dictGet(eng, 'BACKEND')) ?? null;
      const dirsValue = dictGet(eng, 'DIRS');
      const dirs: { path: string; at?: At }[] = [];
      let inconclusive = false;
      if (dirsValue && isSequence(dirsValue)) {
        for (const d of dirsValue.items) {
          const p = toStr(d);
          if (p === undefined) inconclusive = true;
          else dirs.push({ path: isAbsolute(p) ? p : join(file, '..', p), at: d.t === 'str' ? d.at : undefined });
        }
      } else if (dirsValue) inconclusive = true;
      const appDirsValue = dictGet(eng, 'APP_DIRS');
      const appDirs = appDirsValue ? truthy(appDirsValue) : false;
      if (appDirs === undefined) inconclusive = true;
      templates.push({ backend, dirs, appDirs: appDirs ?? true, inconclusive });
    }
  } else {
    problems.push('TEMPLATES could not be read');
  }
  return {
    module,
    file,
    values,
    files: result.files,
    problems,
    installedApps,
    middleware,
    rootUrlconf,
    templates,
    templatesKnown,
  };
}

/** A settings value as plain JSON for the CLI's `index` output. */
export function valueToJson(v: Value | undefined): unknown {
  if (!v) return null;
  switch (v.t) {
    case 'str': case 'num': case 'bool': case 'path':
      return v.v;
    case 'none':
      return null;
    case 'list': case 'tuple': case 'set':
      return v.items.map(valueToJson);
    case 'dict': {
      const o: Record<string, unknown> = {};
      for (const [k, x] of v.entries) o[toStr(k) ?? '?'] = valueToJson(x);
      return o;
    }
    case 'binding':
      return { binding: v.b.kind === 'external' ? v.b.fq : `${v.b.kind}` };
    case 'obj':
      return { object: v.type };
    case 'unknown':
      return { inconclusive: v.why };
  }
}
