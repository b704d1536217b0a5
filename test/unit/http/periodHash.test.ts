/**
 * The dashboard's period arithmetic (services/http/dashboard/client/periodHash.ts), dates worked out
 * by hand on a calendar. It must agree with the server's (services/figures/periodFigures.ts), which
 * the API test test/integration/districtPeriod.test.ts checks with the same dates.
 */
import { hashParams, periodHash, rangePieces, rangeText, rangesOf, selectedFrom, shifted } from '../../../services/http/dashboard/client/periodHash';

const TODAY = '2026-12-07';

describe('period in the URL hash', () => {
  it('reads the period of a hash and writes it back unchanged', () => {
    const hash = '#/enterprise/cem01?period=custom&from=2026-10-01&to=2026-11-15';
    const s = selectedFrom(hashParams(hash), TODAY);
    expect(s).toEqual({ kind: 'custom', from: '2026-10-01', to: '2026-11-15' });
    expect(periodHash('#/enterprise/cem01', s)).toBe(hash);
    expect(periodHash('#/', selectedFrom(hashParams('#/?period=month&date=2026-11'), TODAY))).toBe('#/?period=month&date=2026-11');
  });

  it('falls back to the current month for a missing, unreadable or future period', () => {
    const month = { kind: 'month', from: '2026-12', to: '' };
    expect(selectedFrom(hashParams('#/'), TODAY)).toEqual(month);
    expect(selectedFrom(hashParams('#/?period=week&date=2026-12-01'), TODAY)).toEqual(month);
    expect(selectedFrom(hashParams('#/?period=day&date=2026-02-30'), TODAY)).toEqual(month); // no 30 February
    expect(selectedFrom(hashParams('#/?period=day&date=2026-12-08'), TODAY)).toEqual(month); // tomorrow
    expect(selectedFrom(hashParams('#/?period=year&date=2027'), TODAY)).toEqual(month);
    expect(selectedFrom(hashParams('#/?period=custom&from=2026-11-15&to=2026-11-01'), TODAY)).toEqual(month); // reversed
  });
});

describe('ranges compared', () => {
  it('a month in progress: 1-7 December against 1-7 November and 1-7 December 2025', () => {
    const r = rangesOf({ kind: 'month', from: '2026-12', to: '' }, TODAY);
    expect(r.asked).toEqual({ from: '2026-12-01', to: '2027-01-01' });
    expect(r.current).toEqual({ from: '2026-12-01', to: '2026-12-08' });
    expect(r.previous).toEqual({ from: '2026-11-01', to: '2026-11-08' });
    expect(r.yearEarlier).toEqual({ from: '2025-12-01', to: '2025-12-08' });
    expect(r.partial).toBe(true);
    expect(r.inProgress).toBe(true);
  });

  it('a year cut at today after a leap year: the previous year on the same dates as last year', () => {
    // 1 January - 7 December 2025; 2024 has 366 days: not 341 days (to 6 December) but the same dates.
    const r = rangesOf({ kind: 'year', from: '2025', to: '' }, '2025-12-07');
    expect(r.previous).toEqual({ from: '2024-01-01', to: '2024-12-08' });
    expect(r.previous).toEqual(r.yearEarlier);
  });

  it('a whole month against the whole previous month of another length', () => {
    // March 2026 (31 days) against all of February 2026 (28 days).
    const r = rangesOf({ kind: 'month', from: '2026-03', to: '' }, TODAY);
    expect(r.previous).toEqual({ from: '2026-02-01', to: '2026-03-01' });
    expect(r.partial).toBe(false);
    expect(r.inProgress).toBe(false);
  });

  it('a month in progress on its 31st day: the previous, shorter month whole', () => {
    // On 31 March 2026 March so far has 31 days; February has 28: all of February, not into March.
    const r = rangesOf({ kind: 'month', from: '2026-03', to: '' }, '2026-03-31');
    expect(r.current).toEqual({ from: '2026-03-01', to: '2026-04-01' });
    expect(r.previous).toEqual({ from: '2026-02-01', to: '2026-03-01' });
    // Not cut, but today is in it: said to be in progress.
    expect([r.partial, r.inProgress]).toEqual([false, true]);
  });

  it('a custom range against the same number of days before it; a leap day a year later is 28 February', () => {
    // 15 November - 4 December 2026 = 16 + 4 = 20 days; 20 days before: 26 October - 14 November.
    const r = rangesOf({ kind: 'custom', from: '2026-11-15', to: '2026-12-04' }, TODAY);
    expect(r.previous).toEqual({ from: '2026-10-26', to: '2026-11-15' });
    expect(rangeText(r.previous)).toBe('2026-10-26 – 2026-11-14');
    const leap = rangesOf({ kind: 'day', from: '2028-02-29', to: '' }, '2028-03-05');
    expect(leap.yearEarlier).toEqual({ from: '2027-02-28', to: '2027-03-01' });
    expect(leap.previous).toEqual({ from: '2028-02-28', to: '2028-02-29' });
  });

  it('steps a period: months across a year end, a custom range by its own length', () => {
    expect(shifted({ kind: 'month', from: '2026-01', to: '' }, -1)).toEqual({ kind: 'month', from: '2025-12', to: '' });
    // 1-10 November is 10 days: one step later is 11-20 November.
    expect(shifted({ kind: 'custom', from: '2026-11-01', to: '2026-11-10' }, 1)).toEqual({ kind: 'custom', from: '2026-11-11', to: '2026-11-20' });
    expect(shifted({ kind: 'day', from: '2026-03-01', to: '' }, -1)).toEqual({ kind: 'day', from: '2026-02-28', to: '' });
  });

  it('asks whole months by month and the days around them by day, as the server sums them', () => {
    const pieces = (from: string, to: string) => rangePieces({ from, to }).map((p) => `${p.from}..${p.to} ${p.every}`);
    expect(pieces('2026-01-01', '2026-12-08')).toEqual(['2026-01-01..2026-12-01 1mo', '2026-12-01..2026-12-08 1d']);
    expect(pieces('2026-10-15', '2027-01-01')).toEqual(['2026-10-15..2026-11-01 1d', '2026-11-01..2027-01-01 1mo']);
    expect(pieces('2026-10-05', '2026-12-05')).toEqual(['2026-10-05..2026-11-01 1d', '2026-11-01..2026-12-01 1mo', '2026-12-01..2026-12-05 1d']);
    expect(pieces('2026-11-02', '2026-11-30')).toEqual(['2026-11-02..2026-11-30 1d']);
    expect(pieces('2026-12-15', '2027-02-01')).toEqual(['2026-12-15..2027-01-01 1d', '2027-01-01..2027-02-01 1mo']);
  });
});
