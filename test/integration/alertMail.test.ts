/**
 * Rules engine end to end (contract 4 and 7): a gateway publishes to a real Mosquitto, the service
 * stores into a real influxd, a rule cycle at a fixed instant finds a quota breach and an aluminium
 * tariff step, and the test reads the delivered mails from a real SMTP server and checks their figures.
 */
import mqtt from 'mqtt';
import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { testConfig } from '../helpers/config';
import { authSection, eventually, startApp, TOKENS, type RunningApp } from '../helpers/app';
import { findInfluxd, startInfluxd, type InfluxdHandle } from '../helpers/influxd';
import { hasMosquitto, startMosquitto, type MosquittoBroker } from '../helpers/mosquitto';

const available = process.env.CI === 'true' || (hasMosquitto() && findInfluxd() !== undefined);
if (!available) console.warn('mosquitto or influxd not installed: alert mail suite skipped');
const maybe = available ? describe : describe.skip;

// 2 March 01:00: 60 days and 1 hour of 2026 have passed, f = 60.041667 / 365 = 0.164498.
const AT = Date.parse('2026-03-02T01:00:00+08:00');

const config = testConfig({
  auth: authSection(),
  enterprises: [
    {
      id: 'alu01', name: '重庆示例铝业有限公司', industry: '3216', tariff: 'aluminium-2025',
      quotas: [{ year: 2026, totalTce: 50 }],
      meters: [
        { id: 'e-main', carrier: 'electricity', unit: 'kWh', kind: 'counter', intervalSeconds: 900 },
        { id: 'out', carrier: 'product', product: 'aluminium_liquid', unit: 't', kind: 'counter', intervalSeconds: 900 },
      ],
    },
    { id: 'cem01', name: '测试水泥', industry: '3011', quotas: [{ year: 2026, totalTce: 100000 }], meters: [{ id: 'e-main', carrier: 'electricity', unit: 'kWh', kind: 'counter' }] },
  ],
  tariffs: [{ id: 'aluminium-2025', scheme: 'step', basis: 'ytd', threshold: 13300, step: 20, markupPerStep: 0.01 }],
  notify: {
    from: '节能监测 <energy-monitor@example.org>', language: 'zh-CN', dashboardUrl: 'http://energy.example.org', digestWindowSeconds: 0.5, digestThreshold: 3,
    recipients: [
      { email: 'officer@example.org', severities: ['warning', 'critical'] },
      { email: 'plant-manager@example.org', enterprise: 'alu01' },
      { email: 'cement-manager@example.org', enterprise: 'cem01' },
      { email: 'critical-only@example.org', severities: ['critical'] },
    ],
    webhooks: [],
  },
});

maybe('alert mail end to end', () => {
  let broker: MosquittoBroker;
  let influx: InfluxdHandle;
  let smtp: SMTPServer;
  let svc: RunningApp;
  const mails: ParsedMail[] = [];

  beforeAll(async () => {
    broker = (await startMosquitto())!;
    influx = (await startInfluxd())!;
    smtp = new SMTPServer({
      logger: false, hideSTARTTLS: true, authOptional: true, disabledCommands: ['AUTH'],
      onData(stream, _session, callback) {
        simpleParser(stream).then((m) => { mails.push(m); callback(); }, callback);
      },
    });
    await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', () => resolve()));
    const smtpPort = (smtp.server.address() as AddressInfo).port;
    svc = await startApp(config, { mqttUrl: broker.url, influx: { url: influx.url, database: `alerts_${process.pid}` }, smtpUrl: `smtp://127.0.0.1:${smtpPort}` }, { now: () => AT });
  });
  afterAll(async () => {
    await svc?.stop();
    await new Promise<void>((resolve) => (smtp ? smtp.close(() => resolve()) : resolve()));
    await broker?.stop();
    await influx?.stop();
  });

  it('mails the quota breach and the tariff step to the matching recipients with their figures', async () => {
    const gw = await mqtt.connectAsync(broker.url, { clientId: `gw-alerts-${process.pid}`, reconnectPeriod: 0 });
    // 400,000 kWh and 30 t of liquid aluminium on 1 March.
    await gw.publishAsync('energy/alu01', JSON.stringify([
      { meter: 'e-main', ts: '2026-03-01T00:00:00+08:00', value: 1_000_000 }, { meter: 'e-main', ts: '2026-03-02T00:00:00+08:00', value: 1_400_000 },
      { meter: 'out', ts: '2026-03-01T00:00:00+08:00', value: 500 }, { meter: 'out', ts: '2026-03-02T00:00:00+08:00', value: 530 },
    ]), { qos: 1 });
    await gw.endAsync();
    await eventually(async () => {
      await svc.settle();
      const res = await svc.get('/api/enterprises/alu01/consumption?every=1mo&from=2026-03-01&to=2026-04-01');
      expect((res.body as { series: unknown[] }).series).toHaveLength(2);
    });

    // Hand-computed: 400,000 kWh x 0.1229 kgce/kWh = 49.16 tce; share 49.16 / 50 = 98.3 % (>= 90 %: yellow)
    // and pace 49.16 / (50 x 0.164498) = 5.977 (> 1.10): red -> critical.
    // Tariff: 400,000 / 30 = 13,333.3 kWh/t, 33.3 over 13,300 = 1.67 steps -> 2 x 0.01 = 0.02 yuan/kWh;
    // surcharge 0.02 x 400,000 = 8,000 yuan -> warning.
    const transitions = await svc.app.rules.evaluate(AT);
    expect(transitions.map((t) => `${t.kind} ${t.alarm.type} ${t.alarm.severity}`).sort()).toEqual(['raised quota critical', 'raised tariff warning']);

    await eventually(() => expect(mails).toHaveLength(5), 20_000);
    const to = (m: ParsedMail) => (Array.isArray(m.to) ? m.to : [m.to]).flatMap((a) => a?.value.map((v) => v.address) ?? []).join(',');
    const byRecipient = (addr: string) => mails.filter((m) => to(m) === addr).map((m) => m.subject).sort();
    expect(byRecipient('officer@example.org')).toHaveLength(2);
    expect(byRecipient('plant-manager@example.org')).toHaveLength(2);
    expect(byRecipient('critical-only@example.org')).toHaveLength(1);
    expect(byRecipient('cement-manager@example.org')).toEqual([]);

    const quota = mails.find((m) => to(m) === 'officer@example.org' && m.subject?.includes('能耗总量'))!;
    expect(quota.subject).toContain('严重');
    expect(quota.subject).toContain('重庆示例铝业有限公司');
    expect(quota.text).toContain('49.16');
    expect(quota.text).toContain('98.3 %');
    expect(quota.text).toContain('0.1229');
    expect(quota.text).toContain('http://energy.example.org/enterprises/alu01');
    expect(quota.text).toMatch(/2026-01-01[^\n]*2026-03-02/);

    const tariff = mails.find((m) => to(m) === 'officer@example.org' && m.subject?.includes('阶梯电价'))!;
    expect(tariff.subject).toContain('警告');
    expect(tariff.text).toContain('13,333.3');
    expect(tariff.text).toContain('0.02 元/kWh');
    expect(tariff.text).toContain('8,000 元');

    // The same figures again: nothing more is sent while the alarms stay active.
    expect(await svc.app.rules.evaluate(AT)).toEqual([]);
    const deliveries = await svc.get('/api/notifications', TOKENS.officer);
    expect((deliveries.body as { status: string }[]).filter((d) => d.status === 'sent')).toHaveLength(5);
    await new Promise((r) => setTimeout(r, 1000));
    expect(mails).toHaveLength(5);
  });
});
