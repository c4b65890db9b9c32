/**
 * textDocument/codeLens: the routes above each view. Clicking one runs the server command
 * `djangoLens.openLocation`, which asks the client to show the path() (window/showDocument), so
 * any LSP client that runs server commands gets the navigation without client code.
 */
import type { CodeLens } from 'vscode-languageserver/node';
import { lenses } from '../core/language/lens';
import { toPath, toRange, toUri } from './convert';
import type { Feature } from './features';

export const OPEN_LOCATION_COMMAND = 'djangoLens.openLocation';

export const codeLensFeature: Feature = {
  capabilities: () => ({ codeLensProvider: { resolveProvider: false }, executeCommandProvider: { commands: [OPEN_LOCATION_COMMAND] } }),
  register(ctx) {
    ctx.connection.onCodeLens(({ textDocument }): CodeLens[] | null => {
      const ws = ctx.workspace();
      const file = toPath(textDocument.uri);
      if (!ws || !file) return null;
      try {
        return lenses(ws, file).map((l) => ({
          range: toRange(l.span),
          command: l.target
            ? { title: l.title, command: OPEN_LOCATION_COMMAND, arguments: [toUri(l.target.file), toRange(l.target.span)] }
            : { title: l.title, command: '' },
        }));
      } catch (e) {
        ctx.log(`code lens failed: ${(e as Error).stack ?? e}`);
        return null;
      }
    });
    ctx.connection.onExecuteCommand(async ({ command, arguments: args }) => {
      if (command !== OPEN_LOCATION_COMMAND || !args || typeof args[0] !== 'string') return;
      await ctx.connection.window.showDocument({ uri: args[0], selection: args[1], takeFocus: true }).catch(() => undefined);
    });
  },
};
