/**
 * The workspace: every Python file and template candidate under the workspace folders, each
 * file's facts (parsed once per version, cached), and the Django projects discovered in it.
 *
 * Indexing: the file list is walked once, files are parsed (in worker threads when there are
 * many, see indexPool.ts) and their facts cached. Editing: `updateFile` reparses one file
 * (incrementally, with the previous tree, for open documents) and drops the derived project
 * objects, which are rebuilt lazily from the cached facts of every other file.
 */
import { existsSync, readdirSync, realpathSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve as resolvePath, sep } from 'node:path';
import { DEFAULT_MAX_FILE_BYTES, excludeMatcher, readSource, walkWorkspace } from './files';
import { type Chunk, type ModuleFacts, extractChunked, extractFacts } from './python/facts';
import { ModuleMap } from './python/modules';
import { loadPython, parsePython, type Tree } from './python/parser';
import { stringValue } from './python/ast';
import { Project, type ProjectSpec } from './project/project';
import { parseTemplate, type TemplateFile } from './templates/parser';
import type { Problem } from './types';
import type { Language } from 'web-tree-sitter';

export interface WorkspaceOptions {
  roots: string[];
  /** `djangoLens.settingsModule`: overrides discovery for every project. */
  settingsModule?: string;
  maxFileBytes?: number;
  /** `djangoLens.exclude`: globs, relative to a root, of files and folders that are not indexed. */
  exclude?: string[];
  /** Worker threads for cold indexing of more than 200 files (default 2). */
  workers?: number;
  /** Let this thread parse a share of the files too (the CLI; not the language server). */
  mainThreadShare?: boolean;
  onProgress?: (done: number, total: number) => void;
  /** Parser for a batch of files in other threads; injected so the core has no thread code. */
  parallelParse?: (files: string[], maxBytes: number, onDone: (n: number) => void, threads: number) => Promise<Map<string, FileFacts>>;
}

export interface FileFacts {
  facts?: ModuleFacts;
  problem?: string;
  size: number;
}

interface PyEntry extends FileFacts {
  version: number;
  /** Kept only for open documents, for incremental reparsing. */
  tree?: Tree;
  text?: string;
  /** Per-statement facts of an open document, reused across its edits. */
  chunks?: Chunk[];
}

export class Workspace {
  private py = new Map<string, PyEntry>();
  private templateFiles = new Set<string>();
  private templateCache = new Map<string, { text: string; parsed: TemplateFile }>();
  private dirCache = new Map<string, string[]>();
  private manageFiles: string[] = [];
  private projectCache: Project[] | undefined;
  /** The last projects built, and what changed since (for reusing their unaffected parts). */
  private previousProjects: Project[] | undefined;
  private changedSince = new Set<string>();
  private fileSetChanged = false;
  private moduleMaps = new Map<string, ModuleMap>();
  private language!: Language;
  readonly problems: Problem[] = [];
  /** Increases on every change; consumers compare it to know when to refresh. */
  version = 0;

  private constructor(readonly options: WorkspaceOptions) {}

  static async open(options: WorkspaceOptions): Promise<Workspace> {
    const ws = new Workspace({ ...options, roots: options.roots.map((r) => resolvePath(r)) });
    ws.language = await loadPython();
    await ws.indexAll();
    return ws;
  }

  /** Matches `options.exclude`; undefined without globs. */
  private get excluded(): ((path: string) => boolean) | undefined {
    if (this.excludeCache === null) this.excludeCache = excludeMatcher(this.options.roots, this.options.exclude);
    return this.excludeCache;
  }
  private excludeCache: ((path: string) => boolean) | undefined | null = null;

  get maxBytes(): number {
    return this.options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
  }

  private async indexAll(): Promise<void> {
    const walked = walkWorkspace(this.options.roots, { exclude: this.excluded });
    this.problems.push(...walked.problems);
    this.manageFiles = walked.manageFiles;
    for (const t of walked.templates) this.templateFiles.add(t);
    const files = walked.python;
    const total = files.length;
    let done = 0;
    const report = (n: number) => {
      done += n;
      this.options.onProgress?.(done, total);
    };
    const parse = (list: string[]) => {
      for (const f of list) {
        this.setEntry(f, parseFile(f, this.maxBytes, this.language));
        report(1);
      }
    };
    const workers = this.options.workers ?? 2;
    if (!this.options.parallelParse || files.length <= 200 || workers < 1) {
      parse(files);
      return;
    }
    // With `mainThreadShare`, this thread parses every (workers+1)-th file while the workers parse
    // the rest: on a 2-core machine one worker plus a warm main thread beats two cold workers.
    // The language server leaves its main thread free for requests instead.
    const stride = this.options.mainThreadShare ? workers + 1 : 0;
    const mine = stride ? files.filter((_, i) => i % stride === 0) : [];
    const theirs = stride ? files.filter((_, i) => i % stride !== 0) : files;
    const pending = this.options.parallelParse(theirs, this.maxBytes, report, workers).catch(() => undefined);
    parse(mine);
    const results = await pending;
    if (!results) {
      parse(theirs); // no worker threads here: parse on this thread instead
      return;
    }
    for (const f of theirs) this.setEntry(f, results.get(f) ?? { size: 0, problem: 'not parsed' });
  }

  private setEntry(file: string, r: FileFacts): void {
    const old = this.py.get(file);
    old?.tree?.delete();
    this.py.set(file, { ...r, version: (old?.version ?? 0) + 1 });
    if (r.problem) this.problems.push({ file, message: r.problem });
  }

  /** Facts of a Python file, or undefined when it is unknown or could not be read. */
  facts(file: string): ModuleFacts | undefined {
    return this.py.get(file)?.facts;
  }

  fileProblem(file: string): string | undefined {
    return this.py.get(file)?.problem;
  }

  pythonFiles(): string[] {
    return [...this.py.keys()];
  }

  /** The current text of an open document (undefined for files only on disk). */
  openText(file: string): string | undefined {
    return this.py.get(file)?.text;
  }

  /**
   * A file changed: `text` is the open document's content (undefined: re-read from disk).
   * With `edits` (incremental changes from the editor) tree-sitter reuses the previous tree.
   */
  updateFile(file: string, text?: string, edits?: TreeEdit[]): void {
    if (!this.py.has(file) && !this.templateFiles.has(file) && this.excluded?.(file)) return;
    this.invalidate(file, !this.py.has(file) && file.endsWith('.py'));
    if (file.endsWith('.py')) {
      const existed = this.py.has(file);
      if (text === undefined) {
        this.setEntry(file, parseFile(file, this.maxBytes, this.language));
      } else {
        const old = this.py.get(file);
        let tree: Tree;
        if (old?.tree && edits?.length) {
          for (const edit of edits) old.tree.edit(edit);
          tree = parsePython(text, old.tree);
          old.tree.delete();
          old.tree = undefined;
        } else {
          old?.tree?.delete();
          if (old) old.tree = undefined;
          tree = parsePython(text);
        }
        const { facts, chunks } = extractChunked(tree, this.language, text, old?.chunks);
        this.py.set(file, { facts, size: text.length, version: (old?.version ?? 0) + 1, tree, text, chunks });
      }
      if (!existed && basename(file) === 'manage.py') this.manageFiles.push(file);
      return;
    }
    this.templateCache.delete(file);
    if (!this.templateFiles.has(file)) {
      this.templateFiles.add(file);
      this.dirCache.clear();
    }
    if (text !== undefined) this.templateCache.set(file, { text, parsed: parseTemplate(text) });
  }

  /**
   * Runs `fn` on the syntax tree of a Python file, for checks that read function bodies. Open
   * documents use their live tree; other files are parsed again and the tree is freed after `fn`.
   */
  withTree<T>(file: string, fn: (tree: Tree, text: string) => T): T | undefined {
    const e = this.py.get(file);
    if (!e?.facts) return undefined;
    if (e.tree && e.text !== undefined) return fn(e.tree, e.text);
    const r = readSource(file, this.maxBytes);
    if (r.text === undefined) return undefined;
    const tree = parsePython(r.text);
    try {
      return fn(tree, r.text);
    } finally {
      tree.delete();
    }
  }

  /** The text of a file: the open document's, else the file on disk. */
  text(file: string): string | undefined {
    const e = this.py.get(file);
    if (e?.text !== undefined) return e.text;
    const t = this.templateCache.get(file);
    if (t) return t.text;
    return readSource(file, this.maxBytes).text;
  }

  /** A document was closed: drop its tree and text, keep its facts. */
  closeFile(file: string): void {
    const e = this.py.get(file);
    if (e) {
      e.tree?.delete();
      e.tree = undefined;
      e.text = undefined;
      e.chunks = undefined;
    }
    this.templateCache.delete(file);
  }

  removeFile(file: string): void {
    this.invalidate(file, this.py.has(file));
    this.py.get(file)?.tree?.delete();
    this.py.delete(file);
    this.templateFiles.delete(file);
    this.templateCache.delete(file);
    this.manageFiles = this.manageFiles.filter((f) => f !== file);
    this.dirCache.clear();
  }

  /** A parsed template (from the open document or from disk), cached until it changes. */
  template(file: string): { text: string; parsed: TemplateFile } | undefined {
    const hit = this.templateCache.get(file);
    if (hit) return hit;
    const r = readSource(file, this.maxBytes);
    if (r.text === undefined) return undefined;
    const entry = { text: r.text, parsed: parseTemplate(r.text) };
    this.templateCache.set(file, entry);
    return entry;
  }

  listDir(dir: string): string[] {
    const hit = this.dirCache.get(dir);
    if (hit) return hit;
    const out: string[] = [];
    const seen = new Set<string>();
    const visit = (d: string, depth: number) => {
      let real: string;
      try {
        real = realpathSync.native(d);
      } catch {
        return;
      }
      // Real paths, so that a symlink loop below a template folder is listed once.
      if (depth > 20 || seen.has(real)) return;
      seen.add(real);
      let entries;
      try {
        entries = readdirSync(d, { withFileTypes: true });
      } catch {
        return;
      }
      for (const e of entries) {
        const p = join(d, e.name);
        let isDir = e.isDirectory();
        if (e.isSymbolicLink()) {
          try {
            isDir = statSync(p).isDirectory();
          } catch {
            continue;
          }
        }
        if (isDir) visit(p, depth + 1);
        else out.push(p);
      }
    };
    visit(dir, 0);
    out.sort();
    this.dirCache.set(dir, out);
    return out;
  }

  private invalidate(file: string, fileSetChanges: boolean): void {
    this.version++;
    if (this.projectCache) this.previousProjects = this.projectCache;
    this.projectCache = undefined;
    this.changedSince.add(file);
    if (fileSetChanges) {
      this.fileSetChanged = true;
      this.moduleMaps.clear();
    }
  }

  /** The Django projects in the workspace (discovered from manage.py/wsgi.py/asgi.py). */
  projects(): Project[] {
    if (this.projectCache) return this.projectCache;
    const specs = this.discover();
    const source = { facts: (f: string) => this.facts(f), listDir: (d: string) => this.listDir(d) };
    let files: string[] | undefined;
    const changed = this.fileSetChanged ? undefined : new Set(this.changedSince);
    this.projectCache = specs.map((spec) => {
      const key = spec.sourceRoots.join('\0');
      let map = this.moduleMaps.get(key);
      if (!map) {
        files ??= [...this.py.keys()];
        map = new ModuleMap(spec.sourceRoots, files);
        this.moduleMaps.set(key, map);
      }
      const prev = this.previousProjects?.find((p) => p.root === spec.root && p.spec.settingsModule === spec.settingsModule && p.modules === map);
      return new Project(spec, map, source, prev ? { project: prev, changed } : undefined);
    });
    this.previousProjects = undefined;
    this.changedSince.clear();
    this.fileSetChanged = false;
    return this.projectCache;
  }

  /** The project a file belongs to (deepest root containing it). */
  projectFor(file: string): Project | undefined {
    // The deepest project root that contains the file; a file outside every root belongs to the
    // first project whose modules include it (a shared package on a common source root).
    let best: Project | undefined;
    for (const p of this.projects()) {
      if (file.startsWith(p.root + sep) && (!best || p.root.length > best.root.length)) best = p;
    }
    return best ?? this.projects().find((p) => p.modules.moduleOf(file) !== undefined) ?? this.projects()[0];
  }

  private discover(): ProjectSpec[] {
    const specs: ProjectSpec[] = [];
    const seenRoots = new Set<string>();
    const sourceRootsFor = (root: string): string[] => {
      const out = [root];
      for (const ws of this.options.roots) {
        if (!out.includes(ws) && root.startsWith(ws)) out.push(ws);
        const src = join(ws, 'src');
        if (!out.includes(src) && existsSync(src)) out.push(src);
      }
      return out;
    };
    const override = this.options.settingsModule?.trim();
    for (const manage of [...this.manageFiles].sort()) {
      const root = dirname(manage);
      if (seenRoots.has(root)) continue;
      seenRoots.add(root);
      const found = override || this.settingsFromFile(manage);
      specs.push({ root, settingsModule: found ?? null, discoveredBy: override ? 'djangoLens.settingsModule' : found ? 'manage.py' : 'none', sourceRoots: sourceRootsFor(root) });
    }
    if (specs.length === 0) {
      // No manage.py: a wsgi.py/asgi.py that sets DJANGO_SETTINGS_MODULE marks a project too.
      for (const [file] of this.py) {
        const b = basename(file);
        if (b !== 'wsgi.py' && b !== 'asgi.py') continue;
        const settings = override || this.settingsFromFile(file);
        if (!settings) continue;
        // The settings module's top package sits in the folder that is on sys.path.
        const top = settings.split('.')[0];
        let pkg = dirname(file);
        while (basename(pkg) !== top && dirname(pkg) !== pkg) pkg = dirname(pkg);
        const root = basename(pkg) === top ? dirname(pkg) : dirname(dirname(file));
        if (seenRoots.has(root)) continue;
        seenRoots.add(root);
        specs.push({ root, settingsModule: settings, discoveredBy: b, sourceRoots: sourceRootsFor(root) });
      }
    }
    if (specs.length === 0) {
      for (const ws of this.options.roots) {
        specs.push({ root: ws, settingsModule: override || null, discoveredBy: override ? 'djangoLens.settingsModule' : 'none', sourceRoots: sourceRootsFor(ws), library: !override });
      }
    }
    return specs;
  }

  /** `os.environ.setdefault("DJANGO_SETTINGS_MODULE", "x.settings")` anywhere in the file. */
  private settingsFromFile(file: string): string | undefined {
    const facts = this.facts(file);
    for (const site of facts?.calls ?? []) {
      if (site.name !== 'setdefault') continue;
      const [k, v] = site.call.args;
      if (stringValue(k) === 'DJANGO_SETTINGS_MODULE') return stringValue(v);
    }
    return undefined;
  }
}

export interface TreeEdit {
  startIndex: number;
  oldEndIndex: number;
  newEndIndex: number;
  startPosition: { row: number; column: number };
  oldEndPosition: { row: number; column: number };
  newEndPosition: { row: number; column: number };
}

/** Reads and parses one file into facts; never throws. Used on the main thread and in workers. */
export function parseFile(file: string, maxBytes: number, language: Language): FileFacts {
  const r = readSource(file, maxBytes);
  if (r.text === undefined) return { size: r.size, problem: r.problem };
  try {
    const tree = parsePython(r.text);
    try {
      const facts = extractFacts(tree, language);
      return { size: r.size, facts, problem: r.problem };
    } finally {
      tree.delete();
    }
  } catch (e) {
    return { size: r.size, problem: `cannot parse: ${(e as Error).message}` };
  }
}
