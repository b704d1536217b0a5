/**
 * The diagnosis answer's chart fields (the dashboard's drill-down): `baseLoad.hourOfDay`, the mean
 * power by local clock hour, and `anomalies.series`, every day of the month with data beside the
 * median of its weekday's history. On the running service with the embedded SQLite store.
 *
 * x01's meter e-main, every hour from Monday 2026-05-04 to 2026-06-30 in Asia/Shanghai: 100 kW before
 * 12:00, 300 kW from 12:00 (a day = 12 x 100 + 12 x 300 = 4,800 kWh); Wednesday 10 June has
 * +2,400 kWh at 12:00 (7,200 kWh); Saturday 20 June has no data at all.
 * - hourOfDay in June (29 days with data): 00-11 -> 100 kW; 12 -> (29 x 300 + 2,400) / 29 = 11,100 / 29
 *   = 382.758621 kW; 13-23 -> 300 kW.
 * - series: 29 days (20 June left out). 10 June: history 3 June, 27, 20, 13, 6 May (5 days, all 4,800):
 *   median 4,800, anomalous (a constant history, more than 1 % away). 17 June: history 10 and 3 June,
 *   27, 20, 13, 6 May (6 days): sorted 4,800 x 5, 7,200 -> median 4,800, not anomalous. 27 June:
 *   history 13, 6 June, 30, 23, 16, 9 May (20 June has no data): 6 days. 1 June: 25, 18, 11, 4 May: 4.
 */
import { DateTime } from 'luxon';
import { parseConfig } from '../../config/load';
import type { HourlyConsumption } from '../../services/store/timeSeriesStore';
import { authSection, startApp, type RunningApp } from '../helpers/app';

const ZONE = 'Asia/Shanghai';
const NOW = Date.parse('2026-07-10T12:00:00+08:00');

const config = parseConfig(`
enterprises:
  - id: alu01
    name: 令牌所需
    industry: "3216"
    meters:
      - {id: e-main, carrier: electricity, unit: kWh, kind: counter}
  - id: x01
    name: 测试企业
    industry: "3011"
    meters:
      - {id: e-main, carrier: electricity, unit: kWh, kind: counter}
`);

function hours(): HourlyConsumption[] {
  const out: HourlyConsumption[] = [];
  for (let day = DateTime.fromISO('2026-05-04T00:00', { zone: ZONE }); day.month < 7; day = day.plus({ days: 1 })) {
    if (day.toISODate() === '2026-06-20') continue;
    for (let h = 0; h < 24; h++) {
      const kw = (h < 12 ? 100 : 300) + (day.toISODate() === '2026-06-10' && h === 12 ? 2400 : 0);
      out.push({ enterprise: 'x01', meter: 'e-main', carrier: 'electricity', unit: 'kWh', hour: day.plus({ hours: h }).toMillis(), quantity: kw });
    }
  }
  return out;
}

interface Answer {
  baseLoad: { hourOfDay: (number | null)[]; unit: string };
  anomalies: { series: { date: string; value: number; median: number | null; historyDays: number; anomalous: boolean }[] };
}

describe('diagnosis chart fields: hourOfDay and anomalies.series', () => {
  let svc: RunningApp;
  beforeAll(async () => {
    svc = await startApp({ ...config, auth: authSection() }, {}, { now: () => NOW });
    await svc.app.store.write({ readings: [], hourly: hours() });
  });
  afterAll(async () => svc?.stop());

  it('gives the mean power by clock hour over the hours with data', async () => {
    const b = (await svc.get('/api/enterprises/x01/diagnosis?month=2026-06')).body as Answer;
    expect(b.baseLoad.unit).toBe('kW');
    expect(b.baseLoad.hourOfDay).toEqual([...Array<number>(12).fill(100), 382.758621, ...Array<number>(11).fill(300)]);
  });

  it('gives every day with data beside its weekday median, the anomalous one marked', async () => {
    const b = (await svc.get('/api/enterprises/x01/diagnosis?month=2026-06&meter=e-main')).body as Answer;
    const s = b.anomalies.series;
    expect(s).toHaveLength(29);
    expect(s.map((d) => d.date)).not.toContain('2026-06-20');
    const of = (date: string) => s.find((d) => d.date === date);
    expect(of('2026-06-01')).toEqual({ date: '2026-06-01', value: 4800, median: 4800, historyDays: 4, anomalous: false });
    expect(of('2026-06-10')).toEqual({ date: '2026-06-10', value: 7200, median: 4800, historyDays: 5, anomalous: true });
    expect(of('2026-06-17')).toEqual({ date: '2026-06-17', value: 4800, median: 4800, historyDays: 6, anomalous: false });
    expect(of('2026-06-27')).toEqual({ date: '2026-06-27', value: 4800, median: 4800, historyDays: 6, anomalous: false });
    expect(s.filter((d) => d.anomalous).map((d) => d.date)).toEqual(['2026-06-10']);
  });
});
