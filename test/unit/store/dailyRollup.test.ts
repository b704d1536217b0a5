import { DayCalendar, splitDays, splitPeriods, touchedDays } from '../../../services/store/dailyRollup';

const local = (iso: string): number => Date.parse(`${iso}+08:00`);
const shanghai = new DayCalendar('Asia/Shanghai');
const iso = (ms: number): string => new Date(ms + 8 * 3_600_000).toISOString().slice(0, 16);

describe('daily rollup calendar (site zone Asia/Shanghai)', () => {
  it('puts an instant in its local day and month', () => {
    expect(shanghai.dayOf(Date.parse('2026-02-28T16:00:00Z'))).toBe(local('2026-03-01T00:00:00')); // local midnight
    expect(shanghai.dayOf(Date.parse('2026-02-28T15:59:59.999Z'))).toBe(local('2026-02-28T00:00:00'));
    expect(shanghai.monthOf(local('2026-03-31T23:45:00'))).toBe(local('2026-03-01T00:00:00'));
    expect(shanghai.nextMonth(local('2026-02-01T00:00:00'))).toBe(local('2026-03-01T00:00:00'));
  });

  it('a half-hour zone keeps quarter hours apart at its midnight', () => {
    const kolkata = new DayCalendar('Asia/Kolkata'); // UTC+5:30, midnight at 18:30Z
    expect(kolkata.dayOf(Date.parse('2026-03-01T18:29:00Z'))).toBe(Date.parse('2026-03-01T00:00:00+05:30'));
    expect(kolkata.dayOf(Date.parse('2026-03-01T18:30:00Z'))).toBe(Date.parse('2026-03-02T00:00:00+05:30'));
  });

  it('splits a range into raw edges and whole days', () => {
    expect(splitDays(local('2026-03-01T23:00:00'), local('2026-03-03T01:00:00'), shanghai)).toEqual({
      head: [local('2026-03-01T23:00:00'), local('2026-03-02T00:00:00')],
      days: [local('2026-03-02T00:00:00'), local('2026-03-03T00:00:00')],
      tail: [local('2026-03-03T00:00:00'), local('2026-03-03T01:00:00')],
    });
    expect(splitDays(local('2026-03-02T00:00:00'), local('2026-03-04T00:00:00'), shanghai)).toEqual({
      days: [local('2026-03-02T00:00:00'), local('2026-03-04T00:00:00')],
    });
    // No whole day inside: all raw.
    expect(splitDays(local('2026-03-01T10:00:00'), local('2026-03-02T09:00:00'), shanghai)).toEqual({
      head: [local('2026-03-01T10:00:00'), local('2026-03-02T09:00:00')],
    });
    expect(splitDays(5, 5, shanghai)).toEqual({});
  });

  it('splits a range into raw edges, days and whole months', () => {
    const parts = splitPeriods(local('2026-01-15T10:00:00'), local('2026-04-03T06:00:00'), shanghai);
    expect(parts.map((p) => [p.level, iso(p.from), iso(p.to)])).toEqual([
      ['raw', '2026-01-15T10:00', '2026-01-16T00:00'],
      ['day', '2026-01-16T00:00', '2026-02-01T00:00'],
      ['month', '2026-02-01T00:00', '2026-04-01T00:00'],
      ['day', '2026-04-01T00:00', '2026-04-03T00:00'],
      ['raw', '2026-04-03T00:00', '2026-04-03T06:00'],
    ]);
    // Without months (day buckets), and a range inside one month.
    expect(splitPeriods(local('2026-01-15T10:00:00'), local('2026-04-03T06:00:00'), shanghai, false).map((p) => p.level)).toEqual([
      'raw',
      'day',
      'raw',
    ]);
    expect(splitPeriods(local('2026-03-01T00:00:00'), local('2026-03-20T00:00:00'), shanghai).map((p) => [p.level, iso(p.from), iso(p.to)])).toEqual([
      ['day', '2026-03-01T00:00', '2026-03-20T00:00'],
    ]);
    // A year to the start of a month: months only.
    expect(splitPeriods(local('2026-01-01T00:00:00'), local('2026-12-01T00:00:00'), shanghai).map((p) => [p.level, iso(p.from), iso(p.to)])).toEqual([
      ['month', '2026-01-01T00:00', '2026-12-01T00:00'],
    ]);
  });

  it('collects the meters a write touches per local day, hours and readings apart', () => {
    const key = { enterprise: 'alu01', meter: 'e-main' };
    const touched = touchedDays(
      {
        readings: [
          { ...key, ts: Date.parse('2026-02-28T15:45:00Z'), value: 1, quality: 'good' },
          { ...key, ts: Date.parse('2026-02-28T16:00:00Z'), value: 2, quality: 'bad' },
        ],
        hourly: [
          { ...key, carrier: 'electricity', unit: 'kWh', hour: Date.parse('2026-02-28T16:00:00Z'), quantity: 1 },
          { ...key, meter: 'gas', carrier: 'natural_gas', unit: 'm3', hour: Date.parse('2026-02-28T17:00:00Z'), quantity: 1 },
        ],
      },
      shanghai,
    );
    expect([...touched.readings].map(([d, m]) => [iso(d), [...m.values()].map((x) => x.meter)])).toEqual([
      ['2026-02-28T00:00', ['e-main']],
      ['2026-03-01T00:00', ['e-main']],
    ]);
    expect([...touched.hours].map(([d, m]) => [iso(d), [...m.values()].map((x) => x.meter)])).toEqual([['2026-03-01T00:00', ['e-main', 'gas']]]);
  });
});
