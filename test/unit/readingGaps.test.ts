/** Gaps of a meter's readings (services/energy/readingGaps.ts), figures by hand. */
import { readingGaps } from '../../services/energy/readingGaps';

const MIN = 60_000;

describe('readingGaps', () => {
  it('finds stretches longer than 1.5 intervals, the edges included', () => {
    // Interval 15 min, limit 22.5 min. Readings at 0, 15, 60, 75 min of [0, 120):
    // 15 -> 60 (45 min) is a gap; 75 -> 120 (45 min) is one; 0 -> 0 and 60 -> 75 are not.
    expect(readingGaps([0, 15 * MIN, 60 * MIN, 75 * MIN], 0, 120 * MIN, 900)).toEqual([
      { from: 15 * MIN, to: 60 * MIN },
      { from: 75 * MIN, to: 120 * MIN },
    ]);
  });

  it('tolerates jitter and treats one missed reading as a gap', () => {
    // 16 min apart (jitter, < 22.5): none. 30 min apart (one reading missed): a gap.
    expect(readingGaps([0, 16 * MIN, 32 * MIN], 0, 40 * MIN, 900)).toEqual([]);
    expect(readingGaps([0, 30 * MIN], 0, 40 * MIN, 900)).toEqual([{ from: 0, to: 30 * MIN }]);
  });

  it('is the whole period without readings, and nothing for an empty period', () => {
    expect(readingGaps([], 0, 60 * MIN, 900)).toEqual([{ from: 0, to: 60 * MIN }]);
    expect(readingGaps([], 60 * MIN, 60 * MIN, 900)).toEqual([]);
  });
});
