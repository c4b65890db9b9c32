/**
 * Finding and reading the workspace's files without ever failing on bad input: folders that
 * never hold project code are skipped, symlink loops are cut by real path, binary and oversized
 * files are reported and left out, and text is decoded as Python would (a PEP 263 coding
 * cookie, else UTF-8) with a Latin-1 fallback that loses no byte.
 */
import { readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { isAbsolute, join, relative, sep } from 'node:path';
import type { Problem } from './types';

export const DEFAULT_MAX_FILE_BYTES = 2 * 1024 * 1024;

/** Folders that hold no project code (virtualenvs, VCS data, caches, build output, JS deps). */
const SKIPPED_DIRS = new Set([
  '.git', '.hg', '.svn', 'node_modules', '__pycache__', '.mypy_cache', '.pytest_cache', '.ruff_cache',
  '.tox', '.nox', '.venv', 'venv', '.env', 'env', 'site-packages', '.idea', '.vscode', '.e2e', 'dist-packages',
  '.eggs', 'htmlcov', '.cache',
]);

/**
 * A glob (`djangoLens.exclude`, `--exclude`) as a regular expression over a `/`-separated path
 * relative to the workspace root. `**` spans any number of folders, including none (a leading
 * `**` and a slash also match at the top; a trailing slash and `**` also match the folder itself,
 * so the walk skips it whole); `*` and `?` stay inside one path segment; a trailing `/` is ignored.
 */
export function globToRegExp(glob: string): RegExp {
  const g = glob.trim().replace(/\\/g, '/').replace(/^(\.\/)+/, '').replace(/^\/+/, '').replace(/\/+$/, '');
  let re = '';
  for (let i = 0; i < g.length;) {
    if (g.startsWith('**/', i) && (i === 0 || g[i - 1] === '/')) { re += '(?:.*/)?'; i += 3; }
    else if (g.startsWith('/**', i) && i + 3 === g.length) { re += '(?:/.*)?'; i += 3; }
    else if (g.startsWith('**', i)) { re += '.*'; i += 2; }
    else if (g[i] === '*') { re += '[^/]*'; i++; }
    else if (g[i] === '?') { re += '[^/]'; i++; }
    else { re += g[i].replace(/[.+^${}()|[\]\\]/g, '\\$&'); i++; }
  }
  return new RegExp(`^${re}$`);
}

/**
 * A predicate for `WalkOptions.exclude`: true when the path, relative to the root that holds it,
 * matches one of the globs. Undefined when there are no globs.
 */
export function excludeMatcher(roots: string[], globs: string[] | undefined): ((path: string) => boolean) | undefined {
  const res = (globs ?? []).filter((g) => g.trim()).map(globToRegExp);
  if (!res.length) return undefined;
  return (path) => {
    for (const root of roots) {
      const rel = relative(root, path);
      if (!rel || isAbsolute(rel) || rel === '..' || rel.startsWith(`..${sep}`)) continue;
      const p = sep === '/' ? rel : rel.split(sep).join('/');
      if (res.some((r) => r.test(p))) return true;
    }
    return false;
  };
}

export interface WalkOptions {
  exclude?: (path: string) => boolean;
}

export interface WalkResult {
  python: string[];
  /** Every non-Python file under a folder named `templates` (candidates for Django templates). */
  templates: string[];
  manageFiles: string[];
  problems: Problem[];
}

/** Lists the workspace's Python files and template candidates, following symlinks once each. */
export function walkWorkspace(roots: string[], options: WalkOptions = {}): WalkResult {
  const result: WalkResult = { python: [], templates: [], manageFiles: [], problems: [] };
  const seen = new Set<string>();
  const visit = (dir: string, inTemplates: boolean, depth: number): void => {
    if (depth > 40) {
      result.problems.push({ file: dir, message: 'folder nesting deeper than 40 levels; not read further' });
      return;
    }
    let real: string;
    try {
      real = realpathSync.native(dir);
    } catch (e) {
      result.problems.push({ file: dir, message: `cannot read folder: ${(e as Error).message}` });
      return;
    }
    if (seen.has(real)) return; // a symlink loop or a second link to the same folder
    seen.add(real);
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch (e) {
      result.problems.push({ file: dir, message: `cannot read folder: ${(e as Error).message}` });
      return;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const ent of entries) {
      const p = join(dir, ent.name);
      if (options.exclude?.(p)) continue;
      let isDir = ent.isDirectory();
      let isFile = ent.isFile();
      if (ent.isSymbolicLink()) {
        try {
          const st = statSync(p);
          isDir = st.isDirectory();
          isFile = st.isFile();
        } catch {
          continue; // dangling link
        }
      }
      if (isDir) {
        if (SKIPPED_DIRS.has(ent.name) || ent.name.endsWith('.egg-info')) continue;
        visit(p, inTemplates || ent.name === 'templates' || ent.name === 'jinja2', depth + 1);
      } else if (isFile) {
        if (ent.name.endsWith('.py') || ent.name.endsWith('.pyi')) {
          if (ent.name.endsWith('.py')) result.python.push(p);
          if (ent.name === 'manage.py') result.manageFiles.push(p);
        } else if (inTemplates) {
          result.templates.push(p);
        }
      }
    }
  };
  for (const r of roots) visit(r, false, 0);
  return result;
}

export interface ReadResult {
  text?: string;
  /** Why the file was not read, or how it was read differently (a clear message for the log). */
  problem?: string;
  size: number;
}

const CODING_COOKIE = /^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)/;

/** Reads a source file; never throws. */
export function readSource(path: string, maxBytes = DEFAULT_MAX_FILE_BYTES): ReadResult {
  let size = 0;
  try {
    size = statSync(path).size;
    if (size > maxBytes) {
      return { size, problem: `skipped: ${(size / 1048576).toFixed(1)} MB is over the ${(maxBytes / 1048576).toFixed(1)} MB limit (djangoLens.maxFileSize)` };
    }
    return { size, ...decode(readFileSync(path)) };
  } catch (e) {
    return { size, problem: `cannot read: ${(e as Error).message}` };
  }
}

/** Decodes file bytes as Python would; binary content (NUL bytes) is refused. */
export function decode(bytes: Uint8Array): { text?: string; problem?: string } {
  const head = bytes.subarray(0, 8192);
  if (head.includes(0)) return { problem: 'skipped: binary content (NUL bytes)' };
  let start = 0;
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) start = 3;
  const body = bytes.subarray(start);
  // PEP 263: a coding cookie on one of the first two lines.
  const firstLines = Buffer.from(body.subarray(0, 512)).toString('latin1').split(/\r?\n/, 2);
  for (const line of firstLines) {
    const m = CODING_COOKIE.exec(line);
    if (m) {
      const enc = m[1].toLowerCase().replace(/_/g, '-');
      // Python's Latin-1 is ISO-8859-1 byte for byte (WHATWG's "latin1" label means windows-1252).
      if (['latin-1', 'latin1', 'iso-8859-1', 'iso8859-1', 'l1', 'iso-latin-1'].includes(enc)) {
        return { text: Buffer.from(body).toString('latin1') };
      }
      if (enc !== 'utf-8' && enc !== 'utf8') {
        try {
          return { text: new TextDecoder(enc).decode(body) };
        } catch {
          break; // an encoding Node does not know: fall through to UTF-8
        }
      }
      break;
    }
  }
  try {
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(body) };
  } catch {
    return { text: Buffer.from(body).toString('latin1'), problem: 'not valid UTF-8: read as Latin-1' };
  }
}
