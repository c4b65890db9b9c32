/**
 * The lifecycle view's requests: the whole request lifecycle per project (LifecycleRequest),
 * Trace URL (TraceUrlRequest), and which routes the editor's position belongs to
 * (LifecycleLocateRequest, for revealing the current view in the tree). Answers come from the
 * current index; findings come from the check registry with the diagnostics' severity settings,
 * computed once per index version and settings.
 */
import { type SeverityConfig, runChecks } from '../core/checks/registry';
import { buildLifecycle, traceUrl } from '../core/lifecycle';
import type { Finding } from '../core/types';
import type { Workspace } from '../core/workspace';
import { LifecycleLocateRequest, LifecycleRequest, TraceUrlRequest } from '../shared/protocol';
import type { Feature, ServerContext } from './features';

export const lifecycleFeature: Feature = {
  register(ctx: ServerContext): void {
    let cache: { ws: Workspace; version: number; severities: SeverityConfig; findings: Finding[] } | undefined;
    const findingsOf = (ws: Workspace): Finding[] => {
      // The diagnostics' severities: codes set to "off" are left out, levels match the Problems panel.
      const severities = ctx.severities();
      if (cache && cache.ws === ws && cache.version === ws.version && cache.severities === severities) return cache.findings;
      let findings: Finding[] = [];
      try {
        findings = runChecks(ws, severities);
      } catch (e) {
        ctx.log(`lifecycle: checks failed: ${(e as Error).message}`);
      }
      cache = { ws, version: ws.version, severities, findings };
      return findings;
    };

    ctx.connection.onRequest(LifecycleRequest.method, (): LifecycleRequest.Result => {
      const ws = ctx.workspace();
      if (!ws) return { ready: false, projects: [] };
      try {
        return { ready: true, projects: buildLifecycle(ws, findingsOf(ws)) };
      } catch (e) {
        ctx.log(`lifecycle failed: ${(e as Error).stack ?? e}`);
        return { ready: true, projects: [] };
      }
    });

    ctx.connection.onRequest(TraceUrlRequest.method, (params: TraceUrlRequest.Params): TraceUrlRequest.Result => {
      const ws = ctx.workspace();
      if (!ws) return { ready: false, trace: null, error: 'Django Lens is still indexing the workspace.' };
      const projects = ws.projects().filter((p) => !p.spec.library);
      const project = (params.root && projects.find((p) => p.root === params.root)) || projects[0];
      if (!project) return { ready: true, trace: null, error: 'No Django project was found in this workspace.' };
      try {
        return { ready: true, trace: traceUrl(ws, project, params.path, params.method || 'GET', findingsOf(ws)) };
      } catch (e) {
        ctx.log(`trace failed: ${(e as Error).stack ?? e}`);
        return { ready: true, trace: null, error: `Trace failed: ${(e as Error).message}` };
      }
    });

    ctx.connection.onRequest(LifecycleLocateRequest.method, (params: LifecycleLocateRequest.Params): LifecycleLocateRequest.Result => {
      const ws = ctx.workspace();
      if (!ws) return { matches: [] };
      const matches: LifecycleLocateRequest.Result['matches'] = [];
      const inside = (span: number[], line: number, ch: number) =>
        (line > span[0] || (line === span[0] && ch >= span[1])) && (line < span[2] || (line === span[2] && ch <= span[3]));
      for (const project of ws.projects()) {
        if (project.spec.library) continue;
        const routes: number[] = [];
        const views = project.views.filter((v) => v.file === params.file && inside(v.span, params.line, params.character));
        project.urls.routes.forEach((r, i) => {
          if (r.declared.file === params.file && inside(r.declared.span, params.line, params.character)) routes.push(i);
          else if (views.some((v) => v.routes.includes(i))) routes.push(i);
        });
        if (routes.length) matches.push({ root: project.root, routes });
      }
      return { matches };
    });
  },
};
