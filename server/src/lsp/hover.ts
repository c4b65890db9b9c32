/** textDocument/hover: routes, URL names, views, templates, model fields, ORM paths. */
import { type Hover, MarkupKind } from 'vscode-languageserver/node';
import { hover } from '../core/language/hover';
import { toPath, toRange } from './convert';
import type { Feature } from './features';

export const hoverFeature: Feature = {
  capabilities: () => ({ hoverProvider: true }),
  register(ctx) {
    ctx.connection.onHover(({ textDocument, position }): Hover | null => {
      const ws = ctx.workspace();
      const file = toPath(textDocument.uri);
      if (!ws || !file) return null;
      try {
        const h = hover(ws, file, position.line, position.character);
        return h ? { contents: { kind: MarkupKind.Markdown, value: h.markdown }, range: toRange(h.span) } : null;
      } catch (e) {
        ctx.log(`hover failed: ${(e as Error).stack ?? e}`);
        return null;
      }
    });
  },
};
