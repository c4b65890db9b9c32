/**
 * The language service in-process: go to definition, hover, completion, references, code lenses,
 * symbols and links on the shared inline project (test/language/base.ts). Each case adds one
 * file holding the `$0` cursor and states what the answer must be.
 */
import assert from 'node:assert/strict';
import { completion } from '../../server/src/core/language/completion';
import { definition } from '../../server/src/core/language/definition';
import { hover } from '../../server/src/core/language/hover';
import { lenses } from '../../server/src/core/language/lens';
import { documentLinks } from '../../server/src/core/language/links';
import { references } from '../../server/src/core/language/references';
import { documentSymbols, workspaceSymbols } from '../../server/src/core/language/symbols';
import type { Location } from '../../server/src/core/language/types';
import { type Fixture, fixture } from '../helpers/fixture';
import { PROJECT } from './base';

async function withCursor(extra: string, body: (fx: Fixture, file: string, line: number, character: number) => void): Promise<void> {
  const fx = await fixture(`${PROJECT}\n${extra}`);
  try {
    assert.ok(fx.cursor, 'the case has a $0 cursor');
    const c = fx.cursor!;
    body(fx, fx.path(c.file), c.line, c.character);
  } finally {
    fx.cleanup();
  }
}

const show = (fx: Fixture, locs: Location[]) => locs.map((l) => `${fx.rel(l.file)}:${l.span[0] + 1}`);

async function checkDefinition(extra: string, expected: string[]): Promise<void> {
  await withCursor(extra, (fx, file, line, ch) => assert.deepEqual(show(fx, definition(fx.ws, file, line, ch)), expected));
}

async function checkCompletion(extra: string, mustHave: string[], mustNotHave: string[] = []): Promise<string[]> {
  let labels: string[] = [];
  await withCursor(extra, (fx, file, line, ch) => {
    labels = completion(fx.ws, file, line, ch).map((c) => c.label);
    for (const l of mustHave) assert.ok(labels.includes(l), `${l} offered (got ${labels.join(', ')})`);
    for (const l of mustNotHave) assert.ok(!labels.includes(l), `${l} not offered`);
  });
  return labels;
}

describe('language service: go to definition', () => {
  it('URL name in reverse() → the path() that declares it', () =>
    checkDefinition(`
      # -- blog/extra.py
      from django.urls import reverse
      def f():
          return reverse("blog:det$0ail")
    `, ['blog/urls.py:8']));

  it('an instance namespace and an application namespace reach the same pattern', () =>
    checkDefinition(`
      # -- blog/extra.py
      from django.urls import reverse_lazy
      x = reverse_lazy("news:ta$0g", args=["a"])
    `, ['blog/urls.py:9']));

  it('a name declared twice: the one Django reverse() uses (the last) first, then the other', () =>
    checkDefinition(`
      # -- shop/extra.py
      from django.shortcuts import redirect
      def f(request):
          return redirect("ab$0out")
    `, ['shop/urls.py:6', 'shop/urls.py:5']));

  it('{% url %} in a template → the path()', () =>
    checkDefinition(`
      # -- templates/x.html
      <a href="{% url 'blog:arch$0ive' 2024 'x' %}">
    `, ['blog/urls.py:10']));

  it('the view argument of path() → the view, through .as_view()', async () => {
    await withCursor(`
      # -- site1/extra_urls.py
      from django.urls import path
      from blog.views import PostDetail
      urlpatterns = [path("d/", PostDet$0ail.as_view(), name="d")]
      # -- site1/more.py
    `, (fx, file, line, ch) => {
      // Not reached from ROOT_URLCONF: no route, so nothing is claimed.
      assert.deepEqual(show(fx, definition(fx.ws, file, line, ch)), []);
    });
    await withCursor(`
      # -- blog/extra.py
    `.replace('# -- blog/extra.py', '# -- blog/extra.py\n      x = 1 # $0'), (fx) => {
      const urls = fx.path('blog/urls.py');
      const text = fx.ws.text(urls)!.split('\n');
      const line = text.findIndex((l) => l.includes('PostDetail.as_view'));
      assert.deepEqual(show(fx, definition(fx.ws, urls, line, text[line].indexOf('PostDetail') + 2)), ['blog/views.py:20']);
      const line2 = text.findIndex((l) => l.includes('views.post_list'));
      assert.deepEqual(show(fx, definition(fx.ws, urls, line2, text[line2].indexOf('post_list') + 1)), ['blog/views.py:9']);
    });
  });

  it('template name in render() → DIRS first, then the app copy it overrides', () =>
    checkDefinition(`
      # -- blog/extra.py
      from django.shortcuts import render
      def f(request):
          return render(request, "ba$0se.html")
    `, ['templates/base.html:1', 'blog/templates/base.html:1']));

  it('template_name attribute and {% extends %} → the template', async () => {
    await checkDefinition(`
      # -- blog/extra.py
      from django.views.generic import TemplateView
      class V(TemplateView):
          template_name = "blog/post_$0list.html"
    `, ['blog/templates/blog/post_list.html:1']);
    await checkDefinition(`
      # -- templates/child.html
      {% extends "blog/post_de$0tail.html" %}
    `, ['blog/templates/blog/post_detail.html:1']);
  });

  it('a relative {% include "./row.html" %} → the sibling template', async () => {
    await withCursor(`
      # -- blog/extra.py
      x = 1 # $0
    `, (fx) => {
      const cart = fx.path('shop/templates/shop/cart.html');
      assert.deepEqual(show(fx, definition(fx.ws, cart, 0, 14)), ['shop/templates/shop/row.html:1']);
    });
  });

  it('"app_label.Model" strings, include("app.urls"), MIDDLEWARE and INSTALLED_APPS entries', async () => {
    await checkDefinition(`
      # -- blog/extra.py
      from django.apps import apps
      M = apps.get_model("blog", "Po$0st")
    `, ['blog/models.py:10']);
    await withCursor(`
      # -- blog/extra.py
      x = 1 # $0
    `, (fx) => {
      const urls = fx.path('site1/urls.py');
      const settings = fx.path('site1/settings.py');
      const models = fx.path('blog/models.py');
      const def = (f: string, needle: string, off = 2) => {
        const lines = fx.ws.text(f)!.split('\n');
        const l = lines.findIndex((x) => x.includes(needle));
        return show(fx, definition(fx.ws, f, l, lines[l].indexOf(needle) + off));
      };
      assert.deepEqual(def(urls, '"blog.urls"'), ['blog/urls.py:1']);
      assert.deepEqual(def(settings, '"blog.middleware.TimingMiddleware"'), ['blog/middleware.py:1']);
      assert.deepEqual(def(settings, '"blog.apps.BlogConfig"'), ['blog/apps.py:2']);
      assert.deepEqual(def(models, '"blog.Tag"'), ['blog/models.py:7']);
    });
  });

  it('ORM lookups → the field, through relations (forward and reverse)', async () => {
    await checkDefinition(`
      # -- blog/extra.py
      from .models import Post
      def f():
          return Post.objects.filter(author__na$0me__icontains="x")
    `, ['blog/models.py:5']);
    await checkDefinition(`
      # -- blog/extra.py
      from .models import Author
      def f():
          qs = Author.objects.all()
          return qs.order_by("-po$0sts__title")
    `, ['blog/models.py:12']);
  });
});

describe('language service: completion', () => {
  it('URL names (namespaced) in reverse()', async () => {
    const labels = await checkCompletion(`
      # -- blog/extra.py
      from django.urls import reverse
      def f():
          return reverse("$0")
    `, ['home', 'blog:list', 'blog:detail', 'news:detail', 'cart', 'about'], ['detail']);
    assert.equal(labels.filter((l) => l === 'about').length, 1, 'one entry per name');
  });

  it("URL names in {% url ' and the route's parameters after the name", async () => {
    await checkCompletion(`
      # -- templates/x.html
      <a href="{% url 'bl$0' %}">
    `, ['blog:detail', 'blog:archive']);
    await checkCompletion(`
      # -- templates/x.html
      <a href="{% url 'blog:archive' $0 %}">
    `, ['year=', 'slug=']);
  });

  it('redirect("name", |) offers the route parameters', () =>
    checkCompletion(`
      # -- blog/extra.py
      from django.shortcuts import redirect
      def f():
          return redirect("blog:archive", year=1, $0)
    `, ['slug='], ['year=']));

  it('template names in render() and {% extends %}', async () => {
    await checkCompletion(`
      # -- blog/extra.py
      from django.shortcuts import render
      def f(request):
          return render(request, "$0")
    `, ['base.html', 'blog/post_list.html', 'shop/cart.html']);
    await checkCompletion(`
      # -- templates/y.html
      {% extends "$0" %}
    `, ['base.html', 'blog/post_detail.html']);
  });

  it('ORM: fields, relations (reverse by related_name) and lookups after __', async () => {
    await checkCompletion(`
      # -- blog/extra.py
      from .models import Post
      def f():
          return Post.objects.filter($0)
    `, ['title', 'author', 'tags', 'published', 'comment', 'pk']);
    await checkCompletion(`
      # -- blog/extra.py
      from .models import Post
      def f():
          return Post.objects.exclude(title__$0=1)
    `, ['icontains', 'in', 'isnull', 'startswith'], ['year']);
    await checkCompletion(`
      # -- blog/extra.py
      from .models import Author
      def f():
          return Author.objects.filter(posts__published__$0=1)
    `, ['year', 'date', 'gte']);
  });

  it('select_related offers only single-valued relations; prefetch_related every relation', async () => {
    await checkCompletion(`
      # -- blog/extra.py
      from .models import Post
      def f():
          return Post.objects.select_related("$0")
    `, ['author'], ['tags', 'comment', 'title']);
    await checkCompletion(`
      # -- blog/extra.py
      from .models import Post
      def f():
          qs = Post.objects.all()
          return qs.prefetch_related("$0")
    `, ['author', 'tags', 'comment'], ['title']);
  });

  it('self.model and F() inside annotate()', async () => {
    await checkCompletion(`
      # -- blog/extra.py
      from django.views.generic import ListView
      from .models import Post
      class V(ListView):
          model = Post
          def get_queryset(self):
              return self.model.objects.filter(auth$0)
    `, ['author']);
    await checkCompletion(`
      # -- blog/extra.py
      from django.db.models import Count
      from .models import Author
      def f():
          return Author.objects.annotate(n=Count("po$0"))
    `, ['posts']);
  });
});

describe('language service: hover, references, lenses, symbols, links', () => {
  it('hover on a URL name: full route with include prefix, namespaced name, view, declaration', () =>
    withCursor(`
      # -- blog/extra.py
      from django.urls import reverse
      x = reverse("blog:det$0ail", kwargs={"pk": 1})
    `, (fx, file, line, ch) => {
      const h = hover(fx.ws, file, line, ch)!;
      assert.match(h.markdown, /`\/blog\/<int:pk>\/`/);
      assert.match(h.markdown, /name: `blog:detail`/);
      assert.match(h.markdown, /view: `blog\.views\.PostDetail`/);
      assert.match(h.markdown, /declared in blog\/urls\.py:8/);
    }));

  it('hover on a view: routes and decorators; on a relation: target and reverse accessor', () =>
    withCursor(`
      # -- blog/extra.py
      x = 1 # $0
    `, (fx) => {
      const views = fx.path('blog/views.py');
      const lines = fx.ws.text(views)!.split('\n');
      const l = lines.findIndex((x) => x.startsWith('def tag'));
      const h = hover(fx.ws, views, l, 5)!;
      assert.match(h.markdown, /`\/blog\/\^tag\/\(\?P<slug>\[-\\w\]\+\)\/\$`/);
      assert.match(h.markdown, /`news:tag`/);
      assert.match(h.markdown, /@login_required/);
      const models = fx.path('blog/models.py');
      const ml = fx.ws.text(models)!.split('\n').findIndex((x) => x.includes('author = models.ForeignKey'));
      const hf = hover(fx.ws, models, ml, 6)!;
      assert.match(hf.markdown, /ForeignKey → `blog\.Author`/);
      assert.match(hf.markdown, /reverse accessor: `author\.posts`/);
    }));

  it('references of a URL name: reverse(), redirect() and {% url %} uses', () =>
    withCursor(`
      # -- blog/extra.py
      from django.urls import reverse
      x = reverse("blog:det$0ail", args=[1])
    `, (fx, file, line, ch) => {
      const refs = show(fx, references(fx.ws, file, line, ch)).sort();
      assert.deepEqual(refs, ['blog/extra.py:2', 'blog/models.py:17', 'blog/templates/blog/post_list.html:2', 'blog/urls.py:8', 'blog/views.py:18'].sort());
    }));

  it('code lens above each view lists its routes and leads to the path()', () =>
    withCursor(`
      # -- blog/extra.py
      x = 1 # $0
    `, (fx) => {
      const ls = lenses(fx.ws, fx.path('blog/views.py'));
      const titles = ls.map((l) => l.title);
      assert.ok(titles.includes('/blog/<int:pk>/ · blog:detail'), titles.join(' | '));
      assert.ok(titles.includes('/news/<int:pk>/ · news:detail'));
      assert.ok(titles.includes('/ · home'));
      assert.deepEqual(show(fx, [ls.find((l) => l.title === '/ · home')!.target!]), ['site1/urls.py:5']);
    }));

  it('workspace and document symbols, document links', () =>
    withCursor(`
      # -- blog/extra.py
      x = 1 # $0
    `, (fx) => {
      const names = workspaceSymbols(fx.ws, '').map((s) => `${s.kind}:${s.name}`);
      for (const n of ['model:Post', 'view:PostDetail', 'url:blog:detail', 'template:blog/post_list.html']) assert.ok(names.includes(n), n);
      assert.ok(workspaceSymbols(fx.ws, 'pstdet').some((s) => s.name === 'PostDetail'));
      const doc = documentSymbols(fx.ws, fx.path('blog/urls.py')).map((s) => s.name);
      assert.deepEqual(doc, ['', '<int:pk>/', '^tag/(?P<slug>[-\\w]+)/$', '<int:year>/<slug:slug>/'].map((x) => x || '(empty)'));
      const blocks = documentSymbols(fx.ws, fx.path('templates/base.html')).map((s) => s.name);
      assert.deepEqual(blocks, ['title', 'content']);
      const links = documentLinks(fx.ws, fx.path('blog/views.py')).map((l) => fx.rel(l.target));
      assert.deepEqual(links, ['blog/templates/blog/post_list.html', 'blog/templates/blog/post_list.html', 'blog/templates/blog/post_detail.html']);
      const urlLinks = documentLinks(fx.ws, fx.path('site1/urls.py')).map((l) => fx.rel(l.target));
      assert.deepEqual(urlLinks, ['blog/urls.py', 'blog/urls.py', 'shop/urls.py']);
    }));
});
