/**
 * Completeness of a meter over a period (contract 4): distinct good readings / (period /
 * intervalSeconds), capped at 1. Pure.
 */

/**
 * `distinctGoodReadings` counts distinct timestamps of good readings in the period (bad readings
 * never count, contract 2). A zero-length (or negative) period expects no readings and gives 0.
 * Computed as n x interval / period so that whole-interval figures (96 readings of 900 s in a
 * day) come out exact.
 */
export function completeness(distinctGoodReadings: number, periodMs: number, intervalSeconds: number): number {
  if (!(intervalSeconds > 0)) throw new RangeError(`intervalSeconds must be positive, got ${intervalSeconds}`);
  if (!(periodMs > 0) || !(distinctGoodReadings > 0)) return 0;
  return Math.min(1, (distinctGoodReadings * intervalSeconds * 1000) / periodMs);
}
