import { ConfigError, connectionsFromEnv } from '../../../config/load';
import { testConfig } from '../../helpers/config';

const c = testConfig();
const broker = { MQTT_URL: 'mqtt://broker:1883' };
const problems = (env: NodeJS.ProcessEnv): string[] => {
  try {
    connectionsFromEnv(env, c);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems.map((p) => `${p.path}: ${p.message}`);
    throw err;
  }
  return [];
};

describe('scale-out settings from the environment', () => {
  it('a plain instance: role all, the default journal and client id, no shard', () => {
    const conn = connectionsFromEnv(broker, c);
    expect(conn).toMatchObject({ role: 'all', journalDir: 'journal', mqttClientId: 'energy-monitor-ingest' });
    expect(conn.shard).toBeUndefined();
    expect(conn.mqttSharedGroup).toBeUndefined();
  });

  it('a shard gets its own client id and journal, so shards can share one broker and DATA_DIR', () => {
    expect(connectionsFromEnv({ ...broker, INGEST_SHARD: '1/3' }, c)).toMatchObject({
      shard: { index: 1, count: 3 },
      mqttClientId: 'energy-monitor-ingest-shard-1-of-3',
      journalDir: 'journal-1-of-3',
    });
    expect(connectionsFromEnv({ ...broker, INGEST_SHARD: '0/2', MQTT_CLIENT_ID: 'plant', JOURNAL_DIR: 'j0' }, c)).toMatchObject({
      mqttClientId: 'plant-shard-0-of-2',
      journalDir: 'j0',
    });
  });

  it('shared group, role and lease timings', () => {
    expect(
      connectionsFromEnv({ ...broker, MQTT_SHARED_GROUP: 'energy', ROLE: 'ingest', LEASE_TTL_MS: '3000', LEASE_RENEW_MS: '1000' }, c),
    ).toMatchObject({
      mqttSharedGroup: 'energy',
      role: 'ingest',
      leaseTtlMs: 3000,
      leaseRenewMs: 1000,
    });
  });

  it('lists every problem at once', () => {
    expect(problems({ INGEST_SHARD: '2/2', ROLE: 'rules', LEASE_TTL_MS: '-1', MQTT_SHARED_GROUP: 'a/b' })).toEqual([
      expect.stringMatching(/^INGEST_SHARD: invalid shard "2\/2": i must be below N/),
      expect.stringMatching(/^MQTT_SHARED_GROUP: .*may not contain/),
      expect.stringMatching(/^MQTT_SHARED_GROUP: scale-out needs an external broker/),
      expect.stringMatching(/^ROLE: expected one of all, ingest, got "rules"/),
      expect.stringMatching(/^LEASE_TTL_MS: expected a positive number/),
    ]);
    expect(problems({ ...broker, INGEST_SHARD: '0/2', MQTT_SHARED_GROUP: 'g' })).toEqual([expect.stringMatching(/exclude each other/)]);
    expect(problems({ INGEST_SHARD: '0/2' })).toEqual([expect.stringMatching(/needs an external broker: set MQTT_URL/)]);
    expect(problems({ ...broker, LEASE_TTL_MS: '1000', LEASE_RENEW_MS: '1000' })).toEqual([expect.stringMatching(/LEASE_RENEW_MS < LEASE_TTL_MS/)]);
    expect(problems({ ...broker, JOURNAL_DIR: '../elsewhere' })).toEqual([expect.stringMatching(/^JOURNAL_DIR/)]);
  });
});
