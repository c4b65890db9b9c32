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

// The lifecycle view and Trace URL. The payloads are the core's plain data (server/src/core/
// lifecycle.ts): absolute file paths and 0-based [line, character, endLine, endCharacter] spans.
export type {
  FindingInfo,
  LifecycleProject,
  LifecycleRoute,
  Location as LifecycleLocation,
  MiddlewareInfo,
  TemplateInfo,
  TraceResult,
  UrlNode,
} from '../core/lifecycle';
export type { PartialMatch, ResolveResult, RouteMatch } from '../core/project/resolve';

/** The request lifecycle of every Django project in the workspace, for the tree view. */
export namespace LifecycleRequest {
  export const method = 'djangoLens/lifecycle';
  export type Params = Record<string, never>;
  export interface Result {
    /** False while the first indexing of the workspace is still running. */
    ready: boolean;
    projects: import('../core/lifecycle').LifecycleProject[];
  }
}

/** Resolves a concrete path statically (Trace URL) in one project, or the first one. */
export namespace TraceUrlRequest {
  export const method = 'djangoLens/traceUrl';
  export interface Params {
    path: string;
    /** HTTP method; GET when absent. */
    method?: string;
    /** Project root; the first project when absent. */
    root?: string;
  }
  export interface Result {
    ready: boolean;
    trace: import('../core/lifecycle').TraceResult | null;
    /** Why there is no trace (no project, not indexed yet). */
    error?: string;
  }
}

/** Where the editor's cursor is in lifecycle terms: the routes of the view under the cursor. */
export namespace LifecycleLocateRequest {
  export const method = 'djangoLens/lifecycleLocate';
  export interface Params {
    /** Absolute path of the file. */
    file: string;
    line: number;
    character: number;
  }
  export interface Result {
    /** Project root and route indexes whose view (or URLconf line) contains the position. */
    matches: { root: string; routes: number[] }[];
  }
}
