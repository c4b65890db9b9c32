/**
 * Reference checks DJL401–DJL405 on the shared inline project: every finding must be marked in
 * the fixture (`# ^^^ DJL401: text` under the code), and nothing unmarked may appear. Also: the
 * checks stay silent where the project model is inconclusive, and the DJL403 fix creates the file.
 */
import assert from 'node:assert/strict';
import { fixesFor, runChecks } from '../../server/src/core/checks/registry';
import { fixture } from '../helpers/fixture';
import { PROJECT } from './base';

const CODES = /^DJL40\d$/;

async function checkFindings(extra: string, base = PROJECT): Promise<void> {
  const fx = await fixture(`${base}\n${extra}`);
  try {
    const got = runChecks(fx.ws)
      .filter((f) => CODES.test(f.code))
      .map((f) => `${fx.rel(f.file)}:${f.span[0] + 1}:${f.span[1]}-${f.span[3]} ${f.code}: ${f.message}`)
      .sort();
    const want = fx.markers.map((m) => `${m.file}:${m.line + 1}:${m.startCol}-${m.endCol} ${m.text}`).sort();
    assert.deepEqual(got, want);
  } finally {
    fx.cleanup();
  }
}

describe('reference checks', () => {
  it('the shared project itself is clean', () => checkFindings(''));

  it('DJL401 unknown URL names, with a did-you-mean; quiet for URLs and {% url as %}', () =>
    checkFindings(`
      # -- blog/extra.py
      from django.shortcuts import redirect, resolve_url
      from django.urls import reverse
      def f(request):
          a = reverse("blog:detial", args=[1])
          #           ^^^^^^^^^^^^^ DJL401: Unknown URL name 'blog:detial'; did you mean 'blog:detail'?
          b = redirect("/accounts/login/")
          c = resolve_url("settings.LOGIN_URL")
          return redirect("nowhere")
          #               ^^^^^^^^^ DJL401: Unknown URL name 'nowhere'
      # -- templates/z.html
      {% url 'shop:cart' %}{% url 'missing' as m %}
      {#      ^^^^^^^^^ DJL401: Unknown URL name 'shop:cart'; did you mean 'cart'? #}
    `));

  it('DJL401 stays silent when the URL index is inconclusive', () =>
    checkFindings(`
      # -- site2/urls.py
      # -- blog/extra.py
      from django.urls import reverse
      x = reverse("nowhere")
    `, PROJECT.replace('path("shop/", include("shop.urls")),', 'path("shop/", include("thirdparty.urls")),')));

  it('DJL402 wrong URL arguments: count, unknown or missing keywords, mixed', () =>
    checkFindings(`
      # -- blog/extra.py
      from django.shortcuts import redirect
      from django.urls import reverse
      def f(request, kw):
          reverse("blog:detail", kwargs={"pk": 1})
          reverse("blog:detail", args=[1])
          reverse("blog:detail", kwargs=kw)
          reverse("blog:detail", kwargs={"id": 1})
          #       ^^^^^^^^^^^^^ DJL402: 'blog:detail' (/blog/<int:pk>/) takes pk: int; given keywords id
          reverse("blog:archive", args=[2024])
          #       ^^^^^^^^^^^^^^ DJL402: 'blog:archive' (/blog/<int:year>/<slug:slug>/) takes year: int, slug: slug; given 1 positional argument
          redirect("blog:tag", slug="x")
          return redirect("home", 1)
          #               ^^^^^^ DJL402: 'home' (/) takes no parameters; given 1 positional argument
      # -- templates/w.html
      {% url 'blog:tag' 'a' %}{% url 'blog:tag' post.slug post.pk %}
      {#                              ^^^^^^^^ DJL402: 'blog:tag' (/blog/^tag/(?P<slug>[-\\w]+)/$) takes slug; given 2 positional arguments #}
    `));

  it('DJL403 missing template, with a fix that creates it in the first root', async () => {
    await checkFindings(`
      # -- blog/extra.py
      from django.shortcuts import render
      def f(request):
          render(request, "admin/custom.html")
          return render(request, "blog/post_lst.html")
          #                      ^^^^^^^^^^^^^^^^^^^^ DJL403: Template 'blog/post_lst.html' is not found in any template root; did you mean 'blog/post_list.html', 'blog/post_detail.html'?
      # -- templates/v.html
      {% include "shop/missing.html" %}
      {#          ^^^^^^^^^^^^^^^^^ DJL403: Template 'shop/missing.html' is not found in any template root #}
    `);
    const fx = await fixture(`${PROJECT}\n# -- blog/extra.py\nfrom django.shortcuts import render\nx = render(None, "blog/new.html")\n`);
    try {
      const f = runChecks(fx.ws).find((x) => x.code === 'DJL403')!;
      const fixes = fixesFor(fx.ws, f);
      assert.deepEqual(fixes.map((x) => x.createFiles?.map(fx.rel)), [['templates/blog/new.html']]);
    } finally {
      fx.cleanup();
    }
  });

  it('DJL404 unknown field or lookup, DJL405 select_related on a many-valued relation', () =>
    checkFindings(`
      # -- blog/extra.py
      from django.db.models import Count, Q
      from .models import Author, Post
      def f():
          Post.objects.filter(titel__icontains="x")
          #                   ^^^^^ DJL404: blog.Post has no field or relation 'titel'; did you mean 'title'?
          Post.objects.filter(title__icontain="x")
          #                          ^^^^^^^^ DJL404: 'icontain' is not a lookup or transform of CharField (in 'title__icontain'); did you mean 'icontains', 'contains'?
          Post.objects.filter(published__date__gte=1, author__name="a", author__in=[], tags__slug__startswith="x", author_id=1)
          qs = Author.objects.filter(posts__title="x").order_by("-name")
          qs.exclude(Q(posts__bogus=1))
          #                   ^^^^^ DJL404: blog.Post has no field or relation 'bogus' (in 'posts__bogus')
          Post.objects.annotate(n=Count("tags")).filter(n__gt=1, whatever=2)
          Post.objects.values("author__name", "title").order_by("?")
          Post.objects.select_related("author", "tags")
          #                                      ^^^^ DJL405: select_related() cannot follow 'tags': it is a many-valued relation (ManyToManyField to blog.Tag); use prefetch_related()
          return Post.objects.prefetch_related("tags", "anything")
    `));
});
