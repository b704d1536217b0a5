/**
 * GET /api/enterprises/{id}/meters: each meter with its newest reading, its completeness today and
 * this month (contract 4: distinct good readings / expected, capped at 1) and whether it is silent
 * (no reading for rules.silenceMultiple x its interval, as the silence rule counts it). A
 * decommissioned meter's completeness counts only up to its decommission, and it is never silent
 * after it (contract 8.1); every meter shows its calibration valid-until date and decommission.
 */
import { DateTime } from 'luxon';
import type { Config, EnterpriseConfig } from '../../../config/schema';
import { NotFoundError } from '../../core/errors';
import { completeness } from '../../energy/completeness';
import { activeWindow, isDecommissioned } from '../../energy/meterActivity';
import type { MeterRef } from '../../energy/meterScope';
import type { Reading } from '../../energy/reading';
import { isoInZone } from '../../energy/time';
import type { TimeSeriesStore } from '../../store/timeSeriesStore';
import { figure } from '../../figures/precision';

/** What the meter list shows of a meter's events (MeterTimeline, services/energy/meterTimeline.ts). */
export interface MeterLedgerTimeline {
  readonly decommissionedAt: number | undefined;
  readonly calibrationValidUntil: string | undefined;
}

/** The events in force per meter (MeterTimelines); without it every meter reads as having none. */
export interface TimelineLookup {
  of(key: MeterRef): MeterLedgerTimeline;
  /** The multiplier and rollover in force at `at`: after the meter's events and its remembered base (8.1). */
  inForce?(key: MeterRef, at: number): { multiplier: number; rollover?: number | undefined } | undefined;
}

/** The configured enterprise, or 404 as if it did not exist. */
export function findEnterprise(config: Config, id: string): EnterpriseConfig {
  const e = config.enterprises.find((x) => x.id === id);
  if (!e) throw new NotFoundError(`enterprise ${id}`);
  return e;
}

const NO_EVENTS: MeterLedgerTimeline = { decommissionedAt: undefined, calibrationValidUntil: undefined };

/** `calibrationValidUntil` (YYYY-MM-DD, the last valid day) and `decommissionedAt` (ISO in the site zone), or null. */
export function meterLedgerFields(
  timeline: MeterLedgerTimeline | undefined,
  zone: string,
): { calibrationValidUntil: string | null; decommissionedAt: string | null } {
  const decommissionedAt = timeline?.decommissionedAt;
  return {
    calibrationValidUntil: timeline?.calibrationValidUntil ?? null,
    decommissionedAt: decommissionedAt === undefined ? null : isoInZone(decommissionedAt, zone),
  };
}

/** Completeness over the part of [from, to) the meter was in service; null when it was decommissioned before `from`. */
function activeCompleteness(timeline: MeterLedgerTimeline, count: number, from: number, to: number, intervalSeconds: number): number | null {
  if (isDecommissioned(timeline, from)) return null;
  const window = activeWindow(timeline, from, to);
  return window ? figure(completeness(count, window.to - window.from, intervalSeconds)) : 0;
}

/**
 * A newest reading: `value` is the register as stored (before the multiplier), `quantity` the
 * register x the multiplier in force at its time (contract 4), in the meter's unit: the figure a
 * reader expects beside "kWh" (issue 21: a raw register shown as kWh misled by the CT ratio).
 */
export function readingView(r: Reading, multiplier: number, zone: string) {
  return { ts: isoInZone(r.ts, zone), value: r.value, multiplier, quantity: figure(r.value * multiplier), quality: r.quality };
}

export async function meterOverview(
  e: EnterpriseConfig,
  deps: { config: Config; store: TimeSeriesStore; timelines?: TimelineLookup | undefined },
  now: number,
) {
  const zone = deps.config.timezone;
  const local = DateTime.fromMillis(now, { zone });
  const dayStart = local.startOf('day').toMillis();
  const monthStart = local.startOf('month').toMillis();
  const [latest, today, month] = await Promise.all([
    deps.store.latest([e.id]),
    deps.store.countUsable([e.id], dayStart, now + 1),
    deps.store.countUsable([e.id], monthStart, now + 1),
  ]);
  const countOf = (rows: typeof today, meter: string) => rows.find((r) => r.meter === meter)?.count ?? 0;
  return {
    enterprise: e.id,
    at: isoInZone(now, zone),
    timezone: zone,
    silenceMultiple: deps.config.rules.silenceMultiple,
    today: { from: isoInZone(dayStart, zone), to: isoInZone(now, zone) },
    month: { from: isoInZone(monthStart, zone), to: isoInZone(now, zone) },
    meters: e.meters.map((m) => {
      const timeline = deps.timelines?.of({ enterprise: e.id, meter: m.id }) ?? NO_EVENTS;
      const decommissioned = isDecommissioned(timeline, now);
      const last = latest.find((l) => l.meter === m.id);
      const silentSeconds = last ? Math.max(0, (now - last.lastTs) / 1000) : null;
      const limitSeconds = deps.config.rules.silenceMultiple * m.intervalSeconds;
      return {
        id: m.id,
        name: m.name ?? null,
        carrier: m.carrier,
        unit: m.unit,
        kind: m.kind,
        intervalSeconds: m.intervalSeconds,
        submeter: m.submeter,
        lastReading: last?.lastGood
          ? readingView(
              last.lastGood,
              deps.timelines?.inForce?.({ enterprise: e.id, meter: m.id }, last.lastGood.ts)?.multiplier ?? m.multiplier,
              zone,
            )
          : null,
        lastTs: last ? isoInZone(last.lastTs, zone) : null,
        completenessToday: activeCompleteness(timeline, countOf(today, m.id), dayStart, now, m.intervalSeconds),
        completenessMonth: activeCompleteness(timeline, countOf(month, m.id), monthStart, now, m.intervalSeconds),
        silentSeconds,
        silenceLimitSeconds: limitSeconds,
        silent: !decommissioned && (silentSeconds === null || silentSeconds > limitSeconds),
        ...meterLedgerFields(timeline, zone),
      };
    }),
  };
}
