/**
 * textDocument/definition: URL names, templates, views, "app.Model" strings, include()
 * modules, settings entries and ORM paths (core/language/definition.ts). Several candidates are
 * returned in Django's order of preference.
 */
import type { Location } from 'vscode-languageserver/node';
import { definition } from '../core/language/definition';
import { toPath, toRange, toUri } from './convert';
import type { Feature } from './features';

export const definitionFeature: Feature = {
  capabilities: () => ({ definitionProvider: true }),
  register(ctx) {
    ctx.connection.onDefinition(({ textDocument, position }): Location[] | null => {
      const ws = ctx.workspace();
      const file = toPath(textDocument.uri);
      if (!ws || !file) return null;
      try {
        return definition(ws, file, position.line, position.character).map((l) => ({ uri: toUri(l.file), range: toRange(l.span) }));
      } catch (e) {
        ctx.log(`definition failed: ${(e as Error).stack ?? e}`);
        return null;
      }
    });
  },
};
