/**
 * `djangoLens.exclude` / `--exclude`: the tiny glob matcher (`**`, `*`, `?` relative to a
 * workspace root) and its use by the workspace walk and by later file updates.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { excludeMatcher, globToRegExp } from '../../server/src/core/files';
import { type Fixture, fixture } from '../helpers/fixture';

const matches = (glob: string, path: string) => globToRegExp(glob).test(path);

describe('exclude globs', () => {
  it('`*` and `?` stay inside one path segment', () => {
    assert.ok(matches('*.py', 'setup.py'));
    assert.ok(!matches('*.py', 'blog/views.py'));
    assert.ok(matches('blog/*.py', 'blog/views.py'));
    assert.ok(!matches('blog/*.py', 'blog/sub/views.py'));
    assert.ok(matches('blog/vie?s.py', 'blog/views.py'));
    assert.ok(!matches('blog/vie?s.py', 'blog/vie/s.py'));
    assert.ok(!matches('?', ''));
  });

  it('`**` spans any number of folders, none included', () => {
    assert.ok(matches('**/legacy/**', 'legacy'));
    assert.ok(matches('**/legacy/**', 'legacy/old.py'));
    assert.ok(matches('**/legacy/**', 'a/b/legacy/c/old.py'));
    assert.ok(!matches('**/legacy/**', 'a/legacy_x/old.py'));
    assert.ok(matches('a/**/b.py', 'a/b.py'));
    assert.ok(matches('a/**/b.py', 'a/x/y/b.py'));
    assert.ok(!matches('a/**/b.py', 'ab.py'));
    assert.ok(matches('**/*.py', 'x.py'));
    assert.ok(matches('**/*.py', 'x/y/z.py'));
    assert.ok(matches('**', 'anything/at/all'));
    assert.ok(matches('gen**', 'generated/x.py'));
  });

  it('treats other characters literally and ignores ./, a leading / and a trailing /', () => {
    assert.ok(matches('a.b+(c)[d]{e}$^|.py', 'a.b+(c)[d]{e}$^|.py'));
    assert.ok(!matches('a.py', 'axpy'));
    assert.ok(matches('./legacy', 'legacy'));
    assert.ok(matches('/legacy/', 'legacy'));
    assert.ok(matches('legacy\\old.py', 'legacy/old.py'));
  });

  it('matches absolute paths relative to the root that holds them', () => {
    const m = excludeMatcher(['/w/one', '/w/two'], ['legacy/**', '**/*_pb2.py'])!;
    assert.ok(m('/w/one/legacy'));
    assert.ok(m('/w/two/legacy/x.py'));
    assert.ok(m('/w/one/app/api_pb2.py'));
    assert.ok(!m('/w/one/app/legacy/x.py'));
    assert.ok(!m('/w/legacy/x.py'), 'outside every root');
    assert.ok(!m('/w/one'), 'the root itself');
    assert.equal(excludeMatcher(['/w'], []), undefined);
    assert.equal(excludeMatcher(['/w'], ['  ']), undefined);
  });

  describe('in the workspace', function () {
    this.timeout(20000);
    let fx: Fixture;

    before(async () => {
      fx = await fixture(`
        # -- manage.py
        import os
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mysite.settings")
        # -- mysite/__init__.py
        # -- mysite/settings.py
        ROOT_URLCONF = "mysite.urls"
        INSTALLED_APPS = ["blog"]
        # -- mysite/urls.py
        urlpatterns = []
        # -- blog/__init__.py
        # -- blog/models.py
        # -- blog/templates/blog/page.html
        <p>{{ x }}</p>
        # -- legacy/old.py
        X = 1
        # -- legacy/templates/old.html
        <p>old</p>
        # -- blog/generated_pb2.py
        Y = 2
      `, { exclude: ['legacy/**', '**/*_pb2.py'] });
    });

    after(() => fx?.cleanup());

    it('leaves matching files and folders out of the index', () => {
      const files = fx.ws.pythonFiles().map((f) => fx.rel(f)).sort();
      assert.deepEqual(files, ['blog/__init__.py', 'blog/models.py', 'manage.py', 'mysite/__init__.py', 'mysite/settings.py', 'mysite/urls.py']);
      assert.equal(fx.ws.projects().length, 1);
    });

    it('ignores later updates of excluded files it never indexed', () => {
      fx.ws.updateFile(fx.path('legacy/new.py'), 'Z = 3\n');
      fx.ws.updateFile(join(fx.dir, 'blog', 'other_pb2.py'), 'Z = 3\n');
      fx.ws.updateFile(fx.path('blog/views.py'), 'def v(request): pass\n');
      const files = fx.ws.pythonFiles().map((f) => fx.rel(f));
      assert.ok(!files.includes('legacy/new.py'));
      assert.ok(!files.includes('blog/other_pb2.py'));
      assert.ok(files.includes('blog/views.py'));
    });
  });
});
