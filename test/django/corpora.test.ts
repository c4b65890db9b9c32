/**
 * Real Django code nobody here wrote, from Debian's packages (scripts/corpora.sh unpacks them into
 * .corpora/): Django's contrib apps, graphite-web, horizon, lava-server, mailman3-web, DRF,
 * allauth, postorius, hyperkitty. The indexer must finish on each without an error, the routes it
 * resolves are recorded, and every check must stay silent: any finding here must be justified
 * and pinned below, or it is a false alarm to fix.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runChecks } from '../../server/src/core/checks/registry';
import { Workspace } from '../../server/src/core/workspace';
import { repoRoot } from '../helpers/paths';

interface Corpus {
  name: string;
  root: string;
  pyFiles: number;
}

/** Routes with a resolved view that each corpus must at least reach (measured, then floored). */
const MIN_RESOLVED: Record<string, number> = {
  'python3-django': 15,
  'graphite-web': 50,
  'python3-django-horizon': 250,
  'lava-server': 100,
  'python3-djangorestframework': 2,
  'python3-django-allauth': 20,
  'python3-django-postorius': 45,
  'python3-django-hyperkitty': 55,
};

/** Findings a person has read and judged right, as "corpus code file:line". */
const PINNED_FINDINGS: string[] = [
  // DJL403, reviewed: linaro_django_xmlrpc's create_token/delete_token/edit_token views (routed in
  // its urls.py) render linaro_django_xmlrpc/{create_token,authtoken_confirm_delete,edit_token}.html,
  // which no template root of the package provides (lava_server/templates/linaro_django_xmlrpc/ has
  // only tokens.html and api.html): a GET on those URLs raises TemplateDoesNotExist.
  'lava-server DJL403 linaro_django_xmlrpc/views.py:193',
  'lava-server DJL403 linaro_django_xmlrpc/views.py:203',
  'lava-server DJL403 linaro_django_xmlrpc/views.py:218',
];

const indexFile = join(repoRoot, '.corpora/index.json');
const corpora: Corpus[] = existsSync(indexFile) ? JSON.parse(readFileSync(indexFile, 'utf8')) : [];

describe('real Django projects from Debian', function () {
  this.timeout(300_000);
  before(function () {
    if (corpora.length === 0) {
      if (process.env.CI) throw new Error('.corpora/index.json is missing: scripts/corpora.sh must run before the tests');
      this.skip();
    }
  });

  const table: string[] = [];
  after(() => {
    if (table.length) process.stdout.write(`\n      corpus routes (resolved views / routes / inconclusive):\n${table.join('\n')}\n`);
  });

  for (const corpus of corpora) {
    it(`${corpus.name}: indexes without error and raises no unreviewed finding`, async () => {
      const ws = await Workspace.open({ roots: [join(repoRoot, corpus.root)] });
      assert.ok(ws.pythonFiles().length >= Math.min(corpus.pyFiles, 1));
      let routes = 0;
      let resolved = 0;
      let inconclusive = 0;
      for (const p of ws.projects()) {
        routes += p.urls.routes.length;
        resolved += p.urls.routes.filter((r) => r.view && r.view.kind !== 'unknown').length;
        inconclusive += p.urls.routes.filter((r) => r.inconclusive).length;
        // Every part of the model builds.
        assert.ok(Array.isArray(p.models.models));
        assert.ok(Array.isArray(p.views));
        assert.ok(p.templates.byName instanceof Map);
      }
      table.push(`        ${corpus.name.padEnd(30)} ${String(resolved).padStart(5)} / ${String(routes).padStart(5)} / ${inconclusive}`);
      const min = MIN_RESOLVED[corpus.name];
      if (min !== undefined) assert.ok(resolved >= min, `${corpus.name}: ${resolved} resolved routes, expected at least ${min}`);
      const findings = runChecks(ws).map((f) => `${corpus.name} ${f.code} ${f.file.slice(join(repoRoot, corpus.root).length + 1)}:${f.span[0] + 1}`);
      assert.deepEqual(findings.filter((f) => !PINNED_FINDINGS.includes(f)), []);
    });
  }
});
