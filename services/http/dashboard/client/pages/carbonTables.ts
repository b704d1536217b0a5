/** The district carbon view's tables: by industry, by park (zero-carbon-park and regional-review lines) and by enterprise. */
import type { Co2Change, DistrictCarbon, DistrictCarbonEnterprise, DistrictCarbonPark } from '../carbonTypes';
import { h } from '../dom';
import { industryLabel, num, pct, qty, signedPct, signedQty } from '../format';
import { t, tOr } from '../i18n';
import { light, mark, sortableTable, type Column } from '../widgets';
import { digitsOf, T_CO2, T_CO2_PER_10K_YUAN } from './enterpriseCarbon';

/** The columns every row of a Co2Change shares: this year, last year, the change, energy. */
function changeColumns<R extends Co2Change>(): Column<R>[] {
  return [
    { key: 'total', label: `${t('totalCo2')} (${T_CO2})`, numeric: true, sort: (r) => r.totalT, cell: (r) => num(r.totalT, digitsOf(r.totalT)) },
    {
      key: 'previous',
      label: `${t('previousPeriod')} (${T_CO2})`,
      numeric: true,
      sort: (r) => r.previousT,
      cell: (r) => num(r.previousT, digitsOf(r.previousT)),
    },
    { key: 'changeT', label: `${t('change')} (${T_CO2})`, numeric: true, sort: (r) => r.changeT, cell: (r) => signedQty(r.changeT, '') },
    { key: 'change', label: t('yoy'), numeric: true, sort: (r) => r.change, cell: (r) => signedPct(r.change) },
  ];
}

const partColumns = <R extends Co2Change>(): Column<R>[] =>
  (['combustion', 'process', 'scope2'] as const).map((part) => ({
    key: part,
    label: `${t(part)} (${T_CO2})`,
    numeric: true,
    sort: (r: R) => r[`${part}T`],
    cell: (r: R) => num(r[`${part}T`], digitsOf(r[`${part}T`])),
  }));

export function industryTable(d: DistrictCarbon): HTMLElement {
  const rows = Object.entries(d.byIndustry).map(([code, v]) => ({ ...v, code }));
  const columns: Column<(typeof rows)[number]>[] = [
    { key: 'industry', label: t('industry'), sort: (r) => r.code, cell: (r) => `${r.code} ${industryLabel(r.code, r.name)}` },
    ...changeColumns<(typeof rows)[number]>(),
    ...partColumns<(typeof rows)[number]>(),
    { key: 'tce', label: `${t('energy')} (tce)`, numeric: true, sort: (r) => r.tce, cell: (r) => num(r.tce, digitsOf(r.tce)) },
  ];
  return sortableTable('carbon-industry-table', t('byIndustry'), columns, rows, { key: 'total', dir: -1 });
}

export function parkTable(d: DistrictCarbon): HTMLElement {
  const columns: Column<DistrictCarbonPark>[] = [
    { key: 'name', label: t('park'), sort: (p) => p.name, cell: (p) => `${p.name} (${p.enterprises.length})` },
    ...changeColumns<DistrictCarbonPark>(),
    {
      key: 'tceEq',
      label: `${t('energy')} (tce, ${t('equivalent')})`,
      numeric: true,
      sort: (p) => p.tceEquivalent,
      cell: (p) => num(p.tceEquivalent, digitsOf(p.tceEquivalent)),
    },
    {
      key: 'co2PerTce',
      label: `${t('co2PerTce')} (t CO₂/tce)`,
      numeric: true,
      sort: (p) => p.co2PerTce,
      cell: (p) =>
        h(
          'span',
          {},
          num(p.co2PerTce, 3),
          ' ',
          p.meetsThreshold === null ? null : mark(p.meetsThreshold, t(p.meetsThreshold ? 'meets' : 'above')),
          h('small', { className: 'basis' }, `${t('zeroCarbonLine')} ≤ ${num(p.thresholdTPerTce, 2)} t CO₂/tce`),
        ),
    },
    { key: 'scale', label: t('annualEnergyEq'), sort: (p) => p.annualTceEquivalent, cell: (p) => annualCell(p) },
  ];
  return sortableTable('carbon-park-table', t('byPark'), columns, d.byPark, { key: 'total', dir: -1 });
}

function annualCell(p: DistrictCarbonPark): HTMLElement {
  return h(
    'span',
    {},
    qty(p.annualTceEquivalent, 'tce/a', 0),
    h('small', { className: 'basis' }, tOr(`scale_${p.scale}`, p.scale)),
    h(
      'small',
      { className: 'basis' },
      `${t('regionalReview')} ${qty(p.regionalReviewLineTce, 'tce/a', 0)}: ${t(p.overRegionalReviewLine ? 'overLine' : 'underLine')}`,
    ),
  );
}

export function enterpriseTable(d: DistrictCarbon): HTMLElement {
  const parks = new Map(d.byPark.map((p) => [p.id, p.name]));
  const columns: Column<DistrictCarbonEnterprise>[] = [
    {
      key: 'name',
      label: t('enterprise'),
      sort: (e) => e.name,
      cell: (e) => h('a', { href: `#/enterprise/${encodeURIComponent(e.id)}` }, e.name),
    },
    { key: 'park', label: t('park'), sort: (e) => e.park, cell: (e) => (e.park ? (parks.get(e.park) ?? e.park) : t('noPark')) },
    ...changeColumns<DistrictCarbonEnterprise>(),
    { key: 'contribution', label: t('contribution'), numeric: true, sort: (e) => e.contribution, cell: (e) => signedPct(e.contribution) },
    {
      key: 'budget',
      label: `${t('co2Budget')} (${T_CO2})`,
      numeric: true,
      sort: (e) => e.budget?.share ?? null,
      cell: (e) =>
        e.budget
          ? h(
              'span',
              {},
              num(e.budget.budgetT, 0),
              ' ',
              light(e.budget.level),
              h('small', { className: 'basis' }, `${t('share')} ${pct(e.budget.share)}`),
            )
          : t('notSet'),
    },
    {
      key: 'intensity',
      label: `${t('carbonIntensity')} (${T_CO2_PER_10K_YUAN})`,
      numeric: true,
      sort: (e) => e.intensity,
      cell: (e) =>
        h(
          'span',
          {},
          e.intensity === null ? t('noOutput') : num(e.intensity, 3),
          h('small', { className: 'basis' }, `${t('limit')} ${e.intensityLimit === null ? t('notSet') : num(e.intensityLimit, 3)}`),
        ),
    },
    {
      key: 'green',
      label: `${t('greenCertificates')} (kWh)`,
      numeric: true,
      sort: (e) => e.greenCertificatesKwh,
      cell: (e) => num(e.greenCertificatesKwh, 0),
    },
  ];
  return sortableTable('carbon-enterprise-table', `${t('enterprises')} (${d.enterprises.length})`, columns, d.enterprises, {
    key: 'changeT',
    dir: -1,
  });
}
