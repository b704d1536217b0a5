/**
 * Alarms (contract 5 `GET /api/alarms`, contract 7 alert mail): one active alarm per
 * (type, enterprise, meter), raised, escalated when its severity rises, cleared when the condition
 * ends. These types are shared by the rules, the alarm store, the HTTP API and the notifiers.
 */
import type { Severity } from '../../config/schema';

export type { Severity };

/**
 * `calibration`: a meter's calibration certificate (检定/校准) runs out or has run out (contract 8.1).
 * `carbon`, `carbon-intensity`: the CO2 budget and intensity (contract 9), like `quota` and `intensity`.
 * `project`: an energy-review project against its approved figures (9.1); its `meter` is `project:<id>`.
 * `benchmark`: a product below baseline before or after its retrofit deadline (10); its `meter` is `product:<id>`.
 */
export const ALARM_TYPES = [
  'quota',
  'intensity',
  'tariff',
  'threshold',
  'silence',
  'data-quality',
  'calibration',
  'carbon',
  'carbon-intensity',
  'project',
  'benchmark',
] as const;
export type AlarmType = (typeof ALARM_TYPES)[number];

export type AlarmState = 'active' | 'acknowledged' | 'cleared';

export const SEVERITY_RANK: Readonly<Record<Severity, number>> = { info: 0, warning: 1, critical: 2 };

/** What a figure means, so that a mail or a page can say it with units and its basis. */
export interface AlarmFigure {
  /** The measured figure (share of quota, kWh/t, kW ...). */
  readonly value: number | null;
  /** The limit it was compared with. */
  readonly threshold: number | null;
  readonly unit: string | null;
  /** The period the figure covers, ISO-8601 with the site offset. */
  readonly periodFrom?: string;
  readonly periodTo?: string;
  /** e.g. "electricity 0.1229 kgce/kWh (当量值, GB/T 2589-2020)". */
  readonly basis?: string;
}

export interface Alarm extends AlarmFigure {
  readonly id: number;
  readonly type: AlarmType;
  readonly enterprise: string;
  /** Null for enterprise-wide alarms (quota, intensity, tariff, carbon); `project:<id>` for a project alarm. */
  readonly meter: string | null;
  readonly severity: Severity;
  readonly state: AlarmState;
  /** Epoch ms. */
  readonly raisedAt: number;
  readonly updatedAt: number;
  readonly clearedAt: number | null;
  readonly acknowledgedAt: number | null;
  readonly acknowledgedBy: string | null;
  /** One line, in the configured language. */
  readonly message: string;
}

export type TransitionKind = 'raised' | 'escalated' | 'cleared';

export interface AlarmTransition {
  readonly kind: TransitionKind;
  readonly alarm: Alarm;
  /** For `escalated`: the severity before. */
  readonly previousSeverity?: Severity;
  readonly at: number;
}
