/**
 * Unit consumption, tier, savings potential and deadline severity (contract 10). Every expected
 * figure is computed by hand in the comment beside it. Levels: cement clinker 100 / 117 kgce/t,
 * liquid aluminium 13,000 / 13,350 kWh AC/t (2023 edition); electricity 0.1229 kgce/kWh (当量值).
 */
import { DateTime } from 'luxon';
import { benchmarkFigures, benchmarkSeverity, deadlineInstant, tierOf } from '../../../services/energy/benchmark';

const clinker = { metric: 'kgce_per_t', benchmark: 100, baseline: 117 } as const;
const aluminium = { metric: 'kwh_ac_per_t', benchmark: 13000, baseline: 13350 } as const;
const zone = 'Asia/Shanghai';
const at = (iso: string) => DateTime.fromISO(iso, { zone }).toMillis();

describe('benchmarkFigures', () => {
  it('a clinker plant exactly at benchmark: 100,000 kgce / 1,000 t = 100.0 kgce/t -> benchmark, no savings', () => {
    const f = benchmarkFigures({
      row: clinker,
      energy: { kgceEquivalent: 100_000, acKwh: 90_000 },
      quantity: 1000,
      equivalentKgcePerKwh: 0.1229,
      co2TPerTce: 2.5,
    });
    expect(f).toEqual({ sec: 100, tier: 'benchmark', quantity: 1000, savingsTce: 0, savingsCo2T: 0 });
  });

  it('a clinker plant below baseline: 240,000 kgce / 2,000 t = 120 kgce/t; savings (120 - 100) x 2,000 = 40,000 kgce = 40 tce, x 2.5 t/tce = 100 t CO2', () => {
    const f = benchmarkFigures({
      row: clinker,
      energy: { kgceEquivalent: 240_000, acKwh: 0 },
      quantity: 2000,
      equivalentKgcePerKwh: 0.1229,
      co2TPerTce: 2.5,
    });
    expect(f.sec).toBe(120);
    expect(f.tier).toBe('below-baseline');
    expect(f.savingsTce).toBeCloseTo(40, 9);
    expect(f.savingsCo2T).toBeCloseTo(100, 9);
  });

  it('an aluminium smelter whose AC kWh includes green power: (12,000,000 + 1,500,000) kWh / 1,000 t = 13,500 kWh/t -> below baseline', () => {
    // Savings: (13,500 - 13,000) x 1,000 t = 500,000 kWh x 0.1229 = 61,450 kgce = 61.45 tce; x 3 t CO2/tce = 184.35 t.
    const f = benchmarkFigures({
      row: aluminium,
      energy: { kgceEquivalent: 1, acKwh: 13_500_000 },
      quantity: 1000,
      equivalentKgcePerKwh: 0.1229,
      co2TPerTce: 3,
    });
    expect(f.sec).toBe(13_500);
    expect(f.tier).toBe('below-baseline');
    expect(f.savingsTce).toBeCloseTo(61.45, 9);
    expect(f.savingsCo2T).toBeCloseTo(184.35, 9);
    // Grid kWh alone would read 12,000 kWh/t, at benchmark: the green power is what puts it below baseline.
    expect(
      benchmarkFigures({
        row: aluminium,
        energy: { kgceEquivalent: 1, acKwh: 12_000_000 },
        quantity: 1000,
        equivalentKgcePerKwh: 0.1229,
        co2TPerTce: 3,
      }).tier,
    ).toBe('benchmark');
  });

  it('zero or unknown product gives no sec, no tier and no savings, with a note', () => {
    const zero = benchmarkFigures({
      row: clinker,
      energy: { kgceEquivalent: 5000, acKwh: 0 },
      quantity: 0,
      equivalentKgcePerKwh: 0.1229,
      co2TPerTce: 2,
    });
    expect(zero).toEqual({
      sec: null,
      tier: null,
      quantity: 0,
      savingsTce: null,
      savingsCo2T: null,
      note: 'no product output in the period: no unit consumption',
    });
    const none = benchmarkFigures({
      row: clinker,
      energy: { kgceEquivalent: 5000, acKwh: 0 },
      quantity: null,
      equivalentKgcePerKwh: 0.1229,
      co2TPerTce: 2,
    });
    expect(none.sec).toBeNull();
    expect(none.note).toMatch(/no product quantity/);
  });

  it('without a CO2 figure the savings are in tce only, and the note says so', () => {
    // 117,500 kgce / 1,000 t = 117.5 kgce/t; savings 17.5 x 1,000 = 17,500 kgce = 17.5 tce.
    const f = benchmarkFigures({
      row: clinker,
      energy: { kgceEquivalent: 117_500, acKwh: 0 },
      quantity: 1000,
      equivalentKgcePerKwh: 0.1229,
      co2TPerTce: null,
    });
    expect(f.savingsTce).toBeCloseTo(17.5, 9);
    expect(f.savingsCo2T).toBeNull();
    expect(f.note).toMatch(/tce only/);
  });
});

describe('tierOf', () => {
  it('is inclusive at both levels', () => {
    expect(tierOf(100, clinker)).toBe('benchmark');
    expect(tierOf(100.001, clinker)).toBe('compliant');
    expect(tierOf(117, clinker)).toBe('compliant');
    expect(tierOf(117.001, clinker)).toBe('below-baseline');
    // Converter levels are negative (-30 / -10): -25 is compliant, -5 below baseline.
    expect(tierOf(-25, { benchmark: -30, baseline: -10 })).toBe('compliant');
    expect(tierOf(-5, { benchmark: -30, baseline: -10 })).toBe('below-baseline');
  });
});

describe('benchmarkSeverity (deadline 2025-12-31: passes at 2026-01-01 00:00 +08:00)', () => {
  it('places the deadline at the end of its day in the site zone', () => {
    expect(deadlineInstant('2025-12-31', zone)).toBe(Date.UTC(2025, 11, 31, 16, 0, 0));
  });

  it('is a warning from exactly 12 months before the deadline (2025-01-01 00:00), nothing a millisecond earlier', () => {
    expect(benchmarkSeverity('below-baseline', '2025-12-31', at('2025-01-01T00:00:00') - 1, zone)).toBeNull();
    expect(benchmarkSeverity('below-baseline', '2025-12-31', at('2025-01-01T00:00:00'), zone)).toBe('warning');
    expect(benchmarkSeverity('below-baseline', '2025-12-31', at('2025-12-31T23:59:59.999'), zone)).toBe('warning');
  });

  it('is critical from exactly the deadline on (overdue)', () => {
    expect(benchmarkSeverity('below-baseline', '2025-12-31', at('2026-01-01T00:00:00'), zone)).toBe('critical');
    expect(benchmarkSeverity('below-baseline', '2025-12-31', at('2026-12-07T10:00:00'), zone)).toBe('critical');
  });

  it('is nothing for a compliant product, one at benchmark, or one without a tier', () => {
    for (const tier of ['compliant', 'benchmark', null] as const)
      expect(benchmarkSeverity(tier, '2025-12-31', at('2026-06-01T00:00:00'), zone)).toBeNull();
  });
});
