/**
 * The project model (settings, apps, models, views, templates, URLs) read from small Django
 * projects written inline. Each feature kind has one `check…` helper; each case is a fixture whose
 * expectations sit under the code they describe (`^^^ text`, see test/helpers/fixture.ts), so a
 * case reads like the Django code it checks. A helper renders the model object found at each
 * marker into one line of text and compares it with the marker's text; where it makes sense it
 * also requires every object of its kind to be marked, so nothing appears unannounced.
 */
import assert from 'node:assert/strict';
import { runChecks } from '../../server/src/core/checks/registry';
import type { Value } from '../../server/src/core/python/evaluate';
import type { FieldInfo, ModelInfo } from '../../server/src/core/project/models';
import type { Project } from '../../server/src/core/project/project';
import type { ViewInfo } from '../../server/src/core/project/views';
import { type Fixture, type FixtureOptions, type Marker, fixture } from '../helpers/fixture';

/** Opens a fixture, runs `body` and always removes the folder. */
async function withFixture(src: string, options: FixtureOptions, body: (fx: Fixture) => void): Promise<void> {
  const fx = await fixture(src, options);
  try {
    body(fx);
  } finally {
    fx.cleanup();
  }
}

/**
 * The project whose root holds the marker's file (the deepest one). Deliberately not
 * `Workspace.projectFor`, which picks the wrong one of two sibling projects (see its test below).
 */
function projectOf(fx: Fixture, m: Marker): Project {
  const file = fx.path(m.file);
  const holding = fx.ws.projects().filter((p) => file.startsWith(`${p.root}/`));
  assert.ok(holding.length, `no project holds ${m.file}`);
  return holding.sort((a, b) => b.root.length - a.root.length)[0];
}

const where = (m: Marker) => `${m.file}:${m.line + 1}:${m.startCol + 1}`;

// ---------------------------------------------------------------------------------------------
// settings

/** A settings value as JSON; unknown values keep their reason and the alternatives they stand for. */
function settingJson(v: Value | undefined, dir: string): unknown {
  if (!v) return '<unset>';
  switch (v.t) {
    case 'str': case 'path':
      return v.v.split(dir).join('$DIR');
    case 'num': case 'bool':
      return v.v;
    case 'none':
      return null;
    case 'list': case 'tuple': case 'set':
      return v.items.map((x) => settingJson(x, dir));
    case 'dict':
      return Object.fromEntries(v.entries.map(([k, x]) => [String(settingJson(k, dir)), settingJson(x, dir)]));
    case 'unknown':
      return v.options ? { inconclusive: v.why, options: v.options.map((x) => settingJson(x, dir)) } : { inconclusive: v.why };
    default:
      return `<${v.t}>`;
  }
}

interface ProjectExpectation {
  /** `<root relative to the fixture> <settings module> (<discovered by>)` for every project, in order. */
  projects?: string[];
  /** The exact inconclusive notes of the (first) project. */
  problems?: string[];
}

/**
 * Settings: a marker under a setting's name gives that setting's final value in the project the
 * file belongs to, as JSON (`$DIR` stands for the fixture folder).
 */
async function checkSettings(src: string, expect: ProjectExpectation = {}, options: FixtureOptions = {}): Promise<void> {
  await withFixture(src, options, (fx) => {
    if (expect.projects) {
      assert.deepEqual(fx.ws.projects().map((p) => `${fx.rel(p.root)} ${p.spec.settingsModule} (${p.spec.discoveredBy})`), expect.projects);
    }
    if (expect.problems) assert.deepEqual(fx.ws.projects()[0].problems, expect.problems);
    assert.ok(fx.markers.length > 0, 'a settings fixture needs markers');
    for (const m of fx.markers) {
      const name = fx.marked(m);
      const p = projectOf(fx, m);
      assert.deepEqual(settingJson(p.settings.values.get(name), fx.dir), JSON.parse(m.text), `${name} at ${where(m)} (project ${fx.rel(p.root)})`);
    }
  });
}

const MANAGE = (module: string) => `
  import os
  import sys

  if __name__ == "__main__":
      os.environ.setdefault("DJANGO_SETTINGS_MODULE", "${module}")
      from django.core.management import execute_from_command_line
      execute_from_command_line(sys.argv)
`;

describe('project model: settings', () => {
  it('split settings: star import, +=, append, insert, environment defaults, if DEBUG, try/except', () =>
    checkSettings(`
      # -- manage.py
      ${MANAGE('mysite.settings.dev')}
      # -- mysite/__init__.py
      # -- mysite/urls.py
      urlpatterns = []
      # -- mysite/settings/__init__.py
      # -- mysite/settings/base.py
      import os
      from pathlib import Path

      BASE_DIR = Path(__file__).resolve().parent.parent.parent
      ^^^^^^^^ "$DIR"
      DEBUG = False
      INSTALLED_APPS = ["django.contrib.auth", "blog"]
      MIDDLEWARE = ["django.middleware.common.CommonMiddleware"]
      SECRET_KEY = os.environ.get("SECRET_KEY", "dev-secret")
      ^^^^^^^^^^ "dev-secret"
      DB_NAME = os.getenv("DB_NAME", "blog")
      ^^^^^^^ "blog"
      CACHE_URL = os.environ.get("CACHE_URL")
      ^^^^^^^^^ null
      ROOT_URLCONF = "mysite.urls"
      # -- mysite/settings/dev.py
      from .base import *

      DEBUG = True
      ^^^^^ true
      INSTALLED_APPS += ["debug_toolbar"]
      INSTALLED_APPS.append("extra")
      INSTALLED_APPS.insert(0, "first")
      ^^^^^^^^^^^^^^ ["first", "django.contrib.auth", "blog", "debug_toolbar", "extra"]
      MIDDLEWARE = MIDDLEWARE + ["debug_toolbar.middleware.DebugToolbarMiddleware"]
      ^^^^^^^^^^ ["django.middleware.common.CommonMiddleware", "debug_toolbar.middleware.DebugToolbarMiddleware"]

      if DEBUG:
          INTERNAL_IPS = ["127.0.0.1"]
          ^^^^^^^^^^^^ ["127.0.0.1"]
      else:
          INTERNAL_IPS = []

      try:
          from .local import *
      except ImportError:
          LOCAL_SETTINGS = False
          ^^^^^^^^^^^^^^ false
    `, { projects: ['. mysite.settings.dev (manage.py)'], problems: [] }));

  it('an unknown condition is inconclusive and keeps both alternatives', () =>
    checkSettings(`
      # -- manage.py
      ${MANAGE('mysite.settings')}
      # -- mysite/__init__.py
      # -- mysite/urls.py
      urlpatterns = []
      # -- mysite/settings.py
      import sys

      ROOT_URLCONF = "mysite.urls"
      DEBUG = True
      ^^^^^ true
      if "test" in sys.argv:
          STORAGE = "memory"
      else:
          STORAGE = "s3"
          ^^^^^^^ {"inconclusive": "STORAGE depends on a condition that cannot be evaluated statically", "options": ["memory", "s3"]}
    `));

  it('BASE_DIR paths in TEMPLATES DIRS: pathlib "/" and os.path.join', () =>
    checkSettings(`
      # -- manage.py
      ${MANAGE('mysite.settings')}
      # -- mysite/__init__.py
      # -- mysite/urls.py
      urlpatterns = []
      # -- mysite/settings.py
      import os
      from pathlib import Path

      BASE_DIR = Path(__file__).resolve().parent.parent
      ^^^^^^^^ "$DIR"
      ROOT_URLCONF = "mysite.urls"
      TEMPLATES = [
      ^^^^^^^^^ [{"BACKEND": "django.template.backends.django.DjangoTemplates", "DIRS": ["$DIR/templates", "$DIR/shared/templates"], "APP_DIRS": true}]
          {
              "BACKEND": "django.template.backends.django.DjangoTemplates",
              "DIRS": [BASE_DIR / "templates", os.path.join(BASE_DIR, "shared", "templates")],
              "APP_DIRS": True,
          }
      ]
    `, { problems: [] }));

  it('the template engine sees the same DIRS', async () => {
    await withFixture(`
      # -- manage.py
      ${MANAGE('mysite.settings')}
      # -- mysite/__init__.py
      # -- mysite/settings.py
      import os
      from pathlib import Path
      BASE_DIR = Path(__file__).resolve().parent.parent
      TEMPLATES = [{"BACKEND": "django.template.backends.django.DjangoTemplates", "DIRS": [BASE_DIR / "templates", os.path.join(BASE_DIR, "more")], "APP_DIRS": False}]
    `, {}, (fx) => {
      const [engine] = fx.ws.projects()[0].settings.templates;
      assert.deepEqual({ dirs: engine.dirs.map((d) => d.path), appDirs: engine.appDirs, inconclusive: engine.inconclusive },
        { dirs: [fx.path('templates'), fx.path('more')], appDirs: false, inconclusive: false });
    });
  });

  it('DJANGO_SETTINGS_MODULE from wsgi.py when there is no manage.py', () =>
    checkSettings(`
      # -- mysite/__init__.py
      # -- mysite/wsgi.py
      import os
      from django.core.wsgi import get_wsgi_application
      os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mysite.settings")
      application = get_wsgi_application()
      # -- mysite/settings.py
      ROOT_URLCONF = "mysite.urls"
      ^^^^^^^^^^^^ "mysite.urls"
      # -- mysite/urls.py
      urlpatterns = []
    `, { projects: ['. mysite.settings (wsgi.py)'], problems: [] }));

  it('the settingsModule option overrides discovery', () =>
    checkSettings(`
      # -- manage.py
      ${MANAGE('mysite.settings.dev')}
      # -- mysite/__init__.py
      # -- mysite/urls.py
      urlpatterns = []
      # -- mysite/settings/__init__.py
      # -- mysite/settings/dev.py
      ROOT_URLCONF = "mysite.urls"
      DEBUG = True
      # -- mysite/settings/prod.py
      ROOT_URLCONF = "mysite.urls"
      DEBUG = False
      ^^^^^ false
    `, { projects: ['. mysite.settings.prod (djangoLens.settingsModule)'] }, { settingsModule: 'mysite.settings.prod' }));

  it('two projects in one workspace keep their own settings', () =>
    checkSettings(`
      # -- alpha/manage.py
      ${MANAGE('asite.settings')}
      # -- alpha/asite/__init__.py
      # -- alpha/asite/urls.py
      urlpatterns = []
      # -- alpha/asite/settings.py
      ROOT_URLCONF = "asite.urls"
      INSTALLED_APPS = ["alpha_app"]
      ^^^^^^^^^^^^^^ ["alpha_app"]
      # -- beta/manage.py
      ${MANAGE('bsite.settings')}
      # -- beta/bsite/__init__.py
      # -- beta/bsite/urls.py
      urlpatterns = []
      # -- beta/bsite/settings.py
      ROOT_URLCONF = "bsite.urls"
      INSTALLED_APPS = ["beta_app"]
      ^^^^^^^^^^^^^^ ["beta_app"]
    `, { projects: ['alpha asite.settings (manage.py)', 'beta bsite.settings (manage.py)'] }));
});

describe('workspace: projectFor', () => {
  it('attributes a file to the sibling project whose root holds it', async () => {
    await withFixture(`
      # -- alpha/manage.py
      ${MANAGE('asite.settings')}
      # -- alpha/asite/__init__.py
      # -- alpha/asite/settings.py
      # -- beta/manage.py
      ${MANAGE('bsite.settings')}
      # -- beta/bsite/__init__.py
      # -- beta/bsite/settings.py
    `, {}, (fx) => {
      assert.equal(fx.rel(fx.ws.projectFor(fx.path('alpha/asite/settings.py'))!.root), 'alpha');
      assert.equal(fx.rel(fx.ws.projectFor(fx.path('beta/bsite/settings.py'))!.root), 'beta');
    });
  });
});

// ---------------------------------------------------------------------------------------------
// apps

/**
 * Apps: a marker under an INSTALLED_APPS entry describes the app Django's registry makes of it.
 * Every entry must be marked.
 */
async function checkApps(src: string): Promise<void> {
  await withFixture(src, {}, (fx) => {
    const [p] = fx.ws.projects();
    const marked = new Set<Marker>();
    for (const app of p.apps) {
      const m = fx.markers.find((x) => app.at && fx.path(x.file) === app.at.file && x.line === app.at.span[0] && x.startCol === app.at.span[1] && x.endCol === app.at.span[3]);
      assert.ok(m, `INSTALLED_APPS entry ${app.entry} has no marker`);
      marked.add(m);
      const text = [`label=${app.label}`, `name=${app.name}`, app.config && `config=${app.config}`, app.dir && `dir=${fx.rel(app.dir)}`].filter(Boolean).join(' ');
      assert.equal(text, m.text, `app at ${where(m)}`);
    }
    for (const m of fx.markers) assert.ok(marked.has(m), `marker at ${where(m)} matches no app`);
  });
}

describe('project model: apps', () => {
  it('labels and packages from AppConfig classes, dotted configs and plain packages', () =>
    checkApps(`
      # -- manage.py
      ${MANAGE('mysite.settings')}
      # -- mysite/__init__.py
      # -- mysite/settings.py
      INSTALLED_APPS = [
          "django.contrib.admin",
          ^^^^^^^^^^^^^^^^^^^^^^ label=admin name=django.contrib.admin
          "django.contrib.auth.apps.AuthConfig",
          ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ label=auth name=django.contrib.auth
          "blog.apps.BlogConfig",
          ^^^^^^^^^^^^^^^^^^^^^^ label=blog name=blog config=blog.apps.BlogConfig dir=blog
          "shop",
          ^^^^^^ label=store name=shop config=shop.apps.ShopConfig dir=shop
          "accounts.apps.UsersConfig",
          ^^^^^^^^^^^^^^^^^^^^^^^^^^^ label=users name=accounts config=accounts.apps.UsersConfig dir=accounts
          "polls",
          ^^^^^^^ label=polls name=polls config=polls.apps.PollsDefault dir=polls
          "plain",
          ^^^^^^^ label=plain name=plain dir=plain
      ]
      # -- blog/__init__.py
      # -- blog/apps.py
      from django.apps import AppConfig

      class BlogConfig(AppConfig):
          name = "blog"
      # -- shop/__init__.py
      # -- shop/apps.py
      from django.apps import AppConfig

      class ShopConfig(AppConfig):
          name = "shop"
          label = "store"
      # -- accounts/__init__.py
      # -- accounts/apps.py
      from django.apps import AppConfig

      class UsersConfig(AppConfig):
          name = "accounts"
          label = "users"
      # -- polls/__init__.py
      # -- polls/apps.py
      from django.apps import AppConfig

      class PollsConfig(AppConfig):
          name = "polls"

      class PollsDefault(AppConfig):
          default = True
          name = "polls"
      # -- plain/__init__.py
    `));
});

// ---------------------------------------------------------------------------------------------
// models

function fieldText(f: FieldInfo, owner: ModelInfo): string {
  const parts = [f.type];
  const r = f.relation;
  if (r) {
    if (r.kind === 'ParentLink') parts.push('parent-link');
    if (r.kind !== 'GenericForeignKey') parts.push(`→ ${r.target ?? '?'}`);
    if (r.relatedName !== undefined) parts.push(`related_name=${r.relatedName}`);
    if (r.relatedQueryName !== undefined) parts.push(`related_query_name=${r.relatedQueryName}`);
    if (r.through) parts.push(`through=${r.through}`);
  }
  if (f.declaredIn !== owner.label) parts.push(`from ${f.declaredIn}`);
  return parts.join(' ');
}

/** What a marker under a model's class name can say, by its first word. */
function modelText(kind: string, m: ModelInfo): string {
  switch (kind) {
    case 'model':
      return ['model', m.label, m.abstract && 'abstract', m.proxy && 'proxy', m.parents.length && `parents=${m.parents.join(',')}`].filter(Boolean).join(' ');
    case 'fields:':
      return `fields: ${m.fields.map((f) => f.name).join(', ')}`;
    case 'reverse:':
      return `reverse: ${m.reverse.map((r) => [`${r.name} ← ${r.from}.${r.field}`, r.many ? '' : '(one)', r.queryName !== r.name ? `query=${r.queryName}` : ''].filter(Boolean).join(' ')).join(', ')}`;
    case 'managers:':
      return `managers: ${m.managers.map((x) => `${x.name}=${x.cls ?? '?'}`).join(', ')}`;
    default:
      throw new Error(`unknown model marker "${kind}"`);
  }
}

/**
 * Models: markers under a class name describe the model (`model …`, `fields: …`, `reverse: …`,
 * `managers: …`); markers under a field name describe the field as its model declares it.
 * Every model in the fixture must carry a `model` marker.
 */
async function checkModels(src: string): Promise<void> {
  await withFixture(src, {}, (fx) => {
    const [p] = fx.ws.projects();
    const models = p.models.models;
    for (const m of fx.markers) {
      const file = fx.path(m.file);
      const model = models.find((x) => x.file === file && x.nameSpan[0] === m.line && x.nameSpan[1] === m.startCol && x.nameSpan[3] === m.endCol);
      if (model) {
        assert.equal(modelText(m.text.split(' ')[0], model), m.text, `${model.label} at ${where(m)}`);
        continue;
      }
      const owner = models.find((x) => x.file === file && x.fields.some((f) => f.declaredIn === x.label && f.span[0] === m.line && f.span[1] === m.startCol));
      assert.ok(owner, `marker at ${where(m)} (${fx.marked(m)}) is under no model and no field`);
      const field = owner.fields.find((f) => f.declaredIn === owner.label && f.span[0] === m.line && f.span[1] === m.startCol)!;
      assert.equal(field.name, fx.marked(m));
      assert.equal(fieldText(field, owner), m.text, `${owner.label}.${field.name} at ${where(m)}`);
    }
    for (const model of models) {
      assert.ok(fx.markers.some((m) => fx.path(m.file) === model.file && m.line === model.nameSpan[0] && m.text.startsWith('model ')), `model ${model.label} has no "model" marker`);
    }
  });
}

const MODEL_SETTINGS = `
  # -- manage.py
  ${MANAGE('mysite.settings')}
  # -- mysite/__init__.py
  # -- mysite/settings.py
  INSTALLED_APPS = ["django.contrib.auth", "django.contrib.contenttypes", "accounts", "blog", "shop"]
  AUTH_USER_MODEL = "accounts.User"
  # -- accounts/__init__.py
  # -- blog/__init__.py
  # -- shop/__init__.py
`;

describe('project model: models', () => {
  it('fields, relation targets, related names, reverse accessors and managers', () =>
    checkModels(`
      ${MODEL_SETTINGS}
      # -- accounts/models.py
      from django.contrib.auth.models import AbstractUser
      from django.conf import settings
      from django.db import models

      class User(AbstractUser):
            ^^^^ model accounts.User
            ^^^^ reverse: profile ← accounts.Profile.user (one), posts ← blog.Post.author
          nickname = models.CharField(max_length=40, blank=True)
          ^^^^^^^^ CharField

      class Profile(models.Model):
            ^^^^^^^ model accounts.Profile
          user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
          ^^^^ OneToOneField → accounts.User
      # -- shop/models.py
      from django.db import models

      class Product(models.Model):
            ^^^^^^^ model shop.Product
            ^^^^^^^ reverse: post_set ← blog.Post.product query=post
          price = models.DecimalField(max_digits=8, decimal_places=2)
          ^^^^^ DecimalField
      # -- blog/models.py
      from django.conf import settings
      from django.contrib.contenttypes.fields import GenericForeignKey
      from django.contrib.contenttypes.models import ContentType
      from django.db import models

      from shop.models import Product


      class PostQuerySet(models.QuerySet):
          def published(self):
              return self.filter(published=True)


      class PostManager(models.Manager):
          pass


      class Category(models.Model):
            ^^^^^^^^ model blog.Category
            ^^^^^^^^ reverse: children ← blog.Category.parent, post_set ← blog.Post.category query=post
            ^^^^^^^^ managers: objects=django.db.models.Manager
          name = models.CharField(max_length=50)
          parent = models.ForeignKey("self", null=True, on_delete=models.CASCADE, related_name="children")
          ^^^^^^ ForeignKey → blog.Category related_name=children


      class Tag(models.Model):
            ^^^ model blog.Tag
            ^^^ reverse: posts ← blog.Post.tags query=post, tagging_set ← blog.Tagging.tag query=tagging
          name = models.SlugField(unique=True)
          ^^^^ SlugField


      class Post(models.Model):
            ^^^^ model blog.Post
            ^^^^ fields: title, author, editor, category, product, tags, published
            ^^^^ reverse: tagging_set ← blog.Tagging.post query=tagging, comments ← blog.Comment.post query=comment
            ^^^^ managers: objects=blog.models.PostManager, published_posts=blog.models.PostQuerySet
          title = models.CharField(max_length=200)
          ^^^^^ CharField
          author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="posts")
          ^^^^^^ ForeignKey → accounts.User related_name=posts
          editor = models.ForeignKey("accounts.User", null=True, on_delete=models.SET_NULL, related_name="+")
          ^^^^^^ ForeignKey → accounts.User related_name=+
          category = models.ForeignKey("Category", on_delete=models.PROTECT)
          ^^^^^^^^ ForeignKey → blog.Category
          product = models.ForeignKey(Product, null=True, on_delete=models.SET_NULL)
          ^^^^^^^ ForeignKey → shop.Product
          tags = models.ManyToManyField(Tag, through="Tagging", related_name="posts", related_query_name="post")
          ^^^^ ManyToManyField → blog.Tag related_name=posts related_query_name=post through=blog.Tagging
          published = models.BooleanField(default=False)
          ^^^^^^^^^ BooleanField

          objects = PostManager()
          published_posts = PostQuerySet.as_manager()


      class Tagging(models.Model):
            ^^^^^^^ model blog.Tagging
          post = models.ForeignKey(Post, on_delete=models.CASCADE)
          ^^^^ ForeignKey → blog.Post
          tag = models.ForeignKey("blog.Tag", on_delete=models.CASCADE)
          ^^^ ForeignKey → blog.Tag


      class Comment(models.Model):
            ^^^^^^^ model blog.Comment
          post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="comments", related_query_name="comment")
          ^^^^ ForeignKey → blog.Post related_name=comments related_query_name=comment


      class Activity(models.Model):
            ^^^^^^^^ model blog.Activity
          content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
          ^^^^^^^^^^^^ ForeignKey → contenttypes.ContentType
          object_id = models.PositiveIntegerField()
          target = GenericForeignKey("content_type", "object_id")
          ^^^^^^ GenericForeignKey
    `));

  it('abstract bases with %(class)s, multi-table inheritance, proxies and Meta.app_label', () =>
    checkModels(`
      ${MODEL_SETTINGS}
      # -- accounts/models.py
      from django.db import models

      class Author(models.Model):
            ^^^^^^ model accounts.Author
            ^^^^^^ reverse: note_notes ← blog.Note.owner query=note, memo_notes ← blog.Memo.owner query=memo
          name = models.CharField(max_length=40)
      # -- blog/models.py
      from django.db import models

      from accounts.models import Author


      class Owned(models.Model):
            ^^^^^ model blog.Owned abstract
            ^^^^^ fields: owner, created
          owner = models.ForeignKey(Author, on_delete=models.CASCADE, related_name="%(class)s_notes", related_query_name="%(class)s")
          ^^^^^ ForeignKey → accounts.Author related_name=%(class)s_notes related_query_name=%(class)s
          created = models.DateTimeField(auto_now_add=True)

          class Meta:
              abstract = True


      class Note(Owned):
            ^^^^ model blog.Note
            ^^^^ fields: owner, created, text
          text = models.TextField()


      class Memo(Owned):
            ^^^^ model blog.Memo
          body = models.TextField()
      # -- shop/models.py
      from django.db import models


      class Place(models.Model):
            ^^^^^ model shop.Place
            ^^^^^ reverse: restaurant ← shop.Restaurant.place_ptr (one)
          name = models.CharField(max_length=50)


      class Restaurant(Place):
            ^^^^^^^^^^ model shop.Restaurant parents=shop.Place
            ^^^^^^^^^^ fields: serves_pizza, place_ptr
          serves_pizza = models.BooleanField(default=False)


      class OrderedPlace(Place):
            ^^^^^^^^^^^^ model shop.OrderedPlace proxy parents=shop.Place
            ^^^^^^^^^^^^ fields: name

          class Meta:
              proxy = True
              ordering = ["name"]
      # -- legacy/__init__.py
      # -- legacy/models.py
      from django.db import models


      class Archived(models.Model):
            ^^^^^^^^ model blog.Archived
          note = models.ForeignKey("Note", on_delete=models.CASCADE)
          ^^^^ ForeignKey → blog.Note

          class Meta:
              app_label = "blog"
    `));

  it('a symmetrical many-to-many to "self" adds no reverse accessor', () =>
    checkModels(`
      ${MODEL_SETTINGS}
      # -- accounts/models.py
      from django.db import models

      class Person(models.Model):
            ^^^^^^ model accounts.Person
            ^^^^^^ reverse: followers ← accounts.Person.following
          friends = models.ManyToManyField("self")
          ^^^^^^^ ManyToManyField → accounts.Person
          following = models.ManyToManyField("self", symmetrical=False, related_name="followers")
          ^^^^^^^^^ ManyToManyField → accounts.Person related_name=followers
    `));

  it('proxy and multi-table children inherit their parent\'s managers', () =>
    checkModels(`
      ${MODEL_SETTINGS}
      # -- shop/models.py
      from django.db import models

      class PlaceManager(models.Manager):
          def open_now(self):
              return self.all()

      class Place(models.Model):
            ^^^^^ model shop.Place
            ^^^^^ managers: objects=shop.models.PlaceManager
          objects = PlaceManager()

      class OrderedPlace(Place):
            ^^^^^^^^^^^^ model shop.OrderedPlace proxy parents=shop.Place
            ^^^^^^^^^^^^ managers: objects=shop.models.PlaceManager
          class Meta:
              proxy = True

      class Restaurant(Place):
            ^^^^^^^^^^ model shop.Restaurant parents=shop.Place
            ^^^^^^^^^^ managers: objects=shop.models.PlaceManager
          serves_pizza = models.BooleanField(default=False)
    `));

  it('the parent link of a multi-table child is a one-to-one field to the parent', async () => {
    await withFixture(`
      ${MODEL_SETTINGS}
      # -- shop/models.py
      from django.db import models
      class Place(models.Model):
          pass
      class Restaurant(Place):
          pass
    `, {}, (fx) => {
      const r = fx.ws.projects()[0].models.byLabel.get('shop.Restaurant')!;
      assert.deepEqual(r.fields.map((f) => [f.name, f.type, f.relation?.kind, f.relation?.target]), [['place_ptr', 'OneToOneField', 'ParentLink', 'shop.Place']]);
    });
  });
});

// ---------------------------------------------------------------------------------------------
// views

function viewText(v: ViewInfo, p: Project): string {
  const parts: string[] = [v.kind];
  if (v.genericBase) parts.push(v.genericBase);
  if (v.model !== undefined) parts.push(`model=${v.model ?? '?'}`);
  if (v.contextObjectName) parts.push(`context=${v.contextObjectName}`);
  if (v.decorators.length) parts.push(`decorators=${v.decorators.join(',')}`);
  if (v.templates.length) parts.push(`templates=${v.templates.map((t) => `${t.name}${t.via === 'call' ? '' : `(${t.via})`}`).join(',')}`);
  if (v.routes.length) parts.push(`routes=${v.routes.map((i) => p.urls.routes[i].route || '""').join(',')}`);
  return parts.join(' ');
}

/** Views: a marker under a view's name describes it. Every view must be marked. */
async function checkViews(src: string): Promise<void> {
  await withFixture(src, {}, (fx) => {
    const [p] = fx.ws.projects();
    const used = new Set<Marker>();
    for (const v of p.views) {
      const m = fx.markers.find((x) => fx.path(x.file) === v.file && x.line === v.nameSpan[0] && x.startCol === v.nameSpan[1] && x.endCol === v.nameSpan[3]);
      assert.ok(m, `view ${v.module}.${v.qualname} has no marker`);
      used.add(m);
      assert.equal(viewText(v, p), m.text, `${v.qualname} at ${where(m)}`);
    }
    for (const m of fx.markers) assert.ok(used.has(m), `marker at ${where(m)} (${fx.marked(m)}) matches no view`);
  });
}

describe('project model: views', () => {
  it('function views, decorators, generic class-based views and their templates', () =>
    checkViews(`
      # -- manage.py
      ${MANAGE('mysite.settings')}
      # -- mysite/__init__.py
      # -- mysite/settings.py
      INSTALLED_APPS = ["blog"]
      ROOT_URLCONF = "mysite.urls"
      # -- blog/__init__.py
      # -- mysite/urls.py
      from django.urls import path
      from django.views.decorators.cache import cache_page

      from blog import views

      urlpatterns = [
          path("", views.index, name="index"),
          path("publish/<int:pk>/", cache_page(60)(views.publish), name="publish"),
          path("posts/", views.PostList.as_view(), name="posts"),
          path("posts/<int:pk>/", views.PostDetail.as_view(), name="post"),
          path("about/", views.About.as_view(), name="about"),
      ]
      # -- blog/models.py
      from django.db import models

      class Post(models.Model):
          title = models.CharField(max_length=200)
      # -- blog/views.py
      from django.contrib.auth.decorators import login_required
      from django.shortcuts import render
      from django.views.decorators.http import require_POST
      from django.views.generic import DetailView, ListView, TemplateView

      from .models import Post


      def index(request):
          ^^^^^ function templates=blog/search.html,blog/index.html routes=""
          if request.GET:
              return render(request, template_name="blog/search.html")
          return render(request, "blog/index.html", {"posts": Post.objects.all()})


      @login_required
      @require_POST
      def publish(request, pk):
          ^^^^^^^ function decorators=login_required,require_POST,cache_page templates=blog/published.html routes=publish/<int:pk>/
          return render(request, "blog/published.html", {"pk": pk})


      class PostList(ListView):
            ^^^^^^^^ class ListView model=blog.Post templates=blog/post_list.html(default) routes=posts/
          model = Post
          paginate_by = 20


      class PostDetail(DetailView):
            ^^^^^^^^^^ class DetailView model=blog.Post context=entry templates=blog/post_detail.html(default) routes=posts/<int:pk>/
          queryset = Post.objects.filter(title__isnull=False)
          context_object_name = "entry"


      class About(TemplateView):
            ^^^^^ class TemplateView templates=about.html(attribute) routes=about/
          template_name = "about.html"


      class Drafts(PostList):
            ^^^^^^ class ListView model=blog.Post templates=blog/drafts.html(attribute)
          template_name = "blog/drafts.html"
    `));
});

// ---------------------------------------------------------------------------------------------
// templates

/**
 * Templates: the files each name resolves to, in lookup order (the first is what Django loads),
 * and the template roots in order.
 */
async function checkTemplates(src: string, expected: { roots: string[]; names: Record<string, string[]>; inconclusive?: boolean }): Promise<void> {
  await withFixture(src, {}, (fx) => {
    const t = fx.ws.projects()[0].templates;
    assert.deepEqual(t.roots.map((r) => `${fx.rel(r.dir)} (${r.source}${r.app ? ` ${r.app}` : ''})`), expected.roots);
    const names: Record<string, string[]> = {};
    for (const [name, files] of t.byName) names[name] = files.map(fx.rel);
    assert.deepEqual(names, expected.names);
    assert.equal(t.inconclusive, expected.inconclusive ?? false);
  });
}

describe('project model: templates', () => {
  const project = (appDirs: string, apps: string) => `
    # -- manage.py
    ${MANAGE('mysite.settings')}
    # -- mysite/__init__.py
    # -- mysite/settings.py
    from pathlib import Path
    BASE_DIR = Path(__file__).resolve().parent.parent
    INSTALLED_APPS = [${apps}]
    TEMPLATES = [{"BACKEND": "django.template.backends.django.DjangoTemplates", "DIRS": [BASE_DIR / "templates"], "APP_DIRS": ${appDirs}}]
    # -- shop/__init__.py
    # -- blog/__init__.py
    # -- templates/base.html
    <html>project</html>
    # -- templates/blog/post_list.html
    {% extends "base.html" %}
    # -- shop/templates/base.html
    <html>shop</html>
    # -- shop/templates/blog/post_list.html
    shop's copy
    # -- blog/templates/base.html
    <html>blog</html>
    # -- blog/templates/blog/post_list.html
    blog's copy
    # -- blog/templates/blog/post_detail.html
    {{ post.title }}
  `;

  it('DIRS come before app folders, and apps in INSTALLED_APPS order', () =>
    checkTemplates(project('True', '"shop", "blog"'), {
      roots: ['templates (DIRS)', 'shop/templates (app shop)', 'blog/templates (app blog)'],
      names: {
        'base.html': ['templates/base.html', 'shop/templates/base.html', 'blog/templates/base.html'],
        'blog/post_list.html': ['templates/blog/post_list.html', 'shop/templates/blog/post_list.html', 'blog/templates/blog/post_list.html'],
        'blog/post_detail.html': ['blog/templates/blog/post_detail.html'],
      },
    }));

  it('INSTALLED_APPS order decides between apps', () =>
    checkTemplates(project('True', '"blog", "shop"'), {
      roots: ['templates (DIRS)', 'blog/templates (app blog)', 'shop/templates (app shop)'],
      names: {
        'base.html': ['templates/base.html', 'blog/templates/base.html', 'shop/templates/base.html'],
        'blog/post_list.html': ['templates/blog/post_list.html', 'blog/templates/blog/post_list.html', 'shop/templates/blog/post_list.html'],
        'blog/post_detail.html': ['blog/templates/blog/post_detail.html'],
      },
    }));

  it('without APP_DIRS only DIRS count', () =>
    checkTemplates(project('False', '"shop", "blog"'), {
      roots: ['templates (DIRS)'],
      names: { 'base.html': ['templates/base.html'], 'blog/post_list.html': ['templates/blog/post_list.html'] },
    }));

  it('an app outside the workspace makes the index inconclusive', () =>
    checkTemplates(project('True', '"django.contrib.admin", "blog"'), {
      roots: ['templates (DIRS)', 'blog/templates (app blog)'],
      names: {
        'base.html': ['templates/base.html', 'blog/templates/base.html'],
        'blog/post_list.html': ['templates/blog/post_list.html', 'blog/templates/blog/post_list.html'],
        'blog/post_detail.html': ['blog/templates/blog/post_detail.html'],
      },
      inconclusive: true,
    }));
});

// ---------------------------------------------------------------------------------------------
// URLs

/**
 * URLs: a marker under the `path(` that declares a route says `route <pattern> [name=…]
 * [(inconclusive: …)]`; a marker `DJL…: message` is a finding of runChecks starting there.
 * Every route and every finding must be marked, and every marker must match one.
 */
async function checkUrls(src: string, options: FixtureOptions = {}): Promise<void> {
  await withFixture(src, options, (fx) => {
    const [p] = fx.ws.projects();
    const used = new Set<Marker>();
    const at = (file: string, line: number, col: number, prefix: string) =>
      fx.markers.filter((m) => !used.has(m) && fx.path(m.file) === file && m.line === line && m.startCol === col && m.text.startsWith(prefix));
    for (const r of p.urls.routes) {
      const text = ['route', r.route || '""', r.qualifiedName && `name=${r.qualifiedName}`, r.inconclusive && `(inconclusive: ${r.inconclusive})`].filter(Boolean).join(' ');
      const candidates = at(r.declared.file, r.declared.span[0], r.declared.span[1], 'route ');
      assert.ok(candidates.length, `route ${text} (${fx.rel(r.declared.file)}:${r.declared.span[0] + 1}) has no marker`);
      const m = candidates.find((x) => x.text === text) ?? candidates[0];
      used.add(m);
      assert.equal(text, m.text, `route at ${where(m)}`);
    }
    // URL edge cases assert the foundation's checks only; each other check has its own suite.
    for (const f of runChecks(fx.ws).filter((x) => x.code.startsWith('DJL00'))) {
      const text = `${f.code}: ${f.message}`;
      const candidates = at(f.file, f.span[0], f.span[1], `${f.code}:`);
      assert.ok(candidates.length, `finding "${text}" at ${fx.rel(f.file)}:${f.span[0] + 1}:${f.span[1] + 1} has no marker`);
      used.add(candidates[0]);
      assert.equal(text, candidates[0].text);
    }
    for (const m of fx.markers) assert.ok(used.has(m), `marker at ${where(m)} "${m.text}" matches nothing`);
  });
}

const URL_PROJECT = (debug: string) => `
  # -- manage.py
  ${MANAGE('mysite.settings')}
  # -- mysite/__init__.py
  # -- mysite/settings.py
  import sys
  ROOT_URLCONF = "mysite.urls"
  DEBUG = ${debug}
  INSTALLED_APPS = ["blog"]
  # -- blog/__init__.py
  # -- blog/views.py
  def home(request): ...
  def index(request): ...
  def toolbar(request): ...
`;

describe('project model: URL edge cases', () => {
  it('a cyclic include terminates and is reported as DJL001 where the loop closes', () =>
    checkUrls(`
      ${URL_PROJECT('True')}
      # -- mysite/urls.py
      from django.urls import include, path
      from blog import views

      urlpatterns = [
          path("", views.home, name="home"),
          ^^^^ route "" name=home
          path("blog/", include("blog.urls")),
      ]
      # -- blog/urls.py
      from django.urls import include, path
      from . import views

      app_name = "blog"
      urlpatterns = [
          path("", views.index, name="index"),
          ^^^^ route blog/ name=blog:index
          path("again/", include("mysite.urls")),
          ^^^^ DJL001: include cycle: mysite.urls → blog.urls → mysite.urls (Django recurses until RecursionError)
      ]
    `));

  it('an include of a module outside the workspace is one inconclusive route', () =>
    checkUrls(`
      ${URL_PROJECT('True')}
      # -- mysite/urls.py
      from django.urls import include, path
      from blog import views

      urlpatterns = [
          path("", views.home),
          ^^^^ route ""
          path("api-auth/", include("rest_framework.urls")),
          ^^^^ route api-auth/ (inconclusive: include('rest_framework.urls'): the module is outside the workspace)
      ]
    `));

  it('urlpatterns extended under if settings.DEBUG follow the DEBUG setting', () =>
    checkUrls(`
      ${URL_PROJECT('True')}
      # -- mysite/urls.py
      from django.conf import settings
      from django.urls import path
      from blog import views

      urlpatterns = [path("", views.home, name="home")]
      #              ^^^^ route "" name=home
      if settings.DEBUG:
          urlpatterns += [path("__debug__/", views.toolbar, name="toolbar")]
      #                   ^^^^ route __debug__/ name=toolbar
    `));

  it('urlpatterns extended under if settings.DEBUG are left out when DEBUG is False', () =>
    checkUrls(`
      ${URL_PROJECT('False')}
      # -- mysite/urls.py
      from django.conf import settings
      from django.urls import path
      from blog import views

      urlpatterns = [path("", views.home, name="home")]
      #              ^^^^ route "" name=home
      if settings.DEBUG:
          urlpatterns += [path("__debug__/", views.toolbar, name="toolbar")]
    `));

  it('an unknown DEBUG lists the longer alternative, flagged inconclusive', () =>
    checkUrls(`
      ${URL_PROJECT('"runserver" in sys.argv')}
      # -- mysite/urls.py
      from django.conf import settings
      from django.urls import path
      from blog import views

      urlpatterns = [path("", views.home, name="home")]
      #              ^^^^ route "" name=home (inconclusive: urlpatterns depends on a condition that cannot be evaluated statically)
      if settings.DEBUG:
          urlpatterns += [path("__debug__/", views.toolbar, name="toolbar")]
      #                   ^^^^ route __debug__/ name=toolbar (inconclusive: urlpatterns depends on a condition that cannot be evaluated statically)
    `));
});
