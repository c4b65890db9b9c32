/**
 * Tests for the Django template lexer/parser in server/src/core/templates. Templates carry their
 * expected spans inline: `⟦` and `⟧` mark ranges and are stripped before parsing, so every case
 * reads as the template itself plus a projection of the parse result to compare against.
 * The tokenisation rules were also cross-checked against Django's own Lexer during development.
 */
import assert from 'node:assert/strict';
import { forLoops, nodeAt, parseTemplate, walk, type Span, type TemplateFile, type TNode } from '../../server/src/core/templates/parser';
import { smartSplit, tokenize } from '../../server/src/core/templates/lexer';

/** Strips ⟦ ⟧ markers, returning the clean text and the marked spans in order of their opening. */
function marked(src: string): { text: string; spans: Span[] } {
  let text = '';
  let line = 0;
  let col = 0;
  const open: number[] = [];
  const spans: Span[] = [];
  for (let i = 0; i < src.length; i++) {
    const ch = src[i];
    if (ch === '⟦') {
      open.push(spans.length);
      spans.push([line, col, -1, -1]);
      continue;
    }
    if (ch === '⟧') {
      const k = open.pop()!;
      spans[k][2] = line;
      spans[k][3] = col;
      continue;
    }
    text += ch;
    if (ch === '\n' || (ch === '\r' && src[i + 1] !== '\n')) {
      line++;
      col = 0;
    } else {
      col++;
    }
  }
  return { text, spans };
}

/** Parses `tpl` (markers removed) and deep-compares `pick(file)` with `expected(spans)`. */
function check<T>(tpl: string, pick: (f: TemplateFile) => T, expected: (s: Span[]) => T): TemplateFile {
  const { text, spans } = marked(tpl);
  const f = parseTemplate(text);
  assert.deepEqual(pick(f), expected(spans));
  return f;
}

const kinds = (nodes: TNode[]): unknown[] =>
  nodes.map((n) => (n.kind === 'tag' ? [n.kind, n.name, n.span] : [n.kind, n.span]));
const errs = (f: TemplateFile) => f.errors.map((e) => [e.message, e.span]);
const vars = (f: TemplateFile) => f.variables.map((v) => [v.path, v.span]);

describe('templates: lexer', () => {
  const cases: [string, string[]][] = [
    ['a{{ x }}b', ['text:a', 'var:x', 'text:b']],
    ['{%  load  static %}', ['block:load  static']],
    ['{# c #}', ['comment:c']],
    // tag_re does not span "\n": these stay text.
    ['{{ x\n}}', ['text:{{ x\n}}']],
    ['{% if\n%}', ['text:{% if\n%}']],
    // but "\r" is matched by Python's `.`.
    ['{{ a\rb }}', ['var:a\rb']],
    // Non-greedy: the first closer wins.
    ['{{ a }} }}', ['var:a', 'text: }}']],
    ['{{ {% x %} }}', ['var:{% x %}']],
    ['{% verbatim %}{{ x }}{% endif %}{% endverbatim %}', ['block:verbatim', 'text:{{ x }}', 'text:{% endif %}', 'block:endverbatim']],
    ['{% verbatim v %}{% endverbatim %}{% endverbatim v %}', ['block:verbatim v', 'text:{% endverbatim %}', 'block:endverbatim v']],
    ['{%%}{{}}', ['block:', 'var:']],
  ];
  for (const [tpl, expected] of cases) {
    it(`tokenizes ${JSON.stringify(tpl)}`, () => {
      assert.deepEqual(tokenize(tpl).map((t) => `${t.type}:${t.contents}`), expected);
    });
  }

  it('smart_split keeps quoted phrases and escapes', () => {
    assert.deepEqual(smartSplit(`This is "a person\\'s" test.`).map((p) => p.text), ['This', 'is', `"a person\\'s"`, 'test.']);
    assert.deepEqual(smartSplit(`A "\\"funky\\" style" test.`).map((p) => p.text), ['A', '"\\"funky\\" style"', 'test.']);
    assert.deepEqual(smartSplit('x=  "a b"|f:\'c d\'').map((p) => [p.text, p.start, p.end]), [['x=', 0, 2], ['"a b"|f:\'c d\'', 4, 17]]);
  });
});

describe('templates: node tree and spans', () => {
  it('text, var, comment and tag nodes', () => {
    check('⟦hi ⟧⟦{{ x }}⟧⟦{# c #}⟧⟦{% load static %}⟧', (f) => kinds(f.nodes), (s) => [
      ['text', s[0]], ['var', s[1]], ['comment', s[2]], ['tag', 'load', s[3]],
    ]);
  });

  it('multi-line text', () => {
    check('⟦line one\nline two\n⟧⟦{{ x }}⟧⟦\n\nend⟧', (f) => kinds(f.nodes), (s) => [['text', s[0]], ['var', s[1]], ['text', s[2]]]);
  });

  it('UTF-16 columns after non-ASCII text', () => {
    check('é😀 ⟦{{ ⟦name⟧ }}⟧', (f) => [f.nodes[1].span, vars(f)], (s) => [s[0], [[['name'], s[1]]]]);
    const f = parseTemplate('é😀 {{ name }}');
    assert.deepEqual(f.nodes[1].span, [0, 4, 0, 14]);
    assert.deepEqual(f.nodes[1].offsets, [4, 14]);
  });

  it('CRLF line endings', () => {
    check('a\r\n⟦{% if ⟦x⟧ %}⟧\r\n  ⟦{{ ⟦y⟧ }}⟧\r\n⟦{% endif %}⟧', (f): unknown[] => {
      const n = f.nodes[1];
      assert.ok(n.kind === 'tag');
      return [n.tagSpan, n.children![1].span, vars(f), n.endSpan];
    }, (s) => [s[0], s[2], [[['x'], s[1]], [['y'], s[3]]], s[4]]);
  });

  it('a lone CR is a line break for positions', () => {
    check('a\r⟦{{ x }}⟧', (f) => f.nodes[1].span, (s) => s[0]);
  });

  it('nested for / if / with', () => {
    const f = check(
      '⟦{% for p in posts %}{% if p.ok %}{% with n=p.name %}⟦{{ n }}⟧{% endwith %}{% endif %}{% endfor %}⟧',
      (f) => f.nodes[0].span,
      (s) => s[0],
    );
    const tree: unknown[] = [];
    walk(f.nodes, (n, parents) => { tree.push([n.kind === 'tag' ? n.name : n.kind, parents.map((p) => p.name).join('/')]); });
    assert.deepEqual(tree, [['for', ''], ['if', 'for'], ['with', 'for/if'], ['var', 'for/if/with']]);
    assert.deepEqual(f.errors, []);
    assert.deepEqual(f.variables.map((v) => v.text), ['posts', 'p.ok', 'p.name', 'n']);
  });

  it('if with elif / else branches', () => {
    check('{% if a %}A⟦{% elif b %}B⟧⟦{% else %}C⟧{% endif %}', (f) => {
      const n = f.nodes[0];
      assert.ok(n.kind === 'tag');
      return [n.children!.length, n.branches!.map((b) => [b.name, b.bits, b.span, b.children.length])];
    }, (s) => [1, [['elif', ['elif', 'b'], s[0], 1], ['else', ['else'], s[1], 1]]]);
  });

  it('for with empty, blocktrans with plural', () => {
    const f = parseTemplate('{% for x in xs %}{{ x }}{% empty %}none{% endfor %}{% blocktrans count n=items|length %}one{% plural %}many{% endblocktrans %}');
    assert.deepEqual(f.errors, []);
    const [a, b] = f.nodes;
    assert.ok(a.kind === 'tag' && b.kind === 'tag');
    assert.deepEqual(a.branches!.map((x) => x.name), ['empty']);
    assert.deepEqual(b.branches!.map((x) => x.name), ['plural']);
    assert.deepEqual(f.variables.map((v) => v.text), ['xs', 'x', 'items']);
  });

  it('verbatim keeps tags as text, including a named verbatim', () => {
    const f = check('{% verbatim %}⟦{% endif %}⟧⟦{{ x }}⟧{% endverbatim %}{% verbatim v %}⟦{% endverbatim %}⟧{% endverbatim v %}', (f) => {
      const [a, b] = f.nodes;
      assert.ok(a.kind === 'tag' && b.kind === 'tag');
      return [...kinds(a.children!), ...kinds(b.children!)];
    }, (s) => [['text', s[0]], ['text', s[1]], ['text', s[2]]]);
    assert.deepEqual(f.errors, []);
    assert.deepEqual(f.variables, []);
  });

  it('comment block swallows tags and variables', () => {
    const f = check('⟦{% comment "why" %}{% if x %}{{ y }}{% endcomment %}⟧⟦{{ z }}⟧', (f) => kinds(f.nodes), (s) => [['comment', s[0]], ['var', s[1]]]);
    assert.deepEqual(f.errors, []);
    assert.deepEqual(f.variables.map((v) => v.text), ['z']);
  });

  it('custom block tags are recognised by a balancing end tag', () => {
    const f = parseTemplate('{% cache_me %}{% box %}{% box %}x{% endbox %}{% endbox %}{% endcache_me %}{% single a %}{% box %}');
    assert.deepEqual(f.errors, []);
    const shape = (nodes: TNode[]): unknown[] => nodes.map((n) => (n.kind === 'tag' ? [n.name, n.children ? shape(n.children) : null] : n.kind));
    assert.deepEqual(shape(f.nodes), [['cache_me', [['box', [['box', ['text']]]]]], ['single', null], ['box', null]]);
  });

  it('custom block tags may have an else branch', () => {
    const f = parseTemplate('{% ifperm x %}a{% else %}b{% endifperm %}');
    const n = f.nodes[0];
    assert.ok(n.kind === 'tag');
    assert.deepEqual([f.errors, n.branches!.map((b) => b.name)], [[], ['else']]);
  });

  it('nodeAt finds the innermost node', () => {
    const { text } = marked('{% for x in xs %}{% if x %}{{ x.name }}{% endif %}{% endfor %}');
    const f = parseTemplate(text);
    const at = (c: number) => { const n = nodeAt(f, 0, c); return n && (n.kind === 'tag' ? n.name : n.kind); };
    assert.deepEqual([at(0), at(20), at(30), at(45), at(text.length - 1), at(text.length), at(text.length + 5)], ['for', 'if', 'var', 'if', 'for', 'for', undefined]);
  });
});

describe('templates: tags', () => {
  it('extends with a string literal', () => {
    check('⟦{% extends "⟦base.html⟧" %}⟧', (f) => f.extends, (s) => ({ name: 'base.html', span: s[0], nameSpan: s[1] }));
  });

  it('extends with a variable', () => {
    const f = check('⟦{% extends ⟦layout⟧ %}⟧', (f) => f.extends, (s) => ({ name: null, span: s[0], nameSpan: s[1] }));
    assert.deepEqual(f.variables.map((v) => v.path), [['layout']]);
  });

  it('extends must come first', () => {
    check('{% load x %}⟦{% extends "a" %}⟧', errs, (s) => [["'extends' must be the first tag in the template.", s[0]]]);
    check('{# c #}\n{% extends "a" %}', errs, () => []);
  });

  it('include with / only', () => {
    check('⟦{% include "⟦x.html⟧" with a=⟦b.c⟧ title="T" only %}⟧', (f) => [f.includes, vars(f)], (s) => [
      [{ name: 'x.html', span: s[0], nameSpan: s[1], only: true, with: { a: 'b.c', title: '"T"' } }],
      [[['b', 'c'], s[2]]],
    ]);
    check("{% include tpl %}{% include 'y.html' %}", (f) => f.includes.map((i) => [i.name, i.only, i.with]), () => [[null, false, {}], ['y.html', false, {}]]);
  });

  it('url with args, kwargs and as', () => {
    check("⟦{% url '⟦blog:post⟧' ⟦post.pk⟧ 2 slug=⟦post.slug⟧ as link %}⟧", (f) => [f.urls, vars(f)], (s) => [
      [{ name: 'blog:post', nameSpan: s[1], span: s[0], args: ['post.pk', '2'], kwargs: { slug: 'post.slug' }, asVar: 'link' }],
      [[['post', 'pk'], s[2]], [['post', 'slug'], s[3]]],
    ]);
    check('{% url view_name %}', (f) => f.urls.map((u) => [u.name, u.args, u.asVar]), () => [[null, [], undefined]]);
  });

  it('load forms', () => {
    check('⟦{% load static i18n %}⟧⟦{% load a b from lib %}⟧', (f) => f.loads, (s) => [
      { libraries: ['static', 'i18n'], span: s[0] },
      { libraries: ['lib'], names: ['a', 'b'], span: s[1] },
    ]);
  });

  it('blocks with spans and named endblock', () => {
    check('⟦{% block ⟦content⟧ %}x⟦{% endblock content %}⟧⟧', (f) => [f.blocks, f.errors], (s) => [
      [{ name: 'content', span: s[0], nameSpan: s[1], endSpan: s[2] }], [],
    ]);
    check('{% block a %}⟦{% endblock b %}⟧', errs, (s) => [["Invalid block tag on line 1: 'endblock b', expected 'endblock' or 'endblock a'.", s[0]]]);
  });

  it('for loops: tuple unpacking, reversed, nesting', () => {
    const f = parseTemplate('{% for a, b in items.pairs reversed %}{% for c in a %}{{ c }}{% endfor %}{% endfor %}{% for k,v in d.items %}{% endfor %}');
    assert.deepEqual(f.errors, []);
    assert.deepEqual(forLoops(f).map((l) => [l.vars, l.iterable.path, l.body.length]), [
      [['a', 'b'], ['items', 'pairs'], 1],
      [['c'], ['a'], 1],
      [['k', 'v'], ['d', 'items'], 0],
    ]);
    assert.deepEqual(forLoops(f)[0].iterable.varSpan, [0, 15, 0, 26]);
    const n = f.nodes[0];
    assert.ok(n.kind === 'tag');
    assert.deepEqual(n.bits, ['for', 'a,', 'b', 'in', 'items.pairs', 'reversed']);
    assert.deepEqual(n.bitSpans[4], [0, 15, 0, 26]);
    assert.equal(n.loop!.reversed, true);
  });

  it('with: keyword and legacy forms', () => {
    check('{% with total=⟦business.employees.count⟧ x="s" %}{% endwith %}{% with ⟦a.b⟧ as c and ⟦d⟧ as e %}{% endwith %}', vars, (s) => [
      [['business', 'employees', 'count'], s[0]], [['a', 'b'], s[1]], [['d'], s[2]],
    ]);
    check('⟦{% with %}⟧{% endwith %}', errs, (s) => [["'with' expected at least one variable assignment", s[0]]]);
  });

  it('if conditions reference every operand, not operators', () => {
    check('{% if not ⟦a⟧ and ⟦b.c⟧ is not None or ⟦d⟧ not in ⟦e|slice:":2"⟧ %}{% endif %}', (f) => f.variables.map((v) => v.text), () => ['a', 'b.c', 'None', 'd', 'e']);
  });
});

describe('templates: filter expressions', () => {
  const cases: [string, unknown][] = [
    ['{{ post.author.name|upper }}', { var: 'post.author.name', path: ['post', 'author', 'name'], filters: [['upper', undefined]] }],
    ['{{ d|date:"Y-m-d"|default:fallback }}', { var: 'd', path: ['d'], filters: [['date', '"Y-m-d"'], ['default', 'fallback']] }],
    ['{{ "it\\"s" }}', { var: '"it\\"s"', path: [], literal: 'it"s', filters: [] }],
    ['{{ 1.5 }}', { var: '1.5', path: [], literal: 1.5, filters: [] }],
    ['{{ -3|add:2 }}', { var: '-3', path: [], literal: -3, filters: [['add', '2']] }],
    ['{{ _("Hi") }}', { var: '_("Hi")', path: [], literal: 'Hi', filters: [] }],
    ['{{ x | lower }}', { var: 'x', path: ['x'], filters: [['lower', undefined]] }],
    ['{{ 2. }}', { var: '2.', path: ['2', ''], filters: [] }],
  ];
  for (const [tpl, expected] of cases) {
    it(`compiles ${tpl}`, () => {
      const f = parseTemplate(tpl);
      const n = f.nodes[0];
      assert.ok(n.kind === 'var');
      const e = n.expr;
      const got: Record<string, unknown> = { var: e.var, path: e.path, filters: e.filters.map((x) => [x.name, x.arg]) };
      if (e.literal !== undefined) got.literal = e.literal;
      assert.deepEqual(got, expected);
      assert.deepEqual(f.errors, []);
    });
  }

  it('records filter variable arguments and spans', () => {
    check('{{ ⟦a⟧|⟦default:⟦b.c⟧⟧ }}', (f) => {
      const n = f.nodes[0];
      assert.ok(n.kind === 'var');
      return [n.expr.varSpan, n.expr.filters[0].span, vars(f), f.variables[0].filters];
    }, (s) => [s[0], s[1], [[['a'], s[0]], [['b', 'c'], s[2]]], [{ name: 'default', arg: 'b.c' }]]);
  });

  it('reports Django compile errors', () => {
    check('⟦{{}}⟧ {{ ⟦_x⟧ }} {{ a⟦|⟧ }}', errs, (s) => [
      ['Empty variable tag on line 1', s[0]],
      ["Variables and attributes may not begin with underscores: '_x'", s[1]],
      ["Could not parse the remainder: '|' from 'a|'", s[2]],
    ]);
  });
});

describe('templates: errors and recovery', () => {
  it('unclosed for', () => {
    const f = check('⟦{% for x in xs %}⟧{{ x }}', errs, (s) => [["Unclosed tag on line 1: 'for'. Looking for one of: empty, endfor.", s[0]]]);
    const n = f.nodes[0];
    assert.ok(n.kind === 'tag');
    assert.equal(n.children!.length, 1);
    assert.deepEqual(n.span, [0, 0, 0, 24]); // to the end of the file
  });

  it('an outer end tag closes unclosed inner blocks', () => {
    const f = check('{% if a %}⟦{% for x in y %}⟧{% endif %}', errs, (s) => [["Unclosed tag on line 1: 'for'. Looking for one of: empty, endfor.", s[0]]]);
    const n = f.nodes[0];
    assert.ok(n.kind === 'tag');
    assert.deepEqual(n.endSpan, [0, 26, 0, 37]);
  });

  it('stray end and intermediate tags', () => {
    check('⟦{% endif %}⟧\n⟦{% else %}⟧\n{% for x in y %}⟦{% else %}⟧{% endfor %}', errs, (s) => [
      ["Invalid block tag on line 1: 'endif'.", s[0]],
      ["Invalid block tag on line 2: 'else'.", s[1]],
      ["Invalid block tag on line 3: 'else', expected 'empty' or 'endfor'.", s[2]],
    ]);
  });

  it('elif after else is rejected', () => {
    check('{% if a %}{% else %}⟦{% elif b %}⟧{% endif %}', errs, (s) => [["Invalid block tag on line 1: 'elif', expected 'endif'.", s[0]]]);
  });

  it('unclosed {{ and {% on a line', () => {
    const f = check('a ⟦{{ name⟧\n⟦{% if x⟧\n}} ok', errs, (s) => [
      ["Unclosed '{{' on line 1: no '}}' on the same line, so Django outputs it as text.", s[0]],
      ["Unclosed '{%' on line 2: no '%}' on the same line, so Django outputs it as text.", s[1]],
    ]);
    assert.deepEqual(f.nodes.map((n) => n.kind), ['text']);
  });

  it('unclosed comment and verbatim', () => {
    check('⟦{% comment %}⟧{{ x }}', errs, (s) => [["Unclosed tag on line 1: 'comment'. Looking for one of: endcomment.", s[0]]]);
    check('⟦{% verbatim %}⟧{{', errs, (s) => [["Unclosed tag on line 1: 'verbatim'. Looking for one of: endverbatim.", s[0]]]);
  });

  it('malformed for tags', () => {
    check('⟦{% for x y %}⟧{% endfor %}⟦{% for x on y %}⟧{% endfor %}', errs, (s) => [
      ["'for' statements should have at least four words: for x y", s[0]],
      ["'for' statements should use the format 'for x in y': for x on y", s[1]],
    ]);
  });

  it('never throws on junk', () => {
    for (const junk of ['{%', '%}', '{% %}', '{{|}}', '{% endfor %}{% endfor %}', '{% for %}', '{% url %}', '{% include %}', '{% with a as %}', '{% extends %}', '{% block %}{% endblock %}', '\u0000{{\u2028}}', '{% if a == %}', '{{ "unterminated }}']) {
      const f = parseTemplate(junk);
      assert.ok(Array.isArray(f.nodes));
    }
  });
});

describe('templates: scale', () => {
  it('parses a 1 MB template correctly', () => {
    const unit = '<li class="é">{% for item in section.items %}{% if item.visible %}{{ item.title|title }}{% else %}{# hidden #}{% endif %}{% endfor %}</li>\r\n';
    const reps = Math.ceil(1_000_000 / unit.length);
    const text = '{% extends "base.html" %}\n{% block main %}\n' + unit.repeat(reps) + '{% endblock %}\n';
    assert.ok(text.length >= 1_000_000);
    const f = parseTemplate(text);
    assert.deepEqual(f.errors, []);
    assert.equal(f.blocks.length, 1);
    assert.deepEqual(f.blocks[0].endSpan, [reps + 2, 0, reps + 2, 14]);
    const loops = forLoops(f);
    assert.equal(loops.length, reps);
    assert.deepEqual(loops[reps - 1].span[0], reps + 1);
    assert.equal(f.variables.length, reps * 3);
    const last = f.variables[f.variables.length - 1];
    assert.deepEqual([last.text, last.span[0]], ['item.title', reps + 1]);
  });
});
