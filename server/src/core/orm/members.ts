/**
 * What `row.<name>` is on a model instance, from the model index: a concrete field, a forward
 * relation (one row), a reverse one-to-one, a generic foreign key, a related manager (reverse
 * ForeignKey, many-to-many either way, GenericRelation), or something else (a method, a property,
 * an annotation, `<fk>_id`, `pk`), which the analysis treats as unknown unless it can read it.
 * Fields of concrete parents (multi-table inheritance) are reachable from the child.
 */
import type { ModelIndex, ModelInfo } from '../project/models';

export type Member =
  | { kind: 'field'; name: string }
  | { kind: 'single'; name: string; target: string | null; relation: 'forward' | 'reverse-one' | 'generic' }
  | { kind: 'many'; name: string; target: string | null; /** The field on the target that points back (a reverse ForeignKey's field). */ backField?: string }
  | { kind: 'other' };

export function modelMember(models: ModelIndex, label: string, name: string, depth = 0): Member {
  const m = models.byLabel.get(label);
  if (!m || depth > 6) return { kind: 'other' };
  const f = m.fields.find((x) => x.name === name);
  if (f) {
    const rel = f.relation;
    if (!rel) return { kind: 'field', name };
    switch (rel.kind) {
      case 'ForeignKey':
      case 'OneToOneField':
        return { kind: 'single', name, target: rel.target, relation: 'forward' };
      case 'ParentLink':
        // Parent rows are joined in by Django; reading the link is free.
        return { kind: 'other' };
      case 'GenericForeignKey':
        return { kind: 'single', name, target: null, relation: 'generic' };
      case 'ManyToManyField':
      case 'GenericRelation':
        return { kind: 'many', name, target: rel.target };
    }
  }
  const r = m.reverse.find((x) => x.name === name);
  if (r) {
    if (r.many) return { kind: 'many', name, target: r.from, backField: r.kind === 'ForeignKey' ? r.field : undefined };
    return { kind: 'single', name, target: r.from, relation: 'reverse-one' };
  }
  for (const p of m.parents) {
    const found = modelMember(models, p, name, depth + 1);
    if (found.kind !== 'other') return found;
  }
  return { kind: 'other' };
}

export function modelInfo(models: ModelIndex, label: string): ModelInfo | undefined {
  return models.byLabel.get(label);
}
