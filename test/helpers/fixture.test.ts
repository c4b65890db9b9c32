/**
 * Tests of the fixture helper itself: every other core test trusts its file splitting, marker
 * columns and cursor positions, so they are pinned down here on small, hand-checked inputs.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { dedent, fixture, parseFixture } from './fixture';

describe('test helper: fixture', () => {
  it('splits files on Python and template headers and dedents', () => {
    const f = parseFixture(`
      # -- blog/models.py
      x = 1
      {# -- blog/templates/blog/a.html #}
      <p>{{ x }}</p>
      # -- templates/b.html
      b
    `);
    assert.deepEqual([...f.files], [
      ['blog/models.py', 'x = 1\n'],
      ['blog/templates/blog/a.html', '<p>{{ x }}</p>\n'],
      ['templates/b.html', 'b\n'],
    ]);
  });

  it('reads markers against the code line above and strips them', () => {
    const f = parseFixture(`
      # -- a.py
      class Post(models.Model):
      #     ^^^^ model
      #                 ^^^^^ base
          title = models.CharField()
      #   ^^^^^ field
      {# -- t.html #}
      {{ post.title }}
      {#      ^^^^^ var #}
    `);
    assert.equal(f.files.get('a.py'), 'class Post(models.Model):\n    title = models.CharField()\n');
    assert.equal(f.files.get('t.html'), '{{ post.title }}\n');
    assert.deepEqual(f.markers, [
      { file: 'a.py', line: 0, startCol: 6, endCol: 10, text: 'model' },
      { file: 'a.py', line: 0, startCol: 18, endCol: 23, text: 'base' },
      { file: 'a.py', line: 1, startCol: 4, endCol: 9, text: 'field' },
      { file: 't.html', line: 0, startCol: 8, endCol: 13, text: 'var' },
    ]);
    const lines = f.files.get('a.py')!.split('\n');
    assert.equal(lines[0].slice(6, 10), 'Post');
    assert.equal(lines[0].slice(18, 23), 'Model');
  });

  it('removes the $0 cursor and keeps marker columns right on its line', () => {
    const f = parseFixture(`
      # -- a.py
      x = 1
      y = f$0oo(bar)
      #         ^^^ arg
    `);
    assert.equal(f.files.get('a.py'), 'x = 1\ny = foo(bar)\n');
    assert.deepEqual(f.cursor, { file: 'a.py', line: 1, character: 5 });
    assert.deepEqual(f.markers, [{ file: 'a.py', line: 1, startCol: 8, endCol: 11, text: 'arg' }]);
    assert.equal('y = foo(bar)'.slice(8, 11), 'bar');
  });

  it('accepts bare ^ marker lines for spans that start in column 0', () => {
    const f = parseFixture(`
      # -- settings.py
      DEBUG = True
      ^^^^^ true
      if DEBUG:
          X = 1
          ^ 1
    `);
    assert.equal(f.files.get('settings.py'), 'DEBUG = True\nif DEBUG:\n    X = 1\n');
    assert.deepEqual(f.markers.map((m) => [m.line, m.startCol, m.endCol, m.text]), [[0, 0, 5, 'true'], [2, 4, 5, '1']]);
  });

  it('rejects text before the first header and markers without code', () => {
    assert.throws(() => parseFixture('x = 1\n# -- a.py\n'), /before the first/);
    assert.throws(() => parseFixture('# -- a.py\n# ^^ oops\n'), /no code line/);
  });

  it('dedent keeps relative indentation', () => {
    assert.equal(dedent('\n    a\n      b\n    c\n  '), 'a\n  b\nc');
  });

  it('writes the files, opens a workspace and cleans up', async () => {
    const fx = await fixture(`
      # -- manage.py
      import os
      os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mysite.settings")
      # -- mysite/__init__.py
      # -- mysite/settings.py
      ROOT_URLCONF = "mysite.urls"
    `);
    try {
      assert.equal(readFileSync(fx.path('mysite/settings.py'), 'utf8'), 'ROOT_URLCONF = "mysite.urls"\n');
      assert.deepEqual(fx.ws.projects().map((p) => [fx.rel(p.root), p.spec.settingsModule]), [['.', 'mysite.settings']]);
    } finally {
      fx.cleanup();
    }
    assert.equal(existsSync(fx.dir), false);
  });
});
