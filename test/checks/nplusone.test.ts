/**
 * The N+1 checks (DJL101 Python loops, DJL102 templates, DJL103 per-row queries) on the fixture
 * project test/fixtures/nplusone and on examples/blog. Expectations sit in the sources: a line
 * `# ^^^ DJL101` (or `{# ^^^ DJL102 #}`) under the access marks where a finding must be, and every
 * finding must be marked (test/django/queryCounts.test.ts checks the same cases against Django).
 * Inline fixtures cover the fixes' text, incremental re-analysis and silencing.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fixesFor, runChecks } from '../../server/src/core/checks/registry';
import type { Finding } from '../../server/src/core/types';
import { Workspace } from '../../server/src/core/workspace';
import { fixture } from '../helpers/fixture';
import { repoRoot } from '../helpers/paths';

const isNPlusOne = (f: Finding) => /^DJL1\d\d$/.test(f.code);
const MARKER = /^(\s*(?:(?:#|\{#)\s*)?)(\^+)\s+(DJL1\d\d)\s*(?:#\})?\s*$/;

/** `file:line:col-col CODE` for every marker line in the project's sources. */
function markersIn(root: string, files: string[]): string[] {
  const out: string[] = [];
  for (const file of files) {
    const lines = readFileSync(file, 'utf8').split('\n');
    let code = -1;
    lines.forEach((l, i) => {
      const m = MARKER.exec(l);
      if (!m) {
        code = i;
        return;
      }
      const start = m[1].length;
      out.push(`${relative(root, file)}:${code + 1}:${start}-${start + m[2].length} ${m[3]}`);
    });
  }
  return out.sort();
}

function key(root: string, f: Finding): string {
  return `${relative(root, f.file)}:${f.span[0] + 1}:${f.span[1]}-${f.span[3]} ${f.code}`;
}

/** The check helper: every finding of the project is marked, and every marker has its finding. */
async function checkProject(rel: string, sources: string[]): Promise<{ ws: Workspace; findings: Finding[] }> {
  const root = join(repoRoot, rel);
  const ws = await Workspace.open({ roots: [root] });
  const findings = runChecks(ws).filter(isNPlusOne);
  assert.deepEqual(findings.map((f) => key(root, f)).sort(), markersIn(root, sources.map((s) => join(root, s))));
  return { ws, findings };
}

describe('N+1 checks (DJL101, DJL102, DJL103)', function () {
  this.timeout(60_000);

  it('the fixture project: every marked access is found, nothing else', async () => {
    const tpl = (n: string) => `lab/templates/lab/${n}.html`;
    const { findings } = await checkProject('test/fixtures/nplusone', [
      'lab/cases.py', 'lab/views.py', 'lab/helpers.py', 'lab/models.py',
      ...['posts', 'posts_selected', 'post_counts', 'posts_prefetched', 'post_tags', 'posts_include', '_post', 'posts_with', 'posts_values', 'comments', 'response', 'list', 'list_selected', 'authors', 'detail', 'detail_prefetched'].map(tpl),
    ]);
    const count = (c: string) => findings.filter((f) => f.code === c).length;
    assert.ok(count('DJL101') >= 30 && count('DJL102') >= 8 && count('DJL103') >= 4);
  });

  it('examples/blog: the two deliberate N+1s, in Python and in the template', async () => {
    const root = join(repoRoot, 'examples/blog');
    const ws = await Workspace.open({ roots: [root] });
    const findings = runChecks(ws).filter(isNPlusOne);
    assert.deepEqual(findings.map((f) => `${key(root, f)} ${f.message}`), [
      "blog/views.py:66:41-52 DJL101 `post.author` runs a query for every row of `Post.objects.all()` (built in blog/views.py:65 without select_related('author')).",
      "blog/views.py:66:61-82 DJL101 `post.comments.count()` runs a query for every row of `Post.objects.all()` (built in blog/views.py:65 without prefetch_related('comments')).",
      "templates/posts.html:6:94-105 DJL102 `post.author` runs a query for every row of `posts` (built in blog/views.py:12 by post_list without select_related('author')).",
    ]);
    const fix = fixesFor(ws, findings[2]).find((f) => f.isPreferred)!;
    assert.deepEqual(fix.edits.map((e) => [relative(root, e.file), e.span, e.newText]), [['blog/views.py', [11, 30, 11, 30], '.select_related("author")']]);
  });

  it('merges into an existing select_related, keeps the quote style, and selects whole chains', async () => {
    const fx = await fixture(`
      # -- manage.py
      import os
      os.environ.setdefault("DJANGO_SETTINGS_MODULE", "site.settings")
      # -- site/__init__.py
      # -- site/settings.py
      INSTALLED_APPS = ['shop']
      # -- shop/__init__.py
      # -- shop/models.py
      from django.db import models
      class Maker(models.Model):
          name = models.CharField(max_length=9)
      class Country(models.Model):
          maker = models.OneToOneField(Maker, on_delete=models.CASCADE, related_name='country')
      class Item(models.Model):
          maker = models.ForeignKey(Maker, on_delete=models.CASCADE)
          kind = models.ForeignKey(Maker, on_delete=models.CASCADE, related_name='kinds')
      # -- shop/jobs.py
      from shop.models import Item
      def names():
          items = Item.objects.select_related('kind')
          return [i.maker.country.maker_id for i in items]
          #       ^^^^^^^ DJL101
    `);
    try {
      const [f] = runChecks(fx.ws).filter(isNPlusOne);
      const marker = fx.markers[0];
      assert.deepEqual([f.code, f.span[0], f.span[1], f.span[3]], [marker.text, marker.line, marker.startCol, marker.endCol]);
      const fix = fixesFor(fx.ws, f).find((x) => x.isPreferred)!;
      assert.equal(fix.edits[0].newText, ", 'maker__country'");
      // After the fix, the finding is gone (the edit is applied to the file on disk).
      const file = fx.path('shop/jobs.py');
      const lines = readFileSync(file, 'utf8').split('\n');
      const e = fix.edits[0];
      lines[e.span[0]] = lines[e.span[0]].slice(0, e.span[1]) + e.newText + lines[e.span[0]].slice(e.span[3]);
      fx.ws.updateFile(file, lines.join('\n'));
      assert.deepEqual(runChecks(fx.ws).filter(isNPlusOne), []);
    } finally {
      fx.cleanup();
    }
  });

  it('stays quiet on rows of unknown origin, reassigned rows, values() and noqa', async () => {
    const fx = await fixture(`
      # -- manage.py
      import os
      os.environ.setdefault("DJANGO_SETTINGS_MODULE", "site.settings")
      # -- site/__init__.py
      # -- site/settings.py
      INSTALLED_APPS = ["shop"]
      # -- shop/__init__.py
      # -- shop/models.py
      from django.db import models
      class Maker(models.Model):
          name = models.CharField(max_length=9)
      class Item(models.Model):
          maker = models.ForeignKey(Maker, on_delete=models.CASCADE)
      # -- shop/jobs.py
      from shop.models import Item, Maker
      def a(items):
          return [i.maker.name for i in items]
      def b():
          for i in Item.objects.all():
              i = helper(i.pk)
              i.name
      def c():
          return [r["maker"] for r in Item.objects.values("maker")]
      def d():
          return [i.maker.name for i in Item.objects.all()]  # noqa: DJL101
    `);
    try {
      assert.deepEqual(runChecks(fx.ws).filter(isNPlusOne).map((f) => f.message), []);
    } finally {
      fx.cleanup();
    }
  });
});
