/**
 * The static URL resolver behind *Trace URL*: given a concrete path (`/posts/42/`), it finds the
 * route Django's resolver would pick, without running the project. It follows
 * django/urls/resolvers.py: the root pattern is `^/`; each level of an `include()` matches a
 * prefix of what is left (`regex.search`, anchored by `^` for `path()`), endpoints must consume the
 * rest (`path()` appends `\Z`; a `re_path()` ending in `$` is full-matched), patterns are tried in
 * declaration order, and keyword arguments win over positional ones. The flattened route list of
 * the URL index is already in Django's depth-first order, so the first route whose every level
 * matches is Django's match; later routes that match too are reported as shadowed.
 *
 * Python regexes are translated to JavaScript ones by `pythonRegexToJs`, which handles the
 * differences that matter for URL patterns (named groups, `\Z`/`\A`, Python's `$`, Unicode `\d` and
 * `\w`, literal braces, a leading `]` in a class, inline flags, verbose mode) and refuses what it
 * cannot translate faithfully instead of guessing; such routes are reported as inconclusive.
 *
 * Pure core: no LSP, no file access.
 */
import type { RouteInfo, RouteSegment, UrlIndex } from './urls';

// ---------------------------------------------------------------------------------------------
// Python regex → JavaScript regex

export type Translated = { ok: true; source: string; flags: string } | { ok: false; error: string };

const QUANTIFIER = /^\{(\d*)(,(\d*))?\}/;
/** Characters that need a backslash to be literal in a JavaScript `u`-mode regex. */
const JS_SYNTAX = new Set([...'^$\\.*+?()[]{}|/']);
const PY_WORD_UNICODE = '\\p{L}\\p{N}_';

/**
 * Translates a Python `re` pattern (str pattern, default flags) into a JavaScript regex with the
 * `u` flag. Returns an error for constructs JavaScript cannot express the same way.
 */
export function pythonRegexToJs(pattern: string): Translated {
  let flags = new Set<string>();
  let src = pattern;
  // Global inline flags at the start: (?aiLmsux).
  for (;;) {
    const m = /^\(\?([aiLmsux]+)\)/.exec(src);
    if (!m) break;
    for (const f of m[1]) flags.add(f);
    src = src.slice(m[0].length);
  }
  if (flags.has('L')) return { ok: false, error: 'the LOCALE flag (?L) has no JavaScript equivalent' };
  if (flags.has('x')) src = stripVerbose(src);
  const ascii = flags.has('a');
  let out = '';
  let i = 0;
  let groupNames = new Set<string>();
  const err = (error: string): Translated => ({ ok: false, error });
  while (i < src.length) {
    const c = src[i];
    if (c === '\\') {
      const t = translateEscape(src, i, ascii, false);
      if ('error' in t) return err(t.error);
      out += t.text;
      i = t.next;
      continue;
    }
    if (c === '[') {
      const t = translateClass(src, i, ascii);
      if ('error' in t) return err(t.error);
      out += t.text;
      i = t.next;
      continue;
    }
    if (c === '(') {
      if (src.startsWith('(?P<', i)) {
        const end = src.indexOf('>', i);
        if (end < 0) return err('unterminated group name');
        const name = src.slice(i + 4, end);
        if (!/^[\p{L}_][\p{L}\p{N}_]*$/u.test(name)) return err(`bad group name ${name}`);
        if (groupNames.has(name)) return err(`redefinition of group name ${name}`);
        groupNames.add(name);
        out += `(?<${name}>`;
        i = end + 1;
        continue;
      }
      if (src.startsWith('(?P=', i)) {
        const end = src.indexOf(')', i);
        if (end < 0) return err('unterminated backreference');
        out += `\\k<${src.slice(i + 4, end)}>`;
        i = end + 1;
        continue;
      }
      if (src.startsWith('(?#', i)) {
        const end = src.indexOf(')', i);
        if (end < 0) return err('unterminated comment');
        i = end + 1;
        continue;
      }
      if (src.startsWith('(?:', i) || src.startsWith('(?=', i) || src.startsWith('(?!', i) || src.startsWith('(?<=', i) || src.startsWith('(?<!', i)) {
        const len = src.startsWith('(?<', i) ? 4 : 3;
        out += src.slice(i, i + len);
        i += len;
        continue;
      }
      if (src[i + 1] === '?') return err(`unsupported group ${src.slice(i, i + 4)}…`);
      out += '(';
      i++;
      continue;
    }
    if (c === '{') {
      const q = QUANTIFIER.exec(src.slice(i));
      // Python reads `{` as a literal unless it starts a valid quantifier; `{,n}` means `{0,n}`.
      if (q && (q[1] !== '' || q[3] !== undefined && q[3] !== '')) {
        const min = q[1] === '' ? '0' : q[1];
        out += q[2] === undefined ? `{${min}}` : `{${min},${q[3] ?? ''}}`;
        i += q[0].length;
        if (src[i] === '+') return err('possessive quantifiers have no JavaScript equivalent');
        continue;
      }
      out += '\\{';
      i++;
      continue;
    }
    if (c === '}') {
      out += '\\}';
      i++;
      continue;
    }
    if (c === '$') {
      // Python's `$` (without MULTILINE) also matches before a final newline.
      out += flags.has('m') ? '$' : '(?=\\n?(?![\\s\\S]))';
      i++;
      continue;
    }
    if ((c === '+' || c === '*' || c === '?' || c === '}') && src[i + 1] === '+') {
      return err('possessive quantifiers have no JavaScript equivalent');
    }
    if (c === '.') {
      out += flags.has('s') ? '[\\s\\S]' : '[^\\n]';
      i++;
      continue;
    }
    out += c === '/' ? '\\/' : c;
    i++;
  }
  const jsFlags = `u${flags.has('i') ? 'i' : ''}${flags.has('m') ? 'm' : ''}`;
  try {
    new RegExp(out, jsFlags);
  } catch (e) {
    return err(`not translatable: ${(e as Error).message}`);
  }
  return { ok: true, source: out, flags: jsFlags };
}

function stripVerbose(src: string): string {
  let out = '';
  let inClass = false;
  for (let i = 0; i < src.length; i++) {
    const c = src[i];
    if (c === '\\') {
      out += c + (src[i + 1] ?? '');
      i++;
      continue;
    }
    if (inClass) {
      if (c === ']') inClass = false;
      out += c;
      continue;
    }
    if (c === '[') inClass = true;
    if (/\s/.test(c)) continue;
    if (c === '#') {
      while (i < src.length && src[i] !== '\n') i++;
      continue;
    }
    out += c;
  }
  return out;
}

type Piece = { text: string; next: number } | { error: string };

function translateEscape(src: string, i: number, ascii: boolean, inClass: boolean): Piece {
  const n = src[i + 1];
  if (n === undefined) return { error: 'trailing backslash' };
  const next = i + 2;
  switch (n) {
    case 'd': return { text: ascii ? '\\d' : inClass ? '\\p{Nd}' : '\\p{Nd}', next };
    case 'D': return { text: ascii ? '\\D' : '\\P{Nd}', next };
    case 'w': return { text: ascii ? '\\w' : inClass ? PY_WORD_UNICODE : `[${PY_WORD_UNICODE}]`, next };
    case 'W':
      if (ascii) return { text: '\\W', next };
      if (inClass) return { error: '\\W inside a character class' };
      return { text: `[^${PY_WORD_UNICODE}]`, next };
    case 's': case 'S': case 'n': case 't': case 'r': case 'f': case 'v':
      return { text: `\\${n}`, next };
    case 'b': return inClass ? { text: '\\x08', next } : ascii ? { text: '\\b', next } : { error: '\\b with Unicode word characters' };
    case 'B': return inClass ? { error: '\\B inside a class' } : ascii ? { text: '\\B', next } : { error: '\\B with Unicode word characters' };
    case 'A': return inClass ? { error: '\\A inside a class' } : { text: '(?<![\\s\\S])', next };
    case 'Z': return inClass ? { error: '\\Z inside a class' } : { text: '(?![\\s\\S])', next };
    case 'x': {
      const m = /^[0-9a-fA-F]{2}/.exec(src.slice(next));
      return m ? { text: `\\x${m[0]}`, next: next + 2 } : { error: 'bad \\x escape' };
    }
    case 'u': {
      const m = /^[0-9a-fA-F]{4}/.exec(src.slice(next));
      return m ? { text: `\\u${m[0]}`, next: next + 4 } : { error: 'bad \\u escape' };
    }
    case 'U': {
      const m = /^[0-9a-fA-F]{8}/.exec(src.slice(next));
      return m ? { text: `\\u{${m[0].replace(/^0+(?=.)/, '')}}`, next: next + 8 } : { error: 'bad \\U escape' };
    }
    case 'N': return { error: '\\N{...} escapes are not translated' };
    default:
      if (/[1-9]/.test(n)) {
        if (inClass) return { error: 'octal escape in a class' };
        const m = /^\d{1,2}/.exec(src.slice(i + 1))!;
        return { text: `\\${m[0]}`, next: i + 1 + m[0].length };
      }
      if (n === '0') return { error: 'octal escapes are not translated' };
      if (/[A-Za-z]/.test(n)) return { error: `bad escape \\${n}` };
      // Any other escaped character is literal in Python; JavaScript's `u` mode only accepts
      // escapes of its syntax characters (and `-` inside a class).
      if (JS_SYNTAX.has(n) || (inClass && n === '-')) return { text: `\\${n}`, next };
      return { text: n, next };
  }
}

function translateClass(src: string, start: number, ascii: boolean): Piece {
  let i = start + 1;
  let out = '[';
  if (src[i] === '^') {
    out += '^';
    i++;
  }
  // A `]` right after `[` or `[^` is a literal in Python.
  if (src[i] === ']') {
    out += '\\]';
    i++;
  }
  for (; i < src.length; i++) {
    const c = src[i];
    if (c === ']') return { text: `${out}]`, next: i + 1 };
    if (c === '\\') {
      const t = translateEscape(src, i, ascii, true);
      if ('error' in t) return t;
      out += t.text;
      i = t.next - 1;
      continue;
    }
    if (c === '[') out += '\\[';
    else if (c === '/') out += '\\/';
    else out += c;
  }
  return { error: 'unterminated character class' };
}

// ---------------------------------------------------------------------------------------------
// Converters and route patterns

interface ConverterInfo {
  regex: string;
  /** How to_python converts: int() for int, UUID() for uuid, the string itself otherwise. */
  convert: 'int' | 'uuid' | 'str' | 'custom';
  cls?: string;
}

/** django/urls/converters.py DEFAULT_CONVERTERS. */
export const BUILTIN_CONVERTERS: Record<string, ConverterInfo> = {
  int: { regex: '[0-9]+', convert: 'int' },
  path: { regex: '.+', convert: 'str' },
  slug: { regex: '[-a-zA-Z0-9_]+', convert: 'str' },
  str: { regex: '[^/]+', convert: 'str' },
  uuid: { regex: '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}', convert: 'uuid' },
};

const PARAMETER = /<(?:([^>:]+):)?([^>]+)>/g;

interface CompiledSegment {
  regex?: RegExp;
  error?: string;
  /** Converter per keyword argument of a `path()` segment. */
  converters?: Map<string, ConverterInfo>;
}

/**
 * Compiles one level of a route the way RoutePattern/RegexPattern/LocalePrefixPattern would:
 * `endpoint` is true for the last level of a route that reaches a view.
 */
function compileSegment(seg: RouteSegment, endpoint: boolean, converters: UrlIndex['converters']): CompiledSegment {
  if (seg.kind === 'locale') {
    return { regex: new RegExp(escapeJs(seg.pattern), 'uy') };
  }
  if (seg.kind === 'regex') {
    const t = pythonRegexToJs(seg.pattern);
    if (!t.ok) return { error: `regex ${JSON.stringify(seg.pattern)}: ${t.error}` };
    // RegexPattern.match: fullmatch for an endpoint ending in `$`, search otherwise.
    if (endpoint && seg.pattern.endsWith('$')) return { regex: new RegExp(`(?:${t.source})(?![\\s\\S])`, `${t.flags}y`) };
    return { regex: new RegExp(t.source, t.flags) };
  }
  // RoutePattern: _route_to_regex(route, is_endpoint).
  let source = '^';
  const conv = new Map<string, ConverterInfo>();
  let last = 0;
  for (const m of seg.pattern.matchAll(PARAMETER)) {
    if (/\s/.test(m[0])) return { error: `route ${JSON.stringify(seg.pattern)} has whitespace in <${m[0]}>: Django refuses it` };
    source += escapeJs(seg.pattern.slice(last, m.index));
    last = m.index! + m[0].length;
    const name = m[2];
    const raw = m[1] ?? 'str';
    let info: ConverterInfo | undefined = BUILTIN_CONVERTERS[raw];
    const custom = converters.get(raw);
    if (custom) {
      // register_converter() replaces a built-in of the same name.
      if (custom.regex === undefined) return { error: `converter "${raw}" (${custom.cls}) has no literal regex` };
      info = { regex: custom.regex, convert: 'custom', cls: custom.cls };
    }
    if (!info) return { error: `unknown converter "${raw}" in ${JSON.stringify(seg.pattern)}` };
    const t = pythonRegexToJs(info.regex);
    if (!t.ok) return { error: `converter "${raw}" regex ${JSON.stringify(info.regex)}: ${t.error}` };
    if (t.flags !== 'u') return { error: `converter "${raw}" uses inline flags` };
    source += `(?<${name}>${t.source})`;
    conv.set(name, info);
  }
  source += escapeJs(seg.pattern.slice(last));
  if (endpoint) source += '(?![\\s\\S])';
  try {
    return { regex: new RegExp(source, 'u'), converters: conv };
  } catch (e) {
    return { error: `route ${JSON.stringify(seg.pattern)}: ${(e as Error).message}` };
  }
}

function escapeJs(text: string): string {
  return text.replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&');
}

// ---------------------------------------------------------------------------------------------
// Resolution

export type ArgValue = string | number | null;

export interface SegmentMatch {
  pattern: string;
  kind: RouteSegment['kind'];
  /** The part of the path this level consumed. */
  matched: string;
}

export interface RouteMatch {
  /** Index into the project's route list. */
  route: number;
  args: ArgValue[];
  kwargs: Record<string, ArgValue>;
  /**
   * Keyword arguments captured by a registered custom converter: shown as captured, because its
   * `to_python()` would have to run to know the converted value.
   */
  unconverted: string[];
  segments: SegmentMatch[];
}

export interface PartialMatch {
  /** The route whose prefix levels matched furthest. */
  route: number;
  /** The levels that matched, outermost first. */
  matched: SegmentMatch[];
  /** What was left of the path when the next level failed. */
  remaining: string;
  /** The patterns tried at the failing level (one per route sharing that prefix). */
  tried: string[];
}

export interface ResolveResult {
  /** The path as typed. */
  input: string;
  /** The path handed to the resolver (leading `/`, no query string, percent-decoded). */
  path: string;
  notes: string[];
  match?: RouteMatch;
  /** Routes after the match that would match the same path: Django never reaches them. */
  shadowed: RouteMatch[];
  /** Without a match: the deepest prefixes that matched, and where each failed. */
  partial: PartialMatch[];
  /** Without a match: CommonMiddleware's APPEND_SLASH redirect target, when it would resolve. */
  appendSlash?: { path: string; match: RouteMatch };
  /** Routes that could not be tested (untranslatable regex, unknown converter, unread include). */
  inconclusive: { route: number; reason: string }[];
  /** Routes that could be tested. */
  tested: number;
}

export interface ResolveOptions {
  /** True when CommonMiddleware is active and APPEND_SLASH is on (Django's default). */
  appendSlash?: boolean;
}

/** Normalises what the user typed into what Django's resolver sees (request.path_info). */
export function normalizePath(input: string): { path: string; notes: string[] } {
  const notes: string[] = [];
  let p = input.trim();
  const url = /^[a-z][a-z0-9+.-]*:\/\/[^/]*(\/.*)?$/i.exec(p);
  if (url) {
    p = url[1] ?? '/';
    notes.push('scheme and host removed');
  }
  const q = p.search(/[?#]/);
  if (q >= 0) {
    p = p.slice(0, q);
    notes.push('query string and fragment ignored');
  }
  if (!p.startsWith('/')) {
    p = `/${p}`;
    notes.push('a leading "/" was added');
  }
  try {
    const decoded = decodeURIComponent(p);
    if (decoded !== p) notes.push('percent-escapes decoded');
    p = decoded;
  } catch {
    notes.push('malformed percent-escapes left as they are');
  }
  return { path: p, notes };
}

/** A compiled route list, reusable for many paths (the oracle test resolves hundreds). */
export class StaticResolver {
  private compiled: (CompiledSegment[] | { error: string })[];

  constructor(private readonly urls: Pick<UrlIndex, 'routes' | 'converters'>) {
    this.compiled = urls.routes.map((r) => this.compileRoute(r));
  }

  private compileRoute(r: RouteInfo): CompiledSegment[] | { error: string } {
    if (r.inconclusive) return { error: r.inconclusive };
    if (!r.segments.length) return { error: 'the route has no pattern' };
    const endpointRoute = r.kind !== 'include' && r.kind !== 'admin';
    const out: CompiledSegment[] = [];
    for (let k = 0; k < r.segments.length; k++) {
      const seg = compileSegment(r.segments[k], endpointRoute && k === r.segments.length - 1, this.urls.converters);
      if (seg.error) return { error: seg.error };
      out.push(seg);
    }
    return out;
  }

  resolve(input: string, options: ResolveOptions = {}): ResolveResult {
    const { path, notes } = normalizePath(input);
    const result: ResolveResult = { input, path, notes, shadowed: [], partial: [], inconclusive: [], tested: 0 };
    const partials: PartialMatch[] = [];
    for (let i = 0; i < this.compiled.length; i++) {
      const c = this.compiled[i];
      if ('error' in c) {
        result.inconclusive.push({ route: i, reason: c.error });
        continue;
      }
      result.tested++;
      const m = this.matchRoute(i, c, path);
      if (m.match) {
        const route = this.urls.routes[i];
        if (route.kind === 'admin') {
          // admin.site.urls is one node in the index: its prefix matched, its own URLs are not read.
          if (!result.match) notes.push(`"${route.route}" is the admin site: its prefix matches; the admin's own URLs are not indexed`);
          if (!result.match) result.match = m.match;
          else result.shadowed.push(m.match);
          continue;
        }
        if (!result.match) result.match = m.match;
        else result.shadowed.push(m.match);
      } else if (m.partial) {
        partials.push(m.partial);
      }
    }
    if (!result.match) {
      result.partial = mergePartials(partials);
      if (options.appendSlash !== false && !path.endsWith('/')) {
        const withSlash = this.resolve(`${path}/`, { appendSlash: false });
        if (withSlash.match) result.appendSlash = { path: withSlash.path, match: withSlash.match };
      }
    }
    return result;
  }

  private matchRoute(index: number, segs: CompiledSegment[], path: string): { match?: RouteMatch; partial?: PartialMatch } {
    // The root resolver's pattern is RegexPattern(r'^/').
    let rest = path.startsWith('/') ? path.slice(1) : null;
    if (rest === null) return {};
    const matched: SegmentMatch[] = [];
    const levels: { args: ArgValue[]; kwargs: Record<string, ArgValue> }[] = [];
    const unconverted: string[] = [];
    const route = this.urls.routes[index];
    for (let k = 0; k < segs.length; k++) {
      const seg = route.segments[k];
      const re = segs[k].regex!;
      re.lastIndex = 0;
      const m = re.exec(rest);
      if (!m) {
        return { partial: { route: index, matched, remaining: rest, tried: [seg.pattern] } };
      }
      // RoutePattern converts each keyword argument; RegexPattern keeps strings, returns no
      // positional arguments when there are named ones, and drops named groups that did not
      // participate; LocalePrefixPattern captures nothing.
      const level: { args: ArgValue[]; kwargs: Record<string, ArgValue> } = { args: [], kwargs: {} };
      if (seg.kind === 'route') {
        for (const [name, value] of Object.entries(m.groups ?? {})) {
          const info = segs[k].converters!.get(name)!;
          level.kwargs[name] = convert(info, value!);
          if (info.convert === 'custom') unconverted.push(name);
        }
      } else if (seg.kind === 'regex') {
        const groups = m.groups ?? {};
        for (const [name, value] of Object.entries(groups)) if (value !== undefined) level.kwargs[name] = value;
        if (!Object.keys(groups).length) level.args = m.slice(1).map((v) => v ?? null);
      }
      levels.push(level);
      const consumed = m.index + m[0].length;
      matched.push({ pattern: seg.pattern, kind: seg.kind, matched: rest.slice(0, consumed) });
      rest = rest.slice(consumed);
    }
    // URLPattern.resolve adds the route's default kwargs; then each enclosing URLResolver merges
    // its kwargs under the inner ones and prepends its positional arguments only while the merged
    // kwargs are empty.
    const inner = levels.pop()!;
    let args = inner.args;
    let kwargs = { ...inner.kwargs };
    if (route.defaultKwargs) for (const k of route.defaultKwargs) kwargs[k] = '(default)';
    while (levels.length) {
      const outer = levels.pop()!;
      kwargs = { ...outer.kwargs, ...kwargs };
      if (!Object.keys(kwargs).length) args = [...outer.args, ...args];
    }
    return { match: { route: index, args, kwargs, unconverted, segments: matched } };
  }
}

function convert(info: ConverterInfo, value: string): ArgValue {
  if (info.convert === 'int') return Number.parseInt(value, 10);
  return value;
}

/**
 * Keeps the partial matches that got furthest for each distinct matched prefix, and gathers the
 * patterns tried at the level where they failed.
 */
function mergePartials(partials: PartialMatch[]): PartialMatch[] {
  const byPrefix = new Map<string, PartialMatch>();
  for (const p of partials) {
    const key = p.matched.map((s) => s.pattern).join('\u0000');
    const existing = byPrefix.get(key);
    if (existing) {
      for (const t of p.tried) if (!existing.tried.includes(t)) existing.tried.push(t);
    } else {
      byPrefix.set(key, { ...p, tried: [...p.tried] });
    }
  }
  const all = [...byPrefix.values()];
  const deepest = Math.max(0, ...all.map((p) => p.matched.length));
  // Report every prefix that matched at least one level, deepest first; with no prefix at all,
  // the top-level patterns that were tried.
  const withPrefix = all.filter((p) => p.matched.length > 0).sort((a, b) => b.matched.length - a.matched.length);
  if (withPrefix.length) return withPrefix.filter((p) => p.matched.length === deepest || withPrefix.length <= 5);
  return all;
}

/** Methods a view accepts, from the require_* decorators (null: any or unknown). */
export function allowedMethods(decorators: string[]): string[] | null {
  for (const d of decorators) {
    const name = d.split('.').pop();
    if (name === 'require_POST') return ['POST'];
    if (name === 'require_GET') return ['GET'];
    if (name === 'require_safe') return ['GET', 'HEAD'];
  }
  return null;
}
