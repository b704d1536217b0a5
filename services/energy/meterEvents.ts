/**
 * Meter events of the ledger (contract 8.1): replacement (换表), multiplier (CT/PT ratio) change,
 * decommission and calibration (检定/校准). Types only here; the arithmetic of segments lives in
 * meterTimeline.ts. Times are epoch ms; the HTTP edge parses and prints ISO-8601 with the site offset.
 */

interface EventBase {
  /** Data time of the event (the instant the meter was changed), epoch ms. */
  readonly at: number;
  readonly note?: string;
}

/**
 * A new meter from `at`: the old one ends at `oldFinalRegister`, the new one starts at
 * `newInitialRegister`. Both registers are required for counter meters and refused for power and
 * interval meters (validateMeterEvent).
 */
export interface ReplaceEvent extends EventBase {
  readonly type: 'replace';
  readonly oldFinalRegister?: number;
  readonly newInitialRegister?: number;
  /** The new meter's multiplier; absent: unchanged. */
  readonly multiplier?: number;
  /** The new meter's rollover; absent: unchanged. */
  readonly rollover?: number;
}

/** A new CT/PT ratio from `at`; `register` is required for counter meters and refused for power and interval meters. */
export interface MultiplierEvent extends EventBase {
  readonly type: 'multiplier';
  readonly register?: number;
  readonly multiplier: number;
}

/** The meter ends at `at`; readings at or after it are quarantined as `decommissioned`. */
export interface DecommissionEvent extends EventBase {
  readonly type: 'decommission';
  readonly finalRegister?: number;
}

/** A calibration certificate valid until `validUntil` (a site-zone date, YYYY-MM-DD, inclusive). */
export interface CalibrationEvent extends EventBase {
  readonly type: 'calibration';
  readonly validUntil: string;
  readonly certificate?: string;
}

export type MeterEventInput = ReplaceEvent | MultiplierEvent | DecommissionEvent | CalibrationEvent;
export type MeterEventType = MeterEventInput['type'];

/** An event as recorded: who and when, and its retraction if any (a retracted event stays listed). */
export type MeterEvent = MeterEventInput & {
  readonly id: number;
  readonly enterprise: string;
  readonly meter: string;
  readonly recordedBy: string;
  readonly recordedAt: number;
  readonly retractedBy?: string;
  readonly retractedAt?: number;
};
