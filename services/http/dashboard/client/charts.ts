/** Apache ECharts, loaded from this server (/static/vendor/echarts.min.js), sized to its box. */
import type * as Echarts from 'echarts';

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
  c.setOption({ animation: false, textStyle: { fontFamily: 'inherit' }, ...option });
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
