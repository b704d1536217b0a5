/**
 * The server's period rule (services/figures/periodFigures.ts) on the calendar edges the dashboard's
 * own arithmetic is tested on (test/unit/http/periodHash.test.ts): the same dates, worked out by hand.
 */
import { DateTime } from 'luxon';
import { periodPieces, resolvePeriod } from '../../../services/figures/periodFigures';

const ZONE = 'Asia/Shanghai';
const ms = (date: string) => DateTime.fromISO(date, { zone: ZONE }).toMillis();
const day = (x: number) => DateTime.fromMillis(x, { zone: ZONE }).toISODate();
const noon = (date: string) => ms(`${date}T12:00`);

describe('resolvePeriod', () => {
  it('a month in progress on its 31st day compares with the whole shorter previous month', () => {
    const p = resolvePeriod(ms('2026-03-01'), ms('2026-04-01'), noon('2026-03-31'), ZONE);
    expect(p).toMatchObject({ kind: 'month', days: 31, partial: false });
    expect([day(p.previous.from), day(p.previous.to)]).toEqual(['2026-02-01', '2026-03-01']);
    // Its last day is today: in progress, although not cut.
    expect(p.inProgress).toBe(true);
    expect(resolvePeriod(ms('2026-03-01'), ms('2026-04-01'), noon('2026-04-01'), ZONE).inProgress).toBe(false);
  });

  it('a leap day compares with 28 February a year earlier and 28 February 2028 before it', () => {
    const p = resolvePeriod(ms('2028-02-29'), ms('2028-03-01'), noon('2028-03-05'), ZONE);
    expect(p.kind).toBe('day');
    expect([day(p.yearEarlier.from), day(p.yearEarlier.to)]).toEqual(['2027-02-28', '2027-03-01']);
    expect([day(p.previous.from), day(p.previous.to)]).toEqual(['2028-02-28', '2028-02-29']);
  });

  it('a year in progress: to the end of today, the previous year as many days', () => {
    // 1 January - 7 December 2026: 334 days to 30 November + 7 = 341.
    const p = resolvePeriod(ms('2026-01-01'), ms('2027-01-01'), noon('2026-12-07'), ZONE);
    expect(p).toMatchObject({ kind: 'year', days: 341, partial: true, inProgress: true });
    expect([day(p.previous.from), day(p.previous.to)]).toEqual(['2025-01-01', '2025-12-08']);
  });

  it('a year cut at today in a year after a leap year: the previous year ends on the same date as last year', () => {
    // 2025 seen on 7 December 2025: 1 January - 7 December 2025. 2024 is a leap year, so 341 days
    // from 1 January 2024 end on 6 December; the previous period must be 1 January - 7 December 2024,
    // the same dates as the year-earlier one.
    const p = resolvePeriod(ms('2025-01-01'), ms('2026-01-01'), noon('2025-12-07'), ZONE);
    expect([day(p.previous.from), day(p.previous.to)]).toEqual(['2024-01-01', '2024-12-08']);
    expect(p.previous).toEqual(p.yearEarlier);
  });

  it('refuses a period starting tomorrow and one of 733 days', () => {
    expect(() => resolvePeriod(ms('2026-12-08'), ms('2026-12-09'), noon('2026-12-07'), ZONE)).toThrow(/future/);
    // 1 January 2025 + 733 days = 4 January 2027 (2025: 365, 2026: 365, then 3 more).
    expect(() => resolvePeriod(ms('2025-01-01'), ms('2027-01-04'), noon('2026-12-07'), ZONE)).toThrow(/at most 732/);
    expect(resolvePeriod(ms('2025-01-01'), ms('2027-01-03'), noon('2026-12-07'), ZONE).kind).toBe('custom');
  });

  it('sums whole months by month and the days around them by day', () => {
    const pieces = (from: string, to: string) =>
      periodPieces({ from: ms(from), to: ms(to) }, ZONE).map((p) => `${day(p.from)}..${day(p.to)} ${p.every}`);
    expect(pieces('2026-01-01', '2026-12-08')).toEqual(['2026-01-01..2026-12-01 1mo', '2026-12-01..2026-12-08 1d']);
    expect(pieces('2026-10-15', '2027-01-01')).toEqual(['2026-10-15..2026-11-01 1d', '2026-11-01..2027-01-01 1mo']);
    expect(pieces('2026-10-05', '2026-12-05')).toEqual(['2026-10-05..2026-11-01 1d', '2026-11-01..2026-12-01 1mo', '2026-12-01..2026-12-05 1d']);
    expect(pieces('2026-11-02', '2026-11-30')).toEqual(['2026-11-02..2026-11-30 1d']);
  });
});
