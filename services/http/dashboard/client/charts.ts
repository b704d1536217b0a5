/** Apache ECharts, loaded from this server (/static/vendor/echarts.min.js), sized to its box. */
import type * as Echarts from 'echarts';
import { t } from './i18n';

declare global {
  interface Window {
    echarts: typeof Echarts;
  }
}

export type ChartOption = Echarts.EChartsOption;

const live = new Set<{ chart: Echarts.ECharts; observer: ResizeObserver }>();
let pending: { el: HTMLElement; option: ChartOption; onClick?: (name: string) => void }[] = [];

/**
 * Draws a chart in `el`, or, while `el` is not yet in the document (a page is built off-screen
 * and swapped in whole), once mountCharts() runs: ECharts needs the box's size.
 */
export function chart(el: HTMLElement, option: ChartOption, onClick?: (name: string) => void): void {
  if (el.isConnected) init(el, option, onClick);
  else pending.push({ el, option, ...(onClick && { onClick }) });
}

/** Draws the waiting charts now in the document; drops those of pages that were discarded. */
export function mountCharts(): void {
  const waiting = pending;
  pending = [];
  for (const p of waiting) if (p.el.isConnected) init(p.el, p.option, p.onClick);
}

/** `onClick`: a click on a data item, with its category name (drill-down). */
function init(el: HTMLElement, option: ChartOption, onClick?: (name: string) => void): void {
  const c = window.echarts.init(el, undefined, { renderer: 'canvas' });
  // Every chart can be saved as an image and read as a table (issue 21); a chart may bring its own toolbox.
  c.setOption({ animation: false, textStyle: { fontFamily: 'inherit' }, toolbox: toolbox(el.id || 'chart'), ...option });
  if (onClick) c.on('click', (p) => onClick(p.name));
  const observer = new ResizeObserver(() => c.resize());
  observer.observe(el);
  live.add({ chart: c, observer });
}

/** Called when a page is left: charts hold listeners and canvases. */
export function disposeCharts(): void {
  for (const { chart: c, observer } of live) {
    observer.disconnect();
    c.dispose();
  }
  live.clear();
}

export const PALETTE = ['#2f6fbf', '#d9822b', '#3c9d5d', '#8e5bb5', '#c23b3b', '#5a6b7b', '#1e9aa6', '#b5a02b'];

/** ECharts' save-as-image and data view, labelled in the page's language. */
export function toolbox(fileName: string): NonNullable<ChartOption['toolbox']> {
  return {
    right: 8,
    feature: {
      saveAsImage: { title: t('saveImage'), name: fileName, backgroundColor: '#ffffff' },
      dataView: { title: t('dataView'), readOnly: true, lang: [t('dataView'), t('dataViewClose'), t('dataViewRefresh')] },
    },
  };
}

/** Carriers an energy chart shows: not feedstock (raw material, outside energy use) and not all zero. */
export function energyCarriers(carriers: Iterable<string>, tceOf: (carrier: string) => number): string[] {
  return [...new Set(carriers)].filter((c) => !c.startsWith('feedstock_') && tceOf(c) > 0);
}

/** The period still in progress, drawn as a shaded band with its label (its bar is not comparable). */
export function inProgressArea(label: string | undefined): Record<string, unknown> {
  if (label === undefined) return {};
  return {
    markArea: {
      silent: true,
      itemStyle: { color: 'rgba(47, 111, 191, 0.10)' },
      label: { show: true, position: 'insideTop', formatter: t('inProgress'), fontSize: 10, color: '#5a6b7b' },
      data: [[{ xAxis: label }, { xAxis: label }]],
    },
  };
}

/** A bar of a period still in progress, pale and hatched as on the meter page: its height is not comparable. */
export function inProgressBar(): { color: string; decal: Record<string, unknown> } {
  return { color: '#a9c3e6', decal: { symbol: 'rect', dashArrayX: [1, 0], dashArrayY: [2, 4], rotation: -Math.PI / 4 } };
}
