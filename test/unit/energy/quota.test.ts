import { intensityStatus, quotaStatus, yearFraction } from '../../../services/energy/quota';

const at = (iso: string) => Date.parse(iso);
const DAY = 86_400_000;
const DEFAULTS = { paceYellow: 1.0, paceRed: 1.1, shareYellow: 0.9, shareRed: 1.0 }; // contract 3 rules.quota

describe('yearFraction (contract 4, f in the site zone)', () => {
  it.each([
    // [instant, zone, expected, hand computation]
    ['2026-01-01T00:00:00+08:00', 'Asia/Shanghai', 0, 'local 1 January 00:00 -> 0'],
    ['2026-07-02T12:00:00+08:00', 'Asia/Shanghai', 0.5, 'Jan-Jun = 181 d, + 1 July + 12 h = 182.5 d; 182.5 / 365'],
    ['2026-12-31T23:59:59.999+08:00', 'Asia/Shanghai', (365 * DAY - 1) / (365 * DAY), 'one ms before the year ends'],
    ['2027-01-01T00:00:00+08:00', 'Asia/Shanghai', 0, 'next year starts at 0'],
    ['2026-12-31T16:00:00Z', 'Asia/Shanghai', 0, 'same instant as 2027-01-01T00:00+08:00'],
    ['2026-12-31T16:00:00Z', 'UTC', (364 * DAY + 16 * 3_600_000) / (365 * DAY), 'in UTC it is still 2026: 364 d 16 h / 365 d'],
    ['2027-03-01T00:00:00+08:00', 'Asia/Shanghai', 59 / 365, 'Jan 31 + Feb 28 = 59 d of 365'],
    ['2028-03-01T00:00:00+08:00', 'Asia/Shanghai', 60 / 366, 'leap year: Jan 31 + Feb 29 = 60 d of 366'],
    ['2028-12-31T12:00:00+08:00', 'Asia/Shanghai', 365.5 / 366, 'leap year: 365.5 d of 366'],
  ] as const)('%s in %s -> %d (%s)', (iso, zone, expected, _why) => {
    expect(yearFraction(at(iso), zone)).toBe(expected);
  });

  it('defaults to Asia/Shanghai and stays below 1 at the last millisecond', () => {
    expect(yearFraction(at('2026-07-02T12:00:00+08:00'))).toBe(0.5);
    expect(yearFraction(at('2026-12-31T23:59:59.999+08:00'))).toBeLessThan(1);
  });
});

describe('quotaStatus levels (contract 4: red if share >= shareRed or pace > paceRed, ...)', () => {
  it.each([
    // [name, ytdTce, fraction, share, pace, level]; totalTce = 52,000 (contract 3 example)
    ['contract example: 26,000 at f = 0.5 -> pace 26000 / (52000 x 0.5) = 1.0, not above 1.00', 26_000, 0.5, 0.5, 1, 'green'],
    ['26,001 at f = 0.5 -> pace 26001 / 26000 = 1.0000385 > 1.00', 26_001, 0.5, 26_001 / 52_000, 26_001 / 26_000, 'yellow'],
    ['28,600 at f = 0.5 -> pace 28600 / 26000 = 1.10 exactly: yellow, not red', 28_600, 0.5, 0.55, 1.1, 'yellow'],
    ['28,601 at f = 0.5 -> pace 1.1000385 > 1.10', 28_601, 0.5, 28_601 / 52_000, 28_601 / 26_000, 'red'],
    ['46,800 at f = 0.9 -> share 0.90 exactly (>=), pace 46800 / 46800 = 1.0', 46_800, 0.9, 0.9, 1, 'yellow'],
    ['46,794.8 at f = 0.9 -> share 0.8999, pace 0.8999 / 0.9 = 0.99989', 46_794.8, 0.9, 0.8999, 0.8999 / 0.9, 'green'],
    ['51,999.9 at f = 1 -> share 0.999998 < 1.00', 51_999.9, 1, 51_999.9 / 52_000, 51_999.9 / 52_000, 'yellow'],
    ['52,000 at f = 1 -> share 1.00 exactly (>=)', 52_000, 1, 1, 1, 'red'],
    ['f = 0, nothing used: pace null, level from share', 0, 0, 0, null, 'green'],
    ['f = 0 but share 47,000 / 52,000 = 0.9038 >= 0.90', 47_000, 0, 47_000 / 52_000, null, 'yellow'],
  ] as const)('%s', (_name, ytdTce, fraction, share, pace, level) => {
    const s = quotaStatus({ year: 2026, totalTce: 52_000, ytdTce, fraction, thresholds: DEFAULTS });
    expect(s.share).toBeCloseTo(share, 10);
    if (pace === null) expect(s.pace).toBeNull();
    else expect(s.pace).toBeCloseTo(pace, 10);
    expect(s.level).toBe(level);
  });

  // Figures that are exactly at a threshold on paper but not in floats; without the rounding of
  // share and pace these fall on the wrong side. (46,800 / 52,000 is exact in floats: it could not fail.)
  it('share exactly at shareYellow: 9,000.9 / 10,001 = 0.9 (float 0.8999999999999999) is yellow', () => {
    expect(9_000.9 / 10_001).toBeLessThan(0.9); // the noise is really there
    // pace = 9,000.9 / (10,001 x 0.95) = 0.947 < 1.0, so only the share can make it yellow
    const s = quotaStatus({ year: 2026, totalTce: 10_001, ytdTce: 9_000.9, fraction: 0.95, thresholds: DEFAULTS });
    expect(s.share).toBe(0.9);
    expect(s.level).toBe('yellow');
  });

  it('pace exactly at paceRed: 21,120 tce at 2026-07-12T00:00+08:00 of 36,500 is 1.1 (float 1.1000000000000003), yellow not red', () => {
    // f = 192 / 365 (Jan-Jun 181 d + 11 d); pace = 21,120 / (36,500 x 192 / 365) = 21,120 / 19,200 = 1.1
    const fraction = yearFraction(at('2026-07-12T00:00:00+08:00'));
    expect(21_120 / (36_500 * fraction)).toBeGreaterThan(1.1); // the noise is really there
    const s = quotaStatus({ year: 2026, totalTce: 36_500, ytdTce: 21_120, fraction, thresholds: DEFAULTS });
    expect(s.pace).toBe(1.1);
    expect(s.level).toBe('yellow');
  });

  it('contract example end to end: f from 2026-07-02T12:00+08:00, run-rate forecast', () => {
    const fraction = yearFraction(at('2026-07-02T12:00:00+08:00'));
    const s = quotaStatus({ year: 2026, totalTce: 52_000, ytdTce: 26_000, fraction, thresholds: DEFAULTS });
    // forecast = 26,000 / 0.5 = 52,000 tce = 100 % of the quota
    // forecast = quota: no overrun, and the total is reached only at the year end, so no date within it
    expect(s).toEqual({
      year: 2026,
      totalTce: 52_000,
      ytdTce: 26_000,
      share: 0.5,
      pace: 1,
      level: 'green',
      forecastTce: 52_000,
      forecastShare: 1,
      overrunTce: 0,
      exhausted: false,
      exhaustionDate: null,
    });
  });

  it('month-end status: 13,000 tce at 2026-04-01T00:00+08:00 (f = 90/365)', () => {
    // pace = 13000 / (52000 x 90/365) = 0.25 x 365 / 90 = 1.013889 -> yellow; forecast 13000 x 365 / 90 = 52,722.2
    const s = quotaStatus({
      year: 2026,
      totalTce: 52_000,
      ytdTce: 13_000,
      fraction: yearFraction(at('2026-04-01T00:00:00+08:00')),
      thresholds: DEFAULTS,
    });
    expect(s.pace).toBeCloseTo(1.0138889, 6);
    expect(s.level).toBe('yellow');
    expect(s.forecastTce).toBeCloseTo(52_722.22, 2);
  });

  it('f = 0 has no forecast', () => {
    const s = quotaStatus({ year: 2027, totalTce: 52_000, ytdTce: 0, fraction: 0, thresholds: DEFAULTS });
    expect(s.forecastTce).toBeNull();
    expect(s.forecastShare).toBeNull();
  });

  it('uses configured thresholds', () => {
    // share 0.5, pace 1.0; with paceYellow 0.95 the pace is above it
    const s = quotaStatus({ year: 2026, totalTce: 52_000, ytdTce: 26_000, fraction: 0.5, thresholds: { ...DEFAULTS, paceYellow: 0.95 } });
    expect(s.level).toBe('yellow');
  });

  it.each([
    [0, 0.5],
    [-1, 0.5],
    [52_000, -0.1],
    [52_000, 1.5],
    [52_000, Number.NaN],
  ])('rejects totalTce %d, fraction %d', (totalTce, fraction) => {
    expect(() => quotaStatus({ year: 2026, totalTce, ytdTce: 1, fraction, thresholds: DEFAULTS })).toThrow(RangeError);
  });
});

describe('intensityStatus (contract 4: red if ratio > red, yellow if ratio > yellow)', () => {
  const thresholds = { yellow: 0.95, red: 1.0 };
  it.each([
    // [name, ytdTce, output 10^4 yuan, intensity, ratio, level]; limit 1.80 tce / 10^4 yuan
    ['900 / 1000 = 0.90; 0.90 / 1.80 = 0.50', 900, 1000, 0.9, 0.5, 'green'],
    ['1710 / 1000 = 1.71; 1.71 / 1.80 = 0.95 exactly: not above yellow', 1710, 1000, 1.71, 0.95, 'green'],
    ['1711 / 1000 = 1.711; / 1.80 = 0.950556', 1711, 1000, 1.711, 1.711 / 1.8, 'yellow'],
    ['1800 / 1000 = 1.80; ratio 1.00 exactly: yellow, not red', 1800, 1000, 1.8, 1, 'yellow'],
    ['1801 / 1000 = 1.801; ratio 1.000556', 1801, 1000, 1.801, 1.801 / 1.8, 'red'],
  ] as const)('%s', (_name, ytdTce, output, intensity, ratio, level) => {
    const s = intensityStatus({ ytdTce, ytdOutput10kYuan: output, limit: 1.8, thresholds });
    if (s.level === null) throw new Error('expected a level');
    expect(s.intensity).toBeCloseTo(intensity, 12);
    expect(s.ratio).toBeCloseTo(ratio, 10);
    expect(s.level).toBe(level);
    expect(s.limit).toBe(1.8);
  });

  it.each([[null], [0], [-5]])('output %p gives no intensity, no division error', (output) => {
    expect(intensityStatus({ ytdTce: 1800, ytdOutput10kYuan: output, limit: 1.8, thresholds })).toEqual({
      intensity: null,
      level: null,
      note: 'no-output',
    });
  });
});
