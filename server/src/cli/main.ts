#!/usr/bin/env node
/**
 * `django-lens`: the analysis core on the command line, for CI and for people without an editor.
 *   django-lens urls  [ROOT] [--json]
 *   django-lens index [ROOT] --json
 *   django-lens check [ROOT] [--format text|json|sarif] [--severity DJL001=off ...] [--exclude GLOB ...]
 * Results go to stdout, progress and problems to stderr. Exit codes: 0 fine, 1 error-severity
 * findings, 2 bad usage.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { CHECKS, type SeverityConfig, runChecks } from '../core/checks/registry';
import { findingsJson, findingsSarif, indexJson, relTo, urlsJson } from '../core/report';
import type { Severity } from '../core/types';
import { Workspace } from '../core/workspace';
import { parallelParse } from '../indexPool';

const VERSION = '0.1.0';
const USAGE = `usage: django-lens <urls|index|check> [ROOT] [options]
  urls  [ROOT] [--json]                      every route reachable from ROOT_URLCONF
  index [ROOT] --json                        settings, apps, models, views and templates
  check [ROOT] [--format text|json|sarif]    diagnostics; exit 1 when errors remain
options:
  --settings MODULE        settings module (overrides discovery)
  --severity CODE=LEVEL    error|warning|information|hint|off (repeatable)
  --config FILE            JSON file {"severity": {"DJL001": "off"}} (default: ROOT/.django-lens.json)
  --max-file-size BYTES    skip larger files (default 2 MiB)
  --exclude GLOB           do not index matching files or folders, relative to ROOT (repeatable)
  --quiet                  no progress on stderr`;

class UsageError extends Error {}

interface Args {
  command: string;
  root: string;
  json: boolean;
  format: 'text' | 'json' | 'sarif';
  settings?: string;
  severity: SeverityConfig;
  config?: string;
  maxFileSize?: number;
  exclude: string[];
  quiet: boolean;
}

const LEVELS = new Set(['error', 'warning', 'information', 'hint', 'off']);

function parseArgs(argv: string[]): Args {
  const args: Args = { command: '', root: '.', json: false, format: 'text', severity: {}, exclude: [], quiet: false };
  const positional: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => {
      const v = argv[++i];
      if (v === undefined) throw new UsageError(`${a} needs a value`);
      return v;
    };
    if (a === '--json') args.json = true;
    else if (a === '--format') {
      const f = next();
      if (f !== 'text' && f !== 'json' && f !== 'sarif') throw new UsageError(`unknown format ${f}`);
      args.format = f;
    } else if (a === '--settings') args.settings = next();
    else if (a === '--config') args.config = next();
    else if (a === '--quiet' || a === '-q') args.quiet = true;
    else if (a === '--max-file-size') args.maxFileSize = Number(next());
    else if (a === '--exclude') args.exclude.push(next());
    else if (a === '--severity') {
      const [code, level] = next().split('=');
      if (!code || !level || !LEVELS.has(level)) throw new UsageError(`--severity wants CODE=error|warning|information|hint|off`);
      args.severity[code.toUpperCase()] = level as Severity | 'off';
    } else if (a === '-h' || a === '--help') throw new UsageError('');
    else if (a.startsWith('-')) throw new UsageError(`unknown option ${a}`);
    else positional.push(a);
  }
  if (positional.length < 1) throw new UsageError('missing command');
  args.command = positional[0];
  if (!['urls', 'index', 'check'].includes(args.command)) throw new UsageError(`unknown command ${args.command}`);
  if (positional.length > 2) throw new UsageError('too many arguments');
  args.root = positional[1] ?? '.';
  if (args.json && args.command === 'check') args.format = 'json';
  return args;
}

function loadConfig(args: Args, root: string): SeverityConfig {
  const file = args.config ?? join(root, '.django-lens.json');
  if (!existsSync(file)) {
    if (args.config) throw new UsageError(`config file ${args.config} does not exist`);
    return args.severity;
  }
  try {
    const cfg = JSON.parse(readFileSync(file, 'utf8')) as { severity?: SeverityConfig };
    return { ...(cfg.severity ?? {}), ...args.severity };
  } catch (e) {
    throw new UsageError(`cannot read ${file}: ${(e as Error).message}`);
  }
}

function progress(quiet: boolean): (done: number, total: number) => void {
  if (quiet) return () => undefined;
  const tty = process.stderr.isTTY;
  let last = 0;
  return (done, total) => {
    const now = Date.now();
    if (done !== total && now - last < 100) return;
    last = now;
    if (tty) {
      const width = 30;
      const filled = total ? Math.round((done / total) * width) : width;
      process.stderr.write(`\rindexing [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total}${done === total ? '\n' : ''}`);
    } else if (done === total) {
      process.stderr.write(`indexed ${total} Python files\n`);
    }
  };
}

async function main(argv: string[]): Promise<number> {
  let args: Args;
  try {
    args = parseArgs(argv);
  } catch (e) {
    const msg = (e as Error).message;
    process.stderr.write(`${msg ? `django-lens: ${msg}\n` : ''}${USAGE}\n`);
    return e instanceof UsageError && msg === '' ? 0 : 2;
  }
  const root = resolve(args.root);
  if (!existsSync(root) || !statSync(root).isDirectory()) {
    process.stderr.write(`django-lens: ${args.root} is not a folder\n`);
    return 2;
  }
  let severities: SeverityConfig;
  try {
    severities = loadConfig(args, root);
  } catch (e) {
    process.stderr.write(`django-lens: ${(e as Error).message}\n`);
    return 2;
  }
  for (const code of Object.keys(severities)) {
    if (!CHECKS.some((c) => c.code === code)) process.stderr.write(`django-lens: warning: unknown code ${code} in severity settings\n`);
  }
  const ws = await Workspace.open({
    roots: [root],
    settingsModule: args.settings,
    maxFileBytes: args.maxFileSize,
    exclude: args.exclude,
    onProgress: progress(args.quiet),
    parallelParse,
    workers: Math.max(1, availableParallelism() - 1),
    mainThreadShare: true,
  });
  const rel = relTo(root);
  if (!args.quiet) {
    for (const p of ws.problems) process.stderr.write(`django-lens: ${p.file ? `${rel(p.file)}: ` : ''}${p.message}\n`);
    for (const p of ws.projects()) for (const m of p.problems) process.stderr.write(`django-lens: ${rel(p.root)}: ${m}\n`);
  }
  const out = (v: unknown) => process.stdout.write(`${JSON.stringify(v, null, 2)}\n`);
  if (args.command === 'urls') {
    if (args.json) out(urlsJson(ws, root));
    else {
      for (const p of ws.projects()) {
        process.stdout.write(`# ${rel(p.root)} (settings: ${p.spec.settingsModule ?? 'unknown'}, ROOT_URLCONF: ${p.settings.rootUrlconf ?? 'unknown'})\n`);
        for (const r of p.urls.routes) {
          const view = r.view ? `${r.view.module ?? '?'}.${r.view.qualname ?? '?'}` : r.kind === 'admin' ? '(admin site)' : '(unresolved)';
          const where = r.view?.file ? `  ${rel(r.view.file)}:${(r.view.span?.[0] ?? 0) + 1}` : '';
          process.stdout.write(`/${r.route.padEnd(40)} ${(r.qualifiedName ?? '-').padEnd(24)} ${view}${where}${r.inconclusive ? `  [inconclusive: ${r.inconclusive}]` : ''}\n`);
        }
      }
    }
    return 0;
  }
  if (args.command === 'index') {
    out(indexJson(ws, root));
    return 0;
  }
  const findings = runChecks(ws, severities);
  if (args.format === 'json') out(findingsJson(findings, root));
  else if (args.format === 'sarif') out(findingsSarif(findings, root, VERSION));
  else {
    for (const f of findings) {
      process.stdout.write(`${rel(f.file)}:${f.span[0] + 1}:${f.span[1] + 1}: ${f.severity} ${f.code} ${f.message}\n`);
    }
    const errors = findings.filter((f) => f.severity === 'error').length;
    process.stdout.write(`${findings.length} finding${findings.length === 1 ? '' : 's'} (${errors} error${errors === 1 ? '' : 's'})\n`);
  }
  return findings.some((f) => f.severity === 'error') ? 1 : 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e) => {
    process.stderr.write(`django-lens: internal error: ${(e as Error).stack ?? e}\n`);
    process.exitCode = 3;
  },
);
