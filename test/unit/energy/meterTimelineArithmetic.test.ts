/**
 * Contract 8.1 arithmetic with hand-computed figures (the computation is in each comment), and a
 * property against a direct evaluation of the definition written here, independently of the code.
 */
import fc from 'fast-check';
import { consumptionByDefinition, counterStep, hourlyFromSamples, type MeterModel, type Sample } from '../../../services/energy/consumption';
import { consumptionWithEvents, hourlyWithEvents } from '../../../services/energy/consumptionWithEvents';
import type { MeterEvent, MeterEventInput } from '../../../services/energy/meterEvents';
import { MeterTimeline } from '../../../services/energy/meterTimeline';
import { HOUR_MS } from '../../../services/energy/time';

const T0 = Date.UTC(2026, 9, 12, 0, 0); // an hour boundary
const min = (m: number): number => T0 + m * 60_000;
const s = (m: number, value: number): Sample => ({ ts: min(m), value });
let nextId = 1;
const ev = (input: MeterEventInput): MeterEvent => ({ ...input, id: nextId++, enterprise: 'e', meter: 'm', recordedBy: 't', recordedAt: 0 });
const sum = (h: Map<number, number>): number => [...h.values()].reduce((a, b) => a + b, 0);

const big: MeterModel = { kind: 'counter', multiplier: 200, rollover: 999999.99, intervalMs: 900_000 };

describe('replacement (换表), counter meter', () => {
  it('books 2,000 kWh, not a rollover, for the issue example (old 950,000, new meter from 0, first reading 10)', () => {
    // 00:00 949,995; 01:00 950,000; replaced at 01:30 (old final 950,000, new initial 0); 02:00 10; 03:00 25.
    // hour 0: (950,000 - 949,995) x 200 = 1,000
    // hour 1: (950,000 -> 950,000 virtual) 0 + (0 virtual -> 10) x 200 = 2,000 (within 01:30-02:00)
    // hour 2: (25 - 10) x 200 = 3,000
    const samples = [s(0, 949995), s(60, 950000), s(120, 10), s(180, 25)];
    const tl = new MeterTimeline([ev({ type: 'replace', at: min(90), oldFinalRegister: 950000, newInitialRegister: 0 })]);
    const h = hourlyWithEvents(big, tl, samples);
    expect(h.get(min(0))).toBeCloseTo(1000, 9);
    expect(h.get(min(60))).toBeCloseTo(2000, 9);
    expect(h.get(min(120))).toBeCloseTo(3000, 9);
    // Without the event, 950,000 -> 10 is a wrap: (999,999.99 - 950,000 + 10) x 200 = 10,001,998.
    // Total without the event: 1,000 + 10,001,998 + 3,000 = 10,005,998; with it: 6,000.
    expect(sum(hourlyFromSamples(big, samples))).toBeCloseTo(10_005_998, 3);
    expect(sum(h)).toBeCloseTo(6000, 9);
    // Direct definition over [01:15, 02:45): 0 (flat old segment) + 2,000 + 0.75 x 3,000 = 4,250.
    expect(consumptionWithEvents(big, tl, samples, min(75), min(165))).toBeCloseTo(4250, 9);
  });

  it('gives no phantom energy for a new meter starting at 60,000 above an old final of 52,300', () => {
    // 00:00 52,290; 01:00 52,300; replaced at 01:30 (52,300 -> 60,000); 02:00 60,005.
    // hour 0: 10 x 200 = 2,000; hour 1: 0 + 5 x 200 = 1,000. Total 3,000.
    // Without the event: (60,005 - 52,300) x 200 = 1,541,000 in hours 1 and 2 (1,540,000 phantom).
    const samples = [s(0, 52290), s(60, 52300), s(120, 60005)];
    const tl = new MeterTimeline([ev({ type: 'replace', at: min(90), oldFinalRegister: 52300, newInitialRegister: 60000 })]);
    const h = hourlyWithEvents(big, tl, samples);
    expect(h.get(min(0))).toBeCloseTo(2000, 9);
    expect(h.get(min(60))).toBeCloseTo(1000, 9);
    expect(sum(h)).toBeCloseTo(3000, 9);
    expect(sum(hourlyFromSamples(big, samples))).toBeCloseTo(2000 + 1_541_000, 6);
  });

  it('evaluates the new meter with its own multiplier and rollover', () => {
    // Replaced at 01:00 (old final 999,000 -> new initial 95 on a meter with rollover 100, multiplier 10).
    // Old: 00:00 998,000 -> 999,000 virtual: 1,000 x 200 = 200,000 in hour 0.
    // New: 95 virtual -> 02:00 reading 5: 95 >= 90 % of 100, a wrap: (100 - 95 + 5) x 10 = 100 over hour 1.
    const samples = [s(0, 998000), s(120, 5)];
    const tl = new MeterTimeline([
      ev({ type: 'replace', at: min(60), oldFinalRegister: 999000, newInitialRegister: 95, multiplier: 10, rollover: 100 }),
    ]);
    const steps: string[] = [];
    const h = hourlyWithEvents(big, tl, samples, (e) => steps.push(e));
    expect(h.get(min(0))).toBeCloseTo(200000, 9);
    expect(h.get(min(60))).toBeCloseTo(100, 9);
    expect(steps).toEqual(['rollover']);
  });

  it('takes a real reading stamped exactly at the event as the new meter first reading', () => {
    // Replaced at 01:00 (500 -> 0); a reading of 0 at 01:00 and 4 at 02:00: hour 1 = 4 x 200 = 800.
    // 00:00 490 -> 500 virtual: 10 x 200 = 2,000 in hour 0.
    const tl = new MeterTimeline([ev({ type: 'replace', at: min(60), oldFinalRegister: 500, newInitialRegister: 0 })]);
    const h = hourlyWithEvents(big, tl, [s(0, 490), s(60, 0), s(120, 4)]);
    expect(h.get(min(0))).toBeCloseTo(2000, 9);
    expect(h.get(min(60))).toBeCloseTo(800, 9);
  });
});

describe('multiplier change (CT ratio)', () => {
  it('prices the hours before and after with their own multiplier', () => {
    // 00:00 1,000; 01:00 1,010; CT 200 -> 400 at 01:30 with register 1,012; 02:00 1,015; 03:00 1,020.
    // hour 0: 10 x 200 = 2,000
    // hour 1: (1,012 - 1,010) x 200 = 400 + (1,015 - 1,012) x 400 = 1,200 -> 1,600
    // hour 2: (1,020 - 1,015) x 400 = 2,000
    const samples = [s(0, 1000), s(60, 1010), s(120, 1015), s(180, 1020)];
    const tl = new MeterTimeline([ev({ type: 'multiplier', at: min(90), register: 1012, multiplier: 400 })]);
    const h = hourlyWithEvents(big, tl, samples);
    expect(h.get(min(0))).toBeCloseTo(2000, 9);
    expect(h.get(min(60))).toBeCloseTo(1600, 9);
    expect(h.get(min(120))).toBeCloseTo(2000, 9);
    // Definition over [01:00, 03:00) = 1,600 + 2,000.
    expect(consumptionWithEvents(big, tl, samples, min(60), min(180))).toBeCloseTo(3600, 9);
    expect(tl.multiplierAt(big, min(89))).toBe(200);
    expect(tl.multiplierAt(big, min(90))).toBe(400);
  });

  it('splits a power pair straddling the change at the instant, each part with its multiplier', () => {
    // 00:00 100 kW, 00:15 200 kW, multiplier 1 -> 3 at 00:05. Power at 00:05 = 100 + 100 x 5/15 = 133.33.
    // before: (100 + 133.33) / 2 x 5/60 h x 1 = 350/36 = 9.7222 kWh
    // after:  (133.33 + 200) / 2 x 10/60 h x 3 = 250/3 = 83.333 kWh; total 3,350/36 = 93.0556
    const power: MeterModel = { kind: 'power', multiplier: 1, intervalMs: 900_000 };
    const tl = new MeterTimeline([ev({ type: 'multiplier', at: min(5), multiplier: 3 })]);
    const samples = [s(0, 100), s(15, 200)];
    expect(sum(hourlyWithEvents(power, tl, samples))).toBeCloseTo(3350 / 36, 9);
    expect(consumptionWithEvents(power, tl, samples, min(0), min(5))).toBeCloseTo(350 / 36, 9);
    expect(consumptionWithEvents(power, tl, samples, min(5), min(60))).toBeCloseTo(250 / 3, 9);
  });

  it('prices an interval reading with the multiplier in force at its ts', () => {
    // 00:15 10 m3, 00:30 20 m3; multiplier 1 -> 2 at 00:30: 10 x 1 + 20 x 2 = 50.
    const interval: MeterModel = { kind: 'interval', multiplier: 1, intervalMs: 900_000 };
    const tl = new MeterTimeline([ev({ type: 'multiplier', at: min(30), multiplier: 2 })]);
    expect(sum(hourlyWithEvents(interval, tl, [s(15, 10), s(30, 20)]))).toBeCloseTo(50, 9);
  });
});

describe('decommission', () => {
  const e2: MeterModel = { kind: 'counter', multiplier: 2, rollover: 1000, intervalMs: 900_000 };
  const samples = [s(0, 100), s(60, 110), s(120, 120)];

  it('ends the last segment with the final register and counts nothing after', () => {
    // 00:00 100, 01:00 110, decommissioned 01:30 at 112, 02:00 120 (quarantined, left out).
    // hour 0: 10 x 2 = 20; hour 1: (112 - 110) x 2 = 4 within 01:00-01:30; hour 2: nothing.
    const tl = new MeterTimeline([ev({ type: 'decommission', at: min(90), finalRegister: 112 })]);
    const h = hourlyWithEvents(e2, tl, samples);
    expect(h.get(min(0))).toBeCloseTo(20, 9);
    expect(h.get(min(60))).toBeCloseTo(4, 9);
    expect(h.get(min(120)) ?? 0).toBe(0);
    expect(consumptionWithEvents(e2, tl, samples, min(0), min(240))).toBeCloseTo(24, 9);
  });

  it('without a final register ends at the last reading before it', () => {
    // hour 0: 20; nothing after 01:00 (the 01:00 -> 02:00 pair crosses the decommission).
    const tl = new MeterTimeline([ev({ type: 'decommission', at: min(90) })]);
    expect(sum(hourlyWithEvents(e2, tl, samples))).toBeCloseTo(20, 9);
  });
});

/** The definition of 8.1 over [a, b), written out directly: segments, virtual readings, C(b) - C(a) each. */
function reference(base: MeterModel, cuts: { at: number; old: number; init: number; k: number }[], samples: Sample[], a: number, b: number): number {
  let total = 0;
  let k = base.multiplier;
  for (let i = 0; i <= cuts.length; i++) {
    const from = i === 0 ? -Infinity : cuts[i - 1]!.at;
    const to = i === cuts.length ? Infinity : cuts[i]!.at;
    const pts: Sample[] = [];
    if (i > 0) pts.push({ ts: from, value: cuts[i - 1]!.init });
    for (const x of samples) if (x.ts >= from && x.ts < to && !(i > 0 && x.ts === from)) pts.push(x);
    if (i > 0 && samples.some((x) => x.ts === from)) pts[0] = samples.find((x) => x.ts === from)!;
    if (i < cuts.length) pts.push({ ts: to, value: cuts[i]!.old });
    const cum = [0];
    for (let j = 1; j < pts.length; j++) cum.push(cum[j - 1]! + counterStep(pts[j - 1]!.value, pts[j]!.value, base.rollover).step * k);
    const C = (t: number): number => {
      if (pts.length === 0 || t <= pts[0]!.ts) return 0;
      for (let j = 1; j < pts.length; j++)
        if (t < pts[j]!.ts) return cum[j - 1]! + ((cum[j]! - cum[j - 1]!) * (t - pts[j - 1]!.ts)) / (pts[j]!.ts - pts[j - 1]!.ts);
      return cum[pts.length - 1]!;
    };
    total += C(b) - C(a);
    if (i < cuts.length) k = cuts[i]!.k;
  }
  return total;
}

describe('property: random readings and events vs the definition', () => {
  const model: MeterModel = { kind: 'counter', multiplier: 2, rollover: 1000, intervalMs: 900_000 };
  it('hour totals and the direct evaluation agree with the definition written out', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.record({ m: fc.integer({ min: 0, max: 600 }), v: fc.integer({ min: 0, max: 999 }) }), {
          selector: (x) => x.m,
          maxLength: 30,
        }),
        fc.uniqueArray(
          fc.record({
            m: fc.integer({ min: 1, max: 600 }),
            old: fc.integer({ min: 0, max: 999 }),
            init: fc.integer({ min: 0, max: 999 }),
            k: fc.integer({ min: 1, max: 5 }),
            mult: fc.boolean(),
          }),
          { selector: (x) => x.m, maxLength: 3 },
        ),
        fc.integer({ min: -60, max: 700 }),
        fc.integer({ min: 0, max: 500 }),
        (raw, rawCuts, aMin, len) => {
          const samples = raw.map((x) => s(x.m, x.v)).sort((p, q) => p.ts - q.ts);
          const cuts = rawCuts
            .map((c) => ({ at: min(c.m), old: c.old, init: c.mult ? c.old : c.init, k: c.k, mult: c.mult }))
            .sort((p, q) => p.at - q.at);
          const tl = new MeterTimeline(
            cuts.map((c) =>
              ev(
                c.mult
                  ? { type: 'multiplier', at: c.at, register: c.old, multiplier: c.k }
                  : { type: 'replace', at: c.at, oldFinalRegister: c.old, newInitialRegister: c.init, multiplier: c.k },
              ),
            ),
          );
          const a = min(aMin);
          const b = a + len * 60_000;
          const want = reference(model, cuts, samples, a, b);
          expect(consumptionWithEvents(model, tl, samples, a, b)).toBeCloseTo(want, 6);
          // Whole hours: the hour buckets sum to the definition.
          const h = hourlyWithEvents(model, tl, samples);
          const ha = Math.floor(a / HOUR_MS) * HOUR_MS;
          const hb = ha + 3 * HOUR_MS;
          let got = 0;
          for (let t = ha; t < hb; t += HOUR_MS) got += h.get(t) ?? 0;
          expect(got).toBeCloseTo(reference(model, cuts, samples, ha, hb), 6);
        },
      ),
      { numRuns: 400 },
    );
  });

  it('is exactly section 4 with no events', () => {
    const samples = [s(0, 100), s(30, 990), s(90, 20)];
    expect(consumptionWithEvents(model, MeterTimeline.EMPTY, samples, min(10), min(80))).toBe(
      consumptionByDefinition(model, samples, min(10), min(80)),
    );
  });
});
