/**
 * The analysis core's own vocabulary: spans, expressions and findings. Nothing here knows LSP;
 * server/src/lsp converts at the edge, and the CLI prints these directly.
 */

/** [startLine, startCharacter, endLine, endCharacter]: 0-based lines, UTF-16 columns. */
export type Span = [number, number, number, number];

export function spanContains(span: Span, line: number, character: number): boolean {
  if (line < span[0] || line > span[2]) return false;
  if (line === span[0] && character < span[1]) return false;
  if (line === span[2] && character > span[3]) return false;
  return true;
}

export type Severity = 'error' | 'warning' | 'information' | 'hint';

export interface RelatedLocation {
  file: string;
  span: Span;
  message: string;
}

/** One diagnostic produced by a check. `data` is structured input for the check's quick fix. */
export interface Finding {
  code: string;
  severity: Severity;
  message: string;
  /** Absolute path of the file the finding is in. */
  file: string;
  span: Span;
  related?: RelatedLocation[];
  data?: unknown;
}

/** A message about input the core could not read fully (a bad file, a missing settings module). */
export interface Problem {
  file?: string;
  message: string;
}

/** A text edit in the core's terms; the LSP layer turns a Fix into a WorkspaceEdit. */
export interface TextEdit {
  file: string;
  span: Span;
  newText: string;
}

/** A quick fix for a finding: a title and edits across any number of files (and new files). */
export interface Fix {
  title: string;
  edits: TextEdit[];
  /** Files to create before the edits apply (e.g. a missing template). */
  createFiles?: string[];
  isPreferred?: boolean;
}
