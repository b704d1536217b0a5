/**
 * The enterprise page's carbon part (contract 9, 9.1): the status's CO2 year to date by part against
 * the budget, carbon intensity against its limit, the grid factor row, and the energy-review
 * projects' approved against annualised energy and CO2. A budget or limit that is not configured
 * reads "not set", never 0.
 */
import { chart, PALETTE } from '../charts';
import type { CarbonStatus, EnterpriseProjects, FactorRow, ProjectAt, ProjectLevel } from '../carbonTypes';
import { h } from '../dom';
import { autoDigits, monthRuns, num, pct, qty, time } from '../format';
import { t } from '../i18n';
import { card, light, severityBadge, sortableTable, type Column } from '../widgets';
import { carbonTrouble, troubleLine } from '../trouble';

export const T_CO2 = 't CO₂';
export const T_CO2_PER_10K_YUAN = 't CO₂/万元';

/** Digits for a figure: a zero is "0", not "0.0000". */
export function digitsOf(value: number): number {
  return value === 0 ? 0 : autoDigits(value);
}

export function co2(value: number | null | undefined): string {
  return qty(value, T_CO2, digitsOf(value ?? 0));
}

/**
 * "0.5 kg CO₂/kWh (数据年份 2026 · 来源: …)": the grid row with its data year and source (contract 8.2).
 * The source is a citation kept as configured, so it carries the 来源 / Source label the other cards'
 * citations carry (sources.ts): the reader knows why it may be in the other language.
 */
export function gridFactorText(row: FactorRow | null): string {
  if (!row) return t('none');
  const year = row.year === undefined ? '' : `${t('dataYear')} ${row.year} · `;
  return `${num(row.value, 4)} kg CO₂/kWh (${year}${t('source')}: ${row.source})`;
}

/** The three parts as one horizontal bar each, t CO2. */
export function partsChart(el: HTMLElement, parts: { combustionT: number; processT: number; scope2T: number }): void {
  const names = [t('combustion'), t('process'), t('scope2')];
  // One number of digits for the three labels, from the largest.
  const digits = digitsOf(Math.max(parts.combustionT, parts.processT, parts.scope2T));
  chart(el, {
    color: PALETTE,
    tooltip: { trigger: 'axis', valueFormatter: (v) => co2(Number(v)) },
    grid: { left: 8, right: 40, bottom: 8, top: 8, containLabel: true },
    xAxis: { type: 'value', name: T_CO2 },
    yAxis: { type: 'category', data: names, inverse: true },
    series: [
      {
        type: 'bar',
        barWidth: 18,
        colorBy: 'data',
        label: { show: true, position: 'right', formatter: (p) => num(Number(p.value), digits) },
        data: [parts.combustionT, parts.processT, parts.scope2T],
      },
    ],
  });
}

function intensityCard(c: CarbonStatus): HTMLElement {
  const it = c.intensity;
  const figure = !it ? t('notSet') : it.intensity === null ? t('noOutput') : [light(it.level), ' ', qty(it.intensity, T_CO2_PER_10K_YUAN, 3)];
  const limit = `${t('limit')} ${it ? qty(it.limit, T_CO2_PER_10K_YUAN, 3) : t('notSet')}`;
  const sub =
    it && it.intensity !== null
      ? `${limit} · ${t('ratio')} ${pct(it.ratio)} · ${t('months')} ${monthRuns(it.months)} · ${co2(it.co2T)} / ${qty(it.output10kYuan, '万元', 1)}`
      : limit;
  return h(
    'div',
    { className: 'card', id: 'carbon-intensity' },
    h('div', { className: 'label' }, t('carbonIntensity')),
    h('div', { className: 'value' }, figure),
    h('div', { className: 'sub' }, sub),
  );
}

/** The carbon panel of the enterprise page; null from a server without carbon figures. */
export function carbonPanel(c: CarbonStatus | null | undefined): HTMLElement | null {
  if (!c) return null;
  const partsEl = h('div', { className: 'chart short', id: 'chart-carbon-parts', role: 'img', 'aria-label': t('co2ByPart') });
  const noBudget = c.budgetT === null;
  const panel = h(
    'section',
    { className: 'panel', id: 'carbon-card' },
    h('h2', {}, `${t('carbonYtd')} ${c.year}`),
    h(
      'div',
      { className: 'cards' },
      h(
        'div',
        { className: 'card', id: 'carbon-ytd' },
        h('div', { className: 'label' }, t('totalCo2')),
        h('div', { className: 'value' }, noBudget ? null : [light(c.level), ' '], co2(c.ytdT)),
        h('div', { className: 'sub' }, `${t('forecast')} ${co2(c.forecastT)}`),
        noBudget ? null : h('div', { className: 'sub' }, troubleLine(carbonTrouble(c), 't CO₂', 'carbon-trouble')),
      ),
      h(
        'div',
        { className: 'card', id: 'carbon-budget' },
        h('div', { className: 'label' }, t('co2Budget')),
        h('div', { className: 'value' }, noBudget ? t('notSet') : co2(c.budgetT)),
        noBudget ? null : h('div', { className: 'sub' }, `${t('share')} ${pct(c.share)} · ${t('pace')} ${pct(c.pace)}`),
      ),
      intensityCard(c),
      card(t('greenCertificates'), qty(c.greenCertificatesKwh, 'kWh', 0), `${t('gridFactor')} ${gridFactorText(c.gridFactor)}`),
    ),
    h('h3', { className: 'sub-head' }, t('co2ByPart')),
    partsEl,
  );
  partsChart(partsEl, c);
  return panel;
}

function levelCell(level: ProjectLevel, hasFigure: boolean): HTMLElement | string {
  if (level) return severityBadge(level);
  return hasFigure ? t('withinApproval') : t('none');
}

/** The energy-review projects of the enterprise, approved against annualised (contract 9.1). */
export function projectsPanel(answer: EnterpriseProjects | null): HTMLElement | null {
  if (!answer) return null;
  if (answer.projects.length === 0)
    return h('section', { className: 'panel', id: 'projects' }, h('h2', {}, t('projects')), h('p', {}, t('noProjects')));
  const columns: Column<ProjectAt>[] = [
    { key: 'name', label: t('project'), sort: (p) => p.name, cell: (p) => `${p.name} (${p.id})` },
    { key: 'from', label: t('operatingFrom'), sort: (p) => p.operatingFrom, cell: (p) => p.operatingFrom },
    {
      key: 'window',
      label: t('window'),
      sort: (p) => p.window.days,
      cell: (p) =>
        h(
          'span',
          {},
          `${time(p.window.from).slice(0, 10)} – ${time(p.window.to).slice(0, 10)} (${num(p.window.days, 0)} ${t('days')})`,
          h('small', { className: 'basis' }, `${qty(p.windowTce, 'tce', digitsOf(p.windowTce))} · ${co2(p.windowCo2T)}`),
        ),
    },
    { key: 'approvedTce', label: `${t('approvedTce')} (tce/a)`, numeric: true, sort: (p) => p.approvedTce, cell: (p) => num(p.approvedTce, 0) },
    {
      key: 'annualTce',
      label: `${t('annualTce')} (tce/a)`,
      numeric: true,
      sort: (p) => p.annualTce,
      cell: (p) => (p.annualTce === null ? (p.note === 'short-window' ? t('shortWindow') : t('none')) : num(p.annualTce, autoDigits(p.annualTce))),
    },
    { key: 'tceShare', label: t('ofApproved'), numeric: true, sort: (p) => p.tceShare, cell: (p) => pct(p.tceShare) },
    { key: 'energyLevel', label: t('energyLevel'), cell: (p) => levelCell(p.energyLevel, p.annualTce !== null) },
    {
      key: 'approvedCo2',
      label: `${t('approvedCo2')} (t CO₂/a)`,
      numeric: true,
      sort: (p) => p.approvedCo2T,
      cell: (p) => (p.approvedCo2T === null ? t('notSet') : num(p.approvedCo2T, 0)),
    },
    {
      key: 'annualCo2',
      label: `${t('annualCo2')} (t CO₂/a)`,
      numeric: true,
      sort: (p) => p.annualCo2T,
      cell: (p) => (p.annualCo2T === null ? (p.note === 'short-window' ? t('shortWindow') : t('none')) : num(p.annualCo2T, autoDigits(p.annualCo2T))),
    },
    { key: 'co2Share', label: t('ofApproved'), numeric: true, sort: (p) => p.co2Share, cell: (p) => pct(p.co2Share) },
    {
      key: 'co2Level',
      label: t('co2Level'),
      cell: (p) => (p.approvedCo2T === null ? t('none') : levelCell(p.co2Level, p.annualCo2T !== null)),
    },
    {
      key: 'grid',
      label: t('gridFactor'),
      cell: (p) => p.gridFactors.map((g) => h('small', { className: 'basis' }, gridFactorText(g))),
    },
  ];
  return h(
    'section',
    { className: 'panel', id: 'projects' },
    sortableTable('project-table', `${t('projects')} (${answer.projects.length}) · ${t('asOf')} ${time(answer.at)}`, columns, answer.projects),
    h('p', { className: 'meta' }, t('projectsNote')),
  );
}
