/**
 * The answer of `GET /api/district/carbon?year=&at=` (contract 9, "District"), also the carbon
 * section of the monthly report and the dashboard's district carbon view. Figures in t CO2 unless
 * named otherwise, rounded by the figure rule (9 significant digits); ratios to 1e-12.
 * Decisions: docs/carbon.md, "District carbon".
 */
import type { ParameterRow } from '../energy/parameterRow';
import type { Level } from '../energy/quota';

/** CO2 by part over a period, t. */
export interface Co2Parts {
  readonly totalT: number;
  readonly combustionT: number;
  readonly processT: number;
  readonly scope2T: number;
}

/** A CO2 total this year to t against the same period a year earlier. */
export interface Co2Change extends Co2Parts {
  /** The same period of the previous year (1 January to the same instant), t. */
  readonly previousT: number;
  /** totalT - previousT, t. */
  readonly changeT: number;
  /** changeT / previousT; null when previousT is 0. */
  readonly change: number | null;
  /** Dual-control energy of the period on the configured basis, tce. */
  readonly tce: number;
}

/** Carbon intensity: CO2 / output value over complete months with output, t CO2 per 10^4 yuan. */
export interface DistrictIntensity {
  /** null when no month of any enterprise has an output value. */
  readonly intensity: number | null;
  readonly co2T: number;
  readonly output10kYuan: number;
  /** Months counted, per enterprise: YYYY-MM, oldest first. */
  readonly months: Readonly<Record<string, readonly string[]>>;
}

/** Intensity over the same months in both years (months with output in both), per enterprise. */
export interface IntensityYearOnYear {
  readonly current: number | null;
  readonly previous: number | null;
  /** current / previous - 1; null without both. */
  readonly change: number | null;
  readonly co2T: number;
  readonly output10kYuan: number;
  readonly previousCo2T: number;
  readonly previousOutput10kYuan: number;
  /** The months of this year compared with the same months a year earlier, per enterprise. */
  readonly months: Readonly<Record<string, readonly string[]>>;
}

/** The required fall of the district's CO2 intensity (rules.carbon.intensityReduction). */
export interface RequiredPace {
  /** Required yearly fall, a fraction (0.038 = -3.8 %). */
  readonly reduction: number;
  /** previous x (1 - reduction); null without a previous-year intensity. */
  readonly targetIntensity: number | null;
  /** change <= -reduction; null without a comparison. */
  readonly onTrack: boolean | null;
}

export interface DistrictCarbonEnterprise extends Co2Change {
  readonly id: string;
  readonly name: string;
  readonly industry: string;
  readonly park: string | null;
  /** This enterprise's changeT / the district's changeT; null when the district's change is 0. */
  readonly contribution: number | null;
  readonly greenCertificatesKwh: number;
  /** The budget figures of the enterprise's carbon status; null without co2BudgetT. */
  readonly budget: { readonly budgetT: number; readonly share: number | null; readonly pace: number | null; readonly level: Level | null } | null;
  /** Carbon intensity over its complete months with output (with or without a limit). */
  readonly intensity: number | null;
  readonly intensityLimit: number | null;
  /** Its own intensity over the months with output in both years, against those months a year earlier; null without such months. */
  readonly intensityYearOnYear: {
    readonly current: number | null;
    readonly previous: number | null;
    readonly change: number | null;
    readonly months: readonly string[];
  } | null;
}

/** A park (园区): the zero-carbon-park indicator and the regional-review line. */
export interface DistrictCarbonPark extends Co2Change {
  readonly id: string;
  readonly name: string;
  readonly enterprises: readonly string[];
  /** All energy used in the period on the equivalent basis (当量值), tce: dual-control carriers, on-site renewable electricity and feedstock; the basis of both park indicators. */
  readonly tceEquivalent: number;
  /** tceEquivalent / the year fraction: the park's energy a year at this pace; the whole year once it has ended. */
  readonly annualTceEquivalent: number | null;
  /** totalT / tceEquivalent, t CO2 per tce (单位能耗碳排放); null without energy. */
  readonly co2PerTce: number | null;
  /** 0.30 for parks using >= 1 Mtce a year, else 0.20 (a park under 0.2 Mtce is shown against 0.20 for reference). */
  readonly thresholdTPerTce: number;
  /** The scale of the park by its annual energy: the zero-carbon-park indicator is defined for 0.2 Mtce and more. */
  readonly scale: 'under-0.2Mtce' | '0.2-1Mtce' | 'over-1Mtce';
  /** co2PerTce <= thresholdTPerTce; null without energy. */
  readonly meetsThreshold: boolean | null;
  /** 10,000 tce (渝发改规范〔2024〕3号): parks at or above it undergo regional energy review. */
  readonly regionalReviewLineTce: number;
  /** annualTceEquivalent >= regionalReviewLineTce. */
  readonly overRegionalReviewLine: boolean;
}

export interface DistrictCarbon {
  readonly year: number;
  /** The instant of the figures: `at`, or the end of `year` when it has ended. */
  readonly at: string;
  readonly timezone: string;
  readonly from: string;
  readonly to: string;
  /** The same period of the previous year. */
  readonly previous: { readonly from: string; readonly to: string };
  readonly totals: Co2Change & { readonly greenCertificatesKwh: number };
  readonly byIndustry: Readonly<Record<string, Co2Change & { readonly name: string }>>;
  readonly byPark: readonly DistrictCarbonPark[];
  readonly intensity: DistrictIntensity;
  readonly yearOnYear: {
    readonly co2: { readonly current: number; readonly previous: number; readonly changeT: number; readonly change: number | null };
    readonly intensity: IntensityYearOnYear;
  };
  readonly requiredPace: RequiredPace;
  readonly enterprises: readonly DistrictCarbonEnterprise[];
  /** The grid factor of the year (kgCO2/kWh), with its year and source. */
  readonly gridFactor: { readonly value: number; readonly year?: number; readonly source: string } | null;
  /** Every factor row the figures used (both years). */
  readonly parameters: readonly ParameterRow[];
}

/** Whoever builds the district carbon answer (the service; fakes in tests). */
export interface DistrictCarbonSource {
  /**
   * District carbon of `year` at `at` (default now; the end of `year` once it has ended). With
   * `endOf`, `at` is the end of a period (a monthly report's month end), as StatusService.statusAt.
   */
  districtCarbon(input: { enterprises: readonly string[]; year: number; at: number; endOf?: boolean }): Promise<DistrictCarbon>;
}
