/** The JSON the dashboard reads, as the server's routes answer it (times are ISO-8601 in the site zone). */
import type { CarbonStatus } from './carbonTypes';
import type { LightThresholds } from './trouble';

export type Role = 'admin' | 'officer' | 'auditor' | 'enterprise';
export type Level = 'green' | 'yellow' | 'red';
export type Severity = 'info' | 'warning' | 'critical';

export type Session = { signedIn: false } | { signedIn: true; name: string; role: Role; enterprise: string | null };
export type SignedIn = Extract<Session, { signedIn: true }>;

export interface Figure {
  tce: number;
  dualControlTce: number;
  co2Kg: number;
}
export interface CarrierFigure extends Figure {
  quantity: number;
  unit: string;
}

export interface QuotaStatus {
  year: number;
  totalTce: number;
  ytdTce: number;
  share: number;
  pace: number | null;
  level: Level;
  forecastTce: number | null;
  /** Stated trouble (issue 21): max(0, forecast - total), share >= 1, the run-out date at the current pace. */
  overrunTce?: number | null;
  exhausted?: boolean;
  exhaustionDate?: string | null;
  periodFrom: string;
  periodTo: string;
}
export type IntensityStatus =
  | { intensity: number; limit: number; ratio: number; level: Level; output10kYuan: number | null; months: string[] }
  | { intensity: null; level: null; note: 'no-output'; output10kYuan: number | null; months: string[] };
export interface TariffStatus {
  tariff: string;
  scheme: 'step' | 'bands';
  basis: 'ytd' | 'month';
  unitConsumption: number | null;
  unit: 'kWh/t' | 'kgce/t';
  markupYuanPerKwh: number | null;
  surchargeYuan: number | null;
  note?: 'no-output';
  periodFrom: string;
  periodTo: string;
  electricityKwh: number;
  productT: number;
  /** The threshold or limit row of the basis period's data year (contract 8.2). */
  parameter?: ParameterRow;
}

export interface OverviewRow {
  id: string;
  name: string;
  industry: string;
  /** The park (园区) id, null outside any park. */
  park: string | null;
  monthTce: number;
  quota: QuotaStatus | null;
  intensity: IntensityStatus | null;
  tariff: TariffStatus | null;
  alarms: Record<Severity, number>;
}
export interface Overview {
  at: string;
  timezone: string;
  year: number;
  electricityBasis: 'equivalent' | 'equal';
  today: Figure & { from: string; to: string; alarmsRaised: number };
  month: Figure & {
    from: string;
    to: string;
    byCarrier: Record<string, CarrierFigure>;
    byIndustry: Record<string, Figure>;
    byPark: Record<string, Figure>;
  };
  ytd: Figure & {
    from: string;
    to: string;
    byCarrier: Record<string, CarrierFigure>;
    byIndustry: Record<string, Figure>;
    byPark: Record<string, Figure>;
    quotaTotalTce: number;
    share: number | null;
  };
  /** GB/T 4754 industry names by code. */
  industries: Record<string, string>;
  /** Park names by id (the parks the visible enterprises belong to). */
  parks: Record<string, string>;
  enterprises: OverviewRow[];
  /** The lights' configured thresholds (rules.quota, rules.intensity, rules.carbon), for the legend. */
  thresholds?: LightThresholds;
}

export interface MeterInfo {
  id: string;
  name: string | null;
  carrier: string;
  unit: string;
  kind: string;
  /** In force now (events applied). */
  multiplier?: number;
  intervalSeconds: number;
  submeter: boolean;
}
export type TariffRule =
  | { id: string; scheme: 'step'; basis: string; threshold: Dated; step: number; markupPerStep: number }
  | { id: string; scheme: 'bands'; basis: string; limit: Dated; metric: 'kwh_per_t' | 'kgce_per_t'; bands: { over: number; markup: number }[] };
/** A configured value: one number or dated rows (contract 8.2). */
export type Dated = number | { year: number; value: number; source?: string }[];
export interface EnterpriseInfo {
  id: string;
  name: string;
  industry: string;
  /** 统一社会信用代码, when configured (the search matches it). */
  creditCode?: string | null;
  tariff: string | null;
  tariffRule: TariffRule | null;
  meters: MeterInfo[];
  quota: { year: number; totalTce: number; intensityLimit?: number } | null;
}

export interface EnterpriseStatus {
  enterprise: string;
  at: string;
  timezone: string;
  electricityBasis: string;
  quota: QuotaStatus | null;
  intensity: IntensityStatus | null;
  tariff: TariffStatus | null;
  /** CO2 by part, the carbon budget and carbon intensity year to date (contract 9); absent from old servers. */
  carbon?: CarbonStatus | null;
  /** Every coefficient, factor and threshold row the figures used (contract 8.2). */
  parameters?: ParameterRow[];
}

export interface ParameterRow {
  key: string;
  value: number;
  unit: string;
  year?: number;
  source: string;
}

export interface SeriesPoint {
  time: string;
  carrier: string;
  quantity: number;
  unit: string;
  tce: number;
  co2Kg: number;
  dualControl: boolean;
}
export interface CoefficientUsed {
  carrier: string;
  unit: string;
  kgcePerUnit: number;
  kgceSource: string;
  kgCo2PerUnit: number;
  kgCo2Source: string;
  dualControl: boolean;
}
export interface ConsumptionAnswer {
  enterprise: string;
  from: string;
  to: string;
  every: '1h' | '1d' | '1mo';
  timezone: string;
  electricityBasis: string;
  series: SeriesPoint[];
  totals: { tce: number; dualControlTce: number; co2Kg: number };
  coefficients: CoefficientUsed[];
}

export interface MeterState {
  id: string;
  name: string | null;
  carrier: string;
  unit: string;
  kind: string;
  intervalSeconds: number;
  submeter: boolean;
  /** `value` is the register; `quantity` = register x `multiplier` in force at `ts` (absent from old servers). */
  lastReading: { ts: string; value: number; quality: string; multiplier?: number; quantity?: number } | null;
  lastTs: string | null;
  completenessToday: number;
  completenessMonth: number;
  silentSeconds: number | null;
  silenceLimitSeconds: number;
  silent: boolean;
}
export interface MetersAnswer {
  enterprise: string;
  at: string;
  timezone: string;
  today: { from: string; to: string };
  month: { from: string; to: string };
  meters: MeterState[];
}

export interface AlarmView {
  id: number;
  type: string;
  enterprise: string;
  meter: string | null;
  severity: Severity;
  state: 'active' | 'acknowledged' | 'cleared';
  value: number | null;
  threshold: number | null;
  unit: string | null;
  periodFrom: string | null;
  periodTo: string | null;
  basis: string | null;
  raisedAt: string;
  updatedAt: string;
  clearedAt: string | null;
  acknowledgedAt: string | null;
  acknowledgedBy: string | null;
  message: string;
  /** Comments (处置意见), oldest first; in lists and single reads, not in live events. */
  notes?: AlarmNoteView[];
}
export interface AlarmNoteView {
  kind: 'ack' | 'note';
  by: string;
  at: string;
  text: string;
}
export interface AlarmEvent {
  kind: 'raised' | 'escalated' | 'cleared' | 'acknowledged';
  at: string;
  alarm: AlarmView;
}
export interface LiveReading {
  enterprise: string;
  meter: string;
  ts: string;
  value: number;
  quality: string;
}

export interface Revision {
  month: string;
  revision: number;
  sha256: string | null;
  createdAt: string;
  note: string | null;
}

export interface QuarantineItem {
  id: number;
  topic: string;
  payload: string;
  reason: string;
  detail: string;
  enterprise?: string;
  meter?: string;
  status: 'open' | 'replayed';
  attempts: number;
  receivedAt: string;
  replayedAt?: string;
}
export interface QuarantineAnswer {
  items: QuarantineItem[];
  total: number;
  limit: number;
  offset: number;
  openByReason?: Record<string, number>;
}
export interface ReplayAnswer {
  requested: number;
  replayed: number[];
  stillRejected: { id: number; reason: string; detail: string }[];
}

/** GET /api/enterprises/{id}/meters/{meterId}/consumption (services/http/routes/meterHistory.ts). */
export interface MeterHistory {
  enterprise: string;
  meter: string;
  from: string;
  to: string;
  every: '1h' | '1d' | '1mo';
  timezone: string;
  at: string;
  info: {
    id: string;
    name: string | null;
    carrier: string;
    product: string | null;
    unit: string;
    kind: string;
    multiplier: number;
    rollover: number | null;
    intervalSeconds: number;
    submeter: boolean;
    calibrationValidUntil: string | null;
    decommissionedAt: string | null;
  };
  unit: string;
  series: { time: string; quantity: number | null; complete: boolean }[];
  total: number;
  completeness: { from: string | null; to: string | null; readings: number; expected: number; ratio: number | null };
  gaps: { from: string; to: string; seconds: number }[];
  gapCount: number;
  gapSeconds: number;
  latest: { ts: string; value: number; multiplier: number; quantity: number; unit: string; quality: string } | null;
}

/** GET /api/enterprises/{id}/meters/{meterId}/events: one ledger event (contract 8.1). */
export interface MeterEventView {
  id: number;
  type: 'replace' | 'multiplier' | 'calibration' | 'decommission';
  at: string;
  note?: string;
  oldFinalRegister?: number;
  newInitialRegister?: number;
  register?: number;
  finalRegister?: number;
  multiplier?: number;
  rollover?: number;
  validUntil?: string;
  certificate?: string;
  recordedBy: string;
  recordedAt: string;
  retracted: boolean;
  retractedBy: string | null;
  retractedAt: string | null;
}
