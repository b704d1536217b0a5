/**
 * Energy-review project windows (contract 9.1): [max(operatingFrom, start of the 12th month before
 * t's month), start of t's month), annualised x 365 / days, null under 28 days, levels against the
 * approved figures. Days and figures are counted by hand in the comments.
 */
import { annualise, projectFigures, projectWindow, type ProjectWindow } from '../../../services/energy/projectWindow';

const ZONE = 'Asia/Shanghai';
const at = (iso: string) => Date.parse(iso);
const approved = { approvedTce: 30_000, approvedCo2T: 95_000 };
const year: ProjectWindow = { start: at('2025-07-01T00:00:00+08:00'), end: at('2026-07-01T00:00:00+08:00'), days: 365 };

describe('projectWindow (contract 9.1)', () => {
  it('operating from before the window: the 12 whole months before the month of t', () => {
    // t in July 2026: t's month starts 2026-07-01; the 12th month before is July 2025
    // 2025-07-01 .. 2026-07-01 = 365 days (no 29 February inside)
    expect(projectWindow(at('2026-07-15T10:00:00+08:00'), '2024-01-01', ZONE)).toEqual(year);
  });

  it('operating from inside the window: from operatingFrom 00:00 in the site zone', () => {
    // 2026-03-15 .. 2026-07-01: March 15-31 = 17, April 30, May 31, June 30 -> 108 days
    expect(projectWindow(at('2026-07-15T10:00:00+08:00'), '2026-03-15', ZONE)).toEqual({
      start: at('2026-03-15T00:00:00+08:00'),
      end: at('2026-07-01T00:00:00+08:00'),
      days: 108,
    });
  });

  it('t at the first instant of a month: the window ends there, so it holds the month just ended', () => {
    // t = 2026-07-01 00:00 is in July: window 2025-07-01 .. 2026-07-01, 365 days
    expect(projectWindow(at('2026-07-01T00:00:00+08:00'), '2020-01-01', ZONE)).toEqual(year);
    // one millisecond earlier t is in June: window 2025-06-01 .. 2026-06-01, also 365 days
    expect(projectWindow(at('2026-06-30T23:59:59.999+08:00'), '2020-01-01', ZONE)).toMatchObject({
      start: at('2025-06-01T00:00:00+08:00'),
      end: at('2026-06-01T00:00:00+08:00'),
      days: 365,
    });
  });

  it('a window over 29 February has 366 days', () => {
    // 2027-07-01 .. 2028-07-01 contains 2028-02-29: 366 days
    expect(projectWindow(at('2028-07-20T00:00:00+08:00'), '2020-01-01', ZONE).days).toBe(366);
  });

  it('the site zone places the month: 2026-06-30T20:00Z is already July in Shanghai', () => {
    // 2026-06-30T20:00Z = 2026-07-01T04:00+08:00 -> end 2026-07-01 00:00 +08:00 (2026-06-30T16:00Z)
    expect(projectWindow(Date.parse('2026-06-30T20:00:00Z'), '2020-01-01', ZONE).end).toBe(Date.parse('2026-06-30T16:00:00Z'));
  });

  it('operation from the current month or later: an empty window', () => {
    const end = at('2026-07-01T00:00:00+08:00');
    expect(projectWindow(at('2026-07-15T10:00:00+08:00'), '2026-07-01', ZONE)).toEqual({ start: end, end, days: 0 });
    expect(projectWindow(at('2026-07-15T10:00:00+08:00'), '2026-09-01', ZONE)).toEqual({ start: end, end, days: 0 });
  });
});

describe('annualise (contract 9.1: x 365 / days, null under 28 days)', () => {
  it.each([
    // [total, days, expected, hand computation]
    [8_000, 122, (8_000 * 365) / 122, '8,000 x 365 / 122 = 23,934.426'],
    [27_000, 365, 27_000, 'a whole year stays as it is'],
    [27_000, 366, (27_000 * 365) / 366, 'leap window: 27,000 x 365 / 366 = 26,926.23'],
    [2_800, 28, 36_500, '28 days is enough: 2,800 x 365 / 28 = 36,500'],
    [2_700, 27, null, '27 days is under 28: no figure'],
    [0, 0, null, 'empty window'],
  ] as const)('%d over %d days -> %s (%s)', (total, days, expected, _why) => {
    const result = annualise(total, days);
    if (expected === null) expect(result).toBeNull();
    else expect(result).toBeCloseTo(expected, 9);
  });
});

describe('projectFigures levels (contract 9.1)', () => {
  it.each([
    // [why, windowTce, windowCo2T, energyLevel, co2Level, level]; 365-day window, so annual = window figure
    ['26,999 tce: share 0.89997 < 0.9; CO2 90,000 / 95,000 = 0.947', 26_999, 90_000, null, null, null],
    ['27,000 tce: share 27,000 / 30,000 = 0.90 exactly: warning (>=)', 27_000, 90_000, 'warning', null, 'warning'],
    ['30,000 tce: share 1.00 exactly: still warning (critical only above)', 30_000, 90_000, 'warning', null, 'warning'],
    ['30,001 tce: share 1.0000333 > 1: critical', 30_001, 90_000, 'critical', null, 'critical'],
    ['CO2 104,499 t: 104,499 / 95,000 = 1.0999895 < 1.10: no CO2 level', 10_000, 104_499, null, null, null],
    ['CO2 104,500 t: 104,500 / 95,000 = 1.10 exactly: critical (>=, re-review)', 10_000, 104_500, null, 'critical', 'critical'],
    ['energy warning and CO2 critical: the alarm is critical', 27_000, 104_500, 'warning', 'critical', 'critical'],
  ] as const)('%s', (_why, windowTce, windowCo2T, energyLevel, co2Level, level) => {
    const f = projectFigures({ ...approved, windowTce, windowCo2T, window: year });
    expect(f).toMatchObject({ days: 365, annualTce: windowTce, annualCo2T: windowCo2T, energyLevel, co2Level, level });
  });

  it('a project operating from mid-window is annualised over its own days', () => {
    // 108 days (2026-03-15 .. 2026-07-01): 8,000 tce x 365 / 108 = 27,037.037 tce; share 0.9012346 >= 0.9: warning
    // CO2 25,000 t x 365 / 108 = 84,490.74 t; share 0.889376 of 95,000: none
    const window = projectWindow(at('2026-07-15T10:00:00+08:00'), '2026-03-15', ZONE);
    const f = projectFigures({ ...approved, windowTce: 8_000, windowCo2T: 25_000, window });
    expect(f.annualTce).toBeCloseTo(27_037.037037, 5);
    expect(f.tceShare).toBeCloseTo(0.9012346, 6);
    expect(f.annualCo2T).toBeCloseTo(84_490.740741, 5);
    expect(f.co2Share).toBeCloseTo(0.889376, 6);
    expect(f.level).toBe('warning');
  });

  it('under 28 days: no annual figure, no level, a note', () => {
    // 2026-06-04 .. 2026-07-01 = 27 days
    const window = projectWindow(at('2026-07-10T00:00:00+08:00'), '2026-06-04', ZONE);
    expect(window.days).toBe(27);
    expect(projectFigures({ ...approved, windowTce: 100_000, windowCo2T: 1e6, window })).toEqual({
      days: 27,
      annualTce: null,
      annualCo2T: null,
      tceShare: null,
      co2Share: null,
      energyLevel: null,
      co2Level: null,
      level: null,
      note: 'short-window',
    });
    // one more day (from 2026-06-03): 28 days, figures again
    expect(projectWindow(at('2026-07-10T00:00:00+08:00'), '2026-06-03', ZONE).days).toBe(28);
  });

  it('without an approved CO2 figure: no CO2 share or level, the annual CO2 still shown', () => {
    const f = projectFigures({ approvedTce: 30_000, windowTce: 1_000, windowCo2T: 500_000, window: year });
    expect(f).toMatchObject({ annualCo2T: 500_000, co2Share: null, co2Level: null, level: null });
  });
});
