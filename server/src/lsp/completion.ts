/**
 * textDocument/completion: URL names and their parameters, template names, ORM lookups. Trigger
 * characters are the quotes that open a name and `_` (the second underscore of `__`).
 */
import { type CompletionItem, CompletionItemKind, type CompletionList, MarkupKind } from 'vscode-languageserver/node';
import { completion } from '../core/language/completion';
import type { CompletionKind } from '../core/language/types';
import { toPath, toRange } from './convert';
import type { Feature } from './features';

const KIND: Record<CompletionKind, CompletionItemKind> = {
  url: CompletionItemKind.Reference,
  template: CompletionItemKind.File,
  field: CompletionItemKind.Field,
  relation: CompletionItemKind.Reference,
  lookup: CompletionItemKind.Operator,
  parameter: CompletionItemKind.Variable,
  model: CompletionItemKind.Class,
  module: CompletionItemKind.Module,
};

export const completionFeature: Feature = {
  capabilities: () => ({ completionProvider: { triggerCharacters: ['"', "'", '_', ' '], resolveProvider: false } }),
  register(ctx) {
    ctx.connection.onCompletion(({ textDocument, position }): CompletionList | null => {
      const ws = ctx.workspace();
      const file = toPath(textDocument.uri);
      if (!ws || !file) return null;
      try {
        const items = completion(ws, file, position.line, position.character).map((c): CompletionItem => ({
          label: c.label,
          kind: KIND[c.kind],
          detail: c.detail,
          documentation: c.documentation ? { kind: MarkupKind.Markdown, value: c.documentation } : undefined,
          sortText: c.sortText,
          filterText: c.label,
          textEdit: { range: toRange(c.replace), newText: c.insertText ?? c.label },
        }));
        return { isIncomplete: false, items };
      } catch (e) {
        ctx.log(`completion failed: ${(e as Error).stack ?? e}`);
        return null;
      }
    });
  },
};
