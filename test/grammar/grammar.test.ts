/**
 * The Django template grammar. The scope assertions live in test/grammar/cases/*.django.html
 * (vscode-tmgrammar-test's format: `{# ^^^ scope` under the line they check), run against VS Code's
 * own HTML, JavaScript and CSS grammars (from the tm-grammars package), which ours includes by
 * scope name. The manifest checks guard what users complained about in other extensions: a
 * copied HTML grammar and a language that claims every .html file.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../helpers/paths';

const manifest = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8'));
const grammarPath = join(repoRoot, 'syntaxes/django-html.tmLanguage.json');

describe('django-html grammar', function () {
  this.timeout(120_000);

  it('passes the line-by-line scope assertions', () => {
    const grammars = ['html', 'javascript', 'css'].flatMap((g) => ['-g', join(repoRoot, 'node_modules/tm-grammars/grammars', `${g}.json`)]);
    const r = spawnSync(process.execPath, [join(repoRoot, 'node_modules/vscode-tmgrammar-test/dist/unit.js'), '-c', ...grammars, 'test/grammar/cases/*.django.html'], { cwd: repoRoot, encoding: 'utf8' });
    const passed = (r.stdout.match(/run successfuly/g) ?? []).length;
    assert.equal(r.status, 0, `${r.stdout}\n${r.stderr}`);
    assert.ok(passed >= 4, `every case file ran (${passed})`);
  });

  it('includes the HTML grammar instead of copying it', () => {
    const grammar = JSON.parse(readFileSync(grammarPath, 'utf8'));
    assert.equal(grammar.scopeName, 'text.html.django');
    assert.deepEqual(grammar.patterns, [{ include: 'text.html.basic' }]);
    const repo = Object.keys(grammar.repository);
    for (const htmlRule of ['tags-valid', 'attribute', 'entities', 'comment']) assert.ok(!repo.includes(htmlRule), `no copied HTML rule ${htmlRule}`);
    assert.ok(readFileSync(grammarPath).length < 20_000, 'the grammar stays small');
  });

  it('does not take over .html files and keeps Emmet working', () => {
    const lang = manifest.contributes.languages.find((l: { id: string }) => l.id === 'django-html');
    assert.ok(lang, 'django-html is contributed');
    assert.ok(!(lang.extensions ?? []).includes('.html'), 'no .html extension claimed');
    assert.equal(lang.filenamePatterns, undefined, 'no filename patterns (no **/templates/**)');
    assert.equal(manifest.contributes.configurationDefaults['emmet.includeLanguages']['django-html'], 'html');
    const grammar = manifest.contributes.grammars.find((g: { language: string }) => g.language === 'django-html');
    assert.equal(grammar.scopeName, 'text.html.django');
    const config = JSON.parse(readFileSync(join(repoRoot, lang.configuration), 'utf8'));
    assert.deepEqual(config.comments.blockComment, ['{#', '#}']);
    const opens = config.autoClosingPairs.map((p: { open: string }) => p.open);
    for (const o of ['{%', '{{', '{#']) assert.ok(opens.includes(o), `auto-closes ${o}`);
  });
});
