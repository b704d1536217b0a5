/**
 * The monthly report (contract 6): one JSON model, from which every format is rendered, so that
 * CSV, XLSX, PDF and HTML carry the same figures. Numbers are plain numbers in the units named
 * beside them; renderers format, they never compute.
 */
import type { LedgerChangeKind } from '../events/eventBus';
import type { ParameterRow } from '../energy/parameterRow';
import type { CarrierQuantity } from '../figures/consumptionService';
import type { DistrictCarbon } from '../figures/districtCarbonTypes';
import type { DistrictBenchmark } from '../figures/districtBenchmark';
import type { Definition } from '../figures/diagnosisDefinitions';
import type { BenchmarkTier } from '../energy/benchmark';
import type { Severity } from '../../config/schema';
import type { ProjectAt } from '../figures/projectFigures';
import type { ProjectLevel } from '../energy/projectWindow';
import type { Level } from '../energy/quota';
import type { ReportArchive } from '../store/state/reportArchive';

/** A month's series point of one carrier, with the coefficient behind it. */
export interface CarrierFigures extends CarrierQuantity {
  /** kgce per unit and its source, so every figure can be traced. */
  readonly kgcePerUnit: number;
  readonly kgceSource: string;
}

export interface ReportQuota {
  readonly year: number;
  readonly totalTce: number;
  readonly ytdTce: number;
  readonly share: number;
  readonly pace: number | null;
  readonly level: 'green' | 'yellow' | 'red';
}

export interface ReportIntensity {
  readonly intensity: number | null;
  readonly limit: number;
  readonly ratio: number | null;
  readonly level: 'green' | 'yellow' | 'red' | null;
  /** Output value over `months`, 10^4 yuan. */
  readonly output10kYuan: number | null;
  /** The complete months with an output value that intensity is taken over (contract 4), YYYY-MM. */
  readonly months: readonly string[];
}

export interface ReportTariff {
  readonly tariff: string;
  readonly scheme: 'step' | 'bands';
  readonly basis: 'ytd' | 'month';
  readonly unitConsumption: number | null;
  readonly unit: 'kWh/t' | 'kgce/t';
  readonly markupYuanPerKwh: number | null;
  readonly surchargeYuan: number | null;
  readonly note?: 'no-output';
}

export interface MeterCompleteness {
  readonly meter: string;
  readonly carrier: string;
  /** Distinct usable readings / expected readings in the month, capped at 1 (contract 4). */
  readonly completeness: number;
  readonly readings: number;
  readonly expected: number;
}

export interface EnterpriseReport {
  readonly id: string;
  readonly name: string;
  readonly industry: string;
  readonly industryName: string;
  readonly carriers: Readonly<Record<string, CarrierFigures>>;
  /** Dual-control total of the month, tce, on the configured electricity basis. */
  readonly totalTce: number;
  /** The same total with electricity on the other basis (contract 4: reports carry both). */
  readonly totalTceOtherBasis: number;
  readonly co2Kg: number;
  readonly previousMonthTce: number;
  readonly sameMonthLastYearTce: number;
  /** (this - previous) / previous; null when previous is 0. */
  readonly changeFromPreviousMonth: number | null;
  readonly changeFromSameMonthLastYear: number | null;
  /** Status at the end of the month. */
  readonly quota: ReportQuota | null;
  readonly intensity: ReportIntensity | null;
  readonly tariff: ReportTariff | null;
  /** Alarms raised during the month, by severity. */
  readonly alarms: { readonly info: number; readonly warning: number; readonly critical: number };
  /** Mean of the meters' completeness. */
  readonly completeness: number;
  readonly meters: readonly MeterCompleteness[];
  // The carbon keys (contract 9, issue 20) come last and are optional: reports finalised before them
  // have none, and their content hash is the one of the keys above (carbonSection.ts legacyView).
  /** The park (园区) the enterprise belongs to; null outside any park. */
  readonly park?: { readonly id: string; readonly name: string } | null;
  /** Carbon status at the end of the month, year to date (contract 9). */
  readonly carbon?: ReportCarbon | null;
  /** Energy-review projects at the end of the month (contract 9.1); empty without projects. */
  readonly projects?: readonly ReportProject[];
  // The benchmark keys (contract 10 and 11, issue 16) come after the carbon ones, optional for the same
  // reason (benchmarkSection.ts withoutBenchmark).
  /** Benchmarked products at the end of the month (contract 10); empty without any. */
  readonly benchmark?: readonly ReportProductBenchmark[];
  /** The month's top energy-saving findings, largest savings first (contract 11; docs/diagnosis.md). */
  readonly findings?: readonly ReportFinding[];
}

/** A product's figures over one period (BenchmarkPeriodAt without its boundary sums). */
export interface ReportBenchmarkPeriod {
  readonly periodFrom: string;
  readonly periodTo: string;
  /** kgce or kWh per unit of product (the level's unit); null without output. */
  readonly sec: number | null;
  readonly tier: BenchmarkTier | null;
  readonly quantity: number | null;
  readonly savingsTce: number | null;
  readonly savingsCo2T: number | null;
  readonly months: readonly string[];
  readonly enteredMonths: readonly string[];
  readonly note: string | null;
}

/** One benchmarked product of an enterprise at the end of the month (GET /api/enterprises/{id}/benchmark). */
export interface ReportProductBenchmark {
  readonly product: string;
  readonly name: string;
  readonly nameEn: string;
  readonly metric: string;
  readonly unit: string;
  readonly benchmark: number;
  readonly baseline: number;
  readonly deadline: string;
  readonly edition: string;
  readonly source: string;
  readonly boundary: readonly string[];
  /** 1 January to the month's end (a December report: the calendar year, which is its rolling 12 months). */
  readonly ytd: ReportBenchmarkPeriod;
  /** The 12 months ending with the report's month. */
  readonly rolling12: ReportBenchmarkPeriod;
  /** The `benchmark` alarm's severity at the month's end, on the rolling 12 months; null when none. */
  readonly severity: Severity | null;
}

export type FindingKind = 'base-load' | 'off-hours' | 'anomalous-days' | 'product';

/**
 * An energy-saving finding of the month (docs/diagnosis.md "Findings in the monthly report"): the
 * diagnosis figure it rests on, the energy it prices and its savings potential in tce on the
 * equivalent basis (当量值) and in t CO2.
 */
export interface ReportFinding {
  readonly rank: number;
  readonly kind: FindingKind;
  /** The product id of a `product` finding; null for the others. */
  readonly subject: string | null;
  /** The figure found: a share or ratio (fraction), a number of days, or a unit consumption. */
  readonly figure: number;
  readonly figureUnit: 'fraction' | 'days' | string;
  /** What the figure is held against (the reference ratio, the benchmark level); null when nothing. */
  readonly reference: number | null;
  /** The energy the savings price: kWh above the reference, or tce. */
  readonly energy: number;
  readonly energyUnit: 'kWh' | 'tce';
  readonly savingsTce: number;
  /** null when the CO2 per tce (or per kWh) is not known. */
  readonly savingsCo2T: number | null;
  readonly definition: Definition;
}

/** Carbon intensity at month end: t CO2 per 10^4 yuan over the complete months with output. */
export interface ReportCarbonIntensity {
  readonly intensity: number | null;
  readonly limit: number;
  readonly ratio: number | null;
  readonly level: Level | null;
  /** CO2 over `months`, t. */
  readonly co2T: number;
  /** Output value over `months`, 10^4 yuan; null when no month qualifies. */
  readonly output10kYuan: number | null;
  readonly months: readonly string[];
  readonly note: 'no-output' | null;
}

/**
 * An enterprise's carbon figures at the end of the month (EnterpriseStatus.carbon, contract 9), year to
 * date, t CO2, with its year-on-year change from the district carbon answer.
 */
export interface ReportCarbon {
  readonly year: number;
  readonly ytdT: number;
  readonly combustionT: number;
  readonly processT: number;
  readonly scope2T: number;
  readonly greenCertificatesKwh: number;
  /** Budget figures: null without co2BudgetT. */
  readonly budgetT: number | null;
  readonly share: number | null;
  readonly pace: number | null;
  readonly level: Level | null;
  readonly forecastT: number | null;
  /** The grid factor (kgCO2/kWh) of the year, with the year of its row and its source (contract 8.2). */
  readonly gridFactor: { readonly value: number; readonly year: number | null; readonly source: string } | null;
  /** null without co2IntensityLimit. */
  readonly intensity: ReportCarbonIntensity | null;
  /** The same period a year earlier, t; null without the district carbon answer. */
  readonly previousT: number | null;
  /** ytdT - previousT (the district answer's figures), t. */
  readonly changeT: number | null;
  /** changeT / previousT; null when previousT is 0 or unknown. */
  readonly change: number | null;
  /** This enterprise's share of the district's change; null for a one-enterprise report or a district change of 0. */
  readonly contribution: number | null;
}

/**
 * An energy-review project at the end of the month (contract 9.1; the window is the 12 months to the
 * month's end): the project answer's figures without its parameter rows (they join the report's).
 */
export type ReportProject = Omit<ProjectAt, 'parameters' | 'note' | 'gridFactors' | 'months' | 'co2Level'> & {
  readonly months: readonly string[];
  readonly co2Level: ProjectLevel;
  /** 'short-window': a window under 28 days, not annualised. */
  readonly note: 'short-window' | null;
  readonly gridFactors: readonly { readonly value: number; readonly year: number | null; readonly source: string }[];
};

/** Monthly energy and CO2 of one park, like byIndustry. */
export interface ParkTotals {
  readonly name: string;
  readonly totalTce: number;
  readonly co2Kg: number;
  readonly enterprises: number;
}

export interface RankingEntry {
  readonly industry: string;
  readonly industryName: string;
  readonly rank: number;
  readonly enterprise: string;
  readonly name: string;
  /** Unit consumption (when the enterprise has a tariff metric and output) or intensity. */
  readonly metric: 'unit-consumption' | 'intensity';
  readonly value: number;
  readonly unit: string;
}

export interface MonthlyReport {
  readonly month: string;
  readonly timezone: string;
  /** ISO-8601 with the site offset. */
  readonly periodFrom: string;
  readonly periodTo: string;
  readonly generatedAt: string;
  readonly revision: number;
  /** SHA-256 of the report with sha256 set to "" (see reportHash). */
  readonly sha256: string;
  readonly electricityBasis: 'equivalent' | 'equal';
  /** Only set for a one-enterprise report. */
  readonly scope: 'district' | string;
  readonly enterprises: readonly EnterpriseReport[];
  readonly totals: {
    readonly totalTce: number;
    readonly totalTceOtherBasis: number;
    readonly co2Kg: number;
    readonly byCarrier: Readonly<Record<string, { quantity: number; unit: string; tce: number; tceOtherBasis: number; co2Kg: number }>>;
    readonly byIndustry: Readonly<Record<string, { name: string; totalTce: number; co2Kg: number; enterprises: number }>>;
    /** By park id (enterprises outside any park are in no group); absent in reports finalised before parks. */
    readonly byPark?: Readonly<Record<string, ParkTotals>>;
  };
  readonly ranking: readonly RankingEntry[];
  /** The largest consumers' share of the district total (top 1, 3, 5). */
  readonly concentration: readonly { readonly top: number; readonly share: number; readonly enterprises: readonly string[] }[];
  /** What changed from the previous revision, if any. */
  readonly revisionNote?: string;
  /** Why this revision was made (contract 8.4): the kinds of change recorded since the previous one. */
  readonly reasons?: readonly RevisionReason[];
  /**
   * True for a month not finalised (revision 0): figures that may still change. Finalised revisions
   * say false (older ones leave it out; revision >= 1 is finalised). See isDraft.
   */
  readonly draft?: boolean;
  /** A draft's data runs to this instant (ISO-8601 with the site offset); null when no reading is in the month yet. */
  readonly dataUntil?: string | null;
  /** Every parameter row (coefficient, factor, threshold) the figures used, with year and source (contract 8.2). */
  readonly parameters?: readonly ReportParameterRow[];
  /**
   * The district carbon section (contract 9: GET /api/district/carbon of the month's year at its end);
   * only in the district report, absent in reports finalised before it and when no source is wired.
   */
  readonly carbon?: DistrictCarbon;
  /**
   * The district benchmark section (contract 10: GET /api/district/benchmark at the month's end over the
   * rolling 12 months); only in the district report, absent in reports finalised before it.
   */
  readonly benchmark?: DistrictBenchmark;
}

/**
 * Why a finalised month was revised: a change recorded on the ledger (meter event, monthly
 * statistics, parameters), readings that arrived or were corrected after finalisation, or
 * `recheck`: figures found changed at a recheck with no recorded change to name.
 */
export type RevisionReason = LedgerChangeKind | 'readings' | 'recheck';
export const REVISION_REASONS: readonly RevisionReason[] = ['readings', 'meter-event', 'monthly-statistics', 'parameters', 'recheck'];

export const isRevisionReason = (x: string): x is RevisionReason => (REVISION_REASONS as readonly string[]).includes(x);

/** A month not finalised yet (contract 8.4): every format says so. */
export const isDraft = (report: Pick<MonthlyReport, 'draft' | 'revision'>): boolean => report.draft ?? report.revision === 0;

/**
 * A parameter row of the district report with the enterprises whose figures used it (config order),
 * so that an enterprise's own report names only its rows (enterpriseScope). Reports stored before
 * this have rows without `usedBy`.
 */
export interface ReportParameterRow extends ParameterRow {
  readonly usedBy?: readonly string[];
}

/** Finalised revisions of monthly reports (services/store/state/reportArchive.ts). */
export type MonthlyReportArchive = ReportArchive<MonthlyReport>;
