/**
 * The district's benchmark arithmetic (contract 10, "GET /api/district/benchmark"): the share of a
 * product's output made at benchmark, and the efficiency-leader (能效领跑者) criteria. Pure.
 * Decisions: docs/benchmark.md, "District view and efficiency leaders".
 */
import type { BenchmarkTier } from './benchmark';
import { roundRatio } from './quota';

export interface PlantOutput {
  readonly tier: BenchmarkTier | null;
  readonly quantity: number | null;
}

export interface OutputAtBenchmark {
  /** Output of the plants with a tier (a unit consumption), in the product's unit. */
  readonly quantity: number;
  readonly quantityAtBenchmark: number;
  /** quantityAtBenchmark / quantity; null without output. */
  readonly shareAtBenchmark: number | null;
}

/** Share of output at benchmark: output of plants at benchmark / output of plants with a tier. */
export function outputAtBenchmark(plants: readonly PlantOutput[]): OutputAtBenchmark {
  let quantity = 0;
  let quantityAtBenchmark = 0;
  for (const p of plants) {
    if (p.tier === null || p.quantity === null) continue;
    quantity += p.quantity;
    if (p.tier === 'benchmark') quantityAtBenchmark += p.quantity;
  }
  return { quantity, quantityAtBenchmark, shareAtBenchmark: quantity > 0 ? roundRatio(quantityAtBenchmark / quantity) : null };
}

/**
 * Non-fossil share of electricity: (renewable kWh + green-certificate kWh) / all electricity kWh
 * (grid + renewable). Certificates count at most up to the grid kWh they stand for, as in the CO2
 * deduction (contract 9), so the share never exceeds 1. null without electricity.
 */
export function nonFossilShare(input: { gridKwh: number; renewableKwh: number; certificateKwh: number }): number | null {
  const all = input.gridKwh + input.renewableKwh;
  if (all <= 0) return null;
  return roundRatio((input.renewableKwh + Math.min(input.certificateKwh, Math.max(0, input.gridKwh))) / all);
}

export interface LeaderRules {
  readonly minAnnualTce: number;
  readonly minNonFossilShare: number;
}

export interface LeaderCheck {
  /** Annual energy >= minAnnualTce. */
  readonly energy: boolean;
  /** At least one benchmarked product, and every one at benchmark. */
  readonly allAtBenchmark: boolean;
  /** Non-fossil share of electricity >= minNonFossilShare. */
  readonly nonFossil: boolean;
  readonly candidate: boolean;
}

/** The three criteria of contract 10; a product without a tier (no output) is not at benchmark. */
export function leaderCheck(
  input: { annualTce: number; tiers: readonly (BenchmarkTier | null)[]; nonFossilShare: number | null },
  rules: LeaderRules,
): LeaderCheck {
  const energy = input.annualTce >= rules.minAnnualTce;
  const allAtBenchmark = input.tiers.length > 0 && input.tiers.every((t) => t === 'benchmark');
  const nonFossil = input.nonFossilShare !== null && input.nonFossilShare >= rules.minNonFossilShare;
  return { energy, allAtBenchmark, nonFossil, candidate: energy && allAtBenchmark && nonFossil };
}
