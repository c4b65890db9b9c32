/**
 * Go to definition: from a URL name to the path() that declares it (every candidate, the one
 * reverse() uses first), from a template name to the file Django loads (then the files it
 * shadows), from a path()'s view argument to the view, from "app_label.Model" to the model, from
 * include("app.urls") to the module, from MIDDLEWARE/INSTALLED_APPS entries to their class or
 * app, from an ORM lookup path to the field it names, from a template variable's attribute to
 * the model field, the ForeignKey behind a reverse accessor, or the property/method.
 */
import { resolveLookup } from '../orm/lookups';
import type { Project } from '../project/project';
import { bindingLocation } from '../python/symbols';
import type { Workspace } from '../workspace';
import { referentAt, templateFiles } from './referent';
import type { Referent } from './referent';
import type { Location } from './types';
import { resolveUrlName } from './urlNames';

export function definition(ws: Workspace, file: string, line: number, character: number): Location[] {
  const found = referentAt(ws, file, line, character);
  if (!found) return [];
  const seen = new Set<string>();
  return definitionOf(found.project, found.referent, line, character).filter((l) => {
    const key = `${l.file}:${l.span.join(',')}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

export function definitionOf(project: Project, r: Referent, line = 0, character = 0): Location[] {
  switch (r.k) {
    case 'url': {
      if (r.declaration) return [r.declaration.declared];
      return resolveUrlName(project.urls.routes, r.name).map((route) => route.declared);
    }
    case 'template':
      return templateFiles(project, r.name).map((f) => ({ file: f, span: [0, 0, 0, 0] }));
    case 'view-ref': {
      const v = r.route.view;
      if (!v?.file || !v.nameSpan) return [];
      return [{ file: v.file, span: v.nameSpan }];
    }
    case 'view-def':
      return r.view.routes.map((i) => project.urls.routes[i]?.declared).filter((x): x is Location => !!x);
    case 'model':
      return r.model ? [{ file: r.model.file, span: r.model.nameSpan }] : [];
    case 'module': {
      const f = project.modules.fileOf(r.module);
      return f ? [{ file: f, span: [0, 0, 0, 0] }] : [];
    }
    case 'middleware': {
      const dot = r.path.lastIndexOf('.');
      if (dot < 0) return [];
      const b = project.symbols.resolveFrom(r.path.slice(0, dot), r.path.slice(dot + 1));
      const loc = b ? bindingLocation(b) : undefined;
      return loc ? [loc] : [];
    }
    case 'app': {
      const app = r.app;
      if (app?.config && app.configFile) {
        const dot = app.config.lastIndexOf('.');
        const b = project.symbols.resolveFrom(app.config.slice(0, dot), app.config.slice(dot + 1));
        const loc = b ? bindingLocation(b) : undefined;
        if (loc) return [loc];
      }
      const f = project.modules.fileOf(app?.name ?? r.entry);
      return f ? [{ file: f, span: [0, 0, 0, 0] }] : [];
    }
    case 'field': {
      // Fields copied from an abstract base are declared in the base's file.
      const owner = project.models.models.find((x) => x.label === r.field.declaredIn) ?? r.model;
      return [{ file: owner.file, span: r.field.span }];
    }
    case 'reverse-accessor': {
      const from = project.models.byLabel.get(r.accessor.from);
      const f = from?.fields.find((x) => x.name === r.accessor.field);
      if (!from || !f) return [];
      const owner = project.models.models.find((x) => x.label === f.declaredIn) ?? from;
      return [{ file: owner.file, span: f.span }];
    }
    case 'model-method':
      return [r.location];
    case 'orm': {
      const site = r.site;
      // The part under the cursor: offsets are relative to the path's first character.
      const rel = line === site.span[0] ? character - site.span[1] : 0;
      const res = resolveLookup(project.models, site.model, site.path, site.mode);
      let step = res.steps.find((s) => rel >= s.offset && rel <= s.offset + s.part.length);
      step ??= res.steps[res.steps.length - 1];
      const m = step?.member;
      if (!m) return [];
      if (m.kind === 'reverse' && m.reverse) {
        const from = project.models.byLabel.get(m.reverse.from);
        const f = from?.fields.find((x) => x.name === m.reverse!.field);
        return from && f ? [{ file: from.file, span: f.span }] : [];
      }
      if (m.field && m.kind !== 'pk') {
        const owner = project.models.models.find((x) => x.label === m.field!.declaredIn) ?? m.model;
        return [{ file: owner.file, span: m.field.span }];
      }
      return [{ file: m.model.file, span: m.model.nameSpan }];
    }
  }
}
