/**
 * One enterprise: its status (quota, intensity, tariff), hourly and daily consumption per carrier,
 * the year-to-date line against the quota's pace line, unit consumption against the tariff
 * threshold, its carbon figures and energy-review projects (enterpriseCarbon.ts), and every meter
 * with its newest reading (updated live), completeness and silence.
 */
import { api } from '../api';
import { chart, energyCarriers, inProgressArea, PALETTE, type ChartOption } from '../charts';
import { pageHeader, type Page } from '../context';
import { h, replace } from '../dom';
import { t, tOr } from '../i18n';
import { carrierName, monthRuns, num, pct, qty, time } from '../format';
import type { EnterpriseProjects } from '../carbonTypes';
import { carbonPanel, projectsPanel } from './enterpriseCarbon';
import type { DiagnosisAnswer, ProductBenchmarkAt } from '../benchmarkTypes';
import { benchmarkCard } from './enterpriseBenchmark';
import { diagnosisPanel, diagnosisUrl, previousMonth } from './diagnosisPanel';
import { meterHref, readingText } from './meter';
import { breadcrumb } from '../breadcrumb';
import { coefficientItem, parameterItem } from '../sources';
import type { ConsumptionAnswer, EnterpriseInfo, EnterpriseStatus, MeterState, MetersAnswer } from '../types';
import { card, light, section, sortableTable, type Column } from '../widgets';
import { lightLegend, quotaTrouble, troubleLine, type LightThresholds } from '../trouble';
import { enterprisePeriodPanel } from './enterprisePeriod';

export const enterprisePage: Page = async (ctx) => {
  const id = ctx.params[0] ?? '';
  const base = `/api/enterprises/${encodeURIComponent(id)}`;
  const info = await api<EnterpriseInfo>(base);
  const status = await api<EnterpriseStatus>(`${base}/status`);
  const year = status.quota?.year ?? Number(status.at.slice(0, 4));
  const today = status.at.slice(0, 10);
  const [hourly, daily, ytdDaily, meters, projects] = await Promise.all([
    api<ConsumptionAnswer>(`${base}/consumption?every=1h&from=${today}`),
    api<ConsumptionAnswer>(`${base}/consumption?every=1d&from=${status.at.slice(0, 7)}-01`),
    api<ConsumptionAnswer>(`${base}/consumption?every=1d&from=${year}-01-01`),
    api<MetersAnswer>(`${base}/meters`),
    api<EnterpriseProjects>(`${base}/projects?at=${encodeURIComponent(status.at)}`),
  ]);
  // #/enterprise/{id}/diagnosis/{YYYY-MM}[/{meter}]; by default the last complete month.
  const thisMonth = status.at.slice(0, 7);
  const asked = ctx.params[1] === 'diagnosis' && /^\d{4}-\d{2}$/.test(ctx.params[2] ?? '') ? ctx.params[2]! : undefined;
  const diagnosisInput = {
    enterprise: id,
    meters: info.meters,
    month: asked && asked <= thisMonth ? asked : previousMonth(thisMonth),
    maxMonth: thisMonth,
    meter: info.meters.some((m) => m.id === ctx.params[3]) ? ctx.params[3]! : null,
  };
  const [benchmark, diagnosis, thresholds, periodPanel] = await Promise.all([
    api<ProductBenchmarkAt[]>(`${base}/benchmark?at=${encodeURIComponent(status.at)}`),
    api<DiagnosisAnswer>(diagnosisUrl(id, diagnosisInput.month, diagnosisInput.meter)).catch((err: unknown) =>
      err instanceof Error ? err : new Error(String(err)),
    ),
    // The legend is an addition: the page still draws without it.
    api<LightThresholds>('/api/district/thresholds').catch(() => null),
    // The period panel (issue 21, in the URL hash) is an addition too.
    enterprisePeriodPanel(id, status.at).catch(() => null),
  ]);

  const q = status.quota;
  const it = status.intensity;
  const tf = status.tariff;
  const charts = {
    hourly: h('div', { className: 'chart', id: 'chart-hourly', role: 'img', 'aria-label': t('hourly') }),
    daily: h('div', { className: 'chart', id: 'chart-daily', role: 'img', 'aria-label': t('daily') }),
    ytd: h('div', { className: 'chart', id: 'chart-ytd', role: 'img', 'aria-label': t('ytdVsPace') }),
    unit: h('div', { className: 'chart short', id: 'chart-unit', role: 'img', 'aria-label': t('unitVsThreshold') }),
  };

  const columns: Column<MeterState>[] = [
    { key: 'id', label: t('meter'), sort: (m) => m.id, cell: (m) => h('a', { href: meterHref(id, m.id) }, m.name ? `${m.id} · ${m.name}` : m.id) },
    { key: 'carrier', label: t('carrier'), sort: (m) => m.carrier, cell: (m) => `${carrierName(m.carrier)} (${m.unit})` },
    {
      key: 'value',
      label: t('lastReading'),
      numeric: true,
      sort: (m) => m.lastReading?.quantity ?? m.lastReading?.value ?? null,
      // The register x the multiplier in the meter's unit, the register beside it (issue 21).
      cell: (m) =>
        h(
          'span',
          { className: 'reading-value' },
          m.lastReading ? readingText(m.lastReading.value, m.lastReading.multiplier ?? 1, m.unit) : t('never'),
        ),
    },
    {
      key: 'ts',
      label: t('lastTime'),
      sort: (m) => m.lastReading?.ts ?? null,
      cell: (m) => h('span', { className: 'reading-time' }, time(m.lastReading?.ts)),
    },
    { key: 'today', label: t('completenessToday'), numeric: true, sort: (m) => m.completenessToday, cell: (m) => pct(m.completenessToday) },
    { key: 'month', label: t('completenessMonth'), numeric: true, sort: (m) => m.completenessMonth, cell: (m) => pct(m.completenessMonth) },
    {
      key: 'silence',
      label: t('silence'),
      sort: (m) => m.silentSeconds,
      cell: (m) =>
        h(
          'span',
          { className: `light ${m.silent ? 'red' : 'green'} silence` },
          h('span', { className: 'dot', 'aria-hidden': 'true' }),
          m.silent ? `${t('silent')} ${m.silentSeconds === null ? t('never') : `${num(m.silentSeconds / 60, 0)} ${t('minutes')}`}` : t('reporting'),
        ),
    },
  ];
  const meterTable = sortableTable(
    'meter-table',
    `${t('meters')} (${meters.meters.length}) · ${t('period')} ${time(meters.today.from)} – ${time(meters.at)}`,
    columns,
    meters.meters,
    undefined,
    (m) => ({ 'data-meter': m.id }),
  );

  const coefficients = hourly.coefficients.length > 0 ? hourly.coefficients : ytdDaily.coefficients;
  replace(
    ctx.main,
    // District › industry › this enterprise; an enterprise manager's path is their enterprise alone (breadcrumb.ts).
    h('div', { className: 'no-print' }, breadcrumb(ctx.session, { industry: info.industry, enterprise: { id: info.id, name: info.name } })),
    pageHeader(
      info.name,
      `${info.id}`,
      `${t('industry')} ${info.industry}`,
      `${t('asOf')} ${time(status.at)}`,
      `${t('timezone')} ${status.timezone}`,
      `${t('basis')}: ${t(status.electricityBasis === 'equal' ? 'equal' : 'equivalent')}`,
    ),
    // A printed page names the enterprise and the period its year-to-date figures cover (issue 21 item 6).
    h(
      'p',
      { className: 'print-only', id: 'print-period' },
      `${info.name} · ${t('period')} ${time(q?.periodFrom ?? `${year}-01-01`)} – ${time(status.at)}`,
    ),
    h(
      'div',
      { className: 'cards' },
      h(
        'div',
        { className: 'card', id: 'quota-card' },
        h('div', { className: 'label' }, `${t('dualControl')} ${q ? q.year : ''}`),
        h('div', { className: 'value' }, light(q?.level), ' ', q ? `${qty(q.ytdTce, 'tce', 1)} / ${qty(q.totalTce, 'tce', 0)}` : t('none')),
        q
          ? h(
              'div',
              { className: 'sub' },
              `${t('share')} ${pct(q.share)} · ${t('pace')} ${pct(q.pace)} · ${t('forecast')} ${qty(q.forecastTce, 'tce', 0)}`,
            )
          : null,
        q ? h('div', { className: 'sub' }, troubleLine(quotaTrouble(q), 'tce', 'quota-trouble')) : null,
      ),
      card(
        t('intensity'),
        it && it.intensity !== null ? qty(it.intensity, 'tce/万元', 3) : it ? t('noOutput') : t('none'),
        it && it.intensity !== null
          ? `${t('limit')} ${qty(it.limit, 'tce/万元', 3)} · ${pct(it.ratio)} · ${t('months')} ${monthRuns(it.months)}`
          : undefined,
      ),
      card(
        t('tariff'),
        tf ? (tf.note === 'no-output' ? t('noOutput') : `${t('markup')} +${num(tf.markupYuanPerKwh, 2)} 元/kWh`) : t('none'),
        tf
          ? `${t(unitKind(info, tf))} ${qty(tf.unitConsumption, tf.unit, 1)} · ${t('surcharge')} ${qty(tf.surchargeYuan, '元', 0)} · ${time(tf.periodFrom)} – ${time(tf.periodTo)}`
          : undefined,
      ),
    ),
    periodPanel,
    carbonPanel(status.carbon),
    lightLegend(thresholds, { carbon: !!status.carbon }),
    projectsPanel(projects),
    benchmarkCard(benchmark, status.at),
    diagnosisPanel(diagnosis, { ...diagnosisInput, productOf: (p) => benchmark.find((b) => b.product === p) }),
    h(
      'div',
      { className: 'grid2' },
      section('hourly', charts.hourly),
      section('daily', charts.daily),
      section('ytdVsPace', charts.ytd),
      section(unitKind(info, tf) === 'unitElectricity' ? 'unitElectricityVsThreshold' : 'unitVsThreshold', charts.unit, tariffNote(info, tf)),
    ),
    h('section', { className: 'panel' }, meterTable),
    h(
      'section',
      { className: 'panel' },
      h('h2', {}, t('parametersUsed')),
      h('ul', { className: 'coefficients' }, (status.parameters ?? []).map(parameterItem)),
      h('ul', { className: 'coefficients' }, coefficients.map(coefficientItem)),
    ),
  );

  // The hour and the day in progress are marked: their bars are not yet comparable (issue 21).
  chart(
    charts.hourly,
    stacked(hourly, (iso) => iso.slice(11, 16), status.at.slice(11, 13) + ':00'),
  );
  chart(
    charts.daily,
    stacked(daily, (iso) => iso.slice(5, 10), status.at.slice(5, 10)),
  );
  chart(charts.ytd, ytdChart(ytdDaily, q?.totalTce ?? null, year, today));
  chart(charts.unit, unitChart(info, tf));

  // Live: newest readings of this enterprise's meters, as they are stored.
  ctx.onLeave(
    ctx.live.on('readings', (readings) => {
      for (const r of readings) {
        if (r.enterprise !== id) continue;
        // Found at update time: a sort redraws the rows.
        const row = meterTable.querySelector<HTMLTableRowElement>(`tbody tr[data-meter="${CSS.escape(r.meter)}"]`);
        const meter = meters.meters.find((m) => m.id === r.meter);
        if (!row || !meter || r.quality === 'bad') continue;
        const value = row.querySelector('.reading-value');
        const at = row.querySelector('.reading-time');
        const multiplier = info.meters.find((x) => x.id === r.meter)?.multiplier ?? meter.lastReading?.multiplier ?? 1;
        // Kept in the rows' data too, so that a later sort draws (and sorts by) the newest reading.
        meter.lastReading = { ts: r.ts, value: r.value, quality: r.quality, multiplier, quantity: r.value * multiplier };
        if (value) value.textContent = readingText(r.value, multiplier, meter.unit);
        if (at) at.textContent = time(r.ts);
        row.classList.remove('fresh');
        void row.offsetWidth;
        row.classList.add('fresh');
      }
    }),
  );
};

/** `current`: the label of the bucket in progress (this hour, today), marked when it is drawn. */
function stacked(a: ConsumptionAnswer, label: (iso: string) => string, current: string): ChartOption {
  const times = [...new Set(a.series.map((s) => s.time))].sort();
  const labels = times.map(label);
  // Energy only: no feedstock, no carrier without consumption in the period.
  const carriers = energyCarriers(
    a.series.map((s) => s.carrier),
    (c) => a.series.filter((s) => s.carrier === c).reduce((sum, s) => sum + s.tce, 0),
  );
  return {
    color: PALETTE,
    tooltip: { trigger: 'axis', valueFormatter: (v) => qty(Number(v), 'tce', 4) },
    legend: { top: 0 },
    grid: { left: 8, right: 32, bottom: 8, top: 44, containLabel: true },
    xAxis: { type: 'category', data: labels },
    yAxis: { type: 'value', name: 'tce' },
    series: carriers.map((c, i) => ({
      name: carrierName(c),
      type: 'bar',
      stack: 'tce',
      ...(i === 0 && inProgressArea(labels.includes(current) ? current : undefined)),
      data: times.map((tm) => a.series.filter((s) => s.time === tm && s.carrier === c).reduce((sum, s) => sum + s.tce, 0)),
    })),
  };
}

function ytdChart(a: ConsumptionAnswer, quotaTce: number | null, year: number, today: string): ChartOption {
  // Every day from 1 January to today, so that the pace line sits at the right day of the year.
  const perDay = new Map<string, number>();
  for (const s of a.series) if (s.dualControl) perDay.set(s.time.slice(0, 10), (perDay.get(s.time.slice(0, 10)) ?? 0) + s.tce);
  const days: string[] = [];
  for (let d = Date.UTC(year, 0, 1); new Date(d).toISOString().slice(0, 10) <= today; d += 86_400_000)
    days.push(new Date(d).toISOString().slice(0, 10));
  let running = 0;
  const cumulative = days.map((d) => (running += perDay.get(d) ?? 0));
  const yearDays = (Date.UTC(year + 1, 0, 1) - Date.UTC(year, 0, 1)) / 86_400_000;
  // The pace line: the quota spread evenly over the year, at the end of each day.
  const pace = quotaTce === null ? [] : days.map((_, i) => (quotaTce * (i + 1)) / yearDays);
  return {
    color: ['#2f6fbf', '#c23b3b'],
    tooltip: { trigger: 'axis', valueFormatter: (v) => qty(Number(v), 'tce', 2) },
    legend: { top: 0 },
    grid: { left: 8, right: 32, bottom: 8, top: 44, containLabel: true },
    xAxis: { type: 'category', data: days.map((d) => d.slice(5)) },
    yAxis: { type: 'value', name: 'tce' },
    series: [
      { name: t('ytdLine'), type: 'line', showSymbol: false, data: cumulative },
      ...(quotaTce === null
        ? []
        : [{ name: t('paceLine'), type: 'line' as const, showSymbol: false, lineStyle: { type: 'dashed' as const }, data: pace }]),
    ],
  };
}

/** The threshold or limit in force for the status's basis period: the row the status names (dated rows, contract 8.2). */
function thresholdOf(info: EnterpriseInfo, tf: EnterpriseStatus['tariff']): { value: number; label: string } | null {
  const rule = info.tariffRule;
  if (!rule) return null;
  const label = rule.scheme === 'step' ? t('threshold') : t('limit');
  if (tf?.parameter) return { value: tf.parameter.value, label };
  const configured = rule.scheme === 'step' ? rule.threshold : rule.limit;
  return typeof configured === 'number' ? { value: configured, label } : null;
}

/**
 * 单位产品电耗 (kWh/t: the step scheme and kWh-based bands) or 单位产品能耗 (kgce/t): the chart's
 * title, bar and note say the same thing (issue 21).
 */
function unitKind(info: EnterpriseInfo, tf: EnterpriseStatus['tariff']): 'unitElectricity' | 'unitConsumption' {
  const rule = info.tariffRule;
  const byUnit = tf?.unit ?? (rule?.scheme === 'bands' && rule.metric === 'kgce_per_t' ? 'kgce/t' : 'kWh/t');
  return byUnit.startsWith('kWh') ? 'unitElectricity' : 'unitConsumption';
}

function unitChart(info: EnterpriseInfo, tf: EnterpriseStatus['tariff']): ChartOption {
  const th = thresholdOf(info, tf);
  const unit = tf?.unit ?? 'kWh/t';
  const kind = t(unitKind(info, tf));
  return {
    color: ['#2f6fbf'],
    tooltip: { trigger: 'axis', valueFormatter: (v) => qty(Number(v), unit, 1) },
    grid: { left: 8, right: 32, bottom: 28, top: 20, containLabel: true },
    xAxis: { type: 'value', name: unit, nameLocation: 'middle', nameGap: 24 },
    yAxis: { type: 'category', data: [kind] },
    series: [
      {
        name: kind,
        type: 'bar',
        data: [tf?.unitConsumption ?? 0],
        barWidth: 28,
        ...(th && {
          markLine: {
            symbol: 'none',
            label: { formatter: `${th.label} ${num(th.value, 0)}` },
            lineStyle: { color: '#c23b3b', type: 'dashed' },
            data: [{ xAxis: th.value }],
          },
        }),
      },
    ],
  };
}

function tariffNote(info: EnterpriseInfo, tf: EnterpriseStatus['tariff']): HTMLElement {
  const th = thresholdOf(info, tf);
  if (!tf || !th) return h('p', { className: 'meta' }, t('none'));
  return h(
    'p',
    { className: 'meta' },
    `${t(unitKind(info, tf))} ${qty(tf.unitConsumption, tf.unit, 1)} · ${th.label} ${qty(th.value, tf.unit, 0)} · ${tOr(`tariffScheme_${info.tariffRule?.scheme ?? ''}`, t('tariff'))} `,
    // The tariff's id is configuration, shown as an id (small), after its translated kind.
    h('small', { className: 'id' }, info.tariff ?? ''),
    ` · ${time(tf.periodFrom)} – ${time(tf.periodTo)}`,
  );
}
