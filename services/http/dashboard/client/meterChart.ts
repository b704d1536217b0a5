/**
 * The meter page's history chart: one bar per hour, day or month in the meter's unit; the bucket
 * still in progress drawn pale, hatched and labelled (its bar is not comparable to the others), and
 * ECharts' save-as-image and data view (issue 21, charts a reader can use).
 */
import { PALETTE, toolbox, type ChartOption } from './charts';
import { qty, time } from './format';
import { t } from './i18n';
import type { MeterHistory } from './types';

const PARTIAL = '#a9c3e6';

/** Bucket labels: hours of a day, day and hour of a week, days of a month, months of a year. */
function label(iso: string, every: MeterHistory['every'], span: 'day' | 'more'): string {
  const full = time(iso);
  if (every === '1mo') return full.slice(0, 7);
  if (every === '1d') return full.slice(5, 10);
  return span === 'day' ? full.slice(11, 16) : `${full.slice(5, 10)} ${full.slice(11, 13)}`;
}

export function meterChartOption(m: MeterHistory, fileName: string): ChartOption {
  const span = m.every === '1h' && m.series.length <= 25 ? 'day' : 'more';
  const labels = m.series.map((s) => label(s.time, m.every, span));
  const partial = m.series.findIndex((s) => !s.complete);
  const digits = Math.abs(m.total) >= 1000 ? 0 : 2;
  return {
    color: PALETTE,
    grid: { left: 8, right: 24, bottom: 8, top: 48, containLabel: true },
    tooltip: {
      trigger: 'axis',
      valueFormatter: (v: unknown) => (v === null || v === undefined || v === '-' ? t('noData') : qty(Number(v), m.unit, digits)),
    },
    toolbox: toolbox(fileName),
    xAxis: { type: 'category', data: labels, axisLabel: { hideOverlap: true } },
    yAxis: { type: 'value', name: m.unit, nameTextStyle: { align: 'left' } },
    series: [
      {
        name: `${t('meterHistory')} (${m.unit})`,
        type: 'bar',
        data: m.series.map((s) => ({
          value: s.quantity ?? '-',
          ...(!s.complete && {
            itemStyle: { color: PARTIAL, decal: { symbol: 'rect', dashArrayX: [1, 0], dashArrayY: [2, 4], rotation: -Math.PI / 4 } },
          }),
        })),
        ...(partial >= 0 && {
          markArea: {
            silent: true,
            itemStyle: { color: 'rgba(47, 111, 191, 0.08)' },
            // No label inside: a one-bar area is too narrow for it at 768 px; the legend line under the chart names it.
            label: { show: false },
            data: [[{ xAxis: labels[partial] }, { xAxis: labels[labels.length - 1] }]],
          },
        }),
      },
    ],
  };
}
