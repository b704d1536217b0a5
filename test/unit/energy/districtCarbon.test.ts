/**
 * District carbon arithmetic (contract 9, "District"; domain carbon-benchmark-2026.md 1.4, 1.5),
 * figures by hand.
 */
import { contributions, intensityChange, parkIndicator, requiredPace, yearOnYear } from '../../../services/energy/districtCarbon';

describe('yearOnYear', () => {
  it('1,250 t against 1,340 t: -90 t, -90 / 1,340 = -0.067164179104', () => {
    expect(yearOnYear(1250, 1340)).toEqual({ changeT: -90, change: -0.067164179104 });
  });
  it('no previous figure: the change in t, no ratio', () => {
    expect(yearOnYear(12, 0)).toEqual({ changeT: 12, change: null });
  });
});

describe('contributions (each ΔCO2 / the district ΔCO2)', () => {
  it('-10 t and -80 t of a -90 t change: 1/9 and 8/9, adding up to 1', () => {
    const c = contributions(
      new Map([
        ['cem01', -10],
        ['alu01', -80],
      ]),
      -90,
    );
    expect(c.get('cem01')).toBe(0.111111111111);
    expect(c.get('alu01')).toBe(0.888888888889);
  });
  it('an enterprise moving against the district has a negative share: +30 and -120 of -90', () => {
    const c = contributions(
      new Map([
        ['a', 30],
        ['b', -120],
      ]),
      -90,
    );
    expect(c.get('a')).toBe(-0.333333333333);
    expect(c.get('b')).toBe(1.333333333333);
  });
  it('no district change: no shares (nothing to share out)', () => {
    expect(contributions(new Map([['a', 5]]), 0).get('a')).toBeNull();
  });
});

describe('requiredPace (rules.carbon.intensityReduction)', () => {
  it('previous 4.5, reduction 0.038: target 4.5 x 0.962 = 4.329; a fall of 14 % is on track', () => {
    const p = requiredPace(4.5, -0.14, 0.038);
    expect(p.targetIntensity).toBeCloseTo(4.329, 12);
    expect(p.onTrack).toBe(true);
  });
  it('a fall of exactly 3.8 % is on track, 3.7 % is not', () => {
    expect(requiredPace(2, intensityChange(1.924, 2), 0.038).onTrack).toBe(true);
    expect(requiredPace(2, intensityChange(1.926, 2), 0.038).onTrack).toBe(false);
  });
  it('without a previous-year intensity: no target, no verdict', () => {
    expect(requiredPace(null, null, 0.038)).toEqual({ reduction: 0.038, targetIntensity: null, onTrack: null });
  });
});

describe('parkIndicator (zero-carbon park 0.20 / 0.30 t CO2 per tce; regional review at 10,000 tce)', () => {
  it('a 250,000 tce park with 45,000 t: 0.18 t/tce, under the 0.20 line for 0.2-1 Mtce parks', () => {
    expect(parkIndicator({ co2T: 45_000, tceEquivalent: 250_000, annualTceEquivalent: 250_000 })).toEqual({
      co2PerTce: 0.18,
      thresholdTPerTce: 0.2,
      scale: '0.2-1Mtce',
      meetsThreshold: true,
      regionalReviewLineTce: 10_000,
      overRegionalReviewLine: true,
    });
  });
  it('1 Mtce a year takes the 0.30 line: 280,000 t of 1,000,000 tce = 0.28 meets it', () => {
    const p = parkIndicator({ co2T: 280_000, tceEquivalent: 1_000_000, annualTceEquivalent: 1_000_000 });
    expect([p.scale, p.thresholdTPerTce, p.co2PerTce, p.meetsThreshold]).toEqual(['over-1Mtce', 0.3, 0.28, true]);
  });
  it('exactly at the line meets it: 0.20 t/tce', () => {
    expect(parkIndicator({ co2T: 40_000, tceEquivalent: 200_000, annualTceEquivalent: 200_000 }).meetsThreshold).toBe(true);
  });
  it('a small park: under 0.2 Mtce, shown against 0.20 for reference; 10,000 tce a year is on the review line, 9,999 is not', () => {
    const onLine = parkIndicator({ co2T: 25_000, tceEquivalent: 5_000, annualTceEquivalent: 10_000 });
    expect([onLine.scale, onLine.thresholdTPerTce, onLine.co2PerTce, onLine.meetsThreshold, onLine.overRegionalReviewLine]).toEqual([
      'under-0.2Mtce',
      0.2,
      5,
      false,
      true,
    ]);
    expect(parkIndicator({ co2T: 1, tceEquivalent: 1, annualTceEquivalent: 9_999 }).overRegionalReviewLine).toBe(false);
  });
  it('no energy: no ratio and no verdict', () => {
    const p = parkIndicator({ co2T: 0, tceEquivalent: 0, annualTceEquivalent: 0 });
    expect([p.co2PerTce, p.meetsThreshold]).toEqual([null, null]);
  });
});
