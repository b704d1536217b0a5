/** Data quality: the quarantine with its reasons, and replay for admins once the cause is fixed. */
import { api } from '../api';
import { pageHeader, type Page } from '../context';
import { h, replace } from '../dom';
import { t } from '../i18n';
import { num, time } from '../format';
import type { QuarantineAnswer, QuarantineItem, ReplayAnswer } from '../types';
import { sortableTable, type Column } from '../widgets';
import { detailText, payloadTimes, reasonLabel } from '../quality';

const PAGE = 100;
/** The page of the quarantine shown (newest first); kept while the page is refreshed. */
let offset = 0;

export const dataPage: Page = async (ctx) => {
  let q = await api<QuarantineAnswer>(`/api/quarantine?status=open&limit=${PAGE}&offset=${offset}`);
  if (q.items.length === 0 && offset > 0) {
    offset = 0;
    q = await api<QuarantineAnswer>(`/api/quarantine?status=open&limit=${PAGE}`);
  }
  const go = (to: number) => {
    offset = Math.max(0, to);
    ctx.refresh();
  };
  const admin = ctx.session.role === 'admin';
  const replay = (body: { ids: number[] } | { all: true }, button: HTMLButtonElement) => {
    button.disabled = true;
    api<ReplayAnswer>('/api/quarantine/replay', { method: 'POST', body }).then(
      (r) => {
        ctx.toast(t('replayResult', { replayed: r.replayed.length, rejected: r.stillRejected.length }));
        ctx.refresh();
      },
      (err: unknown) => {
        button.disabled = false;
        ctx.toast(err instanceof Error ? err.message : String(err));
      },
    );
  };
  const columns: Column<QuarantineItem>[] = [
    { key: 'received', label: t('receivedAt'), sort: (i) => i.receivedAt, cell: (i) => time(i.receivedAt) },
    { key: 'reason', label: t('reason'), sort: (i) => i.reason, cell: (i) => reasonLabel(i.reason) },
    { key: 'topic', label: t('topic'), sort: (i) => i.topic, cell: (i) => h('code', {}, i.topic) },
    { key: 'detail', label: t('detail'), cell: (i) => detailText(i.detail) },
    {
      key: 'payload',
      label: t('payload'),
      // The payload as received (data, shown as code); its epoch-ms times read out in the site zone below.
      cell: (i) =>
        h(
          'span',
          {},
          h('code', { className: 'payload', title: i.payload }, i.payload.length > 120 ? `${i.payload.slice(0, 120)}…` : i.payload),
          ...[payloadTimes(i.payload, i.receivedAt)].filter((x) => x !== null).map((x) => h('div', { className: 'payload-times meta' }, x)),
        ),
    },
    ...(admin
      ? [
          {
            key: 'replay',
            label: t('replay'),
            cell: (i: QuarantineItem) =>
              h(
                'button',
                { type: 'button', className: 'replay-one', onclick: (ev: Event) => replay({ ids: [i.id] }, ev.currentTarget as HTMLButtonElement) },
                t('replay'),
              ),
          },
        ]
      : []),
  ];
  const counts = Object.entries(q.openByReason ?? {});
  replace(
    ctx.main,
    pageHeader(t('data'), `${t('quarantine')}: ${num(q.total, 0)}`),
    counts.length > 0
      ? h(
          'section',
          { className: 'panel' },
          h('h2', {}, t('openByReason')),
          h(
            'ul',
            { className: 'chips' },
            counts.map(([reason, n]) => h('li', {}, reasonLabel(reason), ` ${num(n, 0)}`)),
          ),
        )
      : null,
    h(
      'section',
      { className: 'panel' },
      h(
        'div',
        { className: 'filters' },
        h('h2', {}, t('quarantine')),
        admin && q.items.length > 0
          ? h(
              'button',
              { type: 'button', id: 'replay-all', onclick: (ev: Event) => replay({ all: true }, ev.currentTarget as HTMLButtonElement) },
              t('replayAll'),
            )
          : null,
      ),
      q.items.length === 0
        ? h('p', { id: 'quarantine-empty' }, t('emptyQuarantine'))
        : sortableTable('quarantine-table', t('quarantine'), columns, q.items, { key: 'received', dir: -1 }),
      q.total > q.items.length
        ? h(
            'nav',
            { className: 'pager', id: 'quarantine-pager' },
            h('button', { type: 'button', id: 'quarantine-newer', disabled: q.offset === 0, onclick: () => go(q.offset - PAGE) }, t('newer')),
            h('span', {}, t('pageRange', { from: num(q.offset + 1, 0), to: num(q.offset + q.items.length, 0), total: num(q.total, 0) })),
            h(
              'button',
              { type: 'button', id: 'quarantine-older', disabled: q.offset + q.items.length >= q.total, onclick: () => go(q.offset + PAGE) },
              t('older'),
            ),
          )
        : null,
    ),
  );
};
