/** A meter reading as it travels inward, after decoding and unit conversion (contract section 2). */
export type Quality = 'good' | 'uncertain' | 'bad';

export interface Reading {
  readonly enterprise: string;
  readonly meter: string;
  /** Epoch milliseconds. */
  readonly ts: number;
  /** In the meter's configured unit; for counter meters the raw register, before the multiplier. */
  readonly value: number;
  readonly quality: Quality;
}

/** `bad` readings are stored but never used for consumption (contract 2). */
export function usable(r: { quality: Quality }): boolean {
  return r.quality !== 'bad';
}
