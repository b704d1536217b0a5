/**
 * The district carbon view (#/carbon[/YYYY], GET /api/district/carbon; contract 9 "District"):
 * CO2 by part with its year-on-year change, the district carbon intensity against the same months a
 * year earlier and the required pace, by industry, by park, each enterprise's contribution to the
 * district change, and the grid factor row. An enterprise token sees its own enterprise only (the
 * API restricts it).
 */
import { api } from '../api';
import { chart, PALETTE } from '../charts';
import type { DistrictCarbon } from '../carbonTypes';
import { pageHeader, type Page } from '../context';
import { h, replace } from '../dom';
import { monthRuns, pct, qty, signedPct, signedQty, time } from '../format';
import { t } from '../i18n';
import { card, mark, section } from '../widgets';
import { parameterItem } from '../sources';
import { enterpriseTable, industryTable, parkTable } from './carbonTables';
import { co2, gridFactorText, partsChart, T_CO2, T_CO2_PER_10K_YUAN } from './enterpriseCarbon';

/** The server's current year, learnt from the first answer without `year` (the browser's clock may differ). */
let currentYear: number | undefined;

async function currentYearOf(): Promise<number> {
  currentYear ??= (await api<DistrictCarbon>('/api/district/carbon')).year;
  return currentYear;
}

export const carbonPage: Page = async (ctx) => {
  const asked = /^\d{4}$/.test(ctx.params[0] ?? '') ? Number(ctx.params[0]) : undefined;
  const d = await api<DistrictCarbon>(`/api/district/carbon${asked === undefined ? '' : `?year=${asked}`}`);
  if (asked === undefined) currentYear = d.year;
  const thisYear = await currentYearOf();

  const partsEl = h('div', { className: 'chart short', id: 'chart-district-parts', role: 'img', 'aria-label': t('co2ByPart') });
  const contributionEl = h('div', { className: 'chart', id: 'chart-contribution', role: 'img', 'aria-label': t('contributionChart') });

  replace(
    ctx.main,
    pageHeader(
      `${t('districtCarbon')} ${d.year}`,
      `${t('period')} ${time(d.from)} – ${time(d.to)}`,
      `${t('previousPeriod')} ${time(d.previous.from)} – ${time(d.previous.to)}`,
      `${t('timezone')} ${d.timezone}`,
    ),
    h('div', { className: 'filters' }, h('label', { for: 'carbon-year' }, t('year')), yearSelect(thisYear, d.year)),
    h('div', { className: 'cards', id: 'carbon-cards' }, ...totalCards(d), ...intensityCards(d)),
    h('div', { className: 'grid2' }, section('co2ByPart', partsEl), section('contributionChart', contributionEl)),
    h('section', { className: 'panel' }, industryTable(d)),
    d.byPark.length > 0 ? h('section', { className: 'panel' }, parkTable(d)) : null,
    h('section', { className: 'panel' }, enterpriseTable(d)),
    h(
      'section',
      { className: 'panel' },
      h('h2', {}, t('parametersUsed')),
      h('p', { className: 'meta' }, t('carbonNote')),
      h(
        'ul',
        { className: 'coefficients', id: 'carbon-months' },
        Object.entries(d.yearOnYear.intensity.months).map(([id, months]) => h('li', {}, `${nameOf(d, id)}: ${monthRuns(months)}`)),
      ),
      h('ul', { className: 'coefficients' }, d.parameters.map(parameterItem)),
    ),
  );

  partsChart(partsEl, d.totals);
  contributionChart(contributionEl, d);
};

function nameOf(d: DistrictCarbon, id: string): string {
  return d.enterprises.find((e) => e.id === id)?.name ?? id;
}

/** This year and last year; choosing one moves to #/carbon/YYYY (a link that can be kept). */
function yearSelect(thisYear: number, shown: number): HTMLSelectElement {
  const select = h(
    'select',
    { id: 'carbon-year' },
    [thisYear, thisYear - 1].map((y) =>
      h('option', { value: String(y), ...(y === shown && { selected: true }) }, `${y === thisYear ? t('thisYear') : t('lastYear')} ${y}`),
    ),
  );
  select.addEventListener('change', () => {
    location.hash = `#/carbon/${select.value}`;
  });
  return select;
}

function totalCards(d: DistrictCarbon): HTMLElement[] {
  const tot = d.totals;
  const share = (v: number) => (tot.totalT > 0 ? `${pct(v / tot.totalT)} ${t('share')}` : undefined);
  return [
    h(
      'div',
      { className: 'card', id: 'carbon-total' },
      h('div', { className: 'label' }, `${t('totalCo2')} · ${t('yearToDate')}`),
      h('div', { className: 'value' }, co2(tot.totalT)),
      h(
        'div',
        { className: 'sub' },
        `${t('previousPeriod')} ${co2(tot.previousT)} · ${t('yoy')} ${signedQty(tot.changeT, T_CO2)} (${signedPct(tot.change)})`,
      ),
    ),
    card(t('combustion'), co2(tot.combustionT), share(tot.combustionT)),
    card(t('process'), co2(tot.processT), share(tot.processT)),
    card(t('scope2'), co2(tot.scope2T), share(tot.scope2T)),
    card(t('greenCertificates'), qty(tot.greenCertificatesKwh, 'kWh', 0), `${t('gridFactor')} ${gridFactorText(d.gridFactor)}`),
  ];
}

function intensityCards(d: DistrictCarbon): HTMLElement[] {
  const it = d.intensity;
  const yoy = d.yearOnYear.intensity;
  const pace = d.requiredPace;
  return [
    card(
      t('districtIntensity'),
      it.intensity === null ? t('noOutput') : qty(it.intensity, T_CO2_PER_10K_YUAN, 3),
      `${co2(it.co2T)} / ${qty(it.output10kYuan, '万元', 1)}`,
    ),
    h(
      'div',
      { className: 'card', id: 'carbon-intensity-yoy' },
      h('div', { className: 'label' }, t('intensityYoy')),
      h('div', { className: 'value' }, signedPct(yoy.change)),
      h(
        'div',
        { className: 'sub' },
        `${qty(yoy.current, T_CO2_PER_10K_YUAN, 3)} · ${t('previousPeriod')} ${qty(yoy.previous, T_CO2_PER_10K_YUAN, 3)}`,
      ),
    ),
    h(
      'div',
      { className: 'card', id: 'carbon-pace' },
      h('div', { className: 'label' }, t('requiredPace')),
      h(
        'div',
        { className: 'value' },
        signedPct(-pace.reduction),
        ' ',
        pace.onTrack === null ? null : mark(pace.onTrack, t(pace.onTrack ? 'onTrack' : 'offTrack')),
      ),
      h('div', { className: 'sub' }, `${t('targetIntensity')} ${qty(pace.targetIntensity, T_CO2_PER_10K_YUAN, 3)}`),
    ),
  ];
}

/** Each enterprise's change, largest rise first, labelled with its share of the district change. */
function contributionChart(el: HTMLElement, d: DistrictCarbon): void {
  const rows = [...d.enterprises].sort((a, b) => b.changeT - a.changeT);
  // As tall as its bars need (CSSOM, allowed by the CSP, unlike a style attribute).
  el.style.height = `${Math.max(160, 48 * rows.length + 60)}px`;
  chart(el, {
    color: PALETTE,
    tooltip: { trigger: 'axis', valueFormatter: (v) => signedQty(Number(v), T_CO2) },
    grid: { left: 8, right: 120, bottom: 8, top: 8, containLabel: true },
    xAxis: { type: 'value', name: T_CO2 },
    yAxis: { type: 'category', data: rows.map((e) => e.name), inverse: true },
    series: [
      {
        type: 'bar',
        barMaxWidth: 24,
        label: {
          show: true,
          position: 'right',
          formatter: (p) => {
            const e = rows[p.dataIndex];
            return e ? `${signedQty(e.changeT, '')} (${signedPct(e.contribution)})` : '';
          },
        },
        data: rows.map((e) => ({ value: e.changeT, itemStyle: { color: e.changeT > 0 ? '#c23b3b' : '#3c9d5d' } })),
      },
    ],
  });
}

/**
 * The overview's carbon tile: district CO2 year to date by the carbon rules (process CO2, green
 * certificates), its change year on year, and intensity against the required pace; a link to the view.
 */
export function carbonTile(d: DistrictCarbon): HTMLElement {
  const yoy = d.yearOnYear.intensity;
  const pace = d.requiredPace;
  return h(
    'a',
    { className: 'card card-link', id: 'carbon-tile', href: '#/carbon' },
    h('div', { className: 'label' }, `${t('districtCarbon')} · ${t('yearToDate')}`),
    h('div', { className: 'value' }, co2(d.totals.totalT)),
    h(
      'div',
      { className: 'sub' },
      `${t('yoy')} ${signedPct(d.totals.change)} · ${t('carbonIntensity')} ${t('yoy')} ${signedPct(yoy.change)} (${t('requiredPace')} ${signedPct(-pace.reduction)}) `,
      pace.onTrack === null ? null : mark(pace.onTrack, t(pace.onTrack ? 'onTrack' : 'offTrack')),
    ),
  );
}
