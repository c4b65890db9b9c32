/**
 * What the thing under the cursor refers to, in Python files and templates alike: a URL name, a
 * template name, a route's view argument, a route, a view definition, a model (from an
 * `"app_label.Model"` string), a URLconf module (`include("app.urls")`), a MIDDLEWARE or
 * INSTALLED_APPS entry, a model field, or an ORM lookup path; in templates, also the field,
 * reverse accessor, property or method a variable's attribute names (templateVars.ts). Definition, hover, references and
 * links all start here, so they agree on what a position means.
 */
import type { AppInfo } from '../project/apps';
import type { FieldInfo, ModelInfo, ReverseAccessor } from '../project/models';
import type { Project } from '../project/project';
import { resolveRelativeName } from '../project/templates';
import type { RouteInfo } from '../project/urls';
import { TEMPLATE_ARG } from '../project/views';
import type { ViewInfo } from '../project/views';
import { stringValue } from '../python/ast';
import { type Span, spanContains } from '../types';
import type { Workspace } from '../workspace';
import { type OrmSite, ormSiteAt } from './orm';
import { type StringAt, pythonAt } from './pyContext';
import { templateAttrAt } from './templateVars';
import type { Location } from './types';
import { URL_CALLS } from './uses';

export type Referent =
  | { k: 'url'; name: string; span: Span; declaration?: RouteInfo }
  | { k: 'template'; name: string; span: Span }
  | { k: 'view-ref'; route: RouteInfo; span: Span }
  | { k: 'view-def'; view: ViewInfo; span: Span }
  | { k: 'model'; label: string; model?: ModelInfo; span: Span }
  | { k: 'module'; module: string; span: Span }
  | { k: 'middleware'; path: string; span: Span }
  | { k: 'app'; app?: AppInfo; entry: string; span: Span }
  | { k: 'field'; model: ModelInfo; field: FieldInfo; span: Span }
  | { k: 'orm'; site: OrmSite; span: Span }
  /** A related manager or reverse one-to-one accessor read in a template (`post.comments`). */
  | { k: 'reverse-accessor'; model: ModelInfo; accessor: ReverseAccessor; span: Span }
  /** A method or property of a model read in a template (`post.get_absolute_url`). */
  | { k: 'model-method'; model: ModelInfo; name: string; location: Location; property: boolean; doc?: string; span: Span };

const RELATION_FIELDS = new Set(['ForeignKey', 'OneToOneField', 'ManyToManyField', 'ParentalKey', 'ParentalManyToManyField', 'TreeForeignKey']);

export function isTemplateFile(file: string): boolean {
  return !file.endsWith('.py');
}

export function referentAt(ws: Workspace, file: string, line: number, character: number): { project: Project; referent: Referent } | undefined {
  const project = ws.projectFor(file);
  if (!project) return undefined;
  const r = isTemplateFile(file) ? templateReferent(ws, project, file, line, character) : pythonReferent(ws, project, file, line, character);
  return r ? { project, referent: r } : undefined;
}

function templateReferent(ws: Workspace, project: Project, file: string, line: number, character: number): Referent | undefined {
  const t = ws.template(file);
  if (!t) return undefined;
  const p = t.parsed;
  for (const u of p.urls) {
    if (u.name !== null && u.nameSpan && spanContains(u.nameSpan, line, character)) return { k: 'url', name: u.name, span: u.nameSpan };
  }
  const own = project.templates.nameOf.get(file);
  const named = [...(p.extends ? [p.extends] : []), ...p.includes];
  for (const n of named) {
    if (n.name && n.nameSpan && spanContains(n.nameSpan, line, character)) return { k: 'template', name: resolveRelativeName(n.name, own), span: n.nameSpan };
  }
  // An attribute of a model instance the rendering views put in the context.
  const at = templateAttrAt(ws, project, file, line, character);
  if (at) {
    const a = at.attr;
    if (a.k === 'field') return { k: 'field', model: a.model, field: a.field, span: at.span };
    if (a.k === 'reverse') return { k: 'reverse-accessor', model: a.model, accessor: a.accessor, span: at.span };
    return { k: 'model-method', model: a.model, name: a.name, location: a.location, property: a.property, doc: a.doc, span: at.span };
  }
  return undefined;
}

function pythonReferent(ws: Workspace, project: Project, file: string, line: number, character: number): Referent | undefined {
  // Declarations the project model already located.
  for (const route of project.urls.routes) {
    if (route.declared.file !== file || !spanContains(route.declared.span, line, character)) continue;
    if (route.viewSpan && spanContains(route.viewSpan, line, character)) return { k: 'view-ref', route, span: route.viewSpan };
  }
  for (const item of project.settings.middleware.items) {
    if (item.at?.file === file && spanContains(item.at.span, line, character)) return { k: 'middleware', path: item.value, span: item.at.span };
  }
  for (const item of project.settings.installedApps.items) {
    if (item.at?.file === file && spanContains(item.at.span, line, character)) {
      return { k: 'app', entry: item.value, app: project.apps.find((a) => a.entry === item.value), span: item.at.span };
    }
  }
  for (const view of project.views) {
    if (view.file === file && spanContains(view.nameSpan, line, character)) return { k: 'view-def', view, span: view.nameSpan };
  }
  for (const model of project.models.models) {
    if (model.file !== file || !spanContains(model.span, line, character)) continue;
    for (const field of model.fields) {
      const nameSpan: Span = [field.span[0], field.span[1], field.span[0], field.span[1] + field.name.length];
      if (field.declaredIn === model.label && spanContains(nameSpan, line, character)) return { k: 'field', model, field, span: nameSpan };
    }
  }
  const at = pythonAt(ws, file, line, character);
  if (!at) return undefined;
  const orm = ormSiteAt(project, file, at);
  if (orm) return { k: 'orm', site: orm, span: orm.span };
  if (at.kind !== 'string') return undefined;
  return stringReferent(project, file, at, line, character);
}

function stringReferent(project: Project, file: string, at: StringAt, line: number, character: number): Referent | undefined {
  const call = at.call;
  const span = at.span;
  if (call) {
    const { name, argIndex, keyword } = call;
    if (URL_CALLS.has(name) && (argIndex === 0 || keyword === 'viewname' || keyword === 'to')) return { k: 'url', name: at.value, span };
    if (name === 'path' || name === 're_path' || name === 'url') {
      if (keyword === 'name' || argIndex === 3) {
        const route = project.urls.routes.find((r) => r.declared.file === file && spanContains(r.declared.span, line, character) && r.name === at.value);
        if (route?.qualifiedName) return { k: 'url', name: route.qualifiedName, span, declaration: route };
      }
    }
    const spec = TEMPLATE_ARG[name];
    if (spec && (argIndex === spec[0] || keyword === spec[1])) return { k: 'template', name: at.value, span };
    if (keyword === 'template_name') return { k: 'template', name: at.value, span };
    if (name === 'include' && (argIndex === 0 || keyword === 'arg') && !at.inSequence) return { k: 'module', module: at.value, span };
    if (name === 'get_model') {
      const args = call.call.args;
      const label = args.length >= 2 ? `${stringValue(args[0]) ?? '?'}.${stringValue(args[1]) ?? '?'}` : at.value;
      if (label.includes('.')) return modelReferent(project, label, span);
    }
    if (RELATION_FIELDS.has(name) && (argIndex === 0 || keyword === 'to')) {
      let label = at.value;
      if (label === 'self' || !label.includes('.')) {
        const owner = project.models.models.find((m) => m.file === file && spanContains(m.span, line, character));
        if (owner) label = label === 'self' ? owner.label : `${owner.appLabel}.${label}`;
      }
      return modelReferent(project, label, span);
    }
  }
  if (at.assignedTo === 'template_name' && at.inClass) return { k: 'template', name: at.value, span };
  return undefined;
}

function modelReferent(project: Project, label: string, span: Span): Referent {
  const model = project.models.byLowerLabel.get(label.toLowerCase());
  return { k: 'model', label: model?.label ?? label, model, span };
}

/** Files a template name loads, in Django's lookup order (the first is the one Django uses). */
export function templateFiles(project: Project, name: string): string[] {
  return project.templates.byName.get(name) ?? [];
}

export type { RouteInfo };
