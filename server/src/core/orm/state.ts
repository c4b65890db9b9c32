/**
 * What the analysis knows about one queryset value: its model, which relations it loads with
 * `select_related`/`prefetch_related` (and `Prefetch(..., to_attr=...)`), which fields
 * `only()`/`defer()` leave out, and what its rows are (model instances, or the dicts and tuples of
 * `values()`/`values_list()`). Also where it was built, so that a quick fix can edit that place.
 *
 * Paths are Django lookup paths written with attribute names (`author__profile`, `comments`). A
 * state that cannot be read fully (`prefetch_related(*lookups)`, a `Prefetch` whose queryset is of
 * unknown origin) says so, and coverage questions about it answer "unknown" so that checks stay
 * quiet.
 */
import type { Span } from '../types';

/** Where a queryset was built, for messages and for the edit that adds a lookup to it. */
export interface Origin {
  file: string;
  /** The whole queryset expression (or the class attribute) that built it. */
  span: Span;
  /** Short text for messages (`Post.objects.all()`, `PostListView.queryset`). */
  text: string;
  /** An existing `select_related(...)` call in the chain: position before its closing parenthesis. */
  selectArgs?: ArgsSite;
  prefetchArgs?: ArgsSite;
  onlyArgs?: ArgsSite;
  /**
   * A class-based view without a `queryset`: the fix adds `queryset = <Model>.objects...` on the line
   * after `model = <Model>`.
   */
  classModel?: { file: string; line: number; indent: string; modelText: string };
  /** Where an `annotate(...)` may be appended (the end of the chain) — same as span's end. */
}

export interface ArgsSite {
  file: string;
  /** Position of the closing parenthesis. */
  close: [number, number];
  /** Whether the call already has arguments (a comma is needed). */
  hasArgs: boolean;
  /** The quote character used by the existing arguments. */
  quote?: string;
}

export interface QsState {
  model: string;
  /** select_related paths; `'*'` for select_related() with no arguments. */
  selected: string[];
  /** prefetch_related paths (to_attr names replace the last segment). */
  prefetched: string[];
  /** Prefetch to_attr paths (lists, not managers). */
  toAttr: string[];
  /** Paths prefetched with a queryset we could not read: deeper paths are unknown. */
  opaque: string[];
  only?: string[];
  defer?: string[];
  rows: 'model' | 'dict' | 'tuple';
  /** Something about the lookups could not be read: coverage is unknown. */
  unknown?: boolean;
  /** `.iterator()`: Django ignores prefetch_related. */
  iterator?: boolean;
}

export function emptyState(model: string): QsState {
  return { model, selected: [], prefetched: [], toAttr: [], opaque: [], rows: 'model' };
}

export function cloneState(s: QsState): QsState {
  return { ...s, selected: [...s.selected], prefetched: [...s.prefetched], toAttr: [...s.toAttr], opaque: [...s.opaque], only: s.only && [...s.only], defer: s.defer && [...s.defer] };
}

export type Coverage = 'yes' | 'no' | 'unknown';

/**
 * Whether loading `path` (attribute names from a row of this queryset) is served without a query.
 * `viaSelectOnly`: every hop is a forward or reverse one-to-one relation (select_related can follow it).
 */
export function covers(s: QsState, path: string[], viaSelectOnly: boolean): Coverage {
  if (s.unknown) return 'unknown';
  const joined = path.join('__');
  const within = (p: string) => p === joined || p.startsWith(joined + '__');
  if (viaSelectOnly && s.selected.includes('*')) return 'yes';
  if (s.selected.some(within)) return 'yes';
  if (!s.iterator && s.prefetched.some(within)) return 'yes';
  if (!s.iterator && s.toAttr.some(within)) return 'yes';
  // select_related('author') then prefetch_related('author__posts'): prefetch paths pass selected hops.
  for (const o of s.opaque) if (joined === o || joined.startsWith(o + '__')) return 'unknown';
  return 'no';
}

/** Whether reading a concrete field of the queryset's own rows runs a query (only()/defer()). */
export function deferredField(s: QsState, field: string): Coverage {
  if (s.unknown) return 'unknown';
  if (s.only) {
    if (s.only.some((f) => f.includes('__'))) return 'unknown';
    return s.only.includes(field) ? 'yes' : 'no';
  }
  if (s.defer) {
    if (s.defer.some((f) => f.includes('__'))) return 'unknown';
    return s.defer.includes(field) ? 'no' : 'yes';
  }
  return 'yes';
}
