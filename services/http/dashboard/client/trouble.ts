/**
 * Stated trouble (issue 21): the forecast overrun and the date a quota or CO2 budget runs out at the
 * current pace, beside the light and never changing it; and the legend of the lights with the
 * configured thresholds (GET /api/district/overview `thresholds`, GET /api/district/thresholds).
 */
import { h } from './dom';
import { lang, t } from './i18n';
import { pct, qty } from './format';
import { light } from './widgets';

/** The status fields (quota: overrunTce, carbon: overrunT); optional so an older server shows nothing. */
export interface Trouble {
  readonly overrun?: number | null;
  readonly exhausted?: boolean | null;
  readonly exhaustionDate?: string | null;
}

export interface LightThresholds {
  readonly quota: { paceYellow: number; paceRed: number; shareYellow: number; shareRed: number };
  readonly intensity: { yellow: number; red: number };
  readonly carbon: { paceYellow: number; paceRed: number; shareYellow: number; shareRed: number; intensityYellow: number; intensityRed: number };
}

/** A quota status's trouble fields under the common names. */
export function quotaTrouble(
  q: { overrunTce?: number | null; exhausted?: boolean; exhaustionDate?: string | null } | null | undefined,
): Trouble | null {
  if (!q) return null;
  return { ...(q.overrunTce !== undefined && { overrun: q.overrunTce }), exhausted: q.exhausted ?? null, exhaustionDate: q.exhaustionDate ?? null };
}

/** A carbon status's trouble fields under the common names; nothing without a budget. */
export function carbonTrouble(
  c: { budgetT: number | null; overrunT?: number | null; exhausted?: boolean | null; exhaustionDate?: string | null } | null | undefined,
): Trouble | null {
  if (!c || c.budgetT === null) return null;
  return { ...(c.overrunT !== undefined && { overrun: c.overrunT }), exhausted: c.exhausted ?? null, exhaustionDate: c.exhaustionDate ?? null };
}

const MONTHS_EN = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** "11月18日" / "18 Nov" from YYYY-MM-DD, read as written (already a date in the site zone). */
export function dayMonth(date: string): string {
  const [, m, d] = date.split('-').map(Number);
  if (m === undefined || d === undefined || !(m >= 1 && m <= 12)) return date;
  return t('dayMonth', { m, d, mon: MONTHS_EN[m - 1] ?? '' });
}

/**
 * "预计超 11,389 tce，约 11月18日用尽" / "forecast over by 11,389 tce, runs out about 18 Nov";
 * "已用尽" once share >= 1; "预计不超" when the forecast is within; "—" without a forecast.
 */
export function troubleText(s: Trouble | null | undefined, unit: string): string {
  if (!s || s.overrun === undefined) return t('none');
  const parts: string[] = [];
  if (s.exhausted) parts.push(t('usedUp'));
  if (s.overrun !== null && s.overrun > 0) parts.push(t('overrunBy', { x: qty(s.overrun, unit, 0) }));
  if (s.exhaustionDate) parts.push(t('runsOut', { date: dayMonth(s.exhaustionDate) }));
  if (parts.length === 0) return s.overrun === null ? t('none') : t('noOverrun');
  return parts.join(lang() === 'en' ? ', ' : '，');
}

/** A trouble line as an element, marked so that it stands out when there is trouble. */
export function troubleLine(s: Trouble | null | undefined, unit: string, id?: string): HTMLElement {
  const trouble = !!s && (!!s.exhausted || (s.overrun ?? 0) > 0);
  return h('span', { className: trouble ? 'trouble' : 'trouble none', ...(id !== undefined && { id }) }, troubleText(s, unit));
}

/** One legend row: the light, then what it means. */
function row(level: 'green' | 'yellow' | 'red', text: string): HTMLElement {
  return h('li', {}, light(level), ' ', text);
}

function shareRows(r: { paceYellow: number; paceRed: number; shareYellow: number; shareRed: number }): HTMLElement[] {
  const v = { sy: pct(r.shareYellow, 0), py: pct(r.paceYellow, 0), sr: pct(r.shareRed, 0), pr: pct(r.paceRed, 0) };
  return [row('green', t('legendShare', v)), row('yellow', t('legendShareYellow', v)), row('red', t('legendShareRed', v))];
}

function ratioRows(yellow: number, red: number): HTMLElement[] {
  const v = { y: pct(yellow, 0), r: pct(red, 0) };
  return [row('green', t('legendRatio', v)), row('yellow', t('legendRatioYellow', v)), row('red', t('legendRatioRed', v))];
}

/** The legend of the lights with the thresholds in force; `carbon` adds the CO2 budget and intensity. */
export function lightLegend(th: LightThresholds | null | undefined, options: { carbon?: boolean } = {}): HTMLElement | null {
  if (!th) return null;
  const group = (title: string, rows: HTMLElement[]) => h('div', { className: 'legend-group' }, h('h3', {}, title), h('ul', {}, rows));
  return h(
    'section',
    { className: 'panel light-legend', id: 'light-legend', 'aria-label': t('legendTitle') },
    h('h2', {}, t('legendTitle')),
    h(
      'div',
      { className: 'legend-groups' },
      group(t('dualControl'), shareRows(th.quota)),
      group(t('intensity'), ratioRows(th.intensity.yellow, th.intensity.red)),
      options.carbon ? group(t('legendCarbon'), shareRows(th.carbon)) : null,
      options.carbon ? group(t('carbonIntensity'), ratioRows(th.carbon.intensityYellow, th.carbon.intensityRed)) : null,
    ),
    h('p', { className: 'sub' }, t('legendNote')),
  );
}
