/**
 * Edits through `Workspace.updateFile` / `removeFile`, in-process: the project model and the
 * checks must follow every edit exactly as a fresh index of the same files would, whatever the
 * workspace reuses between versions. Each case edits one file and compares with what a new
 * Workspace opened on the edited text reports.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { runChecks } from '../../server/src/core/checks/registry';
import { Workspace } from '../../server/src/core/workspace';
import { type Fixture, fixture } from '../helpers/fixture';

const PROJECT = `
  # -- manage.py
  import os
  os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mysite.settings")
  # -- mysite/__init__.py
  # -- mysite/settings.py
  ROOT_URLCONF = "mysite.urls"
  INSTALLED_APPS = ["blog"]
  # -- mysite/urls.py
  from django.urls import include, path

  urlpatterns = [
      path("blog/", include("blog.urls")),
  ]
  # -- blog/__init__.py
  # -- blog/views.py
  def index(request): ...
  # -- blog/urls.py
  from django.urls import include, path
  from . import views

  urlpatterns = [
      path("", views.index, name="index"),
  ]
  # -- blog/models.py
  from django.db import models

  class Post(models.Model):
      title = models.CharField(max_length=100)
`;

/** A summary of what the analyses see, to compare an edited workspace with a fresh one. */
function snapshot(ws: Workspace, dir: string): unknown {
  const rel = (f: string) => f.slice(dir.length + 1);
  return {
    projects: ws.projects().map((p) => ({
      settings: p.spec.settingsModule,
      routes: p.urls.routes.map((r) => [r.route, r.qualifiedName, r.view?.qualname ?? null]),
      models: p.models.models.map((m) => [m.label, m.fields.map((f) => f.name)]),
      problems: p.problems,
    })),
    findings: runChecks(ws).filter((f) => f.code.startsWith('DJL00')).map((f) => [f.code, rel(f.file), f.span]),
  };
}

describe('workspace: incremental edits', function () {
  this.timeout(20000);
  let fx: Fixture;

  beforeEach(async () => {
    fx = await fixture(PROJECT);
  });
  afterEach(() => fx?.cleanup());

  /** Applies `text` to `rel` in the open workspace and on disk, then compares with a fresh index. */
  async function edit(rel: string, text: string): Promise<unknown> {
    fx.ws.updateFile(fx.path(rel), text);
    writeFileSync(fx.path(rel), text);
    const fresh = await Workspace.open({ roots: [fx.dir] });
    const now = snapshot(fx.ws, fx.dir);
    assert.deepEqual(now, snapshot(fresh, fx.dir), `after editing ${rel}, the workspace differs from a fresh index`);
    return now;
  }

  it('an include cycle typed in appears as DJL001 and goes away when fixed', async () => {
    const original = fx.files.get('blog/urls.py')!;
    assert.deepEqual(runChecks(fx.ws).filter((f) => f.code === 'DJL001'), []);
    const cyclic = original.replace(']', '    path("again/", include("mysite.urls")),\n]');
    const s1 = (await edit('blog/urls.py', cyclic)) as { findings: unknown[] };
    assert.deepEqual(s1.findings, [['DJL001', 'blog/urls.py', [5, 4, 5, 42]]]);
    const s2 = (await edit('blog/urls.py', original)) as { findings: unknown[] };
    assert.deepEqual(s2.findings, []);
  });

  it('a field added to a model shows up', async () => {
    const s = (await edit('blog/models.py', `${fx.files.get('blog/models.py')}    body = models.TextField()\n`)) as { projects: { models: unknown }[] };
    assert.deepEqual(s.projects[0].models, [['blog.Post', ['title', 'body']]]);
  });

  it('a renamed view leaves the route unresolved', async () => {
    const s = (await edit('blog/views.py', 'def home(request): ...\n')) as { projects: { routes: unknown }[] };
    assert.deepEqual(s.projects[0].routes, [['blog/', 'index', null]]);
  });

  it('a new URLconf file included from an edited one is read', async () => {
    fx.ws.updateFile(fx.path('blog/api.py'), 'from django.urls import path\nfrom . import views\nurlpatterns = [path("ping/", views.index, name="ping")]\n');
    writeFileSync(fx.path('blog/api.py'), 'from django.urls import path\nfrom . import views\nurlpatterns = [path("ping/", views.index, name="ping")]\n');
    const s = (await edit('mysite/urls.py', fx.files.get('mysite/urls.py')!.replace(']', '    path("api/", include("blog.api")),\n]'))) as { projects: { routes: unknown }[] };
    assert.deepEqual(s.projects[0].routes, [['blog/', 'index', 'index'], ['api/ping/', 'ping', 'index']]);
  });

  it('a removed URLconf leaves an inconclusive include', async () => {
    fx.ws.removeFile(fx.path('blog/urls.py'));
    const p = fx.ws.projects()[0];
    assert.deepEqual(p.urls.routes.map((r) => [r.route, r.kind, r.inconclusive]), [['blog/', 'include', "include('blog.urls'): the module is outside the workspace"]]);
  });

  it('a settings edit that changes an app label relabels its models', async () => {
    const apps = 'from django.apps import AppConfig\n\nclass WeblogConfig(AppConfig):\n    name = "blog"\n    label = "weblog"\n';
    fx.ws.updateFile(fx.path('blog/apps.py'), apps);
    writeFileSync(fx.path('blog/apps.py'), apps);
    const s = (await edit('mysite/settings.py', 'ROOT_URLCONF = "mysite.urls"\nINSTALLED_APPS = ["blog.apps.WeblogConfig"]\n')) as { projects: { models: unknown }[] };
    assert.deepEqual(fx.ws.projects()[0].apps.map((a) => a.label), ['weblog']);
    assert.deepEqual(s.projects[0].models, [['weblog.Post', ['title']]]);
  });
});
