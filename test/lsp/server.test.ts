/**
 * The language server over the real protocol: the built dist/server.js is spawned with --stdio
 * and driven as an editor would (initialize, progress, custom requests, incremental edits,
 * shutdown). Nothing waits a fixed time: each step waits for the event it expects.
 */
import assert from 'node:assert/strict';
import { cpSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { IndexChangedNotification, ProjectSummaryRequest } from '../../server/src/shared/protocol';
import { tempDir } from '../helpers/fixture';
import { LspClient } from '../helpers/lsp';
import { repoRoot } from '../helpers/paths';

const blogExample = join(repoRoot, 'examples', 'blog');

describe('language server over stdio: examples/blog', function () {
  this.timeout(20000);
  let client: LspClient;
  let initializeResult: any;

  before(async () => {
    client = new LspClient();
    initializeResult = await client.initialize(blogExample);
    await client.waitFor(IndexChangedNotification.method);
  });

  after(() => client?.dispose());

  it('announces incremental sync', () => {
    assert.equal(initializeResult.capabilities.textDocumentSync.change, 2);
    assert.equal(initializeResult.serverInfo.name, 'django-lens');
  });

  it('reports indexing progress on the token it created', () => {
    const create = client.events.find((e) => e.request && e.method === 'window/workDoneProgress/create');
    assert.ok(create, 'window/workDoneProgress/create was requested');
    const kinds = client.events.filter((e) => e.method === '$/progress' && e.params.token === create.params.token).map((e) => e.params.value.kind);
    assert.equal(kinds[0], 'begin');
    assert.equal(kinds[kinds.length - 1], 'end');
    assert.ok(kinds.slice(1, -1).every((k) => k === 'report'), `unexpected progress kinds ${kinds.join(',')}`);
    // The end comes before the index-changed notification the test waited for.
    const endAt = client.events.findIndex((e) => e.method === '$/progress' && e.params.value.kind === 'end');
    const changedAt = client.events.findIndex((e) => e.method === IndexChangedNotification.method);
    assert.ok(endAt < changedAt);
  });

  it('answers the project summary', async () => {
    const summary = await client.connection.sendRequest<ProjectSummaryRequest.Result>(ProjectSummaryRequest.method, {});
    assert.equal(summary.ready, true);
    assert.equal(summary.projects.length, 1);
    const [p] = summary.projects;
    assert.equal(p.root, blogExample);
    assert.equal(p.settingsModule, 'mysite.settings.dev');
    assert.equal(p.rootUrlconf, 'mysite.urls');
    assert.equal(p.routeCount, 9);
    assert.ok(p.apps.includes('blog'), `apps: ${p.apps.join(', ')}`);
    assert.deepEqual(p.apps, ['admin', 'auth', 'contenttypes', 'sessions', 'messages', 'staticfiles', 'blog']);
    assert.ok(p.middleware.length > 0);
    assert.equal(p.middleware[0], 'django.middleware.security.SecurityMiddleware');
  });

  it('shuts down cleanly', async () => {
    assert.equal(await client.shutdown(), 0);
  });
});

describe('language server over stdio: diagnostics follow incremental edits', function () {
  this.timeout(20000);
  let client: LspClient;
  let dir: string;

  before(async () => {
    dir = tempDir('djlens-lsp-');
    cpSync(blogExample, dir, { recursive: true });
    client = new LspClient();
    await client.initialize(dir);
    await client.waitFor(IndexChangedNotification.method);
  });

  after(() => {
    client?.dispose();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('publishes DJL001 for an include cycle typed into blog/urls.py, and clears it when fixed', async () => {
    const file = join(dir, 'blog', 'urls.py');
    const uri = pathToFileURL(file).href;
    const text = readFileSync(file, 'utf8');
    const lines = text.split('\n');
    const importLine = lines.findIndex((l) => l.startsWith('from django.urls import '));
    const closeLine = lines.findIndex((l) => l === ']');
    assert.ok(importLine >= 0 && closeLine > importLine, 'blog/urls.py has the expected shape');

    await client.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'python', version: 1, text } });
    const mark = client.events.length;
    await client.connection.sendNotification('textDocument/didChange', {
      textDocument: { uri, version: 2 },
      contentChanges: [
        { range: { start: { line: importLine, character: 24 }, end: { line: importLine, character: 24 } }, text: 'include, ' },
        { range: { start: { line: closeLine, character: 0 }, end: { line: closeLine, character: 0 } }, text: '    path("loop/", include("mysite.urls")),\n' },
      ],
    });
    const withCycle = await client.waitFor('textDocument/publishDiagnostics', (p) => p.uri === uri && p.diagnostics.length > 0, mark);
    const diagnostics = withCycle.event.params.diagnostics;
    assert.deepEqual(diagnostics.map((d: any) => [d.code, d.severity, d.source, d.range.start, d.message]), [
      ['DJL001', 1, 'django-lens', { line: closeLine, character: 4 }, 'include cycle: mysite.urls → blog.urls → mysite.urls (Django recurses until RecursionError)'],
    ]);

    await client.connection.sendNotification('textDocument/didChange', {
      textDocument: { uri, version: 3 },
      contentChanges: [{ range: { start: { line: closeLine, character: 0 }, end: { line: closeLine + 1, character: 0 } }, text: '' }],
    });
    const cleared = await client.waitFor('textDocument/publishDiagnostics', (p) => p.uri === uri, withCycle.index + 1);
    assert.deepEqual(cleared.event.params.diagnostics, []);

    // The index still has every route of the example once the edit is undone.
    const summary = await client.connection.sendRequest<ProjectSummaryRequest.Result>(ProjectSummaryRequest.method, {});
    assert.equal(summary.projects[0].routeCount, 9);
    assert.equal(await client.shutdown(), 0);
  });
});
