/** workspace/symbol and textDocument/documentSymbol for models, views, URL names, templates, patterns, blocks. */
import { type DocumentSymbol, SymbolKind, type WorkspaceSymbol } from 'vscode-languageserver/node';
import { documentSymbols, workspaceSymbols } from '../core/language/symbols';
import type { SymbolEntry } from '../core/language/types';
import { toPath, toRange, toUri } from './convert';
import type { Feature } from './features';

const KIND: Record<SymbolEntry['kind'], SymbolKind> = {
  model: SymbolKind.Class,
  view: SymbolKind.Function,
  url: SymbolKind.Key,
  template: SymbolKind.File,
  pattern: SymbolKind.Key,
  block: SymbolKind.Namespace,
  field: SymbolKind.Field,
};

function toDocumentSymbol(s: SymbolEntry): DocumentSymbol {
  return {
    name: s.name,
    detail: s.detail,
    kind: KIND[s.kind],
    range: toRange(s.span),
    selectionRange: toRange(s.nameSpan ?? s.span),
    children: s.children?.map(toDocumentSymbol),
  };
}

export const symbolsFeature: Feature = {
  capabilities: () => ({ workspaceSymbolProvider: true, documentSymbolProvider: true }),
  register(ctx) {
    ctx.connection.onWorkspaceSymbol(({ query }): WorkspaceSymbol[] | null => {
      const ws = ctx.workspace();
      if (!ws) return null;
      return workspaceSymbols(ws, query).map((s) => ({
        name: s.name,
        kind: KIND[s.kind],
        containerName: s.detail,
        location: { uri: toUri(s.file), range: toRange(s.span) },
      }));
    });
    ctx.connection.onDocumentSymbol(({ textDocument }): DocumentSymbol[] | null => {
      const ws = ctx.workspace();
      const file = toPath(textDocument.uri);
      if (!ws || !file) return null;
      try {
        return documentSymbols(ws, file).map(toDocumentSymbol);
      } catch (e) {
        ctx.log(`document symbols failed: ${(e as Error).stack ?? e}`);
        return null;
      }
    });
  },
};
