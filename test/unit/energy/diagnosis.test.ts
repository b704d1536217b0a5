/**
 * The diagnosis arithmetic (contract 11) on profiles built here; every expected figure is computed
 * by hand in the comment beside it.
 */
import { DateTime } from 'luxon';
import { DEFAULT_TOU_SCHEDULE, DEFAULT_WORKING_HOURS, type TouSchedule } from '../../../config/diagnosisSchema';
import {
  judgeDay,
  leastSquaresTrend,
  loadProfile,
  median,
  offHoursShare,
  percentile,
  touPeriodOf,
  touShares,
  type HourPoint,
} from '../../../services/energy/diagnosis';

const ZONE = 'Asia/Shanghai';

/**
 * June 2026 (30 days; 1 June is a Monday), hourly kW in the site zone:
 * 00-08 at 80 kW, except 02:00 and 03:00 of 1-18 June at 50 kW (36 hours); 08-18 at 400 kW;
 * 18-24 at 200 kW. So 36 x 50, 204 x 80, 300 x 400 and 180 x 200: 720 hours.
 */
function juneProfile(): HourPoint[] {
  const points: HourPoint[] = [];
  const start = DateTime.fromISO('2026-06-01T00:00', { zone: ZONE });
  for (let d = 0; d < 30; d++) {
    for (let h = 0; h < 24; h++) {
      const kw = h < 8 ? ((h === 2 || h === 3) && d < 18 ? 50 : 80) : h < 18 ? 400 : 200;
      points.push({ hour: start.plus({ days: d, hours: h }).toMillis(), quantity: kw });
    }
  }
  return points;
}

describe('percentile (linear interpolation between closest ranks)', () => {
  it('interpolates between the two ranks around h = (n - 1) p / 100', () => {
    // [1,2,3,4], p 50: h = 3 x 0.5 = 1.5 -> 2 + 0.5 x (3 - 2) = 2.5
    expect(percentile([4, 1, 3, 2], 50)).toBeCloseTo(2.5, 12);
    // [10..50], p 5: h = 4 x 0.05 = 0.2 -> 10 + 0.2 x 10 = 12
    expect(percentile([50, 40, 30, 20, 10], 5)).toBeCloseTo(12, 12);
    // one value is every percentile of itself; none gives null
    expect(percentile([7], 5)).toBe(7);
    expect(percentile([], 5)).toBeNull();
    // median of an even count: the mean of the middle two
    expect(median([1, 9, 3, 5])).toBe(4);
  });
});

describe('base load against mean load', () => {
  it('takes the 5th percentile of the hourly mean power of a month', () => {
    const lp = loadProfile(
      juneProfile().map((p) => p.quantity),
      5,
    )!;
    // sorted: x0..x35 = 50, x36..x239 = 80; h = 719 x 0.05 = 35.95 -> 50 + 0.95 x (80 - 50) = 78.5 kW
    expect(lp.base).toBeCloseTo(78.5, 9);
    // mean = (36x50 + 204x80 + 300x400 + 180x200) / 720 = (1,800 + 16,320 + 120,000 + 36,000) / 720 = 174,120 / 720
    expect(lp.mean).toBeCloseTo(174120 / 720, 9);
    // ratio = 78.5 x 720 / 174,120 = 56,520 / 174,120 = 471 / 1,451 = 0.32460372...
    expect(lp.ratio).toBeCloseTo(471 / 1451, 12);
    expect(lp.ratio).toBeCloseTo(0.3246037, 6);
  });

  it('has no ratio when nothing was consumed, and no profile without hours', () => {
    expect(loadProfile([0, 0, 0], 5)).toEqual({ base: 0, mean: 0, ratio: null });
    expect(loadProfile([], 5)).toBeNull();
  });
});

describe('consumption outside working hours', () => {
  it('is the share outside Monday-Friday 08:00-18:00', () => {
    const off = offHoursShare(juneProfile(), DEFAULT_WORKING_HOURS, ZONE);
    // June 2026: 22 weekdays (4 whole weeks + Mon 29, Tue 30) x 10 h x 400 kW = 88,000 kWh worked;
    // off = 174,120 - 88,000 = 86,120; share = 86,120 / 174,120 = 2,153 / 4,353 = 0.494601...
    expect(off.totalQuantity).toBeCloseTo(174120, 9);
    expect(off.offHoursQuantity).toBeCloseTo(86120, 9);
    expect(off.share).toBeCloseTo(2153 / 4353, 12);
    expect(off.continuous).toBe(false);
  });

  it('is 0 for a continuous (24/7) schedule', () => {
    const off = offHoursShare(juneProfile(), 'continuous', ZONE);
    expect(off.share).toBe(0);
    expect(off.continuous).toBe(true);
  });

  it('counts a weekday left out of the schedule as closed all day', () => {
    // Saturday 6 June 2026, 10:00, 100 kWh with only Saturdays 09:00-10:00 as working: off-hours
    const sat10 = DateTime.fromISO('2026-06-06T10:00', { zone: ZONE }).toMillis();
    const sat09 = DateTime.fromISO('2026-06-06T09:00', { zone: ZONE }).toMillis();
    const off = offHoursShare(
      [
        { hour: sat09, quantity: 300 },
        { hour: sat10, quantity: 100 },
      ],
      { sat: ['09:00-10:00'] },
      ZONE,
    );
    // 100 of 400 outside
    expect(off.share).toBeCloseTo(0.25, 12);
  });
});

describe('peak / flat / valley shares', () => {
  it('splits the month by the default schedule', () => {
    const tou = touShares(juneProfile(), DEFAULT_TOU_SCHEDULE, ZONE);
    // per day: 08-11 flat 3x400 = 1,200; 11-17 peak 6x400 = 2,400; 17-18 flat 400; 18-20 flat 2x200 = 400;
    // 20-22 peak 2x200 = 400; 22-24 flat 2x200 = 400 -> peak 2,800, flat 2,400 a day; x 30:
    // peak 84,000, flat 72,000; valley = the nights: 36x50 + 204x80 = 18,120; total 174,120
    expect(tou.quantities.peak).toBeCloseTo(84000, 9);
    expect(tou.quantities.flat).toBeCloseTo(72000, 9);
    expect(tou.quantities.valley).toBeCloseTo(18120, 9);
    expect(tou.quantities.sharp).toBe(0);
    expect(tou.shares!.peak).toBeCloseTo(84000 / 174120, 12);
    expect(tou.shares!.flat).toBeCloseTo(72000 / 174120, 12);
    expect(tou.shares!.valley).toBeCloseTo(18120 / 174120, 12);
  });

  it('takes sharp hours out of the peak in their months only', () => {
    const s: TouSchedule = { ...DEFAULT_TOU_SCHEDULE, sharp: ['20:00-21:00'], sharpMonths: [7, 8] };
    expect(touPeriodOf(s, { hour: 20, month: 7 })).toBe('sharp');
    expect(touPeriodOf(s, { hour: 20, month: 6 })).toBe('peak');
    expect(touPeriodOf(s, { hour: 21, month: 7 })).toBe('peak');
    expect(touPeriodOf(s, { hour: 7, month: 7 })).toBe('valley');
    expect(touPeriodOf(s, { hour: 8, month: 7 })).toBe('flat');
  });
});

describe('anomalous days (3 scaled MADs from the same-weekday median)', () => {
  const rule = { thresholdMads: 3, minHistoryDays: 4 };
  // sorted history 97 98 99 100 100 101 102 103: median 100; |deviations| sorted 0 0 1 1 2 2 3 3: MAD 1.5;
  // scaled MAD = 1.4826 x 1.5 = 2.2239; limit 3 x 2.2239 = 6.6717
  const history = [100, 102, 98, 101, 99, 103, 97, 100];

  it('flags a day 10 above the median (4.4966 scaled MADs)', () => {
    const j = judgeDay(110, history, rule);
    expect(j.judged && j.median).toBe(100);
    expect(j.judged && j.mad).toBeCloseTo(1.5, 12);
    expect(j.judged && j.spread).toBeCloseTo(2.2239, 12);
    expect(j.judged && j.score).toBeCloseTo(10 / 2.2239, 9);
    expect(j).toMatchObject({ anomalous: true, direction: 'above', deviation: 10, spreadMethod: 'scaled-mad' });
  });

  it('does not flag a normal day (5 above: 2.248 scaled MADs) and flags one 7 below', () => {
    expect(judgeDay(105, history, rule)).toMatchObject({ judged: true, anomalous: false, direction: null });
    expect(judgeDay(93, history, rule)).toMatchObject({ anomalous: true, direction: 'below', deviation: -7 });
  });

  it('with MAD = 0 (zero spread) flags any day different from the median, and not one equal to it', () => {
    // history sorted 70 100 100 100 100 100 100 130: median 100; |deviations| 30 0 0 0 0 0 0 30, sorted
    // 0 0 0 0 0 0 30 30: MAD = (0 + 0) / 2 = 0; scaled MAD 0, limit 3 x 0 = 0
    const h = [100, 100, 100, 100, 100, 130, 70, 100];
    const day120 = judgeDay(120, h, rule);
    expect(day120).toMatchObject({ judged: true, anomalous: true, direction: 'above', deviation: 20, mad: 0, spread: 0 });
    expect(day120).toMatchObject({ spreadMethod: 'zero-spread', score: null });
    expect(judgeDay(100, h, rule)).toMatchObject({ judged: true, anomalous: false, direction: null, score: null, spreadMethod: 'zero-spread' });
    expect(judgeDay(99.9, h, rule)).toMatchObject({ anomalous: true, direction: 'below' });
    // a shut plant (every day 0) that runs again: any consumption is anomalous
    expect(judgeDay(0.5, [0, 0, 0, 0], rule)).toMatchObject({ anomalous: true, direction: 'above' });
    expect(judgeDay(0, [0, 0, 0, 0], rule)).toMatchObject({ anomalous: false });
  });

  it('a day exactly 3 scaled MADs away is not anomalous (strictly more is)', () => {
    // history 0 2 4 6 8: median 4, |deviations| 4 2 0 2 4, MAD 2, scaled 2.9652, limit 8.8956
    expect(judgeDay(4 + 8.8956, [0, 2, 4, 6, 8], rule)).toMatchObject({ anomalous: false });
    expect(judgeDay(4 + 8.9, [0, 2, 4, 6, 8], rule)).toMatchObject({ anomalous: true, direction: 'above' });
  });

  it('does not judge a day with fewer same-weekday days than minHistoryDays', () => {
    expect(judgeDay(1000, [100, 100, 100], rule)).toEqual({ judged: false, historyDays: 3 });
  });
});

describe('least-squares trend', () => {
  it('gives the slope per day and the fitted change relative to the mean', () => {
    // x 0..4, y 10 13 13 16 18: mean x 2, mean y 14; Sxy = (-2)(-4) + (-1)(-1) + 0 + (1)(2) + (2)(4) = 19;
    // Sxx = 4 + 1 + 0 + 1 + 4 = 10; slope 1.9 per day; change over 4 days 7.6; / 14 = 0.542857...
    const t = leastSquaresTrend([10, 13, 13, 16, 18].map((y, x) => ({ x, y })))!;
    expect(t.slopePerDay).toBeCloseTo(1.9, 12);
    expect(t.relativeChange).toBeCloseTo(7.6 / 14, 12);
    expect(t.days).toBe(5);
  });

  it('needs two distinct days', () => {
    expect(leastSquaresTrend([{ x: 3, y: 1 }])).toBeNull();
    expect(
      leastSquaresTrend([
        { x: 3, y: 1 },
        { x: 3, y: 2 },
      ]),
    ).toBeNull();
  });
});
