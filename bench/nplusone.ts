/**
 * Benchmark rows for the N+1 analysis: the time to index a corpus and build its project model,
 * against the same plus N+1 detection (every function of every project module interpreted, every
 * view's templates walked). Corpora: Django's own source (Debian's python3-django in .corpora/)
 * and the generated 2,000-file project. Each measurement is the median of three runs on one
 * thread; `nplusoneRows()` returns Markdown table rows for bench.ts to print.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pythonNPlusOne } from '../server/src/core/orm/analysis';
import { templateNPlusOne } from '../server/src/core/orm/templateFlow';
import { Workspace } from '../server/src/core/workspace';
import { generateProject } from './generate';

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

async function indexOnce(root: string, withNPlusOne: boolean): Promise<{ ms: number; findings: number }> {
  const t0 = performance.now();
  const ws = await Workspace.open({ roots: [root], workers: 1 });
  let findings = 0;
  for (const p of ws.projects()) {
    void p.models.models.length;
    void p.urls.routes.length;
    void p.views.length;
    void p.templates.byName.size;
    if (withNPlusOne) findings += pythonNPlusOne(ws, p).length + templateNPlusOne(ws, p).length;
  }
  return { ms: performance.now() - t0, findings };
}

async function row(name: string, root: string): Promise<string> {
  const base: number[] = [];
  const full: number[] = [];
  let findings = 0;
  for (let i = 0; i < 3; i++) {
    base.push((await indexOnce(root, false)).ms);
    const r = await indexOnce(root, true);
    full.push(r.ms);
    findings = r.findings;
  }
  const b = median(base);
  const f = median(full);
  return `| ${name} | ${b.toFixed(0)} ms | ${f.toFixed(0)} ms | ${(f / b).toFixed(2)}× | ${findings} |`;
}

/** Markdown rows: corpus, index alone, index + N+1, ratio (target < 1.3×), findings. */
export async function nplusoneRows(): Promise<string> {
  const rows = ['| corpus | index (1 thread) | index + N+1 | ratio | N+1 accesses |', '|---|---|---|---|---|'];
  const index = resolve('.corpora/index.json');
  if (existsSync(index)) {
    const django = (JSON.parse(readFileSync(index, 'utf8')) as { name: string; root: string }[]).find((c) => c.name === 'python3-django');
    if (django) rows.push(await row('django (python3-django)', resolve(django.root)));
  }
  const dir = mkdtempSync(join(tmpdir(), 'djlens-bench-nplusone-'));
  try {
    generateProject(dir);
    rows.push(await row('generated 2,000 files', dir));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return rows.join('\n');
}
