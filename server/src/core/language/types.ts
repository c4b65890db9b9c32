/**
 * The language service's answers, in the core's own terms (files and spans, markdown strings,
 * plain labels). server/src/lsp converts them to LSP shapes; the CLI, tests and benchmark use them
 * as they are.
 */
import type { Span } from '../types';

export interface Location {
  file: string;
  span: Span;
}

export interface Hover {
  markdown: string;
  span: Span;
}

export type CompletionKind = 'url' | 'template' | 'field' | 'relation' | 'lookup' | 'parameter' | 'model' | 'module';

export interface Completion {
  label: string;
  kind: CompletionKind;
  detail?: string;
  documentation?: string;
  /** Text to insert instead of the label. */
  insertText?: string;
  /** The span the completion replaces (the typed prefix); a zero-width span at the cursor otherwise. */
  replace: Span;
  /** Sort key; lower sorts first. */
  sortText?: string;
}

export interface Lens {
  span: Span;
  title: string;
  /** Where clicking the lens goes. */
  target?: Location;
}

export type SymbolKind = 'model' | 'view' | 'url' | 'template' | 'pattern' | 'block' | 'field';

export interface SymbolEntry {
  name: string;
  kind: SymbolKind;
  file: string;
  span: Span;
  /** Span of the name itself (selection range). */
  nameSpan?: Span;
  detail?: string;
  children?: SymbolEntry[];
}

export interface DocumentLink {
  span: Span;
  target: string;
  tooltip?: string;
}
