/**
 * Raw-SQL checks (DJL201, DJL202): the labelled corpus in test/fixtures/sql/corpus, small fixtures
 * with `# ^^^ DJL201` markers under the sink, and the quick fix, whose output must parse, make the
 * finding disappear, and return the same rows as the original query on safe input (run with
 * Debian's Python: sqlite3, and Django's own cursor on an in-memory SQLite database).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { caseAt, readCorpus, score } from '../../bench/sqlCompare';
import { fixesFor, runChecks } from '../../server/src/core/checks/registry';
import { parsePython } from '../../server/src/core/python/parser';
import type { Finding, TextEdit } from '../../server/src/core/types';
import { Workspace } from '../../server/src/core/workspace';
import { fixture, tempDir } from '../helpers/fixture';
import { repoRoot } from '../helpers/paths';

const SQL_CODES = new Set(['DJL201', 'DJL202']);

const SETTINGS = `
  # -- manage.py
  import os
  os.environ.setdefault("DJANGO_SETTINGS_MODULE", "site_.settings")
  # -- site_/__init__.py
  # -- site_/settings.py
  INSTALLED_APPS = ["app"]
  ROOT_URLCONF = "site_.urls"
  # -- site_/urls.py
  urlpatterns = []
  # -- app/__init__.py
`;

async function sqlFindings(src: string) {
  const fx = await fixture(SETTINGS + src);
  const findings = runChecks(fx.ws).filter((f) => SQL_CODES.has(f.code));
  return { fx, findings };
}

/** Asserts that the SQL findings are exactly the fixture's markers (code, line, start column). */
async function check(src: string): Promise<Finding[]> {
  const { fx, findings } = await sqlFindings(src);
  try {
    const got = findings.map((f) => `${fx.rel(f.file)}:${f.span[0]}:${f.span[1]} ${f.code}`).sort();
    const want = fx.markers.map((m) => `${m.file}:${m.line}:${m.startCol} ${m.text.split(':')[0].trim()}`).sort();
    assert.deepEqual(got, want);
    for (const m of fx.markers) {
      const part = m.text.split(':').slice(1).join(':').trim();
      if (!part) continue;
      const f = findings.find((x) => x.span[0] === m.line && fx.rel(x.file) === m.file)!;
      assert.ok(f.message.includes(part), `message "${f.message}" should contain "${part}"`);
    }
    return findings;
  } finally {
    fx.cleanup();
  }
}

function applyEdits(text: string, edits: TextEdit[]): string {
  const lines = text.split('\n');
  const offset = (line: number, col: number) => lines.slice(0, line).reduce((n, l) => n + l.length + 1, 0) + col;
  const sorted = [...edits].sort((a, b) => offset(b.span[0], b.span[1]) - offset(a.span[0], a.span[1]));
  let out = text;
  for (const e of sorted) out = out.slice(0, offset(e.span[0], e.span[1])) + e.newText + out.slice(offset(e.span[2], e.span[3]));
  return out;
}

/** Applies the one DJL201 fix in `app/q.py` and checks the result; returns the new text. */
async function checkFix(src: string, expected: string): Promise<string> {
  const { fx, findings } = await sqlFindings(src);
  try {
    assert.equal(findings.length, 1, findings.map((f) => f.message).join('\n'));
    const fixes = fixesFor(fx.ws, findings[0]);
    assert.equal(fixes.length, 1, 'one quick fix');
    const file = fx.path('app/q.py');
    const before = fx.files.get('app/q.py')!;
    const after = applyEdits(before, fixes[0].edits);
    assert.equal(after.trim(), expected.trim().replace(/^ {6}/gm, ''));
    const tree = parsePython(after);
    assert.equal(tree.rootNode.hasError, false, 'the rewritten code parses');
    tree.delete();
    writeFileSync(file, after);
    const ws2 = await Workspace.open({ roots: [fx.dir] });
    assert.deepEqual(runChecks(ws2).filter((f) => SQL_CODES.has(f.code)), [], 'the finding is gone');
    return after;
  } finally {
    fx.cleanup();
  }
}

/** Runs `fn()` of the original and of the fixed module with Debian's Python; rows must match. */
function sameRows(before: string, after: string, argv: string[]): void {
  const dir = tempDir('djl-sqlfix-');
  writeFileSync(join(dir, 'orig.py'), before);
  writeFileSync(join(dir, 'fixed.py'), after);
  writeFileSync(join(dir, 'harness.py'), HARNESS);
  const r = spawnSync('/usr/bin/python3', [join(dir, 'harness.py'), ...argv], { cwd: dir, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const [a, b] = r.stdout.trim().split('\n');
  assert.ok(a && a !== '[]', `the original query returns rows on safe input: ${r.stdout}`);
  assert.equal(b, a, 'the rewritten query returns the same rows');
}

const HARNESS = `
import sqlite3, sys, types
import django
from django.conf import settings
settings.configure(DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}}, INSTALLED_APPS=[])
django.setup()
from django.db import connection
ROWS = [(1, "apple", 3), (2, "pineapple", 5), (3, "pear", 7), (4, "apple pie", 9)]
db = sys.argv[1] if len(sys.argv) > 1 and sys.argv[1].endswith(".sqlite3") else None
with connection.cursor() as c:
    c.execute("CREATE TABLE product (id INTEGER PRIMARY KEY, name TEXT, price INTEGER)")
    c.executemany("INSERT INTO product VALUES (%s, %s, %s)", ROWS)
if db:
    conn = sqlite3.connect(db)
    conn.execute("CREATE TABLE IF NOT EXISTS product (id INTEGER PRIMARY KEY, name TEXT, price INTEGER)")
    conn.execute("DELETE FROM product")
    conn.executemany("INSERT INTO product VALUES (?, ?, ?)", ROWS)
    conn.commit()
import orig, fixed
print(sorted(orig.fn()))
print(sorted(fixed.fn()))
`;

describe('raw SQL (DJL201, DJL202)', () => {
  describe('labelled corpus', () => {
    const dir = join(repoRoot, 'test/fixtures/sql/corpus');
    const cases = readCorpus(dir);

    it('has at least 40 cases, about half of them safe', () => {
      assert.ok(cases.length >= 40, `${cases.length} cases`);
      const safe = cases.filter((c) => c.expected === 'safe').length;
      assert.ok(safe >= cases.length * 0.45 && safe <= cases.length * 0.55, `${safe} safe of ${cases.length}`);
    });

    it('every case gets its expected verdict, at the sink, and nothing outside the cases is reported', async () => {
      const ws = await Workspace.open({ roots: [dir] });
      const findings = runChecks(ws).filter((f) => SQL_CODES.has(f.code));
      const flagged = new Set<string>();
      for (const f of findings) {
        const c = caseAt(cases, f.file, f.span[0]);
        assert.ok(c, `finding outside any case: ${f.file}:${f.span[0] + 1} ${f.message}`);
        assert.equal(f.span[0], c.line, `${c.name}: reported at the sink line`);
        assert.equal(f.code, c.expected, `${c.name}: ${f.message}`);
        flagged.add(c.name);
      }
      const s = score(cases, flagged);
      assert.deepEqual(s.wrong, []);
    });
  });

  describe('detection', () => {
    it('finds the value where it enters, through a local variable and a helper in another module', async () => {
      const [f] = await check(`
        # -- app/helpers.py
        def where_title(title):
            return f"WHERE title = '{title}'"
        # -- app/views.py
        from django.db import connection
        from .helpers import where_title

        def search(request):
            title = request.GET["title"]
            sql = "SELECT id FROM post " + where_title(title)
            with connection.cursor() as cursor:
                cursor.execute(sql)
        #       ^^^^^^^^^^^^^^^^^^^ DJL201: built with an f-string
      `);
      const related = f.related!.map((r) => `${r.file.split('/').pop()}:${r.span[0]} ${r.message}`);
      assert.ok(related.some((r) => r.startsWith('views.py:4 ') && r.includes('request.GET["title"]')), related.join('\n'));
    });

    it('says when an interpolation is an identifier, and offers no fix', async () => {
      const { fx, findings } = await sqlFindings(`
        # -- app/views.py
        from django.db import connection

        def rows(request):
            table = request.GET["table"]
            with connection.cursor() as cursor:
                cursor.execute(f"SELECT * FROM {table} WHERE id = 1")
      `);
      try {
        assert.equal(findings.length, 1);
        assert.match(findings[0].message, /`table` is inserted where an identifier.*quote_name\(\).*allow-list/);
        assert.deepEqual(fixesFor(fx.ws, findings[0]), []);
      } finally {
        fx.cleanup();
      }
    });

    it('stays quiet on constants, parameters, quote_name, allow-lists and SQL that never runs', async () => {
      await check(`
        # -- app/views.py
        import logging
        from django.db import connection
        from .models import Post
        log = logging.getLogger(__name__)
        COLUMNS = ("title", "created")

        def ok(request):
            sort = request.GET["sort"]
            log.warning(f"SELECT * FROM post ORDER BY {sort}")
            if sort in COLUMNS:
                Post.objects.raw(f"SELECT * FROM {Post._meta.db_table} ORDER BY {sort}")
            col = connection.ops.quote_name(request.GET["col"])
            ids = request.GET.getlist("id")
            with connection.cursor() as cursor:
                cursor.execute(f"SELECT {col} FROM post WHERE id IN ({', '.join(['%s'] * len(ids))})", ids)
      `);
    });

    it('reports a quoted placeholder', async () => {
      await check(`
        # -- app/views.py
        from django.db import connection

        def q(request):
            with connection.cursor() as c:
                c.execute("SELECT id FROM post WHERE title LIKE '%%%s%%'", [request.GET["q"]])
        #       ^^^^^^^^^ DJL202: inside quotes
      `);
    });

    it('can be silenced with noqa', async () => {
      await check(`
        # -- app/views.py
        from django.db import connection

        def q(request):
            connection.cursor().execute("SELECT 1 FROM t WHERE a = '%s'" % request.GET["a"])  # noqa: DJL201
      `);
    });
  });

  describe('quick fix', function () {
    this.timeout(120_000);

    it('rewrites an f-string at a Django cursor into placeholders and params, with the same rows', async () => {
      const after = await checkFix(`
        # -- app/q.py
        from django.db import connection

        def search(request):
            q = request.GET["q"]
            with connection.cursor() as cursor:
                cursor.execute(f"SELECT id, name FROM product WHERE name LIKE '%{q}%' AND price > {request.GET['min']}")
                return cursor.fetchall()

        def fn():
            return search(type("R", (), {"GET": {"q": "apple", "min": "4"}})())
      `, `
      from django.db import connection

      def search(request):
          q = request.GET["q"]
          with connection.cursor() as cursor:
              cursor.execute("SELECT id, name FROM product WHERE name LIKE %s AND price > %s", [f"%{q}%", request.GET['min']])
              return cursor.fetchall()

      def fn():
          return search(type("R", (), {"GET": {"q": "apple", "min": "4"}})())
      `);
      sameRows(ORIGINAL_DJANGO, after, []);
    });

    it('rewrites % formatting assigned to a variable, and keeps the % signs of the SQL', async () => {
      const src = `
        # -- app/q.py
        from django.db import connection

        def search(request):
            name = request.GET["name"]
            sql = "SELECT id FROM product WHERE name = '%s' AND id %% 2 = %d" % (name, int(request.GET["odd"]))
            with connection.cursor() as cursor:
                cursor.execute(sql)
                return cursor.fetchall()

        def fn():
            return search(type("R", (), {"GET": {"name": "pear", "odd": "1"}})())
      `;
      const after = await checkFix(src, `
      from django.db import connection

      def search(request):
          name = request.GET["name"]
          sql = "SELECT id FROM product WHERE name = %s AND id %% 2 = %s"
          with connection.cursor() as cursor:
              cursor.execute(sql, [name, int(request.GET["odd"])])
              return cursor.fetchall()

      def fn():
          return search(type("R", (), {"GET": {"name": "pear", "odd": "1"}})())
      `);
      sameRows(src.replace(/^\s*# -- app\/q.py\n/, '').replace(/^ {8}/gm, ''), after, []);
    });

    it('uses ? for sqlite3 cursors', async () => {
      const src = `
        # -- app/q.py
        import sqlite3
        import sys

        def fn():
            name = sys.argv[2]
            conn = sqlite3.connect(sys.argv[1])
            return conn.execute("SELECT id FROM product WHERE name = '{}'".format(name)).fetchall()
      `;
      const after = await checkFix(src, `
      import sqlite3
      import sys

      def fn():
          name = sys.argv[2]
          conn = sqlite3.connect(sys.argv[1])
          return conn.execute("SELECT id FROM product WHERE name = ?", [name]).fetchall()
      `);
      const db = join(tempDir('djl-sqlite-'), 'db.sqlite3');
      sameRows(src.replace(/^\s*# -- app\/q.py\n/, '').replace(/^ {8}/gm, ''), after, [db, 'apple pie']);
    });
  });

  describe('quick fix for a quoted placeholder (DJL202)', function () {
    this.timeout(120_000);

    it('removes the quotes around %s in the literal at the sink, with the rows the original meant', async () => {
      const src = `
        # -- app/q.py
        from django.db import connection

        def fn():
            with connection.cursor() as cursor:
                cursor.execute("SELECT id FROM product WHERE name = '%s' OR name = '%s'", ["apple pie", "pear"])
                return cursor.fetchall()
      `;
      const after = await checkFix(src, `
      from django.db import connection

      def fn():
          with connection.cursor() as cursor:
              cursor.execute("SELECT id FROM product WHERE name = %s OR name = %s", ["apple pie", "pear"])
              return cursor.fetchall()
      `);
      sameRowsAsMeant(dedent(src), after, []);
    });

    it('edits the one assignment of a local variable, in a triple-quoted and concatenated literal', async () => {
      const src = `
        # -- app/q.py
        from django.db import connection

        def fn():
            name = "apple"
            sql = ("SELECT id FROM product "
                   '''WHERE name = "%s" AND price > '%s' ''')
            with connection.cursor() as cursor:
                cursor.execute(sql, (name, 2))
                return cursor.fetchall()
      `;
      const after = await checkFix(src, `
      from django.db import connection

      def fn():
          name = "apple"
          sql = ("SELECT id FROM product "
                 '''WHERE name = %s AND price > %s ''')
          with connection.cursor() as cursor:
              cursor.execute(sql, (name, 2))
              return cursor.fetchall()
      `);
      sameRowsAsMeant(dedent(src), after, []);
    });

    it("turns '?' into ? for sqlite3", async () => {
      const src = `
        # -- app/q.py
        import sqlite3
        import sys

        def fn():
            conn = sqlite3.connect(sys.argv[1])
            return conn.execute("SELECT id FROM product WHERE name = '?'", [sys.argv[2]]).fetchall()
      `;
      const after = await checkFix(src, `
      import sqlite3
      import sys

      def fn():
          conn = sqlite3.connect(sys.argv[1])
          return conn.execute("SELECT id FROM product WHERE name = ?", [sys.argv[2]]).fetchall()
      `);
      const db = join(tempDir('djl-sqlite-'), 'db.sqlite3');
      sameRowsAsMeant(dedent(src), after, [db, 'apple pie']);
    });

    it('offers no fix when the text is built elsewhere (a module constant, another module, +), the value needs wildcards, or no parameters are passed', async () => {
      const { fx, findings } = await sqlFindings(`
        # -- app/q.py
        from django.db import connection
        from .consts import OTHER

        QUERY = "SELECT id FROM product WHERE name = '%s'"

        def a(name):
            connection.cursor().execute(QUERY, [name])

        def b(name):
            connection.cursor().execute("SELECT id FROM product WHERE name LIKE '%%%s%%'", [name])

        def c():
            connection.cursor().execute("SELECT id FROM product WHERE name = '%s'")

        def d(name):
            connection.cursor().execute(OTHER, [name])

        def e(name):
            connection.cursor().execute("SELECT id FROM product " + "WHERE name = '%s'", [name])
        # -- app/consts.py
        OTHER = "SELECT id FROM product WHERE name = '%s'"
      `);
      try {
        assert.deepEqual(findings.map((f) => `${f.code}:${f.span[0]}`), ['DJL202:6', 'DJL202:9', 'DJL202:12', 'DJL202:15', 'DJL202:18']);
        for (const f of findings) assert.deepEqual(fixesFor(fx.ws, f), [], `no fix at line ${f.span[0]}`);
      } finally {
        fx.cleanup();
      }
    });
  });
});

function dedent(src: string): string {
  return src.replace(/^\s*# -- app\/q.py\n/, '').replace(/^ {8}/gm, '');
}

/**
 * Runs `fn()` of the fixed module, then of the original as its author meant it (each value pasted
 * between the quotes: the parameters contain no quote), with Debian's Python; rows must match.
 */
function sameRowsAsMeant(before: string, after: string, argv: string[]): void {
  const dir = tempDir('djl-sqlquote-');
  writeFileSync(join(dir, 'orig.py'), before);
  writeFileSync(join(dir, 'fixed.py'), after);
  writeFileSync(join(dir, 'harness.py'), HARNESS_AS_MEANT);
  const r = spawnSync('/usr/bin/python3', [join(dir, 'harness.py'), ...argv], { cwd: dir, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const [a, b] = r.stdout.trim().split('\n');
  assert.ok(a && a !== '[]', `the original query returns rows: ${r.stdout}`);
  assert.equal(b, a, 'the fixed query returns the same rows');
}

const HARNESS_AS_MEANT = HARNESS.replace(/import orig, fixed\n[^]*$/, `import fixed
after = sorted(fixed.fn())
from django.db.backends.utils import CursorWrapper
_execute = CursorWrapper.execute
CursorWrapper.execute = lambda self, sql, params=None: _execute(self, sql % tuple(params) if params else sql)
class PastingConnection:
    def __init__(self, conn):
        self.conn = conn
    def execute(self, sql, params=()):
        for p in params:
            sql = sql.replace("?", str(p), 1)
        return self.conn.execute(sql)
    def __getattr__(self, name):
        return getattr(self.conn, name)
_connect = sqlite3.connect
sqlite3.connect = lambda *a, **k: PastingConnection(_connect(*a, **k))
import orig
print(sorted(orig.fn()))
print(after)
`);

const ORIGINAL_DJANGO = `from django.db import connection

def search(request):
    q = request.GET["q"]
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id, name FROM product WHERE name LIKE '%{q}%' AND price > {request.GET['min']}")
        return cursor.fetchall()

def fn():
    return search(type("R", (), {"GET": {"q": "apple", "min": "4"}})())
`;
