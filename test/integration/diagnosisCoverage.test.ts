/**
 * Hours and days without reading coverage are left out of the diagnosis (docs/diagnosis.md), although
 * ingest stores an explicit 0 kWh for every hour of a power meter's gap. The reviewer's case: a power
 * meter reading a constant 100 kW every 15 minutes from 1 October 2026, with no reading between
 * 10 November 10:00 and 12 November 10:00 (48 h, Asia/Shanghai). The hourly values are what ingest
 * stores (services/energy/consumption.ts hourlyFromSamples: 100 kWh an hour, 0 in the gap).
 */
import { DateTime } from 'luxon';
import { parseConfig } from '../../config/load';
import { hourlyFromSamples } from '../../services/energy/consumption';
import type { Reading } from '../../services/energy/reading';
import type { HourlyConsumption } from '../../services/store/timeSeriesStore';
import { authSection, startApp, TOKENS, type RunningApp } from '../helpers/app';

const ZONE = 'Asia/Shanghai';
const NOW = Date.parse('2026-12-05T12:00:00+08:00');
const STEP = 15 * 60_000;

const config = parseConfig(`
enterprises:
  - id: gap01
    name: 测试缺数
    industry: "3011"
    diagnosis: {workingHours: continuous}
    meters:
      - {id: p-main, carrier: electricity, unit: kW, kind: power, intervalSeconds: 900}
`);

function data(): { readings: Reading[]; hourly: HourlyConsumption[] } {
  const from = DateTime.fromISO('2026-10-01T00:00', { zone: ZONE }).toMillis();
  const to = DateTime.fromISO('2026-12-01T00:00', { zone: ZONE }).toMillis();
  const gapFrom = DateTime.fromISO('2026-11-10T10:00', { zone: ZONE }).toMillis();
  const gapTo = DateTime.fromISO('2026-11-12T10:00', { zone: ZONE }).toMillis();
  const readings: Reading[] = [];
  for (let ts = from; ts <= to; ts += STEP)
    if (ts <= gapFrom || ts >= gapTo) readings.push({ enterprise: 'gap01', meter: 'p-main', ts, value: 100, quality: 'good' });
  const totals = hourlyFromSamples({ kind: 'power', multiplier: 1, intervalMs: STEP }, readings);
  const hourly = [...totals].map(([hour, quantity]) => ({
    enterprise: 'gap01',
    meter: 'p-main',
    carrier: 'electricity',
    unit: 'kWh',
    hour,
    quantity,
  }));
  return { readings, hourly };
}

interface Body {
  baseLoad: Record<string, unknown>;
  anomalies: { days: unknown[]; judgedDays: number; notJudged: { date: string; reason: string }[]; series: { date: string }[] };
}

describe('diagnosis: hours without reading coverage are not 0 kW', () => {
  let svc: RunningApp;
  beforeAll(async () => {
    svc = await startApp({ ...config, auth: authSection() }, {}, { now: () => NOW });
    const { readings, hourly } = data();
    // the premise: ingest's 48 zero hours are stored
    expect(hourly.filter((h) => h.quantity === 0)).toHaveLength(48);
    await svc.app.store.write({ readings, hourly });
  });
  afterAll(async () => svc?.stop());

  it('gives base and mean load 100 kW over the 672 covered hours of November', async () => {
    const res = await svc.get('/api/enterprises/gap01/diagnosis?month=2026-11', TOKENS.auditor);
    expect(res.status).toBe(200);
    // 720 hours in November less the 48 of the gap = 672, each 100 kW: P5 = mean = 100, ratio 1
    expect((res.body as Body).baseLoad).toMatchObject({ baseLoad: 100, meanLoad: 100, ratio: 1, hoursWithData: 672, hoursInPeriod: 720 });
  });

  it('does not judge the three days the gap touches and flags no other day', async () => {
    const { anomalies } = (await svc.get('/api/enterprises/gap01/diagnosis?month=2026-11', TOKENS.auditor)).body as Body;
    // 10 Nov (10:00-24:00 missing), 11 Nov (all), 12 Nov (00:00-10:00) are incomplete
    expect(anomalies.notJudged.filter((n) => n.reason === 'incomplete-day').map((n) => n.date)).toEqual(['2026-11-10', '2026-11-11', '2026-11-12']);
    expect(anomalies.series.map((d) => d.date)).not.toContain('2026-11-10');
    // every other day is 2,400 kWh against a same-weekday history of 2,400 kWh days (the gap days left out)
    expect(anomalies.days).toEqual([]);
    expect(anomalies.judgedDays).toBe(27);
  });

  it('takes the meter view alike', async () => {
    const b = (await svc.get('/api/enterprises/gap01/diagnosis?month=2026-11&meter=p-main', TOKENS.auditor)).body as Body;
    expect(b.baseLoad).toMatchObject({ baseLoad: 100, meanLoad: 100, hoursWithData: 672 });
  });
});

/**
 * A decommissioned meter stays configured (contract 8.1) and is asked for no coverage after its
 * decommission. dec01: p-main 100 kW all November; p-old 50 kW until it is decommissioned on
 * 20 November 00:00. Recording the event recomputes p-old from its readings, and its reading at the
 * decommission instant no longer counts (nothing of the meter counts from r on), so its last pair is
 * 23:30-23:45: the hour 19 Nov 23:00 holds 37.5 kWh, not 50. Hourly: 456 hours before r (one of them
 * 137.5 kW), 264 after at 100 kW, every hour with data (720). Mean (456 x 150 - 12.5 + 264 x 100) / 720
 * = 94,787.5 / 720 = 131.649306 kW; P5 at rank (720 - 1) x 0.05 = 35.95 among the 264 values of 100:
 * 100 kW; ratio 100 / 131.649306 = 0.759593828.
 */
describe('diagnosis: a decommissioned meter is not asked for hours after its decommission', () => {
  let svc: RunningApp;
  const decommissionAt = DateTime.fromISO('2026-11-20T00:00', { zone: ZONE }).toMillis();
  beforeAll(async () => {
    const decConfig = parseConfig(`
enterprises:
  - id: dec01
    name: 测试停用
    industry: "3011"
    diagnosis: {workingHours: continuous}
    meters:
      - {id: p-main, carrier: electricity, unit: kW, kind: power, intervalSeconds: 900}
      - {id: p-old, carrier: electricity, unit: kW, kind: power, intervalSeconds: 900}
`);
    svc = await startApp({ ...decConfig, auth: authSection() }, {}, { now: () => NOW });
    const from = DateTime.fromISO('2026-10-01T00:00', { zone: ZONE }).toMillis();
    const to = DateTime.fromISO('2026-12-01T00:00', { zone: ZONE }).toMillis();
    const readings: Reading[] = [];
    for (let ts = from; ts <= to; ts += STEP) {
      readings.push({ enterprise: 'dec01', meter: 'p-main', ts, value: 100, quality: 'good' });
      if (ts <= decommissionAt) readings.push({ enterprise: 'dec01', meter: 'p-old', ts, value: 50, quality: 'good' });
    }
    // Hourly values as stated (100 and 50 kWh an hour), so the figures below are exact by hand.
    const hourly: HourlyConsumption[] = [];
    for (let hour = from; hour < to; hour += 3_600_000) {
      hourly.push({ enterprise: 'dec01', meter: 'p-main', carrier: 'electricity', unit: 'kWh', hour, quantity: 100 });
      if (hour < decommissionAt) hourly.push({ enterprise: 'dec01', meter: 'p-old', carrier: 'electricity', unit: 'kWh', hour, quantity: 50 });
    }
    await svc.app.store.write({ readings, hourly });
    const res = await svc.post(
      '/api/enterprises/dec01/meters/p-old/events',
      { type: 'decommission', at: '2026-11-20T00:00:00+08:00', note: 'line shut down' },
      TOKENS.admin,
    );
    expect(res.status).toBe(201);
  });
  afterAll(async () => svc?.stop());

  it('counts every hour of November, the 264 after the decommission on p-main alone', async () => {
    const b = (await svc.get('/api/enterprises/dec01/diagnosis?month=2026-11', TOKENS.auditor)).body as Body;
    expect(b.baseLoad).toMatchObject({ baseLoad: 100, meanLoad: 131.649306, hoursWithData: 720, hoursInPeriod: 720 });
    expect(b.baseLoad.ratio).toBeCloseTo(0.759593828, 9);
    expect(b.anomalies.notJudged.filter((n) => n.reason === 'incomplete-day')).toEqual([]);
  });
});
