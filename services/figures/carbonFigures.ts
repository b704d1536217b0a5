/**
 * Carbon figures of an enterprise year to date at an instant (contract 9): CO2 by part from the
 * status service's monthly rows, the carbon status against the CO2 budget and the carbon intensity
 * over the complete months with output. Decisions: docs/carbon.md, "Carbon figures".
 */
import type { IntensityStatus, Level } from '../energy/quota';

/**
 * Carbon intensity at t, like energy intensity (services/figures/intensityFigures.ts): total CO2 over
 * `months` (the complete months of t's year with an output value) / their output value, ratio to
 * co2IntensityLimit; `intensity` and `level` null with `note: 'no-output'` when no month qualifies.
 */
export type CarbonIntensityAt = IntensityStatus & {
  readonly limit: number;
  /** Output value over `months`, 10^4 yuan; null when no month qualifies. */
  readonly output10kYuan: number | null;
  /** Total CO2 over `months`, t. */
  readonly co2T: number;
  /** The months used, YYYY-MM, oldest first. */
  readonly months: string[];
};

/**
 * `EnterpriseStatus.carbon` (contract 9). Present whenever t's year has a quota entry; the budget
 * figures (`budgetT`, `share`, `pace`, `level`) are null without `co2BudgetT`, `pace` and
 * `forecastT` also at f = 0 (1 January 00:00), `intensity` null without `co2IntensityLimit`.
 */
export interface CarbonStatusAt {
  readonly year: number;
  readonly budgetT: number | null;
  /** CO2 from 1 January to t, t; entered months counted from their end. */
  readonly ytdT: number;
  readonly share: number | null;
  readonly pace: number | null;
  /** Level against the budget by rules.carbon; null without a budget. */
  readonly level: Level | null;
  /** ytdT / f, with or without a budget (a run rate is not a budget figure); null at f = 0. */
  readonly forecastT: number | null;
  readonly combustionT: number;
  readonly processT: number;
  readonly scope2T: number;
  /** Green-certificate kWh entered for the months counted (each month's deduction capped at its own grid kWh). */
  readonly greenCertificatesKwh: number;
  /** The grid factor (kgCO2/kWh) of t's data year; null if the factor table has none. */
  readonly gridFactor: { readonly value: number; readonly year?: number; readonly source: string } | null;
  readonly intensity: CarbonIntensityAt | null;
}
