/**
 * DJL002: manage.py (or wsgi.py/asgi.py) names a DJANGO_SETTINGS_MODULE that is not a module of
 * the workspace. Everything that depends on settings (apps, URLs, templates) is then unknown, so
 * the other checks stay quiet; this one says why.
 */
import { stringValue } from '../python/ast';
import type { Check } from './registry';

export const settingsModuleMissing: Check = {
  code: 'DJL002',
  name: 'settings-module-missing',
  defaultSeverity: 'warning',
  description: 'The DJANGO_SETTINGS_MODULE set by manage.py is not a module in the workspace.',
  run({ project }) {
    const mod = project.spec.settingsModule;
    if (!mod || project.spec.discoveredBy !== 'manage.py' || project.modules.has(mod)) return [];
    const manage = `${project.root}/manage.py`;
    const facts = project.symbols.modules.moduleOf(manage) !== undefined ? project.symbols.factsOf('manage') : undefined;
    const site = facts?.facts.calls.find((c) => c.name === 'setdefault' && stringValue(c.call.args[0]) === 'DJANGO_SETTINGS_MODULE');
    const span = site?.call.args[1]?.s ?? site?.call.s ?? [0, 0, 0, 0];
    return [{ code: 'DJL002', message: `settings module '${mod}' is not in the workspace: settings, apps, URLs and templates are unknown`, file: manage, span }];
  },
};
