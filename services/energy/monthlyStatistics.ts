/**
 * Monthly statistics entered by hand (contract 8.3): output value, value added, product quantities,
 * non-metered carriers (205-1 style: purchased + opening stock - closing stock), green certificates
 * and process CO2. Types only; the store versions every record (services/store/state).
 */

export interface EnteredCarrier {
  readonly unit: string;
  readonly purchased: number;
  readonly openingStock: number;
  readonly closingStock: number;
}

export interface EnteredProduct {
  readonly quantity: number;
  readonly unit: string;
}

/** The fields of a record; every one optional. */
export interface MonthlyFields {
  readonly outputValue10kYuan?: number;
  readonly valueAdded10kYuan?: number;
  readonly products?: Readonly<Record<string, EnteredProduct>>;
  readonly carriers?: Readonly<Record<string, EnteredCarrier>>;
  readonly greenCertificatesKwh?: number;
  readonly processCo2T?: number;
  readonly note?: string;
}

/** A PUT body: a present key replaces the stored one, `null` clears it. */
export type MonthlyPatch = { readonly [K in keyof MonthlyFields]?: MonthlyFields[K] | null };

/** One version of an enterprise's month. */
export interface MonthlyRecord extends MonthlyFields {
  readonly enterprise: string;
  /** YYYY-MM in the site zone. */
  readonly month: string;
  readonly version: number;
  readonly recordedBy: string;
  readonly recordedAt: number;
}

/** A month's consumption of an entered carrier: purchased + opening - closing (negative is refused at entry). */
export function enteredConsumption(c: EnteredCarrier): number {
  return c.purchased + c.openingStock - c.closingStock;
}
