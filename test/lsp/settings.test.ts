/**
 * The `djangoLens.exclude` and `djangoLens.severity` settings reach the whole server: excluded
 * files are not indexed (their findings vanish), and the lifecycle tree shows the findings the
 * diagnostics show, with the same levels, leaving out codes set to "off".
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { IndexChangedNotification, LifecycleRequest, ProjectSummaryRequest } from '../../server/src/shared/protocol';
import { LspClient } from '../helpers/lsp';
import { repoRoot } from '../helpers/paths';

const blogExample = join(repoRoot, 'examples', 'blog');

async function start(options: unknown): Promise<LspClient> {
  const client = new LspClient();
  await client.initialize(blogExample, options);
  await client.waitFor(IndexChangedNotification.method);
  return client;
}

/** Every finding code shown in the lifecycle tree, with its level. */
async function lifecycleFindings(client: LspClient): Promise<string[]> {
  const result = await client.connection.sendRequest<LifecycleRequest.Result>(LifecycleRequest.method, {});
  assert.equal(result.ready, true);
  return [...new Set(result.projects.flatMap((p) => p.routes.flatMap((r) => r.findings.map((f) => `${f.code}:${f.severity}`))))].sort();
}

async function diagnosticCodes(client: LspClient, file: string): Promise<string[]> {
  const uri = `file://${join(blogExample, file)}`;
  const { event } = await client.waitFor('textDocument/publishDiagnostics', (p) => p.uri === uri);
  return event.params.diagnostics.map((d: { code: string }) => d.code).sort();
}

describe('settings reach the server: exclude and severity', function () {
  this.timeout(30000);
  let plain: LspClient;
  let configured: LspClient;

  before(async () => {
    [plain, configured] = await Promise.all([
      start({}),
      start({ severity: { DJL102: 'off', DJL101: 'error' }, exclude: ['mysite/settings/prod.py'] }),
    ]);
  });

  after(() => {
    plain?.dispose();
    configured?.dispose();
  });

  it('the lifecycle tree leaves out codes set to "off"', async () => {
    const before = await lifecycleFindings(plain);
    assert.ok(before.some((f) => f.startsWith('DJL102:')), `lifecycle findings without settings: ${before.join(', ')}`);
    const after = await lifecycleFindings(configured);
    assert.ok(!after.some((f) => f.startsWith('DJL102:')), `lifecycle findings with DJL102 off: ${after.join(', ')}`);
  });

  it('the lifecycle tree shows the levels the diagnostics use', async () => {
    assert.ok((await lifecycleFindings(plain)).includes('DJL101:warning'));
    const after = await lifecycleFindings(configured);
    assert.ok(after.includes('DJL101:error'), after.join(', '));
    assert.ok(!after.includes('DJL101:warning'), after.join(', '));
    const views = await diagnosticCodes(configured, 'blog/views.py');
    assert.ok(views.includes('DJL101'));
  });

  it('excluded files are not indexed', async () => {
    assert.ok((await diagnosticCodes(plain, 'mysite/settings/prod.py')).includes('DJL302'));
    const [a, b] = await Promise.all([plain, configured].map((c) => c.connection.sendRequest<ProjectSummaryRequest.Result>(ProjectSummaryRequest.method, {})));
    assert.equal(a.projects[0].routeCount, b.projects[0].routeCount);
    // Diagnostics are published in one batch: once views.py has its own, prod.py would have had them.
    await diagnosticCodes(configured, 'blog/views.py');
    const published = configured.events.filter((e) => e.method === 'textDocument/publishDiagnostics' && e.params.uri.endsWith('/mysite/settings/prod.py') && e.params.diagnostics.length);
    assert.deepEqual(published, []);
    // The other settings modules are still read.
    assert.equal(b.projects[0].settingsModule, 'mysite.settings.dev');
  });
});
