/**
 * URL names the way Django's `reverse()` reads them: `"blog:detail"` walks instance and
 * application namespaces level by level (an application namespace picks its default instance, or
 * the last deployed one), and among the patterns that carry the name, the last one declared is
 * tried first (Django's resolver populates its reverse dictionary from `reversed(url_patterns)`;
 * the urls_nested fixture checks this against Django). Also: the parameters a route takes, whether
 * a set of arguments fits them, and when the URL index is too inconclusive to judge a name.
 */
import type { Project } from '../project/project';
import type { RouteInfo } from '../project/urls';

export interface UrlNameMatch {
  /** Routes that carry the name, the one reverse() would use (ignoring arguments) first. */
  candidates: RouteInfo[];
}

/** Routes reachable under a (possibly namespaced) URL name, in Django's order of preference. */
export function resolveUrlName(routes: RouteInfo[], qualified: string): RouteInfo[] {
  const parts = qualified.split(':');
  const name = parts.pop()!;
  const path = parts;
  const named = routes.filter((r) => r.name === name && r.namespaces.length === path.length);
  if (named.length === 0) return [];
  // Level by level, the instance namespace Django picks for the requested one.
  let chosen: string[] = [];
  let pool = routes.filter((r) => r.namespaces.length >= path.length);
  for (let i = 0; i < path.length; i++) {
    const ns = path[i];
    const atLevel = pool.filter((r) => r.namespaces.length > i && chosen.every((c, j) => r.namespaces[j] === c));
    const instancesOfApp: string[] = [];
    for (const r of atLevel) if (r.appNamespaces[i] === ns && !instancesOfApp.includes(r.namespaces[i])) instancesOfApp.push(r.namespaces[i]);
    let pick = ns;
    if (instancesOfApp.length && !instancesOfApp.includes(ns)) pick = instancesOfApp[instancesOfApp.length - 1];
    chosen = [...chosen, pick];
    pool = atLevel;
  }
  const preferred = named.filter((r) => r.namespaces.every((n, i) => n === chosen[i]));
  // Others that a current_app could select: same name reached through the application namespace.
  const others = named.filter((r) => !preferred.includes(r) && r.namespaces.every((n, i) => n === path[i] || r.appNamespaces[i] === path[i]));
  return [...preferred.reverse(), ...others.reverse()];
}

/** Every distinct qualified URL name of a project, with the route reverse() would use for it. */
export function urlNames(routes: RouteInfo[]): Map<string, RouteInfo[]> {
  const out = new Map<string, RouteInfo[]>();
  for (const r of routes) {
    if (!r.qualifiedName) continue;
    const list = out.get(r.qualifiedName);
    if (list) list.unshift(r);
    else out.set(r.qualifiedName, [r]);
  }
  // Application namespaces are valid spellings too ("blog:detail" when the instance is "news").
  for (const r of routes) {
    if (!r.name || !r.appNamespaces.some((a, i) => a !== null && a !== r.namespaces[i])) continue;
    const alias = [...r.appNamespaces.map((a, i) => a ?? r.namespaces[i]), r.name].join(':');
    if (!out.has(alias)) out.set(alias, resolveUrlName(routes, alias));
  }
  return out;
}

export interface RouteParams {
  /** Parameter names in order (path converters or named regex groups). */
  names: string[];
  /** Converter per name (`int`, `slug` ...), for path() routes. */
  converters: Record<string, string>;
  /** Unnamed regex groups (Django passes these positionally), when the regex has no named group. */
  positional: number;
  /** The parameters cannot be read with confidence (optional groups, alternatives, unknown route). */
  unknown: boolean;
}

const PATH_PARAM = /<(?:(?<conv>[^>:]+):)?(?<name>[^>]+)>/g;

/** The parameters of a route, joined over its include() levels as Django does. */
export function routeParams(route: RouteInfo): RouteParams {
  const out: RouteParams = { names: [], converters: {}, positional: 0, unknown: !!route.inconclusive && route.kind !== 'path' };
  let unnamed = 0;
  for (const seg of route.segments) {
    if (seg.pattern === '?') out.unknown = true;
    if (seg.kind === 'route') {
      for (const m of seg.pattern.matchAll(PATH_PARAM)) {
        out.names.push(m.groups!.name);
        out.converters[m.groups!.name] = m.groups!.conv ?? 'str';
      }
    } else if (seg.kind === 'regex') {
      const g = regexGroups(seg.pattern);
      if (!g) out.unknown = true;
      else {
        out.names.push(...g.named);
        unnamed += g.unnamed;
      }
    }
  }
  if (out.names.length === 0) out.positional = unnamed;
  // Named and unnamed groups together: Django's normalize() gives the unnamed ones hidden names.
  else if (unnamed > 0) out.unknown = true;
  if (route.kind === 'router') out.unknown = true;
  return out;
}

/**
 * Named and unnamed capturing groups of a Python regex, or undefined when Django's `normalize()`
 * would produce several alternatives (quantified groups, `|`) that this reading does not model.
 */
function regexGroups(re: string): { named: string[]; unnamed: number } | undefined {
  const named: string[] = [];
  let unnamed = 0;
  const stack: boolean[] = [];
  let inClass = false;
  for (let i = 0; i < re.length; i++) {
    const c = re[i];
    if (c === '\\') {
      i++;
      continue;
    }
    if (inClass) {
      if (c === ']') inClass = false;
      continue;
    }
    if (c === '[') inClass = true;
    else if (c === '|') return undefined;
    else if (c === '(') {
      if (re.startsWith('(?P<', i)) {
        const end = re.indexOf('>', i);
        named.push(re.slice(i + 4, end));
        stack.push(true);
      } else if (re[i + 1] === '?') stack.push(false);
      else {
        unnamed++;
        stack.push(true);
      }
    } else if (c === ')') {
      const capturing = stack.pop();
      if (capturing && /[?*{]/.test(re[i + 1] ?? '')) return undefined;
    }
  }
  return { named, unnamed };
}

export interface UrlArgs {
  /** Positional argument count, or undefined when not known (`*args`, a variable). */
  positional?: number;
  /** Keyword names, or undefined when not known (`**kwargs`, a dict variable). */
  keywords?: string[];
}

/** Whether Django's reverse() would accept these arguments for this route (undefined: cannot tell). */
export function argsFit(route: RouteInfo, args: UrlArgs): boolean | undefined {
  const p = routeParams(route);
  if (p.unknown) return undefined;
  if (args.positional === undefined || args.keywords === undefined) return undefined;
  const defaults = route.defaultKwargs ?? [];
  if (args.positional > 0 && args.keywords.length > 0) return false; // Django: "Don't mix *args and **kwargs"
  if (args.positional > 0) return args.positional === (p.names.length || p.positional);
  const params = p.names.length ? p.names : [];
  if (p.positional > 0 && args.keywords.length === 0) return false;
  const given = new Set(args.keywords);
  const expected = new Set(params);
  for (const k of given) if (!expected.has(k) && !defaults.includes(k)) return false;
  for (const k of expected) if (!given.has(k) && !defaults.includes(k)) return false;
  return true;
}

/** How the arguments a route takes read in a message or a completion detail. */
export function describeParams(route: RouteInfo): string {
  const p = routeParams(route);
  if (p.unknown) return 'unknown parameters';
  if (p.names.length) return p.names.map((n) => `${n}${p.converters[n] ? `: ${p.converters[n]}` : ''}`).join(', ');
  if (p.positional) return `${p.positional} positional`;
  return 'no parameters';
}

/** The route as a user reads it: the joined pattern with a leading slash. */
export function displayRoute(route: RouteInfo): string {
  return `/${route.route}`;
}

/**
 * Why unknown URL names cannot be judged in this project, or undefined when every name the project
 * can reverse is in the index. Library folders (no settings), unread URLconfs, includes of modules
 * outside the workspace, conditional or router patterns all make the list of names incomplete.
 */
export function urlIndexInconclusive(project: Project): string | undefined {
  if (project.spec.library) return 'no settings module: URL names are read per module';
  const urls = project.urls;
  if (urls.problems.length) return urls.problems[0];
  const bad = urls.routes.find((r) => r.inconclusive);
  if (bad) return bad.inconclusive;
  return undefined;
}

/** True when a name lives under the admin site's namespace, whose patterns are not expanded. */
export function isAdminName(project: Project, qualified: string): boolean {
  if (!qualified.includes(':')) return false;
  const first = qualified.split(':')[0];
  return project.urls.routes.some((r) => r.kind === 'admin') && first === 'admin';
}

/** Close matches for a "did you mean" (edit distance, then shared prefix). */
export function suggest(word: string, options: Iterable<string>, max = 3): string[] {
  const scored: [number, string][] = [];
  for (const o of options) {
    const d = editDistance(word, o);
    const limit = Math.max(2, Math.floor(Math.max(word.length, o.length) / 3));
    if (d <= limit) scored.push([d, o]);
  }
  scored.sort((a, b) => a[0] - b[0] || a[1].localeCompare(b[1]));
  return scored.slice(0, max).map(([, o]) => o);
}

export function editDistance(a: string, b: string): number {
  const m = a.length;
  const n = b.length;
  let prev = Array.from({ length: n + 1 }, (_, j) => j);
  for (let i = 1; i <= m; i++) {
    const cur = [i];
    for (let j = 1; j <= n; j++) cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[n];
}
