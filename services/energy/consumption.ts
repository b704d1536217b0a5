/**
 * Consumption arithmetic of contract section 4, pure and without I/O.
 *
 * Every meter's consumption is a sum of contributions: one per pair of consecutive usable readings
 * (counter and power meters) or one per reading (interval meters). A contribution is spread over
 * the hours it covers, so hourly buckets are exact and every coarser calendar total in a whole-hour
 * zone is a sum of them. Because a contribution depends only on its pair, an insertion, correction
 * or deletion changes a bounded, computable set of hours.
 */
import { HOUR_MS, hourFloor } from './time';

export interface MeterModel {
  readonly kind: 'counter' | 'power' | 'interval';
  readonly multiplier: number;
  readonly rollover?: number | undefined;
  readonly intervalMs: number;
}

export interface Sample {
  readonly ts: number;
  readonly value: number;
}

/** Hour start (epoch ms, UTC hour) -> quantity in the meter's quantity unit. */
export type HourTotals = Map<number, number>;

export type StepEvent = 'rollover' | 'reset';

/**
 * Register step between consecutive counter readings, before the multiplier (contract 4, reset
 * correction): a drop is a wrap when `rollover` is set and the previous register was at least 90 %
 * of it, otherwise the meter restarted from zero.
 */
export function counterStep(prevRegister: number, register: number, rollover: number | undefined): { step: number; event?: StepEvent } {
  if (register >= prevRegister) return { step: register - prevRegister };
  if (rollover !== undefined && prevRegister >= 0.9 * rollover) {
    return { step: rollover - prevRegister + register, event: 'rollover' };
  }
  return { step: register, event: 'reset' };
}

/** Spreads `quantity`, accrued evenly over [from, to), over the hours it touches (pro rata). */
export function spreadEvenly(out: HourTotals, from: number, to: number, quantity: number): void {
  if (to <= from) return;
  if (quantity === 0) {
    // Still mark the hours, so that a recomputation overwrites them with an explicit zero.
    for (let h = hourFloor(from); h < to; h += HOUR_MS) out.set(h, out.get(h) ?? 0);
    return;
  }
  const span = to - from;
  for (let h = hourFloor(from); h < to; h += HOUR_MS) {
    const a = Math.max(from, h);
    const b = Math.min(to, h + HOUR_MS);
    out.set(h, (out.get(h) ?? 0) + (quantity * (b - a)) / span);
  }
}

/**
 * Adds the energy of a power segment: the integral of the linearly interpolated power, which over
 * the whole segment is the trapezoid (p1 + p2) / 2 x dt; split exactly at hour boundaries.
 * Segments longer than 2 x intervalSeconds contribute nothing (the gap rule).
 */
export function spreadPower(out: HourTotals, p: Sample, q: Sample, intervalMs: number): void {
  const span = q.ts - p.ts;
  if (span <= 0) return;
  if (span > 2 * intervalMs) {
    spreadEvenly(out, p.ts, q.ts, 0);
    return;
  }
  const slope = (q.value - p.value) / span;
  for (let h = hourFloor(p.ts); h < q.ts; h += HOUR_MS) {
    const a = Math.max(p.ts, h);
    const b = Math.min(q.ts, h + HOUR_MS);
    const pa = p.value + slope * (a - p.ts);
    const pb = p.value + slope * (b - p.ts);
    out.set(h, (out.get(h) ?? 0) + (((pa + pb) / 2) * (b - a)) / HOUR_MS);
  }
}

/** Contribution of the pair (prev, next) of a counter or power meter; returns the reset event if any. */
export function addPair(out: HourTotals, meter: MeterModel, prev: Sample, next: Sample): StepEvent | undefined {
  if (meter.kind === 'power') {
    // The multiplier (CT/PT ratio) scales power readings as it scales registers.
    const k = meter.multiplier;
    spreadPower(out, { ts: prev.ts, value: prev.value * k }, { ts: next.ts, value: next.value * k }, meter.intervalMs);
    return undefined;
  }
  const { step, event } = counterStep(prev.value, next.value, meter.rollover);
  spreadEvenly(out, prev.ts, next.ts, step * meter.multiplier);
  return event;
}

/** Contribution of one interval-meter reading: its quantity spread over the interval ending at ts. */
export function addInterval(out: HourTotals, meter: MeterModel, r: Sample): void {
  spreadEvenly(out, r.ts - meter.intervalMs, r.ts, r.value * meter.multiplier);
}

/** Hours that the contributions touching reading time `ts` can reach, given its usable neighbours. */
export function affectedSpan(meter: MeterModel, ts: number, prevTs: number | undefined, nextTs: number | undefined): { from: number; to: number } {
  if (meter.kind === 'interval') return { from: ts - meter.intervalMs, to: ts };
  return { from: prevTs ?? ts, to: nextTs ?? ts };
}

/**
 * Hourly totals of a meter from a complete, sorted list of usable samples. The reference
 * computation used by recomputation; the streaming tracker must agree with it.
 */
export function hourlyFromSamples(meter: MeterModel, samples: readonly Sample[], events?: (e: StepEvent, at: Sample) => void): HourTotals {
  const out: HourTotals = new Map();
  if (meter.kind === 'interval') {
    for (const s of samples) addInterval(out, meter, s);
    return out;
  }
  for (let i = 1; i < samples.length; i++) {
    const prev = samples[i - 1]!;
    const next = samples[i]!;
    const e = addPair(out, meter, prev, next);
    if (e && events) events(e, next);
  }
  return out;
}

/**
 * Consumption over [a, b) evaluated straight from the definition in contract 4, without hour
 * buckets: C(b) - C(a) with C the reset-corrected cumulative, linearly interpolated and held flat
 * before the first and after the last reading (counter); the integral of interpolated power over
 * segments that satisfy the gap rule (power); the even spread of each interval (interval).
 * Samples must be sorted by ts with distinct ts.
 */
export function consumptionByDefinition(meter: MeterModel, samples: readonly Sample[], a: number, b: number): number {
  if (meter.kind === 'interval') {
    let sum = 0;
    for (const s of samples) {
      const from = s.ts - meter.intervalMs;
      const overlap = Math.max(0, Math.min(b, s.ts) - Math.max(a, from));
      sum += (s.value * meter.multiplier * overlap) / meter.intervalMs;
    }
    return sum;
  }
  const first = samples[0];
  if (!first) return 0;
  // Cumulative at each reading.
  const cum: number[] = [0];
  for (let i = 1; i < samples.length; i++) {
    const p = samples[i - 1]!;
    const q = samples[i]!;
    let inc: number;
    if (meter.kind === 'counter') inc = counterStep(p.value, q.value, meter.rollover).step * meter.multiplier;
    else inc = q.ts - p.ts <= 2 * meter.intervalMs ? (((p.value + q.value) / 2) * meter.multiplier * (q.ts - p.ts)) / HOUR_MS : 0;
    cum.push(cum[i - 1]! + inc);
  }
  const at = (t: number): number => {
    if (t <= first.ts) return 0;
    const lastIdx = samples.length - 1;
    if (t >= samples[lastIdx]!.ts) return cum[lastIdx]!;
    let lo = 0;
    let hi = lastIdx;
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      if (samples[mid]!.ts <= t) lo = mid;
      else hi = mid;
    }
    const p = samples[lo]!;
    const q = samples[hi]!;
    const frac = (t - p.ts) / (q.ts - p.ts);
    if (meter.kind === 'counter') return cum[lo]! + (cum[hi]! - cum[lo]!) * frac;
    if (q.ts - p.ts > 2 * meter.intervalMs) return cum[lo]!;
    const pt = p.value + (q.value - p.value) * frac;
    return cum[lo]! + (((p.value + pt) / 2) * meter.multiplier * (t - p.ts)) / HOUR_MS;
  };
  return at(b) - at(a);
}
