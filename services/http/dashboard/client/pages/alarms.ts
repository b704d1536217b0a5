/** Alarms with filters; officers and admins acknowledge; new alarms arrive live. */
import { api } from '../api';
import { canWrite, pageHeader, type Page } from '../context';
import { h, replace } from '../dom';
import { t, tOr } from '../i18n';
import { autoDigits, num, qty, time } from '../format';
import type { AlarmView, EnterpriseInfo } from '../types';
import { severityBadge, sortableTable, type Column } from '../widgets';

const STATES = ['active', 'acknowledged', 'cleared', 'all'] as const;
type StateFilter = (typeof STATES)[number];

let stateFilter: StateFilter = 'active';
let enterpriseFilter = '';

export const alarmsPage: Page = async (ctx) => {
  const query = new URLSearchParams({ state: stateFilter, ...(enterpriseFilter && { enterprise: enterpriseFilter }) });
  const [alarms, enterprises] = await Promise.all([api<AlarmView[]>(`/api/alarms?${query}`), api<EnterpriseInfo[]>('/api/enterprises')]);
  const names = new Map(enterprises.map((e) => [e.id, e.name]));
  const writer = canWrite(ctx.session);

  const ack = async (a: AlarmView, button: HTMLButtonElement) => {
    button.disabled = true;
    try {
      await api<AlarmView>(`/api/alarms/${a.id}/ack`, { method: 'POST' });
      ctx.toast(`${t('ackDone')}: #${a.id}`);
      ctx.refresh();
    } catch (err) {
      button.disabled = false;
      ctx.toast(err instanceof Error ? err.message : String(err));
    }
  };

  const columns: Column<AlarmView>[] = [
    {
      key: 'severity',
      label: t('severity'),
      sort: (a) => ({ critical: 0, warning: 1, info: 2 })[a.severity],
      cell: (a) => severityBadge(a.severity),
    },
    { key: 'type', label: t('type'), sort: (a) => a.type, cell: (a) => tOr(`type_${a.type}`, a.type) },
    {
      key: 'enterprise',
      label: t('enterprise'),
      sort: (a) => a.enterprise,
      cell: (a) => h('a', { href: `#/enterprise/${encodeURIComponent(a.enterprise)}` }, names.get(a.enterprise) ?? a.enterprise),
    },
    { key: 'meter', label: t('meter'), cell: (a) => a.meter ?? t('none') },
    { key: 'message', label: t('message'), cell: (a) => h('span', {}, a.message, a.basis ? h('small', { className: 'basis' }, a.basis) : null) },
    {
      key: 'value',
      label: t('value'),
      numeric: true,
      cell: (a) =>
        a.value === null
          ? t('none')
          : a.unit === 'share' || a.unit === 'ratio'
            ? `${num(a.value * 100, 1)} % / ${num((a.threshold ?? 0) * 100, 1)} %`
            : `${qty(a.value, a.unit ?? '', autoDigits(a.value))}${a.threshold !== null ? ` / ${num(a.threshold, autoDigits(a.threshold))}` : ''}`,
    },
    { key: 'raised', label: t('raisedAt'), sort: (a) => a.raisedAt, cell: (a) => time(a.raisedAt) },
    {
      key: 'state',
      label: t('state'),
      sort: (a) => a.state,
      cell: (a) =>
        a.state === 'active' && writer
          ? h(
              'button',
              { type: 'button', className: 'ack', 'data-alarm': a.id, onclick: (ev: Event) => void ack(a, ev.currentTarget as HTMLButtonElement) },
              t('acknowledge'),
            )
          : h(
              'span',
              {},
              t(a.state),
              a.acknowledgedBy ? h('small', { className: 'basis' }, `${t('acknowledgedBy')} ${a.acknowledgedBy} ${time(a.acknowledgedAt)}`) : null,
            ),
    },
  ];

  const stateSelect = h(
    'select',
    {
      id: 'alarm-state',
      onchange: (ev: Event) => {
        stateFilter = (ev.target as HTMLSelectElement).value as StateFilter;
        ctx.refresh();
      },
    },
    STATES.map((s) => h('option', { value: s, ...(s === stateFilter && { selected: true }) }, t(s))),
  );
  const enterpriseSelect =
    ctx.session.role === 'enterprise'
      ? null
      : h(
          'select',
          {
            id: 'alarm-enterprise',
            onchange: (ev: Event) => {
              enterpriseFilter = (ev.target as HTMLSelectElement).value;
              ctx.refresh();
            },
          },
          h('option', { value: '' }, t('all')),
          enterprises.map((e) => h('option', { value: e.id, ...(e.id === enterpriseFilter && { selected: true }) }, e.name)),
        );

  replace(
    ctx.main,
    pageHeader(t('alarms'), `${alarms.length}`),
    h(
      'div',
      { className: 'filters' },
      h('label', {}, t('state'), ' ', stateSelect),
      enterpriseSelect ? h('label', {}, t('enterprise'), ' ', enterpriseSelect) : null,
    ),
    h(
      'section',
      { className: 'panel' },
      alarms.length === 0
        ? h('p', { id: 'no-alarms' }, t('noAlarms'))
        : sortableTable('alarm-table', t('alarms'), columns, alarms, { key: 'severity', dir: 1 }),
    ),
  );

  ctx.onLeave(
    ctx.live.on('alarm', (ev) => {
      if (ev.kind === 'raised' || ev.kind === 'escalated') ctx.toast(`${t('newAlarm')}: ${ev.alarm.message}`);
      ctx.refresh();
    }),
  );
};
