/**
 * Marking text safe for HTML, read from function bodies:
 *
 * - DJL320 mark-safe-non-constant: `mark_safe()` / `SafeString()` of text that comes from request
 *   data and was not escaped (`escape`, `conditional_escape`, `format_html` ... count as escaping).
 *   Django then inserts it into pages unescaped: cross-site scripting. Other non-constant text
 *   (an internal helper's output) may be safe by construction, and static reading cannot tell.
 * - DJL321 format-html-preformatted: `format_html()` given a format string that was already
 *   formatted (f-string, `%`, `.format()`, `+`) from a non-constant value. format_html escapes only
 *   its *arguments*; whatever was formatted into the format string beforehand is not escaped.
 */
import { FileFlow, type SummaryCache, nodeSpan } from '../sql/flow';
import { projectFiles } from '../sql/sinks';
import type { Check, CheckContext } from '../registry';
import type { Finding } from '../../types';

const MARKERS = new Set(['mark_safe', 'SafeString', 'SafeText', 'SafeData']);
const ESCAPERS = ['escape', 'conditional_escape', 'format_html', 'format_html_join', 'escapejs', 'json_script', 'urlencode', 'quote', 'urlquote', 'iri_to_uri', 'linebreaks', 'urlize', 'strip_tags', 'force_escape', 'html_safe', 'render_to_string', 'render'];

function scan(ctx: CheckContext, names: Set<string>, visit: (call: import('web-tree-sitter').Node, flow: FileFlow, file: string) => Omit<Finding, 'severity'> | undefined): Omit<Finding, 'severity'>[] {
  const out: Omit<Finding, 'severity'>[] = [];
  const summaries: SummaryCache = new Map();
  for (const file of projectFiles(ctx)) {
    const facts = ctx.workspace.facts(file);
    if (!facts?.callNames.some((n) => names.has(n))) continue;
    const module = ctx.project.modules.moduleOf(file);
    ctx.workspace.withTree(file, (tree) => {
      const flow = new FileFlow({ ws: ctx.workspace, project: ctx.project }, file, module, tree.rootNode, summaries);
      for (const e of ESCAPERS) flow.sanitizers.add(e);
      for (const call of tree.rootNode.descendantsOfType('call')) {
        const fn = call?.childForFieldName('function');
        const name = fn?.type === 'identifier' ? fn.text : fn?.type === 'attribute' ? fn.childForFieldName('attribute')?.text : undefined;
        if (!call || !name || !names.has(name)) continue;
        const f = visit(call, flow, file);
        if (f) out.push(f);
      }
    });
  }
  return out;
}

function firstArg(call: import('web-tree-sitter').Node) {
  const a = call.childForFieldName('arguments')?.namedChildren.find((c) => c && c.type !== 'comment');
  return a && a.type !== 'keyword_argument' && a.type !== 'list_splat' && a.type !== 'dictionary_splat' ? a : undefined;
}

export const markSafeNonConstant: Check = {
  code: 'DJL320',
  name: 'mark-safe-non-constant',
  defaultSeverity: 'warning',
  description: 'mark_safe()/SafeString() of request data that was not escaped.',
  run(ctx) {
    return scan(ctx, MARKERS, (call, flow, file) => {
      const arg = firstArg(call);
      if (!arg) return undefined;
      const v = flow.valueOf(arg);
      const input = v.sources.find((s) => s.input);
      if (!input) return undefined;
      const name = call.childForFieldName('function')!.text;
      return {
        code: 'DJL320',
        message: `${name}() marks text built from request data (\`${input.text}\`) as safe HTML without escaping it, which allows cross-site scripting. Build the HTML with format_html(), or escape the value with conditional_escape() first.`,
        file,
        span: nodeSpan(call),
        related: [{ file: input.file, span: input.span, message: `The unescaped value \`${input.text}\` enters here.` }],
        data: { marker: name },
      };
    });
  },
};

export const formatHtmlPreformatted: Check = {
  code: 'DJL321',
  name: 'format-html-preformatted',
  defaultSeverity: 'warning',
  description: 'format_html() given a format string that was already formatted from a non-constant value.',
  run(ctx) {
    return scan(ctx, new Set(['format_html']), (call, flow, file) => {
      const arg = firstArg(call);
      if (!arg) return undefined;
      const v = flow.valueOf(arg);
      if (!v.built || v.sources.length === 0) return undefined;
      const how = v.buildSite?.how ?? 'string formatting';
      return {
        code: 'DJL321',
        message: `format_html() is given a format string already built with ${how} from a non-constant value (\`${v.sources[0].text}\`); that value is not escaped. Pass a constant format string and give the values as arguments: format_html("<b>{}</b>", value).`,
        file,
        span: nodeSpan(call),
        related: v.sources.slice(0, 3).map((s) => ({ file: s.file, span: s.span, message: `\`${s.text}\` is formatted into the string here, unescaped.` })),
        data: { how },
      };
    });
  },
};
