/**
 * Marks the finalised months a change may have altered (contract 8.4), so that the next recheck
 * rebuilds them, however old: the marks are rows of the report archive (state.db) and survive a
 * restart. A change at data time `from` reaches every month whose end is after `from`: the month
 * itself and every later one (year-to-date quota, previous month and same month last year). A month
 * whose revision is being built, its first included, counts as finalised here (reportArchive.ts).
 *
 * - `ledgerChanged` (meter events, monthly statistics, parameters) carries its kind and `from`.
 * - Readings: a stored reading changes the hours between its usable neighbours, so a catch-up
 *   reading after a four-month silence changes January although it is in May and not "late". The
 *   span starts at the previous usable reading, looked up in the store unless this process has
 *   already seen a usable reading of the meter after the newest finalised month. `dataQuality`
 *   events (late, correction) mark from their reading's time without a lookup.
 * - Parameters: at start, a fingerprint of the configuration's figure-bearing sections and of the
 *   coefficient table is compared with the stored one; a difference marks every finalised month.
 */
import { createHash } from 'node:crypto';
import { DateTime } from 'luxon';
import { COEFFICIENTS } from '../../config/coefficients';
import type { Config } from '../../config/schema';
import type { Logger } from '../core/log';
import type { DataQualityEvent } from '../energy/dataQuality';
import type { MeterRef } from '../energy/meterScope';
import { usable, type Reading } from '../energy/reading';
import { monthBounds } from '../energy/time';
import type { EventBus } from '../events/eventBus';
import type { ReportArchive } from '../store/state/reportArchive';
import { meterKeyId } from '../store/timeSeriesStore';
import type { RevisionReason } from './reportModel';

/** The report archive's part this needs. */
export type MarkArchive = Pick<ReportArchive<never>, 'latestMarkableMonth' | 'markFrom' | 'setting' | 'setSetting'>;

/** The store's part this needs: the usable reading before an instant. */
export interface NeighbourLookup {
  usableNeighbour(key: MeterRef, ts: number, direction: 'before' | 'atOrAfter'): Promise<Reading | undefined>;
}

export const PARAMETER_FINGERPRINT = 'parameter-fingerprint';

/** Sections that name people, addresses or transport, not figures: a change there revises nothing. */
const NOT_FIGURES = new Set(['notify', 'auth', 'reports', 'ingest']);

/** JSON with object keys sorted, so that the same values always give the same text. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}

/**
 * SHA-256 over everything the figures are computed from besides data: the configuration without
 * its notification, access, report-mail and ingest sections, and the coefficient table.
 */
export function parameterFingerprint(config: Config, coefficients: unknown = COEFFICIENTS): string {
  const figures = Object.fromEntries(Object.entries(config).filter(([k]) => !NOT_FIGURES.has(k)));
  return createHash('sha256')
    .update(canonical({ config: figures, coefficients }))
    .digest('hex');
}

export class RevisionMarker {
  private readonly unsubscribe: (() => void)[] = [];
  /** Per meter, the newest usable reading this process saw stored: later readings need no lookup. */
  private readonly lastUsable = new Map<string, number>();
  private readonly intervalMs = new Map<string, number>();
  private work: Promise<void> = Promise.resolve();
  /** Marks started by bus events (the bus calls listeners synchronously; the archive answers asynchronously). */
  private readonly marking = new Set<Promise<void>>();

  constructor(
    private readonly deps: {
      config: Config;
      bus: EventBus;
      archive: MarkArchive;
      history: NeighbourLookup;
      logger: Logger;
      now: () => number;
      /** The fingerprint of the parameters now (default parameterFingerprint(config)). */
      fingerprint?: string;
    },
  ) {
    for (const e of deps.config.enterprises) for (const m of e.meters) this.intervalMs.set(meterKeyId(e.id, m.id), m.intervalSeconds * 1000);
  }

  async start(): Promise<void> {
    await this.checkParameters();
    const { bus } = this.deps;
    this.unsubscribe.push(
      bus.on('ledgerChanged', ({ kind, from }) => this.track(this.markFrom(from, kind), 'finalised-month marks failed')),
      bus.on('dataQuality', ({ events }) => this.track(this.onDataQuality(events), 'finalised-month marks from data quality failed')),
      bus.on('readingsStored', ({ readings }) => this.track(this.onReadings(readings), 'finalised-month marks from readings failed')),
    );
  }

  async stop(): Promise<void> {
    for (const off of this.unsubscribe.splice(0)) off();
    await this.settled();
  }

  /** Resolves once every mark started so far and every lookup queued so far has marked what it found (tests, shutdown). */
  async settled(): Promise<void> {
    // A mark from readings queues its lookups on `work` before it resolves: drain the marks first.
    while (this.marking.size > 0) await Promise.all([...this.marking]);
    await this.work;
  }

  /** Keeps a mark started by a bus event until it is done (settled() waits for it); a failure is logged. */
  private track(mark: Promise<void>, failure: string): void {
    const done = mark.catch((err: unknown) => this.deps.logger.error({ err }, failure)).finally(() => this.marking.delete(done));
    this.marking.add(done);
  }

  /** Marks every finalised month whose end is after `from` (data time) with `kind`. */
  async markFrom(from: number, kind: RevisionReason): Promise<void> {
    await this.markFromMonth(DateTime.fromMillis(from, { zone: this.deps.config.timezone }).toFormat('yyyy-MM'), kind);
  }

  /** `month` is YYYY-MM; '' (before every month) marks them all. */
  private async markFromMonth(month: string, kind: RevisionReason): Promise<void> {
    const marked = await this.deps.archive.markFrom(month, kind, this.deps.now());
    if (marked > 0) this.deps.logger.info({ from: month, kind, months: marked }, 'finalised months marked for recheck');
  }

  private async checkParameters(): Promise<void> {
    const { archive } = this.deps;
    const now = this.deps.fingerprint ?? parameterFingerprint(this.deps.config);
    const before = await archive.setting(PARAMETER_FINGERPRINT);
    // The first start has nothing to compare with: the months finalised so far used these parameters.
    if (before !== undefined && before !== now) await this.markFromMonth('', 'parameters');
    if (before !== now) await archive.setSetting(PARAMETER_FINGERPRINT, now);
  }

  /** The end of the newest month a change can mark: finalised, or its revision (first too) being built. */
  private async finalisedEnd(): Promise<number | undefined> {
    const month = await this.deps.archive.latestMarkableMonth();
    return month === undefined ? undefined : monthBounds(month, this.deps.config.timezone)?.end;
  }

  private async onDataQuality(events: readonly DataQualityEvent[]): Promise<void> {
    const end = await this.finalisedEnd();
    if (end === undefined) return;
    let from = Infinity;
    for (const e of events) if ((e.kind === 'late' || e.kind === 'correction') && e.ts < end) from = Math.min(from, e.ts);
    if (from !== Infinity) await this.markFrom(from, 'readings');
  }

  private async onReadings(readings: readonly Reading[]): Promise<void> {
    const end = await this.finalisedEnd();
    const meters = new Map<string, { ref: MeterRef; min: number; maxUsable: number | undefined }>();
    for (const r of readings) {
      const k = meterKeyId(r.enterprise, r.meter);
      const m = meters.get(k) ?? { ref: { enterprise: r.enterprise, meter: r.meter }, min: r.ts, maxUsable: undefined };
      m.min = Math.min(m.min, r.ts);
      if (usable(r)) m.maxUsable = Math.max(m.maxUsable ?? r.ts, r.ts);
      meters.set(k, m);
    }
    for (const [k, m] of meters) {
      const seen = this.lastUsable.get(k);
      if (m.maxUsable !== undefined && (seen === undefined || m.maxUsable > seen)) this.lastUsable.set(k, m.maxUsable);
      if (end === undefined) continue;
      const interval = this.intervalMs.get(k) ?? 0;
      // The previous usable reading is at or after `seen`, so after every finalised month: nothing to look up.
      if (m.min - interval >= end && seen !== undefined && seen >= end && seen < m.min) continue;
      this.work = this.work
        .then(() => this.markSpan(m.ref, m.min, interval, end))
        .catch((err: unknown) => this.deps.logger.error({ err, meter: k }, 'finalised-month marks from readings failed'));
    }
  }

  /** The readings from `min` on change the hours from their previous usable neighbour (or the interval before). */
  private async markSpan(ref: MeterRef, min: number, intervalMs: number, finalisedEnd: number): Promise<void> {
    const before = await this.deps.history.usableNeighbour(ref, min, 'before');
    const from = Math.min(before?.ts ?? min, min - intervalMs);
    if (from < finalisedEnd) await this.markFrom(from, 'readings');
  }
}
