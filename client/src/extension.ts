/**
 * The VS Code side of Django Lens: starts the language server (dist/server.js) over Node IPC and
 * shows its state in the status bar. All analysis happens in the server; this file only wires
 * VS Code to it. The client id `djangoLens` makes vscode-languageclient honour the
 * `djangoLens.trace.server` setting.
 */
import * as vscode from 'vscode';
import {
  LanguageClient,
  type LanguageClientOptions,
  type ServerOptions,
  State,
  TransportKind,
} from 'vscode-languageclient/node';
import {
  IndexChangedNotification,
  ProjectSummaryRequest,
  type ProjectSummaryResult,
} from '../../server/src/shared/protocol';
import { LifecycleView } from './lifecycleView';
import { setUpTemplateLanguage } from './templateLanguage';

const CLIENT_ID = 'djangoLens';
const CLIENT_NAME = 'Django Lens';
const CONFIG_SECTION = 'djangoLens';

let client: LanguageClient | undefined;
let status: StatusItem | undefined;

/** What the extension hands to its tests (test/e2e/exthost): the running client and the views. */
export interface DjangoLensApi {
  client: LanguageClient;
  lifecycle: LifecycleView;
}

export async function activate(context: vscode.ExtensionContext): Promise<DjangoLensApi> {
  const output = vscode.window.createOutputChannel(CLIENT_NAME, { log: true });
  context.subscriptions.push(output);
  status = new StatusItem();
  context.subscriptions.push(status);

  const serverModule = context.asAbsolutePath('dist/server.js');
  const serverOptions: ServerOptions = {
    run: { module: serverModule, transport: TransportKind.ipc },
    debug: { module: serverModule, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', '--inspect=6009'] } },
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [
      { scheme: 'file', language: 'python' },
      { scheme: 'file', language: 'django-html' },
      { scheme: 'file', pattern: '**/templates/**/*.{html,txt}' },
    ],
    // File watching is registered by the server itself (dynamic registration), so that every
    // LSP editor gets it; the client only forwards configuration changes.
    synchronize: { configurationSection: CONFIG_SECTION },
    // A function, so that a restart picks up changed settings.
    initializationOptions: () => initializationOptions(),
    outputChannel: output,
  };

  const lc = new LanguageClient(CLIENT_ID, CLIENT_NAME, serverOptions, clientOptions);
  client = lc;
  const statusItem = status;
  const lifecycle = new LifecycleView(lc, output);
  context.subscriptions.push(
    lifecycle,
    setUpTemplateLanguage(),
    lc.onDidChangeState((e) => {
      if (e.newState === State.Running) {
        void statusItem.refresh(lc);
        void lifecycle.refresh();
      } else if (e.newState === State.Starting) {
        statusItem.indexing();
        lifecycle.setState('indexing');
      } else {
        statusItem.stopped();
        lifecycle.setState('stopped');
      }
    }),
    lc.onNotification(IndexChangedNotification.method, (_params: IndexChangedNotification.Params) => {
      void statusItem.refresh(lc);
      void lifecycle.refresh();
    }),
    vscode.commands.registerCommand('djangoLens.showOutput', () => output.show(true)),
    vscode.commands.registerCommand('djangoLens.restartServer', async () => {
      statusItem.indexing();
      try {
        if (lc.isRunning()) await lc.stop();
        await lc.start();
        void vscode.window.showInformationMessage('Django Lens: server restarted.');
      } catch (err) {
        output.error(`Restarting the server failed: ${errorText(err)}`);
        void vscode.window.showErrorMessage('Django Lens: the server could not be restarted. See the output for details.');
        statusItem.failed();
      }
    }),
  );

  statusItem.indexing();
  try {
    await lc.start();
  } catch (err) {
    output.error(`Starting the server failed: ${errorText(err)}`);
    statusItem.failed();
  }
  return { client: lc, lifecycle };
}

export async function deactivate(): Promise<void> {
  const lc = client;
  client = undefined;
  status?.dispose();
  status = undefined;
  if (lc) await lc.stop().catch(() => undefined);
}

/** The `djangoLens.*` settings the server reads at start-up (empty values are left out). */
function initializationOptions(): Record<string, unknown> {
  const config = vscode.workspace.getConfiguration(CONFIG_SECTION);
  const options: Record<string, unknown> = {};
  const settingsModule = config.get<string>('settingsModule', '').trim();
  if (settingsModule) options.settingsModule = settingsModule;
  const maxFileSize = config.get<number>('maxFileSize');
  if (typeof maxFileSize === 'number') options.maxFileSize = maxFileSize;
  const severity = config.get<Record<string, string>>('severity');
  if (severity && Object.keys(severity).length) options.severity = severity;
  const exclude = config.get<string[]>('exclude');
  if (exclude?.length) options.exclude = exclude;
  return options;
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** The status-bar item. It learns the server's state through ProjectSummaryRequest only. */
class StatusItem implements vscode.Disposable {
  private readonly item: vscode.StatusBarItem;
  /** Increases with every request, so that a late answer never overwrites a newer one. */
  private generation = 0;
  private retry: NodeJS.Timeout | undefined;
  private retryDelay = 500;

  constructor() {
    this.item = vscode.window.createStatusBarItem('djangoLens.status', vscode.StatusBarAlignment.Left, 0);
    this.item.name = CLIENT_NAME;
    this.item.command = 'djangoLens.showOutput';
    this.indexing();
    this.item.show();
  }

  indexing(): void {
    this.item.text = '$(sync~spin) Django';
    this.item.tooltip = 'Django Lens is indexing the workspace';
  }

  stopped(): void {
    this.clearRetry();
    this.item.text = '$(circle-slash) Django';
    this.item.tooltip = 'The Django Lens server is not running';
  }

  failed(): void {
    this.clearRetry();
    this.item.text = '$(warning) Django';
    this.item.tooltip = 'The Django Lens server failed. Click to show the output.';
  }

  async refresh(lc: LanguageClient): Promise<void> {
    const generation = ++this.generation;
    this.clearRetry();
    let result: ProjectSummaryResult;
    try {
      result = await lc.sendRequest<ProjectSummaryRequest.Result>(ProjectSummaryRequest.method, {} satisfies ProjectSummaryRequest.Params);
    } catch (err) {
      if (generation !== this.generation || !lc.isRunning()) return;
      lc.outputChannel.warn(`${ProjectSummaryRequest.method} failed: ${errorText(err)}`);
      this.failed();
      return;
    }
    if (generation !== this.generation) return;
    if (!result.ready) {
      this.indexing();
      // IndexChangedNotification normally reports the end of indexing; ask again in case it was
      // sent before this answer arrived.
      this.retry = setTimeout(() => { if (lc.isRunning()) void this.refresh(lc); }, this.retryDelay);
      this.retryDelay = Math.min(this.retryDelay * 2, 10_000);
      return;
    }
    this.retryDelay = 500;
    const n = result.projects.length;
    const name = n === 1 ? result.projects[0].settingsModule?.split('.')[0] ?? result.projects[0].root.split(/[\\/]/).pop() : undefined;
    this.item.text = n === 0 ? 'Django: no project' : n === 1 ? `$(check) Django: ${name}` : `$(check) Django: ${n} projects`;
    this.item.tooltip = tooltip(result);
  }

  private clearRetry(): void {
    if (this.retry) clearTimeout(this.retry);
    this.retry = undefined;
  }

  dispose(): void {
    this.clearRetry();
    this.generation++;
    this.item.dispose();
  }
}

function tooltip(result: ProjectSummaryResult): vscode.MarkdownString {
  const md = new vscode.MarkdownString();
  if (!result.projects.length) {
    md.appendMarkdown('No Django project found in this workspace (no `manage.py`, `wsgi.py` or `asgi.py` with a settings module).');
    return md;
  }
  for (const p of result.projects) {
    md.appendMarkdown(`**${escape(p.settingsModule ?? '(settings not found)')}**  \n`);
    md.appendMarkdown(`${escape(p.root)}  \n`);
    md.appendMarkdown(`${p.apps.length} apps · ${p.routeCount} routes · ${p.viewCount} views · ${p.modelCount} models · ${p.templateCount} templates  \n`);
    for (const problem of p.problems.slice(0, 5)) md.appendMarkdown(`$(warning) ${escape(problem)}  \n`);
    if (p.problems.length > 5) md.appendMarkdown(`… and ${p.problems.length - 5} more  \n`);
    md.appendMarkdown('\n');
  }
  md.supportThemeIcons = true;
  return md;
}

function escape(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|<>]/g, '\\$&');
}
