/**
 * Which settings modules a project is deployed with, evaluated statically, and where each setting
 * is assigned: the shared ground of the deployment checks (a static twin of
 * `manage.py check --deploy`).
 *
 * The candidates are the module manage.py/wsgi.py/asgi.py names and, when that module sits in a
 * settings package (`mysite/settings/dev.py`), its siblings (`prod.py`, `staging.py`). A module
 * that another sibling star-imports is a base (`base.py`), not deployed by itself; a module whose
 * name says it is local (`dev`, `local`, `test` ...) is never deployed, so it is not scolded for
 * DEBUG or cookies. What remains is checked the way Django checks it.
 */
import { Evaluator, type Value } from '../../python/evaluate';
import { flatStatements, type Stmt } from '../../python/ast';
import { type SettingsModel, readSettings } from '../../project/settings';
import type { Span } from '../../types';
import type { CheckContext } from '../registry';
import type { Project } from '../../project/project';

export interface DeployedSettings {
  module: string;
  file: string;
  settings: SettingsModel;
  /** A setting's value as Django would see it (Django's defaults where absent). */
  value(name: string): Value | undefined;
  /** Where a setting is assigned (the last assignment that counts), if anywhere. */
  assignment(name: string): { file: string; span: Span; stmt: Stmt } | undefined;
}

const LOCAL_NAMES = /^(dev|devel|develop|development|local|localhost|test|tests|testing|ci|debug|docker_dev|sandbox)$|^(local|dev|test)_|_(local|dev|test|tests|development)$/;

/** Django's defaults for the settings the deployment checks read (django/conf/global_settings.py, 3.2+). */
const DEFAULTS: Record<string, Value> = {
  SECURE_HSTS_SECONDS: { t: 'num', v: 0 },
  SECURE_HSTS_INCLUDE_SUBDOMAINS: { t: 'bool', v: false },
  SECURE_HSTS_PRELOAD: { t: 'bool', v: false },
  SECURE_CONTENT_TYPE_NOSNIFF: { t: 'bool', v: true },
  SECURE_SSL_REDIRECT: { t: 'bool', v: false },
  SECURE_REFERRER_POLICY: { t: 'str', v: 'same-origin' },
  SESSION_COOKIE_SECURE: { t: 'bool', v: false },
  SESSION_COOKIE_HTTPONLY: { t: 'bool', v: true },
  CSRF_COOKIE_SECURE: { t: 'bool', v: false },
  CSRF_USE_SESSIONS: { t: 'bool', v: false },
  X_FRAME_OPTIONS: { t: 'str', v: 'DENY' },
};

/** Whether a settings module's name says it is only for local development or tests. */
export function isLocalModule(module: string): boolean {
  return LOCAL_NAMES.test(module.split('.').pop() ?? '');
}

const cache = new WeakMap<Project, DeployedSettings[]>();

export function deployedSettings(ctx: CheckContext): DeployedSettings[] {
  const hit = cache.get(ctx.project);
  if (hit) return hit;
  const out = compute(ctx);
  cache.set(ctx.project, out);
  return out;
}

function compute({ project, workspace }: CheckContext): DeployedSettings[] {
  const main = project.spec.settingsModule;
  if (!main || project.spec.library || !project.modules.has(main)) return [];
  const candidates = new Set<string>([main]);
  // Modules named by wsgi.py/asgi.py next to the project are deployment entry points too.
  for (const file of workspace.pythonFiles()) {
    if (!file.startsWith(project.root + '/') || !/\/(wsgi|asgi)\.py$/.test(file)) continue;
    for (const site of workspace.facts(file)?.calls ?? []) {
      const [k, v] = site.call.args;
      if (site.name === 'setdefault' && k?.k === 'str' && k.v === 'DJANGO_SETTINGS_MODULE' && v?.k === 'str' && project.modules.has(v.v)) candidates.add(v.v);
    }
  }
  const parent = main.split('.').slice(0, -1).join('.');
  if (parent && parent.split('.').pop() === 'settings' && project.modules.isPackage(parent)) {
    for (const m of project.modules.modules()) if (m.startsWith(`${parent}.`) && !m.slice(parent.length + 1).includes('.')) candidates.add(m);
  }
  // A module imported by another candidate is a base for it, not deployed by itself (unless it is the only one).
  const imported = new Set<string>();
  for (const m of candidates) {
    const mf = project.symbols.factsOf(m);
    for (const st of flatStatements(mf?.facts.body ?? [])) {
      if (st.k !== 'from') continue;
      const abs = project.symbols.absolute(m, st.level, st.module);
      if (abs && abs !== m && candidates.has(abs)) imported.add(abs);
    }
  }
  const deployed = [...candidates].filter((m) => !isLocalModule(m) && !(imported.has(m) && candidates.size > 1) && !isDynamic(project, m, new Set())).sort();
  return deployed.map((module) => read(project, module)).filter((d): d is DeployedSettings => !!d);
}

/**
 * Whether a settings module (or one it star-imports) takes settings from somewhere static reading
 * cannot see: `globals()[k] = v` or `globals().update(...)` from a config file, `exec`, or a star
 * import of a module outside the workspace (`from settings_local import *`, which deployments
 * keep in /etc). Such a module is inconclusive, and the deployment checks stay quiet about it.
 */
function isDynamic(project: Project, module: string, seen: Set<string>): boolean {
  if (seen.has(module)) return false;
  seen.add(module);
  const mf = project.symbols.factsOf(module);
  if (!mf) return true;
  if (mf.facts.callNames.some((n) => n === 'globals' || n === 'locals' || n === 'exec' || n === 'execfile' || n === 'import_module')) return true;
  for (const st of flatStatements(mf.facts.body)) {
    if (st.k !== 'from' || st.names !== '*') continue;
    const abs = project.symbols.absolute(module, st.level, st.module);
    if (!abs) return true;
    if (project.modules.has(abs)) {
      if (isDynamic(project, abs, seen)) return true;
    } else if (abs.split('.')[0] !== 'django') return true;
  }
  return false;
}

function read(project: Project, module: string): DeployedSettings | undefined {
  const settings = readSettings(new Evaluator(project.symbols), module);
  if (!settings.file) return undefined;
  const file = settings.file;
  return {
    module,
    file,
    settings,
    value: (name) => settings.values.get(name) ?? DEFAULTS[name],
    assignment: (name) => findAssignment(project, module, name, new Set()),
  };
}

/** The last top-level assignment of `name` in a module, else in what it star-imports (last first). */
function findAssignment(project: Project, module: string, name: string, seen: Set<string>): { file: string; span: Span; stmt: Stmt } | undefined {
  if (seen.has(module)) return undefined;
  seen.add(module);
  const mf = project.symbols.factsOf(module);
  if (!mf) return undefined;
  let found: { file: string; span: Span; stmt: Stmt } | undefined;
  const stars: string[] = [];
  for (const st of flatStatements(mf.facts.body)) {
    if ((st.k === 'assign' && st.targets.some((t) => t.k === 'name' && t.id === name)) || ((st.k === 'augassign' || st.k === 'annassign') && st.target.k === 'name' && st.target.id === name)) {
      found = { file: mf.file, span: st.s, stmt: st };
    }
    if (st.k === 'from' && st.names === '*') {
      const abs = project.symbols.absolute(module, st.level, st.module);
      if (abs) stars.push(abs);
    }
  }
  if (found) return found;
  for (const s of stars.reverse()) {
    const f = findAssignment(project, s, name, seen);
    if (f) return f;
  }
  return undefined;
}
