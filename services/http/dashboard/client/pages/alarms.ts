/**
 * The alarm history (issue 21 item 7): filters kept in the URL hash, critical and warning alarms
 * first as cards, info items folded into one group per type, acknowledgement with a comment,
 * later comments, and CSV / Excel export of the filtered set. New alarms arrive live.
 */
import { ALARM_TYPES } from '../../../../energy/alarm';
import { api, ApiError } from '../api';
import { filtersFromHash, alarmsHref, apiQuery, DEFAULT_FILTERS, FILTER_SEVERITIES, FILTER_STATES, type AlarmFilterState } from '../alarmFilters';
import { canWrite, pageHeader, type Page } from '../context';
import { h, replace, type Child } from '../dom';
import { lang, t, tOr } from '../i18n';
import type { AlarmView, EnterpriseInfo } from '../types';
import { alarmCard, type CardContext } from './alarmCard';

/** Rows per request: enough for a month of a district; the count line says when more match. */
const PAGE_ROWS = 500;

/** A list with its total (X-Total-Count): the JSON body stays the contract's array. */
async function listWithTotal(query: string): Promise<{ alarms: AlarmView[]; total: number }> {
  const res = await fetch(`/api/alarms?${query}`, { headers: { accept: 'application/json' }, credentials: 'same-origin' });
  if (!res.ok) {
    const body = (await res.json().catch(() => undefined)) as { error?: { code: string; message: string } } | undefined;
    throw new ApiError(res.status, body?.error?.code ?? 'http', body?.error?.message ?? `HTTP ${res.status}`);
  }
  const alarms = (await res.json()) as AlarmView[];
  return { alarms, total: Number(res.headers.get('x-total-count') ?? alarms.length) };
}

const withSeverities = (f: AlarmFilterState, wanted: readonly (typeof FILTER_SEVERITIES)[number][]) => {
  const chosen = f.severities.length ? f.severities : FILTER_SEVERITIES;
  return chosen.filter((s) => wanted.includes(s));
};

function filterForm(f: AlarmFilterState, enterprises: readonly EnterpriseInfo[], ownOnly: boolean): HTMLElement {
  const select = (id: string, options: [string, string][], value: string) =>
    h(
      'select',
      { id, name: id },
      options.map(([v, label]) => h('option', { value: v, ...(v === value && { selected: true }) }, label)),
    );
  const date = (id: string, value: string) => h('input', { id, name: id, type: 'date', value });
  const form = h(
    'form',
    { className: 'filters alarm-filters', id: 'alarm-filters', 'aria-label': t('alarmFilters') },
    h(
      'label',
      {},
      t('state'),
      ' ',
      select(
        'alarm-state',
        FILTER_STATES.map((s) => [s, t(s)]),
        f.state,
      ),
    ),
    h(
      'fieldset',
      { className: 'severity-choice' },
      h('legend', {}, t('severity')),
      FILTER_SEVERITIES.map((s) =>
        h(
          'label',
          { className: 'check' },
          h('input', { type: 'checkbox', name: 'severity', value: s, ...(f.severities.includes(s) && { checked: true }) }),
          t(s),
        ),
      ),
    ),
    h(
      'label',
      {},
      t('type'),
      ' ',
      select('alarm-type', [['', t('anyType')], ...ALARM_TYPES.map((x): [string, string] => [x, tOr(`type_${x}`, x)])], f.types[0] ?? ''),
    ),
    ownOnly
      ? null
      : h(
          'label',
          {},
          t('enterprise'),
          ' ',
          select('alarm-enterprise', [['', t('all')], ...enterprises.map((e): [string, string] => [e.id, e.name])], f.enterprise),
        ),
    h('label', {}, t('dateFrom'), ' ', date('alarm-from', f.from)),
    h('label', {}, t('dateTo'), ' ', date('alarm-to', f.to)),
    h('button', { type: 'submit', id: 'alarm-apply' }, t('applyFilters')),
    h('a', { className: 'button-link', href: alarmsHref(), id: 'alarm-reset' }, t('resetFilters')),
  );
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const data = new FormData(form);
    const text = (k: string) => String(data.get(k) ?? '');
    const type = text('alarm-type');
    location.hash = alarmsHref({
      state: FILTER_STATES.find((s) => s === text('alarm-state')) ?? DEFAULT_FILTERS.state,
      severities: FILTER_SEVERITIES.filter((s) => data.getAll('severity').includes(s)),
      types: type ? [type] : [],
      enterprise: ownOnly ? '' : text('alarm-enterprise'),
      from: text('alarm-from'),
      to: text('alarm-to'),
    });
  });
  return form;
}

function exportLinks(f: AlarmFilterState): HTMLElement {
  const href = (format: string) => `/api/alarms?${apiQuery(f, { format, lang: lang() })}`;
  return h(
    'p',
    { className: 'alarm-export' },
    h('a', { className: 'button-link', id: 'export-csv', href: href('csv'), download: '' }, t('exportCsv')),
    h('a', { className: 'button-link', id: 'export-xlsx', href: href('xlsx'), download: '' }, t('exportXlsx')),
    h('small', { className: 'basis' }, t('exportNote')),
  );
}

/** Info items, one folded group per type with its count, newest first inside. */
function infoGroups(info: readonly AlarmView[], card: (a: AlarmView) => HTMLElement): Child {
  const byType = new Map<string, AlarmView[]>();
  for (const a of info) byType.set(a.type, [...(byType.get(a.type) ?? []), a]);
  return [...byType].map(([type, list]) =>
    h(
      'details',
      { className: 'info-group', 'data-type': type },
      h('summary', {}, t('infoGroup', { type: tOr(`type_${type}`, type), n: list.length })),
      list.map(card),
    ),
  );
}

export const alarmsPage: Page = async (ctx) => {
  const f = filtersFromHash(location.hash);
  const ownOnly = ctx.session.role === 'enterprise';
  const important = withSeverities(f, ['critical', 'warning']);
  const wantInfo = withSeverities(f, ['info']).length > 0;
  const none = { alarms: [] as AlarmView[], total: 0 };
  const [enterprises, main, info, open] = await Promise.all([
    api<EnterpriseInfo[]>('/api/enterprises'),
    important.length ? listWithTotal(apiQuery({ ...f, severities: important }, { limit: String(PAGE_ROWS) })) : Promise.resolve(none),
    wantInfo ? listWithTotal(apiQuery({ ...f, severities: ['info'] }, { limit: String(PAGE_ROWS) })) : Promise.resolve(none),
    // The overview's number: open warning and critical alarms (of the chosen enterprise), whatever the other filters.
    listWithTotal(apiQuery({ ...DEFAULT_FILTERS, enterprise: f.enterprise, severities: ['warning', 'critical'] }, { limit: '1' })),
  ]);
  const names = new Map(enterprises.map((e) => [e.id, e.name]));
  const cardCtx: CardContext = {
    writer: canWrite(ctx.session),
    enterpriseName: (id) => names.get(id) ?? id,
    toast: ctx.toast,
    changed: ctx.refresh,
  };
  const card = (a: AlarmView) => alarmCard(a, cardCtx);
  const shownNote = (part: { alarms: AlarmView[]; total: number }) =>
    part.total > part.alarms.length ? h('p', { className: 'hint' }, t('shownOf', { shown: part.alarms.length, total: part.total })) : null;

  replace(
    ctx.main,
    pageHeader(t('alarms'), t('matching', { n: main.total + info.total })),
    h('p', { className: 'legend', id: 'alarm-open-count' }, t('openCountLegend', { n: open.total })),
    filterForm(f, enterprises, ownOnly),
    exportLinks(f),
    important.length
      ? h(
          'section',
          { className: 'panel', id: 'alarms-important', 'aria-label': t('importantTitle') },
          h('h2', {}, t('importantTitle'), ` (${main.total})`),
          main.alarms.length ? h('div', { className: 'alarm-list' }, main.alarms.map(card)) : h('p', { id: 'no-alarms' }, t('noImportant')),
          shownNote(main),
        )
      : null,
    wantInfo && info.total > 0
      ? h(
          'section',
          { className: 'panel', id: 'alarms-info', 'aria-label': t('infoGroupsTitle') },
          h('h2', {}, t('infoGroupsTitle'), ` (${info.total})`),
          infoGroups(info.alarms, card),
          shownNote(info),
        )
      : null,
    main.total + info.total === 0 && !important.length ? h('p', { id: 'no-alarms' }, t('noAlarms')) : null,
  );

  // A live refresh redraws every card: it waits while someone is writing a comment, so that no
  // typed text is lost (the write itself reloads the list).
  const writing = () => [...ctx.main.querySelectorAll('textarea')].some((box) => box.value.trim() !== '' || box === document.activeElement);
  ctx.onLeave(
    ctx.live.on('alarm', (ev) => {
      if (ev.kind === 'raised' || ev.kind === 'escalated') ctx.toast(`${t('newAlarm')}: ${ev.alarm.message}`);
      if (writing()) ctx.toast(t('newAlarmKeep'));
      else ctx.refresh();
    }),
  );
};
