/**
 * Monthly reports: any month's current report (a draft until finalised) with its format links and a
 * preview of its HTML rendering, finalising (admins, after a confirmation naming the month; a month
 * that has not ended cannot be), and every finalised revision in every format.
 */
import { api } from '../api';
import { pageHeader, type Page, type PageContext } from '../context';
import { h, replace } from '../dom';
import { lang, t, tOr } from '../i18n';
import { time } from '../format';
import { recorded } from '../quality';
import type { Revision } from '../types';
import { sortableTable, type Column } from '../widgets';

const FORMATS = ['pdf', 'xlsx', 'csv', 'html', 'json'] as const;

/**
 * GET /api/reports/month-state: whether the month has ended on the server's clock, in the site zone;
 * `latestEnded` is the latest month that has (without `month`, the answer is about that one).
 */
interface MonthState {
  readonly month: string;
  readonly ended: boolean;
  readonly endsAt: string;
  readonly latestEnded: string;
  readonly revisions: number;
}

/** A row of GET /api/reports/revisions: the kinds of change a revision was made for (none for a first one). */
type RevisionRow = Revision & { readonly reasons?: readonly string[] };

/** A revision's reasons in the reader's words only (the id is for programs); an unknown kind as it is. */
export function reasonWords(reasons: readonly string[] | undefined): string {
  if (!reasons || reasons.length === 0) return t('firstRevision');
  return reasons.map((r) => tOr(`revisionReason_${r}`, r)).join(lang() === 'en' ? '; ' : '；');
}

const EN_MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

/** `2026-11` as people say it: 2026年11月 / November 2026. */
export function monthWords(month: string): string {
  const m = /^(\d{4})-(\d{2})$/.exec(month);
  if (!m) return month;
  return lang() === 'en' ? `${EN_MONTHS[Number(m[2]) - 1]!} ${m[1]!}` : `${m[1]!}年${Number(m[2])}月`;
}

export const reportsPage: Page = async (ctx) => {
  // The default month is the server's latest ended month in the site zone, never the browser's clock.
  const [revisions, current] = await Promise.all([api<RevisionRow[]>('/api/reports/revisions'), api<MonthState>('/api/reports/month-state')]);
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

  const columns: Column<RevisionRow>[] = [
    { key: 'month', label: t('monthLabel'), sort: (r) => r.month, cell: (r) => r.month },
    { key: 'revision', label: t('revision'), numeric: true, sort: (r) => r.revision, cell: (r) => `r${r.revision}` },
    { key: 'created', label: t('createdAt'), sort: (r) => r.createdAt, cell: (r) => time(r.createdAt) },
    { key: 'sha', label: 'SHA-256', cell: (r) => (r.sha256 ? h('code', { title: r.sha256 }, r.sha256.slice(0, 12)) : t('none')) },
    { key: 'reasons', label: t('revisionReasons'), cell: (r) => reasonWords(r.reasons) },
    // The note is stored as the service wrote it (English, with the figures that moved): shown as recorded, labelled, in Chinese.
    {
      key: 'note',
      label: t('note'),
      cell: (r) => (r.note === null || r.note === undefined || lang() === 'en' ? (r.note ?? '') : recorded(r.note, 'en', t('recordedNote'))),
    },
    { key: 'download', label: t('download'), cell: (r) => links(r.month, r.revision) },
  ];

  const lastMonth = current.latestEnded;
  const monthInput = h('input', { type: 'month', id: 'report-month', value: lastMonth });
  const month = (): string => monthInput.value || lastMonth;
  const anyMonthLinks = h('span', {}, links(lastMonth));
  const finaliseBox = h('span', { className: 'finalise' });
  const preview = h('div', { id: 'report-preview' });

  const show = (): void => {
    const m = month();
    replace(anyMonthLinks, links(m));
    replace(preview, previewFrame(href(m, 'html'), m));
    if (ctx.session.role === 'admin') void finaliseControl(ctx, m).then((el) => month() === m && replace(finaliseBox, el));
  };
  monthInput.addEventListener('change', show);
  show();

  replace(
    ctx.main,
    pageHeader(t('reports')),
    h(
      'section',
      { className: 'panel' },
      h('h2', {}, t('anyMonth')),
      h('div', { className: 'filters' }, h('label', { for: 'report-month' }, t('monthLabel')), monthInput, anyMonthLinks, finaliseBox),
      h('h3', {}, t('reportPreview')),
      preview,
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

/** The selected month's HTML report in the page, same origin (the route frames it for this origin only). */
function previewFrame(src: string, month: string): HTMLElement {
  return h('iframe', {
    id: 'report-preview-frame',
    src: `${src}&view=inline`,
    title: t('reportPreviewTitle', { month: monthWords(month) }),
    style: 'width: 100%; height: 70vh; border: 1px solid #d0d3d6; background: #fff;',
  });
}

/**
 * 定稿 for an admin: disabled with the reason while the month has not ended (contract 8.4: the
 * server refuses it too); otherwise it asks first, naming the month and saying it cannot be undone.
 */
async function finaliseControl(ctx: PageContext, month: string): Promise<HTMLElement> {
  let state: MonthState;
  try {
    state = await api<MonthState>(`/api/reports/month-state?month=${encodeURIComponent(month)}`);
  } catch (err) {
    return h('span', { role: 'alert' }, err instanceof Error ? err.message : String(err));
  }
  const words = monthWords(month);
  const reason = state.ended ? null : t('monthNotEnded', { month: words, endsAt: time(state.endsAt) });
  const button = h(
    'button',
    {
      type: 'button',
      id: 'finalise',
      ...(reason !== null ? { disabled: true, title: reason, 'aria-describedby': 'finalise-reason' } : {}),
      onclick: () => confirmFinalise(ctx, month),
    },
    t('finaliseMonth', { month: words }),
  );
  return h(
    'span',
    {},
    button,
    reason ? h('span', { id: 'finalise-reason', className: 'muted' }, ` ${reason}`) : null,
    state.revisions > 0 ? h('span', { className: 'muted' }, ` ${t('monthRevisions', { count: state.revisions })}`) : null,
  );
}

function confirmFinalise(ctx: PageContext, month: string): void {
  const words = monthWords(month);
  const dialog = h(
    'dialog',
    { id: 'finalise-dialog', 'aria-labelledby': 'finalise-dialog-title' },
    h('h2', { id: 'finalise-dialog-title' }, t('finaliseConfirmTitle', { month: words })),
    h('p', {}, t('finaliseConfirmText', { month: words })),
    h(
      'div',
      { className: 'filters' },
      h('button', { type: 'button', id: 'finalise-cancel', onclick: () => dialog.close() }, t('finaliseCancel')),
      h(
        'button',
        {
          type: 'button',
          id: 'finalise-confirm',
          onclick: () => {
            dialog.close();
            finalise(ctx, month);
          },
        },
        t('finaliseConfirm'),
      ),
    ),
  );
  dialog.addEventListener('close', () => dialog.remove());
  document.body.append(dialog);
  dialog.showModal();
}

function finalise(ctx: PageContext, month: string): void {
  api<{ month: string; revision: number }>(`/api/reports/monthly/finalise?month=${encodeURIComponent(month)}`, { method: 'POST' }).then(
    (r) => {
      ctx.toast(`${t('finalised')}: ${r.month} r${r.revision}`);
      ctx.refresh();
    },
    (err: unknown) => ctx.toast(err instanceof Error ? err.message : String(err)),
  );
}
