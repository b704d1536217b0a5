/**
 * The benchmark and diagnosis answers the dashboard reads (contract 10 and 11), mirrored from
 * services/figures/benchmarkFigures.ts (ProductBenchmarkAt), districtBenchmark.ts (DistrictBenchmark)
 * and diagnosisTypes.ts (DiagnosisAnswer), because the client is bundled on its own.
 */
import type { ParameterRow, Severity } from './types';

export type BenchmarkTier = 'benchmark' | 'compliant' | 'below-baseline';
export type BenchmarkPeriod = 'rolling12' | 'ytd';

export interface BenchmarkPeriodAt {
  sec: number | null;
  tier: BenchmarkTier | null;
  quantity: number | null;
  savingsTce: number | null;
  savingsCo2T: number | null;
  note?: string;
  periodFrom: string;
  periodTo: string;
  months: string[];
  enteredMonths: string[];
  boundaryKgce: number;
  boundaryAcKwh: number;
  co2TPerTce: number | null;
}

export interface ProductBenchmarkAt extends BenchmarkPeriodAt {
  product: string;
  name: string;
  nameEn: string;
  metric: string;
  unit: string;
  benchmark: number;
  baseline: number;
  deadline: string;
  edition: string;
  source: string;
  boundary: { meters: string[]; default: boolean };
  rolling12: BenchmarkPeriodAt;
  parameters: ParameterRow[];
}

export interface PlantBelowBaseline {
  enterprise: string;
  name: string;
  sec: number | null;
  quantity: number | null;
  deadline: string;
  severity: Severity | null;
  savingsTce: number | null;
}

export interface DistrictProduct {
  product: string;
  name: string;
  nameEn: string;
  metric: string;
  unit: string;
  benchmark: number;
  baseline: number;
  deadline: string;
  edition: string;
  source: string;
  plants: number;
  quantity: number;
  quantityAtBenchmark: number;
  shareAtBenchmark: number | null;
  tiers: { benchmark: number; compliant: number; belowBaseline: number; none: number };
  belowBaseline: PlantBelowBaseline[];
  savingsTce: number;
  savingsCo2T: number;
}

export interface LeaderRow {
  enterprise: string;
  name: string;
  annualTce: number;
  nonFossilShare: number | null;
  products: { product: string; tier: BenchmarkTier | null }[];
  energy: boolean;
  allAtBenchmark: boolean;
  nonFossil: boolean;
  candidate: boolean;
}

export interface DistrictBenchmark {
  at: string;
  timezone: string;
  period: BenchmarkPeriod;
  from: string;
  to: string;
  products: DistrictProduct[];
  savingsTce: number;
  savingsCo2T: number;
  savingsCo2Complete: boolean;
  leaders: string[];
  leaderChecks: LeaderRow[];
  rules: { minAnnualTce: number; minNonFossilShare: number };
}

/** A definition in both languages, as the diagnosis answer carries it. */
export interface Definition {
  'zh-CN': string;
  en: string;
}

export type Weekday = 'mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat' | 'sun';
export type WorkingHours = 'continuous' | Partial<Record<Weekday, string[]>>;
export type TouPeriod = 'sharp' | 'peak' | 'flat' | 'valley';

export interface TouSchedule {
  name: string;
  source: string;
  peak: string[];
  flat: string[];
  valley: string[];
  sharp: string[];
  sharpMonths: number[];
}

export interface AnomalousDay {
  date: string;
  weekday: string;
  value: number;
  median: number;
  deviation: number;
  score: number | null;
  direction: 'above' | 'below';
  excessTce: number | null;
  excessTceOtherBasis: number | null;
}

export interface DiagnosisDay {
  date: string;
  value: number;
  median: number | null;
  historyDays: number;
  anomalous: boolean;
}

export interface TrendFigures {
  slopePerDay: number;
  relativeChange: number | null;
  days: number;
}

export interface DiagnosisProduct {
  product: string;
  unit: string | null;
  boundary: string[];
  days: { date: string; quantity: number; kgcePerUnit: number; kwhAcPerUnit: number }[];
  trend: { kgcePerUnit: TrendFigures | null; kwhAcPerUnit: TrendFigures | null };
  note: string | null;
  definition: Definition;
}

export interface DiagnosisAnswer {
  enterprise: string;
  meter: string | null;
  month: string;
  timezone: string;
  electricityBasis: 'equivalent' | 'equal';
  from: string;
  to: string;
  complete: boolean;
  meters: string[];
  baseLoad: {
    baseLoad: number | null;
    meanLoad: number | null;
    ratio: number | null;
    percentile: number;
    unit: string;
    hoursWithData: number;
    hoursInPeriod: number;
    /** Absent from a server older than the dashboard's drill-down. */
    hourOfDay?: (number | null)[];
    definition: Definition;
  };
  offHours: {
    share: number | null;
    offHoursQuantity: number;
    totalQuantity: number;
    unit: string;
    continuous: boolean;
    scheduleFrom: 'enterprise' | 'configuration';
    schedule: WorkingHours;
    definition: Definition;
  };
  timeOfUse: {
    shares: Record<TouPeriod, number> | null;
    quantities: Record<TouPeriod, number> | null;
    unit: string;
    scheduleFrom: 'enterprise' | 'configuration';
    schedule: TouSchedule;
    note: string | null;
    definition: Definition;
  };
  anomalies: {
    unit: string;
    rule: { thresholdMads: number; weeks: number; minHistoryDays: number };
    judgedDays: number;
    days: AnomalousDay[];
    notJudged: { date: string; reason: 'no-data' | 'insufficient-history' | 'incomplete-day'; historyDays: number }[];
    series?: DiagnosisDay[];
    definition: Definition;
  };
  products: DiagnosisProduct[];
}
