/**
 * The enterprise page's diagnosis panel (contract 11): a month picker and a meter selector (both in
 * the URL, #/enterprise/{id}/diagnosis/{YYYY-MM}[/{meter}]), base load against mean load, the
 * off-hours share with its schedule, peak/flat/valley shares with the schedule's source, anomalous
 * days and the days not judged, products' unit consumption by day with its trend; each figure with
 * the answer's own definition in the page's language. Choosing a month or a meter reloads the panel
 * only, not the page.
 */
import { api } from '../api';
import type { DiagnosisAnswer, Definition, DiagnosisProduct, ProductBenchmarkAt, TouSchedule, Weekday, WorkingHours } from '../benchmarkTypes';
import { mountCharts } from '../charts';
import { h, replace } from '../dom';
import { carrierName, num, pct, signedQty, time } from '../format';
import { lang, t, tOr } from '../i18n';
import type { MeterInfo } from '../types';
import { digits, fig, productName } from './benchmarkFormat';
import { dailyChart, hourOfDayChart, productChart, touChart } from './diagnosisCharts';

export interface DiagnosisInput {
  readonly enterprise: string;
  readonly meters: readonly MeterInfo[];
  /** YYYY-MM; the picker goes up to `maxMonth` (the server's current month). */
  readonly month: string;
  readonly maxMonth: string;
  readonly meter: string | null;
  /**
   * The benchmark row of a product (the enterprise's benchmark answer): its metric is the figure the
   * daily chart shows, its names head the chart in the page's language (the id is not a label).
   */
  readonly productOf: (product: string) => BenchmarkProduct | undefined;
}

/** What the panel reads of a product's benchmark row. */
export type BenchmarkProduct = Pick<ProductBenchmarkAt, 'product' | 'metric' | 'name' | 'nameEn'>;

const WEEKDAYS: readonly Weekday[] = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];

/** "ⓘ 定义" that opens the answer's definition in the page's language. */
function definition(d: Definition): HTMLElement {
  const text = lang() === 'en' ? d.en : d['zh-CN'];
  return h('details', { className: 'definition' }, h('summary', { title: text }, `ⓘ ${t('definition')}`), h('p', {}, text));
}

function scheduleText(s: WorkingHours): string {
  if (s === 'continuous') return t('continuous');
  return WEEKDAYS.map((d) => `${tOr(`wd_${d}`, d)} ${s[d]?.join(', ') || t('closedDay')}`).join('; ');
}

function touText(s: TouSchedule): string {
  const parts = (['sharp', 'peak', 'flat', 'valley'] as const).filter((p) => s[p].length > 0).map((p) => `${tOr(`tou_${p}`, p)} ${s[p].join(', ')}`);
  const sharp = s.sharp.length > 0 ? ` (${s.sharpMonths.join(', ')})` : '';
  return `${parts.join(' · ')}${sharp} — ${s.name}: ${s.source}`;
}

function figureCard(id: string, label: string, value: string, sub: (string | HTMLElement | null)[], def: Definition): HTMLElement {
  return h(
    'div',
    { className: 'card', id },
    h('div', { className: 'label' }, label),
    h('div', { className: 'value' }, value),
    ...sub.map((s) => (s === null ? null : h('div', { className: 'sub' }, s))),
    definition(def),
  );
}

function cards(d: DiagnosisAnswer): HTMLElement {
  const b = d.baseLoad;
  const o = d.offHours;
  const tou = d.timeOfUse;
  const shares = tou.shares;
  return h(
    'div',
    { className: 'cards' },
    figureCard(
      'diag-base',
      `${t('baseLoad')} (P${b.percentile})`,
      fig(b.baseLoad, b.unit),
      [
        `${t('meanLoad')} ${fig(b.meanLoad, b.unit)} · ${t('baseToMean')} ${pct(b.ratio)}`,
        t('hoursWithData', { n: b.hoursWithData, total: b.hoursInPeriod }),
      ],
      b.definition,
    ),
    figureCard(
      'diag-off',
      t('offHours'),
      pct(o.share),
      [
        `${fig(o.offHoursQuantity, o.unit)} / ${fig(o.totalQuantity, o.unit)}`,
        `${t('workingSchedule')} (${tOr(`scheduleFrom_${o.scheduleFrom}`, o.scheduleFrom)}): ${scheduleText(o.schedule)}`,
      ],
      o.definition,
    ),
    figureCard(
      'diag-tou',
      t('touShares'),
      shares ? `${pct(shares.peak)} / ${pct(shares.flat)} / ${pct(shares.valley)}` : t('none'),
      [shares && shares.sharp > 0 ? `${t('tou_sharp')} ${pct(shares.sharp)}` : null, tou.note],
      tou.definition,
    ),
  );
}

function anomalyTable(d: DiagnosisAnswer): HTMLElement {
  const a = d.anomalies;
  const body =
    a.days.length === 0
      ? h('p', { id: 'no-anomalies' }, t('noAnomalies'))
      : h(
          'div',
          { className: 'table-wrap' },
          h(
            'table',
            { className: 'data', id: 'anomaly-table' },
            h('caption', {}, `${t('anomalousDays')} (${a.days.length})`),
            h(
              'thead',
              {},
              h(
                'tr',
                {},
                [
                  t('date'),
                  t('direction'),
                  `${t('dailyValue')} (${a.unit})`,
                  `${t('sameWeekdayMedian')} (${a.unit})`,
                  t('deviationScore'),
                  `${t('excessTce')} (tce)`,
                ].map((c, i) => h('th', { scope: 'col', className: i >= 2 ? 'num' : '' }, c)),
              ),
            ),
            h(
              'tbody',
              {},
              a.days.map((x) =>
                h(
                  'tr',
                  { 'data-date': x.date },
                  h('td', {}, `${x.date} ${tOr(`wd_${x.weekday}`, x.weekday)}`),
                  h(
                    'td',
                    {},
                    h(
                      'span',
                      { className: `direction ${x.direction}` },
                      `${x.direction === 'above' ? '▲' : '▼'} ${tOr(`dir_${x.direction}`, x.direction)}`,
                    ),
                  ),
                  h('td', { className: 'num' }, num(x.value, digits(x.value))),
                  h('td', { className: 'num' }, num(x.median, digits(x.median))),
                  h('td', { className: 'num' }, x.score === null ? t('none') : num(x.score, 1)),
                  h('td', { className: 'num' }, x.excessTce === null ? t('none') : signedQty(x.excessTce, '', digits(x.excessTce))),
                ),
              ),
            ),
          ),
        );
  const notJudged = a.notJudged.map((n) =>
    h(
      'li',
      {},
      `${n.date}: ${n.reason === 'insufficient-history' ? t('reason_insufficient-history', { n: n.historyDays }) : t(`reason_${n.reason}`)}`,
    ),
  );
  return h(
    'div',
    { id: 'diag-anomalies' },
    h('h3', { className: 'sub-head' }, `${t('anomalousDays')} · ${t('judgedDays', { n: a.judgedDays })}`),
    body,
    definition(a.definition),
    notJudged.length > 0
      ? h('details', { id: 'not-judged' }, h('summary', {}, `${t('notJudged')} (${notJudged.length})`), h('ul', {}, notJudged))
      : null,
  );
}

function productBlock(p: DiagnosisProduct, row: BenchmarkProduct | undefined): HTMLElement {
  const kwh = row?.metric === 'kwh_ac_per_t';
  // A product without a benchmark row has no configured name: its id, shown as an id.
  const name = row ? productName(row) : h('code', { className: 'id' }, p.product);
  const field = kwh ? 'kwhAcPerUnit' : 'kgcePerUnit';
  const unit = `${kwh ? 'kWh' : 'kgce'}/${p.unit ?? 't'}`;
  const trend = p.trend[field];
  const el = h('div', {
    className: 'chart',
    id: `chart-product-day-${p.product}`,
    role: 'img',
    'aria-label': `${row ? productName(row) : p.product}: ${t('productDays')}`,
  });
  if (p.days.length > 0) productChart(el, p, field, unit);
  return h(
    'div',
    { className: 'diag-product', 'data-product': p.product },
    h('h3', { className: 'sub-head' }, `${t('productDays')}: `, name),
    h(
      'p',
      { className: 'meta trend' },
      trend
        ? `${t('slope')} ${signedQty(trend.slopePerDay, `${unit}${t('perDay')}`, digits(trend.slopePerDay))} · ${t('relativeChange')} ${pct(trend.relativeChange)} · ${trend.days} ${t('days')}`
        : p.days.length === 0
          ? `${t('noProductDays')}${p.note ? ` (${p.note})` : ''}`
          : t('none'),
      ` · ${t('boundaryMeters')}: ${p.boundary.join(', ') || t('none')}`,
    ),
    p.days.length > 0 ? el : null,
    definition(p.definition),
  );
}

function body(d: DiagnosisAnswer, input: DiagnosisInput): (HTMLElement | null)[] {
  const charts = {
    tou: h('div', { className: 'chart short', id: 'chart-tou', role: 'img', 'aria-label': t('touShares') }),
    hours: h('div', { className: 'chart', id: 'chart-hour-of-day', role: 'img', 'aria-label': t('hourOfDay') }),
    daily: h('div', { className: 'chart', id: 'chart-daily-median', role: 'img', 'aria-label': t('dailyVsMedian') }),
  };
  touChart(charts.tou, d.timeOfUse);
  hourOfDayChart(charts.hours, d.baseLoad);
  dailyChart(charts.daily, d.anomalies);
  const meter = d.meter === null ? null : input.meters.find((m) => m.id === d.meter);
  return [
    h(
      'p',
      { className: 'meta', id: 'diag-scope' },
      `${meter ? `${t('drillDown')}: ${meter.id}${meter.name ? ` · ${meter.name}` : ''} (${carrierName(meter.carrier)})` : t('wholeEnterprise')} · ${time(d.from)} – ${time(d.to)}`,
      d.complete ? '' : ` · ${t('incompleteMonth', { to: time(d.to) })}`,
      ` · ${t('meters')}: ${d.meters.join(', ')}`,
    ),
    cards(d),
    h(
      'div',
      { className: 'grid2' },
      h('div', {}, h('h3', { className: 'sub-head' }, t('hourOfDay')), charts.hours),
      h('div', {}, h('h3', { className: 'sub-head' }, t('dailyVsMedian')), charts.daily),
    ),
    d.timeOfUse.shares
      ? h(
          'div',
          { id: 'diag-tou-chart' },
          h('h3', { className: 'sub-head' }, t('touShares')),
          charts.tou,
          h(
            'p',
            { className: 'meta', id: 'tou-schedule' },
            `${t('touSchedule')} (${tOr(`scheduleFrom_${d.timeOfUse.scheduleFrom}`, '')}): ${touText(d.timeOfUse.schedule)}`,
          ),
        )
      : null,
    anomalyTable(d),
    ...d.products.map((p) => productBlock(p, input.productOf(p.product))),
  ];
}

function controls(input: DiagnosisInput, reload: (month: string, meter: string | null) => void): HTMLElement {
  const month = h('input', { id: 'diagnosis-month', type: 'month', value: input.month, max: input.maxMonth, required: true });
  const meter = h(
    'select',
    { id: 'diagnosis-meter' },
    h('option', { value: '', ...(input.meter === null && { selected: true }) }, t('wholeEnterprise')),
    input.meters.map((m) =>
      h(
        'option',
        { value: m.id, ...(m.id === input.meter && { selected: true }) },
        `${m.id}${m.name ? ` · ${m.name}` : ''} (${carrierName(m.carrier)})`,
      ),
    ),
  );
  const go = () => {
    if (/^\d{4}-\d{2}$/.test(month.value) && month.value <= input.maxMonth) reload(month.value, meter.value || null);
  };
  month.addEventListener('change', go);
  meter.addEventListener('change', go);
  return h(
    'div',
    { className: 'filters' },
    h('label', { for: 'diagnosis-month' }, t('diagnosisMonth')),
    month,
    h('label', { for: 'diagnosis-meter' }, t('drillDown')),
    meter,
  );
}

/** The month before YYYY-MM. */
export function previousMonth(month: string): string {
  const [y, m] = month.split('-').map(Number) as [number, number];
  return m === 1 ? `${y - 1}-12` : `${y}-${String(m - 1).padStart(2, '0')}`;
}

export function diagnosisUrl(enterprise: string, month: string, meter: string | null): string {
  return `/api/enterprises/${encodeURIComponent(enterprise)}/diagnosis?month=${month}${meter ? `&meter=${encodeURIComponent(meter)}` : ''}`;
}

/** The panel with its first answer (or the error of it); later choices reload it in place. */
export function diagnosisPanel(first: DiagnosisAnswer | Error, input: DiagnosisInput): HTMLElement {
  const content = h('div', { className: 'diag-body', 'aria-live': 'polite' });
  const show = (d: DiagnosisAnswer | Error, shown: DiagnosisInput) => {
    if (d instanceof Error) replace(content, h('p', { className: 'problem', role: 'alert' }, d.message));
    else replace(content, body(d, shown));
  };
  let asked = 0;
  const reload = (month: string, meter: string | null) => {
    const mine = ++asked;
    const next = { ...input, month, meter };
    // The choice goes into the URL (a link that can be kept) without re-rendering the whole page.
    history.pushState(
      null,
      '',
      `#/enterprise/${encodeURIComponent(input.enterprise)}/diagnosis/${month}${meter ? `/${encodeURIComponent(meter)}` : ''}`,
    );
    content.setAttribute('aria-busy', 'true');
    api<DiagnosisAnswer>(diagnosisUrl(input.enterprise, month, meter))
      .catch((err: unknown) => (err instanceof Error ? err : new Error(String(err))))
      .then((d) => {
        if (mine !== asked) return;
        content.removeAttribute('aria-busy');
        show(d, next);
        mountCharts();
      })
      .catch(() => undefined);
  };
  show(first, input);
  return h('section', { className: 'panel', id: 'diagnosis' }, h('h2', {}, t('diagnosis')), controls(input, reload), content);
}
