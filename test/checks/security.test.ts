/**
 * Code-level security checks (DJL320, DJL321, DJL322, DJL330, DJL331, DJL332) on small fixtures whose
 * expectations are `# ^^^ CODE` / `{# ^^^ CODE #}` markers under the finding, plus the
 * `{% csrf_token %}` quick fix. The deployment settings checks (DJL301–DJL316) are judged by
 * Django itself in test/django/deployCheck.test.ts.
 */
import assert from 'node:assert/strict';
import { fixesFor, runChecks } from '../../server/src/core/checks/registry';
import type { Finding, TextEdit } from '../../server/src/core/types';
import { Workspace } from '../../server/src/core/workspace';
import { fixture } from '../helpers/fixture';
import { writeFileSync } from 'node:fs';

const CODES = new Set(['DJL320', 'DJL321', 'DJL322', 'DJL330', 'DJL331', 'DJL332']);

const PROJECT = `
  # -- manage.py
  import os
  os.environ.setdefault("DJANGO_SETTINGS_MODULE", "site_.settings_dev")
  # -- site_/__init__.py
  # -- site_/settings_dev.py
  INSTALLED_APPS = ["app"]
  ROOT_URLCONF = "site_.urls"
  TEMPLATES = [{"BACKEND": "django.template.backends.django.DjangoTemplates", "DIRS": [], "APP_DIRS": True}]
  # -- site_/urls.py
  urlpatterns = []
  # -- app/__init__.py
`;

async function check(src: string, base = PROJECT): Promise<Finding[]> {
  const fx = await fixture(base + src);
  try {
    const findings = runChecks(fx.ws).filter((f) => CODES.has(f.code));
    const got = findings.map((f) => `${fx.rel(f.file)}:${f.span[0]}:${f.span[1]} ${f.code}`).sort();
    const want = fx.markers.map((m) => `${m.file}:${m.line}:${m.startCol} ${m.text.split(':')[0].trim()}`).sort();
    assert.deepEqual(got, want);
    return findings;
  } finally {
    fx.cleanup();
  }
}

describe('security checks in code and templates', () => {
  it('DJL320: mark_safe of request data, not of escaped or constant text', async () => {
    await check(`
      # -- app/views.py
      from django.utils.html import conditional_escape
      from django.utils.safestring import mark_safe

      def greet(request):
          name = request.GET.get("name", "")
          a = mark_safe("<b>Hello</b>")
          b = mark_safe("<b>%s</b>" % conditional_escape(name))
          return mark_safe(f"<b>Hello {name}</b>")
      #          ^^^^^^^^^ DJL320
    `);
  });

  it('DJL321: format_html given an already formatted string', async () => {
    await check(`
      # -- app/views.py
      from django.utils.html import format_html

      def link(obj):
          ok = format_html('<a href="{}">{}</a>', obj.url, obj.title)
          return format_html(f'<a href="{obj.url}">{{}}</a>', obj.title)
      #          ^^^^^^^^^^^ DJL321
    `);
  });

  it('DJL322: |safe and {% autoescape off %} on values a view passes, not on literals, escaped or unknown values', async () => {
    const findings = await check(`
      # -- site_/urls.py
      from django.urls import path
      from app import views
      urlpatterns = [
          path("p/<int:pk>/", views.post_detail),
          path("posts/", views.PostList.as_view()),
          path("mail/", views.mail),
      ]
      # -- app/models.py
      from django.db import models

      class Post(models.Model):
          title = models.CharField(max_length=100)
          body = models.TextField()

      class Comment(models.Model):
          post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="comments")
          text = models.TextField()
      # -- app/views.py
      from django.shortcuts import render
      from django.views.generic import ListView
      from .models import Post

      def post_detail(request, pk):
          post = Post.objects.get(pk=pk)
          return render(request, "app/post_detail.html", {
              "post": post,
              "comments": post.comments.all(),
              "query": request.GET.get("q", ""),
              "banner": "<b>Welcome</b>",
              "form": CommentForm(),
          })

      def mail(request):
          return render(request, "app/mail.txt", {"post": Post.objects.first()})

      class PostList(ListView):
          model = Post

          def get_context_data(self, **kwargs):
              context = super().get_context_data(**kwargs)
              context["notice"] = self.request.GET.get("notice", "")
              return context
      # -- app/templates/app/base.html
      <html><body>
      {{ notice|safe }}
      {# ^^^^^^ DJL322 #}
      {% block content %}{{ post.body|safe }}{% endblock %}
      </body></html>
      # -- app/templates/app/post_detail.html
      {% extends "app/base.html" %}
      {% block content %}
      <h1>{{ post.title|safe }}</h1>
      {#     ^^^^^^^^^^ DJL322 #}
      {{ post.body|safe|linebreaksbr }}
      {# ^^^^^^^^^ DJL322 #}
      {{ post.body|escape|safe }} {{ post.body|linebreaks|safe }} {{ post.body|striptags|safe }}
      {{ banner|safe }} {{ "<b>literal</b>"|safe }} {{ request.user.username|safe }} {{ form.as_p|safe }}
      {% with greeting="<i>hi</i>" %}{{ greeting|safe }}{% endwith %}
      {% with text=post.body %}<p>{{ text|safe }}</p>{% endwith %}
      {#                             ^^^^ DJL322 #}
      {% for c in comments %}<li>{{ c.text|safeseq }}</li>{% endfor %}
      {#                            ^^^^^^ DJL322 #}
      {% for word in "abc" %}{{ word|safe }}{% endfor %}
      {% autoescape off %}{{ query }} {{ query|escape }} {{ banner }}{% endautoescape %}
      {#                     ^^^^^ DJL322 #}
      {% include "app/card.html" with item=post only %}
      {% include "app/orphan.html" only %}
      {{ post.title|safe }} {# noqa: DJL322 #}
      {% endblock %}
      # -- app/templates/app/card.html
      <div>{{ item.body|safe }}</div>
      {#      ^^^^^^^^^ DJL322 #}
      # -- app/templates/app/orphan.html
      {{ post.body|safe }}
      # -- app/templates/app/post_list.html
      {% extends "app/base.html" %}
      {% block content %}{% for p in post_list %}{{ p.body|safe }}{% endfor %}{% endblock %}
      {#                                            ^^^^^^ DJL322 #}
      # -- app/templates/app/mail.txt
      {% autoescape off %}{{ post.body }}{% endautoescape %}
    `, PROJECT.replace('  # -- site_/urls.py\n  urlpatterns = []\n', ''));
    const title = findings.find((f) => f.code === 'DJL322' && (f.data as { expr: string }).expr === 'post.title')!;
    assert.equal(title.message, '`post.title` comes from the context of app.views.post_detail and is marked safe with |safe, so any HTML in it is rendered unescaped (cross-site scripting). Remove |safe, or sanitise the value in the view (e.g. with bleach) and mark only that result safe.');
    const comment = findings.find((f) => f.code === 'DJL322' && (f.data as { expr: string }).expr === 'c.text')!;
    assert.match(comment.message, /^`c\.text` comes from `comments` in the context of app\.views\.post_detail and its items are marked safe with \|safeseq/);
    const query = findings.find((f) => f.code === 'DJL322' && (f.data as { how: string }).how === 'autoescape')!;
    assert.match(query.message, /inside \{% autoescape off %\}/);
    assert.deepEqual(query.data, { expr: 'query', how: 'autoescape', contextKey: 'query', views: ['app.views.post_detail'] });
  });

  it('DJL330 and DJL332: decorators that turn protections off', async () => {
    await check(`
      # -- app/views.py
      from django.contrib.auth.decorators import login_required
      from django.views.decorators.clickjacking import xframe_options_exempt
      from django.views.decorators.csrf import csrf_exempt
      from django.views.decorators.http import require_POST

      @csrf_exempt
      ^^^^^^^^^^^^ DJL330
      @login_required
      @require_POST
      def delete_account(request):
          request.user.delete()

      @csrf_exempt
      def webhook(request):
          # Authenticates each call with a signature: not reported.
          verify(request.headers["X-Signature"], request.body)

      @xframe_options_exempt
      ^^^^^^^^^^^^^^^^^^^^^^ DJL332
      def embed(request):
          pass
    `);
  });

  it('DJL331: a POST form without {% csrf_token %}, and its quick fix', async () => {
    const fx = await fixture(PROJECT + `
      # -- app/templates/app/form.html
      <form method="post" action="/comment/">
        <input name="body">
      </form>
      <form method="POST">{% csrf_token %}<input name="x"></form>
      <form method="get"><input name="q"></form>
      <form method="post" action="https://payments.example.com/pay"><input name="amount"></form>
    `);
    try {
      const findings = runChecks(fx.ws).filter((f) => f.code === 'DJL331');
      assert.deepEqual(findings.map((f) => f.span[0]), [0]);
      const [fix] = fixesFor(fx.ws, findings[0]);
      const file = fx.path('app/templates/app/form.html');
      const text = fx.files.get('app/templates/app/form.html')!;
      const after = apply(text, fix.edits);
      assert.equal(after.split('\n').slice(0, 3).join('\n'), '<form method="post" action="/comment/">\n  {% csrf_token %}\n  <input name="body">');
      writeFileSync(file, after);
      const ws2 = await Workspace.open({ roots: [fx.dir] });
      assert.deepEqual(runChecks(ws2).filter((f) => f.code === 'DJL331'), []);
    } finally {
      fx.cleanup();
    }
  });
});

function apply(text: string, edits: TextEdit[]): string {
  const lines = text.split('\n');
  const offset = (line: number, col: number) => lines.slice(0, line).reduce((n, l) => n + l.length + 1, 0) + col;
  let out = text;
  for (const e of [...edits].sort((a, b) => offset(b.span[0], b.span[1]) - offset(a.span[0], a.span[1]))) {
    out = out.slice(0, offset(e.span[0], e.span[1])) + e.newText + out.slice(offset(e.span[2], e.span[3]));
  }
  return out;
}
