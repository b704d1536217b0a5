/** GET /api/enterprises and GET /api/enterprises/{id}/consumption (contract 5). */
import { Router } from 'express';
import { z } from 'zod';
import type { Config, EnterpriseConfig } from '../../../config/schema';
import { BadRequestError } from '../../core/errors';
import type { ConsumptionService } from '../../figures/consumptionService';
import { isoInZone, parseInstant, yearBounds, type Every } from '../../energy/time';
import { DateTime } from 'luxon';
import { isTariffScope } from '../../energy/meterScope';
import type { StatusService } from '../../figures/statusService';
import { assertCanSee, principalOf } from '../auth';
import { instantQuery, parseInput } from '../validate';
import type { TimeSeriesStore } from '../../store/timeSeriesStore';
import { findEnterprise, meterLedgerFields, meterOverview, type TimelineLookup } from './meters';
import { sumFigures } from '../../figures/precision';

const consumptionQuery = z
  .object({
    from: z.string().optional(),
    to: z.string().optional(),
    every: z.enum(['1h', '1d', '1mo']).default('1d'),
  })
  .strict();

/** Most buckets one request may ask for (about 2 years of hours). */
const MAX_BUCKETS = 18_000;
const APPROX_BUCKET_MS: Record<Every, number> = { '1h': 3.6e6, '1d': 8.64e7, '1mo': 2.6e9 };

export function describeEnterprise(e: EnterpriseConfig, now: number, zone: string, tariffs: Config['tariffs'] = [], timelines?: TimelineLookup) {
  const inForce = (m: { id: string }) => timelines?.inForce?.({ enterprise: e.id, meter: m.id }, now);
  const { year } = yearBounds(now, zone);
  const quota = e.quotas.find((q) => q.year === year) ?? null;
  return {
    id: e.id,
    name: e.name,
    industry: e.industry,
    creditCode: e.creditCode ?? null,
    tariff: e.tariff ?? null,
    // The rule itself, so a reader sees the threshold the tier is measured against.
    tariffRule: tariffs.find((t) => t.id === e.tariff) ?? null,
    meters: e.meters.map((m) => ({
      id: m.id,
      name: m.name ?? null,
      carrier: m.carrier,
      product: m.product ?? null,
      unit: m.unit,
      kind: m.kind,
      // In force now (events, remembered base), not the YAML as written: what an officer checks before a CT change.
      multiplier: inForce(m)?.multiplier ?? m.multiplier,
      rollover: (inForce(m) ?? m).rollover ?? null,
      intervalSeconds: m.intervalSeconds,
      tariffScope: isTariffScope(m),
      submeter: m.submeter,
      // Contract 8.1: the meter list shows the calibration's valid-until date and any decommission.
      ...meterLedgerFields(timelines?.of({ enterprise: e.id, meter: m.id }), zone),
    })),
    quota,
    quotas: e.quotas,
  };
}

const statusQuery = z.object({ at: z.string().optional() }).strict();

export function enterprisesRouter(deps: {
  config: Config;
  consumption: ConsumptionService;
  status: StatusService;
  store: TimeSeriesStore;
  now: () => number;
  timelines?: TimelineLookup | undefined;
}): Router {
  const router = Router();
  const zone = deps.config.timezone;
  const find = (id: string): EnterpriseConfig => findEnterprise(deps.config, id);

  router.get('/', (_req, res) => {
    const p = principalOf(res);
    const visible = deps.config.enterprises.filter((e) => p.role !== 'enterprise' || e.id === p.enterprise);
    res.json(visible.map((e) => describeEnterprise(e, deps.now(), zone, deps.config.tariffs, deps.timelines)));
  });

  router.get('/:id', (req, res) => {
    assertCanSee(principalOf(res), req.params.id);
    res.json(describeEnterprise(find(req.params.id), deps.now(), zone, deps.config.tariffs, deps.timelines));
  });

  router.get('/:id/consumption', async (req, res) => {
    assertCanSee(principalOf(res), req.params.id);
    const e = find(req.params.id);
    const q = parseInput(consumptionQuery, req.query, 'query');
    const instant = (text: string | undefined, name: string): number | undefined => {
      if (text === undefined) return undefined;
      const ms = parseInstant(text, zone);
      if (ms === undefined) throw new BadRequestError(`${name} must be ISO-8601 (e.g. 2026-11-01 or 2026-11-01T00:00:00+08:00), got "${text}"`);
      return ms;
    };
    const now = deps.now();
    const defaultFrom = DateTime.fromMillis(now, { zone })
      .startOf(q.every === '1h' ? 'day' : q.every === '1d' ? 'month' : 'year')
      .toMillis();
    const rawFrom = instant(q.from, 'from') ?? defaultFrom;
    const rawTo = instant(q.to, 'to') ?? now;
    if (rawTo <= rawFrom) throw new BadRequestError('to must be after from');
    const { from, to } = deps.consumption.align(rawFrom, rawTo, q.every);
    if ((to - from) / APPROX_BUCKET_MS[q.every] > MAX_BUCKETS)
      throw new BadRequestError(`too many ${q.every} buckets; narrow from/to or use a coarser every`);
    const result = (await deps.consumption.series([e.id], from, to, q.every, { co2: true })).get(e.id);
    const series = result?.series ?? [];
    res.json({
      enterprise: e.id,
      from: isoInZone(from, zone),
      to: isoInZone(to, zone),
      every: q.every,
      timezone: zone,
      electricityBasis: deps.consumption.electricityBasis,
      series: series.map((s) => ({ ...s, time: isoInZone(s.time, zone) })),
      totals: {
        tce: sumFigures(series.map((s) => s.tce)),
        dualControlTce: sumFigures(series.map((s) => (s.dualControl ? s.tce : 0))),
        co2Kg: sumFigures(series.map((s) => s.co2Kg)),
      },
      coefficients: result?.coefficients ?? [],
      // CO2 by part over the whole range (contract 9; docs/carbon.md "CO2 by part in the consumption API").
      co2: result?.co2 ?? null,
    });
  });

  router.get('/:id/status', async (req, res) => {
    assertCanSee(principalOf(res), req.params.id);
    const e = find(req.params.id);
    const q = parseInput(statusQuery, req.query, 'query');
    const at = instantQuery(q.at, zone, deps.now());
    const status = (await deps.status.statusAt([e], at)).get(e.id);
    res.json(status);
  });

  router.get('/:id/meters', async (req, res) => {
    assertCanSee(principalOf(res), req.params.id);
    res.json(await meterOverview(find(req.params.id), deps, deps.now()));
  });

  return router;
}
