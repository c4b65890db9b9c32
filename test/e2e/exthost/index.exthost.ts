/**
 * The entry point VS Code loads as `extensionTestsPath` inside the real extension host (see
 * test/e2e/exthost-run.mjs): runs the `*.exthost.js` suites bundled next to it with mocha and
 * rejects when a test fails, which makes the extension host exit with code 1. Mocha is not
 * bundled; it is loaded from the repository's node_modules by absolute path. The spec reporter's lines go to the
 * console (forwarded to the workbench) and to `exthost.log` beside this file, which the runner prints.
 */
import { appendFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { format } from 'node:util';
import type MochaType from 'mocha';
import * as vscode from 'vscode';

/** Absolute path of the repository's mocha, set by scripts/e2e-exthost-build.mjs (mocha is not bundled). */
declare const MOCHA_ENTRY: string;
// eslint-disable-next-line @typescript-eslint/no-require-imports
const Mocha = require(MOCHA_ENTRY) as typeof MochaType;

export async function run(): Promise<void> {
  const log = join(__dirname, 'exthost.log');
  const ext = vscode.extensions.getExtension('django-lens.django-lens');
  writeFileSync(log, `extension under test: ${ext ? `${ext.id} ${ext.packageJSON.version} at ${ext.extensionPath}` : 'not loaded'}\n`);
  const base = Mocha.reporters.Base as unknown as { consoleLog: (...args: unknown[]) => void };
  const consoleLog = base.consoleLog;
  base.consoleLog = (...args: unknown[]) => {
    consoleLog(...args);
    appendFileSync(log, `${format(...args)}\n`);
  };
  const mocha = new Mocha({ ui: 'bdd', reporter: 'spec', color: false, timeout: 60_000 });
  for (const f of readdirSync(__dirname).sort()) {
    if (f.endsWith('.exthost.js') && f !== 'index.exthost.js') mocha.addFile(join(__dirname, f));
  }
  const failures = await new Promise<number>((resolve) => mocha.run(resolve));
  base.consoleLog = consoleLog;
  appendFileSync(log, `\nexthost: ${failures} failed\n`);
  if (failures) throw new Error(`${failures} extension-host test(s) failed`);
}
