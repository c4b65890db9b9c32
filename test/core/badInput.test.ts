/**
 * Bad input never stops indexing. One workspace holds a file with syntax errors, undecodable
 * bytes, a PEP 263 Latin-1 file, an oversized generated module, a binary `.py`, symlink loops, a
 * cyclic star import between settings modules and a second project whose manage.py names a
 * settings module that does not exist. Each is reported (or read) as documented, and the rest of
 * the project is indexed as if they were not there.
 */
import assert from 'node:assert/strict';
import { symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runChecks } from '../../server/src/core/checks/registry';
import type { Project } from '../../server/src/core/project/project';
import type { Finding } from '../../server/src/core/types';
import { type Fixture, fixture } from '../helpers/fixture';

const FIVE_MB = 5 * 1024 * 1024;

describe('bad input', function () {
  this.timeout(20000);
  let fx: Fixture;
  let main: Project;
  let broken: Project;
  let findings: Finding[];

  before(async () => {
    fx = await fixture(`
      # -- manage.py
      import os
      os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mysite.settings")
      # -- mysite/__init__.py
      # -- mysite/settings.py
      from mysite.extra import *
      from mysite.cookie import *
      from mysite.euro import *

      ROOT_URLCONF = "mysite.urls"
      INSTALLED_APPS = ["blog"]
      TEMPLATES = [{"BACKEND": "django.template.backends.django.DjangoTemplates", "DIRS": [], "APP_DIRS": True}]
      # -- mysite/extra.py
      from mysite.settings import *

      EXTRA = True
      # -- mysite/urls.py
      from django.urls import path
      from blog import views

      urlpatterns = [
          path("", views.index, name="index"),
          path("posts/", views.posts, name="posts"),
      ]
      # -- blog/__init__.py
      # -- blog/views.py
      def index(request): ...
      def posts(request): ...
      # -- blog/models.py
      from django.db import models


      class Post(models.Model):
          title = models.CharField(max_length=100)


      class Broken(models.Model)
          name = models.CharField(max_length=
      # -- broken/manage.py
      import os
      os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nowhere.settings")
      # -- blog/templates/blog/index.html
      <h1>{{ title }}</h1>
    `, {
      prepare(dir) {
        // Latin-1 bytes without a coding cookie: not valid UTF-8.
        writeFileSync(join(dir, 'blog/legacy.py'), Buffer.from('from django.db import models\n\nclass Tag(models.Model):\n    label = models.CharField(default="caf\xe9")\n', 'latin1'));
        // A PEP 263 cookie makes the same bytes legal.
        writeFileSync(join(dir, 'mysite/cookie.py'), Buffer.from('# -*- coding: latin-1 -*-\nSITE_NAME = "Caf\xe9"\n', 'latin1'));
        writeFileSync(join(dir, 'mysite/euro.py'), Buffer.from('# vim: set fileencoding=iso-8859-15 :\nCURRENCY = "\xa4"\n', 'latin1'));
        writeFileSync(join(dir, 'blog/x.py'), Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x02, 0x01, 0x01, 0x00, 0x00, 0x00, 0x41, 0x42]));
        const line = 'GENERATED_CONSTANT_000000 = "a fairly long generated value to reach five megabytes"\n';
        writeFileSync(join(dir, 'blog/generated.py'), line.repeat(Math.ceil(FIVE_MB / line.length)));
        symlinkSync('..', join(dir, 'blog/loop'));
        symlinkSync('..', join(dir, 'blog/templates/blog/loop'));
      },
    });
    const byRoot = (rel: string) => fx.ws.projects().find((p) => fx.rel(p.root) === rel)!;
    main = byRoot('.');
    broken = byRoot('broken');
    // Only the foundation's own checks are under test here (other checks have their own suites).
    findings = runChecks(fx.ws).filter((f) => f.code.startsWith('DJL00'));
  });

  after(() => fx?.cleanup());

  const problemOf = (rel: string) => fx.ws.problems.filter((p) => p.file === fx.path(rel)).map((p) => p.message);

  it('finds both projects', () => {
    assert.deepEqual(fx.ws.projects().map((p) => [fx.rel(p.root), p.spec.settingsModule]).sort(), [['.', 'mysite.settings'], ['broken', 'nowhere.settings']]);
  });

  it('keeps what parses above a syntax error', () => {
    assert.ok(fx.ws.facts(fx.path('blog/models.py'))!.syntaxErrors.length > 0, 'the syntax error is recorded');
    const post = main.models.byLabel.get('blog.Post');
    assert.ok(post, 'blog.Post, defined above the error, is still a model');
    assert.deepEqual(post.fields.map((f) => `${f.name}:${f.type}`), ['title:CharField']);
  });

  it('reads undecodable bytes as Latin-1 and says so', () => {
    assert.deepEqual(problemOf('blog/legacy.py'), ['not valid UTF-8: read as Latin-1']);
    assert.deepEqual(main.models.byLabel.get('blog.Tag')?.fields.map((f) => f.name), ['label']);
  });

  it('honours a PEP 263 coding cookie', () => {
    // ISO-8859-15 differs from the Latin-1 fallback at 0xA4 (€ instead of ¤): only the cookie gives €.
    const v = main.settings.values.get('CURRENCY');
    assert.equal(v?.t === 'str' ? v.v : v, '€');
    assert.deepEqual(problemOf('mysite/euro.py'), []);
  });

  it('accepts "coding: latin-1" without reporting the file', () => {
    assert.deepEqual(problemOf('mysite/cookie.py'), []);
  });

  it('reads a "coding: latin-1" file\'s text correctly', () => {
    const v = main.settings.values.get('SITE_NAME');
    assert.equal(v?.t === 'str' ? v.v : v, 'Café');
  });

  it('skips an oversized file with a clear message', () => {
    assert.deepEqual(problemOf('blog/generated.py'), ['skipped: 5.0 MB is over the 2.0 MB limit (djangoLens.maxFileSize)']);
    assert.equal(fx.ws.facts(fx.path('blog/generated.py')), undefined);
  });

  it('refuses a binary file named .py', () => {
    assert.deepEqual(problemOf('blog/x.py'), ['skipped: binary content (NUL bytes)']);
    assert.equal(fx.ws.facts(fx.path('blog/x.py')), undefined);
  });

  it('cuts a symlink loop: no file is listed twice', () => {
    const files = fx.ws.pythonFiles();
    assert.deepEqual(files.filter((f) => f.includes('/loop/')), []);
    assert.ok(files.includes(fx.path('blog/views.py')));
  });

  it('cuts a symlink loop inside a template folder', () => {
    assert.deepEqual([...main.templates.byName.keys()], ['blog/index.html']);
  });

  it('still resolves the template behind the loop to the real file', () => {
    assert.deepEqual(main.templates.byName.get('blog/index.html'), [fx.path('blog/templates/blog/index.html')]);
  });

  it('evaluates a cyclic star import between settings modules as Python would', () => {
    assert.equal(main.settings.rootUrlconf, 'mysite.urls');
    assert.deepEqual(main.settings.values.get('EXTRA'), { t: 'bool', v: true });
    assert.deepEqual(main.settings.installedApps.items.map((i) => i.value), ['blog']);
  });

  it('indexes the rest: routes, views and apps', () => {
    assert.deepEqual(main.urls.routes.map((r) => [r.route, r.qualifiedName, r.view?.qualname]), [['', 'index', 'index'], ['posts/', 'posts', 'posts']]);
    assert.deepEqual(main.apps.map((a) => a.label), ['blog']);
    assert.deepEqual(main.problems, []);
  });

  it('reports a settings module named in manage.py that does not exist (DJL002)', () => {
    assert.deepEqual(broken.problems, ['settings module nowhere.settings was not found in the workspace', 'ROOT_URLCONF is unknown: no routes', 'template roots are not fully known: missing-template checks stay quiet']);
    const djl002 = findings.filter((f) => f.code === 'DJL002');
    assert.deepEqual(djl002.map((f) => [fx.rel(f.file), f.span, f.severity, f.message]), [
      ['broken/manage.py', [1, 48, 1, 66], 'warning', "settings module 'nowhere.settings' is not in the workspace: settings, apps, URLs and templates are unknown"],
    ]);
    assert.deepEqual(findings.filter((f) => f.code !== 'DJL002'), []);
  });
});
