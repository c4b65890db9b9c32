/**
 * Opens Django templates as django-html without claiming every .html file: an HTML document is
 * switched only when it sits in a `templates/` folder of a workspace that has a `manage.py`, its
 * text uses Django's template syntax, the user has not associated such files with a language
 * themselves (`files.associations`), and `djangoLens.templates.detectLanguage` is on.
 */
import * as vscode from 'vscode';

const DJANGO_SYNTAX = /\{%\s*(?:extends|block|load|url|static|csrf_token|include|for|if|trans|translate|blocktrans|blocktranslate|with|comment|verbatim)\b|\{\{[^}]*\}\}/;

export function setUpTemplateLanguage(): vscode.Disposable {
  const consider = (doc: vscode.TextDocument) => void maybeSwitch(doc);
  vscode.workspace.textDocuments.forEach(consider);
  return vscode.workspace.onDidOpenTextDocument(consider);
}

export function looksLikeDjangoTemplate(path: string, text: string): boolean {
  return /[\\/]templates[\\/]/.test(path) && DJANGO_SYNTAX.test(text.slice(0, 200_000));
}

async function maybeSwitch(doc: vscode.TextDocument): Promise<void> {
  if (doc.languageId !== 'html' || doc.uri.scheme !== 'file') return;
  if (!vscode.workspace.getConfiguration('djangoLens', doc.uri).get<boolean>('templates.detectLanguage', true)) return;
  const associations = vscode.workspace.getConfiguration('files', doc.uri).get<Record<string, string>>('associations') ?? {};
  if (Object.values(associations).includes('html')) return;
  if (!looksLikeDjangoTemplate(doc.uri.fsPath, doc.getText())) return;
  const folder = vscode.workspace.getWorkspaceFolder(doc.uri);
  if (!folder) return;
  const manage = await vscode.workspace.findFiles(new vscode.RelativePattern(folder, '**/manage.py'), '**/node_modules/**', 1);
  if (!manage.length) return;
  await vscode.languages.setTextDocumentLanguage(doc, 'django-html');
}
