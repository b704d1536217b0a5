/**
 * The real servers the ingest benchmark runs against: Mosquitto with the settings the project
 * ships (deploy/mosquitto/mosquitto.conf: queue, in-flight, persistence and packet limits, with a
 * password file and ACL generated from the district configuration), influxd from the test helper,
 * and small InfluxDB HTTP helpers. The benchmark's broker has one listener for gateways and the
 * service alike (the phases connect both to one port); the shipped listener split does not change
 * throughput, and test/integration/mosquittoAcl.test.ts runs the shipped file itself.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from '../../config/paths';
import { parseConfig } from '../../config/load';
import { mosquittoAuthFiles } from '../../ingest/mosquittoAuthFiles';
import { startMosquitto, type MosquittoBroker } from '../../test/helpers/mosquitto';
import { districtConfigYaml, gatewayPassword, SERVICE_PASSWORD, SERVICE_USER, type BenchDistrict } from './workload';

/** Settings of the shipped broker configuration that shape throughput and queueing. */
const TUNING_KEYS = [
  'max_queued_messages',
  'max_queued_bytes',
  'max_inflight_messages',
  'autosave_interval',
  'autosave_on_changes',
  'max_packet_size',
  'max_inflight_bytes',
  'upgrade_outgoing_qos',
];

export const SHIPPED_MOSQUITTO_CONF = path.join(PROJECT_ROOT, 'deploy', 'mosquitto', 'mosquitto.conf');

/** `key value` lines of the shipped configuration that the benchmark carries over. */
export function shippedTuning(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const raw of readFileSync(SHIPPED_MOSQUITTO_CONF, 'utf8').split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const [key, ...rest] = line.split(/\s+/);
    if (key !== undefined && TUNING_KEYS.includes(key)) out[key] = rest.join(' ');
  }
  return out;
}

export interface BenchBroker {
  readonly broker: MosquittoBroker;
  /** The settings it runs with, for the report. */
  readonly settings: Record<string, string>;
}

/**
 * Mosquitto as shipped: no anonymous clients, password file and ACL (one gateway account per
 * enterprise, one service account), persistence, and the shipped queue and in-flight limits.
 * `overrides` replaces shipped values (e.g. `max_inflight_messages` to compare).
 */
export async function startShippedMosquitto(district: BenchDistrict, overrides: Record<string, string> = {}): Promise<BenchBroker> {
  const config = parseConfig(districtConfigYaml(district), 'bench');
  const passwords: Record<string, string> = { [SERVICE_USER]: SERVICE_PASSWORD };
  for (const e of config.enterprises) passwords[e.id] = gatewayPassword(e.id);
  const files = mosquittoAuthFiles(config, passwords);
  const settings = { ...shippedTuning(), ...overrides };
  const broker = await startMosquitto({
    allowAnonymous: false,
    persistence: true,
    files: { passwd: files.passwd, acl: files.acl },
    extraConfig: (dir) => [
      `password_file ${path.join(dir, 'passwd')}`,
      `acl_file ${path.join(dir, 'acl')}`,
      ...Object.entries(settings).map(([k, v]) => `${k} ${v}`),
    ],
  });
  if (!broker) throw new Error('mosquitto is not installed (apt-get install mosquitto): the ingest benchmark needs it');
  return { broker, settings };
}

export async function influxQuery(url: string, q: string, db?: string): Promise<unknown> {
  const params = new URLSearchParams({ q, epoch: 'ms' });
  if (db !== undefined) params.set('db', db);
  const res = await fetch(`${url}/query`, { method: 'POST', body: params, signal: AbortSignal.timeout(120_000) });
  const text = await res.text();
  if (!res.ok) throw new Error(`InfluxDB query answered ${res.status}: ${text.slice(0, 300)}`);
  return JSON.parse(text);
}

interface SeriesResult {
  results?: { series?: { values?: unknown[][] }[]; error?: string }[];
}

/** Values of the first series of each statement's result. */
export function firstValues(body: unknown): unknown[][][] {
  const results = (body as SeriesResult).results ?? [];
  return results.map((r) => {
    if (r.error !== undefined) throw new Error(`InfluxDB: ${r.error}`);
    return r.series?.[0]?.values ?? [];
  });
}

/** Readings stored in `db` (`count(value)` of the `reading` measurement). */
export async function countReadings(url: string, db: string): Promise<number> {
  const [values = []] = firstValues(await influxQuery(url, 'SELECT count(value) FROM reading', db));
  const n = values[0]?.[1];
  return typeof n === 'number' ? n : 0;
}

export async function createDatabase(url: string, db: string): Promise<void> {
  await influxQuery(url, `CREATE DATABASE "${db}"`);
}

export async function writeLines(url: string, db: string, body: string): Promise<void> {
  const res = await fetch(`${url}/write?db=${encodeURIComponent(db)}&precision=ms`, { method: 'POST', body, signal: AbortSignal.timeout(60_000) });
  if (res.status !== 204) throw new Error(`InfluxDB write answered ${res.status}: ${(await res.text()).slice(0, 300)}`);
  await res.arrayBuffer();
}
