/**
 * The period selector and the comparison table the overview and enterprise pages share (issue 21):
 * the period's figures beside the previous period (环比) and the same period a year earlier (同比),
 * each with its absolute and relative change; "—" for a relative change against 0.
 */
import { h } from './dom';
import { t } from './i18n';
import { num, signedPct, signedQty } from './format';
import { KINDS, periodHash, rangeText, shifted, type Kind, type Ranges, type Selected } from './periodHash';

export interface ComparedRow {
  readonly key: string;
  readonly label: string;
  readonly current: number;
  readonly previous: number;
  readonly yearEarlier: number;
}

const KIND_LABEL = { day: 'periodDay', month: 'periodMonth', year: 'periodYear', custom: 'periodCustom' } as const;
const INPUT_TYPE = { day: 'date', month: 'month', year: 'number' } as const;

/** Relative change; null (shown as "—") when the earlier figure is 0. */
export function relativeChange(current: number, earlier: number): number | null {
  return earlier === 0 ? null : (current - earlier) / earlier;
}

/** The form: a kind, its date(s), earlier/later steps; every choice becomes the URL hash of `page`. */
function selector(page: string, s: Selected, today: string): HTMLElement {
  const kind = h(
    'select',
    { id: 'period-kind', 'aria-label': t('perKind') },
    ...KINDS.map((k) => h('option', { value: k, ...(k === s.kind && { selected: true }) }, t(KIND_LABEL[k]))),
  );
  const dateInput = (id: string, label: string, value: string, type: string) =>
    h('label', { className: 'period-field' }, `${label} `, h('input', { id, type, value, max: type === 'date' ? today : '', required: true }));
  const fields = h('span', { className: 'period-fields' });
  const draw = (k: Kind) => {
    fields.replaceChildren(
      ...(k === 'custom'
        ? [
            dateInput('period-from', t('perFrom'), s.kind === 'custom' ? s.from : today, 'date'),
            dateInput('period-to', t('perTo'), s.kind === 'custom' ? s.to : today, 'date'),
          ]
        : [
            dateInput(
              'period-date',
              t('perDate'),
              s.kind === k ? s.from : k === 'day' ? today : k === 'month' ? today.slice(0, 7) : today.slice(0, 4),
              INPUT_TYPE[k],
            ),
          ]),
    );
  };
  draw(s.kind);
  kind.addEventListener('change', () => draw(kind.value as Kind));
  const value = (id: string) => (document.getElementById(id) as HTMLInputElement | null)?.value ?? '';
  const go = (next: Selected) => {
    location.hash = periodHash(page, next);
  };
  const error = h('p', { className: 'period-error', role: 'alert', hidden: true }, t('perInvalid'));
  const form = h(
    'form',
    {
      className: 'filters period-form no-print',
      onsubmit: (ev: Event) => {
        ev.preventDefault();
        const k = kind.value as Kind;
        const next: Selected =
          k === 'custom' ? { kind: k, from: value('period-from'), to: value('period-to') } : { kind: k, from: value('period-date'), to: '' };
        const ok = next.from !== '' && next.from <= today.slice(0, next.from.length) && (k !== 'custom' || (next.to !== '' && next.from <= next.to));
        error.hidden = ok;
        if (ok) go(next);
      },
    },
    h('label', { className: 'period-field' }, `${t('perKind')} `, kind),
    fields,
    h('button', { type: 'submit', id: 'period-apply' }, t('perApply')),
    h('button', { type: 'button', id: 'period-earlier', onclick: () => go(shifted(s, -1)) }, `← ${t('perEarlier')}`),
    h(
      'button',
      {
        type: 'button',
        id: 'period-later',
        onclick: () => go(shifted(s, 1)),
        ...(shifted(s, 1).from > today.slice(0, s.from.length) && { disabled: true }),
      },
      `${t('perLater')} →`,
    ),
  );
  return h('div', {}, form, error);
}

/** One figure cell: tce with about 4 significant digits. */
const tceCell = (v: number) => h('td', { className: 'num' }, num(v, v === 0 ? 0 : Math.abs(v) >= 1000 ? 1 : 3));
const changeCells = (current: number, earlier: number) => [
  h('td', { className: 'num' }, signedQty(current - earlier, '', Math.abs(current - earlier) >= 1000 ? 1 : 3)),
  h('td', { className: 'num' }, signedPct(relativeChange(current, earlier))),
];

/** The panel: selector, the three ranges in words, and the table of `rows` (tce). */
export function periodPanel(page: string, s: Selected, today: string, ranges: Ranges, rows: readonly ComparedRow[]): HTMLElement {
  const head = [
    t('perItem'),
    t('perCurrent'),
    t('perPrevious'),
    `${t('perMom')} ${t('perChange')}`,
    t('perMom'),
    t('perYearEarlier'),
    `${t('perYoy')} ${t('perChange')}`,
    t('perYoy'),
  ];
  const table = h(
    'table',
    { id: 'period-table', className: 'data period-table' },
    h('thead', {}, h('tr', {}, ...head.map((label, i) => h('th', { scope: 'col', ...(i > 0 && { className: 'num' }) }, label)))),
    h(
      'tbody',
      {},
      ...rows.map((r) =>
        h(
          'tr',
          { 'data-row': r.key },
          h('th', { scope: 'row' }, r.label),
          tceCell(r.current),
          tceCell(r.previous),
          ...changeCells(r.current, r.previous),
          tceCell(r.yearEarlier),
          ...changeCells(r.current, r.yearEarlier),
        ),
      ),
    ),
  );
  return h(
    'section',
    { className: 'panel period', id: 'period-panel' },
    h('h2', {}, t('perTitle')),
    selector(page, s, today),
    h(
      'p',
      { className: 'meta', id: 'period-ranges' },
      t('perRanges', { current: rangeText(ranges.current), previous: rangeText(ranges.previous), yearEarlier: rangeText(ranges.yearEarlier) }),
      ranges.partial ? ` · ${t('perPartial')}` : '',
      ranges.inProgress ? h('span', { id: 'period-in-progress' }, ` · ${t('perInProgress')}`) : null,
    ),
    h('div', { className: 'table-wrap' }, table),
    h(
      'p',
      { className: 'meta' },
      rows.length <= 1 && rows.every((r) => r.current === 0 && r.previous === 0 && r.yearEarlier === 0) ? t('perNoData') : t('perNote'),
    ),
  );
}
