/**
 * One alarm as a card (not a table row, so that it fits 768 px): what, where, the figure, the
 * acknowledgement and the comments (处置意见), with the acknowledge / comment form for writers.
 */
import { api } from '../api';
import { h, type Child } from '../dom';
import { autoDigits, num, qty, time } from '../format';
import { lang, t, tOr } from '../i18n';
import { dataQualityText, recorded } from '../quality';
import type { AlarmView } from '../types';
import { severityBadge } from '../widgets';

export interface CardContext {
  readonly writer: boolean;
  readonly enterpriseName: (id: string) => string;
  readonly toast: (text: string) => void;
  /** After a successful write: the page reloads its list. */
  readonly changed: () => void;
}

/**
 * The stored message is in the configured language: a data-quality listing is rendered in the
 * reader's words; any other message in the other script is shown as recorded, labelled (issue 21).
 */
function messageText(a: AlarmView): Child {
  if (a.type === 'data-quality') {
    const text = dataQualityText(a.message);
    if (text !== null) return text;
  }
  const recordedLang = /\p{Script=Han}/u.test(a.message) ? 'zh-CN' : 'en';
  return recordedLang === lang() ? a.message : recorded(a.message, recordedLang, t('recordedMessage'));
}

/** The basis (factor rows, period) is recorded with the alarm, in the configured language: labelled like the message when that is not the reader's. */
function basisText(basis: string): Child {
  const recordedLang = /\p{Script=Han}/u.test(basis) ? 'zh-CN' : 'en';
  return recordedLang === lang() ? basis : recorded(basis, recordedLang, t('recordedBasis'));
}

function figure(a: AlarmView): string | null {
  if (a.value === null) return null;
  if (a.unit === 'share' || a.unit === 'ratio') return `${num(a.value * 100, 1)} % / ${num((a.threshold ?? 0) * 100, 1)} %`;
  // A count of events is a whole number; units named in words are translated (次 / events).
  if (a.unit === 'events') return `${num(a.value, 0)} ${t('unit_events')}`;
  return `${qty(a.value, tOr(`unit_${a.unit ?? ''}`, a.unit ?? ''), autoDigits(a.value))}${a.threshold !== null ? ` / ${num(a.threshold, autoDigits(a.threshold))}` : ''}`;
}

function notesList(a: AlarmView): Child {
  const notes = a.notes ?? [];
  if (notes.length === 0) return null;
  return h(
    'ol',
    { className: 'alarm-notes', 'aria-label': t('notes') },
    notes.map((n) =>
      h(
        'li',
        { className: 'alarm-note' },
        h('span', { className: 'note-meta' }, `${time(n.at)} · ${n.by} · ${t(n.kind === 'ack' ? 'noteKind_ack' : 'noteKind_note')}`),
        h('span', { className: 'note-text' }, n.text),
      ),
    ),
  );
}

/** The comment box and its button: acknowledge an active alarm, or add a comment to any other. */
function commentForm(a: AlarmView, ctx: CardContext): HTMLElement {
  const acking = a.state === 'active';
  const box = h('textarea', {
    className: 'comment',
    rows: 2,
    maxlength: 1000,
    'aria-label': t('comment'),
    placeholder: t(acking ? 'commentPlaceholder' : 'notePlaceholder'),
  });
  const button = h(
    'button',
    { type: 'submit', className: acking ? 'ack' : 'add-note', 'data-alarm': a.id },
    t(acking ? 'ackWithComment' : 'addNote'),
  );
  const form = h('form', { className: 'alarm-form' }, box, button);
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const comment = box.value.trim();
    if (!acking && comment === '') return box.focus();
    button.disabled = true;
    const call = acking
      ? api<AlarmView>(`/api/alarms/${a.id}/ack`, { method: 'POST', body: comment ? { comment } : {} })
      : api<AlarmView>(`/api/alarms/${a.id}/notes`, { method: 'POST', body: { comment } });
    call.then(
      () => {
        ctx.toast(acking ? `${t('ackDone')}: #${a.id}` : `${t('noteAdded')}: #${a.id}`);
        ctx.changed();
      },
      (err: unknown) => {
        button.disabled = false;
        ctx.toast(err instanceof Error ? err.message : String(err));
      },
    );
  });
  // Adding to a handled alarm is the rarer act: folded until asked for.
  return acking ? form : h('details', { className: 'note-more' }, h('summary', {}, t('addNote')), form);
}

export function alarmCard(a: AlarmView, ctx: CardContext): HTMLElement {
  const fig = figure(a);
  const stateLine =
    a.state === 'acknowledged' && a.acknowledgedBy
      ? `${t('acknowledged')} · ${t('acknowledgedBy')} ${a.acknowledgedBy} ${time(a.acknowledgedAt)}`
      : a.state === 'cleared'
        ? `${t('cleared')} · ${t('clearedAt')} ${time(a.clearedAt)}${a.acknowledgedBy ? ` · ${t('acknowledgedBy')} ${a.acknowledgedBy}` : ''}`
        : t(a.state);
  return h(
    'article',
    { className: `alarm-card ${a.severity} ${a.state}`, 'data-alarm': a.id, 'aria-label': `#${a.id}` },
    h(
      'div',
      { className: 'alarm-head' },
      severityBadge(a.severity),
      h('strong', { className: 'alarm-type' }, tOr(`type_${a.type}`, a.type)),
      h('a', { href: `#/enterprise/${encodeURIComponent(a.enterprise)}` }, ctx.enterpriseName(a.enterprise)),
      a.meter ? h('span', { className: 'alarm-meter' }, `${t('meterLabel')} ${a.meter}`) : null,
      h('span', { className: 'alarm-time' }, `${t('raisedAt')} ${time(a.raisedAt)}`),
    ),
    h('p', { className: 'alarm-message' }, messageText(a), a.basis ? h('small', { className: 'basis' }, basisText(a.basis)) : null),
    h(
      'p',
      { className: 'alarm-figures' },
      fig ? h('span', { className: 'alarm-value' }, `${t('value')} ${fig}`) : null,
      h('span', { className: 'alarm-state' }, stateLine),
    ),
    notesList(a),
    ctx.writer ? commentForm(a, ctx) : null,
  );
}
