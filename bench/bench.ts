/**
 * Django Lens benchmark (`npm run bench`, bundled as dist/bench.js).
 *
 * What it measures, and why:
 *
 *  - Cold index: `Workspace.open` (walk, read, parse every Python file into facts, in worker
 *    threads) plus building the whole model of every project (settings, apps, models, URL routes,
 *    views, templates). This is what a user waits for when opening a folder.
 *  - Serial cold index: the same without worker threads, to show what the threads buy.
 *  - Parse-only floor: the same files read, decoded and parsed by tree-sitter alone on one thread
 *    (no facts, no model). Indexing cannot be much cheaper than this, so cold/floor says how much
 *    our own work (fact extraction, structured cloning, the model) costs on top of the parser.
 *  - Peak RSS: the process's resident-set high-water mark (Linux VmHWM, and the max of
 *    `process.memoryUsage().rss` sampled every 20 ms), for the cold index. The language server
 *    lives in the editor, so its memory matters as much as its speed.
 *  - Edit latency: the generated project's ~1,000-line models.py is opened (kept with its tree),
 *    then one line is changed 200 times; each time the TreeEdit is handed to `updateFile`
 *    (incremental reparse) and the project model that depends on it is rebuilt (models, routes).
 *    This is the per-keystroke cost in the editor.
 *
 * Corpora: (a) Django's own source (Debian's python3-django, unpacked by scripts/corpora.sh into
 * .corpora/; the workspace root is its dist-packages folder so module names are `django.*`), and
 * (b) a deterministic generated project of 2,000 Python files (bench/generate.ts), written into a
 * temporary folder once per run and removed afterwards.
 *
 * Every measurement runs in a fresh child process (`node dist/bench.js --one <corpus> --phase
 * <phase> --root <dir>`) so that memory is per corpus and per phase and no phase warms the JIT
 * for another; the parent reads every file once first so that all phases see a warm page cache.
 * A child prints one JSON line, which the parent also shows at the end. To profile one phase:
 * `node --cpu-prof dist/bench.js --one django --phase cold --root <dir>`.
 *
 * Options: `--repeat N` (default 3: each timed phase runs N times, the median is shown),
 * `--files N` (generated project size, default 2000). MB are MiB of Python source.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { availableParallelism, cpus, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { readSource, walkWorkspace } from '../server/src/core/files';
import { extractFacts } from '../server/src/core/python/facts';
import { loadPython, parsePython } from '../server/src/core/python/parser';
import { type TreeEdit, Workspace } from '../server/src/core/workspace';
import { parallelParse } from '../server/src/indexPool';
import { bigModelsFile, generateProject } from './generate';
import { navigationRows } from './navigation';
import { nplusoneRows } from './nplusone';
import { sqlComparison } from './sqlCompare';

// ---------------------------------------------------------------------------------------------
// Small exported helpers

/** The TreeEdit that turns `oldText` into `newText` (one changed range; UTF-16 code units). */
export function computeEdit(oldText: string, newText: string): TreeEdit {
  const max = Math.min(oldText.length, newText.length);
  let start = 0;
  while (start < max && oldText.charCodeAt(start) === newText.charCodeAt(start)) start++;
  let suffix = 0;
  while (
    suffix < max - start &&
    oldText.charCodeAt(oldText.length - 1 - suffix) === newText.charCodeAt(newText.length - 1 - suffix)
  ) suffix++;
  const oldEndIndex = oldText.length - suffix;
  const newEndIndex = newText.length - suffix;
  return {
    startIndex: start,
    oldEndIndex,
    newEndIndex,
    startPosition: pointAt(oldText, start),
    oldEndPosition: pointAt(oldText, oldEndIndex),
    newEndPosition: pointAt(newText, newEndIndex),
  };
}

/** Row and column (UTF-16 code units) of an offset. */
export function pointAt(text: string, index: number): { row: number; column: number } {
  let row = 0;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < index; i = text.indexOf('\n', i + 1)) {
    row++;
    lineStart = i + 1;
  }
  return { row, column: index - lineStart };
}

/** The q-quantile (0..1) of some numbers, nearest-rank. */
export function quantile(xs: number[], q: number): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))];
}

/** Touches every lazily built part of every project; returns sizes (so nothing is optimised away). */
export function buildModel(ws: Workspace): { projects: number; models: number; routes: number; views: number; templates: number } {
  const out = { projects: 0, models: 0, routes: 0, views: 0, templates: 0 };
  for (const p of ws.projects()) {
    out.projects++;
    void p.settings;
    void p.apps;
    out.routes += p.urls.routes.length;
    out.models += p.models.models.length;
    out.views += p.views.length;
    out.templates += p.templates.byName.size;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Child side: one phase of one corpus

type Phase = 'floor' | 'serial' | 'cold' | 'edit';
const PHASES: Phase[] = ['floor', 'serial', 'cold', 'edit'];

interface PhaseResult {
  corpus: string;
  phase: Phase;
  files: number;
  bytes: number;
  /** Wall time of the phase's measured part. */
  ms: number;
  /** cold/serial: Workspace.open alone, and the model build after it. */
  openMs?: number;
  modelMs?: number;
  /** Resident-set high-water mark of the child (max of VmHWM and 20 ms samples), MiB. */
  peakRssMb: number;
  sampledRssMb: number;
  model?: ReturnType<typeof buildModel>;
  edit?: {
    n: number;
    medianMs: number;
    p95Ms: number;
    maxMs: number;
    /** Median of updateFile alone (incremental reparse + facts) and of the model rebuild. */
    updateMedianMs: number;
    modelMedianMs: number;
    /** The facts after the last incremental edit equal those of a fresh parse of the final text. */
    factsMatchFreshParse: boolean;
    line: number;
  };
}

const MiB = 1024 * 1024;

function vmHwmBytes(): number {
  try {
    const m = /^VmHWM:\s+(\d+)\s+kB/m.exec(readFileSync('/proc/self/status', 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0; // not Linux: the samples alone
  }
}

async function runPhase(corpus: string, phase: Phase, root: string): Promise<PhaseResult> {
  let sampled = process.memoryUsage.rss();
  const sampler = setInterval(() => {
    sampled = Math.max(sampled, process.memoryUsage.rss());
  }, 20);
  const files = walkWorkspace([root]).python;
  let bytes = 0;
  const base = { corpus, phase, files: files.length };
  let r: Omit<PhaseResult, 'peakRssMb' | 'sampledRssMb' | 'bytes'>;

  if (phase === 'floor') {
    await loadPython();
    const t0 = performance.now();
    for (const f of files) {
      const src = readSource(f);
      bytes += src.size;
      if (src.text !== undefined) parsePython(src.text).delete();
    }
    r = { ...base, ms: performance.now() - t0 };
  } else if (phase === 'cold' || phase === 'serial') {
    let progressed = 0;
    const t0 = performance.now();
    const ws = await Workspace.open({
      roots: [root],
      parallelParse: phase === 'cold' ? parallelParse : undefined,
      // As the CLI does: one worker per spare core, and this thread parses a share too.
      workers: Math.max(1, availableParallelism() - 1),
      mainThreadShare: true,
      onProgress: (done) => (progressed = done),
    });
    const t1 = performance.now();
    await tick(); // lets the sampler see the post-open heap (the model build below is synchronous)
    const t2 = performance.now();
    const model = buildModel(ws);
    const t3 = performance.now();
    if (progressed !== files.length) throw new Error(`indexed ${progressed} of ${files.length} files`);
    for (const f of ws.pythonFiles()) bytes += statSize(f);
    r = { ...base, ms: t1 - t0 + (t3 - t2), openMs: t1 - t0, modelMs: t3 - t2, model };
  } else {
    const res = await runEdits(root, files);
    bytes = res.bytes;
    r = { ...base, ms: res.totalMs, edit: res.edit, model: res.model };
  }
  clearInterval(sampler);
  sampled = Math.max(sampled, process.memoryUsage.rss());
  return { ...r, bytes, peakRssMb: Math.max(sampled, vmHwmBytes()) / MiB, sampledRssMb: sampled / MiB };
}

function tick(): Promise<void> {
  return new Promise((res) => setTimeout(res, 25));
}

function statSize(f: string): number {
  try {
    return statSync(f).size;
  } catch {
    return 0;
  }
}

const EDITS = 200;

async function runEdits(root: string, files: string[]) {
  const file = bigModelsFile(root);
  if (!existsSync(file)) throw new Error(`no ${file}: the edit benchmark needs the generated project`);
  const ws = await Workspace.open({ roots: [root], parallelParse });
  buildModel(ws);
  let text = readFileSync(file, 'utf8');
  ws.updateFile(file, text); // opened in the editor: the workspace keeps its tree from now on
  const model = buildModel(ws);
  // The line to edit: the first `max_length=<n>` of a model field.
  const m = /max_length=(\d+)/.exec(text);
  if (!m) throw new Error(`no max_length= in ${file}`);
  const numStart = m.index + 'max_length='.length;
  const original = m[1];
  const other = String(Number(original) * 10 + 7); // a different length, so later offsets shift too
  const totals: number[] = [];
  const updates: number[] = [];
  const rebuilds: number[] = [];
  for (let i = 0; i < EDITS; i++) {
    const num = i % 2 === 0 ? other : original;
    const oldNum = i % 2 === 0 ? original : other;
    const next = text.slice(0, numStart) + num + text.slice(numStart + oldNum.length);
    const edit = computeEdit(text, next); // the editor hands these over: not timed
    const t0 = performance.now();
    ws.updateFile(file, next, [edit]);
    const t1 = performance.now();
    let sizes = 0;
    for (const p of ws.projects()) sizes += p.models.models.length + p.urls.routes.length;
    const t2 = performance.now();
    if (sizes === 0) throw new Error('the model is empty after an edit');
    updates.push(t1 - t0);
    rebuilds.push(t2 - t1);
    totals.push(t2 - t0);
    text = next;
  }
  // Correctness: incremental parsing must give what a fresh parse of the final text gives.
  const language = await loadPython();
  const fresh = parsePython(text);
  const same = JSON.stringify(extractFacts(fresh, language)) === JSON.stringify(ws.facts(file));
  fresh.delete();
  let bytes = 0;
  for (const f of files) bytes += statSize(f);
  return {
    bytes,
    model,
    totalMs: totals.reduce((a, b) => a + b, 0),
    edit: {
      n: totals.length,
      medianMs: quantile(totals, 0.5),
      p95Ms: quantile(totals, 0.95),
      maxMs: Math.max(...totals),
      updateMedianMs: quantile(updates, 0.5),
      modelMedianMs: quantile(rebuilds, 0.5),
      factsMatchFreshParse: same,
      line: pointAt(text, numStart).row + 1,
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Parent side: corpora, children, tables

interface Corpus {
  name: string;
  root?: string;
  /** Why the corpus is missing. */
  unavailable?: string;
  note?: string;
}

const RESULT_PREFIX = 'BENCH_RESULT ';

function runChild(corpus: Corpus, phase: Phase): PhaseResult | { error: string } {
  const script = process.argv[1];
  const p = spawnSync(process.execPath, [script, '--one', corpus.name, '--phase', phase, '--root', corpus.root!], {
    encoding: 'utf8',
    maxBuffer: 64 * MiB,
    timeout: 10 * 60_000,
  });
  const line = p.stdout?.split('\n').find((l) => l.startsWith(RESULT_PREFIX));
  if (p.status !== 0 || !line) {
    const why = p.error?.message ?? (p.stderr || p.stdout || `exit ${p.status}`).trim().split('\n').slice(-3).join(' / ');
    return { error: why };
  }
  return JSON.parse(line.slice(RESULT_PREFIX.length)) as PhaseResult;
}

function repoRoot(): string {
  for (const d of [resolve(__dirname, '..'), process.cwd()]) if (existsSync(join(d, 'package.json'))) return d;
  return process.cwd();
}

function djangoCorpus(repo: string): Corpus {
  const root = join(repo, '.corpora/python3-django/usr/lib/python3/dist-packages');
  const present = () => existsSync(join(root, 'django', '__init__.py'));
  if (!present()) {
    const script = join(repo, 'scripts/corpora.sh');
    if (!existsSync(script)) return { name: 'django', unavailable: '.corpora is missing and scripts/corpora.sh does not exist' };
    process.stderr.write('bench: .corpora/python3-django is missing: running scripts/corpora.sh\n');
    // Its report goes to stderr so that stdout holds only the tables.
    spawnSync('bash', [script], { cwd: repo, stdio: ['ignore', process.stderr, process.stderr], timeout: 15 * 60_000 });
    if (!present()) return { name: 'django', unavailable: 'scripts/corpora.sh did not unpack python3-django' };
  }
  let note: string | undefined;
  try {
    const done = readFileSync(join(repo, '.corpora/python3-django/.done'), 'utf8').trim();
    note = `Django source: Debian ${done}`;
  } catch {
    // no version marker
  }
  return { name: 'django', root, note };
}

/** Reads every file once (warm page cache for all phases) and counts them. */
function warm(root: string): { files: number; bytes: number } {
  const files = walkWorkspace([root]).python;
  let bytes = 0;
  for (const f of files) bytes += readSource(f).size;
  return { files: files.length, bytes };
}

const fmt = (x: number | undefined, digits = 0) => (x === undefined || Number.isNaN(x) ? '–' : x.toFixed(digits));
const verdict = (ok: boolean) => (ok ? 'PASS' : 'MISS');
const median = (xs: number[]) => quantile(xs, 0.5);

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

async function parent(): Promise<void> {
  const repeat = Math.max(1, Number(arg('--repeat') ?? 3));
  const genFiles = Math.max(10, Number(arg('--files') ?? 2000));
  const repo = repoRoot();
  const cpu = cpus()[0]?.model?.trim() ?? 'unknown CPU';
  console.log('# Django Lens benchmark');
  console.log('');
  console.log(`machine: ${cpus().length} cores (availableParallelism ${availableParallelism()}), ${cpu}, ${(totalmem() / 1024 ** 3).toFixed(1)} GiB RAM`);
  console.log(`node ${process.version} (${process.platform}-${process.arch}); each timed phase: median of ${repeat} fresh processes`);

  const corpora: Corpus[] = [djangoCorpus(repo)];
  const tmp = mkdtempSync(join(tmpdir(), 'django-lens-bench-'));
  const raw: string[] = [];
  try {
    const g0 = performance.now();
    const gen = generateProject(tmp, { files: genFiles });
    const genMs = performance.now() - g0;
    corpora.push({ name: `generated-${genFiles}`, root: tmp, note: `generated project: ${gen.pyFiles} .py of ${gen.files} files, ${gen.apps} apps, in ${fmt(genMs)} ms at ${tmp}` });
    for (const c of corpora) if (c.note) console.log(c.note);
    console.log('');

    const rows: string[] = [];
    const breakdown: string[] = [];
    const editRows: string[] = [];
    const misses: string[] = [];
    for (const c of corpora) {
      if (c.unavailable) {
        rows.push(`| ${c.name} | unavailable: ${c.unavailable} | | | | | | | | | |`);
        continue;
      }
      const size = warm(c.root!);
      const runs: Record<'floor' | 'serial' | 'cold', PhaseResult[]> = { floor: [], serial: [], cold: [] };
      let failed: string | undefined;
      for (let i = 0; i < repeat && !failed; i++) {
        for (const phase of ['floor', 'serial', 'cold'] as const) {
          const r = runChild(c, phase);
          if ('error' in r) {
            failed = `${phase}: ${r.error}`;
            break;
          }
          raw.push(JSON.stringify(r));
          runs[phase].push(r);
        }
      }
      if (failed) {
        rows.push(`| ${c.name} | ${size.files} | ${fmt(size.bytes / MiB, 1)} | failed (${failed}) | | | | | | | |`);
        continue;
      }
      const cold = median(runs.cold.map((r) => r.ms));
      const serial = median(runs.serial.map((r) => r.ms));
      const floor = median(runs.floor.map((r) => r.ms));
      const rss = Math.max(...runs.cold.map((r) => r.peakRssMb));
      const serialRss = Math.max(...runs.serial.map((r) => r.peakRssMb));
      const mb = size.bytes / MiB;
      const ratio = cold / floor;
      const targets = [`cold/floor ${fmt(ratio, 3)} ≤ 1.5 ${verdict(ratio <= 1.5)}`];
      if (ratio > 1.5) misses.push(`${c.name}: cold index ${fmt(ratio, 3)}× the parse floor (target ≤ 1.5×)`);
      if (c.name === 'django') {
        targets.push(`RSS < 300 MB ${verdict(rss < 300)}`);
        if (rss >= 300) misses.push(`${c.name}: peak RSS ${fmt(rss)} MB (target < 300 MB)`);
      }
      rows.push(`| ${c.name} | ${size.files} | ${fmt(mb, 1)} | ${fmt(cold)} | ${fmt(mb / (cold / 1000), 2)} | ${fmt(serial)} | ${fmt(floor)} | ${fmt(ratio, 2)} | ${fmt(serial / floor, 2)} | ${fmt(rss)} (serial ${fmt(serialRss)}) | ${targets.join('; ')} |`);
      for (const phase of ['cold', 'serial'] as const) {
        const rs = runs[phase];
        const m = rs[0].model!;
        breakdown.push(`| ${c.name} | ${phase} | ${fmt(median(rs.map((r) => r.openMs!)))} | ${fmt(median(rs.map((r) => r.modelMs!)))} | ${m.projects} | ${m.models} | ${m.routes} | ${m.views} | ${m.templates} |`);
      }

      if (c.name.startsWith('generated')) {
        const r = runChild(c, 'edit');
        if ('error' in r) {
          editRows.push(`| ${c.name} | failed (${r.error}) | | | | | |`);
        } else {
          raw.push(JSON.stringify(r));
          const e = r.edit!;
          const ok = e.medianMs < 20;
          if (!ok) misses.push(`${c.name}: edit median ${fmt(e.medianMs, 1)} ms (target < 20 ms)`);
          if (!e.factsMatchFreshParse) misses.push(`${c.name}: facts after incremental edits differ from a fresh parse`);
          editRows.push(`| ${c.name} (models.py line ${e.line}, ${e.n} edits) | ${fmt(e.medianMs, 1)} | ${fmt(e.p95Ms, 1)} | ${fmt(e.maxMs, 1)} | ${fmt(e.updateMedianMs, 1)} | ${fmt(e.modelMedianMs, 1)} | ${e.factsMatchFreshParse ? 'yes' : 'NO'} | median < 20 ms ${verdict(ok)} |`);
        }
      }
    }

    console.log('## Cold index');
    console.log('');
    console.log('| corpus | files | MB | cold ms | MB/s | serial ms | floor ms | ratio | serial/floor | peak RSS MB | target |');
    console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|');
    for (const r of rows) console.log(r);
    console.log('');
    console.log('cold = Workspace.open with worker threads + building every project model; serial = the same on one thread;');
    console.log('floor = read + tree-sitter parse of the same files on one thread; ratio = cold / floor.');
    console.log('');
    console.log('## Cold index breakdown (medians)');
    console.log('');
    console.log('| corpus | mode | open ms | model ms | projects | models | routes | views | template names |');
    console.log('|---|---|---:|---:|---:|---:|---:|---:|---:|');
    for (const r of breakdown) console.log(r);
    console.log('');
    console.log('## Edit latency (updateFile with a TreeEdit + rebuilding models and routes)');
    console.log('');
    console.log('| corpus | median ms | p95 ms | max ms | updateFile median ms | model median ms | facts = fresh parse | target |');
    console.log('|---|---:|---:|---:|---:|---:|---|---|');
    for (const r of editRows) console.log(r);
    if (editRows.length === 0) console.log('| – | no generated project | | | | | | |');
    console.log('');
    console.log(misses.length ? `Targets missed:\n${misses.map((m) => `- ${m}`).join('\n')}` : 'All targets met.');
    console.log('');
    console.log('## Raw results (one child process each)');
    console.log('');
    for (const r of raw) console.log(r);
    console.log(`\n## N+1 detection against indexing alone\n\n${await nplusoneRows()}`);
    console.log(`\n## Navigation latency (generated project)\n\n${await navigationRows()}`);
    console.log(`\n## Raw SQL: Django Lens, Ruff and Bandit on the labelled corpus\n\n${await sqlComparison()}`);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

async function child(): Promise<void> {
  const corpus = arg('--one')!;
  const phase = (arg('--phase') ?? 'cold') as Phase;
  const root = arg('--root');
  if (!PHASES.includes(phase)) throw new Error(`--phase must be one of ${PHASES.join(', ')}`);
  if (!root || !existsSync(root)) throw new Error(`--root: no such folder: ${root}`);
  const r = await runPhase(corpus, phase, resolve(root));
  await new Promise<void>((done) => process.stdout.write(RESULT_PREFIX + JSON.stringify(r) + '\n', () => done()));
}

(process.argv.includes('--one') ? child() : parent()).then(
  () => process.exit(0), // worker threads or timers must not keep a finished run alive
  (e) => {
    process.stderr.write(`bench: ${(e as Error)?.stack ?? e}\n`);
    process.exit(1);
  },
);
