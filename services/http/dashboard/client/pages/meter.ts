/**
 * One meter (issue 21, drill-down): `#/enterprise/{id}/meter/{meterId}[/{day|week|month|year}/{anchor}]`.
 * Its consumption over the chosen period (the bucket in progress marked), the facts in force, the
 * ledger events with who and when, completeness and gaps, and the newest reading both as the
 * register and multiplied into the carrier's unit. A new reading of the meter inside the shown
 * period updates the figures, the chart and the gaps in place (liveFollow.ts), without a reload.
 */
import { api, ApiError } from '../api';
import { breadcrumb } from '../breadcrumb';
import { chart } from '../charts';
import { pageHeader, type Page, type PageContext } from '../context';
import { h, replace, type Child } from '../dom';
import { autoDigits, carrierName, num, pct, qty, time } from '../format';
import { t, tOr } from '../i18n';
import { meterChartOption } from '../meterChart';
import {
  PERIOD_EVERY,
  PERIOD_KINDS,
  periodFromParams,
  periodQuery,
  shiftAnchor,
  currentAnchor,
  type MeterPeriod,
  type PeriodKind,
} from '../meterPeriod';
import type { EnterpriseInfo, MeterEventView, MeterHistory } from '../types';
import { card } from '../widgets';
import { followReadings } from '../liveFollow';

const href = (id: string, meter: string, p: MeterPeriod): string =>
  `#/enterprise/${encodeURIComponent(id)}/meter/${encodeURIComponent(meter)}/${p.kind}/${p.anchor}`;

/** Link to a meter's page (the enterprise page's meter table). */
export function meterHref(enterprise: string, meter: string): string {
  return `#/enterprise/${encodeURIComponent(enterprise)}/meter/${encodeURIComponent(meter)}`;
}

/** "28,327,052 kWh (表码 14,163,526 × 2)": the quantity in the unit, then the register it comes from. */
export function readingText(register: number, multiplier: number, unit: string): string {
  const quantity = register * multiplier;
  const text = qty(quantity, unit, autoDigits(quantity));
  return multiplier === 1
    ? text
    : `${text} (${t('register')} ${num(register, autoDigits(register))} × ${num(multiplier, multiplier % 1 === 0 ? 0 : 3)})`;
}

function periodPicker(id: string, meter: string, p: MeterPeriod, today: string): HTMLElement {
  const anchor = p.anchor || currentAnchor(p.kind, today);
  const kind = h(
    'select',
    { id: 'meter-period-kind' },
    ...PERIOD_KINDS.map((k) => h('option', { value: k, selected: k === p.kind }, t(`period_${k}`))),
  );
  const type = p.kind === 'year' ? 'number' : p.kind === 'month' ? 'month' : 'date';
  const input = h('input', { id: 'meter-period-anchor', type, value: anchor, ...(type === 'number' && { min: 2000, max: 2100 }) });
  const go = (next: MeterPeriod) => (location.hash = href(id, meter, next));
  kind.addEventListener('change', () => {
    const k = kind.value as PeriodKind;
    // Keep the date being looked at: the first day of the shown period, in the new kind.
    go({ kind: k, anchor: currentAnchor(k, periodQuery({ kind: p.kind, anchor }, today).from) });
  });
  input.addEventListener('change', () => {
    if (input.value) go({ kind: p.kind, anchor: p.kind === 'week' ? currentAnchor('week', input.value) : input.value });
  });
  return h(
    'form',
    { className: 'period-picker', onsubmit: (ev: Event) => ev.preventDefault() },
    h('label', { for: 'meter-period-kind' }, t('periodKind')),
    kind,
    h('label', { for: 'meter-period-anchor' }, t('periodAnchor')),
    input,
    h(
      'a',
      { className: 'button', id: 'meter-earlier', href: href(id, meter, { kind: p.kind, anchor: shiftAnchor(p.kind, anchor, -1) }) },
      `‹ ${t('earlierPeriod')}`,
    ),
    h(
      'a',
      { className: 'button', id: 'meter-later', href: href(id, meter, { kind: p.kind, anchor: shiftAnchor(p.kind, anchor, 1) }) },
      `${t('laterPeriod')} ›`,
    ),
  );
}

function facts(m: MeterHistory): HTMLElement {
  const i = m.info;
  const row = (label: string, value: Child) => [h('dt', {}, label), h('dd', {}, value)];
  return h(
    'dl',
    { className: 'facts', id: 'meter-facts' },
    row(t('carrier'), carrierName(i.carrier)),
    row(t('unit'), i.unit),
    row(t('kind'), tOr(`kind_${i.kind}`, i.kind)),
    row(t('multiplier'), num(i.multiplier, i.multiplier % 1 === 0 ? 0 : 3)),
    row(t('rollover'), i.rollover === null ? t('none') : num(i.rollover, i.rollover % 1 === 0 ? 0 : 2)),
    row(t('interval'), `${num(i.intervalSeconds, 0)} ${t('seconds')}`),
    row(t('submeter'), i.submeter ? t('yes') : t('no')),
    row(t('product'), i.product ?? t('none')),
    row(t('calibrationValidUntil'), i.calibrationValidUntil ?? t('none')),
    row(t('decommissionedAt'), i.decommissionedAt ? time(i.decommissionedAt) : t('none')),
  );
}

function eventDetail(e: MeterEventView): string {
  const parts: string[] = [];
  const n = (key: 'oldFinalRegister' | 'newInitialRegister' | 'register' | 'finalRegister' | 'multiplier' | 'rollover') => {
    const v = e[key];
    if (v !== undefined) parts.push(`${tOr(key, key)} ${num(v, v % 1 === 0 ? 0 : 2)}`);
  };
  n('oldFinalRegister');
  n('newInitialRegister');
  if (e.register !== undefined) parts.push(`${t('register')} ${num(e.register, e.register % 1 === 0 ? 0 : 2)}`);
  n('finalRegister');
  n('multiplier');
  n('rollover');
  if (e.validUntil) parts.push(`${t('validUntil')} ${e.validUntil}`);
  if (e.certificate) parts.push(`${t('certificate')} ${e.certificate}`);
  return parts.join(' · ') || t('none');
}

function eventsTable(events: readonly MeterEventView[]): HTMLElement {
  if (events.length === 0) return h('p', { className: 'hint', id: 'meter-events-none' }, t('noEvents'));
  const head = [t('eventType'), t('eventAt'), t('eventDetail'), t('eventNote'), t('recordedBy'), t('recordedAt')];
  return h(
    'div',
    { className: 'table-wrap', role: 'region', 'aria-label': t('meterEvents'), tabindex: 0 },
    h(
      'table',
      { className: 'data', id: 'meter-events' },
      h('thead', {}, h('tr', {}, ...head.map((x) => h('th', { scope: 'col' }, x)))),
      h(
        'tbody',
        {},
        ...events.map((e) =>
          h(
            'tr',
            { className: e.retracted ? 'retracted' : '' },
            h('td', {}, tOr(`event_${e.type}`, e.type), e.retracted ? ` (${t('retracted')})` : ''),
            h('td', {}, time(e.at)),
            h('td', {}, eventDetail(e)),
            h('td', {}, e.note ?? ''),
            h('td', {}, e.recordedBy),
            h('td', {}, time(e.recordedAt)),
          ),
        ),
      ),
    ),
  );
}

function gapsTable(m: MeterHistory): HTMLElement {
  if (m.gapCount === 0) return h('p', { className: 'hint', id: 'meter-gaps-none' }, t('noGaps'));
  return h(
    'div',
    { className: 'table-wrap', role: 'region', 'aria-label': t('meterGaps'), tabindex: 0 },
    h(
      'table',
      { className: 'data', id: 'meter-gaps' },
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          h('th', { scope: 'col' }, t('gapFrom')),
          h('th', { scope: 'col' }, t('gapTo')),
          h('th', { scope: 'col', className: 'num' }, t('gapLength')),
        ),
      ),
      h(
        'tbody',
        {},
        ...m.gaps
          .slice(0, 100)
          .map((g) =>
            h(
              'tr',
              {},
              h('td', {}, time(g.from)),
              h('td', {}, time(g.to)),
              h('td', { className: 'num' }, `${num(g.seconds / 3600, 2)} ${t('hours')}`),
            ),
          ),
      ),
    ),
    m.gapCount > 100 ? h('p', { className: 'hint' }, t('gapsMore', { n: m.gapCount - 100 })) : null,
  );
}

/** The newest reading, the period's total, completeness and gaps: what a new reading changes. */
function meterCards(m: MeterHistory): HTMLElement[] {
  return [
    latestCard(m),
    card(t('periodTotal'), qty(m.total, m.unit, Math.abs(m.total) >= 1000 ? 0 : 2), `${carrierName(m.info.carrier)}`),
    card(
      t('completeness'),
      pct(m.completeness.ratio),
      t('readingsOfExpected', { readings: num(m.completeness.readings, 0), expected: num(m.completeness.expected, 0) }),
    ),
    card(t('gapsCount'), num(m.gapCount, 0), t('gapsSum', { hours: num(m.gapSeconds / 3600, 1) })),
  ];
}

function latestCard(m: MeterHistory): HTMLElement {
  const l = m.latest;
  if (!l) return card(t('newestReading'), t('never'));
  const multiplier = num(l.multiplier, l.multiplier % 1 === 0 ? 0 : 3);
  const sub = `${t('registerTimes', { register: num(l.value, autoDigits(l.value)), multiplier })} · ${time(l.ts)}`;
  return card(t('newestReading'), qty(l.quantity, l.unit, autoDigits(l.quantity)), sub);
}

export const meterPage = async (ctx: PageContext, id: string, meterId: string): Promise<void> => {
  const period = periodFromParams(ctx.params[3], ctx.params[4]);
  const base = `/api/enterprises/${encodeURIComponent(id)}`;
  const info = await api<EnterpriseInfo>(base);
  if (!info.meters.some((m) => m.id === meterId)) throw new ApiError(404, 'not_found', t('meterNotFound'));
  const url = (query: string) => `${base}/meters/${encodeURIComponent(meterId)}/consumption?${query}`;
  const asked = (today: string) => {
    const q = periodQuery(period, today);
    return url(`from=${q.from}&to=${q.to}&every=${q.every}`);
  };
  // Without a date in the URL the server's own period is shown (its zone's today), never the browser's clock.
  const [first, events] = await Promise.all([
    api<MeterHistory>(period.anchor ? asked('') : url(`every=${PERIOD_EVERY[period.kind]}`)),
    api<MeterEventView[]>(`${base}/meters/${encodeURIComponent(meterId)}/events`).catch(() => [] as MeterEventView[]),
  ]);
  const today = first.at.slice(0, 10);
  const m = !period.anchor && period.kind === 'week' ? await api<MeterHistory>(asked(today)) : first;
  const fileFrom = m.from.slice(0, 10);
  const chartEl = h('div', { className: 'chart', id: 'chart-meter', role: 'img', 'aria-label': t('meterHistory') });
  const title = m.info.name ? `${m.info.id} · ${m.info.name}` : m.info.id;
  const cards = h('div', { className: 'cards', id: 'meter-cards' }, ...meterCards(m));
  let gaps = gapsTable(m);
  ctx.main.append(
    breadcrumb(ctx.session, { industry: info.industry, enterprise: { id: info.id, name: info.name }, meter: title }),
    pageHeader(`${t('meterPage')} ${title}`, `${info.name}`, `${t('period')} ${time(m.from)} – ${time(m.to)}`, `${t('timezone')} ${m.timezone}`),
    periodPicker(id, meterId, period, today),
    cards,
    h(
      'section',
      { className: 'panel' },
      h('h2', {}, `${t('meterHistory')} (${m.unit})`),
      chartEl,
      h('p', { className: 'hint legend-partial' }, `▨ ${t('inProgress')}`),
    ),
    h(
      'div',
      { className: 'grid2' },
      h('section', { className: 'panel' }, h('h2', {}, t('meterFacts')), facts(m)),
      h('section', { className: 'panel' }, h('h2', {}, t('meterGaps')), gaps),
    ),
    h('section', { className: 'panel' }, h('h2', {}, t('meterEvents')), eventsTable(events)),
  );
  const chartName = `${id}-${meterId}-${fileFrom}`;
  chart(chartEl, meterChartOption(m, chartName));

  // Live: a reading of this meter changes the newest reading and, inside the shown period, the bucket
  // in progress, completeness and gaps; the same period is asked again (not the browser's "now").
  followReadings(
    ctx,
    (r) => r.enterprise === id && r.meter === meterId,
    async () => {
      const next = await api<MeterHistory>(url(`from=${m.from.slice(0, 10)}&to=${m.to.slice(0, 10)}&every=${m.every}`));
      if (!chartEl.isConnected) return;
      replace(cards, ...meterCards(next));
      const fresh = gapsTable(next);
      gaps.replaceWith(fresh);
      gaps = fresh;
      window.echarts
        .getInstanceByDom(chartEl)
        ?.setOption({ animation: false, textStyle: { fontFamily: 'inherit' }, ...meterChartOption(next, chartName) }, { notMerge: true });
    },
  );
};

/** The enterprise route's meter branch (main.ts): `#/enterprise/{id}/meter/{meterId}/...`. */
export const meterRoute: Page = (ctx) => meterPage(ctx, ctx.params[0] ?? '', ctx.params[2] ?? '');
