/**
 * District carbon arithmetic (contract 9, "District"; domain carbon-benchmark-2026.md 1.4, 1.5):
 * year-on-year change, each enterprise's contribution to the district change, the required pace of
 * the district's CO2 intensity and the park indicators. Pure: every figure comes in as a parameter.
 */
import { roundRatio } from './quota';

/** The zero-carbon-park core indicator (发改环资〔2025〕910号): t CO2 per tce of the park's energy. */
export const ZERO_CARBON_PARK = {
  /** Parks using 0.2-1 Mtce a year. */
  thresholdSmall: 0.2,
  /** Parks using 1 Mtce a year or more. */
  thresholdLarge: 0.3,
  /** Annual energy, tce, where the indicator begins (0.2 Mtce) and where the larger threshold applies (1 Mtce). */
  scopeFromTce: 200_000,
  largeFromTce: 1_000_000,
} as const;

/** 渝发改规范〔2024〕3号: parks using 10,000 tce or more in the review period undergo regional energy review. */
export const REGIONAL_REVIEW_LINE_TCE = 10_000;

export interface YearOnYear {
  readonly changeT: number;
  /** changeT / previous; null when the previous figure is 0 (no base to compare with). */
  readonly change: number | null;
}

export function yearOnYear(current: number, previous: number): YearOnYear {
  const changeT = current - previous;
  return { changeT, change: previous === 0 ? null : roundRatio(changeT / previous) };
}

/**
 * Each part's share of the district's change: its ΔCO2 / the district's ΔCO2 (domain 1.5). The
 * shares add up to 1; a part moving against the district has a negative share. null for every
 * part when the district did not change (no change to share out).
 */
export function contributions(changes: ReadonlyMap<string, number>, districtChangeT: number): Map<string, number | null> {
  return new Map([...changes].map(([id, d]) => [id, districtChangeT === 0 ? null : roundRatio(d / districtChangeT)]));
}

/** The intensity change over the same months of both years: current / previous - 1. */
export function intensityChange(current: number | null, previous: number | null): number | null {
  return current === null || previous === null || previous === 0 ? null : roundRatio(current / previous - 1);
}

export interface RequiredPaceFigures {
  readonly reduction: number;
  readonly targetIntensity: number | null;
  readonly onTrack: boolean | null;
}

/**
 * The required fall of the district's CO2 intensity (rules.carbon.intensityReduction, 0.038 for
 * 2026): the target is the previous year's intensity x (1 - reduction); on track when the change
 * is a fall of at least the reduction (change <= -reduction). Without a comparison, null.
 */
export function requiredPace(previousIntensity: number | null, change: number | null, reduction: number): RequiredPaceFigures {
  return {
    reduction,
    targetIntensity: previousIntensity === null ? null : previousIntensity * (1 - reduction),
    onTrack: change === null ? null : change <= roundRatio(-reduction),
  };
}

export interface ParkIndicator {
  readonly co2PerTce: number | null;
  readonly thresholdTPerTce: number;
  readonly scale: 'under-0.2Mtce' | '0.2-1Mtce' | 'over-1Mtce';
  readonly meetsThreshold: boolean | null;
  readonly regionalReviewLineTce: number;
  readonly overRegionalReviewLine: boolean;
}

/**
 * The park's CO2 per tce against the zero-carbon-park threshold for its scale, and its energy
 * against the regional-review line. `annualTce` (equivalent basis) sets the scale and the line;
 * a park under 0.2 Mtce is outside the indicator's scope and shown against 0.20 for reference.
 */
export function parkIndicator(input: { co2T: number; tceEquivalent: number; annualTceEquivalent: number }): ParkIndicator {
  const { co2T, tceEquivalent, annualTceEquivalent: annual } = input;
  const scale = annual >= ZERO_CARBON_PARK.largeFromTce ? 'over-1Mtce' : annual >= ZERO_CARBON_PARK.scopeFromTce ? '0.2-1Mtce' : 'under-0.2Mtce';
  const thresholdTPerTce = scale === 'over-1Mtce' ? ZERO_CARBON_PARK.thresholdLarge : ZERO_CARBON_PARK.thresholdSmall;
  const co2PerTce = tceEquivalent > 0 ? roundRatio(co2T / tceEquivalent) : null;
  return {
    co2PerTce,
    thresholdTPerTce,
    scale,
    meetsThreshold: co2PerTce === null ? null : co2PerTce <= thresholdTPerTce,
    regionalReviewLineTce: REGIONAL_REVIEW_LINE_TCE,
    overRegionalReviewLine: annual >= REGIONAL_REVIEW_LINE_TCE,
  };
}
