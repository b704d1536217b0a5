import { completeness } from '../../../services/energy/completeness';

const DAY = 86_400_000;

describe('completeness (contract 4: distinct good readings / (period / interval), capped at 1)', () => {
  it.each([
    // [name, readings, periodMs, intervalSeconds, expected]
    ['a full day of 15-min readings: 96 / (86400 / 900 = 96)', 96, DAY, 900, 1],
    ['half of them: 48 / 96', 48, DAY, 900, 0.5],
    ['one missing: 95 / 96', 95, DAY, 900, 95 / 96],
    ['more than expected is capped: 100 / 96 -> 1', 100, DAY, 900, 1],
    ['none', 0, DAY, 900, 0],
    ['30-day month: 2592 / (30 x 96 = 2880) = 0.9', 2592, 30 * DAY, 900, 0.9],
    ['period not a multiple of the interval: 3 / (1000 / 300) = 0.9', 3, 1_000_000, 300, 0.9],
    ['zero-length period gives 0', 5, 0, 900, 0],
  ] as const)('%s', (_name, n, period, interval, expected) => {
    expect(completeness(n, period, interval)).toBeCloseTo(expected, 12);
  });

  it('rejects a non-positive interval', () => {
    expect(() => completeness(1, DAY, 0)).toThrow(RangeError);
  });
});
