/**
 * The one place that converts the core's types to LSP's: spans to ranges, findings to
 * diagnostics, paths to URIs. Nothing else in the server builds LSP shapes from core data.
 */
import { pathToFileURL, fileURLToPath } from 'node:url';
import { type Diagnostic, DiagnosticSeverity, type Range } from 'vscode-languageserver/node';
import type { Finding, Severity, Span } from '../core/types';

export function toRange(s: Span): Range {
  return { start: { line: s[0], character: s[1] }, end: { line: s[2], character: s[3] } };
}

export function toUri(file: string): string {
  return pathToFileURL(file).href;
}

export function toPath(uri: string): string | undefined {
  if (!uri.startsWith('file:')) return undefined;
  try {
    return fileURLToPath(uri);
  } catch {
    return undefined;
  }
}

const SEVERITY: Record<Severity, DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  information: DiagnosticSeverity.Information,
  hint: DiagnosticSeverity.Hint,
};

export function toDiagnostic(f: Finding): Diagnostic {
  return {
    range: toRange(f.span),
    severity: SEVERITY[f.severity],
    code: f.code,
    source: 'django-lens',
    message: f.message,
    relatedInformation: f.related?.map((r) => ({ location: { uri: toUri(r.file), range: toRange(r.span) }, message: r.message })),
    data: f.data,
  };
}
