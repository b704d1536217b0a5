/** The figure rule (contract 8: at least 9 significant digits, no float noise). */
import { figure, figureFields, sumFigures } from '../../../services/figures/precision';

describe('figure', () => {
  it.each([
    ['the contract example', 45440.000001341105, 45440],
    ['0.1 + 0.2', 0.1 + 0.2, 0.3],
    ['1,000 kWh x 0.1229 kgce/kWh / 1000', (1000 * 0.1229) / 1000, 0.1229],
    ['9 significant digits are kept', 12_345.678_912_3, 12_345.678_9],
    ['a small figure keeps its digits', 0.000_123_456_789_12, 0.000_123_456_789],
    ['an integer is untouched', 123_456_789_012, 123_456_789_012],
    ['-0 is 0', -0, 0],
  ])('%s', (_name, x, expected) => {
    expect(Object.is(figure(x), expected)).toBe(true);
  });

  it('passes null and non-finite values through', () => {
    expect(figure(null)).toBeNull();
    expect(figure(Number.POSITIVE_INFINITY)).toBe(Number.POSITIVE_INFINITY);
  });

  it('sums then rounds: ten times 0.1 is 1, not 0.9999999999999999', () => {
    expect(sumFigures(Array.from({ length: 10 }, () => 0.1))).toBe(1);
  });

  it('rounds the numeric fields of a total built elsewhere: 0.1 + 0.2 tce reads 0.3', () => {
    expect(figureFields({ tce: 0.1 + 0.2, co2Kg: 1_000_000.0000000001, unit: 't' })).toEqual({ tce: 0.3, co2Kg: 1_000_000, unit: 't' });
  });
});
