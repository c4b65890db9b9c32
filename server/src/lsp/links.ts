/** textDocument/documentLink: template names and include("app.urls") strings. */
import type { DocumentLink } from 'vscode-languageserver/node';
import { documentLinks } from '../core/language/links';
import { toPath, toRange, toUri } from './convert';
import type { Feature } from './features';

export const linksFeature: Feature = {
  capabilities: () => ({ documentLinkProvider: { resolveProvider: false } }),
  register(ctx) {
    ctx.connection.onDocumentLinks(({ textDocument }): DocumentLink[] | null => {
      const ws = ctx.workspace();
      const file = toPath(textDocument.uri);
      if (!ws || !file) return null;
      try {
        return documentLinks(ws, file).map((l) => ({ range: toRange(l.span), target: toUri(l.target), tooltip: l.tooltip }));
      } catch (e) {
        ctx.log(`document links failed: ${(e as Error).stack ?? e}`);
        return null;
      }
    });
  },
};
