/**
 * GET /api/enterprises/{id}/meters: each meter with its newest reading, its completeness today and
 * this month (contract 4: distinct good readings / expected, capped at 1) and whether it is silent
 * (no reading for rules.silenceMultiple x its interval, as the silence rule counts it).
 */
import { DateTime } from 'luxon';
import type { Config, EnterpriseConfig } from '../../../config/schema';
import { completeness } from '../../energy/completeness';
import { isoInZone } from '../../energy/time';
import type { TimeSeriesStore } from '../../store/timeSeriesStore';

export async function meterOverview(e: EnterpriseConfig, deps: { config: Config; store: TimeSeriesStore }, now: number) {
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
        lastReading: last?.lastGood ? { ts: isoInZone(last.lastGood.ts, zone), value: last.lastGood.value, quality: last.lastGood.quality } : null,
        lastTs: last ? isoInZone(last.lastTs, zone) : null,
        completenessToday: completeness(countOf(today, m.id), now - dayStart, m.intervalSeconds),
        completenessMonth: completeness(countOf(month, m.id), now - monthStart, m.intervalSeconds),
        silentSeconds,
        silenceLimitSeconds: limitSeconds,
        silent: silentSeconds === null || silentSeconds > limitSeconds,
      };
    }),
  };
}
