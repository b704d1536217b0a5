/** The district benchmark arithmetic (contract 10), figures by hand. */
import { leaderCheck, nonFossilShare, outputAtBenchmark } from '../../../services/energy/districtBenchmark';

describe('outputAtBenchmark', () => {
  it('3 plants: 400 t at benchmark of 400 + 300 + 300 = 1,000 t -> 0.4; a plant without a tier is left out', () => {
    expect(
      outputAtBenchmark([
        { tier: 'benchmark', quantity: 400 },
        { tier: 'compliant', quantity: 300 },
        { tier: 'below-baseline', quantity: 300 },
        { tier: null, quantity: null },
      ]),
    ).toEqual({ quantity: 1000, quantityAtBenchmark: 400, shareAtBenchmark: 0.4 });
  });
  it('no output: no share', () => {
    expect(outputAtBenchmark([{ tier: null, quantity: null }]).shareAtBenchmark).toBeNull();
  });
});

describe('nonFossilShare ((renewable + certificates) / all electricity)', () => {
  it('grid 800,000, renewable 200,000, certificates 100,000: 300,000 / 1,000,000 = 0.3', () => {
    expect(nonFossilShare({ gridKwh: 800_000, renewableKwh: 200_000, certificateKwh: 100_000 })).toBe(0.3);
  });
  it('certificates above the grid kWh count only up to it: grid 100, renewable 100, certificates 500 -> 1', () => {
    expect(nonFossilShare({ gridKwh: 100, renewableKwh: 100, certificateKwh: 500 })).toBe(1);
  });
  it('no electricity: no share', () => {
    expect(nonFossilShare({ gridKwh: 0, renewableKwh: 0, certificateKwh: 10 })).toBeNull();
  });
});

describe('leaderCheck (10,000 tce, all at benchmark, 20 % non-fossil)', () => {
  const rules = { minAnnualTce: 10_000, minNonFossilShare: 0.2 };
  it('exactly at both lines with every product at benchmark is a candidate', () => {
    expect(leaderCheck({ annualTce: 10_000, tiers: ['benchmark', 'benchmark'], nonFossilShare: 0.2 }, rules)).toEqual({
      energy: true,
      allAtBenchmark: true,
      nonFossil: true,
      candidate: true,
    });
  });
  it('a product without output, or no benchmarked product at all, is not "every product at benchmark"', () => {
    expect(leaderCheck({ annualTce: 20_000, tiers: ['benchmark', null], nonFossilShare: 0.5 }, rules).allAtBenchmark).toBe(false);
    expect(leaderCheck({ annualTce: 20_000, tiers: [], nonFossilShare: 0.5 }, rules).candidate).toBe(false);
  });
  it('no electricity figure fails the non-fossil criterion', () => {
    expect(leaderCheck({ annualTce: 20_000, tiers: ['benchmark'], nonFossilShare: null }, rules).nonFossil).toBe(false);
  });
});
