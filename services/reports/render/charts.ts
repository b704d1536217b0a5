/**
 * Report charts as SVG, drawn on the server with Apache ECharts' server-side renderer (no DOM, no
 * browser): the HTML page inlines the SVG and the PDF draws the same SVG with svg-to-pdfkit, so
 * both show the same picture. Output is deterministic: animation off, and the ids ECharts numbers
 * from a process-wide counter are renumbered per chart.
 */
import * as echarts from 'echarts';
import type { MonthlyReport } from '../reportModel';
import type { Language } from './labels';
import { carrierName, formatValue, pick } from './labels';
import { splitCarriers } from './carrierTables';

export type ChartId = 'enterpriseTce' | 'carrierTce';

export interface ChartSvg {
  readonly id: ChartId;
  readonly title: string;
  readonly svg: string;
  /** SVG user units (= CSS px in HTML, pt when drawn in the PDF). */
  readonly width: number;
  readonly height: number;
}

/** CJK-capable families first: the Debian fonts the PDF embeds, then common desktop fonts. */
export const CHART_FONT_FAMILY = 'WenQuanYi Micro Hei, Noto Sans CJK SC, Microsoft YaHei, PingFang SC, sans-serif';
/** Bars beyond this many enterprises would be unreadable; the tables carry every enterprise. */
export const MAX_BARS = 20;
export const CHART_WIDTH = 720;

type Option = Parameters<echarts.ECharts['setOption']>[0];

function renderSvg(id: ChartId, option: Option, width: number, height: number): string {
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width, height });
  try {
    chart.setOption({ animation: false, textStyle: { fontFamily: CHART_FONT_FAMILY }, ...option });
    return withoutTextHalo(renumberIds(chart.renderToSVGString(), id));
  } finally {
    chart.dispose();
  }
}

/**
 * ECharts names CSS classes `zr<instance>-cls-<n>` from global counters, so the same report would
 * give different SVG on each call, and two charts inlined in one page could share a class name.
 */
function renumberIds(svg: string, id: ChartId): string {
  const names = new Map<string, string>();
  return svg.replace(/zr\d+-cls-\d+/g, (m) => {
    let name = names.get(m);
    if (name === undefined) {
      name = `${id}-c${names.size}`;
      names.set(m, name);
    }
    return name;
  });
}

/**
 * ECharts outlines labels with a white halo drawn under the glyphs (`paint-order="stroke"`);
 * svg-to-pdfkit ignores paint-order and paints the stroke over the glyphs, which hides the text in
 * the PDF. Labels sit on a white background here, so the halo is dropped for both outputs.
 */
function withoutTextHalo(svg: string): string {
  return svg.replace(/<text\b[^>]*>/g, (tag) => tag.replace(/\s(stroke|stroke-width|paint-order|stroke-miterlimit)="[^"]*"/g, ''));
}

/** Horizontal bars of each enterprise's dual-control total, largest first. */
export function enterpriseTceChart(report: MonthlyReport, lang: Language): ChartSvg {
  const sorted = [...report.enterprises].sort((a, b) => b.totalTce - a.totalTce).slice(0, MAX_BARS);
  const height = 70 + 30 * Math.max(sorted.length, 1);
  const more = report.enterprises.length > sorted.length;
  const title = pick(
    lang,
    `企业能耗总量（双控，tce）${more ? `，前 ${MAX_BARS} 家` : ''}`,
    `Dual-control total by enterprise (tce)${more ? `, top ${MAX_BARS}` : ''}`,
  );
  const svg = renderSvg(
    'enterpriseTce',
    {
      grid: { left: 10, right: 90, top: 20, bottom: 30, containLabel: true },
      xAxis: { type: 'value', name: 'tce', nameLocation: 'end' },
      // inverse: the first category (the largest consumer) at the top.
      yAxis: { type: 'category', inverse: true, data: sorted.map((e) => e.name), axisLabel: { interval: 0 } },
      series: [
        {
          type: 'bar',
          data: sorted.map((e) => e.totalTce),
          barMaxWidth: 22,
          emphasis: { disabled: true },
          label: {
            show: true,
            position: 'right',
            formatter: (p: { value?: unknown }) => (typeof p.value === 'number' ? formatValue('tce', p.value, lang) : ''),
          },
        },
      ],
    },
    CHART_WIDTH,
    height,
  );
  return { id: 'enterpriseTce', title, svg, width: CHART_WIDTH, height };
}

/**
 * The district's dual-control total by carrier, as a pie: only carriers counted in the total
 * (feedstock and renewable electricity are listed apart, carrierTables.ts), and none with no
 * consumption, so the slices add up to the total the report states.
 */
export function carrierTceChart(report: MonthlyReport, lang: Language): ChartSvg {
  const data = splitCarriers(report)[0]
    .filter((c) => c.tce > 0 && c.quantity > 0)
    .map((c) => ({ name: carrierName(c.key, lang), value: c.tce }));
  const height = 280;
  const title = pick(lang, '全区能耗总量（双控）构成，按能源品种（tce）', 'District dual-control total by carrier (tce)');
  const svg = renderSvg(
    'carrierTce',
    {
      legend: { orient: 'vertical', left: 10, top: 20 },
      series: [
        {
          type: 'pie',
          radius: ['0%', '62%'],
          center: ['60%', '52%'],
          data,
          emphasis: { disabled: true },
          label: {
            formatter: (p: { name?: string; value?: unknown; percent?: number }) =>
              `${p.name ?? ''}\n${typeof p.value === 'number' ? formatValue('tce', p.value, lang) : ''} tce (${(p.percent ?? 0).toFixed(1)}%)`,
          },
        },
      ],
    },
    CHART_WIDTH,
    height,
  );
  return { id: 'carrierTce', title, svg, width: CHART_WIDTH, height };
}

export function renderCharts(report: MonthlyReport, lang: Language): readonly ChartSvg[] {
  return [enterpriseTceChart(report, lang), carrierTceChart(report, lang)];
}
