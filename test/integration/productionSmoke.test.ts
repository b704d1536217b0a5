/**
 * The production stack on its first start (issue 18), without a container engine: the deployment
 * is prepared with `npm run deploy:init` (runDeployInit) into a temporary folder, docker-compose.yml
 * is read and interpolated with the .env it wrote, and the programs the compose file starts run
 * with the same configuration files and environment: Mosquitto 2 with deploy/mosquitto/mosquitto.conf
 * and the generated files (as uid 1883, like the eclipse-mosquitto image), influxd (1.x here in
 * place of InfluxDB 2.7, behind a proxy that records the token the service sends), the service
 * from dist/ (`npm run build`, as the Dockerfile builds it) through the compose file's own command,
 * and an SMTP sink in place of a mail server. A gateway publishes, the figures are read back, an
 * alert mail and the monthly report mail (PDF) arrive, and a PDF report renders.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { simpleParser, type ParsedMail } from 'mailparser';
import mqtt from 'mqtt';
import { SMTPServer } from 'smtp-server';
import { stringify } from 'yaml';
import { PROJECT_ROOT } from '../../config/paths';
import { sha256Hex } from '../../services/core/security';
import { parseEnvText } from '../../services/cli/deployEnv';
import { runDeployInit } from '../../services/cli/deployInit';
import { loadCompose, rawCompose, serviceEnv, serviceMounts, type ComposeFile } from '../helpers/compose';
import { findInfluxd, startInfluxd, type InfluxdHandle } from '../helpers/influxd';
import { startPostgres, type PostgresHandle } from '../helpers/postgres';
import pg from 'pg';
import { hasMosquitto, startMosquitto, type MosquittoBroker } from '../helpers/mosquitto';
import { startComposeService, type ComposeProcess } from '../helpers/composeService';

jest.setTimeout(120_000);

/** The service as the Dockerfile builds it (`npm run build`; CI builds before it tests). */
const BUILT_SERVICE = path.join(PROJECT_ROOT, 'dist', 'services', 'main.js');
if (process.env.CI === 'true' && !existsSync(BUILT_SERVICE))
  throw new Error(`${BUILT_SERVICE} is missing: run npm run build before the production smoke test`);
const available = process.env.CI === 'true' || (hasMosquitto() && findInfluxd() !== undefined && existsSync(BUILT_SERVICE));
if (!available) console.warn('mosquitto or influxd not installed, or no dist/ (npm run build): production smoke test skipped');
const maybe = available ? describe : describe.skip;

const ADMIN_TOKEN = 'smoke-admin-token-4c1f';
const GATEWAY_PASSWORD = 'alu01-smoke-Gq7v';
const MAIL_TO = 'officer@example.org';
const REPORT_TO = 'reports@example.org';
const asRoot = typeof process.getuid === 'function' && process.getuid() === 0;

function energyYaml(): string {
  return stringify({
    timezone: 'Asia/Shanghai',
    enterprises: [
      {
        id: 'alu01',
        name: '冒烟测试铝业',
        industry: '3216',
        meters: [{ id: 'p-main', carrier: 'electricity', unit: 'kW', kind: 'power', intervalSeconds: 60 }],
      },
    ],
    rules: { thresholds: [{ enterprise: 'alu01', meter: 'p-main', above: 1000, forSeconds: 0, severity: 'critical' }] },
    notify: { language: 'zh-CN', digestWindowSeconds: 0.5, recipients: [{ email: MAIL_TO }] },
    reports: { recipients: [REPORT_TO] },
    auth: {
      tokens: [{ name: 'admin', role: 'admin', sha256: sha256Hex(ADMIN_TOKEN) }],
      mqtt: [{ username: 'alu01', passwordSha256: sha256Hex(GATEWAY_PASSWORD), enterprise: 'alu01', role: 'gateway' }],
    },
  });
}

const dockerCompose = (() => {
  try {
    execFileSync('docker-compose', ['version', '--short'], { stdio: 'ignore' });
    return true;
  } catch {
    if (process.env.CI === 'true') throw new Error('docker-compose is not installed (apt-get install docker-compose; .ci/run does)');
    return false;
  }
})();

/** The monthly report's mail carries the PDF; month `YYYY-MM` before the current one in Shanghai. */
function previousMonth(now: Date): string {
  const shanghai = new Date(now.getTime() + 8 * 3_600_000);
  const y = shanghai.getUTCFullYear();
  const m = shanghai.getUTCMonth(); // 0-based: the previous month's 1-based number
  return m === 0 ? `${y - 1}-12` : `${y}-${String(m).padStart(2, '0')}`;
}

/**
 * Runs deploy/influxdb/service-token.sh with the `influxdb-token` service's environment and a
 * stand-in `influx` that answers like the 2.x CLI and records the arguments it got (and checks
 * it was called with the admin token). `listed` is a token InfluxDB already has.
 */
function runServiceTokenStep(compose: ComposeFile, tokenDir: string, root: string, listed = ''): { serviceToken: string; createArgs: string[] } {
  const svc = compose.services['influxdb-token']!;
  const env = serviceEnv(svc);
  expect(svc.entrypoint).toEqual(['/bin/sh', '/deploy/influxdb/service-token.sh']);
  expect(serviceMounts(svc).get('/deploy/influxdb/service-token.sh')).toBe('./deploy/influxdb/service-token.sh');
  const stubDir = path.join(root, 'influx-cli');
  mkdirSync(stubDir, { recursive: true });
  const log = path.join(stubDir, 'args.log');
  writeFileSync(
    path.join(stubDir, 'influx'),
    [
      '#!/bin/sh',
      `[ "$INFLUX_TOKEN" = "${env.INFLUX_ADMIN_TOKEN}" ] || { echo "not the admin token" >&2; exit 3; }`,
      `echo "$*" >> "${log}"`,
      'case "$1 $2" in',
      `  "auth list") printf '[{"id": "0a", "token": "%s"}]\n' "${listed}" ;;`,
      '  "bucket list") printf "bucket0042\tenergy\tinfinite\t168h0m0s\torg0001\timplicit\n" ;;',
      `  "auth create") printf '{\n\t"id": "0b",\n\t"description": "energy-monitor-service",\n\t"token": "smoke-service-token_bucket-rw==",\n\t"status": "active"\n}\n' ;;`,
      '  *) exit 4 ;;',
      'esac',
      '',
    ].join('\n'),
    { mode: 0o755 },
  );
  rmSync(log, { force: true });
  execFileSync('/bin/sh', [path.join(PROJECT_ROOT, 'deploy', 'influxdb', 'service-token.sh')], {
    env: { ...env, TOKEN_FILE: path.join(tokenDir, 'token'), PATH: `${stubDir}:/usr/bin:/bin` },
    stdio: 'pipe',
  });
  const calls = readFileSync(log, 'utf8').trim().split('\n');
  return {
    serviceToken: readFileSync(path.join(tokenDir, 'token'), 'utf8'),
    createArgs: (calls.find((c) => c.startsWith('auth create')) ?? '').split(' '),
  };
}

maybe("production stack: deploy:init, then the compose file's programs (smoke)", () => {
  let root: string;
  let smtp: SMTPServer;
  let broker: MosquittoBroker | undefined;
  let influx: InfluxdHandle | undefined;
  let postgres: PostgresHandle | undefined;
  let proxy: http.Server | undefined;
  let service: ComposeProcess | undefined;
  let env: Record<string, string>;
  let compose: ComposeFile;
  const mails: ParsedMail[] = [];
  const authHeaders: string[] = [];

  beforeAll(async () => {
    root = mkdtempSync(path.join(os.tmpdir(), 'energy-deploy-'));
    chmodSync(root, 0o755); // a checkout is traversable; the broker runs as uid 1883
    mkdirSync(path.join(root, 'plant'));
    writeFileSync(path.join(root, 'plant', 'energy.yaml'), energyYaml());
    writeFileSync(path.join(root, 'mqtt-secrets.json'), JSON.stringify({ alu01: GATEWAY_PASSWORD }), { mode: 0o600 });
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
  });

  afterAll(async () => {
    await service?.stop();
    await broker?.stop();
    await influx?.stop();
    await postgres?.stop();
    await new Promise<void>((resolve) => (proxy ? proxy.close(() => resolve()) : resolve()));
    await new Promise<void>((resolve) => (smtp ? smtp.close(() => resolve()) : resolve()));
    if (root) rmSync(root, { recursive: true, force: true });
  });

  test('the image: a current Node LTS, the CJK font in the runtime stage, checked at build time', () => {
    const dockerfile = readFileSync(path.join(PROJECT_ROOT, 'Dockerfile'), 'utf8');
    const stages = dockerfile.split(/^FROM /m).slice(1);
    const runtime = stages[stages.length - 1]!;
    const node = /^node:(\d+)-/.exec(runtime)?.[1];
    expect(Number(node)).toBeGreaterThanOrEqual(22);
    expect(Number(node) % 2).toBe(0); // even majors are the LTS lines
    expect(runtime).toMatch(/apt-get install[^\n]*fonts-wqy-microhei/);
    expect(runtime).toMatch(/findCjkFont\(\)/);
    expect(runtime).not.toMatch(/g\+\+|python3|make /);
  });

  test('the compose file: pinned images, init, stop grace, no demo, no admin token for the service, and no start without the secrets', () => {
    const raw = rawCompose();
    for (const [name, svc] of Object.entries(raw.services)) {
      if (svc.image !== undefined && svc.build === undefined)
        // An exact release: x.y.z, or PostgreSQL's x.y (its releases have had two numbers since 10).
        expect({ name, image: svc.image }).toEqual({ name, image: expect.stringMatching(name === 'postgres' ? /:\d+\.\d+$/ : /:v?\d+\.\d+\.\d+$/) });
    }
    const app = raw.services['energy-monitor']!;
    expect(app.init).toBe(true);
    expect(Number(/^(\d+)s$/.exec(app.stop_grace_period ?? '')?.[1])).toBeGreaterThan(15); // the service drains within 15 s
    const appEnv = serviceEnv(app);
    expect(Object.keys(appEnv)).not.toContain('INFLUX_ADMIN_TOKEN');
    expect(appEnv.SIMULATOR).toBe('${SIMULATOR:-off}');
    for (const key of ['MQTT_PASSWORD', 'SMTP_URL', 'ENERGY_CONFIG']) expect(appEnv[key]).toMatch(new RegExp(`^\\$\\{${key}:\\?`));
    expect(raw.services.mailpit?.profiles).toEqual(['mailpit']);
    expect(() => loadCompose({})).toThrow(/run npm run deploy:init first/);
    expect(readFileSync(path.join(PROJECT_ROOT, '.gitignore'), 'utf8').split('\n')).toContain('.env');
    if (dockerCompose) {
      const empty = path.join(root, 'empty.env');
      writeFileSync(empty, '');
      expect(() =>
        execFileSync('docker-compose', ['-f', path.join(PROJECT_ROOT, 'docker-compose.yml'), '--env-file', empty, 'config', '-q'], { stdio: 'pipe' }),
      ).toThrow(/deploy:init/);
    }
  });

  test('deploy:init writes .env and the Mosquitto files, and refuses to run twice', () => {
    const out: string[] = [];
    const io = { stdout: (t: string) => out.push(t), stderr: (t: string) => out.push(t), cwd: root };
    const smtpPort = (smtp.server.address() as AddressInfo).port;
    const args = [
      '--config',
      'plant/energy.yaml',
      '--passwords',
      'mqtt-secrets.json',
      '--smtp-url',
      `smtp://127.0.0.1:${smtpPort}`,
      '--dir',
      root,
      ...(asRoot ? [] : ['--owner', 'none']),
    ];
    expect({ code: runDeployInit(args, {}, io), out: out.join('') }).toMatchObject({ code: 0 });
    const envFile = path.join(root, '.env');
    expect(statSync(envFile).mode & 0o777).toBe(0o600);
    const text = readFileSync(envFile, 'utf8');
    env = parseEnvText(text);
    expect(env.MQTT_USERNAME).toBe('energy-monitor');
    expect(env.INFLUX_ADMIN_TOKEN).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(env.ENERGY_CONFIG).toBe('/config/energy.yaml');
    for (const name of ['gateways.passwd', 'gateways.acl', 'service.passwd', 'service.acl']) {
      const st = statSync(path.join(root, 'deploy', 'mosquitto', name));
      expect({ name, mode: st.mode & 0o777, uid: asRoot ? st.uid : 1883 }).toEqual({ name, mode: 0o600, uid: 1883 });
    }
    expect(out.join('')).not.toContain(env.MQTT_PASSWORD!);
    // a second run never replaces the secrets InfluxDB was initialised with
    expect(runDeployInit(args, {}, io)).toBe(1);
    expect(out.join('')).toMatch(/\.env exists/);
    expect(readFileSync(envFile, 'utf8')).toBe(text);
    compose = loadCompose(env);
    if (dockerCompose)
      execFileSync('docker-compose', ['-f', path.join(PROJECT_ROOT, 'docker-compose.yml'), '--env-file', envFile, 'config', '-q'], { stdio: 'pipe' });
  });

  test('Mosquitto starts with the shipped configuration and the generated files, and its healthcheck passes', async () => {
    const mosq = compose.services.mosquitto!;
    expect(serviceMounts(mosq).get('/mosquitto/config')).toBe('./deploy/mosquitto');
    broker = await startMosquitto({
      shipped: { filesDir: path.join(root, 'deploy', 'mosquitto'), ...(asRoot && { runAs: { uid: 1883, gid: 1883 } }) },
    });
    // the healthcheck's mosquitto_sub: anonymous, health listener, one $SYS/broker/uptime message
    const test = mosq.healthcheck!.test as string[];
    expect(test.slice(0, 5)).toEqual(['CMD', 'mosquitto_sub', '-h', '127.0.0.1', '-p']);
    expect(test).toContain('$SYS/broker/uptime');
    const health = mqtt.connect(broker!.listeners.health, { clientId: 'healthcheck', reconnectPeriod: 0, protocolVersion: 4 });
    const uptime = await new Promise<string>((resolve, reject) => {
      health.once('error', reject);
      health.once('connect', () => health.subscribe('$SYS/broker/uptime'));
      health.once('message', (_t, m) => resolve(m.toString()));
    });
    await health.endAsync();
    expect(uptime).toMatch(/seconds/);
    expect(broker!.logText()).not.toMatch(/Error|Unable to open/i);
  });

  test("the service starts with the compose environment and command, and a gateway's readings come back", async () => {
    influx = (await startInfluxd())!;
    // The compose file's postgres service: a real PostgreSQL with the database `energy` it creates.
    postgres = await startPostgres();
    if (!postgres) throw new Error('PostgreSQL is not installed');
    await postgres.createDatabase('energy');
    // The influxdb-token step, with its compose environment, against a stand-in `influx` CLI (the
    // 2.x CLI is not installed here): it must create a bucket-scoped token with the admin token and
    // leave it in the volume the service reads.
    const tokenDir = path.join(root, 'influx-service-token');
    mkdirSync(tokenDir);
    const { serviceToken, createArgs } = runServiceTokenStep(compose, tokenDir, root);
    expect(createArgs).toEqual(expect.arrayContaining(['auth', 'create', '--read-bucket', 'bucket0042', '--write-bucket', 'bucket0042']));
    expect(createArgs.join(' ')).not.toMatch(/all-access|operator|read-buckets|write-buckets/);
    const tokenStat = statSync(path.join(tokenDir, 'token'));
    expect({ mode: tokenStat.mode & 0o777, uid: asRoot ? tokenStat.uid : 1000 }).toEqual({ mode: 0o400, uid: 1000 });
    // a second start keeps the token while InfluxDB still lists it
    expect(runServiceTokenStep(compose, tokenDir, root, serviceToken)).toEqual({ serviceToken, createArgs: [''] });
    proxy = http.createServer((req, res) => {
      authHeaders.push(req.headers.authorization ?? '');
      const target = new URL(req.url ?? '/', influx!.url);
      const upstream = http.request(target, { method: req.method, headers: { ...req.headers, host: target.host } }, (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      });
      upstream.on('error', () => res.destroy());
      req.pipe(upstream);
    });
    await new Promise<void>((resolve) => proxy!.listen(0, '127.0.0.1', () => resolve()));
    service = await startComposeService(compose, 'energy-monitor', {
      hosts: {
        mosquitto: { 1884: broker!.listeners.service },
        influxdb: { 8086: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}` },
        // The test server trusts local connections: the compose password is not needed here.
        postgres: { 5432: postgres.url('').replace(/\/$/, '') },
      },
      volumes: { 'influx-service-token': tokenDir },
      root,
      logFile: path.join(root, 'service.log'),
    });
    expect(service.env.HTTP_HOST).toBe('127.0.0.1'); // 0.0.0.0 in the container, loopback here
    expect(compose.services['energy-monitor']!.environment!.HTTP_HOST).toBe('0.0.0.0');

    const gateway = await mqtt.connectAsync(broker!.listeners.gateways, {
      username: 'alu01',
      password: GATEWAY_PASSWORD,
      clientId: 'alu01-gw',
      protocolVersion: 4,
      reconnectPeriod: 0,
    });
    const now = Date.now();
    const readings = [0, 1, 2].map((k) => ({ ts: now - (3 - k) * 60_000, value: 1500 + k }));
    for (const r of readings) await gateway.publishAsync('energy/alu01/p-main', JSON.stringify(r), { qos: 1 });
    await gateway.endAsync();

    const get = async (p: string) => {
      const res = await fetch(`${service!.baseUrl}${p}`, { headers: { Authorization: `Bearer ${ADMIN_TOKEN}` } });
      expect({ p, status: res.status }).toEqual({ p, status: 200 });
      return res;
    };
    const enterprises = (await (await get('/api/enterprises')).json()) as { id: string }[] | { enterprises: { id: string }[] };
    const ids = (Array.isArray(enterprises) ? enterprises : enterprises.enterprises).map((e) => e.id);
    expect(ids).toEqual(['alu01']); // the operator's configuration, not the demo's four
    await service.eventually(async () => {
      const meters = JSON.stringify(await (await get('/api/enterprises/alu01/meters')).json());
      expect(meters).toContain('1502');
    });
    expect(authHeaders.length).toBeGreaterThan(0);
    expect(new Set(authHeaders)).toEqual(new Set([`Token ${serviceToken}`]));
    expect(service.logText()).not.toMatch(/simulator/i);
  });

  test('an alert mail arrives, the monthly report mail carries the PDF, and a PDF report renders', async () => {
    await service!.eventually(() => expect(mails.some((m) => JSON.stringify(m.to).includes(MAIL_TO))).toBe(true), 30_000);
    const month = previousMonth(new Date());
    const fin = await fetch(`${service!.baseUrl}/api/reports/monthly/finalise?month=${month}`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${ADMIN_TOKEN}` },
    });
    expect(fin.status).toBeLessThan(300);
    await service!.eventually(() => expect(mails.some((m) => JSON.stringify(m.to).includes(REPORT_TO))).toBe(true), 30_000);
    const reportMail = mails.find((m) => JSON.stringify(m.to).includes(REPORT_TO))!;
    const pdf = reportMail.attachments.find((a) => a.contentType === 'application/pdf');
    expect(pdf?.content.subarray(0, 5).toString()).toBe('%PDF-');
    const res = await fetch(`${service!.baseUrl}/api/reports/monthly?month=${month}&format=pdf`, {
      headers: { Authorization: `Bearer ${ADMIN_TOKEN}` },
    });
    expect(res.status).toBe(200);
    const body = Buffer.from(await res.arrayBuffer());
    expect(body.subarray(0, 5).toString()).toBe('%PDF-');
    expect(body.toString('latin1')).toMatch(/\/BaseFont \/[A-Z]{6}\+(WenQuanYiMicroHei|NotoSansCJK)/);
    // The state is in the compose file's PostgreSQL: the alarm that was mailed and the finalised revision.
    const client = new pg.Client({ connectionString: postgres!.url('energy') });
    await client.connect();
    try {
      const alarms = await client.query<{ n: string }>('SELECT COUNT(*) AS n FROM alarm');
      const revisions = await client.query<{ month: string }>('SELECT month FROM report_snapshot');
      expect(Number(alarms.rows[0]?.n)).toBeGreaterThan(0);
      expect(revisions.rows.map((r) => r.month)).toContain(month);
    } finally {
      await client.end();
    }
  });

  test('SIGTERM stops the service cleanly within the stop grace period', async () => {
    // stop() sends SIGKILL once the grace period is over: exit code 0 means it drained and exited in time
    const code = await service!.stop();
    service = undefined;
    expect(code).toBe(0);
    // DATABASE_URL is set: no state.db beside the journal.
    expect(existsSync(path.join(root, 'volumes', 'energy-data', 'state.db'))).toBe(false);
    expect(existsSync(path.join(root, 'volumes', 'energy-data'))).toBe(true);
  });
});
