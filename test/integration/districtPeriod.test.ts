/**
 * GET /api/district/overview?from=&to= (issue 21): the period block with its previous period (环比)
 * and the same period a year earlier (同比), figures computed by hand from hourly values written to
 * the store. Electricity 0.1229 kgce/kWh (当量值, the default basis) and 0.5306 kg CO2/kWh (2023 row,
 * used for 2025 and 2026); natural gas 1.2143 kgce/m3 (config/coefficients.yaml).
 */
import { DateTime } from 'luxon';
import { parseConfig } from '../../config/load';
import type { HourlyConsumption } from '../../services/store/timeSeriesStore';
import { authSection, startApp, TOKENS, type RunningApp } from '../helpers/app';

const ZONE = 'Asia/Shanghai';
// Monday 7 December 2026, noon in the site zone: December is in progress.
const NOW = Date.parse('2026-12-07T12:00:00+08:00');

const config = parseConfig(`
timezone: ${ZONE}
parks:
  - {id: baitao, name: 白涛化工园区}
enterprises:
  - id: alu01
    name: 测试铝业
    industry: "3216"
    meters:
      - {id: e-main, carrier: electricity, unit: kWh, kind: counter}
  - id: cem01
    name: 测试水泥
    industry: "3011"
    park: baitao
    meters:
      - {id: e-main, carrier: electricity, unit: kWh, kind: counter}
      - {id: gas, carrier: natural_gas, unit: m3, kind: counter}
`);

const hour = (iso: string) => DateTime.fromISO(iso, { zone: ZONE }).toMillis();
const HOURS: HourlyConsumption[] = [
  { enterprise: 'alu01', meter: 'e-main', carrier: 'electricity', unit: 'kWh', hour: hour('2026-12-03T10:00'), quantity: 10_000 },
  { enterprise: 'alu01', meter: 'e-main', carrier: 'electricity', unit: 'kWh', hour: hour('2026-11-05T10:00'), quantity: 5_000 },
  { enterprise: 'alu01', meter: 'e-main', carrier: 'electricity', unit: 'kWh', hour: hour('2026-11-20T10:00'), quantity: 99_999 },
  { enterprise: 'alu01', meter: 'e-main', carrier: 'electricity', unit: 'kWh', hour: hour('2025-12-02T10:00'), quantity: 20_000 },
  { enterprise: 'alu01', meter: 'e-main', carrier: 'electricity', unit: 'kWh', hour: hour('2025-12-10T10:00'), quantity: 7_000 },
  { enterprise: 'cem01', meter: 'gas', carrier: 'natural_gas', unit: 'm3', hour: hour('2026-12-04T08:00'), quantity: 100 },
  { enterprise: 'cem01', meter: 'e-main', carrier: 'electricity', unit: 'kWh', hour: hour('2025-12-05T08:00'), quantity: 2_000 },
];

interface Part {
  from: string;
  to: string;
  tce: number;
  dualControlTce: number;
  co2Kg: number;
  byCarrier: Record<string, { tce: number; quantity: number; co2Kg: number }>;
  byIndustry: Record<string, { tce: number }>;
  byPark: Record<string, { tce: number }>;
}
interface Period extends Part {
  kind: string;
  days: number;
  partial: boolean;
  previous: Part;
  yearEarlier: Part;
}

describe('GET /api/district/overview with a period', () => {
  let svc: RunningApp;
  beforeAll(async () => {
    svc = await startApp({ ...config, auth: authSection() }, {}, { now: () => NOW });
    await svc.app.store.write({ readings: [], hourly: HOURS });
  });
  afterAll(async () => svc?.stop());

  const period = async (query: string, token: string = TOKENS.auditor): Promise<Period> => {
    const res = await svc.get(`/api/district/overview?${query}`, token);
    expect(res.status).toBe(200);
    return (res.body as { period: Period }).period;
  };

  it('answers the month in progress up to today, compared day for day', async () => {
    const p = await period('from=2026-12-01&to=2027-01-01');
    expect(p).toMatchObject({ kind: 'month', days: 7, partial: true, from: '2026-12-01T00:00:00.000+08:00', to: '2026-12-08T00:00:00.000+08:00' });
    // 10,000 kWh x 0.1229 = 1,229 kgce = 1.229 tce; 100 m3 x 1.2143 = 121.43 kgce = 0.12143 tce; sum 1.35043.
    expect(p.tce).toBeCloseTo(1.35043, 9);
    expect(p.byCarrier.electricity).toMatchObject({ quantity: 10_000 });
    expect(p.byCarrier.electricity!.tce).toBeCloseTo(1.229, 9);
    // 10,000 kWh x 0.5306 = 5,306 kg CO2.
    expect(p.byCarrier.electricity!.co2Kg).toBeCloseTo(5306, 6);
    expect(p.byCarrier.natural_gas!.tce).toBeCloseTo(0.12143, 9);
    expect(p.byIndustry['3216']!.tce).toBeCloseTo(1.229, 9);
    expect(p.byIndustry['3011']!.tce).toBeCloseTo(0.12143, 9);
    expect(p.byPark.baitao!.tce).toBeCloseTo(0.12143, 9);
    // Previous: 1-7 November only (the 99,999 kWh of 20 November are outside): 5,000 x 0.1229 = 614.5 kgce.
    expect(p.previous).toMatchObject({ from: '2026-11-01T00:00:00.000+08:00', to: '2026-11-08T00:00:00.000+08:00' });
    expect(p.previous.tce).toBeCloseTo(0.6145, 9);
    expect(p.previous.byIndustry['3011']).toBeUndefined();
    // A year earlier: 1-7 December 2025 (not the 7,000 kWh of the 10th): (20,000 + 2,000) x 0.1229 = 2,703.8 kgce.
    expect(p.yearEarlier).toMatchObject({ from: '2025-12-01T00:00:00.000+08:00', to: '2025-12-08T00:00:00.000+08:00' });
    expect(p.yearEarlier.tce).toBeCloseTo(2.7038, 9);
    expect(p.yearEarlier.byIndustry['3216']!.tce).toBeCloseTo(2.458, 9);
    expect(p.yearEarlier.byIndustry['3011']!.tce).toBeCloseTo(0.2458, 9);
    // 22,000 kWh x 0.5306 = 11,673.2 kg CO2.
    expect(p.yearEarlier.co2Kg).toBeCloseTo(11673.2, 6);
  });

  it('answers a whole month with the whole previous month and a custom range with the preceding range', async () => {
    const nov = await period('from=2026-11-01&to=2026-12-01');
    expect(nov).toMatchObject({ kind: 'month', days: 30, partial: false });
    // (5,000 + 99,999) kWh x 0.1229 = 12,904.3771 kgce.
    expect(nov.tce).toBeCloseTo(12.9043771, 9);
    expect(nov.previous).toMatchObject({ from: '2026-10-01T00:00:00.000+08:00', to: '2026-11-01T00:00:00.000+08:00', tce: 0 });
    expect(nov.yearEarlier).toMatchObject({ from: '2025-11-01T00:00:00.000+08:00', to: '2025-12-01T00:00:00.000+08:00', tce: 0 });

    // 15 November - 4 December (20 days): 99,999 + 10,000 kWh = 109,999 x 0.1229 = 13,518.8771 kgce, + 121.43 kgce of gas.
    const custom = await period('from=2026-11-15&to=2026-12-05');
    expect(custom).toMatchObject({ kind: 'custom', days: 20, partial: false });
    expect(custom.tce).toBeCloseTo(13.6403071, 9);
    // The 20 days before: 26 October - 14 November, with the 5,000 kWh of 5 November.
    expect(custom.previous).toMatchObject({ from: '2026-10-26T00:00:00.000+08:00', to: '2026-11-15T00:00:00.000+08:00' });
    expect(custom.previous.tce).toBeCloseTo(0.6145, 9);
    // A year earlier, to 5 December 2025 exclusive: only the 20,000 kWh of the 2nd = 2.458 tce.
    expect(custom.yearEarlier.tce).toBeCloseTo(2.458, 9);
  });

  it('answers a day and a year', async () => {
    const day = await period('from=2026-12-03&to=2026-12-04');
    expect(day).toMatchObject({ kind: 'day', days: 1, partial: false });
    expect(day.tce).toBeCloseTo(1.229, 9);
    expect(day.previous).toMatchObject({ from: '2026-12-02T00:00:00.000+08:00', tce: 0 });
    const year = await period('from=2026-01-01&to=2027-01-01');
    // 1 January - 7 December 2026: 341 days; 114,999 kWh x 0.1229 = 14,133.3771 kgce, + 121.43 kgce of gas = 14.2548071 tce.
    expect(year).toMatchObject({ kind: 'year', days: 341, partial: true });
    expect(year.tce).toBeCloseTo(14.2548071, 9);
    expect(year.previous).toMatchObject({ from: '2025-01-01T00:00:00.000+08:00', to: '2025-12-08T00:00:00.000+08:00' });
    // 20,000 + 2,000 kWh (the 7,000 of 10 December 2025 fall after the 8th).
    expect(year.previous.tce).toBeCloseTo(2.7038, 9);
  });

  it('scopes the period to the enterprise of an enterprise manager and keeps the answer without a period unchanged', async () => {
    const own = await period('from=2026-12-01&to=2027-01-01', TOKENS.alu01);
    expect(own.tce).toBeCloseTo(1.229, 9);
    expect(Object.keys(own.byIndustry)).toEqual(['3216']);
    const plain = await svc.get('/api/district/overview', TOKENS.auditor);
    expect(plain.status).toBe(200);
    expect(plain.body).not.toHaveProperty('period');
    expect(plain.body).toHaveProperty('month');
    expect(plain.body).toHaveProperty('ytd');
  });

  it('counts monthly statistics entered by hand in the whole months of a period still in progress', async () => {
    // October 2026: 10 t of raw coal bought, no stock: 10,000 kg x 0.7143 kgce/kg = 7,143 kgce = 7.143 tce.
    const put = await svc.put('/api/enterprises/cem01/monthly/2026-10', {
      carriers: { raw_coal: { unit: 't', purchased: 10, openingStock: 0, closingStock: 0 } },
    });
    expect(put.status).toBe(200);
    // The year so far: January-November by month (October's coal in), 1-7 December by day: 14.2548071 + 7.143.
    const year = await period('from=2026-01-01&to=2027-01-01');
    expect(year.tce).toBeCloseTo(21.3978071, 9);
    expect(year.byCarrier.raw_coal!.tce).toBeCloseTo(7.143, 9);
    // 5 October - 4 December: only 5-31 October by day, so the entered month is not in it.
    const custom = await period('from=2026-10-05&to=2026-12-05');
    expect(custom.byCarrier.raw_coal).toBeUndefined();
  });

  it.each([
    ['from=2026-12-01', 'from without to'],
    ['from=2026-12-08&to=2026-12-09', 'from in the future'],
    ['from=2026-12-01T10:00&to=2026-12-02', 'a time of day'],
    ['from=2026-12-02&to=2026-12-01', 'to before from'],
    ['from=2023-01-01&to=2026-01-01', 'three years'],
    ['from=yesterday&to=2026-12-01', 'not a date'],
    ['from=2026-12-01&to=2026-12-02&every=1h', 'an unknown parameter'],
  ])('refuses %s (%s) with 400', async (query) => {
    const res = await svc.get(`/api/district/overview?${query}`, TOKENS.auditor);
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ error: { code: 'bad-request' } });
  });
});
