/**
 * The district benchmark view (#/benchmark[/rolling12|ytd], GET /api/district/benchmark; contract 10):
 * per product the benchmark and baseline levels with unit, edition, deadline and source, the output
 * share at benchmark, the tiers, the plants below baseline with deadline and severity, the savings
 * potential in tce and t CO2, and the efficiency-leader candidates with every criterion ticked or
 * crossed. An enterprise token sees its own enterprise only (the API restricts it).
 */
import { api } from '../api';
import type { BenchmarkPeriod, DistrictBenchmark } from '../benchmarkTypes';
import { pageHeader, type Page } from '../context';
import { h, replace } from '../dom';
import { num, pct, time } from '../format';
import { t } from '../i18n';
import { card } from '../widgets';
import { fig } from './benchmarkFormat';
import { belowBaselineTable, leaderTable, productTable } from './benchmarkTables';

const PERIODS: readonly BenchmarkPeriod[] = ['rolling12', 'ytd'];

export const benchmarkPage: Page = async (ctx) => {
  const period: BenchmarkPeriod = ctx.params[0] === 'ytd' ? 'ytd' : 'rolling12';
  const d = await api<DistrictBenchmark>(`/api/district/benchmark?period=${period}`);
  const leaders = d.leaderChecks.filter((l) => l.candidate);

  replace(
    ctx.main,
    pageHeader(
      t('districtBenchmark'),
      `${t(`period_${d.period}`)} ${time(d.from)} – ${time(d.to)}`,
      `${t('asOf')} ${time(d.at)}`,
      `${t('timezone')} ${d.timezone}`,
    ),
    h('div', { className: 'filters' }, h('label', { for: 'benchmark-period' }, t('benchmarkPeriod')), periodSelect(period)),
    h(
      'div',
      { className: 'cards', id: 'benchmark-cards' },
      h(
        'div',
        { className: 'card', id: 'benchmark-savings' },
        h('div', { className: 'label' }, t('savingsPotential')),
        h('div', { className: 'value' }, fig(d.savingsTce, 'tce')),
        h('div', { className: 'sub' }, `${t('savingsCo2')} ${fig(d.savingsCo2T, 't CO₂')}`),
        d.savingsCo2Complete ? null : h('div', { className: 'sub partial', id: 'benchmark-co2-partial' }, t('co2Partial')),
      ),
      card(t('product'), num(d.products.length, 0)),
      h(
        'div',
        { className: 'card', id: 'benchmark-leaders' },
        h('div', { className: 'label' }, t('leaderCandidates')),
        h('div', { className: 'value' }, num(leaders.length, 0)),
        h('div', { className: 'sub' }, leaders.length > 0 ? leaders.map((l) => l.name).join('、') : t('noCandidate')),
      ),
    ),
    d.products.length === 0
      ? h('section', { className: 'panel' }, h('p', {}, t('noBenchmarkProducts')))
      : [
          h('section', { className: 'panel' }, productTable(d)),
          h('section', { className: 'panel', id: 'benchmark-below' }, h('h2', {}, t('plantsBelowBaseline')), belowBaselineTable(d)),
          h(
            'section',
            { className: 'panel', id: 'benchmark-leader-panel' },
            h('h2', {}, t('leaderCandidates')),
            h(
              'p',
              { className: 'meta', id: 'leader-rules' },
              `${t('criterionEnergy', { tce: num(d.rules.minAnnualTce, 0) })} · ${t('criterionAllAtBenchmark')} · ${t('criterionNonFossil', {
                share: pct(d.rules.minNonFossilShare, 0),
              })}`,
            ),
            leaderTable(d),
            h('p', { className: 'meta' }, t('leaderRule')),
          ),
        ],
    h('p', { className: 'meta' }, t('benchmarkNote')),
  );
};

/** Last 12 complete months or year to date; choosing one moves to #/benchmark/<period> (a link that can be kept). */
function periodSelect(shown: BenchmarkPeriod): HTMLSelectElement {
  const select = h(
    'select',
    { id: 'benchmark-period' },
    PERIODS.map((p) => h('option', { value: p, ...(p === shown && { selected: true }) }, t(`period_${p}`))),
  );
  select.addEventListener('change', () => {
    location.hash = `#/benchmark/${select.value}`;
  });
  return select;
}
