/**
 * The one place that converts the core's types to LSP's: spans to ranges, findings to
 * diagnostics, paths to URIs. Nothing else in the server builds LSP shapes from core data.
 */
import { pathToFileURL, fileURLToPath } from 'node:url';
import { type CodeAction, CodeActionKind, type Diagnostic, DiagnosticSeverity, type Range, type WorkspaceEdit } from 'vscode-languageserver/node';
import type { Finding, Fix, Severity, Span } from '../core/types';

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

export function toWorkspaceEdit(fix: Fix, version: (uri: string) => number | null): WorkspaceEdit {
  const byFile = new Map<string, Fix['edits']>();
  for (const e of fix.edits) {
    const list = byFile.get(e.file);
    if (list) list.push(e);
    else byFile.set(e.file, [e]);
  }
  return {
    documentChanges: [
      ...(fix.createFiles ?? []).map((f) => ({ kind: 'create' as const, uri: toUri(f), options: { ignoreIfExists: true } })),
      ...[...byFile].map(([file, edits]) => ({
        textDocument: { uri: toUri(file), version: version(toUri(file)) },
        edits: edits.map((e) => ({ range: toRange(e.span), newText: e.newText })),
      })),
    ],
  };
}

export function toCodeAction(fix: Fix, diagnostic: Diagnostic, version: (uri: string) => number | null): CodeAction {
  return {
    title: fix.title,
    kind: CodeActionKind.QuickFix,
    diagnostics: [diagnostic],
    isPreferred: fix.isPreferred,
    edit: toWorkspaceEdit(fix, version),
  };
}
