// Runs the mocha suite of test/e2e/exthost/ inside the real VS Code extension host (code-server),
// per shared/docs/e2e.md "Tests inside the real extension host": an init script patches the
// workbench configuration (<meta id="vscode-workbench-web-configuration">) as soon as it appears,
// so that the window loads the unpacked extension (developmentOptions.extensions) and runs the
// bundled suite (developmentOptions.extensionTestsPath); the extension host reports the run's exit
// code through window.codeAutomationExit. Exits with that code (1 on a timeout).
//   node test/e2e/exthost-run.mjs URL WORKSPACE EXTENSION_DIR TESTS_ENTRY SCREENSHOTS
import { chromium } from 'playwright-core';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

const [url, workspace, extensionDir, testsEntry, shots] = process.argv.slice(2);
if (!shots) {
  console.error('usage: node test/e2e/exthost-run.mjs URL WORKSPACE EXTENSION_DIR TESTS_ENTRY SCREENSHOTS');
  process.exit(2);
}
mkdirSync(shots, { recursive: true });
const TIMEOUT_MS = Number(process.env.E2E_EXTHOST_TIMEOUT_MS ?? 300_000);
const started = Date.now();

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
});
const context = await browser.newContext({ viewport: { width: 1500, height: 950 } });
await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: url });
await context.route((u) => !/^https?:\/\/127\.0\.0\.1[:/]/.test(u.toString()) && !u.toString().startsWith('data:') && !u.toString().startsWith('blob:'), (r) => r.abort());

let exited;
const done = new Promise((resolve) => { exited = resolve; });
await context.exposeFunction('codeAutomationExit', (code) => exited(typeof code === 'number' ? code : 1));
await context.exposeFunction('codeAutomationLog', (type, args) => {
  if (process.env.E2E_EXTHOST_VERBOSE) console.log(`[workbench ${type}]`, ...(Array.isArray(args) ? args : [args]));
});
await context.addInitScript(({ extensions, tests }) => {
  const uri = (path) => ({ scheme: 'vscode-remote', authority: location.host, path });
  const patch = () => {
    const el = document.getElementById('vscode-workbench-web-configuration');
    const raw = el?.getAttribute('data-settings');
    if (!raw) return false;
    const config = JSON.parse(raw);
    config.developmentOptions = { ...config.developmentOptions, extensions: extensions.map(uri), extensionTestsPath: uri(tests) };
    el.setAttribute('data-settings', JSON.stringify(config));
    return true;
  };
  if (!patch()) {
    const observer = new MutationObserver(() => { if (patch()) observer.disconnect(); });
    observer.observe(document, { childList: true, subtree: true, attributes: true, attributeFilter: ['data-settings'] });
  }
}, { extensions: [extensionDir], tests: testsEntry });

const page = await context.newPage();
const consoleLines = [];
page.on('console', (m) => consoleLines.push(`[${m.type()}] ${m.text()}`));
await page.goto(`${url}/?folder=${encodeURIComponent(workspace)}`, { waitUntil: 'domcontentloaded' });

const timer = new Promise((resolve) => setTimeout(() => resolve('timeout'), TIMEOUT_MS).unref());
const result = await Promise.race([done, timer]);
const log = join(dirname(testsEntry), 'exthost.log');
if (existsSync(log)) process.stdout.write(readFileSync(log, 'utf8'));
let code;
if (result === 'timeout') {
  await page.screenshot({ path: join(shots, 'fail-exthost-timeout.png') }).catch(() => {});
  console.log(`FAIL extension-host tests: no exit code after ${TIMEOUT_MS} ms. Last workbench console lines:`);
  for (const l of consoleLines.slice(-30)) console.log(`  ${l.slice(0, 400)}`);
  code = 1;
} else {
  code = result;
  if (code !== 0) {
    await page.screenshot({ path: join(shots, 'fail-exthost.png') }).catch(() => {});
    for (const l of consoleLines.filter((l) => /error|fail/i.test(l)).slice(-20)) console.log(`  ${l.slice(0, 400)}`);
  }
}
console.log(`\nexthost: extension host exited with code ${code} after ${Date.now() - started} ms`);
await browser.close().catch(() => {});
process.exit(code);
