/**
 * The rules lease across two hosts sharing one PostgreSQL (DATABASE_URL), with real processes: two
 * service processes with their own DATA_DIR (two hosts), one Mosquitto, one SMTP server. Exactly
 * one holds the lease; when it is killed (-9, no release) the other takes over within the TTL and
 * a renewal, and an alarm the first raised and mailed stays the same alarm in the database and is
 * not mailed again by the new holder.
 */
import type { ParsedMail } from 'mailparser';
import mqtt from 'mqtt';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { stringify } from 'yaml';
import { sha256Hex } from '../../../services/core/security';
import { eventually } from '../../helpers/app';
import { hasMosquitto, startMosquitto, type MosquittoBroker } from '../../helpers/mosquitto';
import { findPostgres, startPostgres, type PostgresHandle } from '../../helpers/postgres';
import { startServiceProcess, type ServiceProcess } from '../../helpers/serviceProcess';
import { startSmtpCatcher, type SmtpCatcher } from '../../helpers/smtpCatcher';

jest.setTimeout(300_000);

const available = process.env.CI === 'true' || (hasMosquitto() && findPostgres() !== undefined);
if (!available) console.warn('mosquitto or PostgreSQL not installed: lease failover test skipped');
const maybe = available ? describe : describe.skip;

const ADMIN = 'failover-admin';
const LIMIT_KW = 100;

function configYaml(): string {
  return `${stringify({
    timezone: 'Asia/Shanghai',
    enterprises: [
      {
        id: 'fo01',
        name: '故障转移测试',
        industry: '3216',
        meters: [
          { id: 'e-main', carrier: 'electricity', unit: 'kWh', kind: 'counter', intervalSeconds: 900 },
          { id: 'p0', carrier: 'electricity', unit: 'kW', kind: 'power', intervalSeconds: 900, submeter: true },
        ],
      },
    ],
    ingest: { flushIntervalMs: 100 },
    rules: { thresholds: [{ enterprise: 'fo01', meter: 'p0', above: LIMIT_KW, severity: 'warning' }] },
    notify: { from: 'energy <energy@example.org>', language: 'en', digestWindowSeconds: 0.5, recipients: [{ email: 'officer@example.org' }] },
  })}auth:\n  tokens:\n    - {name: admin, role: admin, sha256: "${sha256Hex(ADMIN)}"}\n`;
}

/** The alarm ids a mail is about (the notifier's X-Energy-Alarm-Ids header). */
const alarmIdsOf = (m: ParsedMail): number[] =>
  String(m.headers.get('x-energy-alarm-ids') ?? '')
    .split(',')
    .filter((s) => s !== '')
    .map(Number);

/** Rule cycles a process logged after `after` (ms). */
const cycles = (p: ServiceProcess, after: number) =>
  p
    .logText()
    .split('\n')
    .filter((l) => l.includes('"msg":"rules evaluated"') && Date.parse(/"time":"([^"]+)"/.exec(l)?.[1] ?? '') > after).length;

maybe('rules lease failover between two hosts on one PostgreSQL', () => {
  let postgres: PostgresHandle;
  let broker: MosquittoBroker;
  let smtp: SmtpCatcher;
  let work: string;
  const started: ServiceProcess[] = [];

  beforeAll(async () => {
    postgres = (await startPostgres())!;
    broker = (await startMosquitto())!;
    smtp = await startSmtpCatcher();
    work = mkdtempSync(path.join(os.tmpdir(), 'energy-failover-'));
    writeFileSync(path.join(work, 'config.yaml'), configYaml());
  });
  afterEach(async () => {
    // A failed expectation must not leave a service process behind.
    for (const p of started.splice(0)) await p.kill('SIGKILL');
  });
  afterAll(async () => {
    await smtp?.stop();
    await broker?.stop();
    await postgres?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('the standby takes the lease over from a killed holder and does not mail its alarm again', async () => {
    const run = `${process.pid}_${Date.now()}`;
    const databaseUrl = await postgres.createDatabase(`failover_${run}`);
    const start = async (host: string) => {
      const p = await startServiceProcess({
        configFile: path.join(work, 'config.yaml'),
        dataDir: path.join(work, `data-${host}`),
        logFile: path.join(work, `${host}.log`),
        healthToken: ADMIN,
        env: {
          DATABASE_URL: databaseUrl,
          MQTT_URL: broker.url,
          MQTT_CLIENT_ID: `failover-${host}-${run}`,
          SMTP_URL: smtp.url,
          LEASE_TTL_MS: '3000',
          LEASE_RENEW_MS: '500',
          LOG_LEVEL: 'debug',
        },
      });
      started.push(p);
      return p;
    };
    const db = new pg.Client({ connectionString: databaseUrl });

    // a first, so that it is the holder when the reading arrives; then b on its own DATA_DIR.
    const a = await start('a');
    await eventually(async () => expect((await a.health()).body.scaleOut).toMatchObject({ rulesActive: true, lease: { held: true } }), 30_000, 100);
    const b = await start('b');
    await eventually(
      async () =>
        expect((await b.health()).body.scaleOut).toMatchObject({
          rulesActive: false,
          lease: { held: false, currentHolder: expect.stringContaining(`failover-a-${run}`) },
        }),
      30_000,
      100,
    );
    expect((await a.health()).body.scaleOut).toMatchObject({ rulesActive: true, lease: { held: true } });

    await db.connect();
    try {
      // A reading above the limit: both hosts store it (each its own time series), the holder raises and mails the alarm.
      const gw = await mqtt.connectAsync(broker.url, { clientId: `failover-gw-${run}` });
      await gw.publishAsync('energy/fo01/p0', JSON.stringify({ ts: Date.now() - 60_000, value: 250 }), { qos: 1 });
      await gw.endAsync();
      await eventually(async () => {
        const [ha, hb] = await Promise.all([a.health(), b.health()]);
        expect([ha.body.ingest.stored, hb.body.ingest.stored]).toEqual([1, 1]);
      }, 30_000);
      const thresholdAlarms = async () =>
        (await db.query<{ id: string; state: string }>("SELECT id, state FROM alarm WHERE type = 'threshold' ORDER BY id")).rows.map((r) => ({
          id: Number(r.id),
          state: r.state,
        }));
      await eventually(async () => expect(await thresholdAlarms()).toHaveLength(1), 30_000);
      const [alarm] = await thresholdAlarms();
      expect(alarm?.state).not.toBe('cleared');
      const alarmId = alarm!.id;
      const mailsOf = (id: number) => smtp.mails.filter((m) => alarmIdsOf(m).includes(id));
      await eventually(() => expect(mailsOf(alarmId)).toHaveLength(1), 30_000);
      // Recorded as sent before the kill: otherwise resending it would be right (at least once).
      await eventually(async () => {
        const sent = (await db.query<{ alarm_ids: string; status: string }>('SELECT alarm_ids, status FROM delivery')).rows.filter((d) =>
          (JSON.parse(d.alarm_ids) as number[]).includes(alarmId),
        );
        expect(sent.map((d) => d.status)).toEqual(['sent']);
      }, 30_000);

      // The holder dies without releasing: b takes over once the lease lapses (TTL + a renewal).
      await a.kill('SIGKILL');
      await eventually(async () => expect((await b.health()).body.scaleOut).toMatchObject({ rulesActive: true, lease: { held: true } }), 30_000, 100);
      const { lease } = (await b.health()).body.scaleOut;
      expect(lease?.currentHolder).toContain(`failover-b-${run}`);
      expect(b.logText()).toContain('lease acquired: this instance is active');

      // b's own rule cycle sees the same breach: the alarm stays the one a raised, and no second mail goes out.
      const takenOver = Date.now();
      await eventually(() => expect(cycles(b, takenOver)).toBeGreaterThan(0), 150_000, 1000);
      await new Promise((r) => setTimeout(r, 2000));
      expect(await thresholdAlarms()).toEqual([{ id: alarmId, state: alarm!.state }]);
      expect(mailsOf(alarmId)).toHaveLength(1);
      // No alarm at all was mailed twice to one recipient.
      const perAlarm = new Map<string, number>();
      for (const m of smtp.mails)
        for (const id of alarmIdsOf(m)) perAlarm.set(`${id} ${m.subject ?? ''}`, (perAlarm.get(`${id} ${m.subject ?? ''}`) ?? 0) + 1);
      expect([...perAlarm.values()].filter((n) => n > 1)).toEqual([]);
    } finally {
      await db.end();
    }
  });
});
