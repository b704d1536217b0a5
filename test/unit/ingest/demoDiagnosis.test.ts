/**
 * The demo's visible anomaly (issue 16 item 6): on the second Wednesday of every month pha01's
 * compressors and clean-room air handling stay on outside the shift (profiles.ts, incidents.ts), and
 * the diagnosis must list that day as anomalous. Daily figures are computed here from the simulated
 * meters (MeterModel: counters and the interval meters with their noise) and judged by the service's
 * own rule (services/energy/diagnosis.ts judgeDay, contract 11), never copied from a run.
 *
 * Hand figures: 11 h (00:00-07:00, 20:00-24:00) x 960 kW = 10,560 kWh x 0.1229 kgce/kWh = 1.298 tce,
 * and 11 h x 1.84 t/h = 20.24 t of steam x 128.6 kgce/t = 2.603 tce: 3.901 tce more, on a weekday of
 * ~30 tce (electricity ~80,700 kWh = ~9.9 tce, steam ~150 t = ~19.3 tce, water, rooftop PV).
 */
import { DateTime } from 'luxon';
import { DEMO_CONFIG_PATH, loadConfigFile } from '../../../config/load';
import { COEFFICIENTS } from '../../../config/coefficients';
import type { EnterpriseConfig, MeterConfig } from '../../../config/schema';
import { judgeDay, type Judgement } from '../../../services/energy/diagnosis';
import { FactorTable } from '../../../services/energy/factors';
import { incidentDay, incidentIntegral, incidentRate } from '../../../ingest/simulator/incidents';
import { MeterModel } from '../../../ingest/simulator/meterModel';

const ZONE = 'Asia/Shanghai';
const OFFSET = 8 * 3_600_000;
const config = loadConfigFile(DEMO_CONFIG_PATH);
const factors = new FactorTable(config, COEFFICIENTS);
const pha = config.enterprises.find((e) => e.id === 'pha01')!;
const rule = config.diagnosis.anomaly;
const KWH_EXTRA = 11 * 960;

/** A day's quantity of a simulated meter: register difference (counters) or the sum of the readings ending in the day (interval). */
function dayQuantity(e: EnterpriseConfig, m: MeterConfig, model: MeterModel, day: DateTime): number {
  const from = day.toMillis();
  const to = day.plus({ days: 1 }).toMillis();
  if (m.kind === 'counter') return (model.registerAt(to) - model.registerAt(from)) * m.multiplier;
  let q = 0;
  for (let ts = from + model.intervalMs; ts <= to; ts += model.intervalMs) q += model.valueAt(ts);
  return q;
}

const cache = new Map<string, { tce: number; kwh: number }>();
/** The enterprise view's daily figure (tce of every non-sub-meter carrier that counts in intensity) and e-main's kWh. */
function daily(day: DateTime): { tce: number; kwh: number } {
  const key = day.toISODate()!;
  const hit = cache.get(key);
  if (hit) return hit;
  const year = factors.forYear(day.year);
  let tce = 0;
  let kwh = 0;
  for (const m of pha.meters) {
    const f = year.meter(m);
    if (!f || m.submeter || m.carrier === 'product') continue;
    const q = dayQuantity(pha, m, models.get(m.id)!, day) * f.toCarrierUnit;
    if (f.intensity) tce += (q * f.kgcePerUnit) / 1000;
    if (m.id === 'e-main') kwh = q;
  }
  const out = { tce, kwh };
  cache.set(key, out);
  return out;
}
const models = new Map(pha.meters.map((m) => [m.id, new MeterModel({ enterprise: pha, meter: m, utcOffsetMs: OFFSET, resets: false })]));

/** Contract 11: the day against the same weekday of the previous 8 weeks. */
function judge(day: DateTime, pick: (d: { tce: number; kwh: number }) => number): Judgement {
  const history = Array.from({ length: rule.weeks }, (_, i) => pick(daily(day.minus({ weeks: i + 1 }))));
  return judgeDay(pick(daily(day)), history, rule);
}

const medianOf = (j: Judgement) => (j.judged ? j.median : NaN);

describe('incident days', () => {
  it('the second Wednesday: 2026-11-11, 2026-12-09, 2027-01-13 (calendar)', () => {
    expect([incidentDay(2026, 11), incidentDay(2026, 12), incidentDay(2027, 1)]).toEqual([11, 9, 13]);
    expect(DateTime.fromObject({ year: 2026, month: 4, day: incidentDay(2026, 4) }).weekday).toBe(3);
  });

  it('the extra load is 960 kW only in the incident hours, and its integral grows by 10,560 kWh a month', () => {
    const inc = {
      extraPerHour: 960,
      hours: [
        [0, 7],
        [20, 24],
      ] as const,
    };
    const day = Date.UTC(2026, 10, 11); // local ms of 2026-11-11 00:00
    expect([3, 6.99, 7, 12, 19.99, 20, 23.5].map((h) => incidentRate(inc, day + h * 3_600_000))).toEqual([960, 960, 0, 0, 0, 960, 960]);
    expect(incidentIntegral(inc, Date.UTC(2026, 11, 1)) - incidentIntegral(inc, Date.UTC(2026, 10, 1))).toBeCloseTo(KWH_EXTRA, 6);
    // Half way through the evening part: 7 h x 960 + 2 h x 960 = 8,640 kWh of that day.
    expect(incidentIntegral(inc, day + 22 * 3_600_000) - incidentIntegral(inc, day)).toBeCloseTo(8_640, 6);
  });
});

describe('the diagnosis finds the demo anomaly (pha01)', () => {
  const months = Array.from({ length: 12 }, (_, i) => DateTime.fromObject({ year: 2026, month: 3 }, { zone: ZONE }).plus({ months: i }));

  it.each(months.map((m) => [m.toFormat('yyyy-MM'), m] as const))(
    '%s: the incident day is anomalous (above) for the enterprise and for e-main',
    (_label, month) => {
      const day = month.set({ day: incidentDay(month.year, month.month) });
      const enterprise = judge(day, (d) => d.tce);
      const meter = judge(day, (d) => d.kwh);
      expect(enterprise).toMatchObject({ judged: true, anomalous: true, direction: 'above' });
      expect(meter).toMatchObject({ judged: true, anomalous: true, direction: 'above' });
      // Excess = the day's figure - the history's median: the 10,560 kWh by hand, within the wiggles
      // (meter) and the rooftop PV's cloudiness (enterprise, in tce).
      expect(daily(day).kwh - medianOf(meter)).toBeGreaterThan(0.97 * KWH_EXTRA);
      expect(daily(day).kwh - medianOf(meter)).toBeLessThan(1.03 * KWH_EXTRA);
      expect(daily(day).tce - medianOf(enterprise)).toBeGreaterThan(0.85 * 3.901);
      expect(daily(day).tce - medianOf(enterprise)).toBeLessThan(1.15 * 3.901);
    },
  );

  it('November 2026 (the month before the demo date): e-main flags the 11th only; the enterprise view flags it too', () => {
    const month = DateTime.fromObject({ year: 2026, month: 11 }, { zone: ZONE });
    const flagged = { meter: [] as string[], enterprise: [] as string[] };
    for (let day = month; day < month.plus({ months: 1 }); day = day.plus({ days: 1 })) {
      const [m, e] = [judge(day, (d) => d.kwh), judge(day, (d) => d.tce)];
      if (m.judged && m.anomalous) flagged.meter.push(day.toISODate()!);
      if (e.judged && e.anomalous) flagged.enterprise.push(day.toISODate()!);
    }
    expect(flagged.meter).toEqual(['2026-11-11']);
    expect(flagged.enterprise).toContain('2026-11-11');
  });
});
