/**
 * Loads tree-sitter and its Python grammar (both WASM, from npm) once per process and hands out
 * parsers. The WASM files are looked up beside the running bundle first (dist/ in a build, the
 * VSIX at run time) and then in node_modules, so tests, the CLI and the server all find them.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Language, Parser, type Tree } from 'web-tree-sitter';

let loading: Promise<Language> | undefined;
let language: Language | undefined;

function findFile(name: string, packageDir: string): string {
  const candidates = [
    join(__dirname, name),
    join(__dirname, '..', name),
    join(__dirname, '..', '..', name),
  ];
  for (const c of candidates) if (existsSync(c)) return c;
  // Fall back to the npm package (running from sources, e.g. in a debugger).
  let dir = __dirname;
  for (let i = 0; i < 8; i++) {
    const p = join(dir, 'node_modules', packageDir, name);
    if (existsSync(p)) return p;
    dir = dirname(dir);
  }
  throw new Error(`Django Lens: cannot find ${name} (looked beside ${__dirname} and in node_modules)`);
}

/** Initialises tree-sitter and loads the Python grammar; safe to call many times. */
export function loadPython(): Promise<Language> {
  if (!loading) {
    loading = (async () => {
      const runtime = findFile('tree-sitter.wasm', 'web-tree-sitter');
      await Parser.init({ locateFile: () => runtime });
      language = await Language.load(findFile('tree-sitter-python.wasm', 'tree-sitter-python'));
      return language;
    })();
  }
  return loading;
}

/** A parser for Python; `loadPython()` must have resolved first. */
export function newPythonParser(): Parser {
  if (!language) throw new Error('loadPython() has not completed');
  const parser = new Parser();
  parser.setLanguage(language);
  return parser;
}

let shared: Parser | undefined;

/** Parses a whole file with a shared parser. The caller owns the tree and must `delete()` it. */
export function parsePython(text: string, old?: Tree): Tree {
  shared ??= newPythonParser();
  const tree = shared.parse(text, old ?? null);
  if (!tree) throw new Error('tree-sitter returned no tree');
  return tree;
}

export type { Tree, Node as SyntaxNode } from 'web-tree-sitter';
