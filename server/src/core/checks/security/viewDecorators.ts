/**
 * Security decorators on views, read from function bodies with tree-sitter:
 *
 * - DJL330 csrf-exempt-post-view: `@csrf_exempt` on a view that visibly accepts POST
 *   (`@require_POST`, `@require_http_methods([... "POST" ...])`, a `request.method == "POST"`
 *   test, or a read of `request.POST`). CSRF protection is then off for a state-changing request.
 * - DJL332 xframe-options-exempt: `@xframe_options_exempt` on a view: its responses may be framed
 *   by any site (clickjacking), even with XFrameOptionsMiddleware on.
 */
import type { Node } from 'web-tree-sitter';
import { nodeSpan } from '../sql/flow';
import { projectFiles } from '../sql/sinks';
import type { Check, CheckContext } from '../registry';
import type { Finding } from '../../types';

function decoratorName(d: Node): string | undefined {
  let e = d.namedChild(0);
  if (e?.type === 'call') e = e.childForFieldName('function');
  if (e?.type === 'identifier') return e.text;
  if (e?.type === 'attribute') return e.childForFieldName('attribute')?.text;
  return undefined;
}

function acceptsPost(decorated: Node, def: Node): boolean {
  for (const d of decorated.namedChildren) {
    if (d?.type !== 'decorator') continue;
    const name = decoratorName(d);
    if (name === 'require_POST') return true;
    if (name === 'require_http_methods' && /["']POST["']/i.test(d.text)) return true;
  }
  const body = def.childForFieldName('body');
  if (!body) return false;
  for (const a of body.descendantsOfType('attribute')) {
    if (a?.childForFieldName('attribute')?.text === 'POST' && /request$/.test(a.childForFieldName('object')?.text ?? '')) return true;
  }
  for (const c of body.descendantsOfType('comparison_operator')) {
    if (c && /request\.method/.test(c.text) && /["']POST["']/.test(c.text)) return true;
  }
  return false;
}

/**
 * Whether the view trusts the session cookie: `@login_required`-style decorators or `request.user`,
 * and no sign of its own credentials (an Authorization header, a token). Webhooks and API endpoints
 * that authenticate each request themselves are deliberately exempt, and not reported.
 */
function usesSessionAuth(decorated: Node, def: Node): boolean {
  const body = def.childForFieldName('body')?.text ?? '';
  if (/META|headers|token|signature|api_key|secret/i.test(body)) return false;
  const sessionDecorator = decorated.namedChildren.some((d) => d?.type === 'decorator' && /^(login_required|permission_required|staff_member_required|user_passes_test)$/.test(decoratorName(d) ?? ''));
  return sessionDecorator || /request\.user\b/.test(body);
}

type Hit = { file: string; decorator: Node; def: Node; decorated: Node };

function decoratedViews(ctx: CheckContext, decorator: string, visit: (h: Hit) => Omit<Finding, 'severity'> | undefined): Omit<Finding, 'severity'>[] {
  const out: Omit<Finding, 'severity'>[] = [];
  for (const file of projectFiles(ctx)) {
    const facts = ctx.workspace.facts(file);
    if (!facts?.callNames.includes(decorator) && !ctx.workspace.text(file)?.includes(decorator)) continue;
    ctx.workspace.withTree(file, (tree) => {
      for (const decorated of tree.rootNode.descendantsOfType('decorated_definition')) {
        const def = decorated?.childForFieldName('definition');
        if (!decorated || def?.type !== 'function_definition') continue;
        for (const d of decorated.namedChildren) {
          if (d?.type === 'decorator' && decoratorName(d) === decorator) {
            const f = visit({ file, decorator: d, def, decorated });
            if (f) out.push(f);
          }
        }
      }
    });
  }
  return out;
}

export const csrfExemptPostView: Check = {
  code: 'DJL330',
  name: 'csrf-exempt-post-view',
  defaultSeverity: 'warning',
  description: '@csrf_exempt on a view that accepts POST.',
  run(ctx) {
    return decoratedViews(ctx, 'csrf_exempt', ({ file, decorator, def, decorated }) => {
      if (!acceptsPost(decorated, def) || !usesSessionAuth(decorated, def)) return undefined;
      const name = def.childForFieldName('name')?.text ?? 'this view';
      return {
        code: 'DJL330',
        message: `${name} accepts POST but is marked @csrf_exempt, so any site can make a logged-in user's browser submit to it. Remove @csrf_exempt, or authenticate the caller another way (a signature or token) if it is a webhook.`,
        file,
        span: nodeSpan(decorator),
        data: { view: name },
      };
    });
  },
};

export const xframeOptionsExempt: Check = {
  code: 'DJL332',
  name: 'xframe-options-exempt',
  defaultSeverity: 'information',
  description: '@xframe_options_exempt lets any site frame a view (clickjacking).',
  run(ctx) {
    return decoratedViews(ctx, 'xframe_options_exempt', ({ file, decorator, def }) => {
      const name = def.childForFieldName('name')?.text ?? 'this view';
      return {
        code: 'DJL332',
        message: `${name} is marked @xframe_options_exempt, so any site may show it in a frame and trick users into clicking on it (clickjacking). Prefer @xframe_options_sameorigin unless other sites must embed it.`,
        file,
        span: nodeSpan(decorator),
        data: { view: name },
      };
    });
  },
};
