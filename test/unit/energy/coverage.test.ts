import { coveredHours } from '../../../services/energy/coverage';

const H = 3_600_000;
const M = 60_000;

describe('coveredHours (an hour counts only when the readings cover it whole)', () => {
  it('a counter covers every hour between two readings however far apart', () => {
    // registers at 0 h and 24 h: the 24 hours [0, 24 h) are covered
    expect(coveredHours({ kind: 'counter', intervalMs: 15 * M }, [0, 24 * H], 0, 48 * H).size).toBe(24);
  });

  it('a power meter does not cover a pair longer than 2 x the interval', () => {
    // readings every 15 min over [0, 2 h] and [5 h, 6 h], gap 2 h -> 5 h (> 30 min): hours 0, 1 and 5 covered
    const ts = [0, 15, 30, 45, 60, 75, 90, 105, 120, 300, 315, 330, 345, 360].map((m) => m * M);
    expect([...coveredHours({ kind: 'power', intervalMs: 15 * M }, ts, 0, 6 * H)]).toEqual([0, H, 5 * H]);
  });

  it('a partly covered hour is not covered; an interval reading covers the interval before it', () => {
    // interval readings at 0:15, 0:30, 0:45, 1:00 cover [0, 1 h); 1:30 alone covers [1:15, 1:30) only
    const ts = [15, 30, 45, 60, 90].map((m) => m * M);
    expect([...coveredHours({ kind: 'interval', intervalMs: 15 * M }, ts, 0, 3 * H)]).toEqual([0]);
  });
});
