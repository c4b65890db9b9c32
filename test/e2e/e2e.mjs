// End-to-end check in a real VS Code (code-server + Debian's Chromium via playwright-core, see
// shared/docs/e2e.md), driven by scripts/e2e.sh, which installs the built VSIX and opens a copy of
// examples/blog. It waits for events on screen (never fixed sleeps as the check), takes
// screenshots into .e2e/screenshots/ and exits non-zero on the first failed step.
import { chromium } from 'playwright-core';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const [url, workspace, shots, repo] = process.argv.slice(2);
mkdirSync(shots, { recursive: true });
const pkg = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8'));
const codes = Object.keys(pkg.contributes.configuration.properties['djangoLens.severity'].properties ?? {});
const results = [];
let failed = 0;

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
});
const context = await browser.newContext({ viewport: { width: 1500, height: 950 } });
await context.route((u) => !/^https?:\/\/127\.0\.0\.1[:/]/.test(u.toString()) && !u.toString().startsWith('data:') && !u.toString().startsWith('blob:'), (r) => r.abort());
const page = await context.newPage();

async function step(name, fn) {
  const started = Date.now();
  try {
    await fn();
    results.push(`ok   ${name} (${Date.now() - started} ms)`);
  } catch (e) {
    failed++;
    results.push(`FAIL ${name}: ${e.message.split('\n')[0]}`);
    await page.screenshot({ path: join(shots, `fail-${name.replace(/\W+/g, '-')}.png`) }).catch(() => {});
  }
  console.log(results[results.length - 1]);
}
const skip = (name, why) => { results.push(`skip ${name}: ${why}`); console.log(results[results.length - 1]); };

const row = (text) => page.locator('.monaco-list-row', { hasText: text }).first();

async function command(title) {
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible', timeout: 15_000 });
  await input.fill(`>${title}`);
  await page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first().waitFor({ timeout: 15_000 });
  await page.keyboard.press('Enter');
}

async function openFile(rel, line, col) {
  await page.keyboard.press('Control+P');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible', timeout: 15_000 });
  await input.fill(`${rel}:${line}:${col}`);
  await page.locator('.quick-input-list .monaco-list-row').first().waitFor({ timeout: 15_000 });
  await page.keyboard.press('Enter');
  await page.locator('.tab.active', { hasText: rel.split('/').pop() }).waitFor({ timeout: 15_000 });
  await page.locator('.monaco-editor .view-lines').first().waitFor({ timeout: 15_000 });
}

await step('workbench opens', async () => {
  await page.goto(`${url}/?folder=${encodeURIComponent(workspace)}`, { waitUntil: 'domcontentloaded' });
  await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
});

await step('lifecycle view lists middleware and routes', async () => {
  const django = page.locator('.activitybar .action-item a[aria-label^="Django"], .activitybar li[aria-label^="Django"]').first();
  await django.waitFor({ timeout: 60_000 });
  await django.click();
  await row('SecurityMiddleware').waitFor({ timeout: 90_000 });
  await row('/posts/').waitFor({ timeout: 30_000 });
  await row('URL router').waitFor({ timeout: 10_000 });
  // Expand the namespaced include and one route to show its view, models and templates.
  await row('/blog/<int:pk>/comment/').waitFor({ timeout: 10_000 });
  await row('/posts/').click();
  await row('post_list').waitFor({ timeout: 10_000 });
  await page.screenshot({ path: join(shots, 'lifecycle.png') });
});

const n1 = codes.filter((c) => /^DJL1\d\d$/.test(c));
const sql = codes.filter((c) => /^DJL2\d\d$/.test(c));
if (!n1.length || !sql.length) {
  skip('Problems panel shows N+1 and SQL findings', 'no DJL1xx/DJL2xx codes in CHECKS yet');
} else {
  await step('Problems panel shows N+1 (DJL1xx) and SQL (DJL2xx) findings', async () => {
    await command('View: Focus Problems');
    const panel = page.locator('.markers-panel');
    await panel.waitFor({ timeout: 15_000 });
    await panel.locator('.monaco-list-row', { hasText: /DJL1\d\d/ }).first().waitFor({ timeout: 90_000 });
    await panel.locator('.monaco-list-row', { hasText: /DJL2\d\d/ }).first().waitFor({ timeout: 30_000 });
    await page.screenshot({ path: join(shots, 'problems.png') });
  });
}

await step('Trace URL resolves /posts/', async () => {
  await command('Django Lens: Trace URL…');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible', timeout: 10_000 });
  await input.fill('/posts/');
  await page.keyboard.press('Enter');
  await row('GET /posts/').waitFor({ timeout: 30_000 });
  await page.locator('.monaco-list-row', { hasText: 'resolved' }).first().waitFor({ timeout: 10_000 });
  await row('Middleware out').waitFor({ timeout: 10_000 });
  await page.screenshot({ path: join(shots, 'trace.png') });
});

if (!pkg.contributes || !readFileSafe(join(repo, 'server/src/lsp/definition.ts'))) {
  skip('go to definition on a path() view', 'server/src/lsp/definition.ts does not exist yet');
} else {
  await step('go to definition on a path() view lands on the view', async () => {
    const urls = readFileSync(join(workspace, 'mysite/urls.py'), 'utf8').split('\n');
    const line = urls.findIndex((l) => l.includes('views.post_list'));
    const col = urls[line].indexOf('post_list') + 3;
    await openFile('mysite/urls.py', line + 1, col);
    await page.keyboard.press('F12');
    await page.locator('.tab.active', { hasText: 'views.py' }).waitFor({ timeout: 30_000 });
    await page.locator('.monaco-editor .view-line', { hasText: 'def post_list(request):' }).first().waitFor({ timeout: 10_000 });
    await page.screenshot({ path: join(shots, 'definition.png') });
  });
}

await step('a quick fix applies', async () => {
  const views = readFileSync(join(workspace, 'blog/views.py'), 'utf8').split('\n');
  const line = views.findIndex((l) => l.includes('Post.objects.raw(f"'));
  await openFile('blog/views.py', line + 1, views[line].indexOf('raw(') + 6);
  await page.locator('.squiggly-warning, .squiggly-error, .squiggly-info').first().waitFor({ timeout: 60_000 });
  await page.keyboard.press('Control+.');
  // The first entry is the check's own (preferred) fix; Enter applies it.
  const fix = page.locator('.action-widget', { hasText: /DJL2\d\d|param/ }).first();
  await fix.waitFor({ state: 'visible', timeout: 20_000 });
  const title = (await fix.locator('.monaco-list-row').first().innerText()).trim();
  await page.keyboard.press('Enter');
  await page.locator('.monaco-editor .view-line', { hasText: /noqa|%s|params/ }).first().waitFor({ timeout: 15_000 });
  await page.screenshot({ path: join(shots, 'quickfix.png') });
  results.push(`     applied: ${title}`);
});

await browser.close();
console.log(`\ne2e: ${results.filter((r) => r.startsWith('ok')).length} passed, ${failed} failed, ${results.filter((r) => r.startsWith('skip')).length} skipped`);
process.exit(failed ? 1 : 0);

function readFileSafe(p) {
  try { return readFileSync(p, 'utf8'); } catch { return ''; }
}
