import { consumptionByDefinition, counterStep, hourlyFromSamples, type MeterModel } from '../../../services/energy/consumption';

const T0 = Date.UTC(2026, 0, 5, 0, 0); // an hour boundary
const min = (m: number) => T0 + m * 60_000;
const counter: MeterModel = { kind: 'counter', multiplier: 2, rollover: 1000, intervalMs: 900_000 };
const power: MeterModel = { kind: 'power', multiplier: 1, intervalMs: 900_000 };
const interval: MeterModel = { kind: 'interval', multiplier: 1, intervalMs: 900_000 };

describe('counter steps (contract 4, reset correction)', () => {
  it.each([
    ['normal increase', 100, 130, 1000, 30, undefined],
    ['rollover: previous at >= 90 % of rollover wraps', 950, 30, 1000, 80, 'rollover'],
    ['exactly 90 % still wraps', 900, 10, 1000, 110, 'rollover'],
    ['below 90 % is a reset to zero', 899, 10, 1000, 10, 'reset'],
    ['no rollover configured: a drop is a reset', 950, 30, undefined, 30, 'reset'],
  ] as const)('%s', (_name, prev, next, rollover, step, event) => {
    const r = counterStep(prev, next, rollover);
    expect(r.step).toBe(step);
    expect(r.event).toBe(event);
  });
});

describe('counter meter hourly split', () => {
  it('spreads each step pro rata over hours, times the multiplier', () => {
    // 00:00 100, 00:30 110, 01:30 130, multiplier 2:
    // step 1 = 10 x 2 = 20 in hour 0; step 2 = 20 x 2 = 40, half in hour 0, half in hour 1.
    const h = hourlyFromSamples(counter, [
      { ts: min(0), value: 100 },
      { ts: min(30), value: 110 },
      { ts: min(90), value: 130 },
    ]);
    expect(h.get(T0)).toBeCloseTo(40, 12);
    expect(h.get(T0 + 3_600_000)).toBeCloseTo(20, 12);
    expect(
      consumptionByDefinition(
        counter,
        [
          { ts: min(0), value: 100 },
          { ts: min(30), value: 110 },
          { ts: min(90), value: 130 },
        ],
        min(15),
        min(75),
      ),
    ).toBeCloseTo(10 + 30, 12);
  });

  it('attributes a rollover step across the hour it spans', () => {
    // 950 -> 30 with rollover 1000 is a step of 80 registers = 160 after x2, over 00:45-01:15.
    const h = hourlyFromSamples(counter, [
      { ts: min(45), value: 950 },
      { ts: min(75), value: 30 },
    ]);
    expect(h.get(T0)).toBeCloseTo(80, 12);
    expect(h.get(T0 + 3_600_000)).toBeCloseTo(80, 12);
  });

  it('holds the cumulative flat before the first and after the last reading', () => {
    const s = [
      { ts: min(30), value: 10 },
      { ts: min(60), value: 20 },
    ];
    expect(consumptionByDefinition(counter, s, min(0), min(30))).toBe(0);
    expect(consumptionByDefinition(counter, s, min(0), min(120))).toBeCloseTo(20, 12);
  });
});

describe('power meter (trapezoid and gap rule)', () => {
  it('integrates (p1 + p2) / 2 x dt within 2 x interval', () => {
    const h = hourlyFromSamples(power, [
      { ts: min(0), value: 100 },
      { ts: min(15), value: 200 },
    ]);
    expect(h.get(T0)).toBeCloseTo(37.5, 12); // 150 kW x 0.25 h
  });

  it('contributes nothing over a gap longer than 2 x interval', () => {
    const h = hourlyFromSamples(power, [
      { ts: min(0), value: 100 },
      { ts: min(31), value: 100 },
    ]);
    expect(h.get(T0)).toBe(0);
    const exactlyTwice = hourlyFromSamples(power, [
      { ts: min(0), value: 100 },
      { ts: min(30), value: 100 },
    ]);
    expect(exactlyTwice.get(T0)).toBeCloseTo(50, 12);
  });

  it('splits a segment at the hour boundary along the interpolated power', () => {
    // 00:50 100 kW -> 01:10 300 kW; power at 01:00 is 200 kW.
    const h = hourlyFromSamples(power, [
      { ts: min(50), value: 100 },
      { ts: min(70), value: 300 },
    ]);
    expect(h.get(T0)).toBeCloseTo((150 * 10) / 60, 12); // 25 kWh
    expect(h.get(T0 + 3_600_000)).toBeCloseTo((250 * 10) / 60, 12); // 41.667 kWh
    expect(
      consumptionByDefinition(
        power,
        [
          { ts: min(50), value: 100 },
          { ts: min(70), value: 300 },
        ],
        min(0),
        min(120),
      ),
    ).toBeCloseTo(200 * (20 / 60), 12);
  });
});

describe('power meter multiplier', () => {
  it('scales power by the CT/PT ratio like registers', () => {
    const ct: MeterModel = { kind: 'power', multiplier: 100, intervalMs: 900_000 };
    const s = [
      { ts: min(0), value: 1 },
      { ts: min(15), value: 2 },
    ];
    expect(hourlyFromSamples(ct, s).get(T0)).toBeCloseTo(37.5, 12); // (1 + 2) / 2 x 100 kW x 0.25 h
    expect(consumptionByDefinition(ct, s, min(0), min(60))).toBeCloseTo(37.5, 12);
  });
});

describe('interval meter', () => {
  it('spreads each reading evenly over the interval ending at ts', () => {
    const h = hourlyFromSamples(interval, [{ ts: min(70), value: 30 }]);
    expect(h.get(T0)).toBeCloseTo(10, 12); // 00:55-01:00 is 5 of 15 minutes
    expect(h.get(T0 + 3_600_000)).toBeCloseTo(20, 12);
  });
});
