/** Small pieces the benchmark views share: the unit of a metric, the tier light, ticks, product names. */
import type { BenchmarkTier } from '../benchmarkTypes';
import { h } from '../dom';
import { autoDigits, num } from '../format';
import { lang, t, tOr } from '../i18n';

/** The unit of unit consumption for a metric of contract 10 (a weight box is GB 21340's 重量箱). */
export function secUnit(metric: string): string {
  if (metric === 'kwh_ac_per_t') return 'kWh/t';
  if (metric === 'kgce_per_weight_box') return lang() === 'en' ? 'kgce/weight box' : 'kgce/重量箱';
  return 'kgce/t';
}

/** The product's unit of output: t, or weight boxes. */
export function outputUnit(unit: string): string {
  if (unit === 'weight_box') return lang() === 'en' ? 'weight boxes' : '重量箱';
  return unit;
}

/** Digits for a figure: a zero is "0", else about four significant figures. */
export function digits(value: number | null | undefined): number {
  return value === null || value === undefined || value === 0 ? 0 : autoDigits(value);
}

/** A configured level as written (100, 13,350, 8.0 shown as 8): its own decimals, at most four. */
export function level(value: number, unit = ''): string {
  const decimals = Math.min(4, (String(value).split('.')[1] ?? '').length);
  return `${num(value, decimals)}${unit ? ` ${unit}` : ''}`;
}

/** A figure with its own digits and unit; null is a dash without a unit, never 0. */
export function fig(value: number | null | undefined, unit: string): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return t('none');
  return `${num(value, digits(value))}${unit ? ` ${unit}` : ''}`;
}

const TIER_COLOUR: Record<BenchmarkTier, string> = { benchmark: 'green', compliant: 'yellow', 'below-baseline': 'red' };

/** The tier as a light with its word (colour is never the only sign). */
export function tierLight(tier: BenchmarkTier | null): HTMLElement {
  if (tier === null) return h('span', { className: 'light none tier' }, t('tier_none'));
  return h(
    'span',
    { className: `light ${TIER_COLOUR[tier]} tier` },
    h('span', { className: 'dot', 'aria-hidden': 'true' }),
    tOr(`tier_${tier}`, tier),
  );
}

/** ✓ or ✗ with a word, for a criterion met or not. */
export function tick(ok: boolean, text?: string): HTMLElement {
  return h(
    'span',
    { className: `tick ${ok ? 'ok' : 'no'}` },
    h('span', { 'aria-hidden': 'true' }, ok ? '✓ ' : '✗ '),
    text ?? t(ok ? 'met' : 'notMet'),
  );
}

export function productName(p: { product: string; name: string; nameEn: string }): string {
  return lang() === 'en' ? p.nameEn : p.name;
}

/** The YYYY-MM-DD part of an ISO time in the site zone. */
export function day(iso: string): string {
  return iso.slice(0, 10);
}
