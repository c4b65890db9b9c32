#!/usr/bin/env node
/**
 * Entry point of the language server (dist/server.js). vscode-languageserver picks the transport
 * from the command line: `--node-ipc` (the VS Code client) or `--stdio` (any other editor).
 */
import { createConnection, ProposedFeatures } from 'vscode-languageserver/node';
import { startServer } from './server';

if (!process.argv.some((a) => a === '--stdio' || a === '--node-ipc' || a.startsWith('--socket') || a.startsWith('--pipe'))) {
  process.stderr.write('usage: django-lens-server --stdio | --node-ipc\n');
  process.exit(2);
}
startServer(createConnection(ProposedFeatures.all));
