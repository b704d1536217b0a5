/**
 * Gaps of one meter over a period: stretches without a usable reading where readings were
 * expected (issue 21, the meter page). Pure. Completeness (contract 4) says how many readings are
 * missing; the gaps say when, so an officer can ask the plant about that night.
 */

export interface ReadingGap {
  /** Epoch ms: the last usable reading before the gap, or the start of the period. */
  readonly from: number;
  /** Epoch ms: the next usable reading, or the end of the period looked at. */
  readonly to: number;
}

/**
 * A gap is a stretch longer than 1.5 x the meter's interval with no usable reading: between two
 * consecutive readings, from the period's start to the first one, and from the last one to the end
 * (`to` is the end of what can have been read: now, or the decommission). 1.5 rather than 1 so that
 * a gateway's usual jitter of a few seconds is not a gap, while one missed reading (spacing 2 x) is.
 * `timestamps` are ascending, of usable readings only, inside [from, to).
 */
export function readingGaps(timestamps: readonly number[], from: number, to: number, intervalSeconds: number): ReadingGap[] {
  if (to <= from) return [];
  const limit = 1.5 * intervalSeconds * 1000;
  const gaps: ReadingGap[] = [];
  let previous = from;
  for (const ts of [...timestamps, to]) {
    if (ts < previous) continue;
    if (ts - previous > limit) gaps.push({ from: previous, to: ts });
    previous = ts;
  }
  return gaps;
}
