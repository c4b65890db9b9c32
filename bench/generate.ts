/**
 * Writes a deterministic, realistic Django project for benchmarks and scale tests.
 *
 * Layout (project package `benchsite`, apps under the `apps` package, labels = last component):
 *
 *   manage.py
 *   benchsite/{__init__,urls,wsgi,asgi}.py, benchsite/settings/{__init__,base,dev,prod}.py
 *   templates/{base,home}.html, templates/includes/nav.html
 *   common/{__init__,middleware,context_processors}.py, common/utils/<topic>_<n>.py
 *   apps/<label>/{__init__,apps,models,views,urls,admin,forms,tests,services,selectors,managers,
 *                 signals,tasks,constants}.py, migrations/{__init__,0001_initial,0002_relations}.py,
 *                 sometimes templatetags/<label>_tags.py and management/commands/sync_<label>.py,
 *                 templates/<label>/<model>_{list,detail,form}.html
 *
 * Apps `core` (abstract TimeStampedModel), `accounts` (custom user, AUTH_USER_MODEL) and
 * `inventory` (a ~1,000-line models.py, see bigModelsFile) always exist. Relations use class
 * references (same app, or apps earlier in the list, so imports stay acyclic), "label.Model"
 * strings and settings.AUTH_USER_MODEL; reverse accessors are kept clash-free so that
 * `manage.py check` passes. Everything depends only on (files, seed): a small PRNG (mulberry32),
 * no Math.random, no clock.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface GenerateOptions {
  /** Python files to write, approximately (exact once the minimum of three apps fits). Default 2000. */
  files?: number;
  /** PRNG seed. Default 1. */
  seed?: number;
}

export interface GenerateResult {
  /** All files written (Python, templates). */
  files: number;
  /** Total size of the files written, in bytes. */
  bytes: number;
  /** Python files written. */
  pyFiles: number;
  /** Number of Django apps. */
  apps: number;
}

const PROJECT = 'benchsite';
const BIG_APP = 'inventory';
const BIG_MODELS_LINES = 1000;

/** The ~1,000-line models.py of the generated project (the benchmark edits one line of it). */
export function bigModelsFile(dir: string): string {
  return path.join(dir, 'apps', BIG_APP, 'models.py');
}

// ---------------------------------------------------------------------------------------------
// PRNG

class Rng {
  private s: number;
  constructor(seed: number) { this.s = (seed >>> 0) ^ 0x9e3779b9; }
  next(): number { // mulberry32
    this.s = (this.s + 0x6d2b79f5) >>> 0;
    let t = this.s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(lo: number, hi: number): number { return lo + Math.floor(this.next() * (hi - lo + 1)); }
  chance(p: number): boolean { return this.next() < p; }
  pick<T>(xs: readonly T[]): T { return xs[Math.floor(this.next() * xs.length)]; }
  shuffle<T>(xs: readonly T[]): T[] {
    const a = xs.slice();
    for (let i = a.length - 1; i > 0; i--) { const j = Math.floor(this.next() * (i + 1)); [a[i], a[j]] = [a[j], a[i]]; }
    return a;
  }
}

// ---------------------------------------------------------------------------------------------
// Vocabulary

const APP_WORDS = [
  'billing', 'orders', 'catalog', 'shipping', 'reviews', 'payments', 'notifications', 'analytics',
  'reports', 'support', 'blog', 'forum', 'events', 'scheduling', 'crm', 'marketing', 'newsletter',
  'learning', 'quizzes', 'library', 'media', 'gallery', 'documents', 'projects', 'tasks', 'teams',
  'hr', 'payroll', 'recruiting', 'invoicing', 'subscriptions', 'pricing', 'coupons', 'loyalty',
  'warehouse', 'procurement', 'suppliers', 'logistics', 'fleet', 'bookings', 'travel', 'venues',
  'tickets', 'helpdesk', 'chat', 'feeds', 'search', 'tagging', 'geo', 'devices', 'telemetry',
  'monitoring', 'billing_audit', 'compliance', 'legal', 'contracts', 'insurance', 'claims', 'assets',
  'licensing', 'recipes', 'music', 'podcasts', 'video', 'surveys', 'polls', 'wiki', 'kb', 'cms',
  'menus', 'restaurants', 'deliveries', 'rentals', 'realestate', 'listings', 'auctions', 'donations',
  'fundraising', 'volunteers', 'memberships', 'clubs', 'sports', 'fitness', 'clinics', 'pharmacy',
  'labs', 'research', 'grants', 'publishing', 'press', 'careers', 'alumni', 'housing', 'parking',
  'energy', 'utilities', 'maintenance', 'workorders', 'inspections', 'quality', 'returns', 'wishlists',
];
const APP_QUALIFIERS = ['legacy', 'partner', 'internal', 'public', 'regional', 'mobile', 'b2b', 'retail'];

const NOUNS = [
  'Product', 'Order', 'Invoice', 'Customer', 'Supplier', 'Shipment', 'Review', 'Rating', 'Ticket',
  'Comment', 'Post', 'Article', 'Category', 'Tag', 'Coupon', 'Discount', 'Payment', 'Refund',
  'Subscription', 'Plan', 'Feature', 'Report', 'Metric', 'Event', 'Venue', 'Booking', 'Room', 'Guest',
  'Message', 'Thread', 'Attachment', 'Document', 'Folder', 'Project', 'Task', 'Milestone', 'Team',
  'Member', 'Invitation', 'Notice', 'Channel', 'Device', 'Sensor', 'Reading', 'Location', 'Region',
  'Country', 'Address', 'Vendor', 'Contract', 'Policy', 'Claim', 'Asset', 'License', 'Course',
  'Lesson', 'Quiz', 'Question', 'Answer', 'Badge', 'Achievement', 'Campaign', 'Lead', 'Opportunity',
  'Note', 'Page', 'Menu', 'Recipe', 'Ingredient', 'Album', 'Track', 'Playlist', 'Vehicle', 'Trip',
  'Route', 'Driver', 'Batch', 'Job', 'Warehouse', 'Bin', 'Pallet', 'Carrier', 'Parcel', 'Voucher',
  'Stock', 'Sku', 'Brand', 'Collection', 'Bundle', 'Supply', 'Quote', 'Estimate', 'Ledger', 'Entry',
];
const CHAR_FIELDS = ['code', 'label', 'reference', 'headline', 'external_id', 'short_name', 'color', 'locale'];
const INT_FIELDS = ['quantity', 'position', 'priority', 'score', 'rank', 'capacity', 'weight', 'views'];
const DT_FIELDS = ['published_at', 'starts_at', 'ends_at', 'due_at', 'closed_at', 'scheduled_for'];
const BOOL_FIELDS = ['is_active', 'is_public', 'featured', 'is_locked'];
const DEC_FIELDS = ['price', 'amount', 'total', 'balance', 'cost'];
const TEXT_FIELDS = ['description', 'notes', 'body'];
const STATUS_CHOICES = [['draft', 'Draft'], ['active', 'Active'], ['archived', 'Archived']];

// ---------------------------------------------------------------------------------------------
// Plan

type Kind = 'char' | 'slug' | 'int' | 'pint' | 'dt' | 'dtnow' | 'bool' | 'dec' | 'text' | 'email' | 'status' | 'fk' | 'm2m' | 'selffk';

interface Field {
  name: string;
  kind: Kind;
  maxLength?: number;
  blank?: boolean;
  target?: Model; // fk, m2m
  toUser?: boolean;
  onDelete?: 'CASCADE' | 'SET_NULL' | 'PROTECT';
  relatedName?: string; // undefined: Django's default accessor
  forward?: boolean; // relation to an app later in the list: goes to 0002_relations
}

interface Model {
  app: App;
  name: string;
  lower: string; // Django's model_name
  snake: string;
  plural: string; // snake plural, used for context variables
  abstract: boolean;
  base: 'models.Model' | 'TimeStampedModel' | 'AbstractUser' | string; // or the app's abstract base
  fields: Field[];
  display: string; // field used by __str__
  hasTimestamps: boolean;
  taken: Set<string>; // field names and reverse accessors / query names on this model
  indexed?: string;
  manager?: boolean;
}

interface App {
  index: number;
  label: string;
  camel: string;
  title: string;
  models: Model[]; // abstract first, then concrete, in declaration order
  viewed: Model[];
  hasTags: boolean;
  hasCommand: boolean;
  unsafeSql: boolean;
  nPlusOne: boolean;
  configInSettings: boolean;
}

const camel = (s: string) => s.split('_').map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join('');
const snakeOf = (s: string) => s.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
const pluralOf = (s: string) => (/(s|x|ch|sh)$/.test(s) ? s + 'es' : /[^aeiou]y$/.test(s) ? s.slice(0, -1) + 'ies' : s + 's');
const human = (s: string) => s.replace(/_/g, ' ');

function appFileCount(a: { hasTags: boolean; hasCommand: boolean }): number {
  // 14 modules + migrations/{__init__,0001,0002} + templatetags (2) + management (3)
  return 17 + (a.hasTags ? 2 : 0) + (a.hasCommand ? 3 : 0);
}

const FIXED_PY = 14; // manage.py, benchsite (8), apps/__init__, common (4)
const MIN_UTILS = 4;

function planApps(rng: Rng, files: number): App[] {
  const pool: string[] = rng.shuffle(APP_WORDS.filter((w) => w !== BIG_APP));
  for (const q of APP_QUALIFIERS) for (const w of APP_WORDS) pool.push(`${q}_${w}`);
  const labels = ['core', 'accounts', BIG_APP, ...pool];
  const apps: App[] = [];
  let used = FIXED_PY + MIN_UTILS;
  for (let i = 0; i < labels.length; i++) {
    const label = labels[i];
    const a: App = {
      index: i, label, camel: camel(label), title: camel(label).replace(/([a-z])([A-Z])/g, '$1 $2'),
      models: [], viewed: [], hasTags: rng.chance(0.7), hasCommand: rng.chance(0.4),
      unsafeSql: i > 2 && rng.chance(0.05), nPlusOne: rng.chance(0.3), configInSettings: rng.chance(0.3),
    };
    const n = appFileCount(a);
    if (i >= 3 && used + n > files) break;
    used += n;
    apps.push(a);
  }
  return apps;
}

function planModels(rng: Rng, apps: App[]): void {
  const core = apps[0];
  // core: the project-wide abstract base
  const ts: Model = {
    app: core, name: 'TimeStampedModel', lower: 'timestampedmodel', snake: 'time_stamped_model', plural: '',
    abstract: true, base: 'models.Model', fields: [], display: 'pk', hasTimestamps: false, taken: new Set(),
  };
  core.models.push(ts);

  for (const app of apps) {
    const isBig = app.label === BIG_APP;
    const count = isBig ? 34 : app.label === 'core' ? 2 : rng.int(3, 6);
    const names = rng.shuffle(NOUNS).slice(0, count);
    let abstractBase: Model | undefined;
    if (app.label !== 'core' && app.label !== 'accounts' && rng.chance(0.3)) {
      abstractBase = {
        app, name: `Base${app.camel}Record`, lower: `base${app.label.replace(/_/g, '')}record`,
        snake: `base_${app.label}_record`, plural: '', abstract: true, base: 'TimeStampedModel',
        fields: [
          { name: 'reference', kind: 'char', maxLength: 32, blank: true },
          { name: 'is_archived', kind: 'bool' },
        ],
        display: 'reference', hasTimestamps: true, taken: new Set(),
      };
      app.models.push(abstractBase);
    }
    if (app.label === 'accounts') {
      app.models.push({
        app, name: 'User', lower: 'user', snake: 'user', plural: 'users', abstract: false, base: 'AbstractUser',
        fields: [{ name: 'bio', kind: 'text', blank: true }, { name: 'time_zone', kind: 'char', maxLength: 64, blank: true }],
        display: 'username', hasTimestamps: false,
        taken: new Set(['username', 'first_name', 'last_name', 'email', 'password', 'groups', 'user_permissions',
          'is_staff', 'is_active', 'is_superuser', 'last_login', 'date_joined', 'bio', 'time_zone', 'logentry', 'logentry_set']),
      });
    }
    for (const name of names) {
      const r = rng.next();
      const base = abstractBase && r < 0.35 ? abstractBase.name : r < 0.75 ? 'TimeStampedModel' : 'models.Model';
      const m: Model = {
        app, name, lower: name.toLowerCase(), snake: snakeOf(name), plural: pluralOf(snakeOf(name)),
        abstract: false, base, fields: [], display: 'name', hasTimestamps: base !== 'models.Model', taken: new Set(),
      };
      if (base === abstractBase?.name) for (const f of abstractBase.fields) m.taken.add(f.name);
      if (m.hasTimestamps) { m.taken.add('created_at'); m.taken.add('updated_at'); }
      const add = (f: Field) => { if (!m.taken.has(f.name)) { m.fields.push(f); m.taken.add(f.name); } };
      const titleField = rng.chance(0.5) ? 'name' : 'title';
      m.display = titleField;
      add({ name: titleField, kind: 'char', maxLength: rng.pick([80, 120, 200, 255]) });
      if (rng.chance(0.4)) add({ name: 'slug', kind: 'slug' });
      for (let k = rng.int(0, 2); k > 0; k--) add({ name: rng.pick(CHAR_FIELDS), kind: 'char', maxLength: rng.pick([16, 32, 64]), blank: rng.chance(0.5) });
      for (let k = rng.int(1, 2); k > 0; k--) add({ name: rng.pick(INT_FIELDS), kind: rng.chance(0.3) ? 'pint' : 'int' });
      add({ name: rng.pick(DT_FIELDS), kind: rng.chance(0.3) ? 'dtnow' : 'dt' });
      if (rng.chance(0.5)) add({ name: rng.pick(BOOL_FIELDS), kind: 'bool' });
      if (rng.chance(0.4)) add({ name: rng.pick(DEC_FIELDS), kind: 'dec' });
      if (rng.chance(0.4)) add({ name: rng.pick(TEXT_FIELDS), kind: 'text' });
      if (rng.chance(0.2)) add({ name: 'contact_email', kind: 'email' });
      if (rng.chance(0.3)) add({ name: 'status', kind: 'status' });
      app.models.push(m);
    }
  }

  // Relations. All field names exist by now, so accessors can be checked against them.
  const concrete = apps.flatMap((a) => a.models.filter((m) => !m.abstract && m.base !== 'AbstractUser'));
  const user = apps[1].models.find((m) => m.base === 'AbstractUser')!;
  const claim = (target: Model, names: string[]) => {
    if (names.some((n) => target.taken.has(n))) return false;
    for (const n of names) target.taken.add(n);
    return true;
  };
  const relatedName = (src: Model, target: Model, field: string, allowDefault: boolean): string | undefined => {
    if (allowDefault && claim(target, [`${src.lower}_set`, src.lower])) return undefined;
    for (const cand of [src.plural, `${src.app.label}_${src.plural}`, `${src.app.label}_${src.snake}_${field}_set`]) {
      if (claim(target, [cand])) return cand;
    }
    throw new Error(`generator: no free related_name for ${src.name}.${field}`);
  };
  for (const app of apps) {
    for (const m of app.models) {
      if (m.abstract || m.base === 'AbstractUser') continue;
      const sameApp = app.models.filter((x) => !x.abstract && x !== m && x.base !== 'AbstractUser');
      const targets = new Set<Model>();
      const nFk = app.label === 'core' ? 0 : rng.int(0, 3);
      for (let k = 0; k < nFk; k++) {
        const t = rng.chance(0.5) && sameApp.length ? rng.pick(sameApp) : rng.pick(concrete);
        if (t === m || targets.has(t)) continue;
        targets.add(t);
        let fname = t.snake;
        if (m.taken.has(fname)) fname = `${t.app.label}_${t.snake}`;
        if (m.taken.has(fname)) continue;
        const onDelete = rng.pick(['CASCADE', 'CASCADE', 'SET_NULL', 'PROTECT'] as const);
        m.taken.add(fname);
        m.fields.push({
          name: fname, kind: 'fk', target: t, onDelete, blank: onDelete === 'SET_NULL',
          relatedName: relatedName(m, t, fname, rng.chance(0.3)),
          forward: t.app.index > app.index || (t.app === app && app.models.indexOf(t) > app.models.indexOf(m)),
        });
      }
      if (app.label !== 'core' && rng.chance(0.35) && !m.taken.has('owner')) {
        m.taken.add('owner');
        m.fields.push({ name: 'owner', kind: 'fk', toUser: true, target: user, onDelete: 'SET_NULL', blank: true,
          relatedName: relatedName(m, user, 'owner', false) });
      }
      if (rng.chance(0.12) && !m.taken.has('parent') && claim(m, ['children'])) {
        m.taken.add('parent');
        m.fields.push({ name: 'parent', kind: 'selffk', target: m, onDelete: 'CASCADE', blank: true, relatedName: 'children' });
      }
      if (app.label !== 'core' && rng.chance(0.3)) {
        const t = rng.pick(concrete);
        const fname = t.plural;
        if (t !== m && !targets.has(t) && !m.taken.has(fname)) {
          targets.add(t);
          m.taken.add(fname);
          m.fields.push({ name: fname, kind: 'm2m', target: t, blank: true,
            relatedName: relatedName(m, t, fname, rng.chance(0.3)), forward: t.app.index > app.index });
        }
      }
      const idx = m.fields.find((f) => f.kind === 'slug' || f.kind === 'dt' || f.kind === 'dtnow' || f.kind === 'status');
      if (idx && idx.kind !== 'slug' && rng.chance(0.4)) m.indexed = idx.name;
    }
    const concreteHere = app.models.filter((m) => !m.abstract && m.base !== 'AbstractUser');
    app.viewed = concreteHere.slice(0, app.label === BIG_APP ? 5 : Math.min(concreteHere.length, rng.int(2, 3)));
    if (concreteHere.length) concreteHere[0].manager = true;
  }
}

// ---------------------------------------------------------------------------------------------
// Rendering helpers

const q = (s: string) => JSON.stringify(s); // Python accepts JSON string literals for ASCII text

function modelRef(from: Model, f: Field, imported: Set<string>): string {
  if (f.kind === 'selffk') return q('self');
  if (f.toUser) return 'settings.AUTH_USER_MODEL';
  const t = f.target!;
  if (t.app === from.app) {
    const declaredBefore = t.app.models.indexOf(t) < t.app.models.indexOf(from);
    return declaredBefore ? t.name : q(t.name);
  }
  if (imported.has(`${t.app.label}.${t.name}`)) return t.name;
  return q(`${t.app.label}.${t.name}`);
}

function fieldDecl(from: Model, f: Field, imported: Set<string>): string {
  const rel = f.relatedName !== undefined ? `, related_name=${q(f.relatedName)}` : '';
  switch (f.kind) {
    case 'char': return `models.CharField(max_length=${f.maxLength}${f.blank ? ', blank=True' : ''})`;
    case 'slug': return 'models.SlugField(max_length=80, unique=True)';
    case 'int': return 'models.IntegerField(default=0)';
    case 'pint': return 'models.PositiveIntegerField(default=0)';
    case 'dt': return 'models.DateTimeField(null=True, blank=True)';
    case 'dtnow': return 'models.DateTimeField(default=timezone.now)';
    case 'bool': return 'models.BooleanField(default=False)';
    case 'dec': return 'models.DecimalField(max_digits=10, decimal_places=2, default=0)';
    case 'text': return 'models.TextField(blank=True)';
    case 'email': return 'models.EmailField(blank=True)';
    case 'status': return 'models.CharField(max_length=20, choices=STATUS_CHOICES, default="draft")';
    case 'fk': case 'selffk': {
      const nul = f.onDelete === 'SET_NULL' || f.kind === 'selffk' ? ', null=True, blank=True' : '';
      return `models.ForeignKey(${modelRef(from, f, imported)}, on_delete=models.${f.onDelete}${nul}${rel})`;
    }
    case 'm2m': return `models.ManyToManyField(${modelRef(from, f, imported)}, blank=True${rel})`;
  }
}

function migrationField(f: Field, owner: Model): string {
  const rel = f.relatedName !== undefined ? `, related_name=${q(f.relatedName)}` : '';
  const to = (t: Model) => (f.toUser ? 'settings.AUTH_USER_MODEL' : q(`${t.app.label}.${t.lower}`));
  switch (f.kind) {
    case 'char': return `models.CharField(${f.blank ? 'blank=True, ' : ''}max_length=${f.maxLength})`;
    case 'slug': return 'models.SlugField(max_length=80, unique=True)';
    case 'int': return 'models.IntegerField(default=0)';
    case 'pint': return 'models.PositiveIntegerField(default=0)';
    case 'dt': return 'models.DateTimeField(blank=True, null=True)';
    case 'dtnow': return 'models.DateTimeField(default=django.utils.timezone.now)';
    case 'bool': return 'models.BooleanField(default=False)';
    case 'dec': return 'models.DecimalField(decimal_places=2, default=0, max_digits=10)';
    case 'text': return 'models.TextField(blank=True)';
    case 'email': return 'models.EmailField(blank=True, max_length=254)';
    case 'status': return `models.CharField(choices=[${STATUS_CHOICES.map(([a, b]) => `(${q(a)}, ${q(b)})`).join(', ')}], default="draft", max_length=20)`;
    case 'fk': case 'selffk': {
      const nul = f.onDelete === 'SET_NULL' || f.kind === 'selffk' ? 'blank=True, null=True, ' : '';
      return `models.ForeignKey(${nul}on_delete=django.db.models.deletion.${f.onDelete}${rel}, to=${f.kind === 'selffk' ? q(`${owner.app.label}.${owner.lower}`) : to(f.target!)})`;
    }
    case 'm2m': return `models.ManyToManyField(blank=True${rel}, to=${to(f.target!)})`;
  }
}

const charOf = (m: Model) => m.fields.filter((f) => f.kind === 'char' || f.kind === 'slug').map((f) => f.name);
const intOf = (m: Model) => m.fields.find((f) => f.kind === 'int' || f.kind === 'pint')?.name;
const dtOf = (m: Model) => m.fields.find((f) => f.kind === 'dt' || f.kind === 'dtnow')?.name;
const fksOf = (m: Model) => m.fields.filter((f) => f.kind === 'fk');
const slugOf = (m: Model) => m.fields.some((f) => f.kind === 'slug');
const displayOfTarget = (t: Model) => (t.base === 'AbstractUser' ? 'username' : t.display);
/** Unique in the project, at most 30 characters (Django's limit), starts with a letter. */
const indexName = (m: Model) => `ix${m.app.index}_${m.lower.slice(0, 10)}_${(m.indexed ?? '').slice(0, 10)}`;
const inherited = (m: Model): Field[] => {
  const base = m.app.models.find((x) => x.abstract && x.name === m.base);
  return base ? base.fields : [];
};

// ---------------------------------------------------------------------------------------------
// Files

class Writer {
  files = 0;
  pyFiles = 0;
  bytes = 0;
  constructor(private root: string) {}
  write(rel: string, text: string): void {
    const p = path.join(this.root, rel);
    fs.mkdirSync(path.dirname(p), { recursive: true });
    fs.writeFileSync(p, text);
    this.files++;
    if (rel.endsWith('.py')) this.pyFiles++;
    this.bytes += Buffer.byteLength(text);
  }
}

const lines = (xs: (string | false | undefined)[]) => xs.filter((x) => x !== false && x !== undefined).join('\n') + '\n';

function renderModels(app: App, rng: Rng): string {
  const imported = new Set<string>();
  const crossImports = new Map<string, Set<string>>();
  for (const m of app.models) for (const f of m.fields) {
    const t = f.target;
    if (f.kind !== 'fk' && f.kind !== 'm2m') continue;
    if (!t || f.toUser || t.app === app || t.app.index > app.index || t.app.label === 'accounts') continue;
    const clash = app.models.some((x) => x.name === t.name)
      || [...crossImports].some(([label, names]) => label !== t.app.label && names.has(t.name));
    if (!clash && rng.chance(0.5)) {
      if (!crossImports.has(t.app.label)) crossImports.set(t.app.label, new Set());
      crossImports.get(t.app.label)!.add(t.name);
      imported.add(`${t.app.label}.${t.name}`);
    }
  }
  const usesTs = app.label !== 'core' && app.models.some((m) => m.base === 'TimeStampedModel');
  const usesNow = app.models.some((m) => m.fields.some((f) => f.kind === 'dtnow'));
  const usesStatus = app.models.some((m) => m.fields.some((f) => f.kind === 'status'));
  const out: string[] = [
    `"""Models of the ${app.title} app."""`,
    ...(app.label === 'accounts' ? ['from django.contrib.auth.models import AbstractUser'] : []),
    'from django.conf import settings',
    'from django.db import models',
    'from django.urls import reverse',
    ...(usesNow ? ['from django.utils import timezone'] : []),
    '',
    ...(usesTs ? ['from apps.core.models import TimeStampedModel'] : []),
    ...[...crossImports].map(([label, names]) => `from apps.${label}.models import ${[...names].sort().join(', ')}`),
    ...(app.models.some((m) => m.manager) ? [`\nfrom .managers import ${app.models.find((m) => m.manager)!.name}Manager`] : []),
    '',
    ...(usesStatus ? ['', `STATUS_CHOICES = [${STATUS_CHOICES.map(([a, b]) => `(${q(a)}, ${q(b)})`).join(', ')}]`] : []),
  ];
  for (const m of app.models) {
    out.push('', '');
    if (m.name === 'TimeStampedModel') {
      out.push(
        'class TimeStampedModel(models.Model):',
        '    """Adds creation and modification timestamps."""',
        '',
        '    created_at = models.DateTimeField(auto_now_add=True)',
        '    updated_at = models.DateTimeField(auto_now=True)',
        '',
        '    class Meta:',
        '        abstract = True',
        '        ordering = ["-created_at"]',
        '        get_latest_by = "created_at"',
      );
      continue;
    }
    out.push(`class ${m.name}(${m.base}):`, `    """${m.abstract ? 'Abstract base' : 'A ' + human(m.snake)} of the ${app.title} app."""`, '');
    for (const f of m.fields) out.push(`    ${f.name} = ${fieldDecl(m, f, imported)}`);
    if (m.manager) out.push('', `    objects = ${m.name}Manager()`);
    out.push('', '    class Meta:');
    if (m.abstract) out.push('        abstract = True');
    else {
      const order = m.hasTimestamps ? '-created_at' : m.base === 'AbstractUser' ? 'username' : m.display;
      out.push(`        ordering = [${q(order)}]`, `        verbose_name = ${q(human(m.snake))}`, `        verbose_name_plural = ${q(human(m.plural))}`);
      if (m.indexed) out.push(`        indexes = [models.Index(fields=[${q(m.indexed)}], name=${q(indexName(m))})]`);
    }
    if (m.abstract || m.base === 'AbstractUser') continue;
    out.push('', '    def __str__(self):', `        return self.${m.display}`);
    if (app.viewed.includes(m)) {
      out.push('', '    def get_absolute_url(self):', `        return reverse(${q(`${app.label}:${m.snake}-detail`)}, kwargs={"pk": self.pk})`);
    }
    const intF = intOf(m);
    if (intF) out.push('', '    @property', `    def has_${intF}(self):`, `        return self.${intF} > 0`);
    const fk = fksOf(m)[0];
    if (fk) {
      out.push('', `    def ${fk.name}_label(self):`, `        if self.${fk.name}_id is None:`, '            return ""', `        return str(self.${fk.name}.${displayOfTarget(fk.target!)})`);
    }
  }
  return out.join('\n') + '\n';
}

function renderBigModels(app: App, rng: Rng): string {
  // Pad with extra helper methods until the file reaches ~BIG_MODELS_LINES lines.
  let text = renderModels(app, rng);
  const n = text.split('\n').length;
  if (n >= BIG_MODELS_LINES) return text;
  const extra: string[] = ['', '', 'class InventoryQueries:', '    """Reusable lookups over the inventory models."""'];
  const concrete = app.models.filter((m) => !m.abstract);
  let i = 0;
  while (n + extra.length + 5 < BIG_MODELS_LINES) {
    const m = concrete[i % concrete.length];
    extra.push('', '    @staticmethod', `    def ${m.snake}_page_${Math.floor(i / concrete.length) + 1}(offset=0, limit=50):`, `        return ${m.name}.objects.order_by("pk")[offset:offset + limit]`);
    i++;
  }
  text += extra.join('\n') + '\n';
  return text;
}

function renderMigration1(app: App): string {
  const deps = new Set<string>();
  let swappable = false;
  const ops: string[] = [];
  const concrete = app.models.filter((m) => !m.abstract);
  for (const m of concrete) for (const f of m.fields) {
    if (f.toUser) swappable = true;
    else if ((f.kind === 'fk' || f.kind === 'm2m') && f.target!.app !== app && !f.forward) deps.add(f.target!.app.label);
  }
  const header = [
    '# Generated by Django 3.2.25',
    '',
    ...(app.label === 'accounts' ? ['import django.contrib.auth.models', 'import django.contrib.auth.validators'] : []),
    'from django.conf import settings',
    'from django.db import migrations, models',
    'import django.db.models.deletion',
    'import django.utils.timezone',
    '',
    '',
    'class Migration(migrations.Migration):',
    '',
    '    initial = True',
    '',
    '    dependencies = [',
    ...(app.label === 'accounts' ? ['        ("auth", "0012_alter_user_first_name_max_length"),'] : []),
    ...(swappable && app.label !== 'accounts' ? ['        migrations.swappable_dependency(settings.AUTH_USER_MODEL),'] : []),
    ...[...deps].sort().map((d) => `        (${q(d)}, "0001_initial"),`),
    '    ]',
    '',
    '    operations = [',
  ];
  for (const m of concrete) {
    const fields: string[] = ['("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID"))'];
    if (m.base === 'AbstractUser') {
      fields.push(
        '("password", models.CharField(max_length=128, verbose_name="password"))',
        '("last_login", models.DateTimeField(blank=True, null=True, verbose_name="last login"))',
        '("is_superuser", models.BooleanField(default=False, help_text="Designates that this user has all permissions without explicitly assigning them.", verbose_name="superuser status"))',
        '("username", models.CharField(error_messages={"unique": "A user with that username already exists."}, help_text="Required. 150 characters or fewer. Letters, digits and @/./+/-/_ only.", max_length=150, unique=True, validators=[django.contrib.auth.validators.UnicodeUsernameValidator()], verbose_name="username"))',
        '("first_name", models.CharField(blank=True, max_length=150, verbose_name="first name"))',
        '("last_name", models.CharField(blank=True, max_length=150, verbose_name="last name"))',
        '("email", models.EmailField(blank=True, max_length=254, verbose_name="email address"))',
        '("is_staff", models.BooleanField(default=False, help_text="Designates whether the user can log into this admin site.", verbose_name="staff status"))',
        '("is_active", models.BooleanField(default=True, help_text="Designates whether this user should be treated as active. Unselect this instead of deleting accounts.", verbose_name="active"))',
        '("date_joined", models.DateTimeField(default=django.utils.timezone.now, verbose_name="date joined"))',
      );
    }
    if (m.hasTimestamps) fields.push('("created_at", models.DateTimeField(auto_now_add=True))', '("updated_at", models.DateTimeField(auto_now=True))');
    for (const f of [...inherited(m), ...m.fields]) {
      if (f.forward || f.kind === 'm2m') continue;
      fields.push(`(${q(f.name)}, ${migrationField(f, m)})`);
    }
    if (m.base === 'AbstractUser') {
      fields.push(
        '("groups", models.ManyToManyField(blank=True, help_text="The groups this user belongs to. A user will get all permissions granted to each of their groups.", related_name="user_set", related_query_name="user", to="auth.Group", verbose_name="groups"))',
        '("user_permissions", models.ManyToManyField(blank=True, help_text="Specific permissions for this user.", related_name="user_set", related_query_name="user", to="auth.Permission", verbose_name="user permissions"))',
      );
    }
    ops.push(
      '        migrations.CreateModel(',
      `            name=${q(m.name)},`,
      '            fields=[',
      ...fields.map((f) => `                ${f},`),
      '            ],',
      '            options={',
      m.base === 'AbstractUser'
        ? '                "ordering": ["username"],\n                "verbose_name": "user",\n                "verbose_name_plural": "users",'
        : `                "verbose_name": ${q(human(m.snake))},\n                "verbose_name_plural": ${q(human(m.plural))},\n                "ordering": [${q(m.hasTimestamps ? '-created_at' : m.display)}],`,
      '            },',
      ...(m.base === 'AbstractUser' ? ['            managers=[', '                ("objects", django.contrib.auth.models.UserManager()),', '            ],'] : []),
      '        ),',
    );
  }
  return [...header, ...ops, '    ]', ''].join('\n');
}

function renderMigration2(app: App): string {
  const deps = new Set<string>();
  const ops: string[] = [];
  let swappable = false;
  for (const m of app.models) {
    if (m.abstract) continue;
    for (const f of m.fields) {
      if (!(f.forward || f.kind === 'm2m')) continue;
      if (f.toUser) swappable = true;
      else if (f.target!.app !== app) deps.add(f.target!.app.label);
      ops.push('        migrations.AddField(', `            model_name=${q(m.lower)},`, `            name=${q(f.name)},`, `            field=${migrationField(f, m)},`, '        ),');
    }
    if (m.indexed) {
      ops.push('        migrations.AddIndex(', `            model_name=${q(m.lower)},`,
        `            index=models.Index(fields=[${q(m.indexed)}], name=${q(indexName(m))}),`, '        ),');
    }
  }
  return lines([
    '# Generated by Django 3.2.25',
    '',
    'from django.conf import settings',
    'from django.db import migrations, models',
    'import django.db.models.deletion',
    '',
    '',
    'class Migration(migrations.Migration):',
    '',
    '    dependencies = [',
    `        (${q(app.label)}, "0001_initial"),`,
    ...(swappable ? ['        migrations.swappable_dependency(settings.AUTH_USER_MODEL),'] : []),
    ...[...deps].sort().map((d) => `        (${q(d)}, "0001_initial"),`),
    '    ]',
    '',
    '    operations = [',
    ...ops,
    '    ]',
  ]);
}

function renderViews(app: App, rng: Rng): string {
  const names = app.viewed.map((m) => m.name);
  const out: string[] = [
    `"""Views of the ${app.title} app."""`,
    ...(app.unsafeSql || app.viewed.length ? ['from django.db import connection'] : []),
    'from django.http import HttpResponse, JsonResponse',
    'from django.shortcuts import get_object_or_404, redirect, render',
    'from django.views.generic import DetailView, ListView',
    '',
    ...(names.length ? [`from .forms import ${app.viewed[0].name}Form`, `from .models import ${names.join(', ')}`] : []),
    '',
  ];
  app.viewed.forEach((m, i) => {
    const fks = fksOf(m).filter((f) => !f.toUser || rng.chance(0.5));
    const sel = fks.length && rng.chance(0.6) ? `.select_related(${fks.slice(0, 2).map((f) => q(f.name)).join(', ')})` : '';
    const bool = m.fields.find((f) => f.kind === 'bool');
    const filt = bool ? `.filter(${bool.name}=True)` : '';
    const tpl = (s: string) => q(`${app.label}/${m.lower}_${s}.html`);
    out.push(
      '', '',
      `def ${m.snake}_list(request):`,
      `    ${m.plural} = ${m.name}.objects${sel}${filt}.order_by(${q(m.hasTimestamps ? '-created_at' : '-pk')})`,
      `    return render(request, ${tpl('list')}, {${q(m.plural)}: ${m.plural}})`,
      '', '',
      `def ${m.snake}_detail(request, pk):`,
      `    ${m.snake} = get_object_or_404(${m.name}${sel ? `.objects${sel}` : ''}, pk=pk)`,
      `    return render(request, ${tpl('detail')}, {${q(m.snake)}: ${m.snake}})`,
    );
    if (i === 0) {
      out.push(
        '', '',
        `def ${m.snake}_create(request):`,
        `    form = ${m.name}Form(request.POST or None)`,
        '    if request.method == "POST" and form.is_valid():',
        `        ${m.snake} = form.save()`,
        `        return redirect(${q(`${app.label}:${m.snake}-detail`)}, pk=${m.snake}.pk)`,
        `    return render(request, ${tpl('form')}, {"form": form})`,
      );
      const dt = dtOf(m);
      if (dt) {
        out.push(
          '', '',
          `def ${m.snake}_archive(request, year, month):`,
          `    ${m.plural} = ${m.name}.objects.filter(${dt}__year=year, ${dt}__month=month)`,
          `    return render(request, ${tpl('list')}, {${q(m.plural)}: ${m.plural}, "year": year, "month": month})`,
        );
      }
    }
    out.push(
      '', '',
      `class ${m.name}ListView(ListView):`,
      `    model = ${m.name}`,
      `    context_object_name = ${q(m.plural)}`,
      `    paginate_by = ${rng.pick([10, 20, 25, 50])}`,
      ...(sel ? ['', '    def get_queryset(self):', `        return super().get_queryset()${sel}`] : []),
      '', '',
      `class ${m.name}DetailView(DetailView):`,
      `    model = ${m.name}`,
      `    context_object_name = ${q(m.snake)}`,
      `    template_name = ${tpl('detail')}`,
      ...(slugOf(m) ? ['    slug_field = "slug"', '    slug_url_kwarg = "slug"'] : []),
    );
  });
  const m0 = app.viewed[0];
  if (m0 && app.nPlusOne) {
    const fk = fksOf(m0)[0];
    const expr = fk ? `${m0.snake}.${fk.name}` : `${m0.snake}.pk`;
    out.push(
      '', '',
      `def ${m0.snake}_export(request):`,
      '    rows = []',
      `    for ${m0.snake} in ${m0.name}.objects.all():`,
      `        rows.append("%s,%s" % (${m0.snake}.pk, ${expr}))`,
      '    return HttpResponse("\\n".join(rows), content_type="text/csv")',
    );
  }
  if (m0) {
    const table = `${app.label}_${m0.lower}`;
    out.push(
      '', '',
      `def ${m0.snake}_stats(request):`,
      '    with connection.cursor() as cursor:',
      `        cursor.execute("SELECT COUNT(*) FROM ${table} WHERE id > %s", [int(request.GET.get("after", 0))])`,
      '        (count,) = cursor.fetchone()',
      '    return JsonResponse({"count": count})',
    );
    if (app.unsafeSql) {
      out.push(
        '', '',
        `def ${m0.snake}_search(request):`,
        '    term = request.GET.get("q", "")',
        '    with connection.cursor() as cursor:',
        `        cursor.execute(f"SELECT id FROM ${table} WHERE ${m0.display} LIKE '%{term}%'")`,
        '        ids = [row[0] for row in cursor.fetchall()]',
        '    return JsonResponse({"ids": ids})',
      );
    }
  }
  return out.join('\n') + '\n';
}

function renderUrls(app: App): string {
  const out: string[] = ['from django.urls import path, re_path', '', 'from . import views', '', `app_name = ${q(app.label)}`, '', 'urlpatterns = ['];
  app.viewed.forEach((m, i) => {
    const base = m.plural.replace(/_/g, '-');
    const v = (name: string) => `${m.snake}-${name}`;
    out.push(`    path(${q(`${base}/`)}, views.${m.snake}_list, name=${q(v('list'))}),`);
    if (i === 0) {
      out.push(`    path(${q(`${base}/new/`)}, views.${m.snake}_create, name=${q(v('create'))}),`);
      if (dtOf(m)) out.push(`    re_path(r"^${base}/archive/(?P<year>[0-9]{4})/(?P<month>[0-9]{1,2})/$", views.${m.snake}_archive, name=${q(v('archive'))}),`);
      if (app.nPlusOne) out.push(`    path(${q(`${base}/export.csv`)}, views.${m.snake}_export, name=${q(v('export'))}),`);
      out.push(`    path(${q(`${base}/stats/`)}, views.${m.snake}_stats, name=${q(v('stats'))}),`);
      if (app.unsafeSql) out.push(`    path(${q(`${base}/search/`)}, views.${m.snake}_search, name=${q(v('search'))}),`);
    }
    out.push(
      `    path(${q(`${base}/<int:pk>/`)}, views.${m.snake}_detail, name=${q(v('detail'))}),`,
      `    path(${q(`${base}/all/`)}, views.${m.name}ListView.as_view(), name=${q(v('list-all'))}),`,
      slugOf(m)
        ? `    path(${q(`${base}/<slug:slug>/`)}, views.${m.name}DetailView.as_view(), name=${q(v('detail-slug'))}),`
        : `    path(${q(`${base}/<int:pk>/view/`)}, views.${m.name}DetailView.as_view(), name=${q(v('detail-view'))}),`,
    );
  });
  out.push(']');
  return out.join('\n') + '\n';
}

function renderAdmin(app: App, rng: Rng): string {
  const concrete = app.models.filter((m) => !m.abstract);
  if (!concrete.length) return 'from django.contrib import admin  # noqa: F401\n';
  const out: string[] = ['from django.contrib import admin', ...(app.label === 'accounts' ? ['from django.contrib.auth.admin import UserAdmin'] : []), '', `from .models import ${concrete.map((m) => m.name).join(', ')}`];
  const inlines = new Map<Model, Model[]>();
  for (const m of concrete) {
    const own = m.fields.filter((f) => f.kind === 'fk' && f.target!.app === app && f.target !== m && !f.toUser);
    for (const f of own) {
      if (own.filter((g) => g.target === f.target).length === 1 && rng.chance(0.3)) {
        if (!inlines.has(f.target!)) inlines.set(f.target!, []);
        inlines.get(f.target!)!.push(m);
      }
    }
  }
  const declaredInline = new Set<Model>();
  for (const [, ms] of inlines) for (const m of ms) {
    if (declaredInline.has(m)) continue;
    declaredInline.add(m);
    out.push('', '', `class ${m.name}Inline(admin.TabularInline):`, `    model = ${m.name}`, '    extra = 0');
  }
  for (const m of concrete) {
    if (m.base === 'AbstractUser') { out.push('', '', 'admin.site.register(User, UserAdmin)'); continue; }
    if (rng.chance(0.25) && !inlines.has(m)) { out.push('', '', `admin.site.register(${m.name})`); continue; }
    const display = [m.display, intOf(m), dtOf(m)].filter(Boolean) as string[];
    const fks = fksOf(m);
    const filters = m.fields.filter((f) => f.kind === 'bool' || f.kind === 'status' || f.kind === 'dt' || f.kind === 'dtnow').map((f) => f.name);
    out.push(
      '', '',
      `@admin.register(${m.name})`,
      `class ${m.name}Admin(admin.ModelAdmin):`,
      `    list_display = (${display.map(q).join(', ')},)`,
      `    search_fields = (${charOf(m).map(q).join(', ')},)`,
      ...(filters.length ? [`    list_filter = (${filters.map(q).join(', ')},)`] : []),
      ...(fks.length ? [`    list_select_related = (${fks.map((f) => q(f.name)).join(', ')},)`] : []),
      ...(fks.length && rng.chance(0.4) ? [`    raw_id_fields = (${q(fks[0].name)},)`] : []),
      ...(slugOf(m) ? [`    prepopulated_fields = {"slug": (${q(m.display)},)}`] : []),
      ...(inlines.has(m) ? [`    inlines = [${inlines.get(m)!.map((x) => `${x.name}Inline`).join(', ')}]`] : []),
    );
  }
  return out.join('\n') + '\n';
}

function renderForms(app: App): string {
  const out: string[] = ['from django import forms', ''];
  if (app.viewed.length) out.push(`from .models import ${app.viewed.map((m) => m.name).join(', ')}`);
  for (const m of app.viewed) {
    const fields = m.fields.filter((f) => f.kind !== 'm2m' && f.kind !== 'selffk').map((f) => f.name);
    out.push('', '', `class ${m.name}Form(forms.ModelForm):`, '    class Meta:', `        model = ${m.name}`, `        fields = [${fields.map(q).join(', ')}]`);
    out.push('', `    def clean_${m.display}(self):`, `        value = self.cleaned_data["${m.display}"].strip()`, '        if not value:', `            raise forms.ValidationError("The ${m.display} may not be blank.")`, '        return value');
  }
  out.push('', '', `class ${app.camel}SearchForm(forms.Form):`, '    q = forms.CharField(required=False, max_length=100)', '    page = forms.IntegerField(required=False, min_value=1)');
  return out.join('\n') + '\n';
}

function renderTests(app: App): string {
  const out: string[] = ['from django.test import TestCase', 'from django.urls import reverse', ''];
  if (app.viewed.length) out.push(`from .models import ${app.viewed.map((m) => m.name).join(', ')}`);
  out.push('', '', `class ${app.camel}ViewTests(TestCase):`);
  if (!app.viewed.length) out.push('    def test_nothing(self):', '        self.assertTrue(True)');
  for (const m of app.viewed) {
    out.push(
      `    def test_${m.snake}_list(self):`,
      `        response = self.client.get(reverse(${q(`${app.label}:${m.snake}-list`)}))`,
      '        self.assertEqual(response.status_code, 200)',
      '',
      `    def test_${m.snake}_missing(self):`,
      `        response = self.client.get(reverse(${q(`${app.label}:${m.snake}-detail`)}, kwargs={"pk": 999999}))`,
      '        self.assertEqual(response.status_code, 404)',
      `        self.assertFalse(${m.name}.objects.filter(pk=999999).exists())`,
      '',
    );
  }
  return out.join('\n').replace(/\n+$/, '') + '\n';
}

function renderSupport(app: App): Record<string, string> {
  const m0 = app.models.find((m) => !m.abstract && m.base !== 'AbstractUser') ?? app.models.find((m) => !m.abstract)!;
  const names = app.models.filter((m) => !m.abstract).map((m) => m.name);
  const files: Record<string, string> = {};
  const mgr = app.models.find((m) => m.manager);
  files['managers.py'] = lines([
    'from django.db import models',
    '',
    '',
    `class ${mgr ? mgr.name : app.camel}QuerySet(models.QuerySet):`,
    '    def recent(self, limit=10):',
    '        return self.order_by("-pk")[:limit]',
    '',
    '    def with_ids(self, ids):',
    '        return self.filter(pk__in=list(ids))',
    '',
    '',
    `class ${mgr ? mgr.name : app.camel}Manager(models.Manager.from_queryset(${mgr ? mgr.name : app.camel}QuerySet)):`,
    '    use_in_migrations = False',
  ]);
  const dt = dtOf(m0);
  files['services.py'] = lines([
    `"""Write-side operations of the ${app.title} app."""`,
    'from datetime import timedelta',
    '',
    'from django.db import transaction',
    'from django.utils import timezone',
    '',
    `from .models import ${m0.name}`,
    '',
    '',
    '@transaction.atomic',
    `def create_${m0.snake}(**data):`,
    `    return ${m0.name}.objects.create(**data)`,
    '',
    '',
    `def stale_${m0.plural}(days=30):`,
    '    cutoff = timezone.now() - timedelta(days=days)',
    dt ? `    return ${m0.name}.objects.filter(${dt}__lt=cutoff)` : `    return ${m0.name}.objects.none() if cutoff is None else ${m0.name}.objects.all()`,
    '',
    '',
    `def rename_${m0.snake}(pk, value):`,
    `    updated = ${m0.name}.objects.filter(pk=pk).update(${m0.display}=value)`,
    '    return updated == 1',
  ]);
  const fk = fksOf(m0)[0];
  files['selectors.py'] = lines([
    `"""Read-side queries of the ${app.title} app."""`,
    `from .models import ${names.slice(0, 3).join(', ')}`,
    '',
    '',
    `def ${m0.plural}_for_listing():`,
    `    return ${m0.name}.objects${fk ? `.select_related(${q(fk.name)})` : ''}.only("pk", ${q(m0.display)})`,
    '',
    '',
    `def get_${m0.snake}(pk):`,
    `    return ${m0.name}.objects.get(pk=pk)`,
    '',
    '',
    `def count_${app.label}():`,
    '    return {',
    ...names.slice(0, 3).map((n) => `        ${q(n.toLowerCase())}: ${n}.objects.count(),`),
    '    }',
  ]);
  files['signals.py'] = lines([
    'import logging',
    '',
    'from django.db.models.signals import post_delete, post_save',
    'from django.dispatch import receiver',
    '',
    `from .models import ${m0.name}`,
    '',
    'logger = logging.getLogger(__name__)',
    '',
    '',
    `@receiver(post_save, sender=${m0.name})`,
    `def ${m0.snake}_saved(sender, instance, created, **kwargs):`,
    '    if created:',
    `        logger.info("created ${human(m0.snake)} %s", instance.pk)`,
    '',
    '',
    `@receiver(post_delete, sender=${m0.name})`,
    `def ${m0.snake}_deleted(sender, instance, **kwargs):`,
    `    logger.info("deleted ${human(m0.snake)} %s", instance.pk)`,
  ]);
  files['tasks.py'] = lines([
    `"""Periodic jobs of the ${app.title} app (run by the scheduler)."""`,
    'import logging',
    '',
    `from .services import stale_${m0.plural}`,
    '',
    'logger = logging.getLogger(__name__)',
    '',
    '',
    `def report_stale_${m0.plural}(days=30):`,
    `    stale = stale_${m0.plural}(days=days)`,
    '    count = stale.count()',
    `    logger.info("%d stale ${human(m0.plural)}", count)`,
    '    return count',
  ]);
  files['constants.py'] = lines([
    `APP_LABEL = ${q(app.label)}`,
    `PAGE_SIZE = ${20 + (app.index % 5) * 5}`,
    `CACHE_PREFIX = ${q(`${app.label}:`)}`,
    `DEFAULT_STATUS = "draft"`,
  ]);
  files['apps.py'] = lines([
    'from django.apps import AppConfig',
    '',
    '',
    `class ${app.camel}Config(AppConfig):`,
    '    default_auto_field = "django.db.models.BigAutoField"',
    `    name = ${q(`apps.${app.label}`)}`,
    `    verbose_name = ${q(app.title)}`,
    '',
    '    def ready(self):',
    '        from . import signals  # noqa: F401',
  ]);
  if (app.hasTags) {
    files['templatetags/__init__.py'] = '';
    files[`templatetags/${app.label}_tags.py`] = lines([
      'from django import template',
      '',
      `from ..models import ${m0.name}`,
      '',
      'register = template.Library()',
      '',
      '',
      '@register.filter',
      `def ${app.label}_badge(value):`,
      '    return "[%s]" % value',
      '',
      '',
      '@register.simple_tag',
      `def ${app.label}_count():`,
      `    return ${m0.name}.objects.count()`,
    ]);
  }
  if (app.hasCommand) {
    files['management/__init__.py'] = '';
    files['management/commands/__init__.py'] = '';
    files[`management/commands/sync_${app.label}.py`] = lines([
      'from django.core.management.base import BaseCommand',
      '',
      `from ...models import ${m0.name}`,
      '',
      '',
      'class Command(BaseCommand):',
      `    help = "Synchronises ${human(m0.plural)}."`,
      '',
      '    def add_arguments(self, parser):',
      '        parser.add_argument("--dry-run", action="store_true")',
      '',
      '    def handle(self, *args, **options):',
      `        total = ${m0.name}.objects.count()`,
      '        if options["dry_run"]:',
      '            self.stdout.write("would sync %d" % total)',
      '            return',
      '        self.stdout.write(self.style.SUCCESS("synced %d" % total))',
    ]);
  }
  return files;
}

function renderTemplates(app: App): Record<string, string> {
  const files: Record<string, string> = {};
  app.viewed.forEach((m, i) => {
    const fk = fksOf(m)[0];
    const fkLine = fk ? `    {% if ${m.snake}.${fk.name} %}<small>{{ ${m.snake}.${fk.name}.${displayOfTarget(fk.target!)} }}</small>{% endif %}` : undefined;
    const tags = app.hasTags && i === 0;
    files[`${m.lower}_list.html`] = lines([
      '{% extends "base.html" %}',
      tags && `{% load ${app.label}_tags %}`,
      `{% block title %}${camel(m.plural)}{% endblock %}`,
      '{% block content %}',
      `<h1>${human(camel(m.plural))}</h1>`,
      '<ul>',
      `  {% for ${m.snake} in ${m.plural} %}`,
      `  <li>`,
      `    <a href="{% url '${app.label}:${m.snake}-detail' pk=${m.snake}.pk %}">{{ ${m.snake}.${m.display}${tags ? `|${app.label}_badge` : ''} }}</a>`,
      fkLine,
      '  </li>',
      '  {% empty %}',
      `  <li>No ${human(m.plural)} yet.</li>`,
      '  {% endfor %}',
      '</ul>',
      tags && `<p>Total: {% ${app.label}_count %}</p>`,
      '{% if is_paginated %}{% include "includes/pagination.html" %}{% endif %}',
      i === 0 && `<a href="{% url '${app.label}:${m.snake}-create' %}">New</a>`,
      '{% endblock %}',
    ]);
    files[`${m.lower}_detail.html`] = lines([
      '{% extends "base.html" %}',
      `{% block title %}{{ ${m.snake}.${m.display} }}{% endblock %}`,
      '{% block content %}',
      `<h1>{{ ${m.snake}.${m.display} }}</h1>`,
      '<dl>',
      ...m.fields.filter((f) => f.kind !== 'm2m' && f.kind !== 'fk' && f.kind !== 'selffk').slice(0, 4)
        .map((f) => `  <dt>${human(f.name)}</dt><dd>{{ ${m.snake}.${f.name}${f.kind === 'dt' || f.kind === 'dtnow' ? '|date:"Y-m-d"' : ''} }}</dd>`),
      '</dl>',
      fkLine,
      `<a href="{% url '${app.label}:${m.snake}-list' %}">All ${human(m.plural)}</a>`,
      '{% endblock %}',
    ]);
    if (i === 0) {
      files[`${m.lower}_form.html`] = lines([
        '{% extends "base.html" %}',
        '{% block content %}',
        `<form method="post" action="{% url '${app.label}:${m.snake}-create' %}">`,
        '  {% csrf_token %}',
        '  {{ form.as_p }}',
        '  <button type="submit">Save</button>',
        '</form>',
        '{% endblock %}',
      ]);
    }
  });
  return files;
}

// ---------------------------------------------------------------------------------------------
// Project-level files

function renderProject(w: Writer, apps: App[]): void {
  w.write('manage.py', lines([
    '#!/usr/bin/env python',
    '"""Django\'s command-line utility for administrative tasks."""',
    'import os',
    'import sys',
    '',
    '',
    'def main():',
    `    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "${PROJECT}.settings.dev")`,
    '    try:',
    '        from django.core.management import execute_from_command_line',
    '    except ImportError as exc:',
    '        raise ImportError("Couldn\'t import Django.") from exc',
    '    execute_from_command_line(sys.argv)',
    '',
    '',
    'if __name__ == "__main__":',
    '    main()',
  ]));
  w.write(`${PROJECT}/__init__.py`, '');
  w.write(`${PROJECT}/settings/__init__.py`, '');
  const installed = apps.map((a) => (a.configInSettings ? `apps.${a.label}.apps.${a.camel}Config` : `apps.${a.label}`));
  w.write(`${PROJECT}/settings/base.py`, lines([
    'from pathlib import Path',
    '',
    'BASE_DIR = Path(__file__).resolve().parent.parent.parent',
    '',
    'SECRET_KEY = "bench-not-secret"',
    'DEBUG = False',
    'ALLOWED_HOSTS = []',
    '',
    'DJANGO_APPS = [',
    '    "django.contrib.admin",',
    '    "django.contrib.auth",',
    '    "django.contrib.contenttypes",',
    '    "django.contrib.sessions",',
    '    "django.contrib.messages",',
    '    "django.contrib.staticfiles",',
    ']',
    '',
    'LOCAL_APPS = [',
    ...installed.map((a) => `    ${q(a)},`),
    ']',
    '',
    'INSTALLED_APPS = DJANGO_APPS + LOCAL_APPS',
    '',
    'MIDDLEWARE = [',
    '    "django.middleware.security.SecurityMiddleware",',
    '    "django.contrib.sessions.middleware.SessionMiddleware",',
    '    "django.middleware.common.CommonMiddleware",',
    '    "django.middleware.csrf.CsrfViewMiddleware",',
    '    "django.contrib.auth.middleware.AuthenticationMiddleware",',
    '    "django.contrib.messages.middleware.MessageMiddleware",',
    '    "django.middleware.clickjacking.XFrameOptionsMiddleware",',
    '    "common.middleware.RequestTimingMiddleware",',
    ']',
    '',
    `ROOT_URLCONF = "${PROJECT}.urls"`,
    '',
    'TEMPLATES = [',
    '    {',
    '        "BACKEND": "django.template.backends.django.DjangoTemplates",',
    '        "DIRS": [BASE_DIR / "templates"],',
    '        "APP_DIRS": True,',
    '        "OPTIONS": {',
    '            "context_processors": [',
    '                "django.template.context_processors.debug",',
    '                "django.template.context_processors.request",',
    '                "django.contrib.auth.context_processors.auth",',
    '                "django.contrib.messages.context_processors.messages",',
    '                "common.context_processors.site",',
    '            ],',
    '        },',
    '    },',
    ']',
    '',
    `WSGI_APPLICATION = "${PROJECT}.wsgi.application"`,
    '',
    'DATABASES = {',
    '    "default": {',
    '        "ENGINE": "django.db.backends.sqlite3",',
    '        "NAME": BASE_DIR / "db.sqlite3",',
    '    }',
    '}',
    '',
    'AUTH_USER_MODEL = "accounts.User"',
    'DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"',
    '',
    'LANGUAGE_CODE = "en-us"',
    'TIME_ZONE = "UTC"',
    'USE_I18N = True',
    'USE_TZ = True',
    '',
    'STATIC_URL = "/static/"',
    'STATIC_ROOT = BASE_DIR / "staticfiles"',
  ]));
  w.write(`${PROJECT}/settings/dev.py`, lines(['from .base import *  # noqa: F401,F403', '', 'DEBUG = True', 'ALLOWED_HOSTS = ["localhost", "127.0.0.1"]', 'INTERNAL_IPS = ["127.0.0.1"]']));
  w.write(`${PROJECT}/settings/prod.py`, lines(['import os', '', 'from .base import *  # noqa: F401,F403', '', 'SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")', 'ALLOWED_HOSTS = os.environ.get("DJANGO_ALLOWED_HOSTS", "").split(",")', 'SESSION_COOKIE_SECURE = True', 'CSRF_COOKIE_SECURE = True']));
  const urlLines = apps.map((a, i) => {
    const prefix = `${a.label.replace(/_/g, '-')}/`;
    if (i % 7 === 3) return `    path(${q(prefix)}, include((${q(`apps.${a.label}.urls`)}, ${q(a.label)}), namespace=${q(a.label)})),`;
    return `    path(${q(prefix)}, include(${q(`apps.${a.label}.urls`)}, namespace=${q(a.label)})),`;
  });
  w.write(`${PROJECT}/urls.py`, lines([
    `"""URL configuration of ${PROJECT}."""`,
    'from django.contrib import admin',
    'from django.urls import include, path',
    'from django.views.generic import TemplateView',
    '',
    'urlpatterns = [',
    '    path("", TemplateView.as_view(template_name="home.html"), name="home"),',
    '    path("admin/", admin.site.urls),',
    ...urlLines,
    ']',
  ]));
  for (const [name, fn, mod] of [['wsgi', 'get_wsgi_application', 'wsgi'], ['asgi', 'get_asgi_application', 'asgi']]) {
    w.write(`${PROJECT}/${name}.py`, lines([
      'import os', '', `from django.core.${mod} import ${fn}`, '',
      `os.environ.setdefault("DJANGO_SETTINGS_MODULE", "${PROJECT}.settings.prod")`, '', `application = ${fn}()`,
    ]));
  }
  w.write('apps/__init__.py', '');
  w.write('common/__init__.py', '');
  w.write('common/utils/__init__.py', '');
  w.write('common/middleware.py', lines([
    'import time', '', '',
    'class RequestTimingMiddleware:',
    '    def __init__(self, get_response):',
    '        self.get_response = get_response',
    '',
    '    def __call__(self, request):',
    '        started = time.monotonic()',
    '        response = self.get_response(request)',
    '        response["X-Elapsed"] = "%.3f" % (time.monotonic() - started)',
    '        return response',
  ]));
  w.write('common/context_processors.py', lines([
    'from django.conf import settings', '', '',
    'def site(request):',
    '    return {"site_name": "Bench Site", "debug": settings.DEBUG}',
  ]));
  const nav = apps.filter((a) => a.viewed.length).slice(0, 8);
  w.write('templates/base.html', lines([
    '{% load static %}<!doctype html>',
    '<html lang="en">',
    '<head>',
    '  <meta charset="utf-8">',
    '  <title>{% block title %}{{ site_name }}{% endblock %}</title>',
    '  <link rel="stylesheet" href="{% static \'css/site.css\' %}">',
    '</head>',
    '<body>',
    '  {% include "includes/nav.html" %}',
    '  <main>{% block content %}{% endblock %}</main>',
    '</body>',
    '</html>',
  ]));
  w.write('templates/home.html', lines(['{% extends "base.html" %}', '{% block content %}', '<h1>{{ site_name }}</h1>', '{% endblock %}']));
  w.write('templates/includes/nav.html', lines([
    '<nav>',
    '  <a href="{% url \'home\' %}">Home</a>',
    ...nav.map((a) => `  <a href="{% url '${a.label}:${a.viewed[0].snake}-list' %}">${a.title}</a>`),
    '  {% if user.is_authenticated %}<span>{{ user.username }}</span>{% endif %}',
    '</nav>',
  ]));
  w.write('templates/includes/pagination.html', lines([
    '<div class="pagination">',
    '  {% if page_obj.has_previous %}<a href="?page={{ page_obj.previous_page_number }}">previous</a>{% endif %}',
    '  <span>Page {{ page_obj.number }} of {{ page_obj.paginator.num_pages }}</span>',
    '  {% if page_obj.has_next %}<a href="?page={{ page_obj.next_page_number }}">next</a>{% endif %}',
    '</div>',
  ]));
}

const UTIL_TOPICS = ['text', 'numbers', 'dates', 'collections', 'money', 'ids'];

function renderUtil(topic: string, n: number): string {
  const s = `_${n}`;
  switch (topic) {
    case 'text': return lines([
      'import re', '', `_SLUG_RE${s} = re.compile(r"[^a-z0-9]+")`, '', '',
      `def slugify${s}(value):`, `    return _SLUG_RE${s}.sub("-", value.lower()).strip("-")`, '', '',
      `def truncate${s}(value, limit=${40 + n}):`, '    if len(value) <= limit:', '        return value', '    return value[: limit - 1] + "\\u2026"',
    ]);
    case 'numbers': return lines([
      `def clamp${s}(value, low=0, high=${100 + n}):`, '    return max(low, min(high, value))', '', '',
      `def percent${s}(part, whole):`, '    if not whole:', '        return 0.0', '    return round(100.0 * part / whole, 2)',
    ]);
    case 'dates': return lines([
      'from datetime import date, timedelta', '', '',
      `def week_start${s}(day=None):`, '    day = day or date.today()', '    return day - timedelta(days=day.weekday())', '', '',
      `def days_between${s}(a, b):`, '    return abs((b - a).days)',
    ]);
    case 'collections': return lines([
      'from itertools import islice', '', '',
      `def chunked${s}(iterable, size=${10 + n}):`, '    iterator = iter(iterable)', '    while True:', '        chunk = list(islice(iterator, size))', '        if not chunk:', '            return', '        yield chunk', '', '',
      `def index_by${s}(items, key):`, '    return {key(item): item for item in items}',
    ]);
    case 'money': return lines([
      'from decimal import ROUND_HALF_UP, Decimal', '', `CENT${s} = Decimal("0.01")`, '', '',
      `def to_money${s}(value):`, `    return Decimal(value).quantize(CENT${s}, rounding=ROUND_HALF_UP)`, '', '',
      `def format_money${s}(value, currency="EUR"):`, `    return "%s %s" % (to_money${s}(value), currency)`,
    ]);
    default: return lines([
      'import hashlib', 'import uuid', '', '',
      `def new_id${s}():`, '    return uuid.uuid4().hex', '', '',
      `def short_hash${s}(value, length=${8 + (n % 8)}):`, '    return hashlib.sha1(value.encode("utf-8")).hexdigest()[:length]',
    ]);
  }
}

// ---------------------------------------------------------------------------------------------

export function generateProject(dir: string, opts: GenerateOptions = {}): GenerateResult {
  const target = Math.max(1, Math.floor(opts.files ?? 2000));
  const rng = new Rng(opts.seed ?? 1);
  const apps = planApps(rng, target);
  planModels(rng, apps);
  const w = new Writer(dir);
  renderProject(w, apps);
  for (const app of apps) {
    const base = `apps/${app.label}`;
    w.write(`${base}/__init__.py`, '');
    w.write(`${base}/models.py`, app.label === BIG_APP ? renderBigModels(app, rng) : renderModels(app, rng));
    w.write(`${base}/views.py`, renderViews(app, rng));
    w.write(`${base}/urls.py`, renderUrls(app));
    w.write(`${base}/admin.py`, renderAdmin(app, rng));
    w.write(`${base}/forms.py`, renderForms(app));
    w.write(`${base}/tests.py`, renderTests(app));
    w.write(`${base}/migrations/__init__.py`, '');
    w.write(`${base}/migrations/0001_initial.py`, renderMigration1(app));
    w.write(`${base}/migrations/0002_relations.py`, renderMigration2(app));
    for (const [rel, text] of Object.entries(renderSupport(app))) w.write(`${base}/${rel}`, text);
    for (const [rel, text] of Object.entries(renderTemplates(app))) w.write(`${base}/templates/${app.label}/${rel}`, text);
  }
  for (let n = 1; w.pyFiles < target || n <= MIN_UTILS; n++) {
    const topic = UTIL_TOPICS[(n - 1) % UTIL_TOPICS.length];
    w.write(`common/utils/${topic}_${String(n).padStart(3, '0')}.py`, renderUtil(topic, n));
  }
  return { files: w.files, bytes: w.bytes, pyFiles: w.pyFiles, apps: apps.length };
}
