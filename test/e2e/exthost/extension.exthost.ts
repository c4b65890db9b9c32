/**
 * Django Lens inside the real VS Code extension host (code-server), on a copy of examples/blog:
 * activation and the API `activate()` returns, every contributed command registered, the
 * commands run without error (with the arguments the tree passes them), and the Request
 * Lifecycle tree data provider serving middleware and the URL router with the blog's routes.
 * Loaded by index.exthost.ts; driven by test/e2e/exthost-run.mjs from scripts/e2e.sh. Waits poll
 * the state they need with a deadline; nothing relies on a fixed sleep.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { DjangoLensApi } from '../../../client/src/extension';
import type { LensNode } from '../../../client/src/lifecycleModel';
import { LifecycleRequest, ProjectSummaryRequest } from '../../../server/src/shared/protocol';

const EXTENSION_ID = 'django-lens.django-lens';

/** Every route of examples/blog (mysite/urls.py and blog/urls.py), as the tree labels them. */
const BLOG_ROUTES = [
  '/admin/',
  '/posts/',
  '/blog/',
  '/blog/<int:pk>/',
  '/blog/archive/<yyyy:year>/',
  '/blog/<int:pk>/comment/',
  '/blog/search/',
  '/blog/authors/',
];

async function until<T>(what: string, probe: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 45_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function descendants(nodes: LensNode[]): LensNode[] {
  return nodes.flatMap((n) => [n, ...descendants(n.children ?? [])]);
}

const isRoute = (n: LensNode) => /\broute\b/.test(n.contextValue ?? '');

describe('Django Lens in the extension host (examples/blog)', () => {
  let ext: vscode.Extension<DjangoLensApi>;
  let api: DjangoLensApi;
  let folder: string;

  /** The lifecycle tree's roots once the server has answered with the project. */
  const lifecycleRoots = () =>
    until('the Request Lifecycle tree to list the URL router', () => {
      const roots = api.lifecycle.lifecycle.getChildren();
      return roots.some((n) => n.label === 'URL router') && roots;
    });
  const routeNode = async (label: string) => {
    const node = descendants(await lifecycleRoots()).find((n) => isRoute(n) && n.label === label);
    assert.ok(node, `no route node ${label}`);
    return node;
  };

  before(async () => {
    const found = vscode.extensions.getExtension<DjangoLensApi>(EXTENSION_ID);
    assert.ok(found, `extension ${EXTENSION_ID} is not loaded`);
    ext = found;
    folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? '';
  });

  it('activates on the blog workspace and hands out its client and views', async () => {
    assert.ok(existsSync(join(folder, 'manage.py')), `workspace folder ${folder} holds no manage.py`);
    // workspaceContains:**/manage.py activates it on its own; activate() returns the same API.
    api = await ext.activate();
    assert.equal(ext.isActive, true);
    assert.ok(api?.client, 'activate() returned no client');
    assert.ok(api.lifecycle, 'activate() returned no lifecycle view');
    assert.equal(api.client.isRunning(), true);
    const summary = await until('the server to finish indexing', async () => {
      const s = await api.client.sendRequest<ProjectSummaryRequest.Result>(ProjectSummaryRequest.method, {});
      return s.ready && s;
    });
    assert.equal(summary.projects.length, 1);
    assert.equal(summary.projects[0].root, folder);
    assert.equal(summary.projects[0].settingsModule, 'mysite.settings.dev');
    assert.equal(summary.projects[0].routeCount, 9);
  });

  it('registers every command the manifest contributes', async () => {
    const contributed = (ext.packageJSON.contributes.commands as { command: string }[]).map((c) => c.command);
    for (const id of ['djangoLens.restartServer', 'djangoLens.showOutput', 'djangoLens.traceUrl', 'djangoLens.copyUrlPattern', 'djangoLens.traceRoute', 'djangoLens.revealInEditor', 'djangoLens.revealCurrent', 'djangoLens.refreshLifecycle']) {
      assert.ok(contributed.includes(id), `${id} is not in package.json`);
    }
    const registered = new Set(await vscode.commands.getCommands(true));
    const missing = contributed.filter((c) => !registered.has(c));
    assert.deepEqual(missing, [], `contributed but not registered: ${missing.join(', ')}`);
  });

  it('the lifecycle tree data provider lists middleware and the URL router with the blog routes', async () => {
    const provider = api.lifecycle.lifecycle;
    const roots = await lifecycleRoots();
    // One project: its parts are the roots (then "Inconclusive" when parts could not be read).
    assert.deepEqual(roots.slice(0, 4).map((n) => n.label), ['Request', 'Middleware', 'URL router', 'Response']);
    assert.ok(roots.slice(4).every((n) => n.label === 'Inconclusive'), roots.map((n) => n.label).join(', '));
    const middleware = provider.getChildren(roots.find((n) => n.label === 'Middleware'));
    assert.match(middleware[0].label, /^1\. SecurityMiddleware$/);
    assert.ok(middleware.some((n) => /CsrfViewMiddleware/.test(n.label)), middleware.map((n) => n.label).join(', '));
    const router = roots.find((n) => n.label === 'URL router')!;
    assert.match(router.description ?? '', /ROOT_URLCONF = mysite\.urls · 9 routes/);
    const routes = descendants(provider.getChildren(router)).filter(isRoute);
    const labels = routes.map((n) => n.label);
    for (const r of BLOG_ROUTES) assert.ok(labels.includes(r), `route ${r} missing from ${labels.join(', ')}`);
    assert.ok(labels.some((l) => l.startsWith('/blog/') && l.includes('tag/')), `no tag_detail route in ${labels.join(', ')}`);
    assert.equal(routes.length, 9);
    // The tree items VS Code renders, and the parent links reveal() relies on.
    const posts = routes.find((n) => n.label === '/posts/')!;
    const item = provider.getTreeItem(posts);
    assert.equal(item.label, '/posts/');
    assert.equal(item.contextValue, 'route navigable');
    assert.equal(item.collapsibleState, vscode.TreeItemCollapsibleState.Collapsed);
    assert.equal(provider.getParent(posts), router);
    const view = provider.getChildren(posts)[0];
    assert.equal(view.label, 'post_list');
    assert.equal(provider.getTreeItem(view).command?.command, 'djangoLens.revealInEditor');
    // The same data the server sends.
    const raw = await api.client.sendRequest<LifecycleRequest.Result>(LifecycleRequest.method, {});
    assert.equal(raw.projects[0].routes.filter((r) => r.kind !== 'include').length, routes.length);
  });

  it('djangoLens.showOutput and djangoLens.refreshLifecycle run', async () => {
    await vscode.commands.executeCommand('djangoLens.showOutput');
    await vscode.commands.executeCommand('djangoLens.refreshLifecycle');
    assert.ok((await lifecycleRoots()).length >= 4);
  });

  it('djangoLens.traceUrl resolves the path it is given', async () => {
    const text = await vscode.commands.executeCommand<string | undefined>('djangoLens.traceUrl', '/posts/');
    assert.ok(text, 'traceUrl returned no trace');
    assert.equal(api.lifecycle.lastTraceText, text);
    const labels = api.lifecycle.trace.getChildren().map((n) => n.label);
    assert.equal(labels[0], 'GET /posts/');
    assert.ok(labels.includes('Middleware out'), labels.join(', '));
    assert.ok(descendants(api.lifecycle.trace.getChildren()).some((n) => n.label === 'post_list'));
    const post = await vscode.commands.executeCommand<string | undefined>('djangoLens.traceUrl', 'POST /blog/42/comment/');
    assert.ok(post);
    assert.equal(api.lifecycle.trace.getChildren()[0].label, 'POST /blog/42/comment/');
  });

  it('djangoLens.copyUrlPattern copies the pattern of the route it is given', async () => {
    const node = await routeNode('/blog/<int:pk>/comment/');
    await vscode.commands.executeCommand('djangoLens.copyUrlPattern', node);
    assert.equal(await vscode.env.clipboard.readText(), '/blog/<int:pk>/comment/');
    // Without a node (the command palette hides it, but a keybinding could call it) it does nothing.
    await vscode.commands.executeCommand('djangoLens.copyUrlPattern');
  });

  it('djangoLens.traceRoute asks with the route\'s example path and traces it', async () => {
    const node = await routeNode('/blog/<int:pk>/');
    const traced = Promise.resolve(vscode.commands.executeCommand<string | undefined>('djangoLens.traceRoute', node));
    let done = false;
    void traced.finally(() => { done = true; });
    // Accept the input box (prefilled with /blog/1/) once it is open.
    await until('the Trace URL input box to accept', async () => {
      if (!done) await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
      await new Promise((r) => setTimeout(r, 150));
      return done;
    }, 20_000);
    assert.ok(await traced, 'traceRoute returned no trace');
    assert.equal(api.lifecycle.trace.getChildren()[0].label, 'GET /blog/1/');
  });

  it('djangoLens.revealInEditor opens the view, and djangoLens.revealCurrent finds its route', async () => {
    const posts = await routeNode('/posts/');
    const view = posts.children!.find((n) => n.label === 'post_list')!;
    assert.ok(view.location, 'the post_list node has no location');
    await vscode.commands.executeCommand('djangoLens.revealInEditor', view);
    const editor = await until('the view to open in an editor', () => vscode.window.activeTextEditor?.document.uri.fsPath === view.location!.file && vscode.window.activeTextEditor);
    assert.equal(editor.selection.active.line, view.location.span[0]);
    assert.match(editor.document.lineAt(view.location.span[0]).text, /def post_list\(/);
    assert.equal(await vscode.commands.executeCommand<boolean>('djangoLens.revealCurrent'), true);
  });

  it('djangoLens.restartServer restarts the server and the tree comes back', async () => {
    const before = api.lifecycle.lifecycle.getChildren();
    await vscode.commands.executeCommand('djangoLens.restartServer');
    assert.equal(api.client.isRunning(), true);
    const roots = await lifecycleRoots();
    assert.notEqual(roots, before, 'the tree was not rebuilt');
    assert.equal(descendants(roots).filter(isRoute).length, 9);
    assert.ok(await vscode.commands.executeCommand<string | undefined>('djangoLens.traceUrl', '/posts/'));
  });

  it('djangoLens.severity "off" and djangoLens.exclude reach the server, the tree and the diagnostics', async () => {
    const prod = vscode.Uri.file(join(folder, 'mysite', 'settings', 'prod.py'));
    const postsFindings = async () => {
      const posts = await routeNode('/posts/');
      return (posts.children ?? []).find((n) => n.label === 'Findings')?.children?.map((n) => n.label.split(' ')[0]) ?? [];
    };
    assert.ok((await until('DJL102 on /posts/ in the tree', async () => (await postsFindings()).includes('DJL102')) ));
    assert.ok(await until('diagnostics on mysite/settings/prod.py', () => vscode.languages.getDiagnostics(prod).length > 0));
    const config = vscode.workspace.getConfiguration('djangoLens');
    try {
      await config.update('severity', { DJL102: 'off' }, vscode.ConfigurationTarget.Workspace);
      await config.update('exclude', ['mysite/settings/prod.py'], vscode.ConfigurationTarget.Workspace);
      await until('DJL102 to leave the /posts/ findings in the tree', async () => !(await postsFindings()).includes('DJL102'));
      await until('the excluded prod.py to lose its diagnostics', () => vscode.languages.getDiagnostics(prod).length === 0);
      const summary = await api.client.sendRequest<ProjectSummaryRequest.Result>(ProjectSummaryRequest.method, {});
      assert.equal(summary.projects[0].routeCount, 9);
    } finally {
      await config.update('severity', undefined, vscode.ConfigurationTarget.Workspace);
      await config.update('exclude', undefined, vscode.ConfigurationTarget.Workspace);
    }
    await until('DJL102 back on /posts/', async () => (await postsFindings()).includes('DJL102'));
    await until('prod.py diagnostics back', () => vscode.languages.getDiagnostics(prod).length > 0);
  });
});
