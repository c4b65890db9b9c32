/**
 * The manifest against the code: every diagnostic code the server can emit (CHECKS) has a
 * severity setting and a README row; every command the client registers is declared, and the
 * views, welcome content, activation and untrusted-workspace support are what the client expects.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CHECKS } from '../../server/src/core/checks/registry';
import { repoRoot } from '../helpers/paths';

const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8'));
const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');

describe('manifest', () => {
  it('lists every diagnostic code in the severity setting', () => {
    const listed = Object.keys(pkg.contributes.configuration.properties['djangoLens.severity'].properties ?? {}).sort();
    assert.deepEqual(listed, CHECKS.map((c) => c.code).sort());
  });

  it('documents every diagnostic code in the README table', () => {
    const missing = CHECKS.map((c) => c.code).filter((code) => !new RegExp(`^\\|\\s*${code}\\s*\\|`, 'm').test(readme));
    assert.deepEqual(missing, [], 'README rows missing');
  });

  it('declares every command the client registers', () => {
    const declared = new Set(pkg.contributes.commands.map((c: { command: string }) => c.command));
    const sources = ['extension.ts', 'lifecycleView.ts'].map((f) => readFileSync(join(repoRoot, 'client/src', f), 'utf8')).join('\n');
    const registered = [...sources.matchAll(/registerCommand\('([^']+)'/g)].map((m) => m[1]);
    assert.ok(registered.length >= 8);
    for (const c of registered) assert.ok(declared.has(c), `${c} is declared`);
  });

  it('has the Django container, its views and welcome content', () => {
    assert.equal(pkg.contributes.viewsContainers.activitybar[0].id, 'djangoLens');
    assert.deepEqual(pkg.contributes.views.djangoLens.map((v: { id: string }) => v.id), ['djangoLens.lifecycle', 'djangoLens.trace']);
    const welcome = pkg.contributes.viewsWelcome.find((w: { when?: string }) => w.when === 'djangoLens.state == noProject');
    assert.match(welcome.contents, /command:workbench\.action\.openSettings/);
  });

  it('activates on manage.py and the two languages, and supports untrusted workspaces', () => {
    assert.deepEqual(pkg.activationEvents, ['workspaceContains:**/manage.py', 'onLanguage:python', 'onLanguage:django-html']);
    assert.equal(pkg.capabilities.untrustedWorkspaces.supported, true);
    for (const s of ['settingsModule', 'severity', 'exclude', 'maxFileSize', 'trace.server']) assert.ok(pkg.contributes.configuration.properties[`djangoLens.${s}`], s);
  });
});
