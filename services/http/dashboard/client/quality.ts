/**
 * Data-quality text in the reader's language (issue 21 item 4): quarantine reasons (the id kept
 * small beside the label), the ingest's rejection details (English from the server, translated by
 * their known shapes, any other shown labelled as recorded), payload times (epoch ms in the site
 * zone) and the data-quality alarm's event counts.
 */
import { h, type Child } from './dom';
import { lang, t, tOr, type MessageKey } from './i18n';

export function reasonLabel(reason: string): HTMLElement {
  return h('span', {}, tOr(`qreason_${reason}`, reason), ' ', h('small', { className: 'id' }, reason));
}

const DETAILS: readonly [RegExp, (m: RegExpMatchArray) => Child][] = [
  [/^value is (\S+)$/, (m) => coded('qdetail_value', { value: m[1]! })],
  [/^value overflows when converted from (\S+) to (\S+)$/, (m) => coded('qdetail_overflow', { from: m[1]!, to: m[2]! })],
  [/^no meter "(.+)" in enterprise (\S+)$/, (m) => coded('qdetail_unknownMeter', { meter: m[1]!, enterprise: m[2]! })],
  [/^unit "(.+)" does not convert to the meter's unit "(.+)"$/, (m) => coded('qdetail_unit', { from: m[1]!, to: m[2]! })],
  [/^ts (\S+) is more than (\d+(?:\.\d+)?) s ahead of the server clock$/, (m) => coded('qdetail_future', { ts: m[1]!, seconds: m[2]! })],
  [/^(\w+) is required(?: on the multi-meter topic)?$/, (m) => coded('qdetail_required', { field: m[1]! })],
  [/^(\w+) must be a JSON number$/, (m) => coded('qdetail_jsonNumber', { field: m[1]! })],
  [/^the multi-meter topic takes an array of/, () => coded('qdetail_array', {})],
];

/** A translated sentence whose values (ids, received values: data) are shown as code. */
function coded(key: MessageKey, vars: Record<string, string>): Child {
  const marked = t(key, Object.fromEntries(Object.keys(vars).map((k) => [k, `\u0000${k}\u0000`])));
  return marked.split('\u0000').map((part, i) => (i % 2 === 1 ? h('code', {}, vars[part] ?? '') : part));
}

/** The server's details are English; in zh-CN an unknown shape is shown as recorded, labelled. */
export function detailText(detail: string): Child {
  for (const [re, render] of DETAILS) {
    const m = re.exec(detail);
    if (m) return render(m);
  }
  return lang() === 'en' ? detail : recorded(detail, 'en', t('qdetail_original'));
}

/** Text kept in the language it was recorded in, marked as such (lang attribute and a label). */
export function recorded(text: string, textLang: string, label: string): HTMLElement {
  return h('span', {}, h('span', { className: 'recorded-label' }, `${label}: `), h('span', { lang: textLang, 'data-recorded': '' }, text));
}

/** Epoch-ms times found in a payload ("ts": 1772416800000), in the zone of `zonedIso` (its offset). */
export function payloadTimes(payload: string, zonedIso: string): string | null {
  const stamps = [...payload.matchAll(/"ts"\s*:\s*(\d{12,13})\b/g)].map((m) => Number(m[1]));
  const offset = /([+-])(\d{2}):(\d{2})$/.exec(zonedIso);
  if (stamps.length === 0 || !offset) return null;
  const sign = offset[1] === '-' ? -1 : 1;
  const offsetMs = sign * (Number(offset[2]) * 60 + Number(offset[3])) * 60_000;
  const shown = stamps.slice(0, 5).map((ms) => new Date(ms + offsetMs).toISOString().slice(0, 19).replace('T', ' '));
  return `${t('payloadTimes')}: ${shown.join(', ')}${stamps.length > 5 ? ' …' : ''} (${offset[0]})`;
}

/** "reset 7, quarantined 12" (the stored data-quality message's listing) in the reader's words. */
export function dataQualityText(message: string): string | null {
  const listing = /(?:数据质量：|data quality: )(.*)$/.exec(message)?.[1];
  if (listing === undefined) return null;
  const entries = [...listing.matchAll(/([a-z][a-z-]*) (\d+)/g)].map((m) => `${tOr(`dq_${m[1]}`, m[1]!)} ${m[2]}`);
  return `${t('dqTitle')}${entries.join(lang() === 'en' ? ', ' : '，')}`;
}
