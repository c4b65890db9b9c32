/**
 * URL names against Django itself: for every named route of the example and fixture projects
 * (every spelling our index knows, application-namespace aliases included), Debian's Django
 * reverse()s the name (test/oracle/django_reverse.py) and resolve()s the path. Our go-to target
 * for the name (the first candidate) must reach the same view, and our hover route, with the same
 * sample arguments substituted, must be the same path. The urls_nested fixture declares `about`
 * twice; Django picks the last declaration, and so must we.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { resolveUrlName, routeParams, urlNames } from '../../server/src/core/language/urlNames';
import { Workspace } from '../../server/src/core/workspace';
import { repoRoot } from '../helpers/paths';

const PYTHON = '/usr/bin/python3';
const PROJECTS = ['examples/blog', 'test/fixtures/projects/urls_nested', 'test/fixtures/projects/urls_regex'];

function djangoAvailable(): boolean {
  return existsSync(PYTHON) && spawnSync(PYTHON, ['-c', 'import django'], { stdio: 'ignore' }).status === 0;
}

interface OracleResult {
  name: string;
  path: string | null;
  values: string[] | null;
  view: { module: string; qualname: string } | null;
  error: string | null;
}

describe('URL names agree with Django reverse() and resolve()', function () {
  this.timeout(120_000);
  before(function () {
    if (!djangoAvailable()) {
      if (process.env.CI) throw new Error('Debian python3-django is required in CI (scripts/ensure-django.sh)');
      this.skip();
    }
  });

  let total = 0;
  after(() => {
    if (total) process.stdout.write(`      ${total} URL names checked against Django\n`);
  });

  for (const project of PROJECTS) {
    it(project, async () => {
      const dir = join(repoRoot, project);
      const ws = await Workspace.open({ roots: [dir] });
      const [p] = ws.projects();
      const names = [...urlNames(p.urls.routes).keys()];
      // Names whose parameters we do not claim to know (optional or mixed regex groups) are left out.
      const requests = names
        .map((name) => ({ name, params: routeParams(resolveUrlName(p.urls.routes, name)[0]) }))
        .filter((x) => !x.params.unknown)
        .map(({ name, params }) => ({ name, params: params.names, positional: params.positional }));
      const out = execFileSync(PYTHON, [join(repoRoot, 'test/oracle/django_reverse.py'), dir], {
        input: JSON.stringify({ names: requests }),
        encoding: 'utf8',
        env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' },
      });
      const results = (JSON.parse(out) as { results: OracleResult[] }).results;
      assert.ok(results.length >= 5, 'the project has named routes');
      const disagreements: string[] = [];
      for (const r of results) {
        const route = resolveUrlName(p.urls.routes, r.name)[0];
        if (!r.path || !r.view) {
          disagreements.push(`${r.name}: Django cannot reverse it (${r.error})`);
          continue;
        }
        const ours = route.view ? `${route.view.module}.${route.view.qualname}` : null;
        const theirs = `${r.view.module}.${r.view.qualname}`;
        if (ours !== theirs) disagreements.push(`${r.name}: view ours ${ours}, Django ${theirs}`);
        // The hover route with the sample arguments substituted (path() routes; regexes are not expanded).
        if (route.segments.every((s) => s.kind !== 'regex')) {
          let i = 0;
          const path = `/${route.route.replace(/<(?:[^>:]+:)?[^>]+>/g, () => r.values![i++])}`;
          if (path !== r.path) disagreements.push(`${r.name}: path ours ${path}, Django ${r.path}`);
        }
      }
      total += results.length;
      assert.deepEqual(disagreements, []);
      if (project.endsWith('urls_nested')) {
        assert.equal(results.find((r) => r.name === 'about')?.path, '/about-us/');
        assert.equal(resolveUrlName(p.urls.routes, 'about')[0].route, 'about-us/');
      }
    });
  }
});
