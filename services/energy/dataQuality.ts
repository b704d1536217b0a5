/** Data-quality events (contract 4: resets, rollovers; contract 2: corrections), recorded for the data-quality rule. */
export type DataQualityKind = 'rollover' | 'reset' | 'correction' | 'late';

export interface DataQualityEvent {
  readonly kind: DataQualityKind;
  readonly enterprise: string;
  readonly meter: string;
  readonly ts: number;
  readonly detail?: string;
}
