/**
 * One meter's history (issue 21, the meter page): GET /api/enterprises/{id}/meters/{meterId}/consumption
 * through real HTTP on the embedded SQLite store, with figures computed by hand from the readings
 * fed to the pipeline; the newest reading with its multiplier in the meter list too; roles.
 */
import { testConfig } from '../helpers/config';
import { authSection, startApp, TOKENS, type RunningApp } from '../helpers/app';

const NOW = Date.parse('2026-11-28T08:00:00+08:00');
const BASE = '/api/enterprises/alu01/meters/e-main/consumption';

interface History {
  from: string;
  to: string;
  every: string;
  unit: string;
  info: { multiplier: number; rollover: number | null; kind: string; calibrationValidUntil: string | null };
  series: { time: string; quantity: number | null; complete: boolean }[];
  total: number;
  completeness: { from: string | null; to: string | null; readings: number; expected: number; ratio: number | null };
  gaps: { from: string; to: string; seconds: number }[];
  gapCount: number;
  gapSeconds: number;
  latest: { ts: string; value: number; multiplier: number; quantity: number; unit: string } | null;
}

describe('meter history API (issue 21)', () => {
  let svc: RunningApp;

  beforeAll(async () => {
    svc = await startApp(testConfig({ auth: authSection() }), {}, { now: () => NOW });
    // e-main: counter, multiplier 2, interval 900 s. Every 15 min from 00:00 to 01:00, nothing
    // until 03:00, then 03:15, then silence up to now (08:00).
    const readings: [string, number][] = [
      ['00:00', 100],
      ['00:15', 105],
      ['00:30', 110],
      ['00:45', 115],
      ['01:00', 120],
      ['03:00', 130],
      ['03:15', 132],
    ];
    for (const [hhmm, value] of readings) {
      const ts = new Date(`2026-11-28T${hhmm}:00+08:00`).toISOString();
      await svc.app.pipeline.accept({ topic: 'energy/alu01/e-main', payload: JSON.stringify({ ts, value }), receivedAt: NOW });
    }
    await svc.settle();
  });
  afterAll(async () => svc?.stop());

  it('answers today by hour: quantities x multiplier, the hour in progress, completeness and gaps', async () => {
    const res = await svc.get(BASE, TOKENS.officer);
    expect(res.status).toBe(200);
    const b = res.body as History;
    expect(b.from).toBe('2026-11-28T00:00:00.000+08:00');
    expect(b.to).toBe('2026-11-29T00:00:00.000+08:00');
    expect(b.unit).toBe('kWh');
    // By hand: 00-01: (120-100) x 2 = 40; 01-03 interpolated 120 -> 130 over 2 h: 5 x 2 = 10 each hour;
    // 03-04: (132-130) x 2 = 4 (nothing after the last reading); 04..08: no consumption attributed.
    const q = b.series.map((s) => s.quantity ?? 0);
    expect(q).toEqual([40, 10, 10, 4, 0, 0, 0, 0, 0]);
    expect(b.total).toBe(64);
    // Buckets 00:00..08:00 (none in the future); 08:00 is the hour in progress at 08:00.
    expect(b.series).toHaveLength(9);
    expect(b.series[8]).toMatchObject({ time: '2026-11-28T08:00:00.000+08:00', complete: false });
    expect(b.series[7]!.complete).toBe(true);
    // 7 readings in [00:00, 08:00): 8 h / 15 min = 32 expected; 7/32 = 0.21875.
    expect(b.completeness).toEqual({
      from: '2026-11-28T00:00:00.000+08:00',
      to: '2026-11-28T08:00:00.000+08:00',
      readings: 7,
      expected: 32,
      ratio: 0.21875,
    });
    // Gaps longer than 22.5 min: 01:00-03:00 (7,200 s) and 03:15-08:00 (17,100 s).
    expect(b.gaps).toEqual([
      { from: '2026-11-28T01:00:00.000+08:00', to: '2026-11-28T03:00:00.000+08:00', seconds: 7200 },
      { from: '2026-11-28T03:15:00.000+08:00', to: '2026-11-28T08:00:00.000+08:00', seconds: 17100 },
    ]);
    expect(b.gapCount).toBe(2);
    expect(b.gapSeconds).toBe(24300);
    // The register 132 at 03:15 stands for 132 x 2 = 264 kWh.
    expect(b.latest).toEqual({ ts: '2026-11-28T03:15:00.000+08:00', value: 132, multiplier: 2, quantity: 264, unit: 'kWh', quality: 'good' });
    expect(b.info).toMatchObject({ multiplier: 2, rollover: 1000, kind: 'counter' });
  });

  it('answers the month by day, the day in progress marked, gaps from the first of the month', async () => {
    const b = (await svc.get(`${BASE}?every=1d`, TOKENS.auditor)).body as History;
    expect(b.from).toBe('2026-11-01T00:00:00.000+08:00');
    expect(b.series).toHaveLength(28);
    expect(b.series[27]).toEqual({ time: '2026-11-28T00:00:00.000+08:00', quantity: 64, complete: false });
    expect(b.series[26]).toEqual({ time: '2026-11-27T00:00:00.000+08:00', quantity: null, complete: true });
    // [11-01 00:00, 11-28 08:00) = 27 d 8 h = 656 h = 2,624 readings expected; 7 / 2,624.
    expect(b.completeness.expected).toBe(2624);
    // 7 / 2,624 = 0.002667682926..., to 9 significant digits (contract 8).
    expect(b.completeness.ratio).toBe(0.00266768293);
    expect(b.gapCount).toBe(3);
    expect(b.gaps[0]).toEqual({ from: '2026-11-01T00:00:00.000+08:00', to: '2026-11-28T00:00:00.000+08:00', seconds: 27 * 86400 });
  });

  it('shows a calibration recorded in the ledger, and the newest reading multiplied in the meter list', async () => {
    const cal = await svc.post(
      '/api/enterprises/alu01/meters/e-main/events',
      { type: 'calibration', at: '2026-10-12T10:00:00+08:00', validUntil: '2027-10-11', certificate: 'JD-1' },
      TOKENS.officer,
    );
    expect(cal.status).toBe(201);
    const b = (await svc.get(BASE, TOKENS.alu01)).body as History;
    expect(b.info.calibrationValidUntil).toBe('2027-10-11');
    const list = (await svc.get('/api/enterprises/alu01/meters', TOKENS.alu01)).body as {
      meters: { id: string; lastReading: { value: number; multiplier: number; quantity: number } | null }[];
    };
    expect(list.meters.find((m) => m.id === 'e-main')?.lastReading).toMatchObject({ value: 132, multiplier: 2, quantity: 264 });
  });

  it('refuses what it cannot answer: another enterprise (404), an unknown meter (404), a bad every or range (400), no token (401)', async () => {
    expect((await svc.get('/api/enterprises/cem01/meters/e-main/consumption', TOKENS.alu01)).status).toBe(404);
    expect((await svc.get('/api/enterprises/alu01/meters/nope/consumption', TOKENS.officer)).status).toBe(404);
    expect((await svc.get(`${BASE}?every=1w`, TOKENS.officer)).status).toBe(400);
    expect((await svc.get(`${BASE}?every=1h&from=2024-01-01&to=2026-01-01`, TOKENS.officer)).status).toBe(400);
    expect((await svc.get(`${BASE}?from=2026-11-02&to=2026-11-01`, TOKENS.officer)).status).toBe(400);
    expect((await svc.get(BASE, null)).status).toBe(401);
  });
});
