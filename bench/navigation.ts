/**
 * Navigation latency on the generated 2,000-file project: go to definition (a URL name in a
 * model's get_absolute_url, a template name in a view), completion (URL names in reverse(); ORM
 * lookups in a queryset call in an open document) and find references of a URL name, each
 * request several hundred times on a warm index, as an editor would send them after the first
 * index. Reports median and p95 in milliseconds, as Markdown table rows.
 *
 * The first request of each kind is not timed (it builds the project model lazily, which the
 * cold-index benchmark already measures).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { completion } from '../server/src/core/language/completion';
import { definition } from '../server/src/core/language/definition';
import { references } from '../server/src/core/language/references';
import { Workspace } from '../server/src/core/workspace';
import { generateProject } from './generate';

const REQUESTS = 300;

function stats(samples: number[]): { median: number; p95: number } {
  const s = [...samples].sort((a, b) => a - b);
  return { median: s[Math.floor(s.length / 2)], p95: s[Math.min(s.length - 1, Math.floor(s.length * 0.95))] };
}

function time(fn: () => unknown): number[] {
  fn();
  const out: number[] = [];
  for (let i = 0; i < REQUESTS; i++) {
    const t = process.hrtime.bigint();
    fn();
    out.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  return out;
}

function positionOf(text: string, needle: string, offset: number): { line: number; character: number } {
  const lines = text.split('\n');
  const line = lines.findIndex((l) => l.includes(needle));
  if (line < 0) throw new Error(`bench: ${needle} not found`);
  return { line, character: lines[line].indexOf(needle) + offset };
}

export async function navigationRows(files = 2000): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'djlens-nav-'));
  try {
    generateProject(dir, { files });
    const ws = await Workspace.open({ roots: [dir] });
    const project = ws.projects()[0];
    const model = project.models.models.find((m) => !m.abstract && readFileSync(m.file, 'utf8').includes('get_absolute_url'));
    if (!model) throw new Error('bench: no model with get_absolute_url');
    const modelsText = readFileSync(model.file, 'utf8');
    const rev = positionOf(modelsText, 'return reverse("', 'return reverse("'.length + 2);
    const view = project.views.find((v) => v.kind === 'function' && v.templates.some((t) => t.via === 'call'));
    if (!view) throw new Error('bench: no function view with a template');
    const viewText = readFileSync(view.file, 'utf8');
    const tpl = positionOf(viewText, `"${view.templates[0].name}"`, 3);
    // An open document with a queryset call being typed, for ORM completion.
    const scratch = join(project.root, 'apps', model.appLabel, 'bench_scratch.py');
    ws.updateFile(scratch, `from .models import ${model.name}\n\ndef f():\n    return ${model.name}.objects.filter()\n`);
    const orm = { line: 3, character: `    return ${model.name}.objects.filter(`.length };
    const urlCompletion = { line: rev.line, character: rev.character - 2 };

    const rows: [string, number[], number][] = [];
    const run = (label: string, fn: () => number) => {
      let n = 0;
      const samples = time(() => {
        n = fn();
      });
      rows.push([label, samples, n]);
    };
    run('definition: URL name → path()', () => definition(ws, model.file, rev.line, rev.character).length);
    run('definition: template name → file', () => definition(ws, view.file, tpl.line, tpl.character).length);
    run('completion: URL names in reverse()', () => completion(ws, model.file, urlCompletion.line, urlCompletion.character).length);
    run('completion: ORM lookups in filter()', () => completion(ws, scratch, orm.line, orm.character).length);
    run('references: URL name', () => references(ws, model.file, rev.line, rev.character).length);
    const out = ['| navigation request (generated project, warm) | results | median ms | p95 ms |', '|---|---:|---:|---:|'];
    for (const [label, samples, n] of rows) {
      const s = stats(samples);
      out.push(`| ${label} | ${n} | ${s.median.toFixed(2)} | ${s.p95.toFixed(2)} |`);
    }
    return out.join('\n');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module && process.argv.includes('--navigation')) {
  void navigationRows().then((t) => process.stdout.write(`${t}\n`));
}
