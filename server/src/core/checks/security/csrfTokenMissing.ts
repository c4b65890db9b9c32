/**
 * DJL331 post-form-without-csrf-token: a template has a `<form method="post">` whose body (up to
 * its `</form>`, in the same file) holds no `{% csrf_token %}`. With CsrfViewMiddleware on, Django
 * rejects the submission with 403. Forms posting to another site (`action="https://..."`) are
 * left alone (the token must not leak there), and so are forms whose body includes other templates
 * or blocks, which may well supply the token. The quick fix inserts `{% csrf_token %}` after the
 * opening tag.
 */
import type { Fix, Span } from '../../types';
import type { Check } from '../registry';

export interface CsrfTokenData {
  /** Where `{% csrf_token %}` goes: just after the `<form ...>` tag. */
  insertAt: [number, number];
  indent: string;
}

// Scanning HTML in a template (not Python): the opening tags of forms and their method/action.
const FORM_OPEN = /<form\b([^>]*)>/gi;
const FORM_CLOSE = /<\/form\s*>/i;

function position(text: string, offset: number): [number, number] {
  let line = 0;
  let last = -1;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) {
    line++;
    last = i;
  }
  return [line, offset - last - 1];
}

export const csrfTokenMissing: Check = {
  code: 'DJL331',
  name: 'post-form-without-csrf-token',
  defaultSeverity: 'warning',
  description: 'A <form method="post"> in a template has no {% csrf_token %}.',
  run({ project, workspace }) {
    const out = [];
    for (const file of [...project.templates.nameOf.keys()].sort()) {
      if (!/\.(html?|txt|djhtml|jinja|j2)$/i.test(file) || /\.(jinja|j2)$/i.test(file)) continue;
      const t = workspace.template(file);
      if (!t) continue;
      const text = t.text;
      FORM_OPEN.lastIndex = 0;
      for (let m = FORM_OPEN.exec(text); m; m = FORM_OPEN.exec(text)) {
        const attrs = m[1];
        if (!/\bmethod\s*=\s*["']?post\b/i.test(attrs)) continue;
        if (/\baction\s*=\s*["']?(https?:)?\/\//i.test(attrs)) continue;
        if (attrs.includes('{%') || attrs.includes('{{')) continue; // the tag itself is templated: hard to read
        const bodyStart = m.index + m[0].length;
        const rest = text.slice(bodyStart);
        const close = FORM_CLOSE.exec(rest);
        if (!close) continue;
        const body = rest.slice(0, close.index);
        if (/\{%\s*csrf_token\s*%\}/.test(body)) continue;
        if (/\{%\s*(include|block|extends|csrf_token|crispy|bootstrap_form|render_form)\b|\{\{\s*[\w.]*form[\w.]*\s*\|?\s*crispy/.test(body)) continue;
        if (/<form\b/i.test(body)) continue;
        const start = position(text, m.index);
        const end = position(text, bodyStart);
        const span: Span = [start[0], start[1], end[0], end[1]];
        const lineText = text.split('\n')[start[0]] ?? '';
        const indent = /^\s*/.exec(lineText)![0];
        const data: CsrfTokenData = { insertAt: end, indent };
        out.push({
          code: 'DJL331',
          message: 'This form posts without {% csrf_token %}: CsrfViewMiddleware rejects the submission with 403 Forbidden. Add {% csrf_token %} inside the form.',
          file,
          span,
          data,
        });
      }
    }
    return out;
  },
  fixes(finding): Fix[] {
    const data = finding.data as CsrfTokenData | undefined;
    if (!data) return [];
    const [line, col] = data.insertAt;
    return [{ title: 'Insert {% csrf_token %}', isPreferred: true, edits: [{ file: finding.file, span: [line, col, line, col], newText: `\n${data.indent}  {% csrf_token %}` }] }];
  },
};
