/**
 * Django as the oracle for the deployment settings checks (DJL301–DJL316): Debian's Django runs
 * `manage.py check --deploy` on the settings module we consider deployed, for the example blog's
 * production settings and for the projects in test/fixtures/security/deploy/. Our findings that
 * name a Django check ID must be exactly the `security.*` IDs Django reports, no more, no fewer.
 * (Findings with no Django counterpart, such as ALLOWED_HOSTS = ['*'], are compared separately.)
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { runChecks } from '../../server/src/core/checks/registry';
import type { DeployFindingData } from '../../server/src/core/checks/security/deploySettings';
import { Workspace } from '../../server/src/core/workspace';
import { repoRoot } from '../helpers/paths';

const PY = '/usr/bin/python3';

function djangoDeployIds(dir: string, module: string, environ: Record<string, string>): string[] {
  // No other variables: os.environ.get(..., default) uses its default, as static reading assumes.
  const env: Record<string, string> = { PATH: process.env.PATH ?? '/usr/bin:/bin', DJANGO_SETTINGS_MODULE: module, ...environ };
  const r = spawnSync(PY, ['manage.py', 'check', '--deploy'], { cwd: dir, env, encoding: 'utf8' });
  const out = `${r.stdout}\n${r.stderr}`;
  if (!/System check identified|security\./.test(out)) throw new Error(`manage.py check --deploy failed in ${dir}:\n${out}`);
  return [...new Set([...out.matchAll(/\((security\.[WE]\d+)\)/g)].map((m) => m[1]))].sort();
}

async function ourDeployFindings(dir: string) {
  const ws = await Workspace.open({ roots: [dir] });
  return runChecks(ws).filter((f) => /^DJL3(0\d|1\d)$/.test(f.code)).map((f) => ({ code: f.code, file: f.file, ...(f.data as DeployFindingData) }));
}

/** A deployment's secret, set in the environment (static reading sees only `os.environ[...]`). */
const STRONG_KEY = 'k3Jd9x0QzLw7pV2mR8yT5bN1cF6hG4sA0eU9oI3dKq8Wn2Ej7Ry';

const CASES: { name: string; dir: string; module: string; extra: string[]; environ?: Record<string, string> }[] = [
  { name: 'example blog, production settings', dir: 'examples/blog', module: 'mysite.settings.prod', extra: [] },
  { name: 'everything wrong', dir: 'test/fixtures/security/deploy/insecure', module: 'site_.settings', extra: [] },
  { name: 'half hardened', dir: 'test/fixtures/security/deploy/hardened', module: 'site_.settings', extra: ['DJL304'] },
  { name: 'hardened (SecurityMiddleware not first)', dir: 'test/fixtures/security/deploy/secure', module: 'site_.settings', extra: ['DJL314'], environ: { SECRET_KEY: STRONG_KEY } },
  { name: 'split settings, production module', dir: 'test/fixtures/security/deploy/split', module: 'site_.settings.production', extra: [] },
];

describe('deployment settings against manage.py check --deploy', function () {
  this.timeout(120_000);
  before(function () {
    const ok = existsSync(PY) && spawnSync(PY, ['-c', 'import django'], { encoding: 'utf8' }).status === 0;
    if (!ok) {
      if (process.env.CI) throw new Error('Django is not importable by /usr/bin/python3 (scripts/ensure-django.sh)');
      this.skip();
    }
  });

  for (const c of CASES) {
    it(`${c.name}: the same security check IDs as Django`, async () => {
      const dir = join(repoRoot, c.dir);
      const ours = await ourDeployFindings(dir);
      const modules = [...new Set(ours.map((f) => f.module))];
      assert.ok(modules.every((m) => m === c.module), `only ${c.module} is checked, got ${modules.join(', ')}`);
      const ids = [...new Set(ours.flatMap((f) => (f.djangoId ? [f.djangoId] : [])))].sort();
      assert.deepEqual(ids, djangoDeployIds(dir, c.module, c.environ ?? {}));
      assert.deepEqual(ours.filter((f) => !f.djangoId).map((f) => f.code).sort(), c.extra);
    });
  }

  it('does not scold a local settings module (dev.py) for DEBUG', async () => {
    const ours = await ourDeployFindings(join(repoRoot, 'test/fixtures/security/deploy/split'));
    assert.ok(!ours.some((f) => f.module.endsWith('.dev') || f.module.endsWith('.base')));
    assert.ok(!ours.some((f) => f.code === 'DJL301'));
  });
});
