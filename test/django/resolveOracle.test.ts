/**
 * Trace URL's static resolver against Django's own: for every route of the example and fixture
 * projects, paths are generated from the route's pattern (converter samples, strings that the
 * route's regexes match) plus near misses (a missing or extra segment, a wrong converter value,
 * no trailing slash), and each is resolved both by us and by Debian's Django
 * (test/oracle/django_resolve.py). Match or no match, the route, name, namespace, view, args and
 * kwargs must agree.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { type ArgValue, BUILTIN_CONVERTERS, StaticResolver } from '../../server/src/core/project/resolve';
import type { RouteInfo, UrlIndex } from '../../server/src/core/project/urls';
import { Workspace } from '../../server/src/core/workspace';
import { repoRoot } from '../helpers/paths';

const PYTHON = '/usr/bin/python3';
const PROJECTS = ['examples/blog', 'test/fixtures/projects/urls_nested', 'test/fixtures/projects/urls_regex'];

function djangoAvailable(): boolean {
  return existsSync(PYTHON) && spawnSync(PYTHON, ['-c', 'import django'], { stdio: 'ignore' }).status === 0;
}

const SAMPLES: Record<string, string[]> = {
  int: ['42', '0', '007'],
  str: ['hello', 'a.b-c'],
  slug: ['my-post_1'],
  uuid: ['123e4567-e89b-12d3-a456-426614174000'],
  path: ['a/b/c.txt'],
};
const BAD_SAMPLES: Record<string, string> = { int: 'x1', slug: 'no.dots', uuid: '123E4567-E89B-12D3-A456-426614174000', str: 'a/b' };

/**
 * A string matched by a (simple) Python regex: the first alternative, one repetition, the first
 * character of each class. Enough for URL patterns; anything else returns undefined.
 */
export function sampleFor(regex: string): string | undefined {
  let out = '';
  let i = 0;
  const src = regex;
  const atom = (): string | undefined => {
    const c = src[i];
    if (c === '\\') {
      const n = src[i + 1];
      i += 2;
      return ({ d: '7', w: 'w', s: ' ', D: 'x', W: '-', S: 'x' } as Record<string, string>)[n] ?? n;
    }
    if (c === '[') {
      const end = src.indexOf(']', i + 2);
      const body = src.slice(i + 1, end);
      i = end + 1;
      if (body.startsWith('^')) return body.includes('/') ? 'z' : 'z';
      if (body.startsWith('\\')) return ({ d: '5', w: 'q' } as Record<string, string>)[body[1]] ?? body[1];
      return body[0] === '-' ? (body[1] ?? '-') : body[0];
    }
    if (c === '(') {
      let depth = 0;
      let j = i;
      for (; j < src.length; j++) {
        if (src[j] === '\\') { j++; continue; }
        if (src[j] === '(') depth++;
        else if (src[j] === ')' && --depth === 0) break;
      }
      let inner = src.slice(i + 1, j);
      i = j + 1;
      inner = inner.replace(/^\?P<\w+>|^\?:/, '');
      const firstAlt = splitAlternatives(inner)[0];
      return sampleFor(firstAlt);
    }
    if (c === '.') { i++; return 'd'; }
    i++;
    return c;
  };
  while (i < src.length) {
    const c = src[i];
    if (c === '^' || c === '$') { i++; continue; }
    if (c === '|') break;
    const a = atom();
    if (a === undefined) return undefined;
    const q = /^(\{(\d+)(?:,\d*)?\}|[+*?])/.exec(src.slice(i));
    if (q) {
      i += q[0].length;
      out += q[1] === '*' || q[1] === '?' ? a : q[2] ? a.repeat(Number(q[2])) : a;
    } else out += a;
  }
  return out;
}

function splitAlternatives(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === '\\') { cur += c + s[i + 1]; i++; continue; }
    if (c === '(') depth++;
    if (c === ')') depth--;
    if (c === '|' && depth === 0) { out.push(cur); cur = ''; continue; }
    cur += c;
  }
  out.push(cur);
  return out;
}

function pathsFor(route: RouteInfo, urls: UrlIndex): string[] {
  const variants: string[][] = [[]];
  for (const seg of route.segments) {
    let options: string[];
    if (seg.kind === 'locale') options = [seg.pattern];
    else if (seg.kind === 'regex') options = [sampleFor(seg.pattern) ?? ''];
    else {
      options = [''];
      let last = 0;
      for (const m of seg.pattern.matchAll(/<(?:([^>:]+):)?([^>]+)>/g)) {
        const lit = seg.pattern.slice(last, m.index);
        last = m.index! + m[0].length;
        const conv = m[1] ?? 'str';
        const custom = urls.converters.get(conv);
        const samples = custom?.regex ? [sampleFor(custom.regex) ?? 'x'] : SAMPLES[conv] ?? ['x'];
        const bad = custom ? 'zz' : BAD_SAMPLES[conv];
        const next: string[] = [];
        for (const o of options) {
          for (const s of samples) next.push(o + lit + s);
          if (bad) next.push(o + lit + bad);
        }
        options = next.slice(0, 6);
      }
      options = options.map((o) => o + seg.pattern.slice(last));
    }
    const grown: string[][] = [];
    for (const v of variants) for (const o of options) grown.push([...v, o]);
    variants.splice(0, variants.length, ...grown.slice(0, 12));
  }
  const out = new Set<string>();
  for (const v of variants) {
    const p = `/${v.join('')}`;
    out.add(p);
    out.add(`${p}extra/`);
    if (p.endsWith('/') && p.length > 1) out.add(p.slice(0, -1));
    out.add(p.toUpperCase());
  }
  return [...out];
}

interface OracleMatch {
  route: string;
  url_name: string | null;
  namespace: string;
  view: { module: string | null; qualname: string | null };
  args: ArgValue[];
  kwargs: Record<string, ArgValue>;
}

function describeOurs(urls: UrlIndex, resolver: StaticResolver, path: string): string {
  const r = resolver.resolve(path, { appendSlash: false });
  if (!r.match) return 'no match';
  const route = urls.routes[r.match.route];
  if (route.kind === 'admin') return `admin ${route.route}`;
  const ns = route.namespaces.join(':');
  // ResolverMatch.route joins the levels without the leading "^" of inner regexes (_join_route).
  const djangoRoute = route.segments.map((s, i) => (i > 0 && s.kind === 'regex' ? s.pattern.replace(/^\^/, '') : s.pattern)).join('');
  // A custom converter's to_python() is not run statically: its raw capture is compared as
  // Django's converted value's text only when to_python is the identity; otherwise just the key.
  const kwargs = Object.fromEntries(Object.entries(r.match.kwargs).map(([k, v]) => [k, r.match!.unconverted.includes(k) ? '(custom)' : String(v)]));
  return JSON.stringify([djangoRoute, route.name, ns, route.view?.module ?? null, route.view?.qualname ?? null, r.match.args.map((a) => (a === null ? 'null' : String(a))), kwargs]);
}

function describeDjango(m: OracleMatch | null, customKeys: string[]): string {
  if (!m) return 'no match';
  if (m.namespace === 'admin' || m.namespace.startsWith('admin:')) return `admin ${m.route.split('/')[0]}/`;
  return JSON.stringify([m.route, m.url_name, m.namespace, m.view.module, m.view.qualname, m.args.map((a) => (a === null ? 'null' : String(a))), Object.fromEntries(Object.entries(m.kwargs).map(([k, v]) => [k, customKeys.includes(k) ? '(custom)' : String(v)]))]);
}

describe('Trace URL agrees with Django resolve()', function () {
  this.timeout(180_000);
  before(function () {
    if (!djangoAvailable()) {
      if (process.env.CI) throw new Error('Debian python3-django is required in CI (scripts/ensure-django.sh)');
      this.skip();
    }
  });

  const totals = { paths: 0, agree: 0, matched: 0 };
  after(() => {
    if (totals.paths) console.log(`      resolve oracle: ${totals.agree}/${totals.paths} paths agree (${totals.matched} resolved by Django)`);
  });

  for (const project of PROJECTS) {
    it(project, async () => {
      const dir = join(repoRoot, project);
      const ws = await Workspace.open({ roots: [dir] });
      const p = ws.projects()[0];
      const urls = p.urls;
      const resolver = new StaticResolver(urls);
      const paths = new Set<string>(['/', '/nope/', '/admin/', '/admin/login/']);
      for (const r of urls.routes) if (r.kind !== 'admin') for (const path of pathsFor(r, urls)) paths.add(path);
      const list = [...paths];
      const oracle = JSON.parse(execFileSync(PYTHON, [join(repoRoot, 'test/oracle/django_resolve.py'), dir, ...list], { encoding: 'utf8', env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' }, maxBuffer: 64 * 1024 * 1024 })) as { results: { path: string; match: OracleMatch | null }[] };
      const disagreements: string[] = [];
      for (const { path, match } of oracle.results) {
        totals.paths++;
        if (match) totals.matched++;
        const ours = describeOurs(urls, resolver, path);
        const theirs = describeDjango(match, resolver.resolve(path, { appendSlash: false }).match?.unconverted ?? []);
        if (ours === theirs) totals.agree++;
        else disagreements.push(`${path}\n  ours:   ${ours}\n  django: ${theirs}`);
      }
      assert.ok(list.length >= 30, `generated paths (${list.length})`);
      assert.deepEqual(disagreements, [], `${disagreements.length} of ${list.length} paths disagree`);
    });
  }

  it('builtin converter regexes are Django 3.2\'s', () => {
    const out = execFileSync(PYTHON, ['-c', 'import json; from django.urls.converters import DEFAULT_CONVERTERS as D; print(json.dumps({k: v.regex for k, v in D.items()}))'], { encoding: 'utf8' });
    assert.deepEqual(JSON.parse(out), Object.fromEntries(Object.entries(BUILTIN_CONVERTERS).map(([k, v]) => [k, v.regex])));
  });
});
