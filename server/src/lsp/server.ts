/**
 * The language server: wires LSP requests to the analysis core. It indexes the workspace in the
 * background (reporting `$/progress`), keeps open documents in sync incrementally (tree-sitter
 * reuses the previous tree), reacts to watched-file changes, publishes diagnostics from the check
 * registry, and answers the custom project-summary request. Requests that arrive while the first
 * index is being built are answered from what is known (nothing yet) instead of waiting.
 */
import { availableParallelism } from 'node:os';
import { TextDocument } from 'vscode-languageserver-textdocument';
import {
  type Connection,
  CodeActionKind,
  DidChangeWatchedFilesNotification,
  FileChangeType,
  type InitializeParams,
  type InitializeResult,
  type ServerCapabilities,
  TextDocumentSyncKind,
} from 'vscode-languageserver/node';
import { type SeverityConfig, fixesFor, runChecks, silenceFix } from '../core/checks/registry';
import type { Finding } from '../core/types';
import { type TreeEdit, Workspace } from '../core/workspace';
import { parallelParse } from '../indexPool';
import { IndexChangedNotification, type ProjectSummary, ProjectSummaryRequest } from '../shared/protocol';
import { toCodeAction, toDiagnostic, toPath, toUri } from './convert';
import { FEATURES, type ServerContext } from './features';

interface Settings {
  settingsModule?: string;
  severity?: SeverityConfig;
  maxFileSize?: number;
  exclude?: string[];
}

/** The severities when none are set: one object, so that features can cache on its identity. */
const NO_SEVERITIES: SeverityConfig = Object.freeze({});

export function startServer(connection: Connection): void {
  let roots: string[] = [];
  let settings: Settings = {};
  let workspace: Workspace | undefined;
  let indexing: Promise<void> | undefined;
  const docs = new Map<string, TextDocument>();
  /** Edits that arrived while indexing; replayed once the index exists. */
  const pending = new Map<string, string | null>();
  let published = new Set<string>();
  /** The findings last published, per file: code actions are computed from these. */
  let findingsByFile = new Map<string, Finding[]>();
  let diagnosticsTimer: NodeJS.Timeout | undefined;
  let watchSupported = false;

  const log = (m: string) => connection.console.log(m);

  connection.onInitialize((params: InitializeParams): InitializeResult => {
    roots = (params.workspaceFolders ?? []).map((f) => toPath(f.uri)).filter((p): p is string => !!p);
    if (roots.length === 0 && params.rootUri) {
      const p = toPath(params.rootUri);
      if (p) roots.push(p);
    }
    settings = readSettings(params.initializationOptions);
    watchSupported = !!params.capabilities.workspace?.didChangeWatchedFiles?.dynamicRegistration;
    return {
      capabilities: {
        textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental, save: false },
        codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix] },
        ...mergeCapabilities(FEATURES.map((f) => f.capabilities?.(params) ?? {})),
        workspace: { workspaceFolders: { supported: true } },
      },
      serverInfo: { name: 'django-lens', version: '0.1.0' },
    };
  });

  connection.onInitialized(() => {
    if (watchSupported) {
      void connection.client.register(DidChangeWatchedFilesNotification.type, {
        watchers: [{ globPattern: '**/*.py' }, { globPattern: '**/templates/**' }],
      });
    }
    indexing = reindex();
  });

  async function reindex(): Promise<void> {
    const progress = await connection.window.createWorkDoneProgress().catch(() => undefined);
    progress?.begin('Django Lens: indexing', 0, 'finding files', false);
    const started = Date.now();
    try {
      let lastPct = -1;
      const ws = await Workspace.open({
        roots,
        settingsModule: settings.settingsModule || undefined,
        maxFileBytes: settings.maxFileSize,
        exclude: settings.exclude,
        parallelParse,
        workers: availableParallelism(),
        onProgress: (done, total) => {
          const pct = total ? Math.floor((done / total) * 100) : 100;
          if (pct !== lastPct) {
            lastPct = pct;
            progress?.report(pct, `${done}/${total} files`);
          }
        },
      });
      for (const p of ws.problems) log(`${p.file ? `${p.file}: ` : ''}${p.message}`);
      for (const [file, text] of pending) {
        if (text === null) ws.removeFile(file);
        else ws.updateFile(file, text);
      }
      pending.clear();
      for (const doc of docs.values()) {
        const p = toPath(doc.uri);
        if (p) ws.updateFile(p, doc.getText());
      }
      workspace = ws;
      const projects = ws.projects();
      log(`indexed ${ws.pythonFiles().length} Python files in ${Date.now() - started} ms; ${projects.length} Django project(s)`);
      for (const p of projects) {
        log(`project ${p.root}: settings ${p.spec.settingsModule ?? 'unknown'} (${p.spec.discoveredBy}), ${p.urls.routes.length} routes, ${p.models.models.length} models`);
        for (const m of p.problems) log(`  inconclusive: ${m}`);
      }
    } catch (e) {
      log(`indexing failed: ${(e as Error).stack ?? e}`);
    } finally {
      progress?.done();
    }
    changed();
  }

  function changed(): void {
    void connection.sendNotification(IndexChangedNotification.method, { version: workspace?.version ?? 0 } satisfies IndexChangedNotification.Params);
    if (diagnosticsTimer) clearTimeout(diagnosticsTimer);
    diagnosticsTimer = setTimeout(publishDiagnostics, 150);
  }

  function publishDiagnostics(): void {
    if (!workspace) return;
    let findings: Finding[] = [];
    try {
      findings = runChecks(workspace, settings.severity ?? {});
    } catch (e) {
      log(`checks failed: ${(e as Error).stack ?? e}`);
      return;
    }
    const byFile = new Map<string, Finding[]>();
    for (const f of findings) {
      const list = byFile.get(f.file);
      if (list) list.push(f);
      else byFile.set(f.file, [f]);
    }
    const now = new Set<string>();
    for (const [file, list] of byFile) {
      const uri = toUri(file);
      now.add(uri);
      void connection.sendDiagnostics({ uri, diagnostics: list.map(toDiagnostic) });
    }
    for (const uri of published) if (!now.has(uri)) void connection.sendDiagnostics({ uri, diagnostics: [] });
    published = now;
    findingsByFile = byFile;
  }

  function fileChanged(file: string, text: string | null, edits?: TreeEdit[]): void {
    if (!workspace) {
      pending.set(file, text);
      return;
    }
    try {
      if (text === null) workspace.removeFile(file);
      else workspace.updateFile(file, text, edits);
    } catch (e) {
      log(`update of ${file} failed: ${(e as Error).message}`);
    }
    changed();
  }

  connection.onDidOpenTextDocument(({ textDocument }) => {
    const doc = TextDocument.create(textDocument.uri, textDocument.languageId, textDocument.version, textDocument.text);
    docs.set(textDocument.uri, doc);
    const p = toPath(textDocument.uri);
    if (p) fileChanged(p, doc.getText());
  });

  connection.onDidChangeTextDocument(({ textDocument, contentChanges }) => {
    const doc = docs.get(textDocument.uri);
    if (!doc) return;
    const edits: TreeEdit[] = [];
    let current = doc;
    for (const change of contentChanges) {
      if ('range' in change) {
        const startIndex = current.offsetAt(change.range.start);
        const oldEndIndex = current.offsetAt(change.range.end);
        const oldEnd = current.positionAt(oldEndIndex);
        const start = current.positionAt(startIndex);
        current = TextDocument.update(current, [change], textDocument.version);
        const newEndIndex = startIndex + change.text.length;
        const newEnd = current.positionAt(newEndIndex);
        edits.push({
          startIndex,
          oldEndIndex,
          newEndIndex,
          startPosition: { row: start.line, column: start.character },
          oldEndPosition: { row: oldEnd.line, column: oldEnd.character },
          newEndPosition: { row: newEnd.line, column: newEnd.character },
        });
      } else {
        current = TextDocument.update(current, [change], textDocument.version);
        edits.length = 0; // a full replacement: no incremental reuse
      }
    }
    docs.set(textDocument.uri, current);
    const p = toPath(textDocument.uri);
    if (p) fileChanged(p, current.getText(), edits.length ? edits : undefined);
  });

  connection.onDidCloseTextDocument(({ textDocument }) => {
    docs.delete(textDocument.uri);
    const p = toPath(textDocument.uri);
    if (p && workspace) {
      // The file on disk is the truth again.
      workspace.closeFile(p);
      workspace.updateFile(p);
      changed();
    }
  });

  connection.onDidChangeWatchedFiles(({ changes }) => {
    for (const c of changes) {
      const p = toPath(c.uri);
      if (!p || docs.has(c.uri)) continue; // open documents are tracked through their edits
      if (c.type === FileChangeType.Deleted) fileChanged(p, null);
      else if (workspace) {
        workspace.updateFile(p);
        changed();
      } else pending.set(p, null);
    }
  });

  connection.onDidChangeConfiguration(async () => {
    const cfg = await connection.workspace.getConfiguration('djangoLens').catch(() => undefined);
    const next = readSettings(cfg);
    const reindexNeeded = next.settingsModule !== settings.settingsModule || next.maxFileSize !== settings.maxFileSize
      || (next.exclude ?? []).join('\n') !== (settings.exclude ?? []).join('\n');
    settings = next;
    if (reindexNeeded && indexing) indexing = indexing.then(reindex);
    else changed();
  });

  const context: ServerContext = {
    connection,
    workspace: () => workspace,
    document: (uri) => docs.get(uri),
    log,
    findings: (file) => findingsByFile.get(file) ?? [],
    severities: () => settings.severity ?? NO_SEVERITIES,
  };
  for (const feature of FEATURES) feature.register(context);

  connection.onCodeAction(({ textDocument, range, context }) => {
    const file = toPath(textDocument.uri);
    if (!file || !workspace) return [];
    const ws = workspace;
    const version = (uri: string) => docs.get(uri)?.version ?? null;
    const lines = (ws.text(file) ?? '').split(/\r?\n/);
    const actions = [];
    for (const f of findingsByFile.get(file) ?? []) {
      if (f.span[2] < range.start.line || f.span[0] > range.end.line) continue;
      const diagnostic = context.diagnostics.find((d) => d.code === f.code && d.range.start.line === f.span[0] && d.range.start.character === f.span[1]) ?? toDiagnostic(f);
      for (const fix of fixesFor(ws, f)) actions.push(toCodeAction(fix, diagnostic, version));
      actions.push(toCodeAction(silenceFix(f, lines[f.span[0]] ?? ''), diagnostic, version));
    }
    return actions;
  });

  connection.onRequest(ProjectSummaryRequest.method, (): ProjectSummaryRequest.Result => {
    if (!workspace) return { ready: false, projects: [] };
    return {
      ready: true,
      projects: workspace.projects().map((p): ProjectSummary => ({
        root: p.root,
        settingsModule: p.spec.settingsModule,
        rootUrlconf: p.settings.rootUrlconf,
        apps: p.apps.map((a) => a.label),
        middleware: p.settings.middleware.items.map((m) => m.value),
        routeCount: p.urls.routes.length,
        modelCount: p.models.models.filter((m) => !m.abstract).length,
        viewCount: p.views.length,
        templateCount: p.templates.byName.size,
        problems: p.problems,
      })),
    };
  });

  connection.listen();
}

/** Features' capabilities, with the commands of several `executeCommandProvider`s joined. */
function mergeCapabilities(parts: Partial<ServerCapabilities>[]): Partial<ServerCapabilities> {
  const merged: Partial<ServerCapabilities> = Object.assign({}, ...parts);
  const commands = parts.flatMap((p) => p.executeCommandProvider?.commands ?? []);
  if (commands.length) merged.executeCommandProvider = { commands };
  return merged;
}

function readSettings(raw: unknown): Settings {
  const o = (raw && typeof raw === 'object' ? raw : {}) as Record<string, unknown>;
  const src = (o.djangoLens && typeof o.djangoLens === 'object' ? o.djangoLens : o) as Record<string, unknown>;
  return {
    settingsModule: typeof src.settingsModule === 'string' ? src.settingsModule : undefined,
    severity: src.severity && typeof src.severity === 'object' ? (src.severity as SeverityConfig) : undefined,
    maxFileSize: typeof src.maxFileSize === 'number' ? src.maxFileSize : undefined,
    exclude: Array.isArray(src.exclude) ? src.exclude.filter((g): g is string => typeof g === 'string' && !!g.trim()) : undefined,
  };
}
