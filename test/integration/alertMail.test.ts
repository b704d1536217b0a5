/**
 * Rules engine end to end (contract 4 and 7): a gateway publishes to a real Mosquitto, the service
 * stores into a real influxd, a rule cycle at a fixed instant finds a quota breach and an aluminium
 * tariff step, and the test reads the delivered mails from a real SMTP server and checks their figures.
 */
import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { aluminiumDistrict, AT, publishSmelterDay } from '../helpers/aluminiumDistrict';
import { eventually, startApp, TOKENS, type RunningApp } from '../helpers/app';
import { findInfluxd, startInfluxd, type InfluxdHandle } from '../helpers/influxd';
import { hasMosquitto, startMosquitto, type MosquittoBroker } from '../helpers/mosquitto';

const available = process.env.CI === 'true' || (hasMosquitto() && findInfluxd() !== undefined);
if (!available) console.warn('mosquitto or influxd not installed: alert mail suite skipped');
const maybe = available ? describe : describe.skip;

const config = aluminiumDistrict({
  cementQuotaTce: 100000,
  notify: {
    from: '节能监测 <energy-monitor@example.org>',
    language: 'zh-CN',
    dashboardUrl: 'http://energy.example.org',
    digestWindowSeconds: 0.5,
    digestThreshold: 3,
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
      logger: false,
      hideSTARTTLS: true,
      authOptional: true,
      disabledCommands: ['AUTH'],
      onData(stream, _session, callback) {
        simpleParser(stream).then((m) => {
          mails.push(m);
          callback();
        }, callback);
      },
    });
    await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', () => resolve()));
    const smtpPort = (smtp.server.address() as AddressInfo).port;
    svc = await startApp(
      config,
      { mqttUrl: broker.url, influx: { url: influx.url, database: `alerts_${process.pid}` }, smtpUrl: `smtp://127.0.0.1:${smtpPort}` },
      { now: () => AT },
    );
  });
  afterAll(async () => {
    await svc?.stop();
    await new Promise<void>((resolve) => (smtp ? smtp.close(() => resolve()) : resolve()));
    await broker?.stop();
    await influx?.stop();
  });

  it('mails the quota breach and the tariff step to the matching recipients with their figures', async () => {
    await publishSmelterDay(svc, broker.url);

    // Hand-computed: 400,000 kWh x 0.1229 kgce/kWh = 49.16 tce; share 49.16 / 50 = 98.3 % (>= 90 %: yellow)
    // and pace 49.16 / (50 x 0.164498) = 5.977 (> 1.10): red -> critical.
    // Tariff: 400,000 / 30 = 13,333.3 kWh/t, 33.3 over 13,300 = 1.67 steps -> 2 x 0.01 = 0.02 yuan/kWh;
    // surcharge 0.02 x 400,000 = 8,000 yuan -> warning.
    const transitions = await svc.app.rules.evaluate(AT);
    expect(transitions.map((t) => `${t.kind} ${t.alarm.type} ${t.alarm.severity}`).sort()).toEqual([
      'raised quota critical',
      'raised tariff warning',
    ]);

    await eventually(() => expect(mails).toHaveLength(5), 20_000);
    const to = (m: ParsedMail) => (Array.isArray(m.to) ? m.to : [m.to]).flatMap((a) => a?.value.map((v) => v.address) ?? []).join(',');
    const byRecipient = (addr: string) =>
      mails
        .filter((m) => to(m) === addr)
        .map((m) => m.subject)
        .sort();
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
