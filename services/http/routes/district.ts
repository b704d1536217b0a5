/**
 * GET /api/district/overview: the dashboard's first page in one answer. Today so far, month to
 * date and year to date in tce against the sum of the enterprises' quotas, by carrier and by
 * industry, and one row per enterprise with its dual-control light, intensity, tariff tier and
 * open alarms.
 * An enterprise manager gets the same shape for their own enterprise only (contract 5).
 */
import { Router } from 'express';
import { DateTime } from 'luxon';
import { z } from 'zod';
import type { Config } from '../../../config/schema';
import type { ConsumptionService } from '../../figures/consumptionService';
import { isoInZone, parseInstant, yearBounds } from '../../energy/time';
import { BadRequestError } from '../../core/errors';
import { periodBlock, resolvePeriod } from '../../figures/periodFigures';
import type { AlarmStore } from '../../store/state/alarmStore';
import type { StatusService } from '../../figures/statusService';
import { industryName } from '../../energy/industries';
import { principalOf } from '../auth';
import { parseInput } from '../validate';
import { figure, figureFields } from '../../figures/precision';

const overviewQuery = z.object({}).strict();
// Optional period (issue 21): plain dates of the site zone, `to` exclusive; both or neither.
const periodQuery = z
  .object({ from: z.string().max(40).optional(), to: z.string().max(40).optional() })
  .strict()
  .refine((q) => (q.from === undefined) === (q.to === undefined), { message: 'from and to go together' });

interface Figure {
  tce: number;
  dualControlTce: number;
  co2Kg: number;
}
const zero = (): Figure => ({ tce: 0, dualControlTce: 0, co2Kg: 0 });
function add(into: Figure, tce: number, dualControl: boolean, co2Kg: number): void {
  into.tce += tce;
  if (dualControl) into.dualControlTce += tce;
  into.co2Kg += co2Kg;
}

export function districtRouter(deps: {
  config: Config;
  consumption: ConsumptionService;
  status: StatusService;
  alarms: AlarmStore;
  now: () => number;
}): Router {
  const router = Router();
  const zone = deps.config.timezone;

  // The lights' thresholds alone, for pages that print a legend without the whole overview (the enterprise page).
  router.get('/thresholds', (req, res) => {
    parseInput(overviewQuery, req.query, 'query');
    res.json(lightThresholds(deps.config));
  });

  router.get('/overview', async (req, res) => {
    const p = principalOf(res);
    const pq = parseInput(periodQuery, req.query, 'query');
    const at = deps.now();
    const period =
      pq.from !== undefined && pq.to !== undefined ? resolvePeriod(dateParam(pq.from, 'from', zone), dateParam(pq.to, 'to', zone), at, zone) : null;
    const enterprises = deps.config.enterprises.filter((e) => p.role !== 'enterprise' || e.id === p.enterprise);
    const ids = enterprises.map((e) => e.id);
    const { year, start: yearStart } = yearBounds(at, zone);
    const monthStart = DateTime.fromMillis(at, { zone }).startOf('month').toMillis();
    const monthEnd = DateTime.fromMillis(monthStart, { zone }).plus({ months: 1 }).toMillis();
    // Monthly buckets of the year so far: the last is the month to date (no reading lies after now).
    const dayStart = DateTime.fromMillis(at, { zone }).startOf('day').toMillis();
    const dayEnd = DateTime.fromMillis(dayStart, { zone }).plus({ days: 1 }).toMillis();
    const [statuses, monthly, daily, periodFigures] = await Promise.all([
      deps.status.statusAt(enterprises, at),
      deps.consumption.series(ids, yearStart, monthEnd, '1mo'),
      deps.consumption.series(ids, dayStart, dayEnd, '1d'),
      period ? periodBlock(deps.consumption, enterprises, period, zone) : Promise.resolve(null),
    ]);
    const open = await deps.alarms.openAlarms();
    // "What changed today": today's consumption so far and the alarms raised since midnight.
    const today = zero();
    for (const id of ids) for (const s of daily.get(id)?.series ?? []) add(today, s.tce, s.dualControl, s.co2Kg);
    const visible = new Set(ids);
    const raisedToday = (await deps.alarms.raisedCounts(dayStart, at + 1)).reduce((n, c) => n + (visible.has(c.enterprise) ? c.n : 0), 0);

    const part = () => ({
      total: zero(),
      byCarrier: new Map<string, Figure & { quantity: number; unit: string }>(),
      byIndustry: new Map<string, Figure>(),
      byPark: new Map<string, Figure>(),
    });
    const month = part();
    const ytd = part();
    const carrierEntry = (m: typeof month.byCarrier, carrier: string, unit: string) => {
      let e = m.get(carrier);
      if (!e) m.set(carrier, (e = { ...zero(), quantity: 0, unit }));
      return e;
    };
    const industryEntry = (m: Map<string, Figure>, industry: string) => {
      let e = m.get(industry);
      if (!e) m.set(industry, (e = zero()));
      return e;
    };
    let quotaTotalTce = 0;
    const rows = enterprises.map((e) => {
      const status = statuses.get(e.id);
      let monthTce = 0;
      for (const s of monthly.get(e.id)?.series ?? []) {
        const parts = s.time === monthStart ? [ytd, month] : [ytd];
        if (s.time === monthStart && s.dualControl) monthTce += s.tce;
        for (const part of parts) {
          add(part.total, s.tce, s.dualControl, s.co2Kg);
          const c = carrierEntry(part.byCarrier, s.carrier, s.unit);
          c.quantity += s.quantity;
          add(c, s.tce, s.dualControl, s.co2Kg);
          add(industryEntry(part.byIndustry, e.industry), s.tce, s.dualControl, s.co2Kg);
          if (e.park !== undefined) add(industryEntry(part.byPark, e.park), s.tce, s.dualControl, s.co2Kg);
        }
      }
      const quota = e.quotas.find((x) => x.year === year);
      if (quota) quotaTotalTce += quota.totalTce;
      const alarms = { warning: 0, critical: 0, info: 0 };
      for (const a of open) if (a.enterprise === e.id) alarms[a.severity]++;
      return {
        id: e.id,
        name: e.name,
        industry: e.industry,
        park: e.park ?? null,
        monthTce: figure(monthTce),
        quota: status?.quota ?? null,
        intensity: status?.intensity ?? null,
        tariff: status?.tariff ?? null,
        alarms,
      };
    });
    // Sums of figures are rounded again by the figure rule (contract 8: no float noise).
    const view = (part: typeof month) => ({
      ...figureFields(part.total),
      byCarrier: Object.fromEntries([...part.byCarrier].sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => [k, figureFields(v)])),
      byIndustry: Object.fromEntries([...part.byIndustry].sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => [k, figureFields(v)])),
      // Parks (contract 9: district views group by park too); enterprises outside any park are in no entry.
      byPark: Object.fromEntries([...part.byPark].sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => [k, figureFields(v)])),
    });
    res.json({
      at: isoInZone(at, zone),
      timezone: zone,
      year,
      electricityBasis: deps.consumption.electricityBasis,
      today: { from: isoInZone(dayStart, zone), to: isoInZone(at, zone), ...figureFields(today), alarmsRaised: raisedToday },
      month: { from: isoInZone(monthStart, zone), to: isoInZone(Math.min(at, monthEnd), zone), ...view(month) },
      ytd: {
        from: isoInZone(yearStart, zone),
        to: isoInZone(at, zone),
        ...view(ytd),
        quotaTotalTce,
        share: quotaTotalTce > 0 ? figure(ytd.total.dualControlTce / quotaTotalTce) : null,
      },
      industries: Object.fromEntries([...new Set(enterprises.map((e) => e.industry))].map((code) => [code, industryName(code)])),
      parks: Object.fromEntries(deps.config.parks.filter((p) => enterprises.some((e) => e.park === p.id)).map((p) => [p.id, p.name])),
      enterprises: rows,
      thresholds: lightThresholds(deps.config),
      // Only when from/to were asked: every field above stays as it was.
      ...(periodFigures && { period: periodFigures }),
    });
  });

  return router;
}

/** A period end as given: ISO-8601, read in the site zone when it carries no offset. */
function dateParam(text: string, name: string, zone: string): number {
  const ms = parseInstant(text, zone);
  if (ms === undefined) throw new BadRequestError(`${name} must be a date such as 2026-11-01, got "${text}"`);
  return ms;
}

/**
 * The configured thresholds of the lights (contract 3 rules), so that a page can print a legend of
 * what green, yellow and red mean with the figures actually in force (issue 21).
 */
function lightThresholds(config: Config) {
  const { quota, intensity, carbon } = config.rules;
  return {
    quota,
    intensity,
    carbon: {
      paceYellow: carbon.paceYellow,
      paceRed: carbon.paceRed,
      shareYellow: carbon.shareYellow,
      shareRed: carbon.shareRed,
      intensityYellow: carbon.intensityYellow,
      intensityRed: carbon.intensityRed,
    },
  };
}
