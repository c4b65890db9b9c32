/**
 * The abstract values of the queryset interpreter (interpreter.ts) and the record of a database
 * access it saw. A value is a model class, a queryset (with its QsState and where it was built), a
 * row (a model instance, with the querysets it came from: its anchors), a related manager, a list of
 * rows, a project function, the `self` of a class, a `Prefetch(...)` object, a string, a dict, or
 * unknown. Unknown is the answer whenever static reading cannot know, and it makes checks quiet.
 */
import type { Binding } from '../python/symbols';
import type { Span } from '../types';
import type { Member } from './members';
import type { Origin, QsState } from './state';

/**
 * A row's link to a queryset it was loaded from: `path` leads from that queryset's rows to this
 * row (`['comments']` for a comment reached through `post.comments.all()`). `state: null` marks the
 * parameter of a function summary: coverage is decided at the caller.
 */
export interface Anchor {
  state: QsState | null;
  origin?: Origin;
  path: string[];
  /** Every hop of `path` can be followed by select_related (forward or reverse one-to-one). */
  selectOnly: boolean;
  /** How the iterable that produced the anchor's rows reads (`posts`, `Post.objects.all()`). */
  label: string;
  /** The view (or function) that built the queryset, for template messages. */
  builtBy?: string;
  /** For a summary's parameter anchor: the parameter's index (-1 for self). */
  param?: number;
}

export interface Row {
  model: string;
  anchors: Anchor[];
  /** The row loop that binds this row (or an ancestor row): accesses count once per iteration. */
  loop?: number;
  /** Attributes already loaded (the back link of a reverse ForeignKey manager's rows). */
  known: string[];
  /** Relations assigned on this row (`row.fk = x`) in the function: reading them runs no query. */
  assigned?: string[];
}

export interface Qs {
  model: string;
  state: QsState;
  origin?: Origin;
  /** Anchors the rows of this queryset inherit (a related manager's `.all()`). */
  anchors: Anchor[];
  /** Built from a row's related manager. `chained`: a filter/order_by/... makes it a new query. */
  manager?: { owner: Row; name: string; chained: boolean; backField?: string };
  /** The innermost row loop active where it was built (a query built per row). */
  loopTok?: number;
  /** Classes whose methods this queryset offers (custom managers and querysets), fully qualified. */
  classes: string[];
  label: string;
}

export type Val =
  | { t: 'unknown' }
  | { t: 'model'; model: string; text: string; span: Span }
  | { t: 'qs'; qs: Qs }
  | { t: 'row'; row: Row }
  | { t: 'manager'; owner: Row; member: Extract<Member, { kind: 'many' }> }
  | { t: 'rows'; row: Row; evaluated: boolean }
  | { t: 'enum'; inner: Val }
  | { t: 'fn'; b: Extract<Binding, { kind: 'def' }> }
  | { t: 'self'; cls: Extract<Binding, { kind: 'class' }>; mgrModel?: string; qsState?: QsState }
  | { t: 'prefetch'; lookup: string; toAttr?: string; sub?: QsState | 'opaque' }
  | { t: 'str'; v: string }
  | { t: 'dict'; entries: Map<string, Val> };

export const UNKNOWN: Val = { t: 'unknown' };

export type AccessKind = 'relation' | 'manager' | 'requery' | 'deferred' | 'query';

export interface Via {
  name: string;
  file: string;
  span: Span;
}

/** One database access per row, before coverage is decided. */
export interface Access {
  kind: AccessKind;
  file: string;
  span: Span;
  /** Source text of the access (`post.author`, `post.comments.count()`). */
  text: string;
  /** The attribute read (`author`, `comments`, a deferred field) or the query method. */
  attr: string;
  /** Model of the row the attribute is read on. */
  model: string;
  /** Anchors of the access (already extended by `attr` for relation and manager accesses). */
  anchors: Anchor[];
  /** Evaluation on a related manager (`count`, `exists`, `iter`, `first` ...). */
  op?: string;
  /** The loop's iterable text and where the loop is. */
  loopText?: string;
  /** Calls that lead from the loop to where the query happens (innermost last). */
  via: Via[];
  /** Relation hop kinds: select_related can follow every hop. */
  selectOnly?: boolean;
  /** For a per-row `.count()` on a manager in Python: the whole call, for the annotate fix. */
  countCall?: { span: Span; ownerText: string };
}
