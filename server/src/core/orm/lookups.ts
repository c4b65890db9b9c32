/**
 * ORM field paths read over the ModelIndex, as Django's `Query.names_to_path` and
 * `build_lookup` read them: `author__name__icontains` is a relation (forward, or reverse by its
 * `related_query_name`), then a field, then transforms (`__date`, `__year`) and at most one lookup
 * (`__icontains`, `__in`, `__isnull`). Used by completion and by the DJL404/DJL405 checks.
 *
 * What it cannot know makes it stop, not guess: a model with a base outside the workspace (its
 * fields are unknown), the AUTH_USER_MODEL (apps outside the workspace add reverse relations to
 * it), a relation whose target is not resolved, a field of a type it does not know (custom
 * fields may register their own lookups), and any project that calls `register_lookup`.
 */
import type { FieldInfo, ModelIndex, ModelInfo, ReverseAccessor } from '../project/models';

/** Lookups every field has (django/db/models/lookups.py, registered on Field). */
export const FIELD_LOOKUPS = ['exact', 'iexact', 'contains', 'icontains', 'in', 'gt', 'gte', 'lt', 'lte', 'startswith', 'istartswith', 'endswith', 'iendswith', 'range', 'isnull', 'regex', 'iregex'];
/** Lookups of relation fields (django/db/models/fields/related_lookups.py). */
export const RELATED_LOOKUPS = ['exact', 'in', 'gt', 'gte', 'lt', 'lte', 'isnull'];
const DATE_TRANSFORMS = ['year', 'iso_year', 'month', 'day', 'week', 'week_day', 'iso_week_day', 'quarter'];
const TIME_TRANSFORMS = ['hour', 'minute', 'second'];

/** Field types whose lookups and transforms are exactly Django's defaults plus TRANSFORMS. */
const KNOWN_TYPES = new Set([
  'CharField', 'TextField', 'SlugField', 'EmailField', 'URLField', 'IntegerField', 'BigIntegerField', 'SmallIntegerField',
  'PositiveIntegerField', 'PositiveSmallIntegerField', 'PositiveBigIntegerField', 'AutoField', 'BigAutoField', 'SmallAutoField',
  'FloatField', 'DecimalField', 'BooleanField', 'NullBooleanField', 'DateField', 'DateTimeField', 'TimeField', 'DurationField',
  'UUIDField', 'GenericIPAddressField', 'IPAddressField', 'FileField', 'ImageField', 'FilePathField', 'BinaryField',
]);

const TRANSFORMS: Record<string, { names: string[]; result: (t: string) => string }> = {
  DateTimeField: { names: [...DATE_TRANSFORMS, ...TIME_TRANSFORMS, 'date', 'time'], result: (t) => (t === 'date' ? 'DateField' : t === 'time' ? 'TimeField' : 'IntegerField') },
  DateField: { names: DATE_TRANSFORMS, result: () => 'IntegerField' },
  TimeField: { names: TIME_TRANSFORMS, result: () => 'IntegerField' },
};

export type LookupMode = 'filter' | 'order' | 'values' | 'select' | 'prefetch' | 'expr';

export interface Member {
  name: string;
  kind: 'field' | 'relation' | 'reverse' | 'pk';
  field?: FieldInfo;
  reverse?: ReverseAccessor;
  /** Label of the related model (relations). */
  target?: string | null;
  many?: boolean;
  /** The model that declares it (for navigation). */
  model: ModelInfo;
}

export interface LookupStep {
  part: string;
  /** Offset of the part in the path string. */
  offset: number;
  kind: Member['kind'] | 'transform' | 'lookup';
  member?: Member;
}

export interface LookupProblem {
  code: 'DJL404' | 'DJL405';
  offset: number;
  part: string;
  message: string;
  suggestions: string[];
}

export interface LookupResolution {
  steps: LookupStep[];
  problem?: LookupProblem;
  /** Why the rest of the path cannot be judged (set when resolution stopped without a verdict). */
  inconclusive?: string;
}

/** Whether a model's fields are all known (every base is a project model or Django's Model). */
export function modelComplete(index: ModelIndex, model: ModelInfo, authUserModel?: string, depth = 0): boolean {
  if (depth > 10) return false;
  if (authUserModel && model.label.toLowerCase() === authUserModel.toLowerCase()) return false;
  for (const b of model.bases) {
    if (/^django\.db\.models(\.base)?\.Model$/.test(b)) continue;
    const base = index.byQualified.get(b);
    if (!base || !modelComplete(index, base, undefined, depth + 1)) return false;
  }
  return true;
}

/** The names a lookup can start with on a model: fields, `<fk>_id`, reverse query names, pk. */
export function membersOf(index: ModelIndex, model: ModelInfo, depth = 0): Member[] {
  const out: Member[] = [];
  const seen = new Set<string>();
  const add = (m: Member) => {
    if (seen.has(m.name)) return;
    seen.add(m.name);
    out.push(m);
  };
  add({ name: 'pk', kind: 'pk', model });
  for (const f of model.fields) {
    const rel = f.relation;
    if (rel && rel.kind !== 'GenericForeignKey') {
      add({ name: f.name, kind: 'relation', field: f, target: rel.target, many: rel.kind === 'ManyToManyField' || rel.kind === 'GenericRelation', model });
      if (rel.kind === 'ForeignKey' || rel.kind === 'OneToOneField' || rel.kind === 'ParentLink') add({ name: `${f.name}_id`, kind: 'field', field: { ...f, type: 'ForeignKeyId' }, model });
    } else if (!rel) add({ name: f.name, kind: 'field', field: f, model });
  }
  if (!model.fields.some((f) => f.name === 'id')) add({ name: 'id', kind: 'field', field: { name: 'id', type: 'AutoField', span: model.nameSpan, declaredIn: model.label }, model });
  for (const r of model.reverse) add({ name: r.queryName, kind: 'reverse', reverse: r, target: r.from, many: r.many, model });
  if (depth < 8) {
    for (const parent of model.parents) {
      const pm = index.byLabel.get(parent);
      if (pm) for (const m of membersOf(index, pm, depth + 1)) if (m.name !== 'pk') add(m);
    }
  }
  return out;
}

export interface LookupOptions {
  authUserModel?: string;
  /** The project registers custom lookups or transforms: unknown lookups are not errors. */
  customLookups?: boolean;
  /** Names added by annotate()/alias() earlier in the chain (or unknown ones: `'*'`). */
  annotations?: string[];
}

/** Resolves a lookup path on a model. */
export function resolveLookup(index: ModelIndex, model: ModelInfo, path: string, mode: LookupMode, options: LookupOptions = {}): LookupResolution {
  const steps: LookupStep[] = [];
  let text = path;
  let base = 0;
  if ((mode === 'order') && text.startsWith('-')) {
    text = text.slice(1);
    base = 1;
  }
  if (mode === 'order' && (text === '?' || text.includes('.'))) return { steps, inconclusive: 'random or raw ordering' };
  const parts = text.split('__');
  let offset = base;
  let current: ModelInfo | undefined = model;
  let fieldType: string | undefined;
  let onRelation = false;
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i];
    const here = offset;
    offset += part.length + 2;
    if (current) {
      const complete = modelComplete(index, current, options.authUserModel);
      const member: Member | undefined = membersOf(index, current).find((m) => m.name === part);
      if (member) {
        steps.push({ part, offset: here, kind: member.kind, member });
        if (member.kind === 'relation' || member.kind === 'reverse') {
          if (mode === 'select' && member.many) {
            return { steps, problem: { code: 'DJL405', offset: here, part, message: `select_related() cannot follow '${part}': it is a many-valued relation (${relationText(member)}); use prefetch_related()`, suggestions: [] } };
          }
          const target: ModelInfo | undefined = member.target ? index.byLabel.get(member.target) : undefined;
          if (!target) return { steps, inconclusive: `the target of ${part} is not in the workspace` };
          current = target;
          fieldType = undefined;
          onRelation = true;
        } else {
          current = undefined;
          fieldType = member.kind === 'pk' ? 'AutoField' : member.field?.type;
          onRelation = false;
          if (mode === 'select' || mode === 'prefetch') {
            return { steps, problem: { code: 'DJL404', offset: here, part, message: `'${part}' is not a relation of ${model.label}: ${mode === 'select' ? 'select_related' : 'prefetch_related'}() takes relations only`, suggestions: [] } };
          }
        }
        continue;
      }
      if (i === 0 && options.annotations && (options.annotations.includes(part) || options.annotations.includes('*'))) return { steps, inconclusive: 'an annotation' };
      if (onRelation && i > 0 && (mode === 'filter') && RELATED_LOOKUPS.includes(part) && i === parts.length - 1) {
        steps.push({ part, offset: here, kind: 'lookup' });
        return { steps };
      }
      if (!complete) return { steps, inconclusive: `${current.label} has fields this reading cannot see` };
      if (mode === 'prefetch') return { steps, inconclusive: 'prefetch_related() also follows attributes' };
      const names = membersOf(index, current).map((m) => m.name).filter((n) => n !== 'id' || current!.fields.length > 0);
      const options2 = onRelation && mode === 'filter' && i === parts.length - 1 ? [...names, ...RELATED_LOOKUPS] : names;
      return {
        steps,
        problem: {
          code: 'DJL404',
          offset: here,
          part,
          message: `${current.label} has no field or relation '${part}'${i > 0 ? ` (in '${text}')` : ''}`,
          suggestions: closest(part, options2),
        },
      };
    }
    // After a plain field: transforms, then one lookup.
    if (!fieldType || !KNOWN_TYPES.has(fieldType) && fieldType !== 'ForeignKeyId') return { steps, inconclusive: `lookups of ${fieldType ?? 'this field'} are not known` };
    const tr = TRANSFORMS[fieldType];
    if (tr?.names.includes(part)) {
      steps.push({ part, offset: here, kind: 'transform' });
      fieldType = tr.result(part);
      continue;
    }
    const isLast = i === parts.length - 1;
    if ((mode === 'filter') && isLast && FIELD_LOOKUPS.includes(part)) {
      steps.push({ part, offset: here, kind: 'lookup' });
      return { steps };
    }
    if (options.customLookups) return { steps, inconclusive: 'the project registers custom lookups' };
    const valid = [...(tr?.names ?? []), ...(mode === 'filter' ? FIELD_LOOKUPS : [])];
    return {
      steps,
      problem: {
        code: 'DJL404',
        offset: here,
        part,
        message: mode === 'filter' ? `'${part}' is not a lookup or transform of ${fieldType} (in '${text}')` : `'${part}' cannot follow a ${fieldType} here (in '${text}')`,
        suggestions: closest(part, valid),
      },
    };
  }
  return { steps };
}

/** What may follow a complete path prefix (for completion): members of a model, or lookups. */
export function nextNames(index: ModelIndex, model: ModelInfo, prefixParts: string[], mode: LookupMode): { name: string; kind: 'field' | 'relation' | 'lookup' | 'transform'; detail: string; member?: Member }[] {
  const res = prefixParts.length ? resolveLookup(index, model, prefixParts.join('__'), mode) : { steps: [] };
  if (res.problem) return [];
  const last = res.steps[res.steps.length - 1];
  let current: ModelInfo | undefined = model;
  let fieldType: string | undefined;
  for (const s of res.steps) {
    if (s.kind === 'relation' || s.kind === 'reverse') {
      current = s.member?.target ? index.byLabel.get(s.member.target) : undefined;
      fieldType = undefined;
    } else if (s.kind === 'field' || s.kind === 'pk') {
      current = undefined;
      fieldType = s.kind === 'pk' ? 'AutoField' : s.member?.field?.type;
    } else if (s.kind === 'transform') {
      fieldType = TRANSFORMS[fieldType ?? '']?.result(s.part) ?? 'IntegerField';
    } else return [];
  }
  if (res.steps.length !== prefixParts.length) return [];
  const out: ReturnType<typeof nextNames> = [];
  if (current) {
    for (const m of membersOf(index, current)) {
      if (mode === 'select' && (m.kind === 'field' || m.kind === 'pk' || m.many)) continue;
      if (mode === 'prefetch' && (m.kind === 'field' || m.kind === 'pk')) continue;
      const isRel = m.kind === 'relation' || m.kind === 'reverse';
      out.push({ name: m.name, kind: isRel ? 'relation' : 'field', detail: memberDetail(m), member: m });
    }
    if (last && (last.kind === 'relation' || last.kind === 'reverse') && mode === 'filter') {
      for (const l of RELATED_LOOKUPS) out.push({ name: l, kind: 'lookup', detail: 'lookup' });
    }
    return out;
  }
  if (fieldType) {
    for (const t of TRANSFORMS[fieldType]?.names ?? []) out.push({ name: t, kind: 'transform', detail: `transform of ${fieldType}` });
    if (mode === 'filter') for (const l of FIELD_LOOKUPS) out.push({ name: l, kind: 'lookup', detail: `lookup of ${fieldType}` });
  }
  return out;
}

function relationText(m: Member): string {
  if (m.kind === 'reverse' && m.reverse) return `reverse ${m.reverse.kind} from ${m.reverse.from}.${m.reverse.field}`;
  return `${m.field?.relation?.kind ?? m.field?.type} to ${m.target ?? '?'}`;
}

export function memberDetail(m: Member): string {
  if (m.kind === 'pk') return 'primary key';
  if (m.kind === 'relation') return `${m.field?.relation?.kind ?? m.field?.type} → ${m.target ?? '?'}`;
  if (m.kind === 'reverse') return `reverse of ${m.reverse?.from}.${m.reverse?.field} (${m.many ? 'many' : 'one'})`;
  return m.field?.type ?? 'field';
}

function closest(word: string, options: string[]): string[] {
  const scored = options
    .map((o) => [distance(word, o), o] as const)
    .filter(([d, o]) => d <= Math.max(2, Math.floor(Math.max(word.length, o.length) / 3)))
    .sort((a, b) => a[0] - b[0] || a[1].localeCompare(b[1]));
  return [...new Set(scored.map(([, o]) => o))].slice(0, 3);
}

function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length];
}
