/**
 * The N+1 checks against Django itself. Debian's Django 3.2 (test/oracle/django_queries.py) seeds
 * N=3 and N=10 rows into an in-memory SQLite database, calls every `case_*` function of the fixture
 * project and every view through its URL, and counts the queries. A case is an N+1 exactly when its
 * count grows with N, and Django Lens must flag exactly those cases. Then every quick fix is applied
 * to a copy of the project, and Django must count a constant number of queries for each fixed case,
 * while Django Lens no longer reports it.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fixesFor, runChecks } from '../../server/src/core/checks/registry';
import type { Finding, TextEdit } from '../../server/src/core/types';
import { Workspace } from '../../server/src/core/workspace';
import { tempDir } from '../helpers/fixture';
import { repoRoot } from '../helpers/paths';

const PYTHON = '/usr/bin/python3';
const PROJECT = join(repoRoot, 'test/fixtures/nplusone');

function djangoAvailable(): boolean {
  return existsSync(PYTHON) && spawnSync(PYTHON, ['-c', 'import django'], { stdio: 'ignore' }).status === 0;
}

function oracle(dir: string, names: string[] = []): Record<string, [number, number]> {
  const out = execFileSync(PYTHON, [join(repoRoot, 'test/oracle/django_queries.py'), dir, ...names], { encoding: 'utf8', env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' }, maxBuffer: 1 << 24 });
  return JSON.parse(out);
}

const isNPlusOne = (f: Finding) => /^DJL1\d\d$/.test(f.code);

/** The case a finding belongs to: the `case_*` function around it, or the view named in its data. */
function caseOf(ws: Workspace, f: Finding): string | undefined {
  const view = (f.data as { view?: string } | undefined)?.view;
  if (view) return view.split('.')[0];
  const facts = ws.facts(f.file);
  for (const st of facts?.body ?? []) {
    if (st.k === 'def' && st.s[0] <= f.span[0] && f.span[0] <= st.s[2]) return st.name;
  }
  return undefined;
}

/** Applies text edits to files on disk (several per file, last first so positions stay valid). */
export function applyEdits(edits: TextEdit[]): void {
  const byFile = new Map<string, TextEdit[]>();
  for (const e of edits) byFile.set(e.file, [...(byFile.get(e.file) ?? []), e]);
  for (const [file, list] of byFile) {
    let text = readFileSync(file, 'utf8');
    const offset = (line: number, col: number) => {
      let o = 0;
      for (let i = 0; i < line; i++) o = text.indexOf('\n', o) + 1;
      return o + col;
    };
    list.sort((a, b) => b.span[0] - a.span[0] || b.span[1] - a.span[1]);
    for (const e of list) text = text.slice(0, offset(e.span[0], e.span[1])) + e.newText + text.slice(offset(e.span[2], e.span[3]));
    writeFileSync(file, text);
  }
}

async function findingsIn(dir: string): Promise<{ ws: Workspace; findings: Finding[] }> {
  const ws = await Workspace.open({ roots: [dir] });
  return { ws, findings: runChecks(ws).filter(isNPlusOne) };
}

describe('N+1 findings agree with Django query counts', function () {
  this.timeout(300_000);
  before(function () {
    if (!djangoAvailable()) {
      if (process.env.CI) throw new Error('Debian python3-django is required in CI (scripts/ensure-django.sh)');
      this.skip();
    }
  });

  it('flags a case exactly when its query count grows with N, and every fix makes it constant', async () => {
    const counts = oracle(PROJECT);
    const names = Object.keys(counts);
    assert.ok(names.length >= 60, `the oracle ran ${names.length} cases`);
    const { ws, findings } = await findingsIn(PROJECT);
    const flagged = new Set<string>();
    for (const f of findings) {
      const c = caseOf(ws, f);
      assert.ok(c, `finding outside any case: ${f.file}:${f.span[0] + 1} ${f.message}`);
      flagged.add(c);
    }
    const disagree = names.filter((n) => flagged.has(n) !== counts[n][1] > counts[n][0]);
    const positives = names.filter((n) => counts[n][1] > counts[n][0]).length;
    process.stdout.write(`      oracle: ${names.length - disagree.length}/${names.length} cases agree (${positives} grow with N, ${names.length - positives} constant)\n`);
    assert.deepEqual(disagree.map((n) => `${n} ${counts[n].join('→')} ${flagged.has(n) ? 'flagged' : 'not flagged'}`), []);
    assert.ok(positives >= 30 && names.length - positives >= 30);

    // Apply the preferred fix of every finding in one copy of the project, then ask Django again.
    for (const variant of ['preferred', 'annotate'] as const) {
      const dir = tempDir('djlens-fix-');
      try {
        cpSync(PROJECT, dir, { recursive: true });
        const copy = await findingsIn(dir);
        const fixedCases = new Set<string>();
        const edits: TextEdit[] = [];
        for (const f of copy.findings) {
          const fixes = fixesFor(copy.ws, f);
          const fix = variant === 'preferred' ? fixes.find((x) => x.isPreferred) : fixes.find((x) => x.title.startsWith('Annotate'));
          if (!fix) continue;
          edits.push(...fix.edits);
          fixedCases.add(caseOf(copy.ws, f)!);
        }
        // A case is only checked when every one of its findings had a fix.
        for (const f of copy.findings) {
          const fixes = fixesFor(copy.ws, f);
          const has = variant === 'preferred' ? fixes.some((x) => x.isPreferred) : fixes.some((x) => x.title.startsWith('Annotate'));
          if (!has) fixedCases.delete(caseOf(copy.ws, f)!);
        }
        applyEdits(edits);
        const after = oracle(dir, [...fixedCases]);
        const still = [...fixedCases].filter((n) => after[n][1] > after[n][0]);
        const again = await findingsIn(dir);
        const stillFlagged = [...new Set(again.findings.map((f) => caseOf(again.ws, f)!))].filter((n) => fixedCases.has(n));
        process.stdout.write(`      ${variant} fixes: ${fixedCases.size - still.length}/${fixedCases.size} fixed cases run a constant number of queries; ${fixedCases.size - stillFlagged.length}/${fixedCases.size} no longer flagged\n`);
        assert.ok(fixedCases.size >= (variant === 'preferred' ? 30 : 3), `${fixedCases.size} ${variant} fixes`);
        assert.deepEqual(still.map((n) => `${n} ${after[n].join('→')}`), []);
        assert.deepEqual(stillFlagged, []);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
  });
});
