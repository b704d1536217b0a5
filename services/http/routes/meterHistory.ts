/**
 * GET /api/enterprises/{id}/meters/{meterId}/consumption?from=&to=&every=1h|1d|1mo: one meter's
 * history for the meter page (issue 21): its consumption per calendar bucket of the site zone (in
 * its own unit, multiplier and events applied, sub-meters included: this is the meter, not a
 * total), which buckets are still in progress, its completeness (contract 4) and gaps over the
 * period, and its newest reading as the register and as the multiplied quantity.
 * Decisions: docs/dashboard.md, "Meter page".
 */
import { Router } from 'express';
import { DateTime } from 'luxon';
import { z } from 'zod';
import type { Config, EnterpriseConfig, MeterConfig } from '../../../config/schema';
import { energyUnitOfPower } from '../../../config/units';
import { BadRequestError, NotFoundError } from '../../core/errors';
import { completeness } from '../../energy/completeness';
import { activeWindow } from '../../energy/meterActivity';
import { usable } from '../../energy/reading';
import { readingGaps } from '../../energy/readingGaps';
import { bucketStart, isoInZone, nextBucket, parseInstant, type Every } from '../../energy/time';
import { figure, sumFigures } from '../../figures/precision';
import type { MeterKey, TimeSeriesStore } from '../../store/timeSeriesStore';
import { assertCanSee, principalOf } from '../auth';
import { parseInput } from '../validate';
import { findEnterprise, meterLedgerFields, readingView, type TimelineLookup } from './meters';

const query = z
  .object({
    from: z.string().max(40).optional(),
    to: z.string().max(40).optional(),
    every: z.enum(['1h', '1d', '1mo']).default('1h'),
  })
  .strict();

/** The longest period one request may cover: a year and a month (a year's months, and its gaps read from raw readings). */
const MAX_RANGE_MS = 397 * 86_400_000;
/** Gaps listed at most; the rest are counted (a dead meter over a year is one gap, a flapping one hundreds). */
const MAX_GAPS = 500;
const DEFAULT_PERIOD: Record<Every, 'day' | 'month' | 'year'> = { '1h': 'day', '1d': 'month', '1mo': 'year' };
const ONE = { day: { days: 1 }, month: { months: 1 }, year: { years: 1 } } as const;

export interface MeterHistoryDeps {
  readonly config: Config;
  readonly store: TimeSeriesStore;
  readonly now: () => number;
  readonly timelines?: TimelineLookup | undefined;
}

function findMeter(e: EnterpriseConfig, id: string): MeterConfig {
  const m = e.meters.find((x) => x.id === id);
  if (!m) throw new NotFoundError(`meter ${e.id}/${id}`);
  return m;
}

function badInstant(name: string, text: string): never {
  throw new BadRequestError(`${name} must be ISO-8601 (e.g. 2026-11-01 or 2026-11-01T00:00:00+08:00), got "${text}"`);
}

/** [from, to) of the request, aligned outward to whole buckets; defaults: the day, month or year of now. */
function period(q: z.output<typeof query>, zone: string, now: number): { from: number; to: number } {
  const instant = (text: string | undefined, name: string): number | undefined =>
    text === undefined ? undefined : (parseInstant(text, zone) ?? badInstant(name, text));
  const current = DateTime.fromMillis(now, { zone }).startOf(DEFAULT_PERIOD[q.every]);
  const from = bucketStart(instant(q.from, 'from') ?? current.toMillis(), q.every, zone);
  const rawTo = instant(q.to, 'to') ?? current.plus(ONE[DEFAULT_PERIOD[q.every]]).toMillis();
  if (rawTo <= from) throw new BadRequestError('to must be after from');
  let to = bucketStart(rawTo, q.every, zone);
  if (to < rawTo) to = nextBucket(to, q.every, zone);
  if (to - from > MAX_RANGE_MS) throw new BadRequestError('from/to may span at most 397 days (a year and a month)');
  return { from, to };
}

/** The quantity's unit: a power meter's kW integrate to kWh; counter and interval meters count in their unit. */
function quantityUnit(m: MeterConfig): string {
  return m.kind === 'power' ? (energyUnitOfPower(m.unit) ?? m.unit) : m.unit;
}

export async function meterHistory(e: EnterpriseConfig, m: MeterConfig, q: z.output<typeof query>, deps: MeterHistoryDeps) {
  const zone = deps.config.timezone;
  const now = deps.now();
  const { from, to } = period(q, zone, now);
  const key: MeterKey = { enterprise: e.id, meter: m.id };
  const timeline = deps.timelines?.of(key);
  // What can have been read: up to now, and up to a decommission (contract 8.1: completeness stops there).
  const window = activeWindow(timeline ?? { decommissionedAt: undefined }, from, Math.min(to, now));
  const [rows, readings, latest] = await Promise.all([
    deps.store.consumption({ enterprises: [e.id], meters: [key], from, to, every: q.every, zone }),
    window ? deps.store.readings(key, window.from, window.to) : Promise.resolve([]),
    deps.store.latest([e.id]),
  ]);
  const byTime = new Map<number, number>();
  for (const r of rows) byTime.set(r.time, (byTime.get(r.time) ?? 0) + r.quantity);
  const series: { time: string; quantity: number | null; complete: boolean }[] = [];
  // Buckets up to the one in progress; none in the future (nothing can be in them yet).
  for (let t = from; t < to && t <= now; t = nextBucket(t, q.every, zone)) {
    const quantity = byTime.get(t);
    series.push({
      time: isoInZone(t, zone),
      quantity: quantity === undefined ? null : figure(quantity),
      complete: nextBucket(t, q.every, zone) <= now,
    });
  }
  const stamps = [...new Set(readings.filter(usable).map((r) => r.ts))].sort((a, b) => a - b);
  const gaps = window ? readingGaps(stamps, window.from, window.to, m.intervalSeconds) : [];
  const last = latest.find((l) => l.meter === m.id)?.lastGood;
  const multiplier = last ? (deps.timelines?.inForce?.(key, last.ts)?.multiplier ?? m.multiplier) : m.multiplier;
  const inForceNow = deps.timelines?.inForce?.(key, now);
  return {
    enterprise: e.id,
    meter: m.id,
    from: isoInZone(from, zone),
    to: isoInZone(to, zone),
    every: q.every,
    timezone: zone,
    at: isoInZone(now, zone),
    info: {
      id: m.id,
      name: m.name ?? null,
      carrier: m.carrier,
      product: m.product ?? null,
      unit: m.unit,
      kind: m.kind,
      multiplier: inForceNow?.multiplier ?? m.multiplier,
      rollover: (inForceNow ?? m).rollover ?? null,
      intervalSeconds: m.intervalSeconds,
      submeter: m.submeter,
      ...meterLedgerFields(timeline, zone),
    },
    unit: quantityUnit(m),
    series,
    total: sumFigures(series.map((s) => s.quantity ?? 0)),
    completeness: {
      from: window ? isoInZone(window.from, zone) : null,
      to: window ? isoInZone(window.to, zone) : null,
      readings: stamps.length,
      expected: window ? figure((window.to - window.from) / (m.intervalSeconds * 1000)) : 0,
      ratio: window ? figure(completeness(stamps.length, window.to - window.from, m.intervalSeconds)) : null,
    },
    gaps: gaps.slice(0, MAX_GAPS).map((g) => ({ from: isoInZone(g.from, zone), to: isoInZone(g.to, zone), seconds: (g.to - g.from) / 1000 })),
    gapCount: gaps.length,
    gapSeconds: sumFigures(gaps.map((g) => (g.to - g.from) / 1000)),
    // The register as the meter shows it, and the quantity it stands for (contract 4: register x multiplier).
    latest: last ? { ...readingView(last, multiplier, zone), unit: m.unit } : null,
  };
}

export function meterHistoryRouter(deps: MeterHistoryDeps): Router {
  const router = Router();
  router.get('/:id/meters/:meterId/consumption', async (req, res) => {
    // An enterprise token asking about another enterprise gets 404 before anything else, as elsewhere.
    assertCanSee(principalOf(res), req.params.id);
    const e = findEnterprise(deps.config, req.params.id);
    const m = findMeter(e, req.params.meterId);
    res.json(await meterHistory(e, m, parseInput(query, req.query, 'query'), deps));
  });
  return router;
}
