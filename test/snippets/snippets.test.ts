/**
 * Every snippet file the manifest contributes is checked: it is valid JSON, each snippet has a
 * prefix, a description and a body, prefixes are unique within a language, and each body, once
 * its placeholders are filled with their defaults, parses — Python with tree-sitter (no ERROR
 * node), templates with our Django template parser and, when Debian's Django is installed, with
 * Django's own template engine.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadPython, parsePython } from '../../server/src/core/python/parser';
import { parseTemplate } from '../../server/src/core/templates/parser';
import { repoRoot } from '../helpers/paths';

interface Snippet {
  prefix: string | string[];
  body: string | string[];
  description?: string;
}

const manifest = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { contributes: { snippets: { language: string; path: string }[] } };

/**
 * Expands VS Code snippet syntax the way accepting every default would: `${1:default}` becomes
 * its (recursively expanded) default, `${1|a,b|}` its first choice, a bare `$1` the default given
 * to the same tab stop elsewhere (or `x`), `$0` nothing, variables their default or a name.
 */
export function fillPlaceholders(body: string): string {
  const defaults = new Map<string, string>();
  const expand = (text: string): string => {
    let out = '';
    let i = 0;
    while (i < text.length) {
      const c = text[i];
      if (c === '\\' && i + 1 < text.length && '$}\\,|'.includes(text[i + 1])) {
        out += text[i + 1];
        i += 2;
        continue;
      }
      if (c !== '$') {
        out += c;
        i++;
        continue;
      }
      const simple = /^\$(\d+|[A-Z_]+)/.exec(text.slice(i));
      if (simple) {
        out += placeholderValue(simple[1], undefined);
        i += simple[0].length;
        continue;
      }
      if (text[i + 1] === '{') {
        // Find the matching brace, skipping escapes.
        let depth = 0;
        let j = i + 1;
        for (; j < text.length; j++) {
          if (text[j] === '\\') { j++; continue; }
          if (text[j] === '{') depth++;
          else if (text[j] === '}' && --depth === 0) break;
        }
        const inner = text.slice(i + 2, j);
        const m = /^(\d+|[A-Z_]+)(?::([\s\S]*)|\|([\s\S]*)\|)?$/.exec(inner);
        assert.ok(m, `unreadable placeholder \${${inner}}`);
        const value = m[3] !== undefined ? m[3].split(/(?<!\\),/)[0].replace(/\\(.)/g, '$1') : m[2] !== undefined ? expand(m[2]) : undefined;
        out += placeholderValue(m[1], value);
        i = j + 1;
        continue;
      }
      out += c;
      i++;
    }
    return out;
  };
  const placeholderValue = (id: string, value: string | undefined): string => {
    if (value !== undefined) {
      if (!defaults.has(id)) defaults.set(id, value);
      return value;
    }
    if (id === '0') return '';
    if (/^\d+$/.test(id)) return defaults.get(id) ?? `x${id}`;
    return id === 'TM_FILENAME_BASE' ? 'module' : 'value';
  };
  // Defaults given later in the body also count for earlier bare tab stops: expand twice.
  expand(body);
  return expand(body);
}

function pythonErrors(source: string): string[] {
  const tree = parsePython(source);
  try {
    const out: string[] = [];
    const visit = (n: import('web-tree-sitter').Node) => {
      if (n.type === 'ERROR' || n.isMissing) out.push(`${n.type} at ${n.startPosition.row + 1}:${n.startPosition.column + 1}`);
      for (const c of n.children) if (c) visit(c);
    };
    visit(tree.rootNode);
    return out;
  } finally {
    tree.delete();
  }
}

/** A method body is valid inside a class: parse it alone first, then wrapped in one. */
function pythonParses(source: string): string[] {
  const alone = pythonErrors(source);
  if (!alone.length) return alone;
  const wrapped = `class _Snippet:\n${source.split('\n').map((l) => `    ${l}`).join('\n')}\n`;
  return pythonErrors(wrapped).length ? alone : [];
}

const DJANGO_CHECK = String.raw`
import json, sys
import django
from django.conf import settings
settings.configure(TEMPLATES=[{"BACKEND": "django.template.backends.django.DjangoTemplates"}], INSTALLED_APPS=["django.contrib.staticfiles"])
django.setup()
from django.template import Engine, TemplateSyntaxError
engine = Engine(libraries={"static": "django.templatetags.static", "i18n": "django.templatetags.i18n", "tz": "django.templatetags.tz", "cache": "django.templatetags.cache"}, builtins=["django.templatetags.static", "django.templatetags.i18n", "django.template.defaulttags", "django.template.defaultfilters", "django.template.loader_tags"])
errors = {}
for name, body in json.load(sys.stdin).items():
    try:
        engine.from_string(body)
    except TemplateSyntaxError as e:
        errors[name] = str(e)
print(json.dumps(errors))
`;

describe('snippets', () => {
  before(async () => {
    await loadPython();
  });

  it('the manifest contributes Python and django-html snippets', () => {
    const languages = manifest.contributes.snippets.map((s) => s.language).sort();
    assert.deepEqual(languages, ['django-html', 'python']);
  });

  for (const { language, path } of manifest.contributes.snippets) {
    describe(`${path} (${language})`, () => {
      const file = join(repoRoot, path);
      let snippets: Record<string, Snippet> = {};
      before(() => {
        assert.ok(existsSync(file), `${path} exists`);
        snippets = JSON.parse(readFileSync(file, 'utf8')) as Record<string, Snippet>;
      });

      it('has well-formed entries with unique prefixes', () => {
        assert.ok(Object.keys(snippets).length >= 10, 'at least ten snippets');
        const seen = new Map<string, string>();
        for (const [name, s] of Object.entries(snippets)) {
          assert.ok(s.prefix && s.body && s.description, `${name}: prefix, body and description`);
          for (const prefix of Array.isArray(s.prefix) ? s.prefix : [s.prefix]) {
            assert.ok(!seen.has(prefix), `prefix ${prefix} used by both "${seen.get(prefix)}" and "${name}"`);
            seen.set(prefix, name);
          }
        }
      });

      it('bodies parse once their placeholders are filled', () => {
        const problems: string[] = [];
        const filled: Record<string, string> = {};
        for (const [name, s] of Object.entries(snippets)) {
          const text = fillPlaceholders(Array.isArray(s.body) ? s.body.join('\n') : s.body).replace(/\t/g, '    ');
          filled[name] = text;
          if (language === 'python') {
            const errors = pythonParses(text);
            if (errors.length) problems.push(`${name}: ${errors.join(', ')}\n${text}`);
          } else {
            const parsed = parseTemplate(text);
            if (parsed.errors.length) problems.push(`${name}: ${parsed.errors.map((e) => e.message).join(', ')}\n${text}`);
          }
        }
        assert.deepEqual(problems, []);
        if (language === 'django-html' && existsSync('/usr/bin/python3')) {
          const r = spawnSync('/usr/bin/python3', ['-c', DJANGO_CHECK], { input: JSON.stringify(filled), encoding: 'utf8', env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' } });
          if (r.status === 0) assert.deepEqual(JSON.parse(r.stdout), {}, 'Django compiles every template snippet');
          else if (!/No module named 'django'/.test(r.stderr)) assert.fail(`Django's template check failed: ${r.stderr}`);
        }
      });
    });
  }

  it('fills placeholders the way accepting the defaults would', () => {
    assert.equal(fillPlaceholders('${1:a} = $1 + ${2|x,y|} + ${3:${4:n}.m}$0'), 'a = a + x + n.m');
    assert.equal(fillPlaceholders('{{ name \\}\\} \\$1 $5'), '{{ name }} $1 x5');
  });
});
