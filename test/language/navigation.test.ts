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

async function withCursor(extra: string, body: (fx: Fixture, file: string, line: number, character: number) => void, base = PROJECT): Promise<void> {
  const fx = await fixture(`${base}\n${extra}`);
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

/**
 * The shared project with blog/templates/blog/post_list.html replaced by `body`: that template is
 * rendered by the function views post_list and tag, both with `posts` = a queryset of Post.
 */
function withListTemplate(body: string): string {
  const header = '# -- blog/templates/blog/post_list.html\n';
  const start = PROJECT.indexOf(header) + header.length;
  const end = PROJECT.indexOf('# -- ', start);
  return `${PROJECT.slice(0, start)}${body}\n${PROJECT.slice(end)}`;
}

async function checkTemplateDefinition(body: string, expected: string[], extra = ''): Promise<void> {
  await withCursor(extra, (fx, file, line, ch) => assert.deepEqual(show(fx, definition(fx.ws, file, line, ch)), expected), withListTemplate(body));
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

describe('language service: template variables → model fields', () => {
  const loop = (inner: string) => `{% for post in posts %}${inner}{% endfor %}`;

  it('a loop variable over a view\'s queryset: the field, then the field of the related model', async () => {
    await checkTemplateDefinition(loop('{{ post.au$0thor.name }}'), ['blog/models.py:12']);
    await checkTemplateDefinition(loop('{{ post.author.na$0me }}'), ['blog/models.py:5']);
    await checkTemplateDefinition(loop('{{ post.title$0 }}'), ['blog/models.py:11']);
    await checkTemplateDefinition(loop('<a href="{% url \'blog:tag\' post.tags.first.sl$0ug %}">'), ['blog/models.py:8']);
    await checkTemplateDefinition(loop('{{ post.author_$0id }}'), ['blog/models.py:12']);
  });

  it('{% with %}, a related manager (→ the ForeignKey that declares it) and its rows', async () => {
    await checkTemplateDefinition(loop('{% with a=post.author %}{{ a.na$0me }}{% endwith %}'), ['blog/models.py:5']);
    await checkTemplateDefinition(loop('{% with post.author as a %}{{ a.na$0me }}{% endwith %}'), ['blog/models.py:5']);
    await checkTemplateDefinition(loop('{% for c in post.comment_s$0et.all %}{% endfor %}'), ['blog/models.py:20']);
    await checkTemplateDefinition(loop('{% for c in post.comment_set.all %}{{ c.bo$0dy }}{% endfor %}'), ['blog/models.py:21']);
    await checkTemplateDefinition(loop('{% for t in post.tags.all %}{{ t.po$0sts.count }}{% endfor %}'), ['blog/models.py:13']);
  });

  it('properties and methods defined on the model → the def', async () => {
    await checkTemplateDefinition(loop('<a href="{{ post.get_absolute_$0url }}">'), ['blog/models.py:16']);
    // A property inherited from a mixin, on a model of another module rendered by a DetailView.
    await checkDefinition(`
      # -- blog/notes.py
      from django.db import models
      from django.utils.functional import cached_property
      from django.views.generic import DetailView
      class SummaryMixin:
          @cached_property
          def summary(self):
              return ""
      class Note(SummaryMixin, models.Model):
          text = models.TextField()
      class NoteView(DetailView):
          model = Note
          template_name = "note.html"
      # -- templates/note.html
      {{ note.sum$0mary }}
    `, ['blog/notes.py:6']);
  });

  it('an {% include %} with a variable and a template the rendered one extends', async () => {
    await checkTemplateDefinition('{% for post in posts %}{% include "blog/row.html" with item=post %}{% endfor %}', ['blog/models.py:5'], `
      # -- blog/templates/blog/row.html
      {{ item.author.na$0me }}
    `);
    await checkTemplateDefinition('{% extends "blog/frame.html" %}', ['blog/models.py:11'], `
      # -- blog/templates/blog/frame.html
      {% for p in posts %}{{ p.tit$0le }}{% endfor %}
    `);
  });

  it('DetailView (`object`, `<model>`) and ListView (`object_list`, `<model>_list`) templates', async () => {
    const views = `
      # -- blog/cbv.py
      from django.views.generic import DetailView, ListView
      from .models import Author, Post
      class AuthorPage(DetailView):
          model = Author
          template_name = "authors/page.html"
      class PostIndex(ListView):
          model = Post
          template_name = "posts/index.html"
    `;
    await checkDefinition(`${views}
# -- templates/authors/page.html
{{ object.na$0me }}`, ['blog/models.py:5']);
    await checkDefinition(`${views}
# -- templates/authors/page.html
{{ author.po$0sts.count }}`, ['blog/models.py:12']);
    await checkDefinition(`${views}
# -- templates/posts/index.html
{% for p in post_list %}{{ p.aut$0hor }}{% endfor %}`, ['blog/models.py:12']);
    await checkDefinition(`${views}
# -- templates/posts/index.html
{% for p in object_list %}{{ p.publis$0hed }}{% endfor %}`, ['blog/models.py:14']);
  });

  it('silent when the model is unknown or the views that render the template disagree', async () => {
    await checkTemplateDefinition('{% for x in things %}{{ x.na$0me }}{% endfor %}', []);
    await checkTemplateDefinition(loop('{{ post.nothi$0ng }}'), []);
    await checkDefinition(`
      # -- blog/cbv.py
      from django.views.generic import ListView
      from .models import Author, Tag
      class Authors(ListView):
          model = Author
          template_name = "mixed.html"
      class Tags(ListView):
          model = Tag
          template_name = "mixed.html"
      # -- templates/mixed.html
      {% for o in object_list %}{{ o.na$0me }}{{ o.slug }}{% endfor %}
    `, []);
  });

  it('hover: the field\'s kind and target, a reverse accessor\'s ForeignKey, a method', async () => {
    const hoverOn = (body: string, check: (markdown: string) => void) =>
      withCursor('', (fx, file, line, ch) => check(hover(fx.ws, file, line, ch)?.markdown ?? '(none)'), withListTemplate(body));
    await hoverOn(loop('{{ post.aut$0hor.name }}'), (m) => {
      assert.match(m, /\*\*ForeignKey\*\* `blog\.Post\.author`/);
      assert.match(m, /ForeignKey → `blog\.Author`/);
      assert.match(m, /reverse accessor: `author\.posts`/);
    });
    await hoverOn(loop('{{ post.author.na$0me }}'), (m) => assert.match(m, /^\*\*CharField\*\* `blog\.Author\.name`$/));
    await hoverOn(loop('{{ post.comment_s$0et.count }}'), (m) => {
      assert.match(m, /reverse accessor\*\* `post\.comment_set`: related manager of `blog\.Comment`/);
      assert.match(m, /\*\*ForeignKey\*\* `blog\.Comment\.post`/);
    });
    await hoverOn(loop('{{ post.get_absolute$0_url }}'), (m) => assert.match(m, /\*\*method\*\* `blog\.Post\.get_absolute_url` \(blog\/models\.py:16\)/));
    await hoverOn('{% for x in things %}{{ x.na$0me }}{% endfor %}', (m) => assert.equal(m, '(none)'));
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

  it('reverse("name", kwargs={"|"}) offers the parameter names not yet given', async () => {
    await checkCompletion(`
      # -- blog/extra.py
      from django.urls import reverse
      def f():
          return reverse("blog:archive", kwargs={"$0"})
    `, ['year', 'slug']);
    await checkCompletion(`
      # -- blog/extra.py
      from django.urls import reverse
      def f():
          return reverse("blog:archive", kwargs={"year": 2024, "s$0"})
    `, ['slug'], ['year']);
    await withCursor(`
      # -- blog/extra.py
      from django.urls import reverse
      x = reverse("blog:archive", kwargs={"sl$0ug": "a"})
    `, (fx, file, line, ch) => {
      const slug = completion(fx.ws, file, line, ch).find((c) => c.label === 'slug')!;
      assert.deepEqual([slug.label, slug.detail, slug.replace], ['slug', 'slug parameter of /blog/<int:year>/<slug:slug>/ (year: int, slug: slug)', [line, ch - 2, line, ch + 2]]);
    });
    await checkCompletion(`
      # -- blog/extra.py
      from django.urls import reverse_lazy
      x = reverse_lazy("blog:archive", None, None, {"$0})
    `, ['year', 'slug']);
    // A value, not a key; another call's kwargs.
    await checkCompletion(`
      # -- blog/extra.py
      from django.urls import reverse
      x = reverse("blog:archive", kwargs={"year": "$0"})
    `, [], ['year', 'slug']);
    await checkCompletion(`
      # -- blog/extra.py
      def g(**kw): pass
      x = g("blog:archive", kwargs={"$0"})
    `, [], ['year', 'slug']);
  });

  it('reverse("name", args=[...]) offers the parameter at that position, the signature as detail', async () => {
    const items = async (src: string) => {
      let out: { label: string; detail?: string }[] = [];
      await withCursor(src, (fx, file, line, ch) => (out = completion(fx.ws, file, line, ch).map((c) => ({ label: c.label, detail: c.detail }))));
      return out;
    };
    const head = `
      # -- blog/extra.py
      from django.urls import reverse
    `;
    assert.deepEqual(await items(`${head}      x = reverse("blog:archive", args=[$0])`), [{ label: 'year', detail: 'args[0] of 2: /blog/<int:year>/<slug:slug>/ (year: int, slug: slug)' }]);
    assert.deepEqual((await items(`${head}      x = reverse("blog:archive", args=(2024, $0))`)).map((c) => c.label), ['slug']);
    assert.deepEqual((await items(`${head}      x = reverse("blog:archive", args=[y$0])`)).map((c) => c.label), ['year']);
    assert.deepEqual((await items(`${head}      x = reverse("blog:tag", args=[$0])`)).map((c) => c.label), ['slug']);
    assert.deepEqual(await items(`${head}      x = reverse("blog:archive", args=[1, "a", $0])`), []);
  });

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
