/** Monthly reports: every finalised revision in every format, any month's current report, and finalising (admins). */
import { api } from '../api';
import { pageHeader, type Page } from '../context';
import { h, replace } from '../dom';
import { lang, t } from '../i18n';
import { time } from '../format';
import type { Revision } from '../types';
import { sortableTable, type Column } from '../widgets';

const FORMATS = ['pdf', 'xlsx', 'csv', 'html', 'json'] as const;

export const reportsPage: Page = async (ctx) => {
  const revisions = await api<Revision[]>('/api/reports/revisions');
  const own = ctx.session.role === 'enterprise' ? ctx.session.enterprise : null;
  const href = (month: string, format: string, revision?: number) => {
    const q = new URLSearchParams({ month, format, lang: lang(), ...(revision !== undefined && { revision: String(revision) }) });
    return `/api/reports/monthly${own ? `/${encodeURIComponent(own)}` : ''}?${q}`;
  };
  const links = (month: string, revision?: number) =>
    h(
      'span',
      { className: 'formats' },
      FORMATS.map((f) =>
        h(
          'a',
          {
            href: href(month, f, revision),
            download: '',
            className: 'format',
            'data-format': f,
            'data-month': month,
            ...(revision !== undefined && { 'data-revision': revision }),
          },
          f.toUpperCase(),
        ),
      ),
    );

  const columns: Column<Revision>[] = [
    { key: 'month', label: t('monthLabel'), sort: (r) => r.month, cell: (r) => r.month },
    { key: 'revision', label: t('revision'), numeric: true, sort: (r) => r.revision, cell: (r) => `r${r.revision}` },
    { key: 'created', label: t('createdAt'), sort: (r) => r.createdAt, cell: (r) => time(r.createdAt) },
    { key: 'sha', label: 'SHA-256', cell: (r) => (r.sha256 ? h('code', { title: r.sha256 }, r.sha256.slice(0, 12)) : t('none')) },
    { key: 'note', label: t('note'), cell: (r) => r.note ?? '' },
    { key: 'download', label: t('download'), cell: (r) => links(r.month, r.revision) },
  ];

  const now = new Date();
  const lastMonth = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1)).toISOString().slice(0, 7);
  const monthInput = h('input', { type: 'month', id: 'report-month', value: lastMonth });
  const anyMonthLinks = h('span', {}, links(lastMonth));
  monthInput.addEventListener('change', () => replace(anyMonthLinks, links(monthInput.value || lastMonth)));
  const finalise =
    ctx.session.role === 'admin'
      ? h(
          'button',
          {
            type: 'button',
            id: 'finalise',
            onclick: () => {
              api<{ month: string; revision: number }>(`/api/reports/monthly/finalise?month=${encodeURIComponent(monthInput.value || lastMonth)}`, {
                method: 'POST',
              }).then(
                (r) => {
                  ctx.toast(`${t('finalised')}: ${r.month} r${r.revision}`);
                  ctx.refresh();
                },
                (err: unknown) => ctx.toast(err instanceof Error ? err.message : String(err)),
              );
            },
          },
          t('finalise'),
        )
      : null;

  replace(
    ctx.main,
    pageHeader(t('reports')),
    h(
      'section',
      { className: 'panel' },
      h('h2', {}, t('anyMonth')),
      h('div', { className: 'filters' }, h('label', { for: 'report-month' }, t('monthLabel')), monthInput, anyMonthLinks, finalise),
    ),
    h(
      'section',
      { className: 'panel' },
      revisions.length === 0
        ? h('p', {}, t('noReports'))
        : sortableTable('revision-table', t('revisions'), columns, revisions, { key: 'month', dir: -1 }),
    ),
  );
};
