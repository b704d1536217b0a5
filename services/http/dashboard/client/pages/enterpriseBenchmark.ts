/**
 * The enterprise page's benchmark card (contract 10): per product the unit consumption against the
 * benchmark and baseline levels (a bar with the two level lines), tier, quantity, savings in tce and
 * t CO2, deadline, year to date and the last 12 complete months side by side, the boundary meters
 * and the months whose output is the entered one.
 */
import type { BenchmarkPeriodAt, ProductBenchmarkAt } from '../benchmarkTypes';
import { chart } from '../charts';
import { h } from '../dom';
import { monthRuns, num, time } from '../format';
import { t } from '../i18n';
import { day, digits, fig, level, outputUnit, productName, secUnit, tierLight } from './benchmarkFormat';

/** The two periods as bars against the level lines; the axis reaches past the baseline so both lines show. */
function levelsChart(el: HTMLElement, p: ProductBenchmarkAt): void {
  const unit = secUnit(p.metric);
  const periods = [
    { name: t('period_ytd'), sec: p.sec },
    { name: t('period_rolling12'), sec: p.rolling12.sec },
  ];
  const top = Math.max(p.baseline, ...periods.map((x) => x.sec ?? 0));
  const line = (value: number, label: string, color: string) => ({
    xAxis: value,
    label: { formatter: `${label} ${level(value)}`, position: 'end' as const },
    lineStyle: { color, type: 'dashed' as const, width: 2 },
  });
  chart(el, {
    tooltip: { trigger: 'axis', valueFormatter: (v) => fig(Number(v), unit) },
    grid: { left: 8, right: 24, bottom: 28, top: 28, containLabel: true },
    xAxis: { type: 'value', name: unit, nameLocation: 'middle', nameGap: 22, min: 0, max: Math.ceil(top * 1.08) },
    yAxis: { type: 'category', data: periods.map((x) => x.name), inverse: true },
    series: [
      {
        name: t('sec'),
        type: 'bar',
        barWidth: 16,
        // A period without output has no bar (null), never a bar at 0.
        data: periods.map((x) => ({
          value: x.sec ?? '-',
          itemStyle: { color: x.sec === null ? '#999' : x.sec <= p.benchmark ? '#3c9d5d' : x.sec <= p.baseline ? '#d9a62b' : '#c23b3b' },
        })),
        label: { show: true, position: 'insideRight', color: '#fff', formatter: (v) => num(Number(v.value), digits(Number(v.value))) },
        markLine: {
          symbol: 'none',
          silent: true,
          data: [line(p.benchmark, t('benchmarkLevel'), '#3c9d5d'), line(p.baseline, t('baselineLevel'), '#c23b3b')],
        },
      },
    ],
  });
}

/** One row of the side-by-side table: a label and the figure of each period. */
function row(label: string, cell: (f: BenchmarkPeriodAt) => HTMLElement | string, p: ProductBenchmarkAt, key: string): HTMLElement {
  return h(
    'tr',
    { 'data-row': key },
    h('th', { scope: 'row' }, label),
    h('td', { className: 'num' }, cell(p)),
    h('td', { className: 'num' }, cell(p.rolling12)),
  );
}

function productBlock(p: ProductBenchmarkAt): HTMLElement {
  const unit = secUnit(p.metric);
  const out = outputUnit(p.unit);
  const chartEl = h('div', {
    className: 'chart bullet',
    id: `chart-benchmark-${p.product}`,
    role: 'img',
    'aria-label': `${productName(p)}: ${t('levelsChart')}`,
  });
  const co2 = (f: BenchmarkPeriodAt) => (f.savingsCo2T === null && f.savingsTce !== null ? t('tceOnly') : fig(f.savingsCo2T, 't CO₂'));
  const block = h(
    'div',
    { className: 'benchmark-product', 'data-product': p.product },
    h('h3', { className: 'sub-head' }, `${productName(p)} (${p.product})`),
    h(
      'p',
      { className: 'meta' },
      `${t('benchmarkLevel')} ${level(p.benchmark, unit)} · ${t('baselineLevel')} ${level(p.baseline, unit)} · ${t('deadline')} ${p.deadline} · ${t('edition')} ${p.edition}`,
    ),
    chartEl,
    h(
      'div',
      { className: 'table-wrap' },
      h(
        'table',
        { className: 'data benchmark-periods', id: `benchmark-${p.product}` },
        h('caption', {}, `${productName(p)} · ${t('sec')} (${unit})`),
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            h('th', { scope: 'col' }, ''),
            h('th', { scope: 'col', className: 'num' }, t('period_ytd')),
            h('th', { scope: 'col', className: 'num' }, t('period_rolling12')),
          ),
        ),
        h(
          'tbody',
          {},
          row(t('benchmarkPeriod'), (f) => `${day(f.periodFrom)} – ${day(f.periodTo)}`, p, 'period'),
          row(t('sec'), (f) => (f.sec === null ? t('noOutputPeriod') : fig(f.sec, unit)), p, 'sec'),
          row(t('tiers'), (f) => tierLight(f.tier), p, 'tier'),
          row(t('quantityLabel'), (f) => fig(f.quantity, out), p, 'quantity'),
          row(t('savingsPotential'), (f) => fig(f.savingsTce, 'tce'), p, 'savings'),
          row(t('savingsCo2'), co2, p, 'co2'),
          row(t('co2PerTceBoundary'), (f) => fig(f.co2TPerTce, 't CO₂/tce'), p, 'co2PerTce'),
          row(t('months'), (f) => monthRuns(f.months), p, 'months'),
          row(t('enteredMonths'), (f) => (f.enteredMonths.length > 0 ? monthRuns(f.enteredMonths) : t('none')), p, 'entered'),
        ),
      ),
    ),
    h(
      'p',
      { className: 'meta boundary' },
      `${t('boundaryMeters')} (${t(p.boundary.default ? 'boundaryDefault' : 'boundaryConfigured')}): ${p.boundary.meters.join(', ') || t('none')} · ${t('source')} ${p.source}`,
    ),
  );
  levelsChart(chartEl, p);
  return block;
}

/** The benchmark card of the enterprise page; says so when the enterprise has no benchmarked product. */
export function benchmarkCard(products: readonly ProductBenchmarkAt[], at: string): HTMLElement {
  return h(
    'section',
    { className: 'panel', id: 'benchmark-card' },
    h('h2', {}, `${t('benchmarkCard')} · ${t('asOf')} ${time(at)}`),
    products.length === 0 ? h('p', {}, t('noBenchmarkProducts')) : products.map(productBlock),
    products.length === 0 ? null : h('p', { className: 'meta' }, t('benchmarkNote')),
  );
}
