/**
 * A small abstract interpreter for module-level Python: the part of settings modules and
 * URLconfs that Django itself evaluates at import time. It knows literals, names, imports (lazily,
 * so a urls.py that imports views does not evaluate them), list/tuple/dict/str operations,
 * `+=`/`append`/`extend`/`insert`, `if`/`try` and a handful of standard-library helpers
 * (os.path, pathlib, os.environ with defaults). What it cannot know becomes an `unknown` value
 * with a reason; an `if` on an unknown condition yields `unknown` values that keep both
 * alternatives, so callers can say "inconclusive" instead of guessing.
 *
 * Domain-specific calls (Django's `path()`, `include()`, DRF routers) are handled by hooks that
 * the URL and settings layers pass in.
 */
import { dirname, join, normalize, resolve as resolvePath } from 'node:path';
import type { Span } from '../types';
import { type Expr, type Stmt, dottedName } from './ast';
import { type Binding, type SymbolResolver, fqName } from './symbols';

export interface At {
  file: string;
  span: Span;
}

export type Value =
  | { t: 'str'; v: string; at?: At }
  | { t: 'num'; v: number }
  | { t: 'bool'; v: boolean }
  | { t: 'none' }
  | { t: 'list' | 'tuple' | 'set'; items: Value[]; at?: At }
  | { t: 'dict'; entries: [Value, Value][]; at?: At }
  | { t: 'path'; v: string }
  | { t: 'binding'; b: Binding; at?: At }
  /** Domain objects made by hooks (a URL pattern, an include(), a DRF router ...). */
  | { t: 'obj'; type: string; data: any; at?: At }
  | { t: 'unknown'; why: string; options?: Value[] };

export type Env = Map<string, Value>;

export function unknown(why: string): Value {
  return { t: 'unknown', why };
}

export interface EvalHooks {
  /** Called for a call whose callee resolved to `fn`; return undefined to use the defaults. */
  call?(fn: Value, call: Extract<Expr, { k: 'call' }>, ctx: EvalContext): Value | undefined;
  /** Attribute access on a domain object. */
  attr?(obj: Extract<Value, { t: 'obj' }>, attr: string, ctx: EvalContext): Value | undefined;
  /** A method call on a domain object (`router.register(...)`). */
  method?(obj: Extract<Value, { t: 'obj' }>, method: string, call: Extract<Expr, { k: 'call' }>, ctx: EvalContext): Value | undefined;
}

export interface EvalContext {
  module: string;
  file: string;
  env: Env;
  evaluator: Evaluator;
  eval(e: Expr): Value;
}

interface ModuleResult {
  env: Env;
  /** Files whose content this result depends on (the module and everything it star-imported). */
  files: Set<string>;
  problems: string[];
}

/** Evaluates modules on demand and memoises the results for the lifetime of the evaluator. */
export class Evaluator {
  private results = new Map<string, ModuleResult>();
  private inProgress = new Set<string>();

  constructor(
    readonly symbols: SymbolResolver,
    private readonly hooks: EvalHooks = {},
    /** Values for external names (e.g. `django.conf.settings.DEBUG`) supplied by the caller. */
    private readonly externals: (fq: string) => Value | undefined = () => undefined,
    /** Names the hooks handle themselves: never evaluated, even when their source is indexed. */
    private readonly known: (fq: string) => boolean = () => false,
  ) {}

  /** Evaluates a module's top level; a cyclic import sees the partial environment, as Python does. */
  module(module: string): ModuleResult {
    const done = this.results.get(module);
    if (done) return done;
    const result: ModuleResult = { env: new Map(), files: new Set(), problems: [] };
    const mf = this.symbols.factsOf(module);
    if (!mf) {
      result.problems.push(`module ${module} is not in the project`);
      return result;
    }
    if (this.inProgress.has(module)) {
      result.problems.push(`cyclic import of ${module}`);
      return result;
    }
    this.inProgress.add(module);
    this.results.set(module, result);
    result.files.add(mf.file);
    const ctx = this.context(module, mf.file, result.env);
    ctx.env.set('__file__', { t: 'str', v: mf.file });
    ctx.env.set('__name__', { t: 'str', v: module });
    try {
      this.block(mf.facts.body, ctx, result);
    } catch (e) {
      result.problems.push(`evaluation of ${module} stopped: ${(e as Error).message}`);
    } finally {
      this.inProgress.delete(module);
    }
    return result;
  }

  private context(module: string, file: string, env: Env): EvalContext {
    const ctx: EvalContext = { module, file, env, evaluator: this, eval: (e) => this.expr(e, ctx) };
    return ctx;
  }

  /** Runs statements; returns false when an import failed inside a try body (stop that body). */
  private block(body: Stmt[], ctx: EvalContext, result: ModuleResult, inTry = false): boolean {
    for (const st of body) {
      if (!this.statement(st, ctx, result, inTry)) return false;
    }
    return true;
  }

  private statement(st: Stmt, ctx: EvalContext, result: ModuleResult, inTry: boolean): boolean {
    const env = ctx.env;
    switch (st.k) {
      case 'assign': {
        const v = this.expr(st.value, ctx);
        for (const target of st.targets) this.assign(target, v, ctx);
        return true;
      }
      case 'annassign':
        if (st.value) this.assign(st.target, this.expr(st.value, ctx), ctx);
        return true;
      case 'augassign': {
        if (st.target.k !== 'name') return true;
        const old = env.get(st.target.id) ?? unknown(`${st.target.id} is not defined before +=`);
        const v = this.expr(st.value, ctx);
        const op = st.op.replace('=', '');
        env.set(st.target.id, op === '+' && old.t === 'list' && isSequence(v) ? { t: 'list', items: [...old.items, ...v.items], at: old.at } : binop(op, old, v));
        return true;
      }
      case 'expr':
        this.expressionStatement(st.value, ctx);
        return true;
      case 'import':
        for (const n of st.names) {
          if (n.asname) env.set(n.asname, { t: 'binding', b: this.symbols.moduleBinding(n.name) });
          else {
            const top = n.name.split('.')[0];
            env.set(top, { t: 'binding', b: this.symbols.moduleBinding(top) });
          }
        }
        return true;
      case 'from': {
        const abs = this.symbols.absolute(ctx.module, st.level, st.module);
        if (!abs) {
          result.problems.push(`relative import beyond top-level package in ${ctx.module}`);
          return !inTry;
        }
        const inProject = this.symbols.modules.has(abs) || st.level > 0;
        if (inProject && !this.symbols.modules.has(abs)) {
          // A relative import of a module that does not exist raises ImportError.
          if (inTry) return false;
          result.problems.push(`cannot import ${abs}: no such module in the project`);
          return true;
        }
        if (st.names === '*') {
          if (!this.symbols.modules.has(abs)) {
            result.problems.push(`from ${abs} import *: module outside the project, names unknown`);
            return true;
          }
          const sub = this.module(abs);
          for (const f of sub.files) result.files.add(f);
          result.problems.push(...sub.problems);
          for (const [k, v] of sub.env) if (!k.startsWith('_')) env.set(k, v);
          return true;
        }
        for (const n of st.names) {
          env.set(n.asname ?? n.name, this.importedValue(abs, n.name, result));
        }
        return true;
      }
      case 'if': {
        const test = truthy(this.expr(st.test, ctx));
        if (test === true) return this.block(st.body, ctx, result, inTry);
        if (test === false) return this.block(st.orelse, ctx, result, inTry);
        const a = new Map(env);
        const b = new Map(env);
        this.block(st.body, { ...ctx, env: a }, result, inTry);
        this.block(st.orelse, { ...ctx, env: b }, result, inTry);
        mergeInto(env, a, b);
        return true;
      }
      case 'try': {
        const ok = this.block(st.body, ctx, result, true);
        if (!ok && st.handlers.length) this.block(st.handlers[0], ctx, result, inTry);
        else if (ok) this.block(st.orelse, ctx, result, inTry);
        this.block(st.finalbody, ctx, result, inTry);
        return true;
      }
      case 'with':
        return this.block(st.body, ctx, result, inTry);
      case 'def':
        env.set(st.name, { t: 'binding', b: { kind: 'def', module: ctx.module, qualname: st.name, file: ctx.file, def: st } });
        return true;
      case 'class':
        env.set(st.name, { t: 'binding', b: { kind: 'class', module: ctx.module, qualname: st.name, file: ctx.file, def: st } });
        return true;
    }
  }

  /** `from module import name`, evaluating the module only when the name is data. */
  private importedValue(module: string, name: string, result: ModuleResult): Value {
    const b = this.symbols.resolveFrom(module, name);
    if (!b) return unknown(`${module}.${name} could not be resolved`);
    if (this.known(fqName(b))) return { t: 'binding', b };
    if (b.kind === 'value') {
      const sub = this.module(b.module);
      for (const f of sub.files) result.files.add(f);
      return sub.env.get(b.name) ?? unknown(`${b.module}.${b.name} has no value`);
    }
    if (b.kind === 'external') {
      const ext = this.externals(b.fq);
      if (ext) return ext;
    }
    return { t: 'binding', b };
  }

  private assign(target: Expr, v: Value, ctx: EvalContext): void {
    if (target.k === 'name') ctx.env.set(target.id, v);
    else if (target.k === 'tuple' || target.k === 'list') {
      target.items.forEach((t, i) => this.assign(t, isSequence(v) && v.items.length === target.items.length ? v.items[i] : unknown('unpacking'), ctx));
    } else if (target.k === 'sub' && target.obj.k === 'name') {
      // settings["KEY"] = value on a dict: copy-on-write.
      const d = ctx.env.get(target.obj.id);
      const key = this.expr(target.index, ctx);
      if (d?.t === 'dict' && key.t === 'str') {
        const entries = d.entries.filter(([k]) => !(k.t === 'str' && k.v === key.v));
        ctx.env.set(target.obj.id, { ...d, entries: [...entries, [key, v]] });
      } else if (d?.t === 'list' && key.t === 'num') {
        const items = [...d.items];
        items[key.v < 0 ? items.length + key.v : key.v] = v;
        ctx.env.set(target.obj.id, { ...d, items });
      }
    } else if (target.k === 'sub' && target.obj.k === 'sub') {
      // TEMPLATES[0]["DIRS"] = [...]: nested copy-on-write for the common settings idiom.
      const outer = target.obj;
      if (outer.obj.k !== 'name') return;
      const name = outer.obj.id;
      const list = ctx.env.get(name);
      const idx = this.expr(outer.index, ctx);
      const key = this.expr(target.index, ctx);
      if (list?.t === 'list' && idx.t === 'num' && key.t === 'str') {
        const i = idx.v < 0 ? list.items.length + idx.v : idx.v;
        const d = list.items[i];
        if (d?.t === 'dict') {
          const entries = d.entries.filter(([k]) => !(k.t === 'str' && k.v === key.v));
          const items = [...list.items];
          items[i] = { ...d, entries: [...entries, [key, v]] };
          ctx.env.set(name, { ...list, items });
        }
      }
    }
  }

  private expressionStatement(e: Expr, ctx: EvalContext): void {
    if (e.k !== 'call' || e.fn.k !== 'attr') {
      this.expr(e, ctx);
      return;
    }
    const method = e.fn.attr;
    const target = e.fn.obj;
    // Mutating list methods on a module-level name: rebind to a new list (values are immutable).
    if (target.k === 'name' && ['append', 'extend', 'insert', 'remove'].includes(method)) {
      const old = ctx.env.get(target.id);
      if (old && (old.t === 'list' || old.t === 'unknown')) {
        if (old.t === 'unknown') return;
        const args = e.args.map((a) => this.expr(a, ctx));
        let items = [...old.items];
        if (method === 'append' && args.length === 1) items.push(args[0]);
        else if (method === 'extend' && args.length === 1) {
          const a = args[0];
          if (isSequence(a)) items.push(...a.items);
          else items = [...items, unknown('extend() with an unknown value')];
        } else if (method === 'insert' && args.length === 2 && args[0].t === 'num') {
          const i = args[0].v < 0 ? Math.max(0, items.length + args[0].v) : Math.min(items.length, args[0].v);
          items.splice(i, 0, args[1]);
        } else if (method === 'remove' && args.length === 1) {
          const i = items.findIndex((x) => sameValue(x, args[0]));
          if (i >= 0) items.splice(i, 1);
        } else {
          ctx.env.set(target.id, unknown(`${target.id}.${method}() with arguments that cannot be read`));
          return;
        }
        ctx.env.set(target.id, { ...old, items });
        return;
      }
    }
    this.expr(e, ctx);
  }

  expr(e: Expr, ctx: EvalContext): Value {
    switch (e.k) {
      case 'str':
        return e.bytes ? unknown('bytes') : { t: 'str', v: e.v, at: { file: ctx.file, span: e.s } };
      case 'num':
        return { t: 'num', v: e.v };
      case 'const':
        return e.v === null ? { t: 'none' } : { t: 'bool', v: e.v };
      case 'fstr': {
        let out = '';
        for (const p of e.parts) {
          if (typeof p === 'string') out += p;
          else {
            const v = this.expr(p, ctx);
            const s = toStr(v);
            if (s === undefined) return unknown('f-string with a value that cannot be read');
            out += s;
          }
        }
        return { t: 'str', v: out, at: { file: ctx.file, span: e.s } };
      }
      case 'name': {
        const v = ctx.env.get(e.id);
        if (v) return v;
        if (e.id === 'True' || e.id === 'False') return { t: 'bool', v: e.id === 'True' };
        if (BUILTINS.has(e.id)) return { t: 'binding', b: { kind: 'external', fq: `builtins.${e.id}` } };
        return unknown(`${e.id} is not defined`);
      }
      case 'attr': {
        const obj = this.expr(e.obj, ctx);
        return this.attribute(obj, e.attr, ctx, e);
      }
      case 'call':
        return this.call(e, ctx);
      case 'list':
      case 'tuple':
      case 'set': {
        const items: Value[] = [];
        for (const it of e.items) {
          if (it.k === 'star') {
            const v = this.expr(it.v, ctx);
            if (isSequence(v)) items.push(...v.items);
            else return unknown('unpacking of an unknown sequence');
          } else items.push(this.expr(it, ctx));
        }
        return { t: e.k, items, at: { file: ctx.file, span: e.s } };
      }
      case 'dict': {
        const entries: [Value, Value][] = [];
        for (const en of e.entries) {
          if (en.key === null) {
            const v = this.expr(en.value, ctx);
            if (v.t === 'dict') entries.push(...v.entries);
            else return unknown('** of an unknown mapping');
          } else entries.push([this.expr(en.key, ctx), this.expr(en.value, ctx)]);
        }
        return { t: 'dict', entries, at: { file: ctx.file, span: e.s } };
      }
      case 'bin':
        return binop(e.op, this.expr(e.l, ctx), this.expr(e.r, ctx));
      case 'bool': {
        const l = this.expr(e.l, ctx);
        const lt = truthy(l);
        if (lt === undefined) return unknown('boolean expression on an unknown value');
        if (e.op === 'or') return lt ? l : this.expr(e.r, ctx);
        return lt ? this.expr(e.r, ctx) : l;
      }
      case 'not': {
        const t = truthy(this.expr(e.v, ctx));
        return t === undefined ? unknown('not of an unknown value') : { t: 'bool', v: !t };
      }
      case 'cmp':
        return compare(e, ctx, this);
      case 'ifexp': {
        const t = truthy(this.expr(e.test, ctx));
        if (t === true) return this.expr(e.then, ctx);
        if (t === false) return this.expr(e.orelse, ctx);
        return { t: 'unknown', why: 'conditional expression', options: [this.expr(e.then, ctx), this.expr(e.orelse, ctx)] };
      }
      case 'sub': {
        const obj = this.expr(e.obj, ctx);
        const idx = this.expr(e.index, ctx);
        if (obj.t === 'dict' && (idx.t === 'str' || idx.t === 'num')) {
          for (let i = obj.entries.length - 1; i >= 0; i--) if (sameValue(obj.entries[i][0], idx)) return obj.entries[i][1];
          return unknown('key not found');
        }
        if (isSequence(obj) && idx.t === 'num') {
          const i = idx.v < 0 ? obj.items.length + idx.v : idx.v;
          return obj.items[i] ?? unknown('index out of range');
        }
        if (obj.t === 'binding' && fqName(obj.b) === 'os.environ') return unknown('os.environ[...] is set by the environment');
        return unknown('subscript of an unknown value');
      }
      case 'star':
        return unknown('star expression');
      case 'other':
        return unknown(`${e.type} is not evaluated`);
    }
  }

  private attribute(obj: Value, attr: string, ctx: EvalContext, e: Expr): Value {
    if (obj.t === 'binding') {
      const b = obj.b;
      if (b.kind === 'module' && b.file) {
        // Attribute of a project module: its value if it is data, else the binding.
        const mb = this.symbols.resolveFrom(b.module, attr);
        if (mb?.kind === 'value' && !this.known(fqName(mb))) return this.module(mb.module).env.get(mb.name) ?? unknown(`${mb.module}.${mb.name}`);
        if (mb) return { t: 'binding', b: mb };
        return unknown(`${b.module}.${attr} is not defined`);
      }
      const m = this.symbols.member(b, attr);
      if (m) {
        if (m.kind === 'external') {
          const ext = this.externals(m.fq);
          if (ext) return ext;
        }
        return { t: 'binding', b: m, at: { file: ctx.file, span: e.s } };
      }
      return unknown(`${fqName(b)}.${attr}`);
    }
    if (obj.t === 'path') {
      if (attr === 'parent') return { t: 'path', v: dirname(obj.v) };
      if (attr === 'name') return { t: 'str', v: obj.v.split('/').pop() ?? '' };
      if (attr === 'parents') return { t: 'list', items: ancestors(obj.v).map((v) => ({ t: 'path', v }) as Value) };
      return { t: 'obj', type: 'pathmethod', data: { path: obj.v, method: attr } };
    }
    if (obj.t === 'obj') {
      const v = this.hooks.attr?.(obj, attr, ctx);
      if (v) return v;
      return { t: 'obj', type: 'boundmethod', data: { obj, method: attr } };
    }
    if (obj.t === 'str' || obj.t === 'list' || obj.t === 'dict' || obj.t === 'tuple') {
      return { t: 'obj', type: 'boundmethod', data: { obj, method: attr } };
    }
    return unknown(`attribute ${attr} of an unknown value`);
  }

  private call(e: Extract<Expr, { k: 'call' }>, ctx: EvalContext): Value {
    const fn = this.expr(e.fn, ctx);
    const hooked = this.hooks.call?.(fn, e, ctx);
    if (hooked) return hooked;
    if (fn.t === 'binding') {
      const fq = fqName(fn.b);
      const builtin = callBuiltin(fq, e, ctx);
      if (builtin) return builtin;
      return unknown(`result of ${dottedName(e.fn) ?? fq}()`);
    }
    if (fn.t === 'obj' && fn.type === 'pathmethod') {
      const { path, method } = fn.data as { path: string; method: string };
      if (method === 'resolve' || method === 'absolute') return { t: 'path', v: resolvePath(path) };
      if (method === 'joinpath') return joinPath(path, e.args.map((a) => ctx.eval(a)));
      return unknown(`Path.${method}()`);
    }
    if (fn.t === 'obj' && fn.type === 'boundmethod') {
      const { obj, method } = fn.data as { obj: Value; method: string };
      if (obj.t === 'obj') {
        const v = this.hooks.method?.(obj, method, e, ctx);
        if (v) return v;
        return unknown(`${obj.type}.${method}()`);
      }
      const kwargs = new Map<string, Value>();
      for (const k of e.kw) if (k.name) kwargs.set(k.name, ctx.eval(k.value));
      return valueMethod(obj, method, e.args.map((a) => ctx.eval(a)), kwargs);
    }
    return unknown(`call of ${dottedName(e.fn) ?? 'an expression'}`);
  }
}

const BUILTINS = new Set(['list', 'tuple', 'str', 'int', 'bool', 'dict', 'set', 'len', 'sorted', 'print', 'getattr', 'isinstance', 'open', 'frozenset']);

function callBuiltin(fq: string, e: Extract<Expr, { k: 'call' }>, ctx: EvalContext): Value | undefined {
  const args = () => e.args.map((a) => ctx.eval(a));
  const kw = (name: string) => {
    const k = e.kw.find((x) => x.name === name);
    return k ? ctx.eval(k.value) : undefined;
  };
  switch (fq) {
    case 'os.path.join': {
      const parts = args().map(toStr);
      if (parts.some((p) => p === undefined) || parts.length === 0) return unknown('os.path.join of unknown parts');
      return { t: 'str', v: join(...(parts as string[])) };
    }
    case 'os.path.dirname': {
      const s = toStr(args()[0]);
      return s === undefined ? unknown('os.path.dirname of an unknown value') : { t: 'str', v: dirname(s) };
    }
    case 'os.path.abspath':
    case 'os.path.realpath':
    case 'os.path.normpath': {
      const s = toStr(args()[0]);
      return s === undefined ? unknown(`${fq} of an unknown value`) : { t: 'str', v: fq.endsWith('normpath') ? normalize(s) : resolvePath(s) };
    }
    case 'os.path.basename': {
      const s = toStr(args()[0]);
      return s === undefined ? unknown('basename') : { t: 'str', v: s.split('/').pop() ?? '' };
    }
    case 'os.path.exists':
    case 'os.path.isfile':
    case 'os.path.isdir':
      return unknown('a file-system test is not evaluated');
    case 'pathlib.Path':
    case 'pathlib.PurePath':
    case 'pathlib.PosixPath': {
      const a = args();
      if (a.length === 0) return unknown('Path() is the working directory');
      return joinPath(undefined, a);
    }
    case 'os.environ.get':
    case 'os.getenv': {
      // Static reading cannot see the environment: Django would use the default when unset.
      const a = args();
      const def = a[1] ?? kw('default');
      return def ?? { t: 'none' };
    }
    case 'builtins.list':
    case 'builtins.tuple': {
      const a = args();
      if (a.length === 0) return { t: fq === 'builtins.list' ? 'list' : 'tuple', items: [] };
      const v = a[0];
      if (isSequence(v)) return { t: fq === 'builtins.list' ? 'list' : 'tuple', items: v.items };
      return unknown(`${fq.slice(9)}() of an unknown value`);
    }
    case 'builtins.str': {
      const s = toStr(args()[0]);
      return s === undefined ? unknown('str() of an unknown value') : { t: 'str', v: s };
    }
    case 'builtins.bool': {
      const t = truthy(args()[0] ?? { t: 'bool', v: false });
      return t === undefined ? unknown('bool() of an unknown value') : { t: 'bool', v: t };
    }
    case 'builtins.int': {
      const v = args()[0];
      if (v?.t === 'num') return { t: 'num', v: Math.trunc(v.v) };
      if (v?.t === 'str' && /^\s*-?\d+\s*$/.test(v.v)) return { t: 'num', v: parseInt(v.v, 10) };
      return unknown('int() of an unknown value');
    }
  }
  return undefined;
}

function valueMethod(obj: Value, method: string, args: Value[], kwargs: Map<string, Value> = new Map()): Value {
  if (obj.t === 'str') {
    const a0 = args[0];
    switch (method) {
      case 'lower': return { t: 'str', v: obj.v.toLowerCase() };
      case 'upper': return { t: 'str', v: obj.v.toUpperCase() };
      case 'strip': return { t: 'str', v: obj.v.trim() };
      case 'split':
        if (a0 === undefined || a0.t === 'none') return { t: 'list', items: obj.v.split(/\s+/).filter(Boolean).map((v) => ({ t: 'str', v }) as Value) };
        if (a0.t === 'str') return { t: 'list', items: obj.v.split(a0.v).map((v) => ({ t: 'str', v }) as Value) };
        break;
      case 'join':
        if (a0 && isSequence(a0)) {
          const parts = a0.items.map(toStr);
          if (parts.every((p) => p !== undefined)) return { t: 'str', v: parts.join(obj.v) };
        }
        break;
      case 'format': {
        // Plain replacement fields only ({}, {0}, {name}); a format spec makes it unknown.
        let auto = 0;
        let failed = false;
        const out = obj.v.replace(/\{\{|\}\}|\{([^{}]*)\}/g, (m, field: string | undefined) => {
          if (m === '{{') return '{';
          if (m === '}}') return '}';
          if (field === undefined || /[:!\[.]/.test(field)) {
            failed = true;
            return '';
          }
          const v = field === '' ? args[auto++] : /^\d+$/.test(field) ? args[Number(field)] : kwargs.get(field);
          const s = toStr(v);
          if (s === undefined) failed = true;
          return s ?? '';
        });
        if (!failed) return { t: 'str', v: out };
        break;
      }
    }
    return unknown(`str.${method}()`);
  }
  if (obj.t === 'dict' && method === 'get') {
    const key = args[0];
    for (let i = obj.entries.length - 1; i >= 0; i--) if (key && sameValue(obj.entries[i][0], key)) return obj.entries[i][1];
    return args[1] ?? { t: 'none' };
  }
  if (obj.t === 'dict' && method === 'copy') return obj;
  if ((obj.t === 'list' || obj.t === 'tuple') && method === 'copy') return obj;
  return unknown(`.${method}()`);
}

function joinPath(base: string | undefined, parts: Value[]): Value {
  let p = base;
  for (const part of parts) {
    const s = part.t === 'path' ? part.v : toStr(part);
    if (s === undefined) return unknown('path from an unknown part');
    p = p === undefined || s.startsWith('/') ? s : join(p, s);
  }
  return p === undefined ? unknown('empty path') : { t: 'path', v: p };
}

function ancestors(p: string): string[] {
  const out: string[] = [];
  let cur = dirname(p);
  for (;;) {
    out.push(cur);
    const next = dirname(cur);
    if (next === cur) break;
    cur = next;
  }
  return out;
}

export function isSequence(v: Value): v is Extract<Value, { t: 'list' | 'tuple' | 'set' }> {
  return v.t === 'list' || v.t === 'tuple' || v.t === 'set';
}

export function toStr(v: Value | undefined): string | undefined {
  if (!v) return undefined;
  if (v.t === 'str' || v.t === 'path') return v.v;
  if (v.t === 'num') return String(v.v);
  if (v.t === 'bool') return v.v ? 'True' : 'False';
  if (v.t === 'none') return 'None';
  return undefined;
}

/** Python truthiness, or undefined when the value is unknown. */
export function truthy(v: Value): boolean | undefined {
  switch (v.t) {
    case 'bool': return v.v;
    case 'none': return false;
    case 'num': return v.v !== 0;
    case 'str': return v.v.length > 0;
    case 'path': return true;
    case 'list': case 'tuple': case 'set': return v.items.length > 0;
    case 'dict': return v.entries.length > 0;
    default: return undefined;
  }
}

export function sameValue(a: Value, b: Value): boolean {
  if (a.t !== b.t) return false;
  switch (a.t) {
    case 'str': case 'num': case 'bool': case 'path':
      return a.v === (b as typeof a).v;
    case 'none':
      return true;
    case 'list': case 'tuple': case 'set': {
      const bi = (b as typeof a).items;
      return a.items.length === bi.length && a.items.every((x, i) => sameValue(x, bi[i]));
    }
    case 'dict': {
      const be = (b as typeof a).entries;
      return a.entries.length === be.length && a.entries.every(([k, v], i) => sameValue(k, be[i][0]) && sameValue(v, be[i][1]));
    }
    case 'binding':
      return fqName(a.b) === fqName((b as typeof a).b);
    default:
      return a === b;
  }
}

function binop(op: string, l: Value, r: Value): Value {
  if (op === '+') {
    if (l.t === 'str' && r.t === 'str') return { t: 'str', v: l.v + r.v };
    if (l.t === 'num' && r.t === 'num') return { t: 'num', v: l.v + r.v };
    if (isSequence(l) && isSequence(r) && l.t === r.t) return { t: l.t, items: [...l.items, ...r.items], at: l.at };
    if (isSequence(l) && isSequence(r)) return { t: 'list', items: [...l.items, ...r.items], at: l.at };
  }
  if (op === '/' && l.t === 'path') {
    const s = r.t === 'path' ? r.v : toStr(r);
    if (s !== undefined) return { t: 'path', v: s.startsWith('/') ? s : join(l.v, s) };
  }
  if (l.t === 'num' && r.t === 'num') {
    switch (op) {
      case '-': return { t: 'num', v: l.v - r.v };
      case '*': return { t: 'num', v: l.v * r.v };
      case '/': return { t: 'num', v: l.v / r.v };
      case '//': return { t: 'num', v: Math.floor(l.v / r.v) };
      case '**': return { t: 'num', v: l.v ** r.v };
    }
  }
  if (op === '*' && isSequence(l) && r.t === 'num') {
    const items: Value[] = [];
    for (let i = 0; i < r.v; i++) items.push(...l.items);
    return { t: l.t, items };
  }
  if (op === '|' && l.t === 'dict' && r.t === 'dict') return { t: 'dict', entries: [...l.entries, ...r.entries] };
  return unknown(`${op} on values that cannot be read`);
}

function compare(e: Extract<Expr, { k: 'cmp' }>, ctx: EvalContext, ev: Evaluator): Value {
  if (e.items.length !== 2 || e.ops.length !== 1) return unknown('chained comparison');
  const a = ev.expr(e.items[0], ctx);
  const b = ev.expr(e.items[1], ctx);
  const op = e.ops[0];
  if (a.t === 'unknown' || b.t === 'unknown') return unknown('comparison of unknown values');
  if (op === '==' || op === '!=') {
    if (a.t === 'binding' || b.t === 'binding' || a.t === 'obj' || b.t === 'obj') return unknown('comparison of objects');
    const eq = sameValue(a, b);
    return { t: 'bool', v: op === '==' ? eq : !eq };
  }
  if (op === 'in' || op === 'not in') {
    let found: boolean | undefined;
    if (isSequence(b)) found = b.items.some((x) => sameValue(x, a));
    else if (b.t === 'str' && a.t === 'str') found = b.v.includes(a.v);
    else if (b.t === 'dict') found = b.entries.some(([k]) => sameValue(k, a));
    if (found === undefined) return unknown('membership test on an unknown value');
    return { t: 'bool', v: op === 'in' ? found : !found };
  }
  if (op === 'is' || op === 'is not') {
    if (b.t === 'none' || a.t === 'none') {
      const same = a.t === b.t;
      return { t: 'bool', v: op === 'is' ? same : !same };
    }
    return unknown('identity test');
  }
  if (a.t === 'num' && b.t === 'num') {
    const v = op === '<' ? a.v < b.v : op === '<=' ? a.v <= b.v : op === '>' ? a.v > b.v : op === '>=' ? a.v >= b.v : undefined;
    if (v !== undefined) return { t: 'bool', v };
  }
  return unknown(`comparison ${op}`);
}

/** After an `if` on an unknown condition: keep what both branches agree on, else keep both. */
function mergeInto(env: Env, a: Env, b: Env): void {
  const keys = new Set([...a.keys(), ...b.keys()]);
  for (const k of keys) {
    const va = a.get(k);
    const vb = b.get(k);
    if (va && vb && (va === vb || sameValue(va, vb))) env.set(k, va);
    else {
      const options = [va, vb].filter((x): x is Value => !!x);
      env.set(k, { t: 'unknown', why: `${k} depends on a condition that cannot be evaluated statically`, options });
    }
  }
}

/**
 * The strings of a list-like value. For a value that depends on a condition, the union of the
 * alternatives, flagged inconclusive (e.g. INSTALLED_APPS extended under `if DEBUG`).
 */
export function stringItems(v: Value | undefined): { items: { value: string; at?: At }[]; inconclusive: boolean } {
  const out: { value: string; at?: At }[] = [];
  let inconclusive = false;
  const seen = new Set<string>();
  const visit = (x: Value): void => {
    if (isSequence(x)) {
      for (const it of x.items) {
        if (it.t === 'str') {
          if (!seen.has(it.v)) {
            seen.add(it.v);
            out.push({ value: it.v, at: it.at });
          }
        } else inconclusive = true;
      }
    } else if (x.t === 'unknown' && x.options) {
      inconclusive = true;
      for (const o of x.options) visit(o);
    } else inconclusive = true;
  };
  if (v) visit(v);
  else inconclusive = true;
  return { items: out, inconclusive };
}

/** A dict value's entry for a string key. */
export function dictGet(d: Value | undefined, key: string): Value | undefined {
  if (!d || d.t !== 'dict') return undefined;
  for (let i = d.entries.length - 1; i >= 0; i--) {
    const k = d.entries[i][0];
    if (k.t === 'str' && k.v === key) return d.entries[i][1];
  }
  return undefined;
}
