/**
 * Django models read statically: which classes are models (through project bases, abstract
 * models and Django's own model bases), their fields, relation targets (`"app.Model"`, `"Model"`,
 * `"self"`, classes, imported names, AUTH_USER_MODEL), the reverse accessors Django adds to the
 * target (`related_name`, `<model>_set`, one-to-one names, `%(class)s` templates), abstract
 * inheritance (fields copied), multi-table inheritance (the `<parent>_ptr` link), proxies, Meta,
 * and managers. Models outside the workspace (auth.User ...) are known by label only.
 */
import type { Span } from '../types';
import { type ClassDef, type Expr, argument, dottedName, keyword, lastName, stringValue } from '../python/ast';
import type { Value } from '../python/evaluate';
import { type Binding, type SymbolResolver, fqName } from '../python/symbols';
import { type AppInfo, appForModule } from './apps';

export type RelationKind = 'ForeignKey' | 'OneToOneField' | 'ManyToManyField' | 'GenericForeignKey' | 'GenericRelation' | 'ParentLink';

export interface FieldInfo {
  name: string;
  /** The field class's name (`CharField`, `ForeignKey`, a custom field's class name). */
  type: string;
  span: Span;
  relation?: {
    kind: RelationKind;
    /** `app_label.ModelName`, or null when the target could not be resolved. */
    target: string | null;
    targetText?: string;
    relatedName?: string;
    relatedQueryName?: string;
    through?: string | null;
    /** A ManyToManyField("self") is symmetrical unless `symmetrical=False`: no reverse accessor. */
    symmetrical?: boolean;
  };
  /** The model that declared the field (differs from the owner for abstract inheritance). */
  declaredIn: string;
}

export interface ReverseAccessor {
  /** Attribute name on the target (`comments`, `comment_set`, `profile`). */
  name: string;
  /** Name used in lookups (`comment`, or related_query_name / related_name). */
  queryName: string;
  /** The model that declares the relation. */
  from: string;
  field: string;
  kind: RelationKind;
  /** True when the accessor yields many rows (a related manager). */
  many: boolean;
}

export interface ManagerInfo {
  name: string;
  /** Fully qualified class of the manager or queryset, when known. */
  cls?: string;
  span: Span;
}

export interface ModelInfo {
  label: string;
  name: string;
  appLabel: string;
  module: string;
  qualname: string;
  file: string;
  span: Span;
  nameSpan: Span;
  abstract: boolean;
  proxy: boolean;
  bases: string[];
  /** Concrete parents (multi-table inheritance). */
  parents: string[];
  fields: FieldInfo[];
  reverse: ReverseAccessor[];
  managers: ManagerInfo[];
  dbTable?: string;
}

export interface ModelIndex {
  models: ModelInfo[];
  byLabel: Map<string, ModelInfo>;
  /** `module.Class` → model. */
  byQualified: Map<string, ModelInfo>;
  /** Lower-cased label (Django's lookup is case-insensitive for the model name). */
  byLowerLabel: Map<string, ModelInfo>;
}

/** Model bases from Django and common packages, when their source is not in the workspace. */
const EXTERNAL_MODEL_BASES = [
  /^django\.db\.models(\.base)?\.Model$/,
  /^django\.contrib\.auth\.(base_user|models)\.(AbstractBaseUser|AbstractUser|PermissionsMixin|User|Group|Permission)$/,
  /^django\.contrib\.(sessions\.base_session\.AbstractBaseSession|contenttypes\.models\.ContentType|sites\.models\.Site|flatpages\.models\.FlatPage)$/,
  /^django\.contrib\.gis\.db\.models\.Model$/,
  /^(model_utils\.models|django_extensions\.db\.models)\.\w+Model$/,
  /^(mptt\.models\.MPTTModel|treebeard\.\w+\.\w+Node|polymorphic\.models\.PolymorphicModel)$/,
];

const RELATION_NAMES: Record<string, RelationKind> = {
  ForeignKey: 'ForeignKey',
  OneToOneField: 'OneToOneField',
  ManyToManyField: 'ManyToManyField',
  GenericForeignKey: 'GenericForeignKey',
  GenericRelation: 'GenericRelation',
  TreeForeignKey: 'ForeignKey',
  ParentalKey: 'ForeignKey',
  ParentalManyToManyField: 'ManyToManyField',
  TaggableManager: 'ManyToManyField',
};

interface Candidate {
  b: Extract<Binding, { kind: 'class' }>;
}

export class ModelReader {
  private isModelCache = new Map<string, boolean>();
  private appCache = new Map<string, AppInfo | undefined>();

  constructor(
    private readonly symbols: SymbolResolver,
    private readonly apps: AppInfo[],
    private readonly settingValue: (name: string) => Value | undefined,
  ) {}

  /** Whether a class binding is a Django model (a subclass of models.Model, however indirect). */
  isModel(b: Binding, depth = 0): boolean {
    if (depth > 20) return false;
    if (b.kind === 'external') return EXTERNAL_MODEL_BASES.some((re) => re.test(b.fq));
    if (b.kind !== 'class') return false;
    const key = fqName(b);
    const cached = this.isModelCache.get(key);
    if (cached !== undefined) return cached;
    this.isModelCache.set(key, false);
    let result = key === 'django.db.models.base.Model';
    if (!result) {
      for (const base of b.def.bases) {
        const bb = this.symbols.resolveExpr(b.module, base);
        if (bb && this.isModel(bb, depth + 1)) {
          result = true;
          break;
        }
      }
    }
    this.isModelCache.set(key, result);
    return result;
  }

  /** Reads every model class in the given modules. */
  read(modules: string[]): ModelIndex {
    const candidates: Candidate[] = [];
    for (const module of modules) {
      const mf = this.symbols.factsOf(module);
      if (!mf) continue;
      const visit = (defs: ClassDef[], prefix: string) => {
        for (const def of defs) {
          const b = { kind: 'class' as const, module, qualname: prefix + def.name, file: mf.file, def };
          if (def.bases.length && this.isModel(b)) candidates.push({ b });
        }
      };
      visit(mf.facts.body.filter((s): s is ClassDef => s.k === 'class'), '');
    }
    const index: ModelIndex = { models: [], byLabel: new Map(), byQualified: new Map(), byLowerLabel: new Map() };
    for (const { b } of candidates) {
      const m = this.readModel(b);
      index.models.push(m);
      index.byQualified.set(`${m.module}.${m.qualname}`, m);
      if (!m.abstract) {
        if (!index.byLabel.has(m.label)) index.byLabel.set(m.label, m);
        index.byLowerLabel.set(m.label.toLowerCase(), m);
      }
    }
    // Second pass: inheritance, then relation targets, then reverse accessors.
    for (const m of index.models) this.inherit(m, index, new Set());
    for (const m of index.models) this.resolveTargets(m, index);
    for (const m of index.models) if (!m.abstract) this.addReverse(m, index);
    return index;
  }

  private readModel(b: Extract<Binding, { kind: 'class' }>): ModelInfo {
    const def = b.def;
    let app = this.appCache.get(b.module);
    if (!this.appCache.has(b.module)) {
      app = appForModule(this.apps, b.module);
      this.appCache.set(b.module, app);
    }
    const meta = def.body.find((s): s is ClassDef => s.k === 'class' && s.name === 'Meta');
    const metaValue = (name: string): Expr | undefined => {
      if (!meta) return undefined;
      for (const st of meta.body) if (st.k === 'assign' && st.targets.some((t) => t.k === 'name' && t.id === name)) return st.value;
      return undefined;
    };
    const abstract = metaValue('abstract')?.k === 'const' && (metaValue('abstract') as { v: unknown }).v === true;
    const proxy = metaValue('proxy')?.k === 'const' && (metaValue('proxy') as { v: unknown }).v === true;
    const appLabel = stringValue(metaValue('app_label')) ?? app?.label ?? guessLabel(b.module);
    const model: ModelInfo = {
      label: `${appLabel}.${def.name}`,
      name: def.name,
      appLabel,
      module: b.module,
      qualname: b.qualname,
      file: b.file,
      span: def.s,
      nameSpan: def.nameSpan,
      abstract,
      proxy,
      bases: [],
      parents: [],
      fields: [],
      reverse: [],
      managers: [],
      dbTable: stringValue(metaValue('db_table')),
    };
    for (const base of def.bases) {
      const bb = this.symbols.resolveExpr(b.module, base);
      model.bases.push(bb ? fqName(bb) : dottedName(base) ?? '?');
    }
    for (const st of def.body) {
      if (st.k !== 'assign' && st.k !== 'annassign') continue;
      const target = st.k === 'assign' ? st.targets[0] : st.target;
      const value = st.value;
      if (target.k !== 'name' || !value || value.k !== 'call') continue;
      const field = this.fieldFromCall(b.module, target.id, value, st.s, model.label);
      if (field) {
        model.fields.push(field);
        continue;
      }
      const manager = this.managerFromCall(b.module, target.id, value, st.s);
      if (manager) model.managers.push(manager);
    }
    return model;
  }

  private fieldFromCall(module: string, name: string, call: Extract<Expr, { k: 'call' }>, span: Span, owner: string): FieldInfo | undefined {
    const callee = call.fn;
    const type = lastName(callee);
    if (!type) return undefined;
    const relKind = RELATION_NAMES[type];
    // Names decide for almost every field; resolving the callee is the slow path, taken only
    // for calls whose name says nothing (a field class imported under another name).
    let looksLikeField = relKind !== undefined || type.endsWith('Field');
    if (!looksLikeField && !/^[a-z_]/.test(type) && !/(Manager|QuerySet)$/.test(type)) {
      const b = this.symbols.resolveExpr(module, callee);
      const fq = b ? fqName(b) : undefined;
      looksLikeField = fq !== undefined && /^django\./.test(fq) && /\.fields(\.\w+)*\.\w+$/.test(fq);
    }
    if (!looksLikeField) return undefined;
    const field: FieldInfo = { name, type, span, declaredIn: owner };
    if (relKind && relKind !== 'GenericForeignKey') {
      const to = argument(call, 0, 'to');
      const relatedName = stringValue(keyword(call, 'related_name'));
      const relatedQueryName = stringValue(keyword(call, 'related_query_name'));
      const through = keyword(call, 'through');
      const symmetrical = keyword(call, 'symmetrical');
      field.relation = {
        kind: relKind,
        target: null,
        targetText: to ? exprText(to) : undefined,
        relatedName,
        relatedQueryName,
        through: through ? exprText(through) : undefined,
        ...(relKind === 'ManyToManyField' ? { symmetrical: !(symmetrical?.k === 'const' && symmetrical.v === false) } : {}),
      };
      (field as FieldWithExprs).toExpr = to;
      (field as FieldWithExprs).module = module;
      (field as FieldWithExprs).throughExpr = through;
    } else if (relKind === 'GenericForeignKey') {
      field.relation = { kind: 'GenericForeignKey', target: null };
    }
    return field;
  }

  private managerFromCall(module: string, name: string, call: Extract<Expr, { k: 'call' }>, span: Span): ManagerInfo | undefined {
    // Manager(), MyManager(), MyQuerySet.as_manager(), Manager.from_queryset(QS)()
    let fn = call.fn;
    if (fn.k === 'call') fn = fn.fn;
    if (fn.k === 'attr' && fn.attr === 'as_manager') {
      const b = this.symbols.resolveExpr(module, fn.obj);
      return { name, cls: b ? fqName(b) : dottedName(fn.obj), span };
    }
    if (fn.k === 'attr' && fn.attr === 'from_queryset') {
      const qs = call.fn.k === 'call' ? call.fn.args[0] : undefined;
      const b = qs ? this.symbols.resolveExpr(module, qs) : undefined;
      return { name, cls: b ? fqName(b) : undefined, span };
    }
    const last = lastName(fn);
    if (!last || !/Manager$/.test(last)) {
      const b = this.symbols.resolveExpr(module, fn);
      if (!b || !this.isManagerClass(b)) return undefined;
      return { name, cls: fqName(b), span };
    }
    const b = this.symbols.resolveExpr(module, fn);
    return { name, cls: b ? fqName(b) : last, span };
  }

  private isManagerClass(b: Binding, depth = 0): boolean {
    if (depth > 10) return false;
    if (b.kind === 'external') return /(Manager|QuerySet)$/.test(b.fq);
    if (b.kind !== 'class') return false;
    return b.def.bases.some((base) => {
      const bb = this.symbols.resolveExpr(b.module, base);
      return bb ? this.isManagerClass(bb, depth + 1) : false;
    });
  }

  /** Copies fields of abstract bases; records concrete parents and their `_ptr` link. */
  private inherit(m: ModelInfo, index: ModelIndex, seen: Set<string>): void {
    const key = `${m.module}.${m.qualname}`;
    if (seen.has(key) || (m as InheritDone).inherited) return;
    seen.add(key);
    const own = new Set(m.fields.map((f) => f.name));
    const inheritedFields: FieldInfo[] = [];
    const inheritedManagers: ManagerInfo[] = [];
    for (const baseFq of m.bases) {
      const base = index.byQualified.get(baseFq);
      if (!base) continue;
      this.inherit(base, index, seen);
      if (base.abstract) {
        for (const f of base.fields) {
          if (own.has(f.name) || inheritedFields.some((x) => x.name === f.name)) continue;
          inheritedFields.push({ ...f, relation: f.relation ? { ...f.relation } : undefined });
        }
        inheritedManagers.push(...base.managers.filter((x) => !m.managers.some((y) => y.name === x.name)));
      } else {
        m.parents.push(base.label);
        // Since Django 1.10 managers are inherited from concrete parents too.
        inheritedManagers.push(...base.managers.filter((x) => !m.managers.some((y) => y.name === x.name) && !inheritedManagers.some((y) => y.name === x.name)));
        if (!m.proxy && !m.abstract) {
          const ptr = `${base.name.toLowerCase()}_ptr`;
          if (!own.has(ptr)) {
            inheritedFields.push({
              name: ptr,
              type: 'OneToOneField',
              span: m.nameSpan,
              declaredIn: m.label,
              relation: { kind: 'ParentLink', target: base.label },
            });
          }
        }
        if (m.proxy) {
          for (const f of base.fields) if (!own.has(f.name)) inheritedFields.push(f);
        }
      }
    }
    m.fields = [...inheritedFields.filter((f) => f.relation?.kind !== 'ParentLink'), ...m.fields, ...inheritedFields.filter((f) => f.relation?.kind === 'ParentLink')];
    m.managers = [...inheritedManagers, ...m.managers];
    if (!m.abstract && !m.managers.some((x) => x.name === 'objects') && m.managers.length === 0) {
      m.managers.push({ name: 'objects', cls: 'django.db.models.Manager', span: m.nameSpan });
    }
    (m as InheritDone).inherited = true;
  }

  private resolveTargets(m: ModelInfo, index: ModelIndex): void {
    for (const f of m.fields) {
      const rel = f.relation;
      if (!rel || rel.kind === 'ParentLink' || rel.kind === 'GenericForeignKey') continue;
      const ex = f as FieldWithExprs;
      rel.target = this.targetLabel(ex.toExpr, ex.module ?? m.module, m, index);
      if (ex.throughExpr) rel.through = this.targetLabel(ex.throughExpr, ex.module ?? m.module, m, index) ?? rel.through;
    }
  }

  /** Resolves a relation's `to` argument to a model label. */
  targetLabel(to: Expr | undefined, module: string, owner: ModelInfo, index: ModelIndex): string | null {
    if (!to) return null;
    const s = stringValue(to);
    if (s !== undefined) return this.labelFromString(s, owner, index);
    if (to.k === 'attr' && dottedName(to)?.endsWith('AUTH_USER_MODEL')) {
      const v = this.settingValue('AUTH_USER_MODEL');
      return v?.t === 'str' ? this.labelFromString(v.v, owner, index) : null;
    }
    if (to.k === 'call' && lastName(to.fn) === 'get_user_model') {
      const v = this.settingValue('AUTH_USER_MODEL');
      return v?.t === 'str' ? this.labelFromString(v.v, owner, index) : null;
    }
    const b = this.symbols.resolveExpr(module, to);
    if (!b) return null;
    const model = index.byQualified.get(fqName(b));
    if (model) return model.label;
    if (b.kind === 'external') {
      const known = EXTERNAL_MODEL_LABELS[b.fq];
      if (known) return known;
    }
    return null;
  }

  labelFromString(s: string, owner: ModelInfo, index: ModelIndex): string | null {
    if (s === 'self') return owner.label;
    if (s.includes('.')) {
      const found = index.byLowerLabel.get(s.toLowerCase());
      return found ? found.label : s;
    }
    const found = index.byLowerLabel.get(`${owner.appLabel}.${s}`.toLowerCase());
    return found ? found.label : `${owner.appLabel}.${s}`;
  }

  private addReverse(m: ModelInfo, index: ModelIndex): void {
    for (const f of m.fields) {
      const rel = f.relation;
      if (!rel || !rel.target || rel.kind === 'GenericForeignKey' || rel.kind === 'GenericRelation') continue;
      const target = index.byLabel.get(rel.target);
      if (!target) continue;
      const modelName = m.name.toLowerCase();
      let relatedName = rel.relatedName
        ?.replace(/%\(class\)s/g, modelName)
        .replace(/%\(app_label\)s/g, m.appLabel.toLowerCase());
      if (relatedName !== undefined) rel.relatedName = relatedName;
      if (relatedName?.endsWith('+')) continue; // hidden reverse relation
      // Django hides the reverse side of a symmetrical self-referencing many-to-many.
      if (rel.kind === 'ManyToManyField' && rel.symmetrical && rel.target === m.label) continue;
      const one = rel.kind === 'OneToOneField' || rel.kind === 'ParentLink';
      const name = relatedName ?? (one ? modelName : `${modelName}_set`);
      const queryName = rel.relatedQueryName?.replace(/%\(class\)s/g, modelName).replace(/%\(app_label\)s/g, m.appLabel.toLowerCase()) ?? relatedName ?? modelName;
      target.reverse.push({ name, queryName, from: m.label, field: f.name, kind: rel.kind, many: !one });
      relatedName = undefined;
    }
  }
}

interface FieldWithExprs extends FieldInfo {
  toExpr?: Expr;
  throughExpr?: Expr;
  module?: string;
}

interface InheritDone {
  inherited?: boolean;
}

const EXTERNAL_MODEL_LABELS: Record<string, string> = {
  'django.contrib.auth.models.User': 'auth.User',
  'django.contrib.auth.models.Group': 'auth.Group',
  'django.contrib.auth.models.Permission': 'auth.Permission',
  'django.contrib.contenttypes.models.ContentType': 'contenttypes.ContentType',
  'django.contrib.sites.models.Site': 'sites.Site',
};

function guessLabel(module: string): string {
  const parts = module.split('.');
  return parts.length > 1 ? parts[parts.length - 2] : parts[0];
}

function exprText(e: Expr): string {
  return stringValue(e) ?? dottedName(e) ?? e.k;
}

/** JSON-friendly model description for the CLI (drops internal expression references). */
export function modelToJson(m: ModelInfo, rel: (file: string) => string): unknown {
  return {
    label: m.label,
    module: m.module,
    qualname: m.qualname,
    file: rel(m.file),
    line: m.nameSpan[0] + 1,
    abstract: m.abstract,
    proxy: m.proxy,
    bases: m.bases,
    parents: m.parents,
    fields: m.fields.map((f) => ({
      name: f.name,
      type: f.type,
      line: f.span[0] + 1,
      ...(f.declaredIn !== m.label ? { inheritedFrom: f.declaredIn } : {}),
      ...(f.relation
        ? {
            relation: {
              kind: f.relation.kind,
              target: f.relation.target,
              ...(f.relation.relatedName !== undefined ? { relatedName: f.relation.relatedName } : {}),
              ...(f.relation.relatedQueryName !== undefined ? { relatedQueryName: f.relation.relatedQueryName } : {}),
              ...(f.relation.through ? { through: f.relation.through } : {}),
            },
          }
        : {}),
    })),
    reverse: m.reverse,
    managers: m.managers.map((x) => ({ name: x.name, class: x.cls ?? null })),
    ...(m.dbTable ? { dbTable: m.dbTable } : {}),
  };
}
