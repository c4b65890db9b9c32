/**
 * DJL404: a field, relation, transform or lookup that the queryset's model does not have, in
 * filter/exclude/get/get_or_create/update_or_create/Q keywords and in order_by/values/only/
 * defer/select_related strings (Django raises FieldError). DJL405: select_related() on a
 * many-valued relation (Django raises FieldError: "Invalid field name(s) given in
 * select_related"). Quiet when the model is unknown or has bases outside the workspace, after
 * annotate()/alias()/extra() (names beyond the model's), and on relations whose target is unknown.
 */
import { type LookupProblem, resolveLookup } from '../../orm/lookups';
import type { Finding, Span } from '../../types';
import { ormSiteAt } from '../../language/orm';
import { argumentSites } from '../../language/pyContext';
import { projectPythonFiles } from '../../language/uses';
import type { Check, CheckContext } from '../registry';

const KEYWORD_CALLS = new Set(['filter', 'exclude', 'get', 'get_or_create', 'update_or_create', 'Q', 'get_object_or_404', 'get_list_or_404']);
const STRING_CALLS = new Set(['order_by', 'values', 'values_list', 'only', 'defer', 'select_related']);

type Out = Omit<Finding, 'severity'>;

/** Both codes come from one scan; the registry runs each check, so results are cached per project. */
const cache = new WeakMap<object, Out[]>();

function scan({ workspace, project }: CheckContext): Out[] {
  const hit = cache.get(project);
  if (hit) return hit;
  const out: Out[] = [];
  cache.set(project, out);
  if (project.spec.library) return out;
  const authUser = project.setting('AUTH_USER_MODEL');
  const authUserModel = authUser?.t === 'str' ? authUser.v : 'auth.User';
  for (const file of projectPythonFiles(workspace, project)) {
    const facts = workspace.facts(file);
    if (!facts || !facts.callNames.some((n) => KEYWORD_CALLS.has(n) || STRING_CALLS.has(n))) continue;
    const customLookups = facts.callNames.includes('register_lookup');
    workspace.withTree(file, (tree) => {
      for (const at of argumentSites(tree.rootNode, KEYWORD_CALLS, STRING_CALLS)) {
        const site = ormSiteAt(project, file, at);
        if (!site || site.annotated) continue;
        if (site.mode === 'prefetch' || site.mode === 'expr') continue;
        const res = resolveLookup(project.models, site.model, site.path, site.mode, { authUserModel, customLookups });
        if (!res.problem) continue;
        out.push(finding(file, site.span, res.problem, site.model.label, site.isKeyword));
      }
    });
  }
  return out;
}

function finding(file: string, span: Span, p: LookupProblem, model: string, isKeyword: boolean): Out {
  const at: Span = [span[0], span[1] + p.offset, span[0], span[1] + p.offset + p.part.length];
  return {
    code: p.code,
    message: `${p.message}${p.suggestions.length ? `; did you mean ${p.suggestions.map((s) => `'${s}'`).join(', ')}?` : ''}`,
    file,
    span: span[0] === span[2] ? at : span,
    data: { model, part: p.part, suggestions: p.suggestions, isKeyword },
  };
}

export const ormLookup: Check = {
  code: 'DJL404',
  name: 'unknown-lookup',
  defaultSeverity: 'error',
  description: 'An ORM lookup names a field, relation or lookup the model does not have (FieldError).',
  run: (ctx) => scan(ctx).filter((f) => f.code === 'DJL404'),
  fixes(finding) {
    const d = finding.data as { suggestions?: string[] } | undefined;
    return (d?.suggestions ?? []).map((s, i) => ({ title: `Change to '${s}'`, isPreferred: i === 0, edits: [{ file: finding.file, span: finding.span, newText: s }] }));
  },
};

export const selectRelatedMany: Check = {
  code: 'DJL405',
  name: 'select-related-many',
  defaultSeverity: 'error',
  description: 'select_related() names a many-valued relation; use prefetch_related() (FieldError).',
  run: (ctx) => scan(ctx).filter((f) => f.code === 'DJL405'),
};
