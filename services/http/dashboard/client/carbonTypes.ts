/**
 * The carbon answers the dashboard reads (contract 9): the status's `carbon`
 * (services/figures/carbonFigures.ts, CarbonStatusAt), the projects (services/figures/projectFigures.ts)
 * and the district carbon (services/figures/districtCarbonTypes.ts), mirrored here because the client
 * is bundled on its own. Figures in t CO2 unless named otherwise.
 */
import type { Level, ParameterRow, Severity } from './types';

/** A factor row as the answers show it (value, data year, source; contract 8.2). */
export interface FactorRow {
  value: number;
  year?: number;
  source: string;
}

export type CarbonIntensity =
  | { intensity: number; limit: number; ratio: number; level: Level; output10kYuan: number | null; co2T: number; months: string[] }
  | { intensity: null; level: null; note: 'no-output'; limit: number; output10kYuan: number | null; co2T: number; months: string[] };

/** `EnterpriseStatus.carbon`: budget figures null without co2BudgetT, intensity null without co2IntensityLimit. */
export interface CarbonStatus {
  year: number;
  budgetT: number | null;
  ytdT: number;
  share: number | null;
  pace: number | null;
  level: Level | null;
  forecastT: number | null;
  /** Stated trouble (issue 21): max(0, forecast - budget), share >= 1, the run-out date; null without a budget. */
  overrunT?: number | null;
  exhausted?: boolean | null;
  exhaustionDate?: string | null;
  combustionT: number;
  processT: number;
  scope2T: number;
  greenCertificatesKwh: number;
  gridFactor: FactorRow | null;
  intensity: CarbonIntensity | null;
}

export type ProjectLevel = Extract<Severity, 'warning' | 'critical'> | null;

export interface ProjectAt {
  id: string;
  name: string;
  approvedTce: number;
  approvedCo2T: number | null;
  operatingFrom: string;
  window: { from: string; to: string; days: number };
  months: string[];
  windowTce: number;
  windowCo2T: number;
  combustionT: number;
  processT: number;
  scope2T: number;
  annualTce: number | null;
  annualCo2T: number | null;
  tceShare: number | null;
  co2Share: number | null;
  energyLevel: ProjectLevel;
  co2Level: 'critical' | null;
  level: ProjectLevel;
  note?: 'short-window';
  gridFactors: FactorRow[];
  parameters: ParameterRow[];
}

export interface EnterpriseProjects {
  enterprise: string;
  at: string;
  timezone: string;
  projects: ProjectAt[];
}

export interface Co2Parts {
  totalT: number;
  combustionT: number;
  processT: number;
  scope2T: number;
}

export interface Co2Change extends Co2Parts {
  previousT: number;
  changeT: number;
  change: number | null;
  tce: number;
}

export interface DistrictCarbonEnterprise extends Co2Change {
  id: string;
  name: string;
  industry: string;
  park: string | null;
  contribution: number | null;
  greenCertificatesKwh: number;
  budget: { budgetT: number; share: number | null; pace: number | null; level: Level | null } | null;
  intensity: number | null;
  intensityLimit: number | null;
}

export interface DistrictCarbonPark extends Co2Change {
  id: string;
  name: string;
  enterprises: string[];
  tceEquivalent: number;
  annualTceEquivalent: number | null;
  co2PerTce: number | null;
  thresholdTPerTce: number;
  scale: 'under-0.2Mtce' | '0.2-1Mtce' | 'over-1Mtce';
  meetsThreshold: boolean | null;
  regionalReviewLineTce: number;
  overRegionalReviewLine: boolean;
}

export interface DistrictCarbon {
  year: number;
  at: string;
  timezone: string;
  from: string;
  to: string;
  previous: { from: string; to: string };
  totals: Co2Change & { greenCertificatesKwh: number };
  byIndustry: Record<string, Co2Change & { name: string }>;
  byPark: DistrictCarbonPark[];
  intensity: { intensity: number | null; co2T: number; output10kYuan: number; months: Record<string, string[]> };
  yearOnYear: {
    co2: { current: number; previous: number; changeT: number; change: number | null };
    intensity: {
      current: number | null;
      previous: number | null;
      change: number | null;
      co2T: number;
      output10kYuan: number;
      previousCo2T: number;
      previousOutput10kYuan: number;
      months: Record<string, string[]>;
    };
  };
  requiredPace: { reduction: number; targetIntensity: number | null; onTrack: boolean | null };
  enterprises: DistrictCarbonEnterprise[];
  gridFactor: FactorRow | null;
  parameters: ParameterRow[];
}
