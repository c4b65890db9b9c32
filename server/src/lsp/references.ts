/** textDocument/references: uses of a URL name, routes of a view, uses of a template. */
import type { Location } from 'vscode-languageserver/node';
import { references } from '../core/language/references';
import { toPath, toRange, toUri } from './convert';
import type { Feature } from './features';

export const referencesFeature: Feature = {
  capabilities: () => ({ referencesProvider: true }),
  register(ctx) {
    ctx.connection.onReferences(({ textDocument, position, context }): Location[] | null => {
      const ws = ctx.workspace();
      const file = toPath(textDocument.uri);
      if (!ws || !file) return null;
      try {
        return references(ws, file, position.line, position.character, context.includeDeclaration).map((l) => ({ uri: toUri(l.file), range: toRange(l.span) }));
      } catch (e) {
        ctx.log(`references failed: ${(e as Error).stack ?? e}`);
        return null;
      }
    });
  },
};
