import { contentHash } from '../../../services/reports/monthlyReportBuilder';
import type { MonthlyReport } from '../../../services/reports/reportModel';

// Only the parts contentHash reads; the rest of a report does not enter the hash.
const report = (totalTce: number, generatedAt: string): MonthlyReport =>
  ({
    month: '2026-10',
    generatedAt,
    revision: 1,
    sha256: 'x',
    enterprises: [{ id: 'alu01', totalTce }],
    totals: { totalTce },
    ranking: [],
    concentration: null,
  }) as unknown as MonthlyReport;

describe('report content hash', () => {
  it('ignores float noise from summing in another order, and the generation time', () => {
    const a = [0.1, 0.2, 0.3].reduce((s, v) => s + v, 0); // 0.6000000000000001
    const b = [0.3, 0.2, 0.1].reduce((s, v) => s + v, 0); // 0.6
    expect(a).not.toBe(b);
    expect(contentHash(report(a, '2026-11-01T01:00:00+08:00'))).toBe(contentHash(report(b, '2026-11-02T02:30:00+08:00')));
  });

  it('changes with any real change of a figure, however small in practice (1 kgce in 60,000 tce)', () => {
    expect(contentHash(report(60_000.5, 'g'))).not.toBe(contentHash(report(60_000.501, 'g')));
    expect(contentHash(report(49.16, 'g'))).not.toBe(contentHash(report(49.1600001, 'g')));
  });
});
