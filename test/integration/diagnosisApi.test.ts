/**
 * GET /api/enterprises/{id}/diagnosis (contract 11) on the running service with the embedded SQLite
 * store: a month whose base load, off-hours and time-of-use shares, anomalous day and product trend
 * are computed by hand below; the per-meter view; refusals (400, 404) and the enterprise token.
 *
 * The profile of alu01, hourly kW in Asia/Shanghai, 6 April to 30 June 2026 (6 April and 1 June
 * are Mondays):
 * - electricity (e-grid, and in June e-pv renewable 100 kWh at 11:00 with e-grid 100 lower, so their
 *   sum is unchanged): 00-08 at 80 kW, 08-18 at 400 kW, 18-24 at 200 kW: 640 + 4,000 + 1,200 =
 *   5,840 kWh a day. In June, 1-18 June, 02:00 and 03:00 drop to 50 kW and 04:00 and 05:00 rise to
 *   110 kW (36 hours of each; the day's total stays 5,840).
 * - History weeks (week w = 0..7 from 6 April): 12:00 gets v = [0, +20, -20, +40, -40, +10, -10, 0][w] kWh.
 * - Injected: Wednesday 10 June +2,000 kWh at 12:00 (the anomaly); Wednesday 17 June +50 kWh at 12:00
 *   (a normal day off the median).
 * - gas: 10 m3 every hour of every day (constant, so it moves no deviation).
 * - e-pot: a sub-meter inside aluminium_liquid's boundary only; in June, day d: 2 x (1,000 + 10 d) kWh at
 *   03:00, and `out` 2 t at 00:00: 1,000 + 10 d kWh/t, a slope of exactly 10 kWh/t a day.
 */
import { DateTime } from 'luxon';
import { parseConfig } from '../../config/load';
import type { HourlyConsumption } from '../../services/store/timeSeriesStore';
import { authSection, startApp, TOKENS, type RunningApp } from '../helpers/app';

const ZONE = 'Asia/Shanghai';
const NOW = Date.parse('2026-07-10T12:00:00+08:00');
const V = [0, 20, -20, 40, -40, 10, -10, 0];

const config = parseConfig(`
enterprises:
  - id: alu01
    name: 测试铝业
    industry: "3216"
    products:
      - {product: aluminium_liquid, meters: [e-pot]}
    meters:
      - {id: e-grid, carrier: electricity, unit: kWh, kind: counter}
      - {id: e-pv, carrier: renewable_electricity, unit: kWh, kind: counter}
      - {id: e-pot, carrier: electricity, unit: kWh, kind: counter, submeter: true}
      - {id: gas, carrier: natural_gas, unit: m3, kind: counter}
      - {id: out, carrier: product, product: aluminium_liquid, unit: t, kind: counter}
  - id: cem01
    name: 测试水泥
    industry: "3011"
    meters:
      - {id: e-main, carrier: electricity, unit: kWh, kind: counter}
`);

function hours(): HourlyConsumption[] {
  const out: HourlyConsumption[] = [];
  const add = (meter: string, carrier: string, unit: string, hour: number, quantity: number) =>
    out.push({ enterprise: 'alu01', meter, carrier, unit, hour, quantity });
  const start = DateTime.fromISO('2026-04-06T00:00', { zone: ZONE });
  for (let i = 0; i < 86; i++) {
    const day = start.plus({ days: i });
    const june = day.month === 6;
    for (let h = 0; h < 24; h++) {
      const at = day.plus({ hours: h }).toMillis();
      let kw = h < 8 ? 80 : h < 18 ? 400 : 200;
      if (june && day.day <= 18 && (h === 2 || h === 3)) kw = 50;
      if (june && day.day <= 18 && (h === 4 || h === 5)) kw = 110;
      if (!june && h === 12) kw += V[Math.floor(i / 7)]!;
      if (june && h === 12 && day.day === 10) kw += 2000;
      if (june && h === 12 && day.day === 17) kw += 50;
      if (june && h === 11) {
        add('e-pv', 'renewable_electricity', 'kWh', at, 100);
        kw -= 100;
      }
      add('e-grid', 'electricity', 'kWh', at, kw);
      add('gas', 'natural_gas', 'm3', at, 10);
      if (june && h === 3) add('e-pot', 'electricity', 'kWh', at, 2 * (1000 + 10 * day.day));
      if (june && h === 0) add('out', 'product', 't', at, 2);
    }
  }
  return out;
}

interface Body {
  [k: string]: unknown;
  baseLoad: Record<string, unknown>;
  offHours: Record<string, unknown>;
  timeOfUse: { shares: Record<string, number> | null; quantities: Record<string, number> | null; note: string | null; [k: string]: unknown };
  anomalies: { days: Record<string, unknown>[]; notJudged: unknown[]; judgedDays: number; definition: Record<string, string> };
  products: { product: string; days: Record<string, unknown>[]; trend: Record<string, Record<string, number> | null>; boundary: string[] }[];
}

describe('GET /api/enterprises/{id}/diagnosis', () => {
  let svc: RunningApp;
  beforeAll(async () => {
    svc = await startApp({ ...config, auth: authSection() }, {}, { now: () => NOW });
    await svc.app.store.write({ readings: [], hourly: hours() });
  });
  afterAll(async () => svc?.stop());

  it('gives the enterprise figures of June 2026 with their definitions', async () => {
    const res = await svc.get('/api/enterprises/alu01/diagnosis?month=2026-06', TOKENS.auditor);
    expect(res.status).toBe(200);
    const b = res.body as Body;
    expect(b).toMatchObject({ enterprise: 'alu01', meter: null, month: '2026-06', complete: true, meters: ['e-grid', 'e-pv'] });
    // 720 hours: 36 x 50, 36 x 110, 168 x 80, 300 x 400 (+2,000 and +50 in two of them), 180 x 200;
    // sorted x0..x35 = 50, x36 = 80; h = 719 x 0.05 = 35.95 -> 50 + 0.95 x 30 = 78.5 kW (the sub-meter's
    // 03:00 kWh would lift the 50s if it were counted). Total = 30 x 5,840 + 2,050 = 177,250 kWh;
    // mean 177,250 / 720 = 246.180556 kW; ratio 78.5 x 720 / 177,250 = 56,520 / 177,250 = 0.31887165
    expect(b.baseLoad).toMatchObject({ baseLoad: 78.5, meanLoad: 246.180556, ratio: 0.31887165, unit: 'kW', hoursWithData: 720, hoursInPeriod: 720 });
    expect(b.baseLoad.definition).toEqual({
      'zh-CN': expect.stringContaining('第 5 百分位数') as string,
      en: expect.stringContaining('5th percentile') as string,
    });
    // worked (Mon-Fri 08-18): 22 weekdays x 10 h x 400 + 2,050 (both injections at 12:00 on Wednesdays) = 90,050;
    // off = 177,250 - 90,050 = 87,200; share 87,200 / 177,250 = 0.491960508
    expect(b.offHours).toMatchObject({
      share: 0.491960508,
      offHoursQuantity: 87200,
      totalQuantity: 177250,
      unit: 'kWh',
      continuous: false,
      scheduleFrom: 'configuration',
    });
    // a day: peak 11-17 (6 x 400) + 20-22 (2 x 200) = 2,800; flat 08-11 (1,200) + 17-18 (400) + 18-20 (400) + 22-24 (400) = 2,400;
    // valley 00-08 = 640. Month: peak 84,000 + 2,050 = 86,050, flat 72,000, valley 19,200.
    expect(b.timeOfUse.quantities).toEqual({ sharp: 0, peak: 86050, flat: 72000, valley: 19200 });
    // 86,050 / 177,250 = 0.485472496; 72,000 / 177,250 = 0.406205924; 19,200 / 177,250 = 0.10832158
    expect(b.timeOfUse.shares).toEqual({ sharp: 0, peak: 0.485472496, flat: 0.406205924, valley: 0.10832158 });
    expect(b.timeOfUse.note).toBeNull();
  });

  it('flags the injected day with its excess in tce and not the normal one', async () => {
    const b = (await svc.get('/api/enterprises/alu01/diagnosis?month=2026-06')).body as Body;
    // Every June day has 8 same-weekday days of history (from 6 April on): 30 judged.
    expect(b.anomalies.judgedDays).toBe(30);
    expect(b.anomalies.notJudged).toEqual([]);
    // 10 June: history 3 June (v 0) and the Wednesdays of weeks 1..7 (v +20 -20 +40 -40 +10 -10 0): median v 0,
    // MAD 15 kWh (|v| sorted 0 0 10 10 20 20 40 40). In tce (0.1229 kgce/kWh): median 5,840 kWh + 240 m3 gas
    // = 0.717736 + 240 x 1.2143 / 1000 = 0.717736 + 0.291432 = 1.009168 tce; spread 1.4826 x 15 x 0.1229 / 1000
    // = 0.0027331731; deviation 2,000 kWh = 0.2458 tce (0.611 tce at the equal value 0.3055 kgce/kWh);
    // score 2,000 / (1.4826 x 15) = 89.9321013
    expect(b.anomalies.days).toEqual([
      {
        date: '2026-06-10',
        weekday: 'wed',
        value: 1.254968,
        median: 1.009168,
        deviation: 0.2458,
        score: 89.9321013,
        spread: 0.0027331731,
        spreadMethod: 'scaled-mad',
        historyDays: 8,
        direction: 'above',
        excessTce: 0.2458,
        excessTceOtherBasis: 0.611,
      },
    ]);
    // 17 June (+50 kWh): history median v 0, MAD 15 kWh: 50 / 22.239 = 2.25 scaled MADs, under 3: not listed.
    expect(b.anomalies.days.map((d) => d.date)).not.toContain('2026-06-17');
  });

  it('gives unit consumption of the product by day with a slope of 10 kWh/t a day', async () => {
    const b = (await svc.get('/api/enterprises/alu01/diagnosis?month=2026-06')).body as Body;
    const p = b.products.find((x) => x.product === 'aluminium_liquid')!;
    expect(p.boundary).toEqual(['e-pot']);
    expect(p.days).toHaveLength(30);
    // 1 June: 2,020 kWh / 2 t = 1,010 kWh/t; 2,020 x 0.1229 = 248.258 kgce, 124.129 kgce/t
    expect(p.days[0]).toEqual({ date: '2026-06-01', quantity: 2, kgceEquivalent: 248.258, acKwh: 2020, kgcePerUnit: 124.129, kwhAcPerUnit: 1010 });
    // y = 1,000 + 10 d: slope 10 kWh/t a day; mean over d = 1..30 is 1,155; change over 29 days 290; 290 / 1,155 = 0.251082251
    expect(p.trend.kwhAcPerUnit).toEqual({ slopePerDay: 10, relativeChange: 0.251082251, days: 30 });
    // kgce/t = 0.1229 x kWh/t: slope 1.229, the same relative change
    expect(p.trend.kgcePerUnit).toEqual({ slopePerDay: 1.229, relativeChange: 0.251082251, days: 30 });
  });

  it('gives one meter in its own unit, without time-of-use for gas', async () => {
    const res = await svc.get('/api/enterprises/alu01/diagnosis?month=2026-06&meter=gas', TOKENS.alu01);
    expect(res.status).toBe(200);
    const b = res.body as Body;
    expect(b).toMatchObject({ meter: 'gas', meters: ['gas'], products: [] });
    expect(b.baseLoad).toMatchObject({ baseLoad: 10, meanLoad: 10, ratio: 1, unit: 'm3/h' });
    // 720 h x 10 m3 = 7,200; worked 220 h x 10 = 2,200; off 5,000 / 7,200 = 0.694444444
    expect(b.offHours).toMatchObject({ share: 0.694444444, offHoursQuantity: 5000, totalQuantity: 7200, unit: 'm3' });
    expect(b.timeOfUse).toMatchObject({ shares: null, quantities: null });
    expect(b.timeOfUse.note).toMatch(/natural_gas/);
    // a constant 240 m3 every day: a constant history, no anomaly
    expect(b.anomalies).toMatchObject({ unit: 'm3', judgedDays: 30, days: [] });
  });

  it('refuses a missing, malformed or future month, an unknown meter, and another enterprise', async () => {
    expect((await svc.get('/api/enterprises/alu01/diagnosis')).status).toBe(400);
    expect((await svc.get('/api/enterprises/alu01/diagnosis?month=2026-13')).status).toBe(400);
    expect((await svc.get('/api/enterprises/alu01/diagnosis?month=June')).status).toBe(400);
    expect((await svc.get('/api/enterprises/alu01/diagnosis?month=2026-08')).status).toBe(400);
    expect((await svc.get('/api/enterprises/alu01/diagnosis?month=2026-06&every=1h')).status).toBe(400);
    expect((await svc.get('/api/enterprises/alu01/diagnosis?month=2026-06&meter=e-main')).status).toBe(404);
    expect((await svc.get('/api/enterprises/nope/diagnosis?month=2026-06')).status).toBe(404);
    expect((await svc.get('/api/enterprises/cem01/diagnosis?month=2026-06', TOKENS.alu01)).status).toBe(404);
  });

  it('answers the running month up to the current hour', async () => {
    const b = (await svc.get('/api/enterprises/alu01/diagnosis?month=2026-07')).body as Body;
    expect(b).toMatchObject({ complete: false, from: '2026-07-01T00:00:00.000+08:00', to: '2026-07-10T12:00:00.000+08:00' });
    // no July data: no base load; 9 complete days, each without data
    expect(b.baseLoad).toMatchObject({ baseLoad: null, hoursWithData: 0, hoursInPeriod: 228 });
    expect(b.anomalies.notJudged).toHaveLength(9);
  });
});
