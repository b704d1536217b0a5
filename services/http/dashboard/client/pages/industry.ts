/**
 * Drill-down (issue 21): `#/industry/{code}`, the enterprises of one industry (GB/T 4754 code) with
 * their lights and figures, each leading to its enterprise page; and the breadcrumb district ->
 * industry -> enterprise -> meter the enterprise and meter pages show.
 */
import { api } from '../api';
import { pageHeader, type Page } from '../context';
import { h } from '../dom';
import { industryLabel, num, pct, qty, time } from '../format';
import { t } from '../i18n';
import type { Overview, OverviewRow, SignedIn } from '../types';
import { card, light, sortableTable, type Column } from '../widgets';

const LEVEL_ORDER = { red: 0, yellow: 1, green: 2 } as const;

export function industryHref(code: string): string {
  return `#/industry/${encodeURIComponent(code)}`;
}

/** Where the page sits: the district and industry only for roles that see the district. */
export function breadcrumb(session: SignedIn, enterprise: { id: string; name: string; industry: string }, meter?: string): HTMLElement {
  const staff = session.role !== 'enterprise';
  const items: HTMLElement[] = [
    ...(staff
      ? [h('a', { href: '#/' }, t('overview')), h('a', { href: industryHref(enterprise.industry) }, `${t('industryPage')} ${enterprise.industry}`)]
      : []),
    meter
      ? h('a', { href: `#/enterprise/${encodeURIComponent(enterprise.id)}` }, enterprise.name)
      : h('span', { 'aria-current': 'page' }, enterprise.name),
    ...(meter ? [h('span', { 'aria-current': 'page' }, meter)] : []),
  ];
  return h('nav', { className: 'breadcrumb', 'aria-label': t('breadcrumb') }, h('ol', {}, ...items.map((i) => h('li', {}, i))));
}

/** Numeric columns: year to date, quota, share, month to date (each sortable by its value); built per render, in the current language. */
const figureColumns = (): Column<OverviewRow>[] =>
  (
    [
      ['ytd', `${t('ytd')} (tce)`, (r) => r.quota?.ytdTce ?? null, (v) => num(v, 1)],
      ['quota', `${t('quota')} (tce)`, (r) => r.quota?.totalTce ?? null, (v) => num(v, 0)],
      ['share', t('share'), (r) => r.quota?.share ?? null, (v) => pct(v)],
      ['month', `${t('month')} (tce)`, (r) => r.monthTce, (v) => num(v, 1)],
    ] as const satisfies readonly (readonly [string, string, (r: OverviewRow) => number | null, (v: number | null) => string])[]
  ).map(([key, label, value, show]) => ({ key, label, numeric: true, sort: value, cell: (r: OverviewRow) => show(value(r)) }));

export const industryPage: Page = async (ctx) => {
  const code = ctx.params[0] ?? '';
  const o = await api<Overview>('/api/district/overview');
  const rows = o.enterprises.filter((e) => e.industry === code);
  const name = industryLabel(code, o.industries[code]);
  const title = `${code} ${name}`.trim();
  const columns: Column<OverviewRow>[] = [
    { key: 'name', label: t('enterprise'), sort: (r) => r.name, cell: (r) => h('a', { href: `#/enterprise/${encodeURIComponent(r.id)}` }, r.name) },
    { key: 'level', label: t('dualControl'), sort: (r) => (r.quota ? LEVEL_ORDER[r.quota.level] : null), cell: (r) => light(r.quota?.level) },
    ...figureColumns(),
  ];
  ctx.main.append(
    h(
      'nav',
      { className: 'breadcrumb', 'aria-label': t('breadcrumb') },
      h(
        'ol',
        {},
        h('li', {}, h('a', { href: '#/' }, t('overview'))),
        h('li', {}, h('span', { 'aria-current': 'page' }, `${t('industryPage')} ${title}`)),
      ),
    ),
    pageHeader(t('industryEnterprises', { industry: title }), `${t('asOf')} ${time(o.at)}`, `${t('timezone')} ${o.timezone}`),
    h(
      'div',
      { className: 'cards' },
      card(
        t('monthToDate'),
        qty(o.month.byIndustry[code]?.dualControlTce ?? 0, 'tce', 1),
        `${t('period')} ${time(o.month.from)} – ${time(o.month.to)}`,
      ),
      card(t('yearToDate'), qty(o.ytd.byIndustry[code]?.dualControlTce ?? 0, 'tce', 1), `${t('period')} ${time(o.ytd.from)} – ${time(o.ytd.to)}`),
    ),
    h(
      'section',
      { className: 'panel' },
      sortableTable('industry-table', `${t('enterprises')} (${rows.length})`, columns, rows, { key: 'level', dir: 1 }),
    ),
  );
};
