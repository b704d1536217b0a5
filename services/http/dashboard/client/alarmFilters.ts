/**
 * The alarm page's filters, kept in the URL hash (`#/alarms/state=open&severity=warning,critical`)
 * so that a view can be shared or bookmarked, and turned into the API's query (docs/alarms.md).
 */
export const FILTER_STATES = ['open', 'active', 'acknowledged', 'cleared', 'all'] as const;
export const FILTER_SEVERITIES = ['critical', 'warning', 'info'] as const;
export type FilterState = (typeof FILTER_STATES)[number];
type Severity = (typeof FILTER_SEVERITIES)[number];

export interface AlarmFilterState {
  /** Default `open`: the set the overview's card counts. */
  readonly state: FilterState;
  readonly severities: readonly Severity[];
  readonly types: readonly string[];
  readonly enterprise: string;
  /** Plain dates as picked (YYYY-MM-DD), both inclusive; '' = open-ended. */
  readonly from: string;
  readonly to: string;
}

export const DEFAULT_FILTERS: AlarmFilterState = { state: 'open', severities: [], types: [], enterprise: '', from: '', to: '' };

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const list = (v: string | null) => (v ?? '').split(',').filter((s) => s !== '');

/** The filters of a hash such as `#/alarms/state=all&from=2026-06-01`; anything unreadable falls back to the default. */
export function filtersFromHash(hash: string): AlarmFilterState {
  const raw = hash.replace(/^#\/?alarms\/?/, '');
  const p = new URLSearchParams(raw);
  const state = p.get('state');
  const date = (v: string | null) => (v !== null && DATE.test(v) ? v : '');
  return {
    state: FILTER_STATES.find((s) => s === state) ?? DEFAULT_FILTERS.state,
    severities: list(p.get('severity')).filter((s): s is Severity => (FILTER_SEVERITIES as readonly string[]).includes(s)),
    types: list(p.get('type')).filter((s) => /^[a-z-]{1,40}$/.test(s)),
    enterprise: p.get('enterprise') ?? '',
    from: date(p.get('from')),
    to: date(p.get('to')),
  };
}

function params(f: AlarmFilterState): URLSearchParams {
  const p = new URLSearchParams();
  p.set('state', f.state);
  if (f.severities.length) p.set('severity', f.severities.join(','));
  if (f.types.length) p.set('type', f.types.join(','));
  if (f.enterprise) p.set('enterprise', f.enterprise);
  if (f.from) p.set('from', f.from);
  if (f.to) p.set('to', f.to);
  return p;
}

/** The page's address for these filters; other pages link their alarm counts with it. */
export function alarmsHref(f: Partial<AlarmFilterState> = {}): string {
  return `#/alarms/${params({ ...DEFAULT_FILTERS, ...f }).toString()}`;
}

/** The day after a plain date, as a plain date (calendar arithmetic, no zone involved). */
function nextDay(date: string): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
}

/**
 * The API query: dates are read by the server in the site zone, and the inclusive "to" date of
 * the page becomes the exclusive end of the API's [from, to).
 */
export function apiQuery(f: AlarmFilterState, extra: Record<string, string> = {}): string {
  const p = params(f);
  if (f.to) p.set('to', nextDay(f.to));
  for (const [k, v] of Object.entries(extra)) p.set(k, v);
  return p.toString();
}
