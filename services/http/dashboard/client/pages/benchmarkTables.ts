/**
 * The district benchmark view's tables (contract 10): products with their levels and output share at
 * benchmark, the plants below baseline with deadline and severity, and the efficiency-leader
 * criteria plant by plant.
 */
import type { DistrictBenchmark, DistrictProduct, LeaderRow, PlantBelowBaseline } from '../benchmarkTypes';
import { h } from '../dom';
import { num, pct } from '../format';
import { t } from '../i18n';
import { severityBadge, sortableTable, type Column } from '../widgets';
import { day, fig, level, outputUnit, productName, secUnit, tick, tierLight } from './benchmarkFormat';

const enterpriseLink = (id: string, name: string) => h('a', { href: `#/enterprise/${encodeURIComponent(id)}` }, name);

/** A bar for the share (the native meter element: accessible, no inline style) beside the figure. */
function shareBar(share: number | null): HTMLElement {
  if (share === null) return h('span', {}, t('none'));
  return h('span', { className: 'share-bar' }, h('meter', { min: 0, max: 1, value: share, 'aria-label': t('shareAtBenchmark') }), ' ', pct(share));
}

export function productTable(d: DistrictBenchmark): HTMLElement {
  const columns: Column<DistrictProduct>[] = [
    {
      key: 'product',
      label: t('product'),
      sort: (p) => productName(p),
      cell: (p) => h('span', {}, productName(p), h('small', { className: 'basis' }, `${p.product} · ${p.edition}`)),
    },
    {
      key: 'levels',
      label: `${t('benchmarkLevel')} / ${t('baselineLevel')}`,
      numeric: true,
      cell: (p) => `${level(p.benchmark)} / ${level(p.baseline, secUnit(p.metric))}`,
    },
    { key: 'deadline', label: t('deadline'), sort: (p) => p.deadline, cell: (p) => p.deadline },
    { key: 'plants', label: t('plantCount'), numeric: true, sort: (p) => p.plants, cell: (p) => num(p.plants, 0) },
    {
      key: 'tiers',
      label: t('tiers'),
      cell: (p) =>
        h(
          'span',
          { className: 'tier-counts' },
          tierLight('benchmark'),
          ` ${p.tiers.benchmark} · `,
          tierLight('compliant'),
          ` ${p.tiers.compliant} · `,
          tierLight('below-baseline'),
          ` ${p.tiers.belowBaseline}`,
          p.tiers.none > 0 ? ` · ${t('tier_none')} ${p.tiers.none}` : '',
        ),
    },
    {
      key: 'share',
      label: t('shareAtBenchmark'),
      sort: (p) => p.shareAtBenchmark,
      cell: (p) =>
        h(
          'span',
          {},
          shareBar(p.shareAtBenchmark),
          h('small', { className: 'basis' }, `${fig(p.quantityAtBenchmark, '')} / ${fig(p.quantity, outputUnit(p.unit))}`),
        ),
    },
    { key: 'savingsTce', label: `${t('savingsPotential')} (tce)`, numeric: true, sort: (p) => p.savingsTce, cell: (p) => fig(p.savingsTce, '') },
    { key: 'savingsCo2', label: `${t('savingsCo2')} (t CO₂)`, numeric: true, sort: (p) => p.savingsCo2T, cell: (p) => fig(p.savingsCo2T, '') },
    { key: 'source', label: t('source'), cell: (p) => h('small', { className: 'basis' }, p.source) },
  ];
  return sortableTable('benchmark-product-table', `${t('product')} (${d.products.length})`, columns, d.products);
}

type BelowRow = PlantBelowBaseline & { product: DistrictProduct };

export function belowBaselineTable(d: DistrictBenchmark): HTMLElement {
  const rows: BelowRow[] = d.products.flatMap((product) => product.belowBaseline.map((p) => ({ ...p, product })));
  if (rows.length === 0) return h('p', { id: 'benchmark-below-none' }, t('noPlantBelowBaseline'));
  const columns: Column<BelowRow>[] = [
    { key: 'name', label: t('enterprise'), sort: (r) => r.name, cell: (r) => enterpriseLink(r.enterprise, r.name) },
    { key: 'product', label: t('product'), sort: (r) => r.product.product, cell: (r) => productName(r.product) },
    { key: 'sec', label: t('sec'), numeric: true, sort: (r) => r.sec, cell: (r) => fig(r.sec, secUnit(r.product.metric)) },
    {
      key: 'baseline',
      label: t('baselineLevel'),
      numeric: true,
      cell: (r) => level(r.product.baseline, secUnit(r.product.metric)),
    },
    { key: 'quantity', label: t('quantityLabel'), numeric: true, sort: (r) => r.quantity, cell: (r) => fig(r.quantity, outputUnit(r.product.unit)) },
    { key: 'savings', label: t('savingsPotential'), numeric: true, sort: (r) => r.savingsTce, cell: (r) => fig(r.savingsTce, 'tce') },
    {
      key: 'deadline',
      label: t('deadline'),
      sort: (r) => r.deadline,
      cell: (r) =>
        h(
          'span',
          { className: r.severity === 'critical' ? 'overdue' : '' },
          r.deadline,
          r.severity === 'critical' ? h('strong', { className: 'overdue-mark' }, ` ${t('overdue')}`) : null,
        ),
    },
    { key: 'severity', label: t('severity'), cell: (r) => (r.severity ? severityBadge(r.severity) : t('none')) },
  ];
  return sortableTable('benchmark-below-table', `${t('plantsBelowBaseline')} (${rows.length})`, columns, rows, { key: 'deadline', dir: 1 });
}

export function leaderTable(d: DistrictBenchmark): HTMLElement {
  const minTce = num(d.rules.minAnnualTce, 0);
  const minShare = pct(d.rules.minNonFossilShare, 0);
  const columns: Column<LeaderRow>[] = [
    { key: 'name', label: t('enterprise'), sort: (r) => r.name, cell: (r) => enterpriseLink(r.enterprise, r.name) },
    {
      key: 'energy',
      label: t('criterionEnergy', { tce: minTce }),
      numeric: true,
      sort: (r) => r.annualTce,
      cell: (r) => h('span', {}, tick(r.energy, fig(r.annualTce, 'tce'))),
    },
    {
      key: 'products',
      label: t('criterionAllAtBenchmark'),
      cell: (r) =>
        h(
          'span',
          {},
          tick(r.allAtBenchmark),
          r.products.map((p) => h('small', { className: 'basis' }, `${p.product}: `, tierLight(p.tier))),
        ),
    },
    {
      key: 'nonFossil',
      label: t('criterionNonFossil', { share: minShare }),
      numeric: true,
      sort: (r) => r.nonFossilShare,
      cell: (r) => tick(r.nonFossil, pct(r.nonFossilShare)),
    },
    {
      key: 'candidate',
      label: t('leaderCandidates'),
      sort: (r) => (r.candidate ? 0 : 1),
      cell: (r) => (r.candidate ? h('strong', {}, tick(true, t('candidate'))) : tick(false, t('notCandidate'))),
    },
  ];
  return sortableTable('leader-table', `${t('leaderChecks')} · ${day(d.from)} – ${day(d.to)}`, columns, d.leaderChecks, {
    key: 'candidate',
    dir: 1,
  });
}
