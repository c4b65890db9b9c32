/**
 * The URL index against Django itself: Debian's Django 3.2 walks get_resolver() for each project
 * (test/oracle/django_urls.py) and the CLI's `urls --json` must list the same routes, in the same
 * order, with the same names and the same view module, qualname, file and line.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../helpers/paths';

const PYTHON = '/usr/bin/python3';
const PROJECTS = ['examples/blog', 'test/fixtures/projects/urls_nested', 'test/fixtures/projects/urls_regex'];

function djangoAvailable(): boolean {
  return existsSync(PYTHON) && spawnSync(PYTHON, ['-c', 'import django'], { stdio: 'ignore' }).status === 0;
}

interface Route {
  route: string;
  name: string | null;
  qualifiedName: string | null;
  view: { module: string; qualname: string; file: string | null; line: number | null } | null;
}

function key(r: Route): string {
  const v = r.view;
  return JSON.stringify([r.route, r.name, r.qualifiedName, v?.module ?? null, v?.qualname ?? null, v?.file ?? null, v?.line ?? null]);
}

describe('URL index agrees with Django resolver', function () {
  this.timeout(120_000);
  before(function () {
    if (!djangoAvailable()) {
      if (process.env.CI) throw new Error('Debian python3-django is required in CI (scripts/ensure-django.sh)');
      this.skip();
    }
  });

  for (const project of PROJECTS) {
    it(project, () => {
      const dir = join(repoRoot, project);
      const oracle = JSON.parse(execFileSync(PYTHON, [join(repoRoot, 'test/oracle/django_urls.py'), dir], { encoding: 'utf8', env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' } })) as { routes: Route[] };
      const ours = JSON.parse(execFileSync('node', [join(repoRoot, 'dist/cli.js'), 'urls', dir, '--json', '--quiet'], { encoding: 'utf8' })) as { projects: { routes: Route[] }[] };
      assert.equal(ours.projects.length, 1);
      assert.ok(oracle.routes.length >= 9, 'the oracle found routes');
      assert.deepEqual(ours.projects[0].routes.map(key), oracle.routes.map(key));
    });
  }
});
