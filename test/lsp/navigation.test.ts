/**
 * Navigation over the real protocol: the built server answers definition, hover, completion,
 * references, code lens, document and workspace symbols and document links on examples/blog, and
 * publishes the reference checks (DJL401) for an edited open document. Positions are found in the
 * example's own text, so the test follows the example if it changes.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { IndexChangedNotification } from '../../server/src/shared/protocol';
import { LspClient } from '../helpers/lsp';
import { repoRoot } from '../helpers/paths';

const blog = join(repoRoot, 'examples', 'blog');
const uriOf = (rel: string) => pathToFileURL(join(blog, rel)).href;
const relOf = (uri: string) => fileURLToPath(uri).slice(blog.length + 1);

/** The position of `needle` (plus `offset` characters) in a file of the example. */
function pos(rel: string, needle: string, offset = 1): { line: number; character: number } {
  const lines = readFileSync(join(blog, rel), 'utf8').split('\n');
  const line = lines.findIndex((l) => l.includes(needle));
  assert.ok(line >= 0, `${needle} in ${rel}`);
  return { line, character: lines[line].indexOf(needle) + offset };
}

describe('language server over stdio: navigation on examples/blog', function () {
  this.timeout(20000);
  let client: LspClient;
  let caps: any;

  before(async () => {
    client = new LspClient();
    caps = (await client.initialize(blog)).capabilities;
    await client.waitFor(IndexChangedNotification.method);
  });
  after(() => client?.dispose());

  const request = <T = any>(method: string, params: unknown) => client.connection.sendRequest<T>(method, params);
  const at = (rel: string, needle: string, offset = 1) => ({ textDocument: { uri: uriOf(rel) }, position: pos(rel, needle, offset) });

  it('announces the navigation capabilities', () => {
    for (const c of ['definitionProvider', 'hoverProvider', 'completionProvider', 'referencesProvider', 'codeLensProvider', 'documentSymbolProvider', 'workspaceSymbolProvider', 'documentLinkProvider']) {
      assert.ok(caps[c], c);
    }
  });

  it('textDocument/definition: reverse("blog:post_detail") and {% url %} → the path()', async () => {
    const fromPython = await request<any[]>('textDocument/definition', at('blog/models.py', '"blog:post_detail"', 3));
    assert.deepEqual(fromPython.map((l) => [relOf(l.uri), l.range.start.line + 1]), [['blog/urls.py', 11]]);
    const fromTemplate = await request<any[]>('textDocument/definition', at('blog/templates/blog/post_list.html', 'blog:post_detail', 2));
    assert.deepEqual(fromTemplate.map((l) => [relOf(l.uri), l.range.start.line + 1]), [['blog/urls.py', 11]]);
    const view = await request<any[]>('textDocument/definition', at('mysite/urls.py', 'views.post_list', 7));
    assert.deepEqual(view.map((l) => [relOf(l.uri), l.range.start.line + 1]), [['blog/views.py', 10]]);
    const template = await request<any[]>('textDocument/definition', at('blog/views.py', '"posts.html"', 2));
    assert.deepEqual(template.map((l) => relOf(l.uri)), ['templates/posts.html']);
  });

  it('textDocument/definition and hover: a template variable\'s attribute → the model field', async () => {
    // templates/posts.html loops over `posts`, which blog.views.post_list fills with Post.objects.all().
    const author = await request<any[]>('textDocument/definition', at('templates/posts.html', 'post.author.name', 6));
    assert.deepEqual(author.map((l) => [relOf(l.uri), l.range.start.line + 1]), [['blog/models.py', 34]]);
    const name = await request<any[]>('textDocument/definition', at('templates/posts.html', 'post.author.name', 13));
    assert.deepEqual(name.map((l) => [relOf(l.uri), l.range.start.line + 1]), [['blog/models.py', 6]]);
    const method = await request<any[]>('textDocument/definition', at('templates/posts.html', 'post.get_absolute_url', 8));
    assert.deepEqual(method.map((l) => [relOf(l.uri), l.range.start.line + 1]), [['blog/models.py', 44]]);
    const h = await request('textDocument/hover', at('templates/posts.html', 'post.author.name', 6));
    assert.match(h.contents.value, /\*\*ForeignKey\*\* `blog\.Post\.author`/);
    assert.match(h.contents.value, /ForeignKey → `blog\.Author`/);
    assert.deepEqual([h.range.start.character, h.range.end.character], [pos('templates/posts.html', 'post.author.name', 5).character, pos('templates/posts.html', 'post.author.name', 11).character]);
  });

  it('textDocument/hover: the full route, the namespaced name and the view', async () => {
    const h = await request('textDocument/hover', at('blog/models.py', '"blog:post_detail"', 3));
    assert.equal(h.contents.kind, 'markdown');
    assert.match(h.contents.value, /`\/blog\/<int:pk>\/`/);
    assert.match(h.contents.value, /name: `blog:post_detail`/);
    assert.match(h.contents.value, /view: `blog\.views\.PostDetailView`/);
  });

  it('textDocument/completion: URL names inside {% url \'...\' %}, with the route as detail', async () => {
    const list = await request('textDocument/completion', at('templates/base.html', "'blog:post_index'", 1));
    const byLabel = new Map<string, any>(list.items.map((i: any) => [i.label, i]));
    for (const n of ['blog:post_index', 'blog:post_detail', 'blog:search', 'post_list']) assert.ok(byLabel.has(n), n);
    assert.equal(byLabel.get('blog:post_detail').detail, '/blog/<int:pk>/ → blog.views.PostDetailView');
  });

  it('textDocument/references: every use of a URL name', async () => {
    const refs = await request<any[]>('textDocument/references', { ...at('blog/urls.py', '"post_detail"', 2), context: { includeDeclaration: true } });
    assert.deepEqual(refs.map((l) => `${relOf(l.uri)}:${l.range.start.line + 1}`).sort(), ['blog/models.py:45', 'blog/templates/blog/post_list.html:6', 'blog/urls.py:11']);
  });

  it('textDocument/codeLens: routes above each view, with a command that opens the path()', async () => {
    const lenses = await request<any[]>('textDocument/codeLens', { textDocument: { uri: uriOf('blog/views.py') } });
    const titles = lenses.map((l) => l.command.title);
    assert.ok(titles.includes('/posts/ · post_list'), titles.join(' | '));
    assert.ok(titles.includes('POST /blog/<int:pk>/comment/ · blog:add_comment'), titles.join(' | '));
    const lens = lenses.find((l) => l.command.title === '/posts/ · post_list');
    assert.equal(lens.command.command, 'djangoLens.openLocation');
    assert.equal(relOf(lens.command.arguments[0]), 'mysite/urls.py');
  });

  it('document and workspace symbols, document links', async () => {
    const doc = await request<any[]>('textDocument/documentSymbol', { textDocument: { uri: uriOf('blog/urls.py') } });
    assert.deepEqual(doc.map((s) => s.name), ['', '<int:pk>/', 'archive/<yyyy:year>/', '^tag/(?P<slug>[-a-zA-Z0-9_]+)/$', '<int:pk>/comment/', 'search/', 'authors/'].map((x) => x || '(empty)'));
    const wsSyms = await request<any[]>('workspace/symbol', { query: 'blog:post_det' });
    assert.ok(wsSyms.some((s) => s.name === 'blog:post_detail' && relOf(s.location.uri) === 'blog/urls.py'));
    const links = await request<any[]>('textDocument/documentLink', { textDocument: { uri: uriOf('mysite/urls.py') } });
    assert.deepEqual(links.map((l) => relOf(l.target)), ['blog/urls.py']);
  });

  it('publishes DJL401 for an unknown URL name typed into an open template', async () => {
    const uri = uriOf('templates/base.html');
    const text = readFileSync(join(blog, 'templates/base.html'), 'utf8');
    await client.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'django-html', version: 1, text: text.replace("'blog:search'", "'blog:serch'") } });
    const d = await client.waitFor('textDocument/publishDiagnostics', (p) => p.uri === uri && p.diagnostics.some((x: any) => x.code === 'DJL401'));
    const diag = d.event.params.diagnostics.find((x: any) => x.code === 'DJL401');
    assert.equal(diag.message, "Unknown URL name 'blog:serch'; did you mean 'blog:search'?");
    const actions = await request<any[]>('textDocument/codeAction', { textDocument: { uri }, range: diag.range, context: { diagnostics: [diag] } });
    assert.ok(actions.some((a) => a.title === "Change to 'blog:search'"), actions.map((a) => a.title).join(', '));
    assert.equal(await client.shutdown(), 0);
  });
});
