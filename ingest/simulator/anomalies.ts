/**
 * Transient transmission faults of a gateway, decided with the injected random source so a run is
 * reproducible: gaps (readings never sent), late batches (readings withheld and sent afterwards as
 * one array), duplicate resends and the rare invalid message, so the quarantine and the data-quality
 * checks have something to show (contract 2). Meter replacements change the register itself and so
 * live in MeterModel, keyed by time rather than by this random stream.
 */

/** Expected events per meter per day of data; together about one a day (rare, as the brief asks). */
export const ANOMALY_RATES_PER_DAY = { gap: 0.25, late: 0.25, duplicate: 0.3, invalid: 0.15 } as const;

export interface SimReading {
  readonly ts: number;
  readonly value: number;
}

export type SimEvent =
  /** An ordinary reading, batched with its neighbours. */
  | { readonly kind: 'reading'; readonly reading: SimReading }
  /** The same reading sent a second time, alone. */
  | { readonly kind: 'duplicate'; readonly reading: SimReading }
  /** Readings withheld earlier, now sent as one array. */
  | { readonly kind: 'late'; readonly readings: readonly SimReading[] }
  /** A glitch that replaces the reading: a non-finite value or a unit that does not convert. */
  | { readonly kind: 'invalid'; readonly reading: SimReading; readonly flaw: 'non-finite' | 'wrong-unit' };

export class AnomalyInjector {
  private gapLeft = 0;
  private withholdLeft = 0;
  private releaseAfter = 0;
  private withheld: SimReading[] = [];

  constructor(
    private readonly intervalSeconds: number,
    private readonly random: () => number,
    private readonly enabled: boolean,
  ) {}

  /** Readings (or faults) to send for the next reading on the meter's grid. */
  next(reading: SimReading): SimEvent[] {
    const events: SimEvent[] = [];
    if (this.withheld.length > 0 && this.withholdLeft === 0 && --this.releaseAfter <= 0) events.push(...this.flush());
    if (this.gapLeft > 0) {
      this.gapLeft--;
      return events;
    }
    if (this.withholdLeft > 0) {
      this.withheld.push(reading);
      this.withholdLeft--;
      return events;
    }
    if (!this.enabled) {
      events.push({ kind: 'reading', reading });
      return events;
    }
    // Per-reading probability of a once-in-n-days event, whatever the meter's interval.
    const perReading = this.intervalSeconds / 86_400;
    const rates = ANOMALY_RATES_PER_DAY;
    const r = this.random();
    if (r < rates.gap * perReading) {
      // A 10-60 minute outage of the meter's link.
      this.gapLeft = this.readingsIn(10 + 50 * this.random()) - 1;
    } else if (r < (rates.gap + rates.late) * perReading && this.withheld.length === 0) {
      // Withhold 5-30 minutes of readings, and send them as many readings later.
      const n = this.readingsIn(5 + 25 * this.random());
      this.withheld = [reading];
      this.withholdLeft = n - 1;
      this.releaseAfter = n + 1;
    } else if (r < (rates.gap + rates.late + rates.invalid) * perReading) {
      events.push({ kind: 'invalid', reading, flaw: this.random() < 0.5 ? 'non-finite' : 'wrong-unit' });
    } else if (r < (rates.gap + rates.late + rates.invalid + rates.duplicate) * perReading) {
      events.push({ kind: 'reading', reading }, { kind: 'duplicate', reading });
    } else {
      events.push({ kind: 'reading', reading });
    }
    return events;
  }

  /** Send whatever is still withheld (end of the backfill, so the history is complete). */
  flush(): SimEvent[] {
    if (this.withheld.length === 0) return [];
    const readings = this.withheld;
    this.withheld = [];
    this.withholdLeft = 0;
    return [{ kind: 'late', readings }];
  }

  private readingsIn(minutes: number): number {
    return Math.max(1, Math.round((minutes * 60) / this.intervalSeconds));
  }
}
