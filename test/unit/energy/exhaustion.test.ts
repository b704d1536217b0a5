import { exhaustion, quotaStatus } from '../../../services/energy/quota';
import { carbonStatus } from '../../../services/energy/carbon';

const DEFAULTS = { paceYellow: 1.0, paceRed: 1.1, shareYellow: 0.9, shareRed: 1.0 }; // contract 3 rules.quota

/*
 * Exhaustion instant = 1 January 00:00 + f x L x total / ytd (L = the year's length in days).
 * Day offsets of the 1st of a month from 1 January, non-leap year: Nov 304, Dec 334; leap year: Nov 305.
 */
describe('exhaustion: forecast overrun and the date the total runs out at the current pace (issue 21)', () => {
  it('the cement plant: forecast 197,389 tce over a 186,000 quota is stated, the light stays yellow', () => {
    // f = 0.5 of 2026, ytd = 197,389 x 0.5 = 98,694.5 -> forecast 197,389, overrun 197,389 - 186,000 = 11,389.
    // pace = 98,694.5 / (186,000 x 0.5) = 1.0612 -> above 1.0, not above 1.1: yellow (the contract's levels stay).
    // elapsed = 0.5 x 365 x 186,000 / 98,694.5 = 182.5 x 1.884603 = 343.94 d -> Dec 1 (334) + 9.94 d = 10 December.
    const s = quotaStatus({ year: 2026, totalTce: 186_000, ytdTce: 98_694.5, fraction: 0.5, thresholds: DEFAULTS, zone: 'Asia/Shanghai' });
    expect(s.level).toBe('yellow');
    expect(s.overrunTce).toBeCloseTo(11_389, 6);
    expect(s.exhausted).toBe(false);
    expect(s.exhaustionDate).toBe('2026-12-10');
  });

  it('a leap year counts 366 days: 7,000 of 36,600 tce at 1 March 2028 00:00 (f = 60 / 366) runs out on 9 November', () => {
    // rate 7,000 / 60 d = 116.667 tce/d; 36,600 / 116.667 = 36,600 x 60 / 7,000 = 313.714 d -> Nov 1 (305) + 8.714 d = 9 November.
    // forecast = 7,000 x 366 / 60 = 42,700; overrun 42,700 - 36,600 = 6,100.
    const e = exhaustion({ year: 2028, total: 36_600, ytd: 7_000, fraction: 60 / 366, zone: 'Asia/Shanghai' });
    expect(e).toEqual({ overrun: expect.closeTo(6_100, 6), exhausted: false, exhaustionDate: '2028-11-09' });
    // The same figures at 1 March 2027 (f = 59 / 365): 36,600 x 59 / 7,000 = 308.486 d -> Nov 1 (304) + 4.486 d = 5 November;
    // forecast 7,000 x 365 / 59 = 43,305.085, overrun 6,705.085.
    const n = exhaustion({ year: 2027, total: 36_600, ytd: 7_000, fraction: 59 / 365, zone: 'Asia/Shanghai' });
    expect(n.exhaustionDate).toBe('2027-11-05');
    expect(n.overrun).toBeCloseTo(6_705.085, 3);
  });

  it('1 January 00:00 (f = 0): no forecast, no overrun, no date, not exhausted', () => {
    const s = quotaStatus({ year: 2026, totalTce: 52_000, ytdTce: 0, fraction: 0, thresholds: DEFAULTS });
    expect([s.forecastTce, s.overrunTce, s.exhaustionDate, s.exhausted]).toEqual([null, null, null, false]);
    // Entered figures before any time has elapsed give no pace either: still no date.
    expect(exhaustion({ year: 2026, total: 52_000, ytd: 100, fraction: 0 }).exhaustionDate).toBeNull();
  });

  it('share already >= 1: exhausted, and no date (two figures cannot tell when it was crossed)', () => {
    // 1,000 of 1,000 at f = 0.8: forecast 1,000 / 0.8 = 1,250, overrun 250.
    const s = quotaStatus({ year: 2026, totalTce: 1_000, ytdTce: 1_000, fraction: 0.8, thresholds: DEFAULTS });
    expect(s.level).toBe('red');
    expect(s.exhausted).toBe(true);
    expect(s.exhaustionDate).toBeNull();
    expect(s.overrunTce).toBeCloseTo(250, 9);
  });

  it('pace below 1 (26,000 of 52,000 at f = 0.6): overrun 0, the total is not reached within the year', () => {
    // forecast 26,000 / 0.6 = 43,333.3 < 52,000 -> overrun max(0, -8,666.7) = 0; elapsed 0.6 x 365 x 2 = 438 d > 365.
    const s = quotaStatus({ year: 2026, totalTce: 52_000, ytdTce: 26_000, fraction: 0.6, thresholds: DEFAULTS });
    expect(s.overrunTce).toBe(0);
    expect(s.exhaustionDate).toBeNull();
    expect(s.exhausted).toBe(false);
  });

  it('pace exactly 1 reaches the total at the year end itself, which is the next year: no date', () => {
    // 26,000 of 52,000 at f = 0.5: elapsed 0.5 x L x 2 = L, the first instant of 2027.
    expect(exhaustion({ year: 2026, total: 52_000, ytd: 26_000, fraction: 0.5 })).toEqual({ overrun: 0, exhausted: false, exhaustionDate: null });
  });

  it('carbonStatus gives the same for the CO2 budget: overrunT and exhaustionDate', () => {
    // 600 t of a 1,000 t budget at f = 0.5 of 2026: forecast 1,200, overrun 200;
    // elapsed 0.5 x 365 x 1,000 / 600 = 304.167 d -> Nov 1 (304) + 0.167 d (4 h) = 1 November.
    const rules = { paceYellow: 1.0, paceRed: 1.1, shareYellow: 0.9, shareRed: 1.0 };
    const c = carbonStatus({ year: 2026, budgetT: 1_000, ytdT: 600, fraction: 0.5, rules, zone: 'Asia/Shanghai' });
    expect(c.level).toBe('red'); // pace 1.2 > 1.1
    expect(c.overrunT).toBeCloseTo(200, 9);
    expect(c.exhaustionDate).toBe('2026-11-01');
    expect(c.exhausted).toBe(false);
  });
});
