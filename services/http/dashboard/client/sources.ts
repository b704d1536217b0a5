/**
 * Parameters and coefficients as they are listed under a page: the key is an id and shown as one
 * (small code text), the source is data (a citation as configured, in its own language) and is
 * labelled 来源 / Source, so a reader knows why it is not translated (issue 21 item 4).
 */
import { h } from './dom';
import { autoDigits, carrierName, num } from './format';
import { t } from './i18n';
import type { CoefficientUsed, ParameterRow } from './types';

export function sourceNote(...sources: string[]): HTMLElement {
  return h('span', { className: 'source' }, `${t('source')}: ${sources.join('; ')}`);
}

export function parameterItem(p: ParameterRow): HTMLElement {
  const digits = p.value === 0 ? 0 : autoDigits(p.value);
  const year = p.year === undefined ? '' : ` (${p.year})`;
  return h('li', {}, h('code', { className: 'id' }, p.key), `: ${num(p.value, digits)} ${p.unit}${year} · `, sourceNote(p.source));
}

export function coefficientItem(c: CoefficientUsed): HTMLElement {
  return h(
    'li',
    {},
    `${carrierName(c.carrier)}: ${num(c.kgcePerUnit, 4)} kgce/${c.unit}; ${num(c.kgCo2PerUnit, 4)} kg CO₂/${c.unit} · `,
    sourceNote(c.kgceSource, c.kgCo2Source),
  );
}
