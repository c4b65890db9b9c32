/**
 * Plain-JSON views of the project model, shared by the CLI (`urls --json`, `index --json`,
 * `check --format json|sarif`) and the tests: paths relative to the root given on the command
 * line, 1-based lines and columns, as the CLI's documented schema says.
 */
import { relative } from 'node:path';
import { CHECKS } from './checks/registry';
import { modelToJson } from './project/models';
import type { Project } from './project/project';
import { valueToJson } from './project/settings';
import type { RouteInfo } from './project/urls';
import type { Finding } from './types';
import type { Workspace } from './workspace';

export type Rel = (file: string) => string;

export function relTo(root: string): Rel {
  return (file) => relative(root, file) || '.';
}

export function routeToJson(r: RouteInfo, rel: Rel): Record<string, unknown> {
  const v = r.view;
  const out: Record<string, unknown> = {
    route: r.route,
    kind: r.kind,
    name: r.name,
    qualifiedName: r.qualifiedName,
    view: v && (v.kind !== 'unknown')
      ? { module: v.module, qualname: v.qualname, file: v.file ? rel(v.file) : null, line: v.span ? v.span[0] + 1 : null, decorators: v.decorators }
      : null,
    declared: { file: rel(r.declared.file), line: r.declared.span[0] + 1 },
  };
  if (r.inconclusive) out.inconclusive = r.inconclusive;
  else if (v && v.kind === 'unknown') out.inconclusive = `the view ${v.text ?? ''} could not be resolved`.replace('  ', ' ');
  return out;
}

export function urlsJson(ws: Workspace, root: string): unknown {
  const rel = relTo(root);
  return {
    projects: ws.projects().map((p) => ({
      root: rel(p.root),
      settingsModule: p.spec.settingsModule,
      rootUrlconf: p.settings.rootUrlconf,
      routes: p.urls.routes.map((r) => routeToJson(r, rel)),
      problems: p.urls.problems,
    })),
  };
}

export function projectIndexJson(p: Project, rel: Rel): unknown {
  const s = p.settings;
  const settingsOut: Record<string, unknown> = {};
  for (const k of ['DEBUG', 'SECRET_KEY', 'ALLOWED_HOSTS', 'ROOT_URLCONF', 'INSTALLED_APPS', 'MIDDLEWARE', 'TEMPLATES', 'AUTH_USER_MODEL', 'LANGUAGE_CODE', 'USE_I18N']) {
    if (s.values.has(k)) settingsOut[k] = valueToJson(s.values.get(k));
  }
  return {
    root: rel(p.root),
    settingsModule: p.spec.settingsModule,
    discoveredBy: p.spec.discoveredBy,
    settingsFile: s.file ? rel(s.file) : null,
    settingsFiles: [...s.files].map(rel),
    settings: settingsOut,
    apps: p.apps.map((a) => ({ entry: a.entry, name: a.name, label: a.label, config: a.config ?? null, dir: a.dir ? rel(a.dir) : null })),
    middleware: s.middleware.items.map((m) => m.value),
    models: p.models.models.map((m) => modelToJson(m, rel)),
    views: p.views.map((v) => ({
      kind: v.kind,
      module: v.module,
      qualname: v.qualname,
      file: rel(v.file),
      line: v.span[0] + 1,
      decorators: v.decorators,
      ...(v.genericBase ? { genericBase: v.genericBase } : {}),
      ...(v.model !== undefined ? { model: v.model } : {}),
      ...(v.contextObjectName ? { contextObjectName: v.contextObjectName } : {}),
      templates: v.templates.map((t) => ({ name: t.name, via: t.via, file: p.templates.byName.get(t.name)?.[0] ? rel(p.templates.byName.get(t.name)![0]) : null })),
      routes: v.routes.map((i) => p.urls.routes[i].route),
    })),
    templates: {
      roots: p.templates.roots.map((r) => ({ dir: rel(r.dir), source: r.source, ...(r.app ? { app: r.app } : {}) })),
      inconclusive: p.templates.inconclusive,
      files: [...p.templates.byName].map(([name, files]) => ({ name, file: rel(files[0]), ...(files.length > 1 ? { overrides: files.slice(1).map(rel) } : {}) })),
    },
    problems: p.problems,
  };
}

export function indexJson(ws: Workspace, root: string): unknown {
  const rel = relTo(root);
  return {
    projects: ws.projects().map((p) => projectIndexJson(p, rel)),
    problems: ws.problems.map((x) => ({ file: x.file ? rel(x.file) : null, message: x.message })),
  };
}

export function findingsJson(findings: Finding[], root: string): unknown {
  const rel = relTo(root);
  return {
    findings: findings.map((f) => ({
      code: f.code,
      severity: f.severity,
      message: f.message,
      file: rel(f.file),
      line: f.span[0] + 1,
      column: f.span[1] + 1,
      endLine: f.span[2] + 1,
      endColumn: f.span[3] + 1,
    })),
  };
}

const SARIF_LEVEL: Record<string, string> = { error: 'error', warning: 'warning', information: 'note', hint: 'note' };

export function findingsSarif(findings: Finding[], root: string, version: string): unknown {
  const rel = relTo(root);
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'django-lens',
            version,
            informationUri: 'https://marketplace.visualstudio.com/items?itemName=django-lens.django-lens',
            rules: CHECKS.map((c) => ({
              id: c.code,
              name: c.name,
              shortDescription: { text: c.description },
              defaultConfiguration: { level: SARIF_LEVEL[c.defaultSeverity] },
            })),
          },
        },
        results: findings.map((f) => ({
          ruleId: f.code,
          level: SARIF_LEVEL[f.severity],
          message: { text: f.message },
          locations: [
            {
              physicalLocation: {
                artifactLocation: { uri: rel(f.file).split('\\').join('/') },
                region: { startLine: f.span[0] + 1, startColumn: f.span[1] + 1, endLine: f.span[2] + 1, endColumn: f.span[3] + 1 },
              },
            },
          ],
        })),
      },
    ],
  };
}
