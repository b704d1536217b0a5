/**
 * The diagnosis panel's charts (contract 11): time-of-use shares as one stacked bar, mean load by
 * clock hour against the base and mean load, daily consumption against the same-weekday median
 * (anomalous days in red), and a product's unit consumption by day with its least-squares line.
 */
import type { DiagnosisAnswer, DiagnosisProduct, TouPeriod } from '../benchmarkTypes';
import { chart, PALETTE } from '../charts';
import { num, pct } from '../format';
import { t, tOr } from '../i18n';
import { digits, fig } from './benchmarkFormat';

const TOU_ORDER: readonly TouPeriod[] = ['sharp', 'peak', 'flat', 'valley'];
const TOU_COLOURS: Record<TouPeriod, string> = { sharp: '#8e1b1b', peak: '#c23b3b', flat: '#d9a62b', valley: '#2f6fbf' };

export function touChart(el: HTMLElement, tou: DiagnosisAnswer['timeOfUse']): void {
  const shares = tou.shares;
  if (!shares) return;
  const periods = TOU_ORDER.filter((p) => p !== 'sharp' || shares.sharp > 0);
  chart(el, {
    tooltip: { trigger: 'item', valueFormatter: (v) => pct(Number(v)) },
    legend: { top: 0 },
    grid: { left: 8, right: 16, bottom: 8, top: 32, containLabel: true },
    xAxis: { type: 'value', max: 1, axisLabel: { formatter: (v: number) => pct(v, 0) } },
    yAxis: { type: 'category', data: [t('touShares')], show: false },
    series: periods.map((p) => ({
      name: tOr(`tou_${p}`, p),
      type: 'bar' as const,
      stack: 'tou',
      barWidth: 28,
      itemStyle: { color: TOU_COLOURS[p] },
      label: { show: shares[p] >= 0.06, color: '#fff', formatter: () => pct(shares[p]) },
      data: [shares[p]],
    })),
  });
}

/** Mean load by clock hour; absent from an older server's answer (no chart then). */
export function hourOfDayChart(el: HTMLElement, base: DiagnosisAnswer['baseLoad']): void {
  const profile = base.hourOfDay;
  if (!profile) return;
  const marks = [
    ...(base.baseLoad === null ? [] : [{ name: t('baseLoad'), yAxis: base.baseLoad, color: '#c23b3b' }]),
    ...(base.meanLoad === null ? [] : [{ name: t('meanLoad'), yAxis: base.meanLoad, color: '#5a6b7b' }]),
  ];
  chart(el, {
    color: [PALETTE[0]!],
    tooltip: { trigger: 'axis', valueFormatter: (v) => fig(v === null || v === undefined ? null : Number(v), base.unit) },
    grid: { left: 8, right: 16, bottom: 8, top: 28, containLabel: true },
    xAxis: { type: 'category', data: profile.map((_, hour) => `${String(hour).padStart(2, '0')}:00`) },
    yAxis: { type: 'value', name: base.unit },
    series: [
      {
        name: t('hourOfDay'),
        type: 'bar',
        data: profile.map((v) => v ?? '-'),
        markLine: {
          symbol: 'none',
          silent: true,
          data: marks.map((m) => ({
            yAxis: m.yAxis,
            label: { formatter: `${m.name} ${num(m.yAxis, digits(m.yAxis))}`, position: 'insideEndTop' as const },
            lineStyle: { color: m.color, type: 'dashed' as const },
          })),
        },
      },
    ],
  });
}

/** Each day with data against the median of its weekday's history; anomalous days in red. */
export function dailyChart(el: HTMLElement, a: DiagnosisAnswer['anomalies']): void {
  const series = a.series;
  if (!series) return;
  chart(el, {
    tooltip: { trigger: 'axis', valueFormatter: (v) => fig(v === null || v === undefined ? null : Number(v), a.unit) },
    legend: { top: 0 },
    grid: { left: 8, right: 16, bottom: 8, top: 36, containLabel: true },
    xAxis: { type: 'category', data: series.map((d) => d.date.slice(5)) },
    yAxis: { type: 'value', name: a.unit, scale: true },
    series: [
      {
        name: t('dailyValue'),
        type: 'bar',
        data: series.map((d) => ({ value: d.value, itemStyle: { color: d.anomalous ? '#c23b3b' : PALETTE[0] } })),
      },
      {
        name: t('sameWeekdayMedian'),
        type: 'line',
        lineStyle: { type: 'dashed' },
        itemStyle: { color: '#d9822b' },
        data: series.map((d) => d.median ?? '-'),
      },
    ],
  });
}

/**
 * Daily unit consumption of a product and its trend line. The answer gives the slope; an ordinary
 * least-squares line passes through the means, so the line is ȳ + slope × (x − x̄) over the days used.
 */
export function productChart(el: HTMLElement, p: DiagnosisProduct, field: 'kgcePerUnit' | 'kwhAcPerUnit', unit: string): void {
  const trend = p.trend[field];
  const xs = p.days.map((d) => Number(d.date.slice(8, 10)) - 1);
  const ys = p.days.map((d) => d[field]);
  const mean = (v: number[]) => v.reduce((s, x) => s + x, 0) / (v.length || 1);
  const xBar = mean(xs);
  const yBar = mean(ys);
  chart(el, {
    tooltip: { trigger: 'axis', valueFormatter: (v) => fig(v === null || v === undefined ? null : Number(v), unit) },
    legend: { top: 0 },
    grid: { left: 8, right: 16, bottom: 8, top: 36, containLabel: true },
    xAxis: { type: 'category', data: p.days.map((d) => d.date.slice(5)) },
    yAxis: { type: 'value', name: unit, scale: true },
    series: [
      { name: t('sec'), type: 'line', itemStyle: { color: PALETTE[0] }, data: ys },
      ...(trend
        ? [
            {
              name: t('trendLine'),
              type: 'line' as const,
              showSymbol: false,
              lineStyle: { type: 'dashed' as const },
              itemStyle: { color: '#c23b3b' },
              data: xs.map((x) => yBar + trend.slopePerDay * (x - xBar)),
            },
          ]
        : []),
    ],
  });
}
