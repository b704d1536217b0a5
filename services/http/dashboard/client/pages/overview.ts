/** District overview: month and year to date against the quotas, by carrier and industry, and every enterprise's lights. */
import { api } from '../api';
import { chart, energyCarriers, inProgressBar, PALETTE } from '../charts';
import { pageHeader, type Page } from '../context';
import { h, replace } from '../dom';
import { t } from '../i18n';
import { carrierName, industryLabel, num, pct, qty, time } from '../format';
import type { DistrictCarbon } from '../carbonTypes';
import type { Overview, OverviewRow } from '../types';
import { carbonTile } from './carbon';
import { alarmsHref } from '../alarmFilters';
import { industryHref } from './industry';
import { card, light, section, sortableTable, type Column } from '../widgets';
import { lightLegend, quotaTrouble, troubleLine } from '../trouble';
import { overviewPeriodPanel } from './overviewPeriod';

const LEVEL_ORDER = { red: 0, yellow: 1, green: 2 } as const;

interface ParkRow {
  id: string;
  name: string;
  monthTce: number;
  ytdTce: number;
}

/**
 * Energy by park (园区, contract 9: district views group by park too); nothing when no visible
 * enterprise is in a park. The parks' CO2 (process CO2, certificates) is on the carbon page.
 */
function parkTable(o: Overview): HTMLElement[] {
  const rows: ParkRow[] = Object.entries(o.parks).map(([id, name]) => ({
    id,
    name,
    monthTce: o.month.byPark[id]?.dualControlTce ?? 0,
    ytdTce: o.ytd.byPark[id]?.dualControlTce ?? 0,
  }));
  if (rows.length === 0) return [];
  const columns: Column<ParkRow>[] = [
    { key: 'park', label: t('park'), sort: (r) => r.name, cell: (r) => r.name },
    { key: 'month', label: `${t('month')} (tce)`, numeric: true, sort: (r) => r.monthTce, cell: (r) => num(r.monthTce, 1) },
    { key: 'ytd', label: `${t('ytd')} (tce)`, numeric: true, sort: (r) => r.ytdTce, cell: (r) => num(r.ytdTce, 1) },
  ];
  return [h('section', { className: 'panel' }, sortableTable('park-table', t('byPark'), columns, rows, { key: 'ytd', dir: -1 }))];
}

export const overviewPage: Page = async (ctx) => {
  // The carbon tile is an addition: the overview still draws if the carbon answer fails.
  const [o, carbon] = await Promise.all([api<Overview>('/api/district/overview'), api<DistrictCarbon>('/api/district/carbon').catch(() => null)]);
  // The period panel (issue 21) is an addition: the overview still draws if its answer fails.
  const periodPanel = await overviewPeriodPanel(o).catch(() => null);
  const openAlarms = o.enterprises.reduce((n, e) => n + e.alarms.warning + e.alarms.critical, 0);
  const critical = o.enterprises.reduce((n, e) => n + e.alarms.critical, 0);
  const carrierChart = h('div', { className: 'chart', id: 'chart-carrier', role: 'img', 'aria-label': t('byCarrier') });
  const industryChart = h('div', { className: 'chart', id: 'chart-industry', role: 'img', 'aria-label': t('byIndustry') });

  const columns: Column<OverviewRow>[] = [
    { key: 'name', label: t('enterprise'), sort: (r) => r.name, cell: (r) => h('a', { href: `#/enterprise/${encodeURIComponent(r.id)}` }, r.name) },
    // Drill-down (issue 21): the industry leads to its enterprises.
    {
      key: 'industry',
      label: t('industry'),
      sort: (r) => r.industry,
      cell: (r) => h('a', { href: industryHref(r.industry) }, `${r.industry} ${industryLabel(r.industry, o.industries[r.industry])}`),
    },
    { key: 'park', label: t('park'), sort: (r) => r.park, cell: (r) => (r.park === null ? '—' : (o.parks[r.park] ?? r.park)) },
    { key: 'level', label: t('dualControl'), sort: (r) => (r.quota ? LEVEL_ORDER[r.quota.level] : null), cell: (r) => light(r.quota?.level) },
    { key: 'ytd', label: `${t('ytd')} (tce)`, numeric: true, sort: (r) => r.quota?.ytdTce ?? null, cell: (r) => num(r.quota?.ytdTce, 1) },
    { key: 'quota', label: `${t('quota')} (tce)`, numeric: true, sort: (r) => r.quota?.totalTce ?? null, cell: (r) => num(r.quota?.totalTce, 0) },
    { key: 'share', label: t('share'), numeric: true, sort: (r) => r.quota?.share ?? null, cell: (r) => pct(r.quota?.share) },
    { key: 'pace', label: t('pace'), numeric: true, sort: (r) => r.quota?.pace ?? null, cell: (r) => pct(r.quota?.pace) },
    // Stated beside the light, never changing it (issue 21): a forecast over the quota while the light is yellow.
    { key: 'overrun', label: t('overrun'), sort: (r) => r.quota?.overrunTce ?? null, cell: (r) => troubleLine(quotaTrouble(r.quota), 'tce') },
    {
      key: 'intensity',
      label: `${t('intensity')} (tce/万元)`,
      numeric: true,
      sort: (r) => r.intensity?.intensity ?? null,
      cell: (r) =>
        r.intensity && r.intensity.intensity !== null
          ? h('span', {}, num(r.intensity.intensity, 3), ' ', light(r.intensity.level))
          : r.intensity
            ? t('noOutput')
            : t('none'),
    },
    {
      key: 'tariff',
      label: `${t('tariff')} (元/kWh)`,
      numeric: true,
      sort: (r) => r.tariff?.markupYuanPerKwh ?? null,
      cell: (r) => (!r.tariff ? t('none') : r.tariff.note === 'no-output' ? t('noOutput') : `+${num(r.tariff.markupYuanPerKwh, 2)}`),
    },
    { key: 'month', label: `${t('month')} (tce)`, numeric: true, sort: (r) => r.monthTce, cell: (r) => num(r.monthTce, 1) },
    {
      key: 'alarms',
      label: t('openAlarms'),
      numeric: true,
      sort: (r) => r.alarms.critical * 1000 + r.alarms.warning,
      // Critical / warning, open (active or acknowledged): the set the filtered alarm page lists.
      cell: (r) =>
        r.alarms.critical + r.alarms.warning === 0
          ? '0'
          : h(
              'a',
              { href: alarmsHref({ severities: ['critical', 'warning'], enterprise: r.id }), title: t('openAlarmsLegend') },
              `${r.alarms.critical} / ${r.alarms.warning}`,
            ),
    },
  ];

  replace(
    ctx.main,
    pageHeader(t('overview'), `${t('asOf')} ${time(o.at)}`, `${t('timezone')} ${o.timezone}`, `${t('basis')}: ${t(o.electricityBasis)}`),
    h(
      'div',
      { className: 'cards' },
      card(t('today'), qty(o.today.dualControlTce, 'tce', 1), `${t('raisedToday')} ${num(o.today.alarmsRaised, 0)}`),
      card(t('monthToDate'), qty(o.month.dualControlTce, 'tce', 1), `${t('period')} ${time(o.month.from)} – ${time(o.month.to)}`),
      card(t('yearToDate'), qty(o.ytd.dualControlTce, 'tce', 1), `${t('period')} ${time(o.ytd.from)} – ${time(o.ytd.to)}`),
      card(t('quotaTotal'), qty(o.ytd.quotaTotalTce, 'tce', 0), `${o.year}`),
      card(t('shareOfQuota'), pct(o.ytd.share), `${t('yearToDate')} / ${t('quotaTotal')}`),
      // One CO2 figure on the page: the carbon rules' (process CO2, green certificates) when there.
      carbon ? carbonTile(carbon) : card(t('co2'), qty(o.ytd.co2Kg / 1000, 't CO₂', 1), t('yearToDate')),
      // The counts open the alarm list filtered to what they count (the same open warning and critical alarms).
      card(
        t('openAlarms'),
        h(
          'a',
          { id: 'open-alarms-link', href: alarmsHref({ severities: ['critical', 'warning'] }), title: t('openAlarmsLegend') },
          num(openAlarms, 0),
        ),
        h('a', { id: 'critical-alarms-link', href: alarmsHref({ severities: ['critical'] }) }, `${t('critical')} ${num(critical, 0)}`),
      ),
    ),
    h('div', { className: 'grid2' }, section('byCarrier', carrierChart), section('byIndustry', industryChart)),
    periodPanel,
    ...parkTable(o),
    h(
      'section',
      { className: 'panel' },
      sortableTable('enterprise-table', `${t('enterprises')} (${o.enterprises.length})`, columns, o.enterprises, { key: 'level', dir: 1 }),
    ),
    lightLegend(o.thresholds),
  );

  // The two bar charts share their frame: colours, tooltip in tce, legend on top, room for the
  // longest axis label (issue 21: "210,000" was clipped), save-as-image and data view (charts.ts).
  // The month and the year to date each have their own axis: on one scale the month's bars vanish.
  const frame = {
    color: PALETTE,
    tooltip: { trigger: 'axis' as const, valueFormatter: (v: unknown) => qty(Number(v), 'tce', 2) },
    legend: { top: 0, left: 8 },
    grid: { left: 16, right: 48, bottom: 16, top: 76, containLabel: true },
  };
  const axis = (name: string, color: string) => ({
    type: 'value' as const,
    name: `${name} (tce)`,
    nameTextStyle: { color },
    axisLabel: { color, hideOverlap: true },
    splitLine: { show: name === t('month') },
  });
  const monthAxis = axis(t('month'), PALETTE[0]!);
  // The month's bars are this month to date, never a whole month: hatched and named in progress, as
  // the bucket in progress on the meter and enterprise charts (legend, tooltip and data view say so).
  const month = {
    name: `${t('month')} ${time(o.month.from).slice(0, 7)} · ${t('inProgress')}`,
    type: 'bar' as const,
    itemStyle: inProgressBar(),
  };
  const ytdAxis = axis(t('ytd'), PALETTE[1]!);
  // Energy only: feedstock and carriers with nothing this year stay off the chart.
  const carriers = energyCarriers(Object.keys(o.ytd.byCarrier), (c) => o.ytd.byCarrier[c]?.tce ?? 0);
  chart(carrierChart, {
    ...frame,
    xAxis: { type: 'category', data: carriers.map(carrierName), axisLabel: { interval: 0, rotate: carriers.length > 5 ? 30 : 0 } },
    yAxis: [monthAxis, ytdAxis],
    series: [
      { ...month, yAxisIndex: 0, data: carriers.map((c) => round(o.month.byCarrier[c]?.tce ?? 0)) },
      { name: t('ytd'), type: 'bar', yAxisIndex: 1, data: carriers.map((c) => round(o.ytd.byCarrier[c]?.tce ?? 0)) },
    ],
  });
  const industries = Object.keys(o.ytd.byIndustry);
  const industryOf = new Map(industries.map((c) => [industryLabel(c, o.industries[c]), c]));
  const openIndustry = (name: string) => {
    const code = industryOf.get(name);
    if (code) location.hash = industryHref(code);
  };
  chart(
    industryChart,
    {
      ...frame,
      // The month's axis at the bottom, the year's at the top, each in its series' colour.
      // Axis names centred along their axis: at the end they were clipped by the panel (issue 21).
      grid: { ...frame.grid, top: 96, bottom: 36, right: 24 },
      xAxis: [
        { ...monthAxis, position: 'bottom', nameLocation: 'middle', nameGap: 26 },
        { ...ytdAxis, position: 'top', nameLocation: 'middle', nameGap: 26 },
      ],
      yAxis: { type: 'category', data: industries.map((c) => industryLabel(c, o.industries[c])) },
      series: [
        { ...month, xAxisIndex: 0, data: industries.map((c) => round(o.month.byIndustry[c]?.dualControlTce ?? 0)) },
        { name: t('ytd'), type: 'bar', xAxisIndex: 1, data: industries.map((c) => round(o.ytd.byIndustry[c]?.dualControlTce ?? 0)) },
      ],
    },
    openIndustry,
  );

  // A new or cleared alarm changes the lights and counts: redraw (debounced).
  let timer: number | undefined;
  ctx.onLeave(
    ctx.live.on('alarm', () => {
      window.clearTimeout(timer);
      timer = window.setTimeout(() => ctx.refresh(), 500);
    }),
  );
  ctx.onLeave(() => window.clearTimeout(timer));
};

function round(v: number): number {
  return Math.round(v * 1000) / 1000;
}
