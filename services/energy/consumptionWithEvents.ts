/**
 * Consumption arithmetic across meter events (contract 8.1), built on the section 4 functions of
 * consumption.ts: a meter's samples are cut into pieces, one per segment of its timeline, each
 * evaluated on its own with the segment's multiplier and rollover, and the results are summed.
 * No pair of readings ever spans a cut, so the step between the old meter's final register and
 * the new meter's initial one is neither consumption nor a reset.
 *
 * - Counter meters: a segment starts with its virtual reading (r, newInitialRegister) and ends with
 *   (r, oldFinalRegister); a real reading stamped exactly at r takes the virtual start's place.
 * - Power meters: a pair of readings straddling r is split at r: the power interpolated at r closes
 *   the piece before (old multiplier) and opens the one after (new multiplier). The gap rule is
 *   that of the whole pair.
 * - Interval meters: a reading at ts is priced with the multiplier in force at ts.
 * - Decommission at r: samples at or after r are left out; a counter's last segment ends with
 *   (r, finalRegister) when given.
 *
 * With no event in force every function here is exactly its section 4 counterpart.
 */
import { consumptionByDefinition, hourlyFromSamples, type HourTotals, type MeterModel, type Sample, type StepEvent } from './consumption';
import type { MeterTimeline, Segment } from './meterTimeline';

/** Samples that are evaluated together with one model. */
export interface Piece {
  readonly model: MeterModel;
  readonly samples: readonly Sample[];
  /** The samples of `samples` that are virtual (an event's registers, a power interpolated at a cut). */
  readonly virtual: ReadonlySet<Sample>;
}

/** Where a step (reset or rollover) lands: `at` the later sample, `prev` the one before it in its piece. */
export interface StepInfo {
  readonly prev: Sample | undefined;
  /** `at` or `prev` is a virtual reading of an event (not a stored reading). */
  readonly virtual: boolean;
}

/** Index of the first sample with ts >= t (samples sorted by ts). */
function firstAtOrAfter(samples: readonly Sample[], t: number): number {
  let lo = 0;
  let hi = samples.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (samples[mid]!.ts < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Power interpolated at r on the pair of samples straddling it, when the pair passes the gap rule. */
function powerAt(samples: readonly Sample[], r: number, intervalMs: number): Sample | undefined {
  const i = firstAtOrAfter(samples, r);
  const p = samples[i - 1];
  const q = samples[i];
  if (!p || !q || q.ts - p.ts > 2 * intervalMs) return undefined;
  return { ts: r, value: p.value + ((q.value - p.value) * (r - p.ts)) / (q.ts - p.ts) };
}

function pieceOf(base: MeterModel, seg: Segment, samples: readonly Sample[], decommissionedAt: number | undefined): Piece {
  const inside = samples.slice(firstAtOrAfter(samples, seg.from), firstAtOrAfter(samples, seg.to));
  const list: Sample[] = [];
  const virtual = new Set<Sample>();
  const add = (v: Sample | undefined): void => {
    if (!v) return;
    list.push(v);
    virtual.add(v);
  };
  if (base.kind === 'counter') {
    if (seg.start && inside[0]?.ts !== seg.start.ts) add(seg.start);
    list.push(...inside);
    add(seg.end);
  } else if (base.kind === 'power') {
    add(Number.isFinite(seg.from) && inside[0]?.ts !== seg.from ? powerAt(samples, seg.from, base.intervalMs) : undefined);
    list.push(...inside);
    // Nothing counts after a decommission, not even the part of a pair before it (its end is not usable).
    add(Number.isFinite(seg.to) && seg.to !== decommissionedAt ? powerAt(samples, seg.to, base.intervalMs) : undefined);
  } else {
    list.push(...inside);
  }
  return { model: seg.model, samples: list, virtual };
}

/** The pieces a meter's sorted usable samples are evaluated in, given its timeline. */
export function piecesOf(base: MeterModel, timeline: MeterTimeline, samples: readonly Sample[]): Piece[] {
  if (timeline.plain) return [{ model: base, samples, virtual: new Set() }];
  const decommissionedAt = timeline.decommissionedAt;
  const live = decommissionedAt === undefined ? samples : samples.slice(0, firstAtOrAfter(samples, decommissionedAt));
  return timeline.segments(base).map((seg) => pieceOf(base, seg, live, decommissionedAt));
}

/** Hourly totals of a meter from a complete, sorted list of usable samples and its events. */
export function hourlyWithEvents(
  base: MeterModel,
  timeline: MeterTimeline,
  samples: readonly Sample[],
  onStep?: (e: StepEvent, at: Sample, info: StepInfo) => void,
): HourTotals {
  const out: HourTotals = new Map();
  for (const piece of piecesOf(base, timeline, samples)) {
    const step =
      onStep &&
      ((e: StepEvent, at: Sample): void => {
        const i = piece.samples.indexOf(at);
        const prev = i > 0 ? piece.samples[i - 1] : undefined;
        onStep(e, at, { prev, virtual: piece.virtual.has(at) || (prev !== undefined && piece.virtual.has(prev)) });
      });
    for (const [h, q] of hourlyFromSamples(piece.model, piece.samples, step)) out.set(h, (out.get(h) ?? 0) + q);
  }
  return out;
}

/** Consumption over [a, b) straight from the definition (no hour buckets), across the meter's events. */
export function consumptionWithEvents(base: MeterModel, timeline: MeterTimeline, samples: readonly Sample[], a: number, b: number): number {
  let sum = 0;
  for (const piece of piecesOf(base, timeline, samples)) sum += consumptionByDefinition(piece.model, piece.samples, a, b);
  return sum;
}
