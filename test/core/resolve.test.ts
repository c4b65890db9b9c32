/**
 * The static resolver behind Trace URL: the Python→JavaScript regex translation on its own, then
 * resolution on fixture projects written inline, each case a path and the expected outcome in
 * one line. Agreement with Django itself is test/django/resolveOracle.test.ts.
 */
import assert from 'node:assert/strict';
import { StaticResolver, normalizePath, pythonRegexToJs } from '../../server/src/core/project/resolve';
import { fixture } from '../helpers/fixture';

/** Translates a Python pattern and runs it like re.search, returning the match or null. */
function pySearch(pattern: string, text: string): string | null {
  const t = pythonRegexToJs(pattern);
  assert.ok(t.ok, `translates ${pattern}: ${t.ok ? '' : t.error}`);
  const m = new RegExp(t.source, t.flags).exec(text);
  return m ? m[0] : null;
}

describe('Python regex → JavaScript regex', () => {
  const cases: [pattern: string, text: string, expected: string | null][] = [
    ['^articles/(?P<year>[0-9]{4})/$', 'articles/2024/', 'articles/2024/'],
    ['^a$', 'a\n', 'a'],                      // Python's $ matches before a final newline
    ['^a\\Z', 'a\n', null],                     // \Z does not
    ['\\Aab', 'ab', 'ab'],
    ['^(?P<x>a)(?P=x)$', 'aa', 'aa'],           // named backreference
    ['^\\d+$', '١٢٣', '١٢٣'],                   // \d is Unicode in Python 3
    ['(?a)^\\d+$', '١٢٣', null],                // ... unless ASCII
    ['^\\w+$', 'café', 'café'],
    ['^[\\w-]+$', 'caf-é_1', 'caf-é_1'],
    ['^a{$', 'a{', 'a{'],                       // a brace that is not a quantifier is literal
    ['^a{,2}$', 'aa', 'aa'],                    // {,n} is {0,n}
    ['^x{2}$', 'xx', 'xx'],
    ['^[]a]+$', ']a', ']a'],                    // leading ] in a class is literal
    ['^[^]]+$', 'abc', 'abc'],
    ['(?i)^POSTS/$', 'posts/', 'posts/'],
    ['(?x) ^ a  b # comment\n $', 'ab', 'ab'],  // verbose mode
    ['^a(?#note)b$', 'ab', 'ab'],
    ['^\\-\\/\\.$', '-/.', '-/.'],               // escaped punctuation
    ['^.$', '\n', null],                        // . does not match a newline
    ['(?s)^.$', '\n', '\n'],
    ['^(?:a|ab)c', 'abc', 'abc'],
    ['tag/', 'x/tag/', 'tag/'],                 // unanchored: search, as Django does
  ];
  for (const [pattern, text, expected] of cases) {
    it(`${JSON.stringify(pattern)} on ${JSON.stringify(text)}`, () => {
      assert.equal(pySearch(pattern, text), expected);
    });
  }

  it('refuses what JavaScript cannot express the same way', () => {
    for (const p of ['(?L)a', 'a++', '\\N{DASH}', '(?>a)', '\\q']) {
      const t = pythonRegexToJs(p);
      assert.equal(t.ok, false, p);
    }
  });
});

describe('normalising the typed path', () => {
  it('adds the leading slash, drops host and query, decodes escapes', () => {
    assert.equal(normalizePath('posts/42/').path, '/posts/42/');
    assert.equal(normalizePath('https://example.com/posts/?page=2#top').path, '/posts/');
    assert.equal(normalizePath('/caf%C3%A9/').path, '/café/');
  });
});

describe('static resolution', function () {
  this.timeout(30_000);
  const PROJECT = `
    # -- manage.py
    import os
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "site1.settings")
    # -- site1/__init__.py
    # -- site1/settings.py
    INSTALLED_APPS = ["app"]
    ROOT_URLCONF = "site1.urls"
    # -- site1/urls.py
    from django.urls import include, path, re_path, register_converter
    from app import views

    class Year:
        regex = "[0-9]{4}"

    register_converter(Year, "yyyy")

    urlpatterns = [
        path("posts/", views.index, name="index"),
        path("posts/<int:pk>/", views.detail, name="detail"),
        path("posts/<slug:slug>/", views.by_slug, name="by_slug"),
        path("posts/<str:anything>/", views.shadowed, name="shadowed"),
        path("years/<yyyy:year>/", views.year, name="year"),
        re_path(r"^old/(\\d+)/(\\d+)/$", views.old, name="old"),
        re_path(r"^arch/(?P<y>[0-9]{4})/", include("app.urls")),
        path("app/", include("app.urls", namespace="app")),
    ]
    # -- app/__init__.py
    # -- app/views.py
    def index(request): ...
    def detail(request, pk): ...
    def by_slug(request, slug): ...
    def shadowed(request, anything): ...
    def year(request, year): ...
    def old(request, a, b): ...
    def inner(request, *args, **kwargs): ...
    # -- app/urls.py
    from django.urls import path, re_path
    from . import views
    app_name = "app"
    urlpatterns = [
        path("in/<int:n>/", views.inner, name="inner"),
        re_path(r"^pos/(\\d+)/$", views.inner, name="pos"),
    ]
  `;

  async function trace(paths: Record<string, string>): Promise<void> {
    const fx = await fixture(PROJECT);
    try {
      const project = fx.ws.projects()[0];
      const resolver = new StaticResolver(project.urls);
      for (const [path, expected] of Object.entries(paths)) {
        const r = resolver.resolve(path);
        let got: string;
        if (r.match) {
          const route = project.urls.routes[r.match.route];
          got = `${route.qualifiedName ?? route.route} ${JSON.stringify(r.match.args)} ${JSON.stringify(r.match.kwargs)}`;
          if (r.shadowed.length) got += ` shadows ${r.shadowed.map((s) => project.urls.routes[s.route].name).join(',')}`;
        } else {
          got = `no match; prefixes ${r.partial.map((p) => p.matched.map((s) => s.matched).join('') || '(none)').join(' | ')}`;
          if (r.appendSlash) got += `; APPEND_SLASH → ${r.appendSlash.path}`;
        }
        assert.equal(got, expected, path);
      }
    } finally {
      fx.cleanup();
    }
  }

  it('matches in pattern order, converts, and explains shadowing', () =>
    trace({
      '/posts/': 'index [] {}',
      '/posts/42/': 'detail [] {"pk":42} shadows by_slug,shadowed',
      '/posts/hello-world/': 'by_slug [] {"slug":"hello-world"} shadows shadowed',
      '/posts/hello world/': 'shadowed [] {"anything":"hello world"}',
      '/years/2024/': 'year [] {"year":"2024"}',
      '/old/1/2/': 'old ["1","2"] {}',
      '/arch/2020/in/3/': 'app:inner [] {"y":"2020","n":3}',
      '/arch/2020/pos/3/': 'app:pos ["3"] {"y":"2020"}',
      '/app/in/5/': 'app:inner [] {"n":5}',
    }));

  it('says which prefixes matched when nothing does', () =>
    trace({
      '/app/in/x/': 'no match; prefixes app/',
      '/years/24/': 'no match; prefixes (none)',
      '/posts': 'no match; prefixes (none); APPEND_SLASH → /posts/',
    }));
});
