/**
 * The service on its embedded defaults (aedes broker, SQLite store): readings published over MQTT
 * come back through the HTTP API with hand-computed figures; bad input lands in the quarantine and
 * replays after a fix; the roles of contract 5 hold on every route.
 */
import mqtt from 'mqtt';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { testConfig } from '../helpers/config';
import { authSection, eventually, MQTT_PASSWORDS, startApp, TOKENS, type RunningApp } from '../helpers/app';
import { nineDigits } from '../helpers/figures';

// 2026-11-01 00:00 in Asia/Shanghai.
const DAY0 = Date.parse('2026-11-01T00:00:00+08:00');
const H = 3_600_000;
const config = testConfig({ auth: authSection() });

async function gateway(url: string, username: keyof typeof MQTT_PASSWORDS) {
  return mqtt.connectAsync(url, { username, password: MQTT_PASSWORDS[username], clientId: `gw-${username}-${Math.random()}`, reconnectPeriod: 0 });
}

describe('embedded service end to end', () => {
  let svc: RunningApp;
  beforeAll(async () => {
    svc = await startApp(config);
  });
  afterAll(async () => svc.stop());

  it('answers /healthz without a token', async () => {
    const res = await fetch(`${svc.baseUrl}/healthz`);
    const body = (await res.json()) as { status: string; store: { ok: boolean; kind: string }; mqtt: { ok: boolean } };
    expect(res.status).toBe(200);
    expect(body).toMatchObject({ status: 'ok', store: { ok: true, kind: 'sqlite' }, mqtt: { ok: true } });
  });

  it('turns published registers into hourly, daily and monthly consumption with tce and CO2', async () => {
    const gw = await gateway(svc.mqttUrl, 'alu01');
    // Registers (multiplier 2): 00:00 1000, 01:00 1100, 02:00 1150, then an unsorted late array for 23:00 and 24:00.
    await gw.publishAsync('energy/alu01/e-main', JSON.stringify({ ts: DAY0, value: 100 }), { qos: 1 });
    await gw.publishAsync('energy/alu01/e-main', JSON.stringify({ ts: new Date(DAY0 + H).toISOString(), value: 150 }), { qos: 1 });
    await gw.publishAsync(
      'energy/alu01',
      JSON.stringify([
        { meter: 'e-main', ts: DAY0 + 25 * H, value: 400 },
        { meter: 'e-main', ts: DAY0 + 2 * H, value: 175 },
      ]),
      { qos: 1 },
    );
    // The gateway repeats one reading and sends a late one for 12:00.
    await gw.publishAsync(
      'energy/alu01/e-main',
      JSON.stringify([
        { ts: DAY0 + H, value: 150 },
        { ts: DAY0 + 12 * H, value: 275 },
      ]),
      { qos: 1 },
    );
    await gw.endAsync();

    await eventually(async () => {
      await svc.settle();
      const res = await svc.get(`/api/enterprises/alu01/consumption?every=1h&from=2026-11-01T00:00:00%2B08:00&to=2026-11-01T03:00:00%2B08:00`);
      expect(res.status).toBe(200);
      const body = res.body as {
        series: { time: string; quantity: number; tce: number; co2Kg: number; co2Part: string | null; unit: string; carrier: string }[];
      };
      // Hour 0: (150-100) x 2 = 100 kWh; hour 1: (175-150) x 2 = 50 kWh; hour 2: (275-175) x 2 / 10 h = 20 kWh.
      expect(body.series.map((s) => [s.time, s.carrier, s.unit, Number(s.quantity.toFixed(9))])).toEqual([
        ['2026-11-01T00:00:00.000+08:00', 'electricity', 'kWh', 100],
        ['2026-11-01T01:00:00.000+08:00', 'electricity', 'kWh', 50],
        ['2026-11-01T02:00:00.000+08:00', 'electricity', 'kWh', 20],
      ]);
      expect(body.series[0]!.tce).toBeCloseTo((100 * 0.1229) / 1000, 12);
      expect(body.series[0]!.co2Kg).toBeCloseTo(100 * 0.5306, 9);
      // Contract 9 in the consumption API: each row's CO2 part beside its unchanged co2Kg.
      expect(body.series.map((s) => s.co2Part)).toEqual(['scope2', 'scope2', 'scope2']);
    });

    // Day 1 (local): registers 100 -> 400 at 01:00 next day, interpolated at midnight:
    // 12:00 275 -> 25:00 400 is 125 over 13 h; at 24:00 the register is 275 + 125 x 12/13.
    const midnight = 275 + (125 * 12) / 13;
    const day = await svc.get('/api/enterprises/alu01/consumption?every=1d&from=2026-11-01&to=2026-11-03');
    const days = (day.body as { series: { time: string; quantity: number }[] }).series;
    expect(days.map((d) => d.time)).toEqual(['2026-11-01T00:00:00.000+08:00', '2026-11-02T00:00:00.000+08:00']);
    // API figures keep 9 significant digits (contract 8).
    expect(days[0]!.quantity).toBe(nineDigits((midnight - 100) * 2));
    expect(days[1]!.quantity).toBe(nineDigits((400 - midnight) * 2));
    const month = await svc.get('/api/enterprises/alu01/consumption?every=1mo&from=2026-11-01&to=2026-12-01');
    const body = month.body as {
      series: { time: string; quantity: number; tce: number }[];
      totals: { tce: number };
      coefficients: { carrier: string; kgcePerUnit: number; kgceSource: string }[];
      timezone: string;
      co2: { combustionT: number; processT: number; scope2T: number; totalT: number; rows: { key: string; value: number }[]; note?: string };
    };
    expect(body.series).toHaveLength(1);
    expect(body.series[0]!.time).toBe('2026-11-01T00:00:00.000+08:00');
    expect(body.series[0]!.quantity).toBeCloseTo(600, 9);
    expect(body.totals.tce).toBeCloseTo((600 * 0.1229) / 1000, 12);
    expect(body.timezone).toBe('Asia/Shanghai');
    // CO2 by part over November: 600 kWh x 0.5306 kg / 1000 = 0.31836 t, all scope 2, one grid row.
    expect(body.co2).toMatchObject({ combustionT: 0, processT: 0, totalT: body.co2.scope2T });
    expect(body.co2.scope2T).toBeCloseTo(0.31836, 9);
    expect(body.co2.rows).toEqual([expect.objectContaining({ key: 'kgCO2/electricity/kWh', value: 0.5306 })]);
    expect(body.co2.note).toBeUndefined();
    expect(body.coefficients).toEqual([
      expect.objectContaining({ carrier: 'electricity', kgcePerUnit: 0.1229, kgceSource: expect.stringContaining('GB/T 2589') }),
    ]);
  });

  it('quarantines a cross-enterprise publish as not-authorized and bad payloads with their reason', async () => {
    // MQTT 3.1.1 has no negative PUBACK: the broker refuses by closing the connection, so the
    // intruding publish goes out at QoS 0 on a connection of its own.
    const intruder = await gateway(svc.mqttUrl, 'alu01');
    intruder.on('error', () => undefined);
    await intruder.publishAsync('energy/cem01/e-main', JSON.stringify({ ts: DAY0, value: 1 }), { qos: 0 });
    await intruder.endAsync();
    const gw = await gateway(svc.mqttUrl, 'alu01');
    await gw.publishAsync('energy/alu01/e-main', '{"ts": oops}', { qos: 1 });
    await gw.publishAsync('energy/alu01/e-main', JSON.stringify({ ts: DAY0, value: 1, unit: 'm3' }), { qos: 1 });
    await gw.endAsync();
    await eventually(async () => {
      await svc.settle();
      const res = await svc.get('/api/quarantine');
      const items = (res.body as { items: { reason: string; topic: string; payload: string }[] }).items;
      expect(items).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ reason: 'not-authorized', topic: 'energy/cem01/e-main' }),
          expect.objectContaining({ reason: 'bad-json', payload: '{"ts": oops}' }),
          expect.objectContaining({ reason: 'unit-mismatch' }),
        ]),
      );
    });
    // Nothing reached cem01.
    const cem = await svc.get('/api/enterprises/cem01/consumption?every=1mo&from=2026-11-01&to=2026-12-01');
    expect((cem.body as { series: unknown[] }).series).toEqual([]);
  });

  const routes: [string, string, unknown?][] = [
    ['GET', '/api/enterprises'],
    ['GET', '/api/enterprises/alu01'],
    ['GET', '/api/enterprises/cem01'],
    ['GET', '/api/enterprises/alu01/consumption?every=1d'],
    ['GET', '/api/enterprises/cem01/consumption?every=1d'],
    ['GET', '/api/quarantine'],
    ['POST', '/api/quarantine/replay', { ids: [999999] }],
  ];
  const expected: Record<string, number[]> = {
    admin: [200, 200, 200, 200, 200, 200, 200],
    officer: [200, 200, 200, 200, 200, 200, 403],
    auditor: [200, 200, 200, 200, 200, 200, 403],
    alu01: [200, 200, 404, 200, 404, 200, 403],
    none: [401, 401, 401, 401, 401, 401, 401],
    wrong: [401, 401, 401, 401, 401, 401, 401],
  };
  it.each(Object.keys(expected))('role %s gets the statuses of contract 5 on every route', async (who) => {
    const token = who === 'none' ? null : who === 'wrong' ? 'not-a-token' : TOKENS[who as keyof typeof TOKENS];
    const got: number[] = [];
    for (const [method, p, body] of routes) got.push((method === 'GET' ? await svc.get(p, token) : await svc.post(p, body, token)).status);
    expect(got).toEqual(expected[who]);
  });

  it('shows an enterprise token only its own enterprise and answers errors as JSON with codes', async () => {
    const list = await svc.get('/api/enterprises', TOKENS.alu01);
    expect((list.body as { id: string }[]).map((e) => e.id)).toEqual(['alu01']);
    const missing = await svc.get('/api/enterprises/cem01', TOKENS.alu01);
    expect(missing.body).toEqual({ error: { code: 'not-found', message: expect.any(String) } });
    const bad = await svc.get('/api/enterprises/alu01/consumption?every=2h');
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ error: { code: 'bad-request' } });
    const inverted = await svc.get('/api/enterprises/alu01/consumption?from=2026-11-02&to=2026-11-01');
    expect(inverted.status).toBe(400);
    const unauth = await svc.get('/api/enterprises', null);
    expect(unauth.body).toEqual({ error: { code: 'unauthorized', message: expect.any(String) } });
  });
});

describe('quarantine replay after a configuration fix', () => {
  it('stores messages for a meter added to the configuration once they are replayed', async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'energy-replay-'));
    try {
      const first = await startApp(config, {}, { dataDir });
      const gw = await gateway(first.mqttUrl, 'alu01');
      await gw.publishAsync(
        'energy/alu01/steam',
        JSON.stringify([
          { ts: DAY0, value: 10 },
          { ts: DAY0 + H, value: 12.5 },
        ]),
        { qos: 1 },
      );
      await gw.endAsync();
      await eventually(async () => {
        await first.settle();
        const q = await first.get('/api/quarantine?reason=unknown-meter');
        expect((q.body as { items: unknown[] }).items).toHaveLength(1);
      });
      await first.stop();

      // The administrator adds the meter and restarts; the quarantine survived the restart.
      const fixed = testConfig({
        auth: authSection(),
        enterprises: [
          {
            ...config.enterprises[0]!,
            meters: [
              ...config.enterprises[0]!.meters,
              { id: 'steam', carrier: 'steam', unit: 't', kind: 'counter', multiplier: 1, intervalSeconds: 3600 },
            ],
          },
          config.enterprises[1]!,
        ],
      });
      const second = await startApp(fixed, {}, { dataDir });
      try {
        const forbidden = await second.post('/api/quarantine/replay', { reason: 'unknown-meter' }, TOKENS.officer);
        expect(forbidden.status).toBe(403);
        const replay = await second.post('/api/quarantine/replay', { reason: 'unknown-meter' });
        expect(replay.body).toMatchObject({ requested: 1, stillRejected: [] });
        const res = await second.get('/api/enterprises/alu01/consumption?every=1h&from=2026-11-01&to=2026-11-02');
        const series = (res.body as { series: { carrier: string; quantity: number; unit: string; tce: number }[] }).series;
        // 2.5 t of low-pressure steam at 128.6 kgce/t.
        expect(series).toEqual([expect.objectContaining({ carrier: 'steam', unit: 't', quantity: 2.5 })]);
        expect(series[0]!.tce).toBeCloseTo((2.5 * 128.6) / 1000, 12);
        const open = await second.get('/api/quarantine?reason=unknown-meter');
        expect((open.body as { items: unknown[] }).items).toEqual([]);
        const all = await second.get('/api/quarantine?status=replayed');
        expect((all.body as { items: { status: string; replayedAt: string }[] }).items).toEqual([
          expect.objectContaining({ status: 'replayed', replayedAt: expect.any(String) }),
        ]);
      } finally {
        await second.stop();
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
