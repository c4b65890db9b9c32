/**
 * The "Django" activity-bar container: the Request Lifecycle tree (fed by one LifecycleRequest,
 * refreshed when the server reports an index change) and the Trace URL tree, plus their commands
 * (Trace URL, Copy URL Pattern, Reveal in Editor, reveal the editor's current view). The
 * `djangoLens.state` context key drives the welcome views: indexing, noProject, ready, stopped.
 */
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import {
  type LifecycleLocation,
  LifecycleLocateRequest,
  LifecycleRequest,
  TraceUrlRequest,
} from '../../server/src/shared/protocol';
import { type LensNode, lifecycleNodes, routeKey, traceNodes, traceText } from './lifecycleModel';

export type LensState = 'indexing' | 'noProject' | 'ready' | 'stopped';

class NodeProvider implements vscode.TreeDataProvider<LensNode> {
  private readonly changed = new vscode.EventEmitter<LensNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private roots: LensNode[] = [];
  private parents = new Map<string, LensNode | undefined>();
  private byId = new Map<string, LensNode>();

  set(nodes: LensNode[]): void {
    this.roots = nodes;
    this.parents.clear();
    this.byId.clear();
    const index = (list: LensNode[], parent: LensNode | undefined) => {
      for (const n of list) {
        this.parents.set(n.id, parent);
        this.byId.set(n.id, n);
        if (n.children) index(n.children, n);
      }
    };
    index(nodes, undefined);
    this.changed.fire(undefined);
  }

  get nodes(): LensNode[] {
    return this.roots;
  }

  find(id: string): LensNode | undefined {
    return this.byId.get(id);
  }

  getTreeItem(n: LensNode): vscode.TreeItem {
    const hasChildren = !!n.children?.length;
    const item = new vscode.TreeItem(n.label, hasChildren ? (n.expanded ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.Collapsed) : vscode.TreeItemCollapsibleState.None);
    item.id = n.id;
    item.description = n.description;
    if (n.tooltip) {
      const md = new vscode.MarkdownString(n.tooltip);
      md.supportThemeIcons = true;
      item.tooltip = md;
    }
    if (n.icon) item.iconPath = new vscode.ThemeIcon(n.icon, n.iconColor ? new vscode.ThemeColor(n.iconColor) : undefined);
    item.contextValue = n.contextValue;
    if (n.location) {
      item.command = { command: 'djangoLens.revealInEditor', title: 'Reveal in Editor', arguments: [n] };
      item.resourceUri = undefined;
    }
    return item;
  }

  getChildren(n?: LensNode): LensNode[] {
    return n ? n.children ?? [] : this.roots;
  }

  getParent(n: LensNode): LensNode | undefined {
    return this.parents.get(n.id);
  }
}

export class LifecycleView implements vscode.Disposable {
  readonly lifecycle = new NodeProvider();
  readonly trace = new NodeProvider();
  private readonly lifecycleTree: vscode.TreeView<LensNode>;
  private readonly traceTree: vscode.TreeView<LensNode>;
  private readonly disposables: vscode.Disposable[] = [];
  private generation = 0;
  private revealTimer: NodeJS.Timeout | undefined;
  /** The last trace, for tests and the output channel. */
  lastTraceText = '';

  constructor(private readonly client: LanguageClient, private readonly output: vscode.LogOutputChannel) {
    this.lifecycleTree = vscode.window.createTreeView('djangoLens.lifecycle', { treeDataProvider: this.lifecycle, showCollapseAll: true });
    this.traceTree = vscode.window.createTreeView('djangoLens.trace', { treeDataProvider: this.trace });
    this.disposables.push(
      this.lifecycleTree,
      this.traceTree,
      vscode.commands.registerCommand('djangoLens.refreshLifecycle', () => this.refresh()),
      vscode.commands.registerCommand('djangoLens.traceUrl', (path?: string, method?: string) => this.traceUrl(path, method)),
      vscode.commands.registerCommand('djangoLens.traceRoute', (n?: LensNode) => this.traceUrl(undefined, undefined, n?.examplePath)),
      vscode.commands.registerCommand('djangoLens.copyUrlPattern', async (n?: LensNode) => {
        if (n?.pattern === undefined) return;
        await vscode.env.clipboard.writeText(`/${n.pattern}`);
        void vscode.window.setStatusBarMessage(`Copied /${n.pattern}`, 3000);
      }),
      vscode.commands.registerCommand('djangoLens.revealInEditor', (n?: LensNode) => (n?.location ? this.open(n.location) : undefined)),
      vscode.commands.registerCommand('djangoLens.revealCurrent', () => this.revealCurrent(true)),
      vscode.window.onDidChangeTextEditorSelection((e) => {
        if (e.textEditor === vscode.window.activeTextEditor) this.scheduleReveal();
      }),
      vscode.window.onDidChangeActiveTextEditor(() => this.scheduleReveal()),
    );
    this.setState('indexing');
  }

  setState(state: LensState): void {
    void vscode.commands.executeCommand('setContext', 'djangoLens.state', state);
    if (state !== 'ready') this.lifecycle.set([]);
  }

  /** Asks the server for the lifecycle of every project and redraws the tree. */
  async refresh(): Promise<void> {
    const generation = ++this.generation;
    if (!this.client.isRunning()) {
      this.setState('stopped');
      return;
    }
    let result: LifecycleRequest.Result;
    try {
      result = await this.client.sendRequest<LifecycleRequest.Result>(LifecycleRequest.method, {} satisfies LifecycleRequest.Params);
    } catch (err) {
      this.output.warn(`${LifecycleRequest.method} failed: ${err instanceof Error ? err.message : String(err)}`);
      return;
    }
    if (generation !== this.generation) return;
    if (!result.ready) {
      this.setState('indexing');
      return;
    }
    if (!result.projects.length) {
      this.setState('noProject');
      return;
    }
    this.lifecycle.set(lifecycleNodes(result.projects));
    this.lifecycleTree.message = undefined;
    void vscode.commands.executeCommand('setContext', 'djangoLens.state', 'ready');
  }

  /** Trace URL: asks for a path (and optionally a method: "POST /posts/1/comment/"). */
  async traceUrl(path?: string, method?: string, example?: string): Promise<string | undefined> {
    let input = path;
    if (input === undefined) {
      input = await vscode.window.showInputBox({
        title: 'Django Lens: Trace URL',
        prompt: 'A path to resolve statically, optionally preceded by a method (e.g. /posts/42/ or POST /blog/1/comment/)',
        value: example ?? '/',
        valueSelection: example ? [example.length, example.length] : undefined,
        ignoreFocusOut: true,
      });
      if (input === undefined) return undefined;
    }
    const m = /^\s*(GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS)\s+(.*)$/i.exec(input);
    const params: TraceUrlRequest.Params = { path: m ? m[2] : input.trim(), method: method ?? (m ? m[1].toUpperCase() : 'GET') };
    const result = await this.client.sendRequest<TraceUrlRequest.Result>(TraceUrlRequest.method, params);
    if (!result.trace) {
      void vscode.window.showWarningMessage(`Django Lens: ${result.error ?? 'nothing to trace'}`);
      return undefined;
    }
    const nodes = traceNodes(result.trace);
    this.trace.set(nodes);
    this.traceTree.title = `Trace: ${result.trace.method} ${result.trace.result.path}`;
    this.lastTraceText = traceText(result.trace);
    this.output.info(`Trace URL ${params.method} ${params.path}\n${this.lastTraceText}`);
    await vscode.commands.executeCommand('djangoLens.trace.focus');
    if (nodes[0]) await this.traceTree.reveal(nodes[0], { select: true, focus: false }).then(undefined, () => undefined);
    return this.lastTraceText;
  }

  private async open(loc: LifecycleLocation): Promise<void> {
    const [l1, c1, l2, c2] = loc.span;
    const range = new vscode.Range(l1, c1, l2, c2);
    await vscode.window.showTextDocument(vscode.Uri.file(loc.file), { selection: new vscode.Range(range.start, range.start), preview: true });
  }

  private scheduleReveal(): void {
    if (!this.lifecycleTree.visible) return;
    if (this.revealTimer) clearTimeout(this.revealTimer);
    this.revealTimer = setTimeout(() => void this.revealCurrent(false), 300);
  }

  /** Reveals in the tree the route(s) of the view (or URLconf line) under the cursor. */
  async revealCurrent(focus: boolean): Promise<boolean> {
    const editor = vscode.window.activeTextEditor;
    if (!editor || editor.document.uri.scheme !== 'file' || !this.client.isRunning()) return false;
    const pos = editor.selection.active;
    let result: LifecycleLocateRequest.Result;
    try {
      result = await this.client.sendRequest<LifecycleLocateRequest.Result>(LifecycleLocateRequest.method, { file: editor.document.uri.fsPath, line: pos.line, character: pos.character } satisfies LifecycleLocateRequest.Params);
    } catch {
      return false;
    }
    for (const m of result.matches) {
      for (const index of m.routes) {
        const node = this.lifecycle.find(routeKey(m.root, index));
        if (node) {
          await this.lifecycleTree.reveal(node, { select: true, focus, expand: false }).then(undefined, () => undefined);
          return true;
        }
      }
    }
    return false;
  }

  dispose(): void {
    if (this.revealTimer) clearTimeout(this.revealTimer);
    for (const d of this.disposables) d.dispose();
  }
}
