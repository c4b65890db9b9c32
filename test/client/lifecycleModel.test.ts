/**
 * The lifecycle tree data for examples/blog, end to end through the core (buildLifecycle) and the
 * client's node builder (lifecycleModel.ts, no VS Code needed): middleware in settings order with
 * descriptions, the include() tree with namespaces, each route's view, models, templates and
 * findings, and the Trace URL chain.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { examplePath, type LensNode, lifecycleNodes, traceText } from '../../client/src/lifecycleModel';
import { runChecks } from '../../server/src/core/checks/registry';
import { buildLifecycle, traceUrl } from '../../server/src/core/lifecycle';
import { Workspace } from '../../server/src/core/workspace';
import { repoRoot } from '../helpers/paths';

function render(nodes: LensNode[], depth = 0, out: string[] = []): string[] {
  for (const n of nodes) {
    out.push(`${'  '.repeat(depth)}${n.label}${n.description ? ` — ${n.description}` : ''}`);
    if (n.children) render(n.children, depth + 1, out);
  }
  return out;
}

describe('lifecycle tree data (examples/blog)', function () {
  this.timeout(60_000);
  let ws: Workspace;
  let text: string;
  before(async () => {
    ws = await Workspace.open({ roots: [join(repoRoot, 'examples/blog')] });
    text = render(lifecycleNodes(buildLifecycle(ws, runChecks(ws)))).join('\n');
  });

  it('lists the middleware in settings order with what Django\'s classes do', () => {
    const mw = text.split('\n').filter((l) => /^ {2}\d+\. /.test(l));
    assert.ok(mw.length >= 5, text);
    assert.match(mw[0], /^ {2}1\. SecurityMiddleware — .*HTTPS/);
    assert.ok(mw.some((l) => /SessionMiddleware — Loads request\.session/.test(l)));
    assert.ok(mw.some((l) => /CsrfViewMiddleware — Rejects POST/.test(l)));
  });

  it('shows the response phase as the same stack reversed', () => {
    const lines = text.split('\n');
    const start = lines.findIndex((l) => l.startsWith('Response'));
    assert.ok(start > 0);
    const first = lines[start + 1];
    assert.match(first, /XFrameOptionsMiddleware|SecurityMiddleware/);
    assert.doesNotMatch(first, /^ {2}1\. /, 'the last middleware comes first');
  });

  it('lists routes under their include() with the namespace, view, decorators, models and templates', () => {
    assert.match(text, /^ {2}\/posts\/ — post_list/m);
    assert.match(text, /^ {2}blog\/ — namespace blog · include\(\)/m);
    assert.match(text, /^ {4}\/blog\/<int:pk>\/comment\/ — blog:add_comment/m);
    assert.match(text, /add_comment — function · @login_required @require_POST/);
    assert.match(text, /^ {6}Models — Post/m);
    assert.match(text, /^ {8}blog\/post_list\.html — attribute/m);
  });

  it('builds example paths for Trace URL from route patterns', () => {
    assert.equal(examplePath('blog/<int:pk>/comment/'), '/blog/1/comment/');
    assert.equal(examplePath('blog/^tag/(?P<slug>[-a-zA-Z0-9_]+)/$'), '/blog/tag/example/');
  });

  it('traces /posts/ and /blog/42/ through middleware, route, view and templates', () => {
    const project = ws.projects()[0];
    const posts = traceText(traceUrl(ws, project, '/posts/', 'GET', []));
    assert.match(posts, /^GET \/posts\/ — resolved/m);
    assert.match(posts, /^\/posts\/ — post_list/m);
    assert.match(posts, /^Template posts\.html/m);
    assert.match(posts, /^Middleware out/m);
    const detail = traceText(traceUrl(ws, project, '/blog/42/', 'GET', []));
    assert.match(detail, /blog:post_detail · pk=42/);
    const post = traceText(traceUrl(ws, project, '/blog/1/comment/', 'GET', []));
    assert.match(post, /GET not allowed \(405\)/);
    const missing = traceText(traceUrl(ws, project, '/blog/nope/', 'GET', []));
    assert.match(missing, /No route matches/);
    assert.match(missing, /"blog\/" matched blog\/ — then "nope\/" failed/);
  });
});
