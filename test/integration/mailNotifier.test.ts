/**
 * The mail notifier against a real SMTP server (smtp-server on 127.0.0.1, port 0): routing,
 * digests, retries with backoff and final failure (contract 7). Windows and backoffs are tiny and
 * injected; nothing is asserted about elapsed time, stop() and polling on outcomes synchronise.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import net, { type AddressInfo } from 'node:net';
import pino from 'pino';
import { SMTPServer } from 'smtp-server';
import { simpleParser, type ParsedMail } from 'mailparser';
import type { AlarmTransition } from '../../services/energy/alarm';
import { MailNotifier, type MailNotifierOptions, type Recipient } from '../../alerts/notify/mailNotifier';
import { SqlDeliveryLog, type DeliveryRecord } from '../../services/store/state/deliveryLog';
import { silentLogger, type Logger } from '../../services/core/log';
import { StateStore } from '../../services/store/state/stateStore';
import { transitionFactory, waitFor } from '../helpers/alarms';
import { openTestStateDb } from '../helpers/stateDb';

type Mode = 'accept' | '451' | '550' | 'close';

interface SmtpHarness {
  readonly port: number;
  readonly received: { to: string[]; mail: ParsedMail }[];
  /** Connections and MAIL FROM commands seen, accepted or not. */
  readonly attempts: { connections: number; mailFrom: number };
  /** What the server does with the next sessions; the last entry repeats. */
  modes: Mode[];
  close(): Promise<void>;
}

async function startSmtp(modes: Mode[] = ['accept'], auth = false): Promise<SmtpHarness> {
  const harness = { received: [] as SmtpHarness['received'], attempts: { connections: 0, mailFrom: 0 }, modes };
  const nextMode = (): Mode => (harness.modes.length > 1 ? harness.modes.shift()! : harness.modes[0]!);
  let current: Mode = 'accept';
  const server = new SMTPServer({
    logger: false,
    hideSTARTTLS: true,
    authOptional: true,
    allowInsecureAuth: true,
    ...(auth ? {} : { disabledCommands: ['AUTH'] }),
    onAuth: (a, _s, cb) => cb(null, { user: a.username }),
    onMailFrom: (_addr, _session, cb) => {
      harness.attempts.mailFrom += 1;
      if (current === '451' || current === '550')
        cb(Object.assign(new Error(current === '451' ? 'Try again later' : 'Rejected'), { responseCode: Number(current) }));
      else cb();
    },
    onData: (stream, session, cb) => {
      simpleParser(stream).then((mail) => {
        harness.received.push({ to: (session.envelope.rcptTo as { address: string }[]).map((r) => r.address), mail });
        cb();
      }, cb);
    },
  });
  // Decide per connection; `close` drops the socket before the greeting (a crashed relay).
  server.server.prependListener('connection', (socket: net.Socket) => {
    harness.attempts.connections += 1;
    current = nextMode();
    if (current === 'close') socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.server.address() as AddressInfo).port;
  return Object.assign(harness, { port, close: () => new Promise<void>((resolve) => server.close(() => resolve())) });
}

const NAMES: Record<string, string> = { alu01: '重庆示例铝业有限公司', steel01: '渝北特钢有限公司' };

const transition = transitionFactory(1);

function captureLogger(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      lines.push(chunk.toString());
      cb();
    },
  });
  return { logger: pino({ level: 'debug' }, sink), lines };
}

describe('MailNotifier with a real SMTP server', () => {
  let smtp: SmtpHarness;
  let db: Awaited<ReturnType<typeof openTestStateDb>>;
  let deliveries: SqlDeliveryLog;
  let notifier: MailNotifier | undefined;

  beforeEach(async () => {
    db = await openTestStateDb();
    deliveries = new SqlDeliveryLog(db);
  });

  afterEach(async () => {
    await notifier?.stop();
    notifier = undefined;
    await smtp.close();
    await db.close();
  });

  function make(recipients: Recipient[], over: Partial<MailNotifierOptions> = {}, logger: Logger = silentLogger()): MailNotifier {
    notifier = new MailNotifier(
      {
        smtpUrl: `smtp://127.0.0.1:${smtp.port}`,
        from: '节能监测 <energy-monitor@example.org>',
        language: 'zh-CN',
        recipients,
        dashboardUrl: 'https://energy.example.org',
        zone: 'Asia/Shanghai',
        digestWindowMs: 100,
        retryBaseMs: 20,
        retryMaxMs: 80,
        maxAttempts: 4,
        ...over,
      },
      { logger, enterpriseName: (id) => NAMES[id] ?? id, deliveries, random: () => 0.5 },
    );
    return notifier;
  }

  it('delivers a raise once, to the matching recipients only, in their language', async () => {
    smtp = await startSmtp();
    const n = make([
      { email: 'officer@example.org', severities: ['warning', 'critical'] },
      { email: 'plant@example.org', enterprise: 'alu01', language: 'en' },
      { email: 'steel@example.org', enterprise: 'steel01' },
      { email: 'info-only@example.org', severities: ['info'] },
      { email: 'crit-only@example.org', severities: ['critical'] },
    ]);
    await n.start();
    const raise = transition();
    n.notify([raise]);
    n.notify([raise]); // a repeat: the second guard drops it
    // A warning alarm of steel01 clears: routed by the severity it had.
    const cleared = transition(
      {
        enterprise: 'steel01',
        type: 'threshold',
        meter: 'e-main',
        severity: 'warning',
        state: 'cleared',
        value: 41000,
        threshold: 42000,
        unit: 'kW',
      },
      'cleared',
    );
    n.notify([cleared]);
    await n.stop();

    const byRecipient = (email: string): ParsedMail[] => smtp.received.filter((r) => r.to.includes(email)).map((r) => r.mail);
    expect(smtp.received).toHaveLength(5);
    expect(
      byRecipient('officer@example.org')
        .map((m) => m.subject)
        .sort(),
    ).toEqual(['[严重] 重庆示例铝业有限公司 能耗总量告警', '[警告] 渝北特钢有限公司 e-main 越限告警解除']);
    expect(byRecipient('plant@example.org').map((m) => m.subject)).toEqual(['[CRITICAL] 重庆示例铝业有限公司: Energy quota alarm raised']);
    expect(byRecipient('steel@example.org').map((m) => m.subject)).toEqual(['[警告] 渝北特钢有限公司 e-main 越限告警解除']);
    expect(byRecipient('crit-only@example.org').map((m) => m.subject)).toEqual(['[严重] 重庆示例铝业有限公司 能耗总量告警']);
    expect(byRecipient('info-only@example.org')).toEqual([]);

    const mail = byRecipient('plant@example.org')[0]!;
    expect(mail.from?.value).toEqual([{ name: '节能监测', address: 'energy-monitor@example.org' }]);
    expect(mail.headers.get('auto-submitted')).toBe('auto-generated');
    expect(mail.text).toContain('Value: 52,340.5 tce\nThreshold: 52,000 tce\n');
    expect(mail.text).toContain('Period: 2026-01-01 00:00 to 2026-11-28 08:00 (Asia/Shanghai)');
    expect(mail.text).toContain('https://energy.example.org/enterprises/alu01');
    expect(mail.html).toContain('52,340.5 tce');
    expect(byRecipient('officer@example.org').find((m) => m.subject?.includes('能耗总量'))?.text).toContain('当前值：52,340.5 tce');

    const sent = await deliveries.list({ status: 'sent' });
    expect(sent).toHaveLength(5);
    expect(sent.every((d) => d.channel === 'email' && d.attempts === 1)).toBe(true);
    expect(await deliveries.list({ status: 'failed' })).toEqual([]);
  });

  it('groups a burst within the window into one digest per recipient', async () => {
    smtp = await startSmtp();
    const n = make([{ email: 'officer@example.org' }, { email: 'steel@example.org', enterprise: 'steel01' }]);
    await n.start();
    const burst = [
      transition(),
      transition({ type: 'intensity', value: 1.85, threshold: 1.8, unit: 'tce/10^4 yuan' }),
      transition({ enterprise: 'steel01', type: 'tariff', value: 13340, threshold: 13300, unit: 'kWh/t' }),
      transition({ enterprise: 'steel01', type: 'silence', meter: 'gas', severity: 'warning', value: null, threshold: null, unit: null }),
      transition({ type: 'quota', severity: 'info', value: 93.5, threshold: 90, unit: '%' }),
    ];
    for (const t of burst) n.notify([t]);
    await waitFor('three mails', () => smtp.received.length === 3);
    await n.stop();

    const officer = smtp.received.filter((r) => r.to.includes('officer@example.org'));
    expect(officer).toHaveLength(1);
    expect(officer[0]!.mail.subject).toBe('[严重] 能耗告警汇总：5 条（重庆示例铝业有限公司、渝北特钢有限公司）');
    const text = officer[0]!.mail.text ?? '';
    for (const figure of ['52,340.5 tce', '1.85 tce/10^4 yuan', '13,340 kWh/t（阈值 13,300 kWh/t）', '93.5 %（阈值 90 %）', '数据中断 —'])
      expect(text).toContain(figure);
    // Below the threshold of 3: one mail per transition.
    expect(
      smtp.received
        .filter((r) => r.to.includes('steel@example.org'))
        .map((r) => r.mail.subject)
        .sort(),
    ).toEqual(['[严重] 渝北特钢有限公司 阶梯电价告警', '[警告] 渝北特钢有限公司 gas 数据中断告警']);
    const digestRecord = (await deliveries.list({ status: 'sent' })).find((d) => d.target === 'officer@example.org');
    expect(digestRecord?.alarmIds).toEqual(burst.map((t) => t.alarm.id));
  });

  it('retries a refusing server with backoff and delivers once it accepts; attempts are logged', async () => {
    smtp = await startSmtp(['451', 'close', 'accept']);
    const n = make([{ email: 'officer@example.org' }], { digestWindowMs: 20 });
    await n.start();
    const t = transition();
    n.notify([t]);
    await waitFor('the mail', () => smtp.received.length === 1);
    await n.stop();

    expect(smtp.attempts.connections).toBe(3);
    expect(smtp.received).toHaveLength(1);
    const log = (await deliveries.list()).reverse();
    expect(log.map((d) => [d.status, d.attempts])).toEqual([
      ['retrying', 1],
      ['retrying', 2],
      ['sent', 3],
    ]);
    expect(log[0]!.lastError).toContain('451');
    expect(
      log.every(
        (d) => d.target === 'officer@example.org' && d.subject === '[严重] 重庆示例铝业有限公司 能耗总量告警' && d.alarmIds[0] === t.alarm.id,
      ),
    ).toBe(true);
  });

  it('ends as failed when the server never accepts; notify() neither throws nor waits; credentials stay out of logs', async () => {
    smtp = await startSmtp(['451'], true);
    const { logger, lines } = captureLogger();
    const n = make(
      [{ email: 'officer@example.org' }],
      { smtpUrl: `smtp://alarm:s3cret-pw@127.0.0.1:${smtp.port}`, digestWindowMs: 20, maxAttempts: 3 },
      logger,
    );
    await n.start();
    const result: unknown = n.notify([transition()]);
    expect(result).toBeUndefined();
    expect(smtp.attempts.connections).toBe(0); // nothing happened inline
    expect(() => n.notify(null as unknown as AlarmTransition[])).not.toThrow();
    await waitFor('final failure', async () => (await deliveries.list({ status: 'failed' })).length === 1);

    const log = (await deliveries.list()).reverse();
    expect(log.map((d) => [d.status, d.attempts])).toEqual([
      ['retrying', 1],
      ['retrying', 2],
      ['failed', 3],
    ]);
    expect(log[2]!.lastError).toContain('Try again later');
    expect(smtp.attempts.mailFrom).toBe(3);
    const everything = lines.join('') + JSON.stringify(log);
    expect(everything).not.toContain('s3cret-pw');
    expect(everything).toContain(`smtp://alarm:***@127.0.0.1:${smtp.port}`);
    expect(lines.some((l) => l.includes('notification not delivered'))).toBe(true);
  });

  it('does not retry a permanent 5xx rejection', async () => {
    smtp = await startSmtp(['550']);
    const n = make([{ email: 'officer@example.org' }], { digestWindowMs: 20 });
    await n.start();
    n.notify([transition()]);
    await waitFor('final failure', async () => (await deliveries.list({ status: 'failed' })).length === 1);
    const records: DeliveryRecord[] = await deliveries.list();
    expect(records.map((d) => [d.status, d.attempts])).toEqual([['failed', 1]]);
    expect(smtp.attempts.mailFrom).toBe(1);
  });

  it('stop() sends what is pending at once, and returns within its bound while a send hangs', async () => {
    smtp = await startSmtp();
    const n = make([{ email: 'officer@example.org' }], { digestWindowMs: 600_000 });
    await n.start();
    n.notify([transition()]);
    await n.stop();
    expect(smtp.received).toHaveLength(1);

    // A relay that accepts the connection and never greets.
    const sockets: net.Socket[] = [];
    const silent = net.createServer((s) => {
      sockets.push(s);
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', () => resolve()));
    const port = (silent.address() as AddressInfo).port;
    const m = make([{ email: 'officer@example.org' }], {
      smtpUrl: `smtp://127.0.0.1:${port}`,
      digestWindowMs: 600_000,
      stopTimeoutMs: 50,
      smtpTimeoutMs: 300,
    });
    await m.start();
    m.notify([transition()]);
    await m.stop(); // resolves although the attempt is still waiting for a greeting
    await waitFor('the hung attempt to end as failed', async () => (await deliveries.list({ status: 'failed' })).length === 1);
    expect((await deliveries.list({ status: 'failed' }))[0]!.attempts).toBe(1);
    for (const s of sockets) s.destroy();
    await new Promise<void>((resolve) => silent.close(() => resolve()));
  });
});

describe('SqlDeliveryLog', () => {
  it('shares state.db with the state store, filters by status, newest first, survives a reopen', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'delivery-'));
    const first = await openTestStateDb(dir);
    const log = new SqlDeliveryLog(first);
    await log.record({
      channel: 'email',
      target: 'a@example.org',
      subject: 's1',
      alarmIds: [1, 2],
      status: 'retrying',
      attempts: 1,
      lastError: '451',
      at: 1,
    });
    await log.record({ channel: 'email', target: 'a@example.org', subject: 's1', alarmIds: [1, 2], status: 'sent', attempts: 2, at: 2 });
    await log.record({
      channel: 'webhook',
      target: 'http://h/x?key=***',
      subject: 's2',
      alarmIds: [3],
      status: 'failed',
      attempts: 6,
      lastError: 'HTTP 500',
      at: 3,
    });
    await first.close();
    const again = await openTestStateDb(dir);
    try {
      const reopened = new SqlDeliveryLog(again);
      expect((await reopened.list()).map((d) => d.subject + d.status)).toEqual(['s2failed', 's1sent', 's1retrying']);
      expect(await reopened.list({ status: 'retrying' })).toEqual([
        {
          id: 1,
          channel: 'email',
          target: 'a@example.org',
          subject: 's1',
          alarmIds: [1, 2],
          status: 'retrying',
          attempts: 1,
          lastError: '451',
          at: 1,
        },
      ]);
      expect((await reopened.list({ limit: 1 }))[0]!.channel).toBe('webhook');
      expect(await new StateStore(again).listQuarantine()).toEqual([]);
    } finally {
      await again.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
