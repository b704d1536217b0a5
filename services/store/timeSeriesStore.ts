/**
 * The time-series port: everything the service keeps as time series (raw readings and hourly
 * consumption), behind one interface with two adapters (InfluxDB for production, SQLite embedded
 * by default). One contract test suite (test/integration/timeSeriesStore.contract.ts) runs against
 * both, so they answer alike.
 *
 * Daily rollups: each adapter also keeps, per meter and local day of the site zone, the sum of the
 * meter's hourly values and the number of its usable readings. write() maintains them for every
 * (meter, day) it touches, from what is stored after the write, so late data, corrections and
 * journal replays (which all arrive as writes) keep them exact. They exist so that a monthly
 * report or a rule cycle reads ~365 values per meter and year instead of ~8,760 hours and ~35,000
 * readings; consumption() and countUsable() use them for the whole days of a range and the hours
 * or readings only at its edges, so callers see the same figures as before. Data written before
 * the rollups existed is rolled up once by start() (see rebuildRollups).
 */
import type { Reading } from '../energy/reading';
import type { Every } from '../energy/time';

export interface MeterKey {
  readonly enterprise: string;
  readonly meter: string;
}

/** A meter as one string, for map keys (NUL cannot occur in ids). */
export function meterKeyId(enterprise: string, meter: string): string {
  return `${enterprise}\u0000${meter}`;
}

/** One meter's consumption in one UTC hour; absolute, so a rewrite replaces the previous value. */
export interface HourlyConsumption {
  readonly enterprise: string;
  readonly meter: string;
  readonly carrier: string;
  /** The carrier's unit the quantity is in (kWh, m3, t, GJ ...). */
  readonly unit: string;
  /** Hour start, epoch ms. */
  readonly hour: number;
  readonly quantity: number;
}

export interface WriteBatch {
  readonly readings: readonly Reading[];
  readonly hourly: readonly HourlyConsumption[];
}

export interface ConsumptionQuery {
  /** All enterprises are answered by one query, not one per enterprise. */
  readonly enterprises: readonly string[];
  /** [from, to) in epoch ms; callers align them to bucket starts. */
  readonly from: number;
  readonly to: number;
  readonly every: Every;
  /** Site time zone for day and month buckets. */
  readonly zone: string;
  /** Optional restriction to some meters (e.g. tariff-scope electricity). */
  readonly meters?: readonly MeterKey[];
  /** Meters left out of the sums (sub-meters whose consumption a main meter already counts). */
  readonly excludeMeters?: readonly MeterKey[];
}

export interface ConsumptionRow {
  readonly enterprise: string;
  readonly carrier: string;
  readonly unit: string;
  /** Bucket start, epoch ms. */
  readonly time: number;
  readonly quantity: number;
}

export interface LatestReading {
  readonly enterprise: string;
  readonly meter: string;
  /** Newest stored reading of any quality. */
  readonly lastTs: number;
  /** Newest usable (not bad) reading, if any. */
  readonly lastGood?: Reading;
}

export interface LatestOptions {
  /**
   * Only meters with a reading at or after `since`, and lastGood only from there. A bounded scan:
   * InfluxDB otherwise opens every shard of every meter's whole history.
   */
  readonly since?: number;
}

export interface ReadingCount {
  readonly enterprise: string;
  readonly meter: string;
  readonly count: number;
}

/** What rebuildRollups did, for the log and the operator. */
export interface RollupRebuild {
  /** [from, to) rebuilt, epoch ms of local day starts; absent when there was nothing to roll up. */
  readonly from?: number;
  readonly to?: number;
  readonly days: number;
  readonly consumptionRows: number;
  readonly countRows: number;
  readonly ms: number;
}

export interface StoreHealth {
  readonly ok: boolean;
  readonly kind: string;
  readonly version?: string;
  readonly detail?: string;
}

export interface TimeSeriesStore {
  readonly kind: 'sqlite' | 'influxdb';
  start(): Promise<void>;
  stop(): Promise<void>;
  health(): Promise<StoreHealth>;
  /**
   * Stores readings and hourly values. A reading with the key (enterprise, meter, ts) of a stored
   * one replaces it; so does an hourly value with the same (enterprise, meter, hour). Resolves once
   * the batch is durable and visible to queries. The daily rollups of every (meter, local day) it
   * touched are recomputed from the stored hours and readings, inside the write (SQLite) or in a
   * refresh round after it that serves every write made meanwhile (InfluxDB); consumption() and
   * countUsable() wait for that round, so every caller reads as if it ran inside write().
   */
  write(batch: WriteBatch): Promise<void>;
  /**
   * Resolves once the rollups of everything written before the call are refreshed; rejects when
   * that refresh failed (its days stay pending and are retried). The ingest pipeline commits a
   * journal record only after this, so a crash between a write and its refresh replays the record
   * and the replay's write refreshes the days again.
   */
  settleRollups(): Promise<void>;
  /** Readings of one meter with from <= ts < to, ascending by ts, any quality. */
  readings(key: MeterKey, from: number, to: number): Promise<Reading[]>;
  /** Stored readings of one meter at exactly these timestamps (for idempotence). */
  readingsAt(key: MeterKey, timestamps: readonly number[]): Promise<Reading[]>;
  /** The nearest usable reading strictly before `ts`, or at or after `ts`. */
  usableNeighbour(key: MeterKey, ts: number, direction: 'before' | 'atOrAfter'): Promise<Reading | undefined>;
  /** Newest reading per meter of these enterprises (meters with none are absent). */
  latest(enterprises: readonly string[], options?: LatestOptions): Promise<LatestReading[]>;
  /** Hourly values of one meter with from <= hour < to, ascending. */
  hourly(key: MeterKey, from: number, to: number): Promise<HourlyConsumption[]>;
  /** Consumption summed per enterprise, carrier and unit in calendar buckets of the site zone. */
  consumption(query: ConsumptionQuery): Promise<ConsumptionRow[]>;
  /** Distinct usable readings per meter with from <= ts < to (completeness, contract 4); meters with none are absent. */
  countUsable(enterprises: readonly string[], from: number, to: number): Promise<ReadingCount[]>;
  /**
   * Recomputes the daily rollups of every local day in [from, to) (default: all stored data) from
   * the stored hours and readings. start() runs it once for data written before the rollups
   * existed (or after the site zone changed); an operator can run it after writing to the store
   * behind the service's back. Concurrent writes to the same days should not run meanwhile.
   */
  rebuildRollups(range?: { from: number; to: number }): Promise<RollupRebuild>;
}
