/**
 * The places where SQL text runs: `Manager.raw()`/`QuerySet.raw()`, `cursor.execute()` and
 * `executemany()` on a cursor whose origin is visible (Django's `connection`/`connections[...]`,
 * `sqlite3.connect()`, `psycopg2.connect()`), `RawSQL(sql, params)` and the SQL-bearing keywords of
 * `.extra()`. A cursor that arrives as a parameter has no visible origin, and is not a sink here:
 * where static reading cannot know what runs the text, the checks stay quiet.
 *
 * `forEachSink` walks one file's tree and hands every sink, with the SQL argument(s) and whether
 * parameters were passed, to the checks in this folder.
 */
import type { Node } from 'web-tree-sitter';
import { fqName } from '../../python/symbols';
import type { CheckContext } from '../registry';
import { FileFlow, type Scope, type SummaryCache } from './flow';

export type Paramstyle = 'format' | 'qmark';

export interface SqlSink {
  call: Node;
  /** `raw`, `execute`, `executemany`, `RawSQL`, `extra(where=)` ... for messages. */
  kind: string;
  /** The expressions holding SQL text (several for `.extra()`). */
  sqlArgs: Node[];
  /** The parameters argument, when one was passed. */
  params?: Node;
  paramstyle: Paramstyle;
}

/** Callee names that make a file worth reading for raw SQL. */
export const SINK_NAMES = ['raw', 'execute', 'executemany', 'RawSQL', 'extra'];

const DJANGO_CONNECTIONS = new Set(['django.db.connection', 'django.db.connections']);
const DBAPI_CONNECT = new Map<string, Paramstyle>([
  ['sqlite3.connect', 'qmark'],
  ['sqlite3.dbapi2.connect', 'qmark'],
  ['psycopg2.connect', 'format'],
  ['psycopg.connect', 'format'],
  ['pymysql.connect', 'format'],
  ['MySQLdb.connect', 'format'],
]);
const MANAGER_ATTRS = /^(objects|_default_manager|_base_manager|.*_manager|.*manager)$/;
const QUERYSET_METHODS = new Set(['all', 'using', 'db_manager', 'get_queryset']);

function args(call: Node): { positional: Node[]; keywords: Map<string, Node>; splat: boolean } {
  const positional: Node[] = [];
  const keywords = new Map<string, Node>();
  let splat = false;
  for (const a of call.childForFieldName('arguments')?.namedChildren ?? []) {
    if (!a || a.type === 'comment') continue;
    if (a.type === 'keyword_argument') {
      const name = a.childForFieldName('name')?.text;
      const value = a.childForFieldName('value');
      if (name && value) keywords.set(name, value);
    } else if (a.type === 'list_splat' || a.type === 'dictionary_splat') splat = true;
    else positional.push(a);
  }
  return { positional, keywords, splat };
}

export class SinkFinder {
  constructor(
    private readonly ctx: CheckContext,
    private readonly flow: FileFlow,
  ) {}

  private resolvedName(id: Node): string | undefined {
    if (!this.flow.module) return undefined;
    const b = this.ctx.project.symbols.resolveName(this.flow.module, id.text);
    return b ? fqName(b) : undefined;
  }

  /** The paramstyle of a connection expression, when it visibly is one. */
  connectionStyle(n: Node, depth = 0): Paramstyle | undefined {
    if (depth > 6) return undefined;
    if (n.type === 'identifier') {
      const local = this.localDefs(n);
      if (local) {
        const styles = local.map((v) => (v ? this.connectionStyle(v, depth + 1) : undefined));
        return styles.length && styles.every((s) => s && s === styles[0]) ? styles[0] : undefined;
      }
      const fq = this.resolvedName(n);
      return fq && DJANGO_CONNECTIONS.has(fq) ? 'format' : undefined;
    }
    if (n.type === 'subscript') {
      const obj = n.childForFieldName('value');
      if (obj?.type === 'identifier' && this.resolvedName(obj) === 'django.db.connections') return 'format';
      if (obj?.type === 'attribute' && obj.text.endsWith('db.connections')) return 'format';
      return undefined;
    }
    if (n.type === 'attribute') {
      // django.db.connection written out in full.
      if (n.text === 'db.connection' || n.text === 'django.db.connection') return 'format';
      return undefined;
    }
    if (n.type === 'call') {
      const fn = n.childForFieldName('function');
      if (!fn) return undefined;
      if (fn.type === 'attribute' && fn.childForFieldName('attribute')?.text === 'get_connection' && fn.childForFieldName('object')?.text === 'transaction') return 'format';
      const dotted = fn.type === 'identifier' ? this.resolvedName(fn) : fn.type === 'attribute' ? this.dottedFq(fn) : undefined;
      if (dotted) return DBAPI_CONNECT.get(dotted);
    }
    return undefined;
  }

  private dottedFq(n: Node): string | undefined {
    if (n.type === 'identifier') return this.resolvedName(n) ?? n.text;
    if (n.type !== 'attribute') return undefined;
    const obj = n.childForFieldName('object');
    const attr = n.childForFieldName('attribute')?.text;
    const left = obj ? this.dottedFq(obj) : undefined;
    return left && attr ? `${left}.${attr}` : undefined;
  }

  /** The values every local binding of a name was assigned, or undefined when it is not local. */
  private localDefs(id: Node): (Node | undefined)[] | undefined {
    for (let s: Scope | undefined = this.flow.scopeOf(id); s; s = s.parent) {
      const defs = s.defs.get(id.text);
      if (defs) return defs.map((d) => (d.kind === 'assign' ? d.value : undefined));
      if (s.params.includes(id.text)) return [undefined];
    }
    return undefined;
  }

  /** The paramstyle of a cursor expression whose origin is visible. */
  cursorStyle(n: Node, depth = 0): Paramstyle | undefined {
    if (depth > 6) return undefined;
    if (n.type === 'identifier') {
      const local = this.localDefs(n);
      if (!local) return undefined;
      const styles = local.map((v) => (v ? this.cursorStyle(v, depth + 1) : undefined));
      return styles.length && styles.every((s) => s && s === styles[0]) ? styles[0] : undefined;
    }
    if (n.type === 'call') {
      const fn = n.childForFieldName('function');
      if (fn?.type === 'attribute' && fn.childForFieldName('attribute')?.text === 'cursor') {
        const conn = fn.childForFieldName('object');
        return conn ? this.connectionStyle(conn) : undefined;
      }
    }
    return undefined;
  }

  private isManagerOrQuerySet(n: Node | null): boolean {
    if (!n) return false;
    if (n.type === 'attribute') return MANAGER_ATTRS.test(n.childForFieldName('attribute')?.text ?? '');
    if (n.type === 'call') {
      const fn = n.childForFieldName('function');
      if (fn?.type === 'attribute' && QUERYSET_METHODS.has(fn.childForFieldName('attribute')?.text ?? '')) return this.isManagerOrQuerySet(fn.childForFieldName('object'));
    }
    return false;
  }

  /** The sink a call is, if any. */
  sinkOf(call: Node): SqlSink | undefined {
    const fn = call.childForFieldName('function');
    if (!fn) return undefined;
    const a = args(call);
    if (a.splat) return undefined;
    const name = fn.type === 'attribute' ? fn.childForFieldName('attribute')?.text : fn.type === 'identifier' ? fn.text : undefined;
    const obj = fn.type === 'attribute' ? fn.childForFieldName('object') : null;
    switch (name) {
      case 'raw': {
        if (!this.isManagerOrQuerySet(obj)) return undefined;
        const sql = a.positional[0] ?? a.keywords.get('raw_query');
        if (!sql) return undefined;
        return { call, kind: 'raw()', sqlArgs: [sql], params: a.positional[1] ?? a.keywords.get('params'), paramstyle: 'format' };
      }
      case 'execute':
      case 'executemany': {
        if (!obj) return undefined;
        const style = this.cursorStyle(obj) ?? (this.connectionStyle(obj) === 'qmark' ? 'qmark' : undefined);
        if (!style) return undefined;
        const sql = a.positional[0] ?? a.keywords.get('sql') ?? a.keywords.get('query') ?? a.keywords.get('operation');
        if (!sql) return undefined;
        return { call, kind: `cursor.${name}()`, sqlArgs: [sql], params: a.positional[1] ?? a.keywords.get('params') ?? a.keywords.get('param_list') ?? a.keywords.get('parameters') ?? a.keywords.get('vars') ?? a.keywords.get('seq_of_parameters'), paramstyle: style };
      }
      case 'RawSQL': {
        const sql = a.positional[0] ?? a.keywords.get('sql');
        if (!sql) return undefined;
        return { call, kind: 'RawSQL()', sqlArgs: [sql], params: a.positional[1] ?? a.keywords.get('params'), paramstyle: 'format' };
      }
      case 'extra': {
        if (!obj) return undefined;
        const sqlArgs: Node[] = [];
        const select = a.keywords.get('select');
        if (select?.type === 'dictionary') {
          for (const p of select.namedChildren) if (p?.type === 'pair' && p.childForFieldName('value')) sqlArgs.push(p.childForFieldName('value')!);
        } else if (select) sqlArgs.push(select);
        for (const k of ['where', 'tables', 'order_by']) {
          const v = a.keywords.get(k);
          if (!v) continue;
          if (v.type === 'list' || v.type === 'tuple') for (const item of v.namedChildren) { if (item && item.type !== 'comment') sqlArgs.push(item); }
          else sqlArgs.push(v);
        }
        if (sqlArgs.length === 0) return undefined;
        return { call, kind: '.extra()', sqlArgs, params: a.keywords.get('params') ?? a.keywords.get('select_params'), paramstyle: 'format' };
      }
      default:
        return undefined;
    }
  }
}

/** Every sink in a file, with the file's flow analysis. */
export function forEachSink(ctx: CheckContext, file: string, visit: (sink: SqlSink, flow: FileFlow, text: string) => void, summaries: SummaryCache): void {
  const facts = ctx.workspace.facts(file);
  if (!facts || !facts.callNames.some((n) => SINK_NAMES.includes(n))) return;
  const module = ctx.project.modules.moduleOf(file);
  ctx.workspace.withTree(file, (tree, text) => {
    const flow = new FileFlow({ ws: ctx.workspace, project: ctx.project }, file, module, tree.rootNode, summaries);
    const finder = new SinkFinder(ctx, flow);
    for (const call of tree.rootNode.descendantsOfType('call')) {
      if (!call) continue;
      const sink = finder.sinkOf(call);
      if (sink) visit(sink, flow, text);
    }
  });
}

/** Python files of a project (inside its source roots), for checks that read function bodies. */
export function projectFiles(ctx: CheckContext): string[] {
  const out: string[] = [];
  for (const m of ctx.project.projectModules) {
    const f = ctx.project.modules.fileOf(m);
    if (f && f.startsWith(ctx.project.root + '/')) out.push(f);
  }
  return out;
}
