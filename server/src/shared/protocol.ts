/**
 * Custom LSP messages shared by the client and the server, each declared exactly once here
 * (after vscode-eslint's customMessages.ts): a namespace holds the method name and the types.
 * Neither side spells a method string anywhere else.
 */

/** One Django project found in the workspace, as the server summarises it. */
export interface ProjectSummary {
  root: string;
  settingsModule: string | null;
  rootUrlconf: string | null;
  apps: string[];
  middleware: string[];
  routeCount: number;
  modelCount: number;
  viewCount: number;
  templateCount: number;
  /** Human-readable reasons why parts of the model are inconclusive. */
  problems: string[];
}

export interface ProjectSummaryResult {
  /** False while the first indexing of the workspace is still running. */
  ready: boolean;
  projects: ProjectSummary[];
}

export namespace ProjectSummaryRequest {
  export const method = 'djangoLens/projectSummary';
  export type Params = Record<string, never>;
  export type Result = ProjectSummaryResult;
}

/** Sent by the server whenever the project model changes, so that views can refresh. */
export namespace IndexChangedNotification {
  export const method = 'djangoLens/indexChanged';
  export interface Params { version: number }
}
