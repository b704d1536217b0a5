/**
 * Drill-down (issue 21): `#/industry/{code}`, the enterprises of one industry (GB/T 4754 code) with
 * their lights and figures, each leading to its enterprise page; its figures follow the live
 * readings (liveFollow.ts). The breadcrumb is breadcrumb.ts.
 */
import { api } from '../api';
import { breadcrumb, enterpriseHref, industryHref, industryTitle } from '../breadcrumb';
import { followReadings } from '../liveFollow';
import { pageHeader, type Page } from '../context';
import { h, replace } from '../dom';
import { num, pct, qty, time } from '../format';
import { t } from '../i18n';
import type { Overview, OverviewRow } from '../types';
import { card, light, sortableTable, type Column } from '../widgets';

const LEVEL_ORDER = { red: 0, yellow: 1, green: 2 } as const;

export { industryHref };

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
  // An enterprise manager sees one enterprise, not an industry (the API would answer with theirs alone).
  if (ctx.session.role === 'enterprise' && ctx.session.enterprise) {
    location.replace(enterpriseHref(ctx.session.enterprise));
    return;
  }
  const o = await api<Overview>('/api/district/overview');
  const body = h('div', { className: 'industry-body' }, ...industryBody(code, o));
  ctx.main.append(breadcrumb(ctx.session, { industry: code, industryName: o.industries[code] }), body);
  // Live: a reading of one of the industry's enterprises moves its figures; the table keeps its sort.
  const ids = new Set(o.enterprises.filter((e) => e.industry === code).map((e) => e.id));
  followReadings(
    ctx,
    (r) => ids.has(r.enterprise),
    async () => {
      const next = await api<Overview>('/api/district/overview');
      const sorted = body.querySelector<HTMLElement>('th[aria-sort="ascending"], th[aria-sort="descending"]');
      const dir: 1 | -1 = sorted?.getAttribute('aria-sort') === 'ascending' ? 1 : -1;
      replace(body, ...industryBody(code, next, sorted?.dataset.key ? { key: sorted.dataset.key, dir } : undefined));
    },
  );
};

function industryBody(code: string, o: Overview, sort: { key: string; dir: 1 | -1 } = { key: 'level', dir: 1 }): HTMLElement[] {
  const rows = o.enterprises.filter((e) => e.industry === code);
  const title = industryTitle(code, o.industries[code]);
  const columns: Column<OverviewRow>[] = [
    { key: 'name', label: t('enterprise'), sort: (r) => r.name, cell: (r) => h('a', { href: enterpriseHref(r.id) }, r.name) },
    { key: 'level', label: t('dualControl'), sort: (r) => (r.quota ? LEVEL_ORDER[r.quota.level] : null), cell: (r) => light(r.quota?.level) },
    ...figureColumns(),
  ];
  return [
    pageHeader(t('industryEnterprises', { industry: title }), `${t('asOf')} ${time(o.at)}`, `${t('timezone')} ${o.timezone}`),
    h(
      'div',
      { className: 'cards', id: 'industry-cards' },
      card(
        t('monthToDate'),
        qty(o.month.byIndustry[code]?.dualControlTce ?? 0, 'tce', 1),
        `${t('period')} ${time(o.month.from)} – ${time(o.month.to)}`,
      ),
      card(t('yearToDate'), qty(o.ytd.byIndustry[code]?.dualControlTce ?? 0, 'tce', 1), `${t('period')} ${time(o.ytd.from)} – ${time(o.ytd.to)}`),
    ),
    h('section', { className: 'panel' }, sortableTable('industry-table', `${t('enterprises')} (${rows.length})`, columns, rows, sort)),
  ];
}
