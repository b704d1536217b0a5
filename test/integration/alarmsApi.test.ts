/**
 * Status, output values and alarms through the HTTP API of the running service (contract 5):
 * readings published over MQTT, a rule cycle at a fixed instant, acknowledgement by role.
 */
import mqtt from 'mqtt';
import { testConfig } from '../helpers/config';
import { authSection, eventually, MQTT_PASSWORDS, startApp, TOKENS, type RunningApp } from '../helpers/app';
import { nineDigits } from '../helpers/figures';

const at = (iso: string) => Date.parse(iso);
const config = testConfig({
  auth: authSection(),
  enterprises: [
    {
      id: 'alu01',
      name: '重庆示例铝业有限公司',
      industry: '3216',
      tariff: 'al',
      // 100,000 kWh = 12.29 tce; by 2026-07-02 12:00 (f = 0.5) a cap of 20 tce gives share 0.6145, pace 1.229.
      quotas: [{ year: 2026, totalTce: 20, intensityLimit: 0.01 }],
      meters: [
        { id: 'e-main', carrier: 'electricity', unit: 'kWh', kind: 'counter', intervalSeconds: 900 },
        { id: 'out', carrier: 'product', unit: 't', kind: 'counter', intervalSeconds: 900 },
        { id: 'pot', carrier: 'electricity', unit: 'kW', kind: 'power', intervalSeconds: 60, submeter: true },
      ],
    },
    { id: 'cem01', name: '测试水泥', industry: '3011', meters: [{ id: 'e-main', carrier: 'electricity', unit: 'kWh', kind: 'counter' }] },
  ],
  tariffs: [{ id: 'al', scheme: 'step', basis: 'ytd', threshold: 13300, step: 20, markupPerStep: 0.01 }],
  rules: { thresholds: [{ enterprise: 'alu01', meter: 'pot', above: 40000, forSeconds: 240, severity: 'critical' }] },
});

describe('status, output and alarms API', () => {
  let svc: RunningApp;
  beforeAll(async () => {
    svc = await startApp(config, {}, { now: () => at('2026-07-02T12:00:00+08:00') });
    const gw = await mqtt.connectAsync(svc.mqttUrl, { username: 'alu01', password: MQTT_PASSWORDS.alu01, reconnectPeriod: 0 });
    // Registers at 1 March 00:00 and 2 March 00:00: 100,000 kWh and 7.4 t of aluminium that day.
    await gw.publishAsync(
      'energy/alu01',
      JSON.stringify([
        { meter: 'e-main', ts: '2026-03-01T00:00:00+08:00', value: 0 },
        { meter: 'e-main', ts: '2026-03-02T00:00:00+08:00', value: 100_000 },
        { meter: 'out', ts: '2026-03-01T00:00:00+08:00', value: 0 },
        { meter: 'out', ts: '2026-03-02T00:00:00+08:00', value: 7.4 },
      ]),
      { qos: 1 },
    );
    await gw.endAsync();
    await eventually(async () => {
      await svc.settle();
      const res = await svc.get('/api/enterprises/alu01/consumption?every=1mo&from=2026-03-01&to=2026-04-01');
      expect((res.body as { series: unknown[] }).series).toHaveLength(2);
    });
  });
  afterAll(async () => svc.stop());

  it('answers status at any past instant with the contract figures', async () => {
    const res = await svc.get('/api/enterprises/alu01/status?at=2026-07-02T12:00:00%2B08:00');
    expect(res.status).toBe(200);
    const body = res.body as { quota: Record<string, unknown>; intensity: Record<string, unknown>; tariff: Record<string, unknown> };
    expect(body.quota).toMatchObject({ year: 2026, totalTce: 20, level: 'red' });
    expect(body.quota.ytdTce).toBeCloseTo(12.29, 9);
    expect(body.quota.share).toBeCloseTo(0.6145, 9);
    expect(body.quota.pace).toBeCloseTo(1.229, 9);
    // 100,000 / 7.4 = 13,513.5 kWh/t: 213.5 over 13,300 is 10.7 steps -> 11 x 0.01 = 0.11 yuan/kWh, 11,000 yuan.
    expect(body.tariff).toMatchObject({ scheme: 'step', markupYuanPerKwh: 0.11, surchargeYuan: 11_000 });
    // API figures keep 9 significant digits (contract 8): 13,513.5135.
    expect(body.tariff.unitConsumption).toBe(nineDigits(100_000 / 7.4));
    expect(body.intensity).toMatchObject({ intensity: null, note: 'no-output' });
    // Halfway through 1 March, the interpolated register is 50,000 kWh: share 6.145 / 20.
    const mid = await svc.get('/api/enterprises/alu01/status?at=2026-03-01T12:00:00%2B08:00');
    expect((mid.body as { quota: { ytdTce: number } }).quota.ytdTce).toBeCloseTo(6.145, 9);
    expect((await svc.get('/api/enterprises/alu01/status?at=2027-01-01T00:00:00%2B08:00')).status).toBe(400); // in the future
  });

  it('takes output values from officers, not auditors, and computes intensity from them', async () => {
    expect((await svc.put('/api/enterprises/alu01/output/2026-03', { outputValue10kYuan: 1000 }, TOKENS.auditor)).status).toBe(403);
    expect((await svc.put('/api/enterprises/alu01/output/2026-13', { outputValue10kYuan: 1000 }, TOKENS.officer)).status).toBe(400);
    const ok = await svc.put('/api/enterprises/alu01/output/2026-03', { outputValue10kYuan: 1000 }, TOKENS.officer);
    expect(ok.body).toMatchObject({ enterprise: 'alu01', month: '2026-03', outputValue10kYuan: 1000, enteredBy: 'officer' });
    const status = await svc.get('/api/enterprises/alu01/status?at=2026-07-02T12:00:00%2B08:00');
    // 12.29 tce / 1,000 x 10^4 yuan = 0.01229 against 0.01: ratio 1.229 -> red.
    expect((status.body as { intensity: Record<string, unknown> }).intensity).toMatchObject({ level: 'red', limit: 0.01 });
  });

  it('evaluates threshold rules on each stored reading, without waiting for the cycle', async () => {
    const gw = await mqtt.connectAsync(svc.mqttUrl, { username: 'alu01', password: MQTT_PASSWORDS.alu01, reconnectPeriod: 0 });
    // 42,000 kW every minute from 11:55 to 12:00: above 40,000 kW for the whole 240 s before 12:00.
    const minutes = [55, 56, 57, 58, 59]
      .map((m) => ({ ts: `2026-07-02T11:${m}:00+08:00`, value: 42_000 }))
      .concat([{ ts: '2026-07-02T12:00:00+08:00', value: 42_000 }]);
    await gw.publishAsync('energy/alu01/pot', JSON.stringify(minutes), { qos: 1 });
    await gw.endAsync();
    await eventually(async () => {
      await svc.settle();
      const list = (await svc.get('/api/alarms?type=threshold')).body as {
        meter: string;
        severity: string;
        value: number;
        threshold: number;
        unit: string;
      }[];
      expect(list).toEqual([expect.objectContaining({ meter: 'pot', severity: 'critical', value: 42_000, threshold: 40_000, unit: 'kW' })]);
    });
  });

  it('raises alarms in a rule cycle, lists them by role, and records who acknowledged', async () => {
    await svc.app.rules.evaluate(at('2026-07-02T12:00:00+08:00'));
    const list = await svc.get('/api/alarms');
    const alarms = list.body as { id: number; type: string; severity: string; state: string; enterprise: string; raisedAt: string }[];
    expect(
      alarms
        .filter((a) => a.enterprise === 'alu01')
        .map((a) => `${a.type} ${a.severity}`)
        .sort(),
    ).toEqual(['intensity critical', 'quota critical', 'silence warning', 'silence warning', 'tariff warning', 'threshold critical']);
    // (both meters last reported on 2 March: silent for far more than 4 x 15 minutes)
    expect(alarms[0]!.raisedAt).toBe('2026-07-02T12:00:00.000+08:00');
    const quota = alarms.find((a) => a.type === 'quota')!;
    expect((await svc.post(`/api/alarms/${quota.id}/ack`, {}, TOKENS.auditor)).status).toBe(403);
    expect((await svc.post(`/api/alarms/${quota.id}/ack`, {}, TOKENS.alu01)).status).toBe(403);
    const acked = await svc.post(`/api/alarms/${quota.id}/ack`, {}, TOKENS.officer);
    expect(acked.body).toMatchObject({ state: 'acknowledged', acknowledgedBy: 'officer', acknowledgedAt: '2026-07-02T12:00:00.000+08:00' });
    expect((await svc.post(`/api/alarms/${quota.id}/ack`, {}, TOKENS.officer)).status).toBe(409);
    const ackedList = await svc.get('/api/alarms?state=acknowledged');
    expect((ackedList.body as { id: number }[]).map((a) => a.id)).toEqual([quota.id]);
    // The enterprise manager sees only its own enterprise's alarms (cem01 has silence alarms).
    const own = await svc.get('/api/alarms?state=all', TOKENS.alu01);
    expect((own.body as { enterprise: string }[]).every((a) => a.enterprise === 'alu01')).toBe(true);
  });
});
