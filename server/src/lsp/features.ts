/**
 * LSP features beyond synchronisation and diagnostics (definition, hover, completion, the
 * lifecycle tree ...). Each lives in its own file under lsp/ and is listed here once: it declares
 * its server capabilities and registers its handlers on the connection. Handlers must answer from
 * what is already indexed (`workspace()` is undefined until the first index exists) and never
 * block on indexing.
 */
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { Connection, InitializeParams, ServerCapabilities } from 'vscode-languageserver/node';
import type { SeverityConfig } from '../core/checks/registry';
import type { Finding } from '../core/types';
import type { Workspace } from '../core/workspace';
import { codeLensFeature } from './codeLens';
import { completionFeature } from './completion';
import { definitionFeature } from './definition';
import { hoverFeature } from './hover';
import { linksFeature } from './links';
import { lifecycleFeature } from './lifecycle';
import { referencesFeature } from './references';
import { symbolsFeature } from './symbols';

export interface ServerContext {
  connection: Connection;
  /** The current index, or undefined while the first indexing runs. */
  workspace(): Workspace | undefined;
  /** An open document by URI. */
  document(uri: string): TextDocument | undefined;
  log(message: string): void;
  /** Findings last published for a file. */
  findings(file: string): Finding[];
  /** The `djangoLens.severity` settings the published diagnostics use (the same object until they change). */
  severities(): SeverityConfig;
}

export interface Feature {
  capabilities?(params: InitializeParams): Partial<ServerCapabilities>;
  register(ctx: ServerContext): void;
}

export const FEATURES: Feature[] = [definitionFeature, hoverFeature, completionFeature, referencesFeature, codeLensFeature, symbolsFeature, linksFeature, lifecycleFeature];
