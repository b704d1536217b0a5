/**
 * Quarantine rows name the journal position they came from (so a message read again after a crash
 * is not quarantined twice). Instances sharing one state must not collide on equal positions: on
 * SQLite that is a shard's journal name (instances on one host); on PostgreSQL, where instances on
 * several hosts each have a journal called `journal`, each instance's own client id leads it.
 */
import { connectionsFromEnv } from '../../../config/load';
import { silentLogger } from '../../../services/core/log';
import { Metrics } from '../../../services/observability/metrics';
import { ScaleOut } from '../../../services/scaleOut';
import type { SqlExecutor } from '../../../services/store/state/db/sqlExecutor';
import { testConfig } from '../../helpers/config';

const config = testConfig();
const db = { dialect: 'sqlite' } as SqlExecutor; // never queried: no lease is started here
const prefixOf = (env: Record<string, string>) => {
  const connections = connectionsFromEnv({ DATA_DIR: '/tmp/x', ...env }, config);
  return new ScaleOut({ config, connections, stateDb: db }, { logger: silentLogger(), metrics: new Metrics() }).sourceRefPrefix;
};

describe('quarantine source-reference prefix', () => {
  it('SQLite: none for the default journal (refs written by earlier releases stay valid), the journal name for a shard', () => {
    expect(prefixOf({})).toBeUndefined();
    expect(prefixOf({ JOURNAL_DIR: 'journal-b' })).toBe('journal-b:');
  });

  it('PostgreSQL: the instance client id and the journal, so two hosts with equal journal positions never collide', () => {
    const url = 'postgres://energy@db.example.org:5432/energy';
    const hostA = prefixOf({ DATABASE_URL: url, MQTT_CLIENT_ID: 'energy-monitor-ingest-a1b2c3d4' });
    const hostB = prefixOf({ DATABASE_URL: url, MQTT_CLIENT_ID: 'energy-monitor-ingest-e5f6a7b8' });
    expect(hostA).toBe('energy-monitor-ingest-a1b2c3d4/journal:');
    expect(hostB).toBe('energy-monitor-ingest-e5f6a7b8/journal:');
  });
});
