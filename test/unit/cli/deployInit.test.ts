/**
 * `npm run deploy:init` (services/cli/deployInit.ts): what it refuses, and that the service's
 * MQTT password in .env and its line in service.passwd agree. The full first start is in
 * test/integration/productionSmoke.test.ts.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';
import { DEMO_CONFIG_PATH } from '../../../config/load';
import { verifyMosquittoPasswordLine } from '../../../ingest/mosquittoAuthFiles';
import { deployEnvText, parseEnvText } from '../../../services/cli/deployEnv';
import { runDeployInit } from '../../../services/cli/deployInit';
import { sha256Hex } from '../../../services/core/security';

const GATEWAY = { username: 'alu01', passwordSha256: sha256Hex('alu01-pw'), enterprise: 'alu01', role: 'gateway' };

function config(mqtt: object[]): string {
  return stringify({
    enterprises: [{ id: 'alu01', name: 'A', industry: '3216', meters: [{ id: 'e', carrier: 'electricity', unit: 'kWh', kind: 'counter' }] }],
    auth: { tokens: [], mqtt },
  });
}

describe('npm run deploy:init', () => {
  let dir: string;
  let out: string[];
  const io = (uid = 0) => ({ stdout: (t: string) => out.push(t), stderr: (t: string) => out.push(t), cwd: dir, uid });
  const run = (args: string[]) => runDeployInit([...args, '--dir', dir, '--owner', 'none'], {}, io());

  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'deploy-init-'));
    out = [];
    writeFileSync(path.join(dir, 'energy.yaml'), config([GATEWAY]));
    writeFileSync(path.join(dir, 'secrets.json'), JSON.stringify({ alu01: 'alu01-pw' }));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  test('generates the service account when the configuration has none; .env and service.passwd agree', () => {
    expect(run(['--config', 'energy.yaml', '--passwords', 'secrets.json', '--smtp-url', 'smtp://mail.example.org:587'])).toBe(0);
    const env = parseEnvText(readFileSync(path.join(dir, '.env'), 'utf8'));
    expect(env).toMatchObject({
      MQTT_USERNAME: 'energy-monitor',
      SMTP_URL: 'smtp://mail.example.org:587',
      ENERGY_CONFIG: '/config/energy.yaml',
      ENERGY_CONFIG_DIR: dir,
    });
    const line = readFileSync(path.join(dir, 'deploy', 'mosquitto', 'service.passwd'), 'utf8').trim();
    expect(verifyMosquittoPasswordLine(line, 'energy-monitor', env.MQTT_PASSWORD!)).toBe(true);
    expect(new Set([env.MQTT_PASSWORD, env.INFLUX_ADMIN_PASSWORD, env.INFLUX_ADMIN_TOKEN, env.POSTGRES_PASSWORD]).size).toBe(4);
  });

  test("a configuration's service account logs in with its password from the secrets file", () => {
    writeFileSync(path.join(dir, 'energy.yaml'), config([GATEWAY, { username: 'svc', passwordSha256: sha256Hex('svc-pw'), role: 'service' }]));
    writeFileSync(path.join(dir, 'secrets.json'), JSON.stringify({ alu01: 'alu01-pw', svc: 'svc-pw' }));
    expect(run(['--config', 'energy.yaml', '--passwords', 'secrets.json', '--smtp-url', 'smtp://m:25'])).toBe(0);
    expect(parseEnvText(readFileSync(path.join(dir, '.env'), 'utf8'))).toMatchObject({ MQTT_USERNAME: 'svc', MQTT_PASSWORD: 'svc-pw' });
  });

  test('refusals write nothing: wrong password, no mail server, the demo without --demo, a foreign owner without root', () => {
    writeFileSync(path.join(dir, 'secrets.json'), JSON.stringify({ alu01: 'wrong' }));
    expect(run(['--config', 'energy.yaml', '--passwords', 'secrets.json', '--smtp-url', 'smtp://m:25'])).toBe(1);
    expect(out.join('')).toMatch(/alu01: the password given does not match/);
    expect(run(['--config', 'energy.yaml', '--passwords', 'secrets.json'])).toBe(2);
    expect(out.join('')).toMatch(/no mail server/);
    expect(run(['--config', DEMO_CONFIG_PATH, '--smtp-url', 'smtp://m:25'])).toBe(2);
    expect(out.join('')).toMatch(/demo configuration, whose tokens and passwords are public/);
    expect(runDeployInit(['--config', 'energy.yaml', '--passwords', 'secrets.json', '--smtp-url', 'smtp://m:25', '--dir', dir], {}, io(1000))).toBe(
      1,
    );
    expect(out.join('')).toMatch(/must belong to uid 1883 .* run it with sudo/);
    expect(existsSync(path.join(dir, '.env'))).toBe(false);
    expect(existsSync(path.join(dir, 'deploy'))).toBe(false);
  });

  test('a value compose would change is refused', () => {
    const base = parseEnvText('');
    expect(() =>
      deployEnvText(
        {
          ...base,
          ENERGY_CONFIG_DIR: '/srv',
          ENERGY_CONFIG: '/config/e.yaml',
          MQTT_USERNAME: 'u',
          MQTT_PASSWORD: 'a$b',
          INFLUX_ADMIN_USER: 'admin',
          INFLUX_ADMIN_PASSWORD: 'p',
          INFLUX_ADMIN_TOKEN: 't',
          INFLUX_ORG: 'o',
          INFLUX_BUCKET: 'b',
          SMTP_URL: 's',
          POSTGRES_PASSWORD: 'pg',
          PUBLIC_URL: 'p',
          TZ: 'Asia/Shanghai',
        },
        new Date(0),
      ),
    ).toThrow(/MQTT_PASSWORD: the value may not contain/);
  });
});
