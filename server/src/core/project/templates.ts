/**
 * Template resolution in Django's order: for each engine in TEMPLATES, its DIRS in order, then (with
 * APP_DIRS) the `templates/` folder of every installed app in INSTALLED_APPS order. A name maps to
 * every file that could answer it, the first being the one Django loads, so project overrides of
 * e.g. `admin/base_site.html` win over the app's copy.
 */
import { join, relative, sep } from 'node:path';
import type { AppInfo } from './apps';
import type { SettingsModel } from './settings';

export interface TemplateRoot {
  dir: string;
  source: 'DIRS' | 'app';
  app?: string;
}

export interface TemplateIndex {
  roots: TemplateRoot[];
  /** name → files that provide it, in lookup order. */
  byName: Map<string, string[]>;
  /** file → its template name (under the first root that holds it). */
  nameOf: Map<string, string>;
  /** True when template roots could not be fully read (unknown DIRS, unread settings). */
  inconclusive: boolean;
}

const DJANGO_BACKEND = 'django.template.backends.django.DjangoTemplates';

export function templateRoots(settings: SettingsModel, apps: AppInfo[]): { roots: TemplateRoot[]; inconclusive: boolean } {
  const roots: TemplateRoot[] = [];
  let inconclusive = !settings.templatesKnown || settings.installedApps.inconclusive;
  for (const engine of settings.templates) {
    if (engine.backend && engine.backend !== DJANGO_BACKEND && !engine.backend.endsWith('DjangoTemplates')) continue;
    if (engine.inconclusive) inconclusive = true;
    for (const d of engine.dirs) roots.push({ dir: d.path, source: 'DIRS' });
    if (engine.appDirs) {
      for (const app of apps) {
        if (app.dir) roots.push({ dir: join(app.dir, 'templates'), source: 'app', app: app.label });
        else inconclusive = true; // an app outside the workspace may ship templates
      }
    }
  }
  return { roots, inconclusive };
}

/** Builds the index from the roots and a lister that returns the files below a folder. */
export function buildTemplateIndex(rootsInfo: { roots: TemplateRoot[]; inconclusive: boolean }, list: (dir: string) => string[]): TemplateIndex {
  const byName = new Map<string, string[]>();
  const nameOf = new Map<string, string>();
  const seenRoots = new Set<string>();
  for (const root of rootsInfo.roots) {
    if (seenRoots.has(root.dir)) continue;
    seenRoots.add(root.dir);
    for (const file of list(root.dir)) {
      const name = relative(root.dir, file).split(sep).join('/');
      const files = byName.get(name);
      if (files) files.push(file);
      else byName.set(name, [file]);
      if (!nameOf.has(file)) nameOf.set(file, name);
    }
  }
  return { roots: rootsInfo.roots, byName, nameOf, inconclusive: rootsInfo.inconclusive };
}

/** Django's relative names (`./x.html`, `../x.html`) in `{% extends %}`/`{% include %}`. */
export function resolveRelativeName(name: string, fromName: string | undefined): string {
  if (!fromName || !(name.startsWith('./') || name.startsWith('../'))) return name;
  const parts = fromName.split('/');
  parts.pop();
  for (const p of name.split('/')) {
    if (p === '.') continue;
    if (p === '..') parts.pop();
    else parts.push(p);
  }
  return parts.join('/');
}
