/** Production never falls back to the demo configuration; the ingest client id is per instance (issue 14). */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';
import { ConfigError, configPathFromEnv, connectionsFromEnv, DEMO_CONFIG_PATH, parseConfig } from '../../../config/load';
import { testConfig } from '../../helpers/config';
import { PROJECT_ROOT } from '../../../config/paths';
import { instanceClientId, LEGACY_CLIENT_ID, withInstanceClientId } from '../../../services/instanceId';
import type { Connections } from '../../../config/load';

describe('configPathFromEnv', () => {
  it('the demo is the default of a demo run only', () => {
    expect(configPathFromEnv({})).toBe(DEMO_CONFIG_PATH);
    expect(configPathFromEnv({ NODE_ENV: 'development', ENERGY_CONFIG: '' })).toBe(DEMO_CONFIG_PATH);
  });

  it.each([
    [{ NODE_ENV: 'production' }, 'NODE_ENV=production'],
    [{ MQTT_URL: 'mqtt://broker:1883' }, 'MQTT_URL is set'],
    [{ INFLUX_URL: 'http://influx:8086', NODE_ENV: 'production' }, 'NODE_ENV=production, INFLUX_URL is set'],
  ])('%j without ENERGY_CONFIG stops with the reason', (env, reason) => {
    let error: unknown;
    try {
      configPathFromEnv(env);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems[0]?.path).toBe('ENERGY_CONFIG');
    expect((error as ConfigError).message).toContain(`this is not a demo run (${reason})`);
  });

  it('an explicit ENERGY_CONFIG is used as given, the demo file included', () => {
    expect(configPathFromEnv({ NODE_ENV: 'production', ENERGY_CONFIG: '/config/energy.yaml' })).toBe('/config/energy.yaml');
    expect(configPathFromEnv({ NODE_ENV: 'production', ENERGY_CONFIG: DEMO_CONFIG_PATH })).toBe(DEMO_CONFIG_PATH);
  });
});

describe('bind addresses', () => {
  it('HTTP and the embedded broker listen on loopback unless HTTP_HOST / MQTT_HOST say otherwise', () => {
    const config = testConfig();
    expect(connectionsFromEnv({}, config)).toMatchObject({ httpHost: '127.0.0.1', embeddedBrokerHost: '127.0.0.1' });
    expect(connectionsFromEnv({ HTTP_HOST: '0.0.0.0', MQTT_HOST: '0.0.0.0' }, config)).toMatchObject({
      httpHost: '0.0.0.0',
      embeddedBrokerHost: '0.0.0.0',
    });
  });
});

describe('ingest limits', () => {
  it('a packet must have room for the largest payload with its topic and headers', () => {
    const problems = (ingest: Record<string, number>): string[] => {
      try {
        const enterprise = { id: 'e1', name: 'E', industry: '3216', meters: [{ id: 'm', carrier: 'electricity', unit: 'kWh', kind: 'counter' }] };
        parseConfig(stringify({ enterprises: [enterprise], ingest }));
        return [];
      } catch (err) {
        return (err as ConfigError).problems.map((p) => `${p.path}: ${p.message}`);
      }
    };
    expect(problems({ maxPayloadBytes: 1000, maxPacketBytes: 2024 })).toEqual([]);
    expect(problems({ maxPayloadBytes: 1000, maxPacketBytes: 2023 })).toEqual([
      expect.stringMatching(/^ingest\.maxPacketBytes: must be at least ingest\.maxPayloadBytes \+ 1024 \(2024\)/),
    ]);
  });
});

describe('the ingest client id', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'instance-id-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('is made once per DATA_DIR and kept', () => {
    const first = instanceClientId(path.join(dir, 'a'));
    expect(first).toMatch(/^energy-monitor-ingest-[0-9a-f]{8}$/);
    expect(instanceClientId(path.join(dir, 'a'))).toBe(first);
    expect(instanceClientId(path.join(dir, 'b'))).not.toBe(first);
    expect(readFileSync(path.join(dir, 'a', 'instance-id'), 'utf8')).toBe(`${first}\n`);
  });

  it('a DATA_DIR that already holds state keeps the old fixed id, so its broker session carries on', () => {
    writeFileSync(path.join(dir, 'state.db'), '');
    expect(instanceClientId(dir)).toBe(LEGACY_CLIENT_ID);
  });

  it('a broken instance-id file stops start-up with its path', () => {
    writeFileSync(path.join(dir, 'instance-id'), 'no spaces allowed\n');
    expect(() => instanceClientId(dir)).toThrow(`${path.join(dir, 'instance-id')}: expected one MQTT client id`);
  });

  it('replaces the default id and keeps a shard suffix; an explicit MQTT_CLIENT_ID stays', () => {
    const base = { configPath: 'x', isDemo: false, embeddedBrokerPort: 0, httpPort: 0, dataDir: dir, publicUrl: 'http://localhost' };
    const shard = withInstanceClientId({ ...base, mqttClientId: 'energy-monitor-ingest-shard-1-of-3' } as Connections);
    expect(shard.mqttClientId).toBe(`${instanceClientId(dir)}-shard-1-of-3`);
    expect(withInstanceClientId({ ...base, mqttClientId: 'plant', mqttClientIdExplicit: true } as Connections).mqttClientId).toBe('plant');
  });
});

describe('the service process', () => {
  it('with NODE_ENV=production and no ENERGY_CONFIG exits 2 with the reason, before it opens anything', () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'prod-refusal-'));
    try {
      const env: NodeJS.ProcessEnv = { ...process.env, NODE_ENV: 'production', DATA_DIR: dataDir, HTTP_PORT: '0', MQTT_PORT: '0' };
      delete env.ENERGY_CONFIG;
      const run = spawnSync(process.execPath, ['--require', 'tsx/cjs', path.join(PROJECT_ROOT, 'services', 'main.ts')], {
        env,
        encoding: 'utf8',
        timeout: 60_000,
      });
      expect(run.status).toBe(2);
      expect(run.stderr).toContain('ENERGY_CONFIG: not set, and this is not a demo run (NODE_ENV=production)');
      expect(() => readFileSync(path.join(dataDir, 'state.db'))).toThrow();
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
