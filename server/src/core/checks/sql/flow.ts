/**
 * Where does a string come from? A small data-flow analysis over one function body, read from
 * the tree-sitter tree, that answers the question the raw-SQL checks ask at a sink: is this text
 * made only of constants, or was it built (f-string, `%`, `.format()`, `+`, `+=`, `"".join()`,
 * `.replace()`) from something that is not?
 *
 * The answer is a `TextValue`: the non-constant inputs it depends on (`sources`, each with the
 * place it enters), whether a string-building operation mixed one of them into the text
 * (`built`), and the exact text when it is a known constant. A value that merely *is* unknown (a
 * parameter passed straight through) is not built: the checks stay quiet about it, because the
 * building happens somewhere static reading cannot see.
 *
 * Local variables are followed flow-sensitively enough for real code: the assignments that reach
 * a use are those before it, minus the ones an unconditional assignment overwrote, plus the ones
 * later in an enclosing loop (the previous iteration). `.append()`/`.extend()` on a local list
 * add to it. Names checked against a constant allow-list (`if col not in ALLOWED: raise`) count as
 * constants. Module constants are read through the SymbolResolver, and project functions that
 * return strings are summarised (their parameters kept symbolic) and the summary applied to the
 * arguments at the call site.
 */
import type { Node } from 'web-tree-sitter';
import type { Project } from '../../project/project';
import type { Expr } from '../../python/ast';
import { type Binding, fqName } from '../../python/symbols';
import type { Span } from '../../types';
import type { Workspace } from '../../workspace';

/** A place where a non-constant value enters the text. */
export interface Source {
  file: string;
  span: Span;
  /** The source text of the value (shortened), for messages. */
  text: string;
  /**
   * True when the value visibly comes from outside the program: request data (`request.GET`,
   * `self.request`, a view's URL arguments), `input()`, `sys.argv`. Other unknown values (an
   * internal helper's parameter, an attribute) may well be constants the caller chose; the checks
   * report only text built from input.
   */
  input: boolean;
  /**
   * True when the value is a parameter of the function that runs the query (or is read from one):
   * a value its callers choose, which the rule counts as not constant. Attributes and call
   * results of unknown origin are neither input nor parameters, and stay quiet.
   */
  param?: boolean;
}

export interface TextValue {
  /** Non-constant inputs of the text; empty means the text is made only of constants. */
  sources: Source[];
  /** Parameters of the function being summarised that flow into the text. */
  params: string[];
  /** True when a string-building operation combined a non-constant input into the text. */
  built: boolean;
  /** Where the first such building operation is. */
  buildSite?: { file: string; span: Span; how: string };
  /** The exact text, when the value is a known constant string. */
  text?: string;
}

export const SAFE: TextValue = { sources: [], params: [], built: false };

export function isConstant(v: TextValue): boolean {
  return v.sources.length === 0 && v.params.length === 0;
}

export function nodeSpan(n: Node): Span {
  return [n.startPosition.row, n.startPosition.column, n.endPosition.row, n.endPosition.column];
}

function short(text: string): string {
  const one = text.replace(/\s+/g, ' ');
  return one.length > 60 ? `${one.slice(0, 57)}...` : one;
}

function union(vs: TextValue[], built: boolean, site?: { file: string; span: Span; how: string }): TextValue {
  const sources: Source[] = [];
  const params: string[] = [];
  const seen = new Set<string>();
  let anyBuilt = false;
  let buildSite: TextValue['buildSite'];
  for (const v of vs) {
    for (const s of v.sources) {
      const key = `${s.file}:${s.span.join(',')}`;
      if (!seen.has(key)) {
        seen.add(key);
        sources.push(s);
      }
    }
    for (const p of v.params) if (!params.includes(p)) params.push(p);
    if (v.built) {
      anyBuilt = true;
      buildSite ??= v.buildSite;
    }
  }
  const nonConstant = sources.length > 0 || params.length > 0;
  const isBuilt = anyBuilt || (built && nonConstant);
  if (built && nonConstant && !buildSite) buildSite = site;
  // One value passed through (a name with one reaching assignment): its text is still known.
  const text = !built && vs.length === 1 ? vs[0].text : undefined;
  return { sources, params, built: isBuilt, buildSite, ...(text !== undefined ? { text } : {}) };
}

/** Numbers and booleans cannot carry SQL: calls that always return one are constants here. */
const NUMERIC_CALLS = new Set(['int', 'float', 'len', 'bool', 'round', 'abs', 'ord', 'hash', 'id', 'Decimal']);
/** String methods whose result is the receiver's text, rearranged: no new input. */
const SAME_TEXT_METHODS = new Set(['strip', 'lstrip', 'rstrip', 'upper', 'lower', 'title', 'capitalize', 'casefold', 'swapcase', 'zfill', 'ljust', 'rjust', 'center', 'expandtabs', 'encode', 'decode', 'removeprefix', 'removesuffix']);
const TRANSLATIONS = new Set(['_', 'gettext', 'gettext_lazy', 'ugettext', 'ugettext_lazy', 'ngettext', 'ngettext_lazy', 'pgettext', 'pgettext_lazy', 'npgettext', 'gettext_noop']);
/** Methods of a quoting function: the result is a quoted identifier, whatever went in. */
const QUOTERS = new Set(['quote_name', 'quote_name_unless_alias']);

interface Def {
  kind: 'assign' | 'aug' | 'append' | 'element' | 'opaque';
  /** The statement (or clause) that binds; its position orders the definitions. */
  at: Node;
  /** The value expression (the right-hand side, the appended item, the iterated collection). */
  value?: Node;
  /** For 'aug': the operator text. */
  op?: string;
}

const SCOPE_TYPES = new Set(['function_definition', 'lambda', 'class_definition']);
const LOOP_TYPES = new Set(['for_statement', 'while_statement']);

/** One function body (or a module's top level) and the bindings inside it. */
export class Scope {
  readonly defs = new Map<string, Def[]>();
  readonly params: string[] = [];
  readonly paramNodes = new Map<string, Node>();

  constructor(readonly node: Node, readonly parent?: Scope) {
    if (node.type === 'function_definition') {
      for (const p of node.childForFieldName('parameters')?.namedChildren ?? []) {
        if (!p) continue;
        const name = p.type === 'identifier' ? p : p.childForFieldName('name') ?? p.namedChildren.find((c) => c?.type === 'identifier');
        if (name) {
          this.params.push(name.text);
          this.paramNodes.set(name.text, name);
        }
      }
    }
    const body = node.type === 'module' ? node : node.childForFieldName('body');
    if (body) this.collect(body);
  }

  private add(name: string, def: Def): void {
    let list = this.defs.get(name);
    if (!list) this.defs.set(name, (list = []));
    list.push(def);
  }

  private bindTarget(target: Node, def: Def): void {
    if (target.type === 'identifier') this.add(target.text, def);
    else if (['pattern_list', 'tuple_pattern', 'list_pattern', 'expression_list', 'tuple', 'list'].includes(target.type)) {
      for (const c of target.namedChildren) if (c) this.bindTarget(c, { kind: 'opaque', at: def.at, value: def.value });
    } else if (target.type === 'as_pattern_target') {
      for (const c of target.namedChildren) if (c) this.bindTarget(c, def);
    }
  }

  private collect(n: Node): void {
    for (const c of n.namedChildren) {
      if (!c) continue;
      if (SCOPE_TYPES.has(c.type)) {
        const name = c.childForFieldName('name');
        if (name && c.type !== 'lambda') this.add(name.text, { kind: 'opaque', at: c });
        continue;
      }
      switch (c.type) {
        case 'assignment': {
          const left = c.childForFieldName('left');
          const right = c.childForFieldName('right');
          if (left && right) {
            if (right.type === 'assignment') {
              // a = b = value: both names get the innermost value.
              let inner: Node = right;
              while (inner.type === 'assignment' && inner.childForFieldName('right')) inner = inner.childForFieldName('right')!;
              this.bindTarget(left, { kind: 'assign', at: c, value: inner });
            } else if (left.type === 'identifier') this.add(left.text, { kind: 'assign', at: c, value: right });
            else this.bindTarget(left, { kind: 'opaque', at: c, value: right });
          }
          break;
        }
        case 'augmented_assignment': {
          const left = c.childForFieldName('left');
          const right = c.childForFieldName('right');
          if (left?.type === 'identifier' && right) this.add(left.text, { kind: 'aug', at: c, value: right, op: c.childForFieldName('operator')?.text });
          break;
        }
        case 'named_expression': {
          const name = c.childForFieldName('name');
          const value = c.childForFieldName('value');
          if (name && value) this.add(name.text, { kind: 'assign', at: c, value });
          break;
        }
        case 'for_statement': {
          const left = c.childForFieldName('left');
          const right = c.childForFieldName('right');
          if (left && right) {
            // The loop variable is bound at `left`, before the body runs, on every iteration.
            if (left.type === 'identifier') this.add(left.text, { kind: 'element', at: left, value: right });
            else if (left.type === 'pattern_list' || left.type === 'tuple_pattern') {
              // `for i, x in enumerate(xs)`: i is a counter (left opaque), x an element of xs; other
              // unpacking gives every name the element's value (its parts are among its inputs).
              const isEnumerate = right.type === 'call' && right.childForFieldName('function')?.text === 'enumerate';
              left.namedChildren.forEach((t, i) => {
                if (!t) return;
                if (isEnumerate && i === 0) this.bindTarget(t, { kind: 'opaque', at: t, value: t });
                else if (t.type === 'identifier') this.add(t.text, { kind: 'element', at: t, value: right });
                else this.bindTarget(t, { kind: 'opaque', at: t, value: right });
              });
            } else this.bindTarget(left, { kind: 'opaque', at: left, value: right });
          }
          break;
        }
        case 'with_item': {
          const v = c.childForFieldName('value');
          if (v?.type === 'as_pattern') {
            const alias = v.childForFieldName('alias');
            const value = v.namedChildren.find((x) => x && x.type !== 'as_pattern_target');
            if (alias && value) this.bindTarget(alias, { kind: 'assign', at: c, value });
          }
          break;
        }
        case 'call': {
          // lst.append(x) / lst.extend(xs) / lst.insert(i, x) add to a local list.
          const fn = c.childForFieldName('function');
          const args = c.childForFieldName('arguments')?.namedChildren.filter((a): a is Node => !!a) ?? [];
          if (fn?.type === 'attribute') {
            const obj = fn.childForFieldName('object');
            const method = fn.childForFieldName('attribute')?.text;
            if (obj?.type === 'identifier' && (method === 'append' || method === 'extend' || method === 'insert' || method === 'add')) {
              const item = method === 'insert' ? args[1] : args[0];
              if (item) this.add(obj.text, { kind: method === 'extend' ? 'aug' : 'append', at: c, value: item, op: '+=' });
            }
          }
          break;
        }
        case 'except_clause': {
          // `except E as e`: an exception object, never a constant string.
          const asNode = c.namedChildren.find((x) => x?.type === 'as_pattern');
          const alias = asNode?.childForFieldName('alias');
          if (alias) this.bindTarget(alias, { kind: 'opaque', at: c });
          break;
        }
      }
      this.collect(c);
    }
  }
}

/** Attributes of a request that carry what the client sent. */
const REQUEST_DATA = new Set(['GET', 'POST', 'COOKIES', 'META', 'FILES', 'body', 'headers', 'data', 'query_params', 'path', 'path_info', 'get_full_path', 'content_params']);

/**
 * Request data and other input from outside the program, recognised by the expression's shape:
 * a chain rooted at `request` (or `self.request`) that reads one of its data attributes
 * (`request.GET["q"]`, `self.request.POST.get("x")`), `sys.argv[...]`, or `input()`. Passing the
 * request object to a function is not input: what the function returns is unknown.
 */
export function isInputExpr(n: Node): boolean {
  let cur: Node | null = n;
  const attrs: string[] = [];
  while (cur) {
    if (cur.type === 'call') {
      const fn = cur.childForFieldName('function');
      if (fn?.type === 'identifier' && fn.text === 'input') return true;
      cur = fn;
    } else if (cur.type === 'subscript') cur = cur.childForFieldName('value');
    else if (cur.type === 'parenthesized_expression') cur = cur.namedChild(0);
    else if (cur.type === 'attribute') {
      const attr = cur.childForFieldName('attribute')?.text ?? '';
      const obj = cur.childForFieldName('object');
      if (obj && (obj.text === 'request' || obj.text === 'self.request')) return REQUEST_DATA.has(attr);
      if (attr === 'argv' && obj?.text === 'sys') return true;
      attrs.push(attr);
      cur = obj;
    } else return false;
  }
  return false;
}

/** A view: a function whose first parameter (after self) is the request. */
function isViewFunction(scope: Scope): boolean {
  const first = scope.params[0] === 'self' || scope.params[0] === 'cls' ? scope.params[1] : scope.params[0];
  return first === 'request';
}

function contains(outer: Node, inner: Node): boolean {
  return outer.startIndex <= inner.startIndex && inner.endIndex <= outer.endIndex;
}

/** The innermost block (or module) that directly holds the statement that `n` is part of. */
function enclosingBlock(n: Node): Node | null {
  let p = n.parent;
  while (p && p.type !== 'block' && p.type !== 'module') p = p.parent;
  return p;
}

function loopsAround(n: Node, stop: Node): Node[] {
  const out: Node[] = [];
  for (let p = n.parent; p && p.id !== stop.id; p = p.parent) if (LOOP_TYPES.has(p.type)) out.push(p);
  return out;
}

/** A callee's summary: the value its `return` statements produce, parameters kept symbolic. */
export interface Summary {
  value: TextValue;
  params: string[];
}

/** Summaries of project functions, shared by every file of one analysis run. */
export type SummaryCache = Map<string, Summary | null>;

export interface FlowHost {
  ws: Workspace;
  project: Project;
}

/** Analyses the text values of one file; summaries of other files' functions are shared. */
export class FileFlow {
  private scopes = new Map<number, Scope>();
  private visiting = new Set<string>();
  /** Callee names whose result counts as constant for the question asked (HTML escapers for XSS). */
  sanitizers = new Set<string>();

  constructor(
    readonly host: FlowHost,
    readonly file: string,
    readonly module: string | undefined,
    readonly root: Node,
    private readonly summaries: SummaryCache,
    private readonly depth = 0,
    /** Summaries keep parameters symbolic; a top-level analysis treats them as unknown input. */
    private readonly symbolic = false,
  ) {}

  scopeOf(n: Node): Scope {
    let p: Node | null = n.parent;
    while (p && p.type !== 'function_definition' && p.type !== 'module') p = p.parent;
    const node = p ?? this.root;
    let s = this.scopes.get(node.id);
    if (!s) {
      const parentNode = node.type === 'module' ? undefined : node;
      s = new Scope(node, parentNode ? this.scopeOf(parentNode) : undefined);
      this.scopes.set(node.id, s);
    }
    return s;
  }

  private source(n: Node, input = isInputExpr(n)): Source {
    return { file: this.file, span: nodeSpan(n), text: short(n.text), input };
  }

  private opaque(n: Node): TextValue {
    return { sources: [this.source(n)], params: [], built: false };
  }

  /** The text value of an expression node. */
  valueOf(n: Node, budget = 200): TextValue {
    if (budget <= 0) return this.opaque(n);
    const b = budget - 1;
    switch (n.type) {
      case 'string':
        return this.stringValue(n, b);
      case 'concatenated_string': {
        const parts = n.namedChildren.filter((c): c is Node => !!c).map((c) => this.valueOf(c, b));
        const v = union(parts, true, { file: this.file, span: nodeSpan(n), how: 'string concatenation' });
        if (parts.every((p) => p.text !== undefined)) v.text = parts.map((p) => p.text).join('');
        return v;
      }
      case 'integer':
      case 'float':
      case 'true':
      case 'false':
      case 'none':
        return { ...SAFE };
      case 'parenthesized_expression': {
        const inner = n.namedChildren.find((c) => c && c.type !== 'comment');
        return inner ? this.valueOf(inner, b) : { ...SAFE };
      }
      case 'identifier':
        return this.nameValue(n, b);
      case 'attribute':
        return this.attributeValue(n);
      case 'binary_operator':
        return this.binaryValue(n, b);
      case 'conditional_expression':
      case 'boolean_operator': {
        const parts = n.namedChildren.filter((c): c is Node => !!c);
        // In `a if cond else b` the condition is not part of the value.
        const values = n.type === 'conditional_expression' ? [parts[0], parts[2]].filter(Boolean) : parts;
        return union(values.map((c) => this.valueOf(c, b)), false);
      }
      case 'list':
      case 'tuple':
      case 'set':
      case 'expression_list':
        return union(n.namedChildren.filter((c): c is Node => !!c && c.type !== 'comment').map((c) => this.valueOf(c, b)), false);
      case 'dictionary':
        return union(n.namedChildren.filter((c): c is Node => !!c && c.type === 'pair').flatMap((p) => [p.childForFieldName('key'), p.childForFieldName('value')]).filter((c): c is Node => !!c).map((c) => this.valueOf(c, b)), false);
      case 'list_comprehension':
      case 'generator_expression':
      case 'set_comprehension':
        return this.comprehensionValue(n, b);
      case 'subscript':
        return this.subscriptValue(n, b);
      case 'call':
        return this.callValue(n, b);
      case 'list_splat':
      case 'keyword_argument': {
        const v = n.type === 'keyword_argument' ? n.childForFieldName('value') : n.namedChild(0);
        return v ? this.valueOf(v, b) : { ...SAFE };
      }
      case 'comparison_operator':
      case 'not_operator':
        return { ...SAFE };
      default:
        return this.opaque(n);
    }
  }

  private stringValue(n: Node, b: number): TextValue {
    const start = n.childForFieldName('string_start') ?? n.namedChildren.find((c) => c?.type === 'string_start');
    const prefix = (start?.text ?? '').toLowerCase();
    const raw = prefix.includes('r');
    const parts: TextValue[] = [];
    let text = '';
    let known = true;
    for (const c of n.namedChildren) {
      if (!c) continue;
      if (c.type === 'string_content') text += raw ? c.text : unescape(c.text);
      else if (c.type === 'interpolation') {
        const e = c.childForFieldName('expression');
        if (e) parts.push(this.valueOf(e, b));
        known = false;
      }
    }
    if (parts.length === 0) return { ...SAFE, text: prefix.includes('b') ? undefined : text };
    const v = union(parts, true, { file: this.file, span: nodeSpan(n), how: 'an f-string' });
    if (known) v.text = text;
    return v;
  }

  private attributeValue(n: Node): TextValue {
    // Model._meta.db_table, self.model._meta.pk.column: names the schema defines, not user input.
    if (n.text.includes('._meta.') || n.text.startsWith('_meta.')) return { ...SAFE };
    return this.opaque(n);
  }

  private binaryValue(n: Node, b: number): TextValue {
    const op = n.childForFieldName('operator')?.text ?? '';
    const left = n.childForFieldName('left');
    const right = n.childForFieldName('right');
    if (!left || !right) return this.opaque(n);
    if (op === '*') {
      // "%s, " * n and ["%s"] * len(ids): the count cannot put text into the result.
      const lv = this.valueOf(left, b);
      const rv = this.valueOf(right, b);
      const lText = ['string', 'list', 'tuple', 'concatenated_string'].includes(left.type);
      const rText = ['string', 'list', 'tuple', 'concatenated_string'].includes(right.type);
      if (lText && !rText) return lv;
      if (rText && !lText) return rv;
      return union([lv, rv], false);
    }
    if (op === '+' || op === '%') {
      const lv = this.valueOf(left, b);
      const rv = this.valueOf(right, b);
      const how = op === '%' ? '% formatting' : 'string concatenation';
      const v = union([lv, rv], true, { file: this.file, span: nodeSpan(n), how });
      if (op === '+' && lv.text !== undefined && rv.text !== undefined && isConstant(v)) v.text = lv.text + rv.text;
      return v;
    }
    // Arithmetic and bit operations give numbers.
    if (['-', '/', '//', '**', '<<', '>>', '&', '|', '^'].includes(op)) return { ...SAFE };
    return this.opaque(n);
  }

  private comprehensionValue(n: Node, b: number): TextValue {
    const body = n.childForFieldName('body');
    if (!body) return this.opaque(n);
    // The loop variables of the comprehension stand for elements of what they iterate.
    return this.valueOf(body, b);
  }

  private subscriptValue(n: Node, b: number): TextValue {
    // A lookup in a constant table (ORDERINGS[key]) yields one of its constant values or fails.
    const obj = n.childForFieldName('value');
    if (obj) {
      const ov = this.valueOf(obj, b);
      if (isConstant(ov) && obj.type !== 'string') return { ...SAFE };
      return this.derived(n, ov);
    }
    return this.opaque(n);
  }

  /** An unknown value read from another one (`x[i]`, `x.attr`, `x.method()`): input if that one is. */
  private derived(n: Node, from: TextValue): TextValue {
    const derived = this.source(n, isInputExpr(n) || from.sources.some((s) => s.input));
    if (from.sources.some((s) => s.param)) derived.param = true;
    return { sources: [derived], params: from.params, built: false };
  }

  private callValue(n: Node, b: number): TextValue {
    const fn = n.childForFieldName('function');
    const argList = n.childForFieldName('arguments');
    // f(x for x in xs): the generator expression is the whole argument list.
    const argNodes = argList?.type === 'generator_expression' ? [argList] : argList?.namedChildren.filter((c): c is Node => !!c && c.type !== 'comment') ?? [];
    if (!fn) return this.opaque(n);
    const callee = fn.type === 'identifier' ? fn.text : fn.type === 'attribute' ? fn.childForFieldName('attribute')?.text ?? '' : '';
    if (this.sanitizers.has(callee)) return { ...SAFE };
    // A translation of constant text is text the project's translators wrote: constant here.
    if (TRANSLATIONS.has(callee) && argNodes.every((a) => isConstant(this.valueOf(a, b)))) return { ...SAFE };
    if (fn.type === 'identifier') {
      const name = fn.text;
      if (NUMERIC_CALLS.has(name) && !this.isLocallyDefined(fn)) return { ...SAFE };
      if (name === 'str' && argNodes.length === 1) {
        const a = argNodes[0];
        // str(queryset.query): Django's own rendering of a queryset, left aside.
        if (a.type === 'attribute' && a.childForFieldName('attribute')?.text === 'query') return { ...SAFE };
        return this.valueOf(a, b);
      }
      if (QUOTERS.has(name) || this.isQuoterAlias(fn)) return { ...SAFE };
    }
    if (fn.type === 'attribute') {
      const method = fn.childForFieldName('attribute')?.text ?? '';
      const obj = fn.childForFieldName('object');
      if (QUOTERS.has(method)) return { ...SAFE };
      if (obj && (obj.type === 'string' || obj.type === 'concatenated_string' || this.looksLikeText(obj, b))) {
        if (method === 'format') {
          return union([this.valueOf(obj, b), ...argNodes.map((a) => this.valueOf(a, b))], true, { file: this.file, span: nodeSpan(n), how: '.format()' });
        }
        if (method === 'join' && argNodes.length === 1) {
          return union([this.valueOf(obj, b), this.valueOf(argNodes[0], b)], true, { file: this.file, span: nodeSpan(n), how: 'str.join()' });
        }
        if (method === 'replace') {
          return union([this.valueOf(obj, b), ...argNodes.map((a) => this.valueOf(a, b))], true, { file: this.file, span: nodeSpan(n), how: '.replace()' });
        }
        if (SAME_TEXT_METHODS.has(method)) {
          const v = this.valueOf(obj, b);
          return { ...v, text: undefined };
        }
      }
      if (method === 'get' && obj) {
        // CONSTANT_TABLE.get(key, "default"): a constant table lookup with a constant default.
        const ov = this.valueOf(obj, b);
        if (isConstant(ov) && obj.type !== 'string' && argNodes.slice(1).every((a) => isConstant(this.valueOf(a, b)))) return { ...SAFE };
      }
    }
    const summarised = this.applySummary(n, fn, argNodes, b);
    if (summarised) return summarised;
    const receiver = fn.type === 'attribute' ? fn.childForFieldName('object') : null;
    if (receiver && receiver.type === 'identifier') return this.derived(n, this.valueOf(receiver, Math.min(b, 40)));
    return this.opaque(n);
  }

  /** Whether an expression is a string we can read (a local string value, not an arbitrary object). */
  private looksLikeText(obj: Node, b: number): boolean {
    if (obj.type !== 'identifier') return false;
    const v = this.valueOf(obj, Math.min(b, 40));
    return v.text !== undefined || v.built || (v.sources.length === 0 && v.params.length === 0);
  }

  private isLocallyDefined(id: Node): boolean {
    for (let s: Scope | undefined = this.scopeOf(id); s; s = s.parent) if (s.defs.has(id.text) || s.params.includes(id.text)) return true;
    return false;
  }

  /** `qn = connection.ops.quote_name` (locally or at module level), then `qn(x)`. */
  private isQuoterAlias(id: Node): boolean {
    for (let s: Scope | undefined = this.scopeOf(id); s; s = s.parent) {
      const defs = s.defs.get(id.text);
      if (defs) return defs.every((d) => d.kind === 'assign' && d.value?.type === 'attribute' && QUOTERS.has(d.value.childForFieldName('attribute')?.text ?? ''));
    }
    const module = this.moduleBinding(id.text);
    if (module?.kind === 'value' && module.value?.k === 'attr') return QUOTERS.has(module.value.attr);
    if (module?.kind === 'external' || module?.kind === 'def') return QUOTERS.has(fqName(module).split('.').pop() ?? '');
    return false;
  }

  private moduleBinding(name: string): Binding | undefined {
    if (!this.module) return undefined;
    return this.host.project.symbols.resolveName(this.module, name);
  }

  /** The value of a name at the point `use` reads it. */
  private nameValue(use: Node, b: number): TextValue {
    const name = use.text;
    // A comprehension variable stands for an element of what its `for` clause iterates.
    for (let p: Node | null = use.parent; p && !SCOPE_TYPES.has(p.type); p = p.parent) {
      if (!['list_comprehension', 'generator_expression', 'set_comprehension', 'dictionary_comprehension'].includes(p.type)) continue;
      for (const clause of p.namedChildren) {
        if (clause?.type !== 'for_in_clause') continue;
        const left = clause.childForFieldName('left');
        const right = clause.childForFieldName('right');
        if (left?.type === 'identifier' && left.text === name && right) return this.elementValue(right, b);
        if (left && right && left.descendantsOfType('identifier').some((i) => i?.text === name)) return { sources: [this.source(right)], params: [], built: false };
      }
    }
    let scope: Scope | undefined = this.scopeOf(use);
    let at: Node = use;
    while (scope) {
      const defs = scope.defs.get(name);
      if (defs || scope.params.includes(name)) {
        if (this.isAllowListed(name, at, scope)) return { ...SAFE };
        const reaching = defs ? this.reaching(defs, at, scope) : { defs: [] as Def[], killed: false };
        const values: TextValue[] = [];
        let complete = false;
        for (const d of reaching.defs) values.push(this.defValue(name, d, b));
        complete = reaching.killed;
        if (!complete) {
          if (scope.params.includes(name)) {
            const paramNode = scope.paramNodes.get(name);
            values.push(this.symbolic || !paramNode ? { sources: [], params: [name], built: false } : { sources: [{ ...this.source(paramNode, isViewFunction(scope)), param: true }], params: [], built: false });
          }
          else if (scope.node.type === 'module') values.push(this.globalValue(use, b));
          else if (reaching.defs.length === 0) values.push(this.opaque(use)); // used before assignment in this scope
        }
        return union(values, false);
      }
      // A free variable of a nested function: read it where the function is defined.
      at = scope.node;
      scope = scope.parent;
    }
    return this.globalValue(use, b);
  }

  private globalValue(use: Node, b: number): TextValue {
    const binding = this.moduleBinding(use.text);
    if (binding?.kind === 'value' && binding.value) {
      if (astIsConstant(binding.value, (e) => this.host.project.symbols.resolveExpr(binding.module, e), 0)) {
        return { ...SAFE, text: binding.value.k === 'str' && !binding.value.bytes ? binding.value.v : undefined };
      }
    }
    void b;
    return this.opaque(use);
  }

  /** The definitions of `name` that reach `at`, and whether an unconditional one hides the rest. */
  private reaching(defs: Def[], at: Node, scope: Scope): { defs: Def[]; killed: boolean } {
    const before = defs.filter((d) => d.at.startIndex < at.startIndex && !contains(d.at, at));
    const loopDefs = new Set<Def>();
    for (const loop of loopsAround(at, scope.node)) for (const d of defs) if (contains(loop, d.at) && d.at.startIndex >= at.startIndex && !contains(d.at, at)) loopDefs.add(d);
    // The last plain assignment whose block also holds the use overwrites everything before it.
    let killer: Def | undefined;
    for (const d of before) {
      if (d.kind !== 'assign' && d.kind !== 'opaque' && d.kind !== 'element') continue;
      const blk = enclosingBlock(d.at);
      if (blk && contains(blk, at) && (!killer || d.at.startIndex > killer.at.startIndex)) killer = d;
    }
    const kept = before.filter((d) => !killer || d.at.startIndex >= killer.at.startIndex);
    return { defs: [...kept, ...loopDefs], killed: !!killer };
  }

  private defValue(name: string, d: Def, b: number): TextValue {
    const key = `${name}@${d.at.id}`;
    if (this.visiting.has(key)) return { ...SAFE }; // a loop-carried definition: its inputs are counted elsewhere
    this.visiting.add(key);
    try {
      switch (d.kind) {
        case 'assign':
          return d.value ? this.valueOf(d.value, b) : this.opaque(d.at);
        case 'element':
          return d.value ? this.elementValue(d.value, b) : this.opaque(d.at);
        case 'opaque':
          return this.opaque(d.value ?? d.at);
        case 'aug':
        case 'append': {
          const old = this.nameAt(name, d.at, b);
          const add = d.value ? (d.kind === 'aug' ? this.valueOf(d.value, b) : this.valueOf(d.value, b)) : this.opaque(d.at);
          // += on a string builds text; appending to a list only collects items (join builds).
          const building = d.kind === 'aug' && d.op === '+=';
          return union([old, add], building, { file: this.file, span: nodeSpan(d.at), how: '+=' });
        }
      }
    } finally {
      this.visiting.delete(key);
    }
  }

  /** The value of `name` just before the statement `stmt`. */
  private nameAt(name: string, stmt: Node, b: number): TextValue {
    const target = stmt.type === 'augmented_assignment' ? stmt.childForFieldName('left') : stmt.childForFieldName('function')?.childForFieldName('object');
    if (target && target.text === name) return this.nameValue(target, b);
    return this.opaque(stmt);
  }

  /** The value of one element of an iterated collection. */
  private elementValue(coll: Node, b: number): TextValue {
    if (coll.type === 'call') {
      const fn = coll.childForFieldName('function');
      const args = coll.childForFieldName('arguments')?.namedChildren.filter((c): c is Node => !!c) ?? [];
      if (fn?.type === 'identifier' && fn.text === 'range') return { ...SAFE };
      // enumerate()'s counter is an int: an element is as constant as the collection's elements.
      if (fn?.type === 'identifier' && fn.text === 'enumerate' && args[0]) return this.elementValue(args[0], b);
      if (fn?.type === 'identifier' && fn.text === 'zip' && args.length) return union(args.map((a) => this.elementValue(a, b)), false);
      if (fn?.type === 'identifier' && (fn.text === 'sorted' || fn.text === 'reversed') && args[0]) return this.elementValue(args[0], b);
    }
    const v = this.valueOf(coll, b);
    return { ...v, text: undefined };
  }

  /**
   * Allow-list narrowing: `if name in CONSTANTS:` around the use, or an earlier
   * `if name not in CONSTANTS: raise/return` in an enclosing block.
   */
  private isAllowListed(name: string, use: Node, scope: Scope): boolean {
    const isMembership = (cond: Node | null, negated: boolean): boolean => {
      if (!cond) return false;
      if (cond.type === 'parenthesized_expression') return isMembership(cond.namedChild(0), negated);
      if (cond.type !== 'comparison_operator') return false;
      const items = cond.namedChildren.filter((c): c is Node => !!c);
      const ops = cond.children.filter((c): c is Node => !!c && !c.isNamed).map((c) => c.text);
      const opText = ops.join(' ');
      const wanted = negated ? 'not in' : 'in';
      if (items.length !== 2 || opText !== wanted || items[0].text !== name) return false;
      return isConstant(this.valueOf(items[1], 30));
    };
    const exits = (block: Node | null): boolean => {
      const last = block?.namedChildren.filter((c): c is Node => !!c && c.type !== 'comment').pop();
      return !!last && ['raise_statement', 'return_statement', 'continue_statement', 'break_statement'].includes(last.type);
    };
    for (let p: Node | null = use.parent; p && p.id !== scope.node.id; p = p.parent) {
      if (p.type === 'if_statement') {
        const cons = p.childForFieldName('consequence');
        if (cons && contains(cons, use) && isMembership(p.childForFieldName('condition'), false)) return true;
      }
      if (p.type === 'block' || p.type === 'module') {
        for (const st of p.namedChildren) {
          if (!st || st.startIndex >= use.startIndex) break;
          if (st.type === 'if_statement' && isMembership(st.childForFieldName('condition'), true) && exits(st.childForFieldName('consequence'))) return true;
          if (st.type === 'assert_statement' && isMembership(st.namedChild(0), false)) return true;
        }
      }
    }
    return false;
  }

  /** A call of a project function (or a method of the enclosing class) whose result is text. */
  private applySummary(call: Node, fn: Node, args: Node[], b: number): TextValue | undefined {
    if (this.depth > 3) return undefined;
    let summary: Summary | null | undefined;
    let skipSelf = false;
    if (fn.type === 'attribute' && fn.childForFieldName('object')?.text === 'self') {
      const method = fn.childForFieldName('attribute')?.text;
      let cls: Node | null = fn.parent;
      while (cls && cls.type !== 'class_definition') cls = cls.parent;
      const def = cls?.childForFieldName('body')?.namedChildren.map((c) => (c?.type === 'decorated_definition' ? c.childForFieldName('definition') : c)).find((c) => c?.type === 'function_definition' && c.childForFieldName('name')?.text === method);
      if (!def) return undefined;
      summary = this.summarise(this.file, def, () => new FileFlow(this.host, this.file, this.module, this.root, this.summaries, this.depth + 1, true));
      skipSelf = true;
    } else if (fn.type === 'identifier' && !this.isLocallyDefined(fn)) {
      const binding = this.moduleBinding(fn.text);
      if (binding?.kind !== 'def' || binding.cls) return undefined;
      summary = this.summariseBinding(binding);
    } else if (fn.type === 'attribute' && this.module) {
      const dotted = attrExpr(fn);
      if (!dotted) return undefined;
      const binding = this.host.project.symbols.resolveExpr(this.module, dotted);
      if (binding?.kind !== 'def' || binding.cls) return undefined;
      summary = this.summariseBinding(binding);
    }
    if (!summary) return undefined;
    const params = skipSelf ? summary.params.slice(1) : summary.params;
    const argValues = new Map<string, TextValue>();
    let positional = 0;
    for (const a of args) {
      if (a.type === 'keyword_argument') {
        const name = a.childForFieldName('name')?.text;
        const value = a.childForFieldName('value');
        if (name && value) argValues.set(name, this.valueOf(value, b));
      } else if (a.type === 'list_splat' || a.type === 'dictionary_splat') {
        return undefined;
      } else {
        const p = params[positional++];
        if (p) argValues.set(p, this.valueOf(a, b));
      }
    }
    const parts: TextValue[] = [{ ...summary.value, params: [] }];
    for (const p of summary.value.params) parts.push(argValues.get(p) ?? { ...SAFE });
    const v = union(parts, summary.value.built, { file: this.file, span: nodeSpan(call), how: 'a helper function' });
    if (isConstant(v) && summary.value.text !== undefined) v.text = summary.value.text;
    return v;
  }

  private summariseBinding(binding: Extract<Binding, { kind: 'def' }>): Summary | null {
    const key = `${binding.file}:${binding.def.s.join(',')}`;
    if (this.summaries.has(key)) return this.summaries.get(key)!;
    this.summaries.set(key, null);
    const module = this.host.project.modules.moduleOf(binding.file);
    const result = this.host.ws.withTree(binding.file, (tree) => {
      const [line, col] = binding.def.s;
      const node = tree.rootNode.descendantForPosition({ row: line, column: col });
      let def: Node | null = node;
      while (def && def.type !== 'function_definition') def = def.parent;
      if (!def) return null;
      const flow = new FileFlow(this.host, binding.file, module, tree.rootNode, this.summaries, this.depth + 1, true);
      return flow.summariseHere(def);
    }) ?? null;
    this.summaries.set(key, result);
    return result;
  }

  private summarise(file: string, def: Node, make: () => FileFlow): Summary | null {
    const key = `${file}:${def.startPosition.row},${def.startPosition.column}`;
    if (this.summaries.has(key)) return this.summaries.get(key)!;
    this.summaries.set(key, null);
    const result = make().summariseHere(def);
    this.summaries.set(key, result);
    return result;
  }

  /** The summary of a function definition in this file. */
  summariseHere(def: Node): Summary | null {
    const body = def.childForFieldName('body');
    if (!body) return null;
    const returns: Node[] = [];
    const visit = (n: Node) => {
      for (const c of n.namedChildren) {
        if (!c || SCOPE_TYPES.has(c.type)) continue;
        if (c.type === 'return_statement') {
          const v = c.namedChild(0);
          if (v) returns.push(v);
          continue;
        }
        if (c.type === 'yield') return; // generators do not return text
        visit(c);
      }
    };
    visit(body);
    if (returns.length === 0) return null;
    const scope = this.scopeOf(body.namedChild(0) ?? body);
    const values = returns.map((r) => this.valueOf(r));
    const v = union(values, false);
    if (values.length === 1) v.text = values[0].text;
    return { value: v, params: scope.params };
  }
}

/** A tree-sitter attribute chain as a python/ast.ts expression, for the SymbolResolver. */
function attrExpr(n: Node): Expr | undefined {
  const s = nodeSpan(n);
  if (n.type === 'identifier') return { k: 'name', id: n.text, s };
  if (n.type === 'attribute') {
    const obj = n.childForFieldName('object');
    const attr = n.childForFieldName('attribute');
    const inner = obj ? attrExpr(obj) : undefined;
    if (!inner || !attr) return undefined;
    return { k: 'attr', obj: inner, attr: attr.text, s, attrSpan: nodeSpan(attr) };
  }
  return undefined;
}

/** Whether a module-level expression (from facts) is built only from constants. */
export function astIsConstant(e: Expr, resolve: (e: Expr) => Binding | undefined, depth: number): boolean {
  if (depth > 8) return false;
  const rec = (x: Expr) => astIsConstant(x, resolve, depth + 1);
  switch (e.k) {
    case 'str':
    case 'num':
    case 'const':
      return true;
    case 'fstr':
      return e.parts.every((p) => typeof p === 'string' || rec(p));
    case 'list':
    case 'tuple':
    case 'set':
      return e.items.every(rec);
    case 'dict':
      return e.entries.every((x) => (x.key === null || rec(x.key)) && rec(x.value));
    case 'bin':
      return rec(e.l) && rec(e.r);
    case 'ifexp':
      return rec(e.then) && rec(e.orelse);
    case 'attr':
      return e.attr === 'db_table' || dotted(e).includes('._meta.');
    case 'name': {
      const b = resolve(e);
      return b?.kind === 'value' && !!b.value && b.value !== e && astIsConstant(b.value, resolve, depth + 1);
    }
    case 'call': {
      const callee = e.fn.k === 'name' ? e.fn.id : e.fn.k === 'attr' ? e.fn.attr : '';
      if (NUMERIC_CALLS.has(callee)) return true;
      if (QUOTERS.has(callee)) return true;
      if (e.fn.k === 'attr' && (e.fn.attr === 'join' || e.fn.attr === 'format')) return rec(e.fn.obj) && e.args.every(rec);
      return false;
    }
    default:
      return false;
  }
}

function dotted(e: Expr): string {
  if (e.k === 'name') return e.id;
  if (e.k === 'attr') return `${dotted(e.obj)}.${e.attr}`;
  return '?';
}

/** Python string escapes, for the text of a constant (SQL rarely holds any). */
function unescape(s: string): string {
  if (!s.includes('\\')) return s;
  return s.replace(/\\(\n|\\|'|"|n|t|r|0|x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4})/g, (_m, c: string) => {
    switch (c[0]) {
      case '\n': return '';
      case 'n': return '\n';
      case 't': return '\t';
      case 'r': return '\r';
      case '0': return '\0';
      case 'x': case 'u': return String.fromCharCode(parseInt(c.slice(1), 16));
      default: return c;
    }
  });
}
