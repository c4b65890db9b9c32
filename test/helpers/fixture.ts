/**
 * Multi-file fixtures written as one string, after rust-analyzer's `//- /path` fixtures: a line
 * `# -- blog/models.py` (or `{# -- templates/base.html #}`) starts a file, and everything up to the
 * next such line is its content. Each file is dedented, so fixtures can be indented like the test
 * code around them.
 *
 * Expectations live inside the fixture. A line `# ^^^^ text` (or `{# ^^^^ text #}` in a template)
 * marks the columns of its `^` run on the nearest code line above it; several marker lines may
 * follow one code line. To mark text that starts in column 0 (a module-level name, which the `#`
 * would cover), the marker line may drop the comment sign: `^^^^^ text`. Such a line is never
 * valid Python or useful template text, and it is stripped like the others. A `$0` anywhere marks the cursor. Marker lines and `$0` are removed from
 * the written files, and their positions (0-based lines and columns, in the written text) are
 * returned, so the analysed code is exactly the code the reader sees minus the annotations.
 */
import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Workspace, type WorkspaceOptions } from '../../server/src/core/workspace';

export interface Marker {
  /** Path of the file relative to the fixture folder, as written in its header. */
  file: string;
  line: number;
  startCol: number;
  endCol: number;
  text: string;
}

export interface Cursor {
  file: string;
  line: number;
  character: number;
}

export interface ParsedFixture {
  /** Relative path → content as written to disk (markers and `$0` removed). */
  files: Map<string, string>;
  markers: Marker[];
  cursor?: Cursor;
}

const FILE_HEADER = /^(?:#|\{#)\s*--\s+(\S+?)\s*(?:#\})?\s*$/;
const MARKER_LINE = /^(\s*(?:(?:#|\{#)\s*)?)(\^+)(?:\s+(.*?))?\s*(?:#\})?\s*$/;
const CURSOR = '$0';

/** Removes the indentation common to every non-blank line, and blank lines at both ends. */
export function dedent(src: string): string {
  return dedentLines(src.replace(/\r\n/g, '\n').split('\n')).join('\n');
}

function dedentLines(input: string[]): string[] {
  const lines = [...input];
  while (lines.length && lines[0].trim() === '') lines.shift();
  while (lines.length && lines[lines.length - 1].trim() === '') lines.pop();
  let indent = Infinity;
  for (const l of lines) if (l.trim()) indent = Math.min(indent, l.length - l.trimStart().length);
  if (!Number.isFinite(indent)) indent = 0;
  return lines.map((l) => l.slice(indent));
}

/**
 * Splits a fixture into files, markers and the cursor, without touching the disk. Header lines
 * may be indented, and each file's body is dedented on its own, so fixtures can be assembled from
 * pieces (`${SETTINGS}`) written at different indentations.
 */
export function parseFixture(src: string): ParsedFixture {
  const bodies = new Map<string, string[]>();
  let current: string[] | undefined;
  for (const raw of src.replace(/\r\n/g, '\n').split('\n')) {
    const header = FILE_HEADER.exec(raw.trim());
    if (header) {
      if (bodies.has(header[1])) throw new Error(`fixture: file ${header[1]} appears twice`);
      current = [];
      bodies.set(header[1], current);
      continue;
    }
    if (current) current.push(raw);
    else if (raw.trim() !== '') throw new Error(`fixture: text before the first "# -- path" header: ${JSON.stringify(raw)}`);
  }
  if (bodies.size === 0) throw new Error('fixture: no "# -- path" header');

  const files = new Map<string, string>();
  const markers: Marker[] = [];
  let cursor: Cursor | undefined;
  for (const [file, body] of bodies) {
    const out: string[] = [];
    /** Index in `out` of the last code line, and where a `$0` was removed from it. */
    let lastCode = -1;
    let lastCursorCol = -1;
    for (const raw of dedentLines(body)) {
      const marker = MARKER_LINE.exec(raw);
      if (marker) {
        if (lastCode < 0) throw new Error(`fixture: marker with no code line above it in ${file}: ${JSON.stringify(raw)}`);
        let startCol = marker[1].length;
        let endCol = startCol + marker[2].length;
        // Columns are read against the line as shown in the fixture: undo the `$0` removal.
        if (lastCursorCol >= 0) {
          if (startCol > lastCursorCol) startCol -= CURSOR.length;
          if (endCol > lastCursorCol) endCol -= CURSOR.length;
        }
        markers.push({ file, line: lastCode, startCol, endCol, text: marker[3] ?? '' });
        continue;
      }
      let line = raw;
      lastCursorCol = -1;
      const at = line.indexOf(CURSOR);
      if (at >= 0) {
        if (cursor) throw new Error('fixture: more than one $0 cursor');
        line = line.slice(0, at) + line.slice(at + CURSOR.length);
        cursor = { file, line: out.length, character: at };
        lastCursorCol = at;
      }
      out.push(line);
      lastCode = out.length - 1;
    }
    files.set(file, out.length ? `${out.join('\n')}\n` : '');
  }
  return { files, markers, cursor };
}

export interface Fixture extends ParsedFixture {
  /** The fixture's folder (a real path, so that it compares equal to the paths the core reports). */
  dir: string;
  ws: Workspace;
  /** Absolute path of a fixture file. */
  path(rel: string): string;
  /** A fixture file's path relative to the fixture folder. */
  rel(abs: string): string;
  /** The text a marker spans, read from the written file. */
  marked(m: Marker): string;
  cleanup(): void;
}

export interface FixtureOptions extends Partial<Omit<WorkspaceOptions, 'roots'>> {
  /** Workspace roots relative to the fixture folder (default: the folder itself). */
  roots?: string[];
  /** Runs after the files are written and before the workspace opens (raw bytes, symlinks ...). */
  prepare?: (dir: string) => void;
}

/** Writes the parsed files into `dir`. */
export function writeFiles(dir: string, files: Map<string, string>): void {
  for (const [rel, text] of files) {
    const p = join(dir, rel);
    mkdirSync(dirname(p), { recursive: true });
    writeFileSync(p, text);
  }
}

/** Makes a fresh temporary folder (real path) for a fixture. */
export function tempDir(prefix = 'djlens-'): string {
  return realpathSync(mkdtempSync(join(tmpdir(), prefix)));
}

/** Writes the fixture to a fresh temporary folder and opens a Workspace on it. */
export async function fixture(src: string, options: FixtureOptions = {}): Promise<Fixture> {
  const parsed = parseFixture(src);
  const dir = tempDir();
  try {
    writeFiles(dir, parsed.files);
    options.prepare?.(dir);
    const { roots, prepare: _prepare, ...rest } = options;
    const ws = await Workspace.open({ ...rest, roots: (roots ?? ['.']).map((r) => join(dir, r)) });
    return {
      ...parsed,
      dir,
      ws,
      path: (rel) => join(dir, rel),
      rel: (abs) => (abs === dir ? '.' : abs.startsWith(`${dir}/`) ? abs.slice(dir.length + 1) : abs),
      marked: (m) => (parsed.files.get(m.file) ?? '').split('\n')[m.line].slice(m.startCol, m.endCol),
      cleanup: () => rmSync(dir, { recursive: true, force: true }),
    };
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
}
