/**
 * The check frame: every diagnostic the server or the CLI reports comes from a Check registered
 * here, with a stable code (`DJL` + number), a default severity that configuration can change or
 * turn off, and line-level silencing with `# noqa: DJL123` (Python) or `{# noqa: DJL123 #}`
 * (templates). Adding a check means adding one file under checks/ and one line in CHECKS.
 */
import type { Project } from '../project/project';
import type { Workspace } from '../workspace';
import type { Finding, Fix, Severity } from '../types';
import { includeCycle } from './includeCycle';
import { settingsModuleMissing } from './settingsModuleMissing';
import { NPLUSONE_CHECKS } from './nplusone';
import { SECURITY_CHECKS } from './security';
import { SQL_CHECKS } from './sql';
import { missingTemplate } from './references/missingTemplate';
import { ormLookup, selectRelatedMany } from './references/ormLookup';
import { unknownUrlName } from './references/unknownUrlName';
import { urlArguments } from './references/urlArguments';

export interface CheckContext {
  workspace: Workspace;
  project: Project;
}

export interface Check {
  code: string;
  /** Short kebab-case name shown beside the code. */
  name: string;
  defaultSeverity: Severity;
  description: string;
  run(ctx: CheckContext): Omit<Finding, 'severity'>[];
  /** Quick fixes for one of this check's findings, computed from its `data` (never its message). */
  fixes?(finding: Finding, ctx: CheckContext): Fix[];
}

/** Quick fixes for a finding, from the check that produced it. */
export function fixesFor(ws: Workspace, finding: Finding): Fix[] {
  const check = CHECKS.find((c) => c.code === finding.code);
  const project = ws.projectFor(finding.file);
  if (!check?.fixes || !project) return [];
  try {
    return check.fixes(finding, { workspace: ws, project });
  } catch (e) {
    ws.problems.push({ message: `fixes for ${finding.code} failed: ${(e as Error).message}` });
    return [];
  }
}

export const CHECKS: Check[] = [includeCycle, settingsModuleMissing, ...NPLUSONE_CHECKS, ...SQL_CHECKS, ...SECURITY_CHECKS, unknownUrlName, urlArguments, missingTemplate, ormLookup, selectRelatedMany];

export type SeverityConfig = Record<string, Severity | 'off'>;

/** Runs every check on every project; applies severities and `noqa` comments. */
export function runChecks(ws: Workspace, severities: SeverityConfig = {}, lineOf: (file: string, line: number) => string | undefined = defaultLineReader(ws)): Finding[] {
  const out: Finding[] = [];
  const seen = new Set<string>();
  for (const project of ws.projects()) {
    for (const check of CHECKS) {
      const sev = severities[check.code] ?? check.defaultSeverity;
      if (sev === 'off') continue;
      let found: Omit<Finding, 'severity'>[];
      try {
        found = check.run({ workspace: ws, project });
      } catch (e) {
        // A check that fails must not take the others (or the server) down with it.
        ws.problems.push({ message: `check ${check.code} failed: ${(e as Error).message}` });
        continue;
      }
      for (const f of found) {
        const key = `${f.code}:${f.file}:${f.span.join(',')}:${f.message}`;
        if (seen.has(key)) continue;
        seen.add(key);
        if (isSilenced(lineOf(f.file, f.span[0]), f.code)) continue;
        out.push({ ...f, severity: sev });
      }
    }
  }
  out.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.span[0] - b.span[0] || a.span[1] - b.span[1]));
  return out;
}

/** The inline way to silence a finding: append `# noqa: CODE` (or extend an existing noqa). */
export function silenceFix(finding: Finding, lineText: string): Fix {
  const isTemplate = !finding.file.endsWith('.py');
  const line = finding.span[0];
  const m = NOQA.exec(lineText);
  if (m && m[1] && !isTemplate) {
    const end = m.index + m[0].length;
    return { title: `Silence ${finding.code} on this line`, edits: [{ file: finding.file, span: [line, end, line, end], newText: `, ${finding.code}` }] };
  }
  const trimmed = lineText.replace(/\s+$/, '');
  const text = isTemplate ? ` {# noqa: ${finding.code} #}` : `  # noqa: ${finding.code}`;
  return { title: `Silence ${finding.code} on this line`, edits: [{ file: finding.file, span: [line, trimmed.length, line, lineText.length], newText: text }] };
}

const NOQA = /(?:#|\{#)\s*noqa(?::\s*([A-Z]+[0-9]+(?:\s*,\s*[A-Z]+[0-9]+)*))?/i;

/** `# noqa` silences every code on the line; `# noqa: DJL101, DJL102` only those. */
export function isSilenced(line: string | undefined, code: string): boolean {
  if (!line) return false;
  const m = NOQA.exec(line);
  if (!m) return false;
  if (!m[1]) return true;
  return m[1].split(',').some((c) => c.trim().toUpperCase() === code);
}

function defaultLineReader(ws: Workspace): (file: string, line: number) => string | undefined {
  const cache = new Map<string, string[]>();
  return (file, line) => {
    let lines = cache.get(file);
    if (!lines) {
      const text = ws.openText(file) ?? ws.template(file)?.text ?? '';
      lines = text.split(/\r?\n/);
      cache.set(file, lines);
    }
    return lines[line];
  };
}
