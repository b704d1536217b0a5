/**
 * The precision rule of API figures (contract 8: at least 9 significant digits, no float noise such
 * as `45440.000001341105`). Hourly buckets are differences of interpolated registers that can be
 * eight or nine digits long (a 200x multiplier on a 999,999.99 register), so every hour carries an
 * error of about 1e-16 of the register, and a month of hours adds up to a few 1e-5 of absolute
 * noise: invisible at 9 significant digits, visible at 17. Figures are rounded once, where they
 * leave the figures layer (series points, status sums, report figures), and never summed again
 * after rounding without being rounded again. See docs/ledger/figures.md.
 */

/** Significant digits an API figure keeps. */
export const FIGURE_DIGITS = 9;

/** `x` to FIGURE_DIGITS significant digits; integers, non-finite values and null pass unchanged, -0 becomes 0. */
export function figure(x: number): number;
export function figure(x: number | null): number | null;
export function figure(x: number | null): number | null {
  if (x === null || !Number.isFinite(x) || Number.isInteger(x)) return x === 0 ? 0 : x;
  const r = Number(x.toPrecision(FIGURE_DIGITS));
  return r === 0 ? 0 : r;
}

/** The sum of `xs`, rounded by the figure rule: the one way a total of figures is formed. */
export function sumFigures(xs: readonly number[]): number {
  let s = 0;
  for (const x of xs) s += x;
  return figure(s);
}

/** A copy of `o` with every numeric field rounded by the figure rule (shallow): totals built in the HTTP layer. */
export function figureFields<T extends object>(o: T): T {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) out[k] = typeof v === 'number' ? figure(v) : v;
  return out as T;
}
