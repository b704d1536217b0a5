/** The answer of GET /api/enterprises/{id}/diagnosis (contract 11); each figure carries its definition. */
import type { TouPeriod, TouSchedule, WorkingHours } from '../../config/diagnosisSchema';
import type { SpreadMethod } from '../energy/diagnosis';
import type { Definition } from './diagnosisDefinitions';

export interface DiagnosisBaseLoad {
  /** null without any hour of data. */
  readonly baseLoad: number | null;
  readonly meanLoad: number | null;
  readonly ratio: number | null;
  readonly percentile: number;
  /** kW for electricity, else the meter's unit per hour (e.g. m3/h). */
  readonly unit: string;
  readonly hoursWithData: number;
  readonly hoursInPeriod: number;
  /**
   * Mean power by local clock hour 0..23 over the month's hours with data (same unit as baseLoad);
   * null for a clock hour without data. Added for the dashboard's drill-down chart.
   */
  readonly hourOfDay: (number | null)[];
  readonly definition: Definition;
}

export interface DiagnosisOffHours {
  readonly share: number | null;
  readonly offHoursQuantity: number;
  readonly totalQuantity: number;
  readonly unit: string;
  readonly continuous: boolean;
  /** enterprise: its own `diagnosis.workingHours`; configuration: the top-level one. */
  readonly scheduleFrom: 'enterprise' | 'configuration';
  readonly schedule: WorkingHours;
  readonly definition: Definition;
}

export interface DiagnosisTimeOfUse {
  /** null for a non-electric meter (time-of-use prices electricity only); `note` says why. */
  readonly shares: Readonly<Record<TouPeriod, number>> | null;
  readonly quantities: Readonly<Record<TouPeriod, number>> | null;
  readonly unit: string;
  readonly scheduleFrom: 'enterprise' | 'configuration';
  readonly schedule: TouSchedule;
  readonly note: string | null;
  readonly definition: Definition;
}

export interface AnomalousDay {
  /** YYYY-MM-DD in the site zone. */
  readonly date: string;
  readonly weekday: string;
  /** The day's consumption: tce (configured basis) for the enterprise, the meter's unit for a meter. */
  readonly value: number;
  readonly median: number;
  readonly deviation: number;
  /** |deviation| / spread; null for a constant history. */
  readonly score: number | null;
  readonly spread: number;
  readonly spreadMethod: SpreadMethod;
  readonly historyDays: number;
  readonly direction: 'above' | 'below';
  /** Day − median in tce, configured basis; null for a meter without a tce factor (a product meter). */
  readonly excessTce: number | null;
  readonly excessTceOtherBasis: number | null;
}

/** One day of the month with data, beside what the rule compares it with (the dashboard's daily chart). */
export interface DiagnosisDay {
  readonly date: string;
  /** The day's consumption in the anomalies' unit. */
  readonly value: number;
  /** Median of the same weekday's days with data over the previous `weeks` weeks; null without any. */
  readonly median: number | null;
  readonly historyDays: number;
  readonly anomalous: boolean;
}

export interface DiagnosisAnomalies {
  readonly unit: string;
  readonly rule: { readonly thresholdMads: number; readonly weeks: number; readonly minHistoryDays: number };
  /** Days of the month judged (complete days with data and enough history). */
  readonly judgedDays: number;
  readonly days: AnomalousDay[];
  readonly notJudged: {
    readonly date: string; /** incomplete-day: the day has data but an hour without reading coverage (docs/diagnosis.md). */
    readonly reason: 'no-data' | 'incomplete-day' | 'insufficient-history';
    readonly historyDays: number;
  }[];
  /** Every complete day of the month with data, oldest first (judged or not). */
  readonly series: DiagnosisDay[];
  readonly definition: Definition;
}

export interface ProductDay {
  readonly date: string;
  readonly quantity: number;
  readonly kgceEquivalent: number;
  readonly acKwh: number;
  readonly kgcePerUnit: number;
  readonly kwhAcPerUnit: number;
}

export interface TrendFigures {
  readonly slopePerDay: number;
  readonly relativeChange: number | null;
  readonly days: number;
}

export interface DiagnosisProduct {
  readonly product: string;
  readonly unit: string | null;
  /** The meters inside the boundary (contract 10 `products:`, else the default). */
  readonly boundary: string[];
  readonly days: ProductDay[];
  readonly trend: { readonly kgcePerUnit: TrendFigures | null; readonly kwhAcPerUnit: TrendFigures | null };
  readonly note: string | null;
  readonly definition: Definition;
}

export interface DiagnosisAnswer {
  readonly enterprise: string;
  readonly meter: string | null;
  readonly month: string;
  readonly timezone: string;
  readonly electricityBasis: 'equivalent' | 'equal';
  /** [from, to): to is the end of the month, or the current hour for the running month. */
  readonly from: string;
  readonly to: string;
  readonly complete: boolean;
  /** The meters the hourly figures read. */
  readonly meters: string[];
  readonly baseLoad: DiagnosisBaseLoad;
  readonly offHours: DiagnosisOffHours;
  readonly timeOfUse: DiagnosisTimeOfUse;
  readonly anomalies: DiagnosisAnomalies;
  /** Enterprise view only; empty for a meter. */
  readonly products: DiagnosisProduct[];
}
