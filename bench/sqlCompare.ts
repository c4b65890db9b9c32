/**
 * The raw-SQL comparison printed by `npm run bench`: precision and recall of Django Lens (DJL201,
 * DJL202) on the labelled corpus in test/fixtures/sql/corpus, beside Ruff (S608/S610/S611, from
 * npm's @astral-sh/ruff-wasm-nodejs) and Bandit (B608/B610/B611, Debian's package, installed by
 * scripts/ensure-bench-tools.sh), all run here on the same files.
 *
 * The corpus: every sink line carries a trailing `# expect: DJL201`, `# expect: DJL202` or
 * `# expect: safe`, and the `case_*` function around it is one case. A tool flags a case when it
 * reports anything inside that function, wherever in it (the baselines report the string, we
 * report the sink; both count). Helpers outside the `case_*` functions are not scored.
 */
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { runChecks } from '../server/src/core/checks/registry';
import { Workspace } from '../server/src/core/workspace';

export interface LabelledCase {
  /** Absolute path of the file. */
  file: string;
  name: string;
  /** 0-based line of the sink (the line holding the expectation). */
  line: number;
  /** 0-based first and last line of the case function. */
  start: number;
  end: number;
  expected: 'safe' | string;
}

const EXPECT = /#\s*expect:\s*(safe|DJL\d+)\s*$/;
const CASE_DEF = /^(\s*)def (case_\w+)\(/;

/** The cases of every `cases_*.py` file under `dir`, in file and line order. */
export function readCorpus(dir: string): LabelledCase[] {
  const out: LabelledCase[] = [];
  const files: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(d, e.name));
      else if (/^cases_.*\.py$/.test(e.name)) files.push(join(d, e.name));
    }
  };
  walk(dir);
  files.sort();
  for (const file of files) {
    const lines = readFileSync(file, 'utf8').split('\n');
    let current: { name: string; start: number; indent: number } | undefined;
    const open: LabelledCase[] = [];
    for (let i = 0; i < lines.length; i++) {
      const def = CASE_DEF.exec(lines[i]);
      if (def) current = { name: def[2], start: i, indent: def[1].length };
      const m = EXPECT.exec(lines[i]);
      if (m && current) open.push({ file, name: current.name, line: i, start: current.start, end: i, expected: m[1] });
    }
    // A case ends where the next definition at its indentation (or less) begins.
    for (const c of open) {
      const indent = /^\s*/.exec(lines[c.start])![0].length;
      let end = c.line;
      for (let i = c.line + 1; i < lines.length; i++) {
        const l = lines[i];
        if (l.trim() && /^\s*/.exec(l)![0].length <= indent && !l.trim().startsWith('#')) break;
        if (l.trim()) end = i;
      }
      c.end = end;
      out.push(c);
    }
  }
  return out;
}

export interface Score {
  tp: number;
  fp: number;
  fn: number;
  tn: number;
  precision: number;
  recall: number;
  wrong: string[];
}

/** Precision and recall of a tool that flags cases (by name). */
export function score(cases: LabelledCase[], flagged: Set<string>): Score {
  let tp = 0, fp = 0, fn = 0, tn = 0;
  const wrong: string[] = [];
  for (const c of cases) {
    const unsafe = c.expected !== 'safe';
    const hit = flagged.has(c.name);
    if (unsafe && hit) tp++;
    else if (unsafe) { fn++; wrong.push(`missed ${c.name}`); }
    else if (hit) { fp++; wrong.push(`false alarm ${c.name}`); }
    else tn++;
  }
  return { tp, fp, fn, tn, precision: tp + fp ? tp / (tp + fp) : 1, recall: tp + fn ? tp / (tp + fn) : 1, wrong };
}

/** The case a finding at a 0-based line of a file falls in. */
export function caseAt(cases: LabelledCase[], file: string, line: number): LabelledCase | undefined {
  return cases.find((c) => c.file === file && line >= c.start && line <= c.end);
}

export interface ToolResult {
  tool: string;
  flagged: Set<string>;
  error?: string;
}

/** The codes of ours that the corpus measures. */
export const SQL_CODES = new Set(['DJL201', 'DJL202']);

/** Django Lens on the corpus: the cases holding a DJL201/DJL202 finding. */
export async function runOurs(dir: string, cases: LabelledCase[]): Promise<ToolResult> {
  const ws = await Workspace.open({ roots: [dir] });
  const flagged = new Set<string>();
  for (const f of runChecks(ws)) {
    if (!SQL_CODES.has(f.code)) continue;
    const c = caseAt(cases, f.file, f.span[0]);
    if (c) flagged.add(c.name);
  }
  return { tool: 'Django Lens DJL201/DJL202', flagged };
}

interface RuffDiagnostic {
  code: string | null;
  start_location: { row: number; column: number };
}

/** Ruff's S608/S610/S611, from the WASM build on npm. */
export function runRuff(cases: LabelledCase[]): ToolResult {
  let ruff: { Workspace: new (o: unknown, e: unknown) => { check(s: string): RuffDiagnostic[] }; PositionEncoding: Record<string, unknown> } & { Workspace: { version(): string } };
  try {
    // Loaded at run time from node_modules (not bundled): the package reads its .wasm beside itself.
    ruff = createRequire(join(__dirname, '..', 'package.json'))('@astral-sh/ruff-wasm-nodejs');
  } catch (e) {
    return { tool: 'Ruff S608/S610/S611', flagged: new Set(), error: `not installed: ${(e as Error).message}` };
  }
  const ws = new ruff.Workspace({ lint: { select: ['S608', 'S610', 'S611'] } }, ruff.PositionEncoding.Utf16);
  const flagged = new Set<string>();
  for (const file of [...new Set(cases.map((c) => c.file))]) {
    for (const d of ws.check(readFileSync(file, 'utf8'))) {
      const c = caseAt(cases, file, d.start_location.row - 1);
      if (c) flagged.add(c.name);
    }
  }
  return { tool: `Ruff ${ruff.Workspace.version()} S608/S610/S611`, flagged };
}

/** Debian's bandit with B608/B610/B611 only. */
export function runBandit(dir: string, cases: LabelledCase[]): ToolResult {
  const exe = '/usr/bin/bandit';
  if (!existsSync(exe)) {
    const ensure = spawnSync('bash', [join(__dirname, '..', 'scripts', 'ensure-bench-tools.sh')], { encoding: 'utf8' });
    if (ensure.status !== 0 || !existsSync(exe)) return { tool: 'Bandit B608/B610/B611', flagged: new Set(), error: `not available: ${ensure.stderr.trim()}` };
  }
  const version = spawnSync(exe, ['--version'], { encoding: 'utf8' }).stdout.split('\n')[0].trim();
  const r = spawnSync(exe, ['-q', '-f', 'json', '-t', 'B608,B610,B611', '-r', dir], { encoding: 'utf8', maxBuffer: 64 << 20 });
  let results: { filename: string; line_number: number; line_range?: number[] }[];
  try {
    results = JSON.parse(r.stdout).results;
  } catch {
    return { tool: 'Bandit B608/B610/B611', flagged: new Set(), error: `no JSON output: ${r.stderr.trim().slice(0, 200)}` };
  }
  const flagged = new Set<string>();
  for (const res of results) {
    const file = res.filename.startsWith('/') ? res.filename : join(dir, res.filename);
    for (const line of res.line_range?.length ? res.line_range : [res.line_number]) {
      const c = caseAt(cases, file, line - 1);
      if (c) flagged.add(c.name);
    }
  }
  return { tool: `${version || 'bandit'} B608/B610/B611`, flagged };
}

/** The comparison table, as text. */
export async function sqlComparison(): Promise<string> {
  const dir = join(__dirname, '..', 'test', 'fixtures', 'sql', 'corpus');
  const cases = readCorpus(dir);
  const unsafe = cases.filter((c) => c.expected !== 'safe').length;
  const tools = [await runOurs(dir, cases), runRuff(cases), runBandit(dir, cases)];
  const lines = [
    `Raw SQL: ${cases.length} labelled cases (${unsafe} unsafe, ${cases.length - unsafe} safe) in test/fixtures/sql/corpus`,
    `${'tool'.padEnd(36)} ${'precision'.padStart(9)} ${'recall'.padStart(7)} ${'TP'.padStart(4)} ${'FP'.padStart(4)} ${'FN'.padStart(4)} ${'TN'.padStart(4)}`,
  ];
  for (const t of tools) {
    if (t.error) {
      lines.push(`${t.tool.padEnd(36)} ${t.error}`);
      continue;
    }
    const s = score(cases, t.flagged);
    lines.push(`${t.tool.padEnd(36)} ${s.precision.toFixed(2).padStart(9)} ${s.recall.toFixed(2).padStart(7)} ${String(s.tp).padStart(4)} ${String(s.fp).padStart(4)} ${String(s.fn).padStart(4)} ${String(s.tn).padStart(4)}`);
  }
  return lines.join('\n');
}
